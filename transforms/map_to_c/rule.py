"""map-to-c: report Go maps, and values holding one, passed to C functions.

A Go map value is a pointer to Go memory, and that memory holds more Go
pointers. cgo's pointer-passing rules forbid passing C a pointer to Go
memory that contains Go pointers (unless they are pinned, and a map cannot
be pinned: runtime.Pinner panics on one). With the default
GODEBUG=cgocheck=1 the runtime checks every pointer argument of a C call
and panics ("... Go pointer to unpinned Go pointer") when it finds a
non-nil map in the memory passed.

The rule reports each argument of a `C.f(...)` call that hands C such
memory:

  - `unsafe.Pointer(&m)`, `(*C.char)(unsafe.Pointer(&m))`: a pointer to a map;
  - `unsafe.Pointer(&s)`, `unsafe.Pointer(p)`, `(*C.struct_x)(unsafe.Pointer(&s))`:
    a pointer to a value whose type (a struct, array or slice element of this
    package, at any depth, following pointer fields too) contains a map;
  - the same through an `unsafe.Pointer` (or pointer) variable assigned in
    the same function: `p := unsafe.Pointer(s); C.f(p)`, the form go vet's
    cgocall check does not follow;
  - `*(*unsafe.Pointer)(unsafe.Pointer(&m))`: the map's own pointer.

Like cgo, a field pointer written at the call (`C.f(unsafe.Pointer(&s.n))`)
is checked for that field only; through a variable it is an unknown pointer
to the runtime, which checks the whole object it points into, so
`p := unsafe.Pointer(&s.n); C.f(p)` is reported when s holds a map.

The message names the path to the map (`entry.data map[string]*string`)
and what to pass instead: C memory the entries are copied into
(`C.malloc`, `C.CString`) or a `cgo.Handle` (`cgo.NewHandle(m)`, passed as a
`C.uintptr_t`), which C can hand back to Go. A struct wrapper around the
map (as wrap-inner-map produces) or a copy of it (as deepcopy makes) is
still a Go map inside and is reported the same way. It is detection only:
severity error, no fix. Types of other packages are opaque, so values of
those types are not reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext, PackageContext
from codemod.model import Finding, Severity
from codemod.transform import finding
from gofacts import cgo
from gofacts.scope import declared_value, find_declaration
from gofacts.types import GoType, PackageTypes
from transforms.map_to_c.doc import DOC

RULE = "map-to-c"
_MAX_TRACE = 4


@dataclass(frozen=True)
class _Reach:
    """A map that an argument hands to C: where it sits, its type, and how the argument gets there."""

    path: str
    map_type: str
    via: str
    wrapped: bool


class MapToC:
    doc = DOC
    name = DOC.name
    prefilter = ((b'"C"', b"C."),)

    def run(self, pkg: PackageContext) -> Iterator[Finding]:
        types: PackageTypes | None = None
        for f in pkg.cgo_files():
            if not f.editable:
                continue
            typedefs = cgo.typedefs(f)
            for call in _calls(f.root):
                name = cgo.c_function(call, typedefs)
                args = call.child_by_field_name("arguments")
                if name is None or args is None:
                    continue
                for arg in args.named_children:
                    if arg.type == "comment":
                        continue
                    types = types or PackageTypes.of(pkg)
                    reach = _Tracer(f, types).argument(arg)
                    if reach is not None:
                        yield finding(RULE, f, arg, _message(name, arg, reach), severity=Severity.ERROR)


def _calls(root: Node) -> list[Node]:
    """Every call expression under root, in source order (outer calls before the calls they hold)."""
    calls = syntax.captures("(call_expression) @call", root).get("call", [])
    return sorted(calls, key=lambda n: (n.start_byte, -n.end_byte))


def _message(func: str, arg: Node, reach: _Reach) -> str:
    via = f" through {reach.via}" if reach.via else ""
    msg = (
        f"{reach.path} {reach.map_type} reaches C.{func}{via}: a Go map is a pointer to Go memory that "
        "holds more Go pointers, and maps cannot be pinned, so under the default GODEBUG=cgocheck=1 this "
        'call panics ("Go pointer to unpinned Go pointer") whenever the map is not nil. '
        "Copy the entries into C memory (C.malloc, C.CString) or pass a cgo.Handle (cgo.NewHandle) instead."
    )
    if reach.wrapped:
        msg += " Wrapping the map in a struct, or copying it, does not make it legal to pass."
    return msg


class _Tracer:
    """Follows one argument of a C call to the Go memory it points to."""

    def __init__(self, f: FileContext, types: PackageTypes) -> None:
        self.f, self.types = f, types
        self.unsafe = f.import_name("unsafe")

    def argument(self, arg: Node, via: str = "", depth: int = 0) -> _Reach | None:
        if depth > _MAX_TRACE:
            return None
        expr = self._strip(arg)
        if expr.type == "unary_expression":
            op = syntax.text(expr.children[0])
            operand = expr.child_by_field_name("operand")
            if operand is None:
                return None
            if op == "&":
                return self._memory(operand, _text(operand), via)
            if op == "*":
                return self._deref_pointer_conversion(operand, via)
            return None
        if expr.type == "identifier":
            traced = self._trace_variable(expr, via, depth)
            if traced is not None:
                return traced
        t = self.types.type_of(expr, self.f)
        pointee = self.types.pointee(t)
        if pointee is None:
            return None
        found = self._contains_map(pointee, _text(expr), set(), False)
        return _Reach(found[0], found[1], via, found[2]) if found is not None else None

    def _memory(self, operand: Node, path: str, via: str) -> _Reach | None:
        """The memory at &operand that cgo checks.

        Written at the call (`C.f(unsafe.Pointer(&x.f))`), cgo checks only that
        field. A pointer that reaches the call through a variable is an
        unknown pointer to the runtime, which checks the whole allocation it
        points into: `p := unsafe.Pointer(&x.f); C.f(p)` checks all of x (or *x).
        """
        if via:
            t, path = self._allocation(operand)
        else:
            t = self.types.type_of(operand, self.f)
        if t is None:
            return None
        found = self._contains_map(t, path, set(), False)
        return _Reach(found[0], found[1], via, found[2]) if found is not None else None

    def _allocation(self, expr: Node) -> tuple[GoType | None, str]:
        """The type and path of the variable or object that the memory of expr is part of."""
        types = self.types
        expr = syntax.unparen(expr)
        if expr.type in ("selector_expression", "index_expression"):
            operand = expr.child_by_field_name("operand")
            t = types.type_of(operand, self.f) if operand is not None else None
            if operand is not None and t is not None:
                pointee = types.pointee(t)
                if pointee is not None:
                    return pointee, _text(operand)  # x.f with x a pointer: the object *x
                u = types.underlying(t)
                if u is not None and u.kind in ("struct_type", "array_type"):
                    return self._allocation(operand)  # a field or element of the value operand
        return types.type_of(expr, self.f), _text(expr)

    def _deref_pointer_conversion(self, operand: Node, via: str) -> _Reach | None:
        """*(*unsafe.Pointer)(unsafe.Pointer(&m)): the pointer a map variable holds."""
        inner = self._strip(operand)
        if inner.type != "unary_expression" or syntax.text(inner.children[0]) != "&":
            return None
        target = inner.child_by_field_name("operand")
        t = self.types.type_of(target, self.f) if target is not None else None
        if target is None or self.types.map_parts(t) is None:
            return None
        assert t is not None
        return _Reach(_text(target), _squash(t.text), via, False)

    def _strip(self, arg: Node) -> Node:
        """Remove parentheses and pointer conversions: unsafe.Pointer(x), (*C.T)(x), (*T)(x)."""
        while True:
            arg = syntax.unparen(arg)
            if arg.type != "call_expression":
                return arg
            fn, args = arg.child_by_field_name("function"), arg.child_by_field_name("arguments")
            if fn is None or args is None or args.named_child_count != 1:
                return arg
            if not (self._is_unsafe_pointer(fn) or _is_pointer_type_conversion(fn)):
                return arg
            arg = args.named_children[0]

    def _is_unsafe_pointer(self, fn: Node) -> bool:
        if fn.type != "selector_expression" or not self.unsafe:
            return False
        operand, fld = fn.child_by_field_name("operand"), fn.child_by_field_name("field")
        return (
            operand is not None
            and fld is not None
            and syntax.text(operand) == self.unsafe
            and syntax.text(fld) == "Pointer"
        )

    def _trace_variable(self, ident: Node, via: str, depth: int) -> _Reach | None:
        """A local pointer variable: follow the value it was last given before this use."""
        name = syntax.text(ident)
        decl = find_declaration(name, ident)
        if decl is None or decl[0] not in ("short_var", "var_spec"):
            return None
        value = _last_value(name, decl[1], ident)
        if value is None or value == ident or not self._worth_tracing(value):
            return None
        described = f"{name} := {_text(value)}" if decl[0] == "short_var" else f"{name} = {_text(value)}"
        return self.argument(value, f"{via}, {described}" if via else described, depth + 1)

    def _worth_tracing(self, value: Node) -> bool:
        """True for a pointer conversion, &x or another variable: values whose own type says less
        than what they were made from."""
        stripped = self._strip(value)
        if stripped.type == "identifier":
            return True
        if stripped != syntax.unparen(value):
            return True
        if stripped.type != "unary_expression" or syntax.text(stripped.children[0]) != "&":
            return False
        operand = stripped.child_by_field_name("operand")
        return operand is not None and syntax.unparen(operand).type != "composite_literal"

    def _contains_map(
        self, t: GoType, path: str, seen: set[str], in_struct: bool, depth: int = 0
    ) -> tuple[str, str, bool] | None:
        """(path to the first map in a value of type t, the map's type, whether it sits in a struct)."""
        if depth > 8:
            return None
        types = self.types
        if types.map_parts(t) is not None:
            return path, _squash(t.text), in_struct
        decl = types.declaration(t)
        if decl is not None:
            if decl.name in seen:
                return None
            seen = seen | {decl.name}
        u = types.underlying(t)
        if u is not None and u.node is None:
            return (
                self._contains_map(u.elem, path, seen, in_struct, depth + 1) if u.elem is not None else None
            )
        if u is None or u.node is None:
            return None
        kind = u.node.type
        if kind == "struct_type":
            for fname, ftype, _ in types.fields(u):
                found = self._contains_map(ftype, f"{path}.{fname}", seen, True, depth + 1)
                if found is not None:
                    return found
            return None
        if kind in ("array_type", "slice_type"):
            elem = u.node.child_by_field_name("element")
            elem_type = GoType(elem, u.file) if elem is not None else None
            return (
                self._contains_map(elem_type, f"{path}[i]", seen, in_struct, depth + 1) if elem_type else None
            )
        if kind == "pointer_type" and u.node.named_child_count:
            pointee = GoType(u.node.named_children[0], u.file)
            return self._contains_map(pointee, path, seen, in_struct, depth + 1)
        return None


def _is_pointer_type_conversion(fn: Node) -> bool:
    """(*T)(x) or (*C.T)(x): a conversion to a pointer type, parsed as a call."""
    if fn.type != "parenthesized_expression":
        return False
    inner = syntax.unparen(fn)
    return inner.type in ("unary_expression", "pointer_type") and syntax.text(inner).startswith("*")


def _last_value(name: str, decl: Node, use: Node) -> Node | None:
    """The value name was last assigned before use: by its declaration, or by a later `name = v`."""
    value = declared_value(name, decl)
    func = syntax.enclosing_function(use)
    body = func.child_by_field_name("body") if func is not None else None
    if body is None:
        return value
    for n in syntax.named_walk(body, prune=frozenset({"func_literal"})):
        if n.start_byte >= use.start_byte:
            break
        if n.type != "assignment_statement" or n.start_byte < decl.end_byte:
            continue
        left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
        targets = left.named_children if left is not None else []
        values = right.named_children if right is not None else []
        for t, v in zip(targets, values, strict=False):
            if t.type == "identifier" and syntax.text(t) == name and len(targets) == len(values):
                value = v
    return value


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _text(node: Node) -> str:
    return _squash(syntax.text(node))


TRANSFORM = MapToC()
"""The rule's transform, as the registry (transforms.PACKAGES) lists it."""
