"""Where a C call's argument comes from: the Go owner it was read from, and the fields on the way.

    C.f(w.c)                          owner w, fields (c)
    C.f(w.inner.c)                    owner w, fields (inner, c)
    C.f(v.native())                   owner v, fields of what native() returns (an accessor)
    C.f(v.Event.native())             owner v, fields (Event, ...)
    p := (*C.T)(o.ptr); C.f(p.x)      owner o, fields (ptr): p is C memory o owns

An accessor is a method without parameters whose body, after nil guards
(`if v == nil { return nil }`), returns a receiver field: as is, converted
(`(*C.GtkWidget)(unsafe.Pointer(v.GObject))`), through a local
(`p := unsafe.Pointer(v.GObject); return C.toGtkWidget(p)`, where a one-argument C
function of the preamble is a cast), or through another accessor. The method is
looked up on the receiver's type, promoted from embedded types, across the
packages of the module.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext, PackageContext
from gofacts import scope
from gofacts.signatures import receiver_name
from gofacts.types import GoType, PackageTypes
from transforms.keepalive.cgo import owner_of, strip_conversions

_MAX_ACCESSOR_DEPTH = 3


@dataclass(frozen=True)
class Owned:
    """A Go owner a handle argument is read from.

    owner: the variable; fields: the selectors from it to the handle; base: the variable
    the owner was itself derived from (`o := obj.AsObject()` has base obj), whose
    KeepAlive after the call keeps the owner reachable too.
    """

    owner: str
    fields: tuple[str, ...]
    base: str = ""


def owned_by(arg: Node, call: Node, f: FileContext, pkg: PackageContext) -> Owned | None:
    """The owner an argument (conversions stripped) reads its handle from, or None."""
    types = PackageTypes.of(pkg)
    found = _chain(arg, f, types, 0)
    if found is None:
        return None
    owner, fields = found
    rooted = _c_pointer_root(owner, fields, call, f, types)
    if rooted is not None:
        owner, fields = rooted
    return Owned(owner, fields, _derived_from(owner, call))


def _chain(expr: Node, f: FileContext, types: PackageTypes, depth: int) -> tuple[str, tuple[str, ...]] | None:
    """(owner, fields) of a selector chain, or of an accessor call on one."""
    expr = syntax.unparen(expr)
    if expr.type == "call_expression":
        fn, args = expr.child_by_field_name("function"), expr.child_by_field_name("arguments")
        if fn is None or fn.type != "selector_expression" or args is None or args.named_child_count:
            return None
        operand, method = fn.child_by_field_name("operand"), fn.child_by_field_name("field")
        if operand is None or method is None:
            return None
        base = syntax.unparen(operand)
        prefix: tuple[str, tuple[str, ...]] | None
        if base.type == "identifier":
            name = syntax.text(base)
            if name in ("C", "_") or name in f.imported_names and scope.lookup(name, base) is None:
                return None
            prefix = (name, ())
        else:
            prefix = _chain(base, f, types, depth)
        if prefix is None:
            return None
        path = accessor_path(types, types.type_of(base, f), syntax.text(method), depth)
        return (prefix[0], prefix[1] + path) if path is not None else None
    owned = owner_of(expr, f)
    if owned is None:
        return None
    return owned[0], owned[1]


def accessor_path(
    types: PackageTypes, recv: GoType | None, method: str, depth: int = 0
) -> tuple[str, ...] | None:
    """The fields of the receiver an accessor method returns (see the module doc), or None."""
    if recv is None or depth > _MAX_ACCESSOR_DEPTH:
        return None
    found = types.method(recv, method)
    if found is None:
        return None
    decl, decl_file, decl_types = found
    params = decl.child_by_field_name("parameters")
    body = decl.child_by_field_name("body")
    name = receiver_name(decl)
    if name is None or body is None or (params is not None and params.named_child_count):
        return None
    statements = _statements(body)
    while statements and _nil_guard(statements[0]):
        statements = statements[1:]
    locals_: dict[str, Node] = {}
    for stmt in statements[:-1]:
        assigned = _single_assignment(stmt)
        if assigned is None:
            return None
        locals_[assigned[0]] = assigned[1]
    if not statements or statements[-1].type != "return_statement":
        return None
    values = [c for c in statements[-1].named_children if c.type != "comment"]
    if len(values) != 1 or values[0].type == "expression_list" and values[0].named_child_count != 1:
        return None
    value = values[0].named_children[0] if values[0].type == "expression_list" else values[0]
    return _returned_path(value, name, locals_, decl_file, decl_types, depth)


def _returned_path(
    value: Node, recv: str, locals_: dict[str, Node], f: FileContext, types: PackageTypes, depth: int
) -> tuple[str, ...] | None:
    for _ in range(4):
        value = _unwrap(strip_conversions(value, f, set()), f)
        if value.type == "identifier" and syntax.text(value) in locals_:
            value = locals_.pop(syntax.text(value))
            continue
        break
    if value.type == "unary_expression":
        return None  # &v.field: a Go pointer into v, which keeps v alive
    chain = _chain(value, f, types, depth + 1)
    if chain is None or chain[0] != recv:
        return None
    return chain[1]


def _unwrap(value: Node, f: FileContext) -> Node:
    """A one-argument C call of the preamble (a cast helper such as `C.toGtkLabel(p)`) -> p."""
    value = syntax.unparen(value)
    if value.type != "call_expression":
        return value
    fn, args = value.child_by_field_name("function"), value.child_by_field_name("arguments")
    if fn is None or args is None or fn.type != "selector_expression" or args.named_child_count != 1:
        return value
    operand = fn.child_by_field_name("operand")
    if operand is None or syntax.text(operand) != "C":
        return value
    return strip_conversions(args.named_children[0], f, set())


def _statements(body: Node) -> list[Node]:
    lst = next((c for c in body.named_children if c.type == "statement_list"), None)
    return [s for s in lst.named_children if s.type != "comment"] if lst is not None else []


def _nil_guard(stmt: Node) -> bool:
    """`if cond { return <nil or zero> }` with no else."""
    if stmt.type != "if_statement" or stmt.child_by_field_name("alternative") is not None:
        return False
    block = stmt.child_by_field_name("consequence")
    inner = _statements(block) if block is not None else []
    if len(inner) != 1 or inner[0].type != "return_statement":
        return False
    values = [c for c in syntax.named_walk(inner[0]) if c is not inner[0] and c.type != "expression_list"]
    return all(
        v.type in ("nil", "int_literal", "identifier") and syntax.text(v) in ("nil", "0") for v in values
    )


def _single_assignment(stmt: Node) -> tuple[str, Node] | None:
    """(name, value) for `p := value` or `var p = value`."""
    if stmt.type == "short_var_declaration":
        left, right = stmt.child_by_field_name("left"), stmt.child_by_field_name("right")
        names = left.named_children if left is not None else []
        values = right.named_children if right is not None else []
        if len(names) == 1 and len(values) == 1 and names[0].type == "identifier":
            return syntax.text(names[0]), values[0]
    return None


def _c_pointer_root(
    owner: str, fields: tuple[str, ...], at: Node, f: FileContext, types: PackageTypes
) -> tuple[str, tuple[str, ...]] | None:
    """For an owner that is a local C pointer converted from a Go owner's field
    (`p := (*C.T)(o.ptr)`), that owner and field; None otherwise."""
    decl = scope.find_declaration(owner, at)
    if decl is None or decl[0] != "short_var":
        return None
    t = types.identifier_type(owner, at, f)
    if t is None or not t.text.lstrip("*").startswith(("C.", "unsafe.Pointer")):
        return None
    node = decl[1]
    value = scope.declared_value(owner, node)
    if value is None:
        return None
    source = _chain(strip_conversions(value, f, set()), f, types, 0)
    if source is None or source[0] == owner or not source[1]:
        return None
    body = syntax.enclosing_function(at)
    if body is None or scope.assigns_to(owner, body, node.end_byte, at.start_byte):
        return None
    return source


def _derived_from(owner: str, at: Node) -> str:
    """The variable owner was assigned from (`o := obj.f`, `o := obj.m()`), or ""."""
    decl = scope.find_declaration(owner, at)
    if decl is None or decl[0] != "short_var":
        return ""
    value = scope.declared_value(owner, decl[1])
    if value is None:
        return ""
    value = syntax.unparen(value)
    while value.type in ("call_expression", "selector_expression"):
        inner = value.child_by_field_name("function" if value.type == "call_expression" else "operand")
        if inner is None:
            return ""
        value = syntax.unparen(inner)
        if value.type == "identifier":
            return syntax.text(value)
    return ""


def points_into(arg: Node, owner: str, at: Node, f: FileContext, types: PackageTypes) -> bool:
    """True if arg is owner itself (a pointer) or the address of memory inside *owner:
    `&w.f`, `&w.arr[0]`, `&w.inner.x` through value fields and arrays, not through
    pointers or slices (those point into other allocations)."""
    if arg.type == "identifier":
        t = types.identifier_type(owner, at, f) if f.text(arg) == owner else None
        return t is not None and t.kind == "pointer_type"
    if arg.type != "unary_expression" or f.text(arg.children[0]) != "&":
        return False
    links: list[tuple[str, str]] = []  # ("field", name) or ("index", "")
    node = syntax.unparen(arg.child_by_field_name("operand") or arg)
    while node.type in ("selector_expression", "index_expression"):
        if node.type == "selector_expression":
            links.append(("field", f.text(node.child_by_field_name("field") or node)))
        else:
            links.append(("index", ""))
        node = syntax.unparen(node.child_by_field_name("operand") or node)
    if node.type != "identifier" or f.text(node) != owner or not links or links[-1][0] != "field":
        return False
    t = types.identifier_type(owner, at, f)
    if t is None or t.kind != "pointer_type":
        return False
    current, at_types = types.pointee(t), types
    ordered = list(reversed(links))
    for i, (kind, name) in enumerate(ordered):
        if current is None:
            return False
        if kind == "index":
            u = at_types.underlying(current)
            if u is None or u.node is None or u.node.type != "array_type":
                return False  # a slice element lives in the slice's own array
            current = at_types.element(current)
            continue
        member = at_types.member(current, name)
        if member is None or any(e.pointer for e in member.via):
            return False  # unknown, or promoted through an embedded pointer (another allocation)
        current, at_types = member.type, member.types
        if current.kind == "pointer_type" and i + 1 < len(ordered):
            return False  # the next link goes through a pointer
    return True


def kept_by_arguments(args: list[Node], owner: str, f: FileContext) -> bool:
    """True when an argument of the call passes the owner itself to a Go function
    (`C.set(c.db, register(c, cb))`): that function may keep it reachable (a handle table)."""
    for arg in args:
        for n in syntax.named_walk(arg):
            if n.type != "call_expression":
                continue
            fn = n.child_by_field_name("function")
            if fn is None or fn.type == "selector_expression" and syntax.text(fn).startswith("C."):
                continue
            inner = n.child_by_field_name("arguments")
            if inner is not None and any(
                syntax.text(syntax.unparen(a)) == owner for a in inner.named_children
            ):
                return True
    return False
