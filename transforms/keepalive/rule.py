"""keepalive: keep an owner object alive until a C call that received only its C handle returns.

A Go object that owns C memory and releases it in a finalizer (or cleanup)
can be finalized while a C function is still using that memory, when the
call was passed only the C handle (`C.use(w.c)`): after `w.c` is loaded,
nothing may refer to `w` any more. cgo keeps the *arguments* alive for the
duration of the call (a Go pointer such as `&w.ctx` therefore keeps w alive),
not the object a C handle was read from. The fix is `runtime.KeepAlive(w)`
on a path after the call:

  - statement calls (`C.f(w.c)`, `r := C.f(w.c)`): on the next line (after a
    block of trailing comments gofmt aligns together, not inside it);
  - `return C.f(w.c)`, calls in if/for/switch headers: `defer runtime.KeepAlive(w)`
    at the top of the function when w is a parameter or the receiver never
    assigned, else immediately before the statement; no fix when the statement
    itself declares or assigns w, or inside a loop, where defers pile up;
  - `defer C.f(w.c)`: `defer runtime.KeepAlive(w)` before it (defers run last-in first-out);
  - inside `go func() { ... }()` and other function literals: inside the literal.

Nothing is needed when w is already alive after the call: an existing
`runtime.KeepAlive(w)` on a path after it, a deferred call holding w
(`defer runtime.KeepAlive(w)`, `defer w.Close()`) registered before it, or a
later use of w the program needs (`w.c = nil`, `return w`, `f(w)`; not
`_ = w.c`). One KeepAlive serves a run of calls on one owner; several owners
at one point share one insertion. A second run therefore changes nothing.

Evidence decides the safety. The fix is safe when the package registers a
finalizer or cleanup for the owner's type (runtime.SetFinalizer /
runtime.AddCleanup) that uses the field the call receives (followed through
the type's methods and package functions) and that field has a C,
unsafe.Pointer or uintptr type. A finalizer that provably does not touch the
field is evidence against: no finding. Without any finalizer the fix is only
suggested (unsafe), as it is when the owner's type is unknown but a finalized
type has such a field. No finding for calls passing only C values, fresh C
memory, Go values, package-level owners (always reachable), calls that release
the handle (C.free(w.c): KeepAlive is no cure for a double free), and calls
inside the finalizer itself. A copy (`func (w widget) m()`) is reported
without a fix: keeping the copy alive does not keep the finalized pointer alive.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from tree_sitter import Node

from codemod import golines, syntax
from codemod.context import FileContext, PackageContext
from codemod.imports import plan_imports
from codemod.model import Edit, Finding, Fix, Safety
from codemod.transform import finding
from gofacts import goscope
from transforms.keepalive.doc import DOC

C_SCALARS = frozenset(
    (
        "char schar uchar short ushort int uint long ulong longlong ulonglong float double"
        " complexfloat complexdouble size_t ssize_t intptr_t uintptr_t ptrdiff_t _Bool bool"
    ).split()
)
# cgo helpers that copy Go values into C memory or read C memory into Go.
_GO_VALUE_COPIES = frozenset({"CString", "CBytes"})
_TYPEDEF = re.compile(rb"typedef\b[^;{]*(?:\{[^}]*\}[^;]*)?\b(\w+)\s*;")
_FINALIZER_NAMES = (b"SetFinalizer", b"AddCleanup")
_ALL_CALLS = "(call_expression) @c"
_C_CALLS = '(call_expression function: (selector_expression operand: (identifier) @op (#eq? @op "C"))) @c'
_FINALIZER_CALLS = (
    "(call_expression function: (selector_expression field: (field_identifier) @name"
    ' (#any-of? @name "SetFinalizer" "AddCleanup"))) @c'
)


@dataclass(frozen=True)
class _Site:
    """One C call that receives a C handle read from a Go owner object."""

    file: FileContext
    call: Node
    func_name: str
    arg: Node
    owner: str
    stmt: Node | None
    safety: Safety
    reason: str
    fixable: bool = True
    subject: str = ""
    """Who may be finalized, as the message says it, when not the owner itself."""


class KeepAlive:
    doc = DOC
    name = DOC.name
    prefilter = ((b'"C"', b"C."),)

    def run(self, pkg: PackageContext) -> Iterator[Finding]:
        cgo = pkg.cgo_files()
        if not any(f.editable for f in cgo):
            return  # every finding is a C call in an editable cgo file
        owners = functools.cache(lambda: _finalized_types(pkg))
        types = goscope.type_declarations(pkg)
        released = functools.cache(lambda: _released_by_calls(pkg, cgo))
        finalizers: set[tuple[str | None, str]] | None = None
        for f in cgo:
            if not f.editable:
                continue
            found = list(_sites(f, pkg, owners, released, types))
            if found and finalizers is None:
                finalizers = _finalizer_functions(pkg)
            yield from _findings(f, pkg, [s for s in found if not _inside_finalizer(s, finalizers or set())])


@dataclass(frozen=True)
class _Evidence:
    """Why a type is known to be finalized.

    where: e.g. "runtime.SetFinalizer in w.go". fields: the fields of the type its
    finalizers and cleanups use (what they release), or None when some finalizer
    could not be followed (a function value, a function of another package, the
    object handed on whole).
    """

    where: str
    fields: frozenset[str] | None


def _finalized_types(pkg: PackageContext) -> dict[str, _Evidence]:
    """Type name -> evidence, for the types the package registers a finalizer or cleanup for."""
    out: dict[str, _Evidence] = {}
    methods = goscope.methods(pkg)
    for f in pkg.files_with(*_FINALIZER_NAMES):
        rt = f.import_name("runtime")
        if rt is None or b"runtime" not in f.content:
            continue
        for call in _calls(f.root, _FINALIZER_CALLS):
            fn = call.child_by_field_name("function")
            if fn is None or fn.type != "selector_expression":
                continue
            operand, field = fn.child_by_field_name("operand"), fn.child_by_field_name("field")
            if operand is None or field is None or f.text(field) not in ("SetFinalizer", "AddCleanup"):
                continue
            if not rt or f.text(operand) != rt:
                continue
            args = call.child_by_field_name("arguments")
            if args is None or len(args.named_children) < 2 or f.text(args.named_children[1]) == "nil":
                continue  # runtime.SetFinalizer(x, nil) removes a finalizer
            name = _finalized_type(args.named_children, f, pkg, f.text(field))
            if not name:
                continue
            fields = _released_fields(f.text(field), args.named_children, name, methods)
            old = out.get(name)
            if old is not None:
                fields = None if old.fields is None or fields is None else old.fields | fields
            out[name] = _Evidence(old.where if old else f"runtime.{f.text(field)} in {f.path.name}", fields)
    return out


def _released_fields(
    kind: str, args: list[Node], type_name: str, methods: Mapping[tuple[str | None, str], Node]
) -> frozenset[str] | None:
    """The fields of the finalized object that a SetFinalizer finalizer uses, or that
    AddCleanup hands to its cleanup (`runtime.AddCleanup(w, free, w.c)`); None if unknown."""
    obj = syntax.unparen(args[0])
    if kind == "AddCleanup":
        if len(args) < 3 or obj.type != "identifier":
            return None
        owned = _owner_of(_strip_conversions(args[2], None, set()), None)
        return frozenset({owned[1][0]}) if owned and owned[0] == syntax.text(obj) else None
    fin = syntax.unparen(args[1])
    if fin.type == "func_literal":
        func: Node | None = fin
        param = goscope.first_parameter(fin)
    elif fin.type == "selector_expression":  # a method expression: (*T).close
        method = fin.child_by_field_name("field")
        func = methods.get((type_name, syntax.text(method))) if method is not None else None
        param = goscope.receiver_name(func) if func is not None else None
    else:
        func, param = None, None
    body = func.child_by_field_name("body") if func is not None else None
    if body is None or param is None:
        return None
    return goscope.fields_used(param, body, type_name, methods)


def _released_by_calls(pkg: PackageContext, cgo: list[FileContext]) -> set[tuple[str, str]]:
    """(type, field) pairs some function of the package (in its cgo files, cgo) passes to a
    C function that releases memory or a resource (C.free, C.foo_destroy, C.bar_close, ...)."""
    out: set[tuple[str, str]] = set()
    for f in cgo:
        typedefs = _cgo_typedefs(f)
        for call in _calls(f.root, _C_CALLS):
            name = _c_function(call, f, typedefs)
            if name is None or not _RELEASE.search(name):
                continue
            args = call.child_by_field_name("arguments")
            for arg in args.named_children if args is not None else ():
                owned = _owner_of(_strip_conversions(arg, f, typedefs), f)
                if owned is None:
                    continue
                type_name = goscope.base_type_name(goscope.local_type(owned[0], call, f, pkg))
                if type_name:
                    out.add((type_name, owned[1][0]))
    return out


_RELEASE = re.compile(r"(?i)free|destroy|release|delete|close|cleanup|dispose|unref|finali[sz]e|dealloc")


def _finalizer_functions(pkg: PackageContext) -> set[tuple[str | None, str]]:
    """Functions passed by name to runtime.SetFinalizer: (type, method) for a method
    expression such as (*T).free, (None, name) for a top-level function."""
    out: set[tuple[str | None, str]] = set()
    for f in pkg.files_with(b"SetFinalizer"):
        for call in _calls(f.root, _ALL_CALLS):
            args = call.child_by_field_name("arguments")
            if not _is_finalizer_call(call) or args is None or len(args.named_children) < 2:
                continue
            fin = syntax.unparen(args.named_children[1])
            if fin.type == "identifier":
                out.add((None, syntax.text(fin)))
            elif fin.type == "selector_expression":
                operand, field = fin.child_by_field_name("operand"), fin.child_by_field_name("field")
                name = goscope.base_type_name(syntax.text(syntax.unparen(operand))) if operand else None
                if name and field is not None:
                    out.add((name, syntax.text(field)))
    return out


def _is_finalizer_call(call: Node) -> bool:
    """True for a call of runtime.SetFinalizer or runtime.AddCleanup (however runtime is named)."""
    fn = call.child_by_field_name("function")
    return fn is not None and syntax.text(fn).replace(" ", "").endswith(("SetFinalizer", "AddCleanup"))


def _inside_finalizer(site: _Site, finalizers: set[tuple[str | None, str]]) -> bool:
    """True if the call runs inside a finalizer, where the object is already being released."""
    func = syntax.enclosing_function(site.call)
    while func is not None:
        name = func.child_by_field_name("name")
        if func.type == "func_literal":
            args = func.parent
            call = args.parent if args is not None else None
            if call is not None and call.type == "call_expression" and _is_finalizer_call(call):
                return True
        elif func.type == "function_declaration":
            if name is not None and (None, syntax.text(name)) in finalizers:
                return True
        elif name is not None:
            recv_types = {
                goscope.base_type_name(t) for t in goscope.parameter_types(func, "receiver").values()
            }
            if any((t, syntax.text(name)) in finalizers for t in recv_types if t):
                return True
        func = syntax.enclosing_function(func)
    return False


def _finalized_type(args: list[Node], f: FileContext, pkg: PackageContext, kind: str) -> str | None:
    first = syntax.unparen(args[0])
    if first.type == "identifier":
        name = goscope.base_type_name(goscope.local_type(f.text(first), first, f, pkg))
        if name:
            return name
    else:
        results = goscope.function_results(pkg)
        name = goscope.base_type_name(goscope.expression_type(first, pkg, results))
        if name:
            return name
    if kind == "SetFinalizer" and len(args) > 1:
        fin = syntax.unparen(args[1])
        if fin.type == "func_literal":
            params = fin.child_by_field_name("parameters")
            if params is not None and params.named_children:
                t = params.named_children[0].child_by_field_name("type")
                return goscope.base_type_name(syntax.text(t)) if t is not None else None
        if fin.type == "selector_expression":
            operand = fin.child_by_field_name("operand")
            if operand is not None:
                return goscope.base_type_name(syntax.text(syntax.unparen(operand)))
    return None


def _calls(root: Node, query: str) -> list[Node]:
    """The call_expression nodes the query captures as @c under root, in source order
    (an enclosing call before the calls inside it)."""
    found = syntax.captures(query, root).get("c", [])
    return sorted(found, key=lambda n: (n.start_byte, -n.end_byte))


def _cgo_typedefs(f: FileContext) -> set[str]:
    names: set[str] = set()
    for m in _TYPEDEF.finditer(f.content):
        names.add(m.group(1).decode())
    return names


def _is_c_type_name(name: str, typedefs: set[str]) -> bool:
    return (
        name in C_SCALARS
        or name in typedefs
        or name.endswith("_t")
        or name.startswith(("struct_", "union_", "enum_"))
    )


def _c_function(call: Node, f: FileContext, typedefs: set[str]) -> str | None:
    fn = call.child_by_field_name("function")
    if fn is None or fn.type != "selector_expression":
        return None
    operand, field = fn.child_by_field_name("operand"), fn.child_by_field_name("field")
    if operand is None or field is None or operand.type != "identifier" or f.text(operand) != "C":
        return None
    name = f.text(field)
    if _is_c_type_name(name, typedefs) or name in _GO_VALUE_COPIES:
        return None
    return name


def _strip_conversions(arg: Node, f: FileContext | None, typedefs: set[str]) -> Node:
    """(*C.char)(x), unsafe.Pointer(x), uintptr(x), C.size_t(x) -> x (f None: assume `unsafe`)."""
    unsafe_name = f.import_name("unsafe") if f is not None else "unsafe"
    while True:
        arg = syntax.unparen(arg)
        if arg.type != "call_expression":
            return arg
        fn = arg.child_by_field_name("function")
        args = arg.child_by_field_name("arguments")
        if fn is None or args is None or args.named_child_count != 1:
            return arg
        conversion = False
        if fn.type == "parenthesized_expression":
            inner = syntax.unparen(fn)
            conversion = inner.type in ("unary_expression", "pointer_type") and syntax.text(inner).startswith(
                "*"
            )
        elif fn.type == "identifier":
            conversion = syntax.text(fn) in ("uintptr",)
        elif fn.type == "selector_expression":
            operand, field = fn.child_by_field_name("operand"), fn.child_by_field_name("field")
            if operand is not None and field is not None:
                qual, member = syntax.text(operand), syntax.text(field)
                conversion = (qual == unsafe_name and member == "Pointer") or (
                    qual == "C" and _is_c_type_name(member, typedefs)
                )
        if not conversion:
            return arg
        arg = args.named_children[0]


def _owner_of(expr: Node, f: FileContext | None) -> tuple[str, tuple[str, ...]] | None:
    """For a selector chain w.a.b, (w, ("a", "b")); None for anything else (or an import of f)."""
    if expr.type != "selector_expression":
        return None
    chain = expr
    fields: list[str] = []
    while chain.type == "selector_expression":
        field = chain.child_by_field_name("field")
        operand = chain.child_by_field_name("operand")
        if field is None or operand is None:
            return None
        fields.append(syntax.text(field))
        chain = syntax.unparen(operand)
    if chain.type != "identifier":
        return None
    name = syntax.text(chain)
    if name in ("C", "_") or (f is not None and name in f.imported_names):
        return None
    return name, tuple(reversed(fields))


def _handle_kind(type_text: str, types: Mapping[str, Node], depth: int = 0) -> bool | None:
    """True: a C handle type (C.x, *C.x, unsafe.Pointer, uintptr, cgo.Handle);
    False: certainly a Go value that is not a handle; None: cannot tell."""
    t = type_text.replace(" ", "")
    if t.lstrip("*").startswith("C.") or t in ("unsafe.Pointer", "uintptr", "cgo.Handle"):
        return True
    if t.lstrip("*").startswith("[") and "C." in t:
        return True
    name = goscope.base_type_name(t)
    if name and name in types and depth < 4 and not t.startswith("*"):
        underlying = types[name]
        if underlying.type in ("struct_type", "interface_type", "map_type", "slice_type", "channel_type"):
            return False
        return _handle_kind(syntax.text(underlying), types, depth + 1)
    if name and (
        name in {"string", "bool", "error", "any"}
        or name.startswith(("int", "uint", "float", "complex", "byte", "rune"))
    ):
        return False
    if t.startswith(("[]", "map[", "chan", "func", "string")):
        return False
    return None


def _sites(
    f: FileContext,
    pkg: PackageContext,
    owners: Callable[[], dict[str, _Evidence]],
    released: Callable[[], set[tuple[str, str]]],
    types: Mapping[str, Node],
) -> Iterator[_Site]:
    """The C calls of f that receive a C handle read from an owner at risk (owners: the
    finalized types, released: the (type, field) pairs released by C calls, both computed
    when first needed)."""
    typedefs = _cgo_typedefs(f)
    for call in _calls(f.root, _C_CALLS):
        func_name = _c_function(call, f, typedefs)
        if func_name is None:
            continue
        args = call.child_by_field_name("arguments")
        stripped = [_strip_conversions(a, f, typedefs) for a in (args.named_children if args else ())]
        seen: set[str] = set()
        for arg, bare in zip(args.named_children if args else (), stripped, strict=True):
            owned = _owner_of(bare, f)
            if owned is None or owned[0] in seen:
                continue
            if any(_points_into(other, owned[0], call, f, pkg, types) for other in stripped):
                continue  # cgo keeps Go pointer arguments alive, and with them the owner
            site = _classify(f, pkg, call, func_name, arg, owned, owners, released, types)
            if site is not None:
                seen.add(owned[0])
                yield site


def _points_into(
    arg: Node, owner: str, at: Node, f: FileContext, pkg: PackageContext, types: Mapping[str, Node]
) -> bool:
    """True if arg is owner itself (a pointer) or the address of memory inside *owner:
    `&w.f`, `&w.arr[0]`, `&w.inner.x` through value fields and arrays, not through
    pointers or slices (those point into other allocations)."""
    if arg.type == "identifier":
        return f.text(arg) == owner and (goscope.local_type(owner, at, f, pkg) or "").startswith("*")
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
    t = goscope.local_type(owner, at, f, pkg) or ""
    if not t.startswith("*"):
        return False
    t = t[1:]
    for kind, name in reversed(links):
        if kind == "index":
            if not t.startswith("[") or t.startswith("[]"):
                return False  # a slice element lives in the slice's own array
            t = t.split("]", 1)[1]
            continue
        decl = types.get(goscope.base_type_name(t) or "") if not t.startswith(("*", "[")) else None
        field_type = (
            goscope.struct_fields(decl).get(name) if decl is not None and decl.type == "struct_type" else None
        )
        if field_type is None:
            return False  # unknown, a pointer, or promoted from an embedded field
        t = field_type
    return True


@dataclass(frozen=True)
class _Chain:
    """What owner.f1.f2... resolves to through the package's struct types.

    kind: the handle kind of the last field (see _handle_kind), None if some link is
    unknown. finalized: the first finalized type on the way (the owner's own type, or
    one reached through a pointer or an embedded pointer), and selector: the field of
    that type the chain goes through.
    """

    kind: bool | None
    finalized: str | None = None
    selector: str | None = None


def _resolve(
    owner_type: str, fields: tuple[str, ...], types: Mapping[str, Node], owners: dict[str, _Evidence]
) -> _Chain:
    name = goscope.base_type_name(owner_type)
    finalized, selector = (name, fields[0]) if name in owners else (None, None)
    t = owner_type
    for i, selector_i in enumerate(fields):
        found = _field(goscope.base_type_name(t), selector_i, types, owners)
        if found is None:
            return _Chain(None, finalized, selector)
        t, via = found
        if finalized is None and via is not None:
            finalized, selector = via, selector_i
        base = goscope.base_type_name(t)
        if finalized is None and t.lstrip().startswith("*") and base in owners and i + 1 < len(fields):
            finalized, selector = base, fields[i + 1]
    return _Chain(_handle_kind(t, types), finalized, selector)


def _field(
    type_name: str | None,
    selector: str,
    types: Mapping[str, Node],
    owners: dict[str, _Evidence],
    depth: int = 0,
) -> tuple[str, str | None] | None:
    """(type of field selector of struct type_name, the finalized type it was promoted
    from through an embedded pointer, if any); None if unknown."""
    decl = types.get(type_name) if type_name else None
    if decl is None or decl.type != "struct_type" or depth > 3:
        return None
    named = goscope.struct_fields(decl)
    if selector in named:
        return named[selector], None
    embedded_types = goscope.embedded_fields(decl)
    for embedded in embedded_types:
        if goscope.base_type_name(embedded) == selector:
            return embedded, None
    for embedded in embedded_types:
        inner = goscope.base_type_name(embedded)
        found = _field(inner, selector, types, owners, depth + 1)
        if found is not None:
            via = inner if embedded.lstrip().startswith("*") and inner in owners else None
            return found[0], found[1] or via
    return None


def _classify(
    f: FileContext,
    pkg: PackageContext,
    call: Node,
    func_name: str,
    arg: Node,
    owned: tuple[str, tuple[str, ...]],
    finalized: Callable[[], dict[str, _Evidence]],
    released: Callable[[], set[tuple[str, str]]],
    types: Mapping[str, Node],
) -> _Site | None:
    """The site for owner.fields passed as arg to C.func_name, or None if nothing is at risk."""
    owner, fields = owned
    if _RELEASE.search(func_name):
        return None  # releasing the handle: KeepAlive is no cure if a finalizer releases it too
    if not goscope.declared_locally(owner, call):
        return None  # a package-level variable stays reachable: nothing can finalize it
    owner_type = goscope.local_type(owner, call, f, pkg)
    if owner_type and owner_type.lstrip("*").startswith("C."):
        return None
    type_name = goscope.base_type_name(owner_type)
    decl = types.get(type_name) if type_name else None
    if decl is not None and decl.type != "struct_type":
        return None
    owners = finalized()
    stmt = golines.statement_of(call)
    if decl is None:
        if type_name or owner_type is not None:
            return None  # a type of another package, or not a named type
        plausible = sorted(t for t, ev in owners.items() if ev.fields is None or fields[0] in ev.fields)
        if not plausible:
            return None
        reason = (
            f"the type of {owner} could not be determined (the package finalizes "
            f"{', '.join(plausible)}, with a field {fields[0]}), so this is a suggestion"
        )
        return _Site(f, call, func_name, arg, owner, stmt, Safety.UNSAFE, reason)
    chain = _resolve(owner_type or "", fields, types, owners)
    if chain.kind is False:
        return None
    copy = not (owner_type or "").startswith("*")
    if chain.finalized:
        ev = owners[chain.finalized]
        if ev.fields is not None and chain.selector not in ev.fields:
            return None  # its finalizer does not release what the call receives
        if ev.fields is None:
            reason = (
                f"the package registers a finalizer for {chain.finalized} ({ev.where}) that gomapfix "
                "cannot follow, so this is a suggestion"
            )
        else:
            reason = (
                f"the package registers a finalizer for {chain.finalized} ({ev.where}) "
                f"that releases its field {chain.selector}"
            )
        safety = Safety.SAFE if chain.kind is True and ev.fields is not None else Safety.UNSAFE
    elif chain.kind is True and not copy:
        reason = f"no finalizer or cleanup for {type_name} was found in this package, so this is a suggestion"
        if (type_name, fields[0]) in released():
            reason = (
                f"{type_name}.{fields[0]} is released by a C call elsewhere in the package, but no finalizer "
                f"or cleanup for {type_name} was found, so this is a suggestion"
            )
        safety = Safety.UNSAFE
    else:
        return None
    if not copy:
        return _Site(f, call, func_name, arg, owner, stmt, safety, reason)
    reason = (
        f"{owner} is a copy of a {type_name} value, so runtime.KeepAlive({owner}) would not help: "
        f"keep that *{type_name} alive in the caller, or use a pointer"
    )
    subject = f"the *{type_name} that {owner} was copied from"
    return _Site(f, call, func_name, arg, owner, stmt, safety, reason, False, subject)


# -- placement ---------------------------------------------------------------

_SIMPLE = frozenset(
    {
        "expression_statement",
        "assignment_statement",
        "short_var_declaration",
        "inc_statement",
        "dec_statement",
        "send_statement",
        "var_declaration",
    }
)


@dataclass(frozen=True)
class _Keeper:
    """A runtime.KeepAlive(owner) statement, present or planned.

    offset is where it executes in source order (for a planned one, where it
    will be inserted); stmt_list is the statement list holding it.
    """

    func: Node
    owner: str
    offset: int
    stmt_list: Node
    is_defer: bool


@dataclass
class _Placement:
    """One insertion of KeepAlive statements at one point, shared by the owners it serves.

    how: "after" (after statement anchor), "expand" (after statement `index` of the
    one-line block anchor), "first" (top of the function body anchor) or "before"
    (before statement anchor). offset and stmt_list locate the inserted statements
    as a _Keeper does.
    """

    how: str
    anchor: Node
    index: int
    defer: bool
    where: str
    func: Node
    offset: int
    stmt_list: Node
    owners: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.how, self.anchor.id, self.index)

    def keeper(self, owner: str) -> _Keeper:
        return _Keeper(self.func, owner, self.offset, self.stmt_list, self.defer)

    def line(self, qualified: str, owner: str) -> str:
        return f"{'defer ' if self.defer else ''}{qualified}({owner})"

    def edit(self, f: FileContext, qualified: str) -> Edit | None:
        lines = [self.line(qualified, o) for o in self.owners]
        if self.how == "after":
            return golines.insert_after(f, self.anchor, lines)
        if self.how == "before":
            return golines.insert_before(f, self.anchor, lines)
        if self.how == "expand":
            return golines.expand_block(f, self.anchor, {self.index: lines})
        return golines.insert_first(f, self.anchor, lines) or golines.expand_block(f, self.anchor, {}, lines)


def _core(stmt: Node) -> Node:
    while stmt.type == "labeled_statement" and stmt.named_children:
        stmt = stmt.named_children[-1]
    return stmt


def _is_deferred(site: _Site) -> bool:
    """True when the C call itself is deferred (`defer C.f(w.c)`): it runs at function exit."""
    if site.stmt is None:
        return False
    core = _core(site.stmt)
    return core.type == "defer_statement" and any(c.id == site.call.id for c in core.named_children)


def _nesting(call: Node) -> list[tuple[Node, Node]]:
    """(statement list, statement of that list holding call), innermost first, within call's function."""
    out = []
    node = call
    while node.parent is not None and node.type not in syntax.FUNCTION_TYPES:
        if node.parent.type == "statement_list":
            out.append((node.parent, node))
        node = node.parent
    return out


def _existing_keepers(func: Node, f: FileContext, rt: str | None, owner: str) -> list[_Keeper]:
    """What already keeps owner alive in func (outside nested function literals):

    - `runtime.KeepAlive(owner)`, deferred or not;
    - a deferred call that holds owner itself (`defer w.Close()`, `defer f(w)`, a deferred
      function literal that refers to w) until the function returns; `defer C.f(w.c)` does not;
    - a later use of owner whose value the program needs: a field access `owner.f`
      (not in an assignment to the blank identifier), owner passed to a call, or returned.
      Such a use after the call keeps owner reachable during the call, as KeepAlive would.
    """
    body = func.child_by_field_name("body")
    if body is None:
        return []
    want = f"{rt}.KeepAlive({owner})" if rt else f"KeepAlive({owner})"
    out = []
    for n in syntax.named_walk(body, prune=frozenset({"func_literal"})):
        if n.type == "defer_statement" and n.parent is not None:
            if _defer_holds(n, owner):
                out.append(_Keeper(func, owner, n.start_byte, n.parent, True))
        elif n.type == "expression_statement" and rt is not None and n.parent is not None:
            call = n.named_children[0] if n.named_children else None
            if call is not None and call.type == "call_expression" and f.text(call).replace(" ", "") == want:
                out.append(_Keeper(func, owner, n.start_byte, n.parent, False))
        elif n.type == "identifier" and f.text(n) == owner and _needed_use(n):
            stmt = golines.statement_of(n)
            if stmt is not None and stmt.parent is not None and _core(stmt).type != "defer_statement":
                out.append(_Keeper(func, owner, n.start_byte, stmt.parent, False))
    return out


def _defer_holds(stmt: Node, owner: str) -> bool:
    """True if the deferred call of a defer statement keeps owner itself: as its receiver
    (`defer w.Close()`), as an argument (`defer f(w)`), or captured by a function literal."""
    call = next((c for c in stmt.named_children if c.type == "call_expression"), None)
    if call is None:
        return False
    fn = call.child_by_field_name("function")
    args = call.child_by_field_name("arguments")
    if fn is not None and fn.type == "selector_expression":
        operand = fn.child_by_field_name("operand")
        if operand is not None and syntax.text(syntax.unparen(operand)) == owner:
            return True
    if args is not None and any(syntax.text(syntax.unparen(a)) == owner for a in args.named_children):
        return True
    return any(
        lit.type == "func_literal"
        and any(i.type == "identifier" and syntax.text(i) == owner for i in syntax.named_walk(lit))
        for lit in syntax.named_walk(call)
    )


def _needed_use(ident: Node) -> bool:
    """True if this occurrence of an owner identifier is a use the compiler must keep."""
    parent = ident.parent
    if parent is None:
        return False
    if parent.type == "selector_expression" and parent.child_by_field_name("operand") == ident:
        stmt = parent
        while stmt.parent is not None and stmt.parent.type not in ("statement_list", "block"):
            stmt = stmt.parent
        if stmt.type == "assignment_statement":
            left = stmt.child_by_field_name("left")
            if left is not None and all(syntax.text(c) == "_" for c in left.named_children):
                return False  # `_ = w.f` may be compiled away
        return True
    return parent.type == "argument_list" or (
        parent.type == "expression_list"
        and parent.parent is not None
        and parent.parent.type == "return_statement"
    )


def _keeps(k: _Keeper, site: _Site) -> bool:
    """True if keeper k keeps site's owner alive across its call.

    A KeepAlive keeps the owner alive at the call when some path leads from the
    call to it: it follows the call's statement in an enclosing statement list, or
    it sits after a call made in the header of an if/for/switch. A deferred
    KeepAlive keeps it alive from the moment it is registered until the function
    returns, so one registered before the call's statement in an enclosing
    list also counts. Either way the owner must not be reassigned in between.
    A deferred C call runs at function exit: only an earlier deferred KeepAlive counts.
    """
    func = syntax.enclosing_function(site.call)
    if func is None or k.func.id != func.id or k.owner != site.owner:
        return False
    body = func.child_by_field_name("body")
    assert body is not None
    call = site.call
    nesting = _nesting(call)
    deferred = _is_deferred(site)
    for stmt_list, stmt in nesting:
        if k.is_defer and k.stmt_list.id == stmt_list.id and k.offset <= stmt.start_byte:
            return not goscope.assigns_to(site.owner, body, k.offset, call.start_byte)
        if deferred:
            continue
        within = stmt_list.start_byte <= k.offset <= stmt_list.end_byte
        if within and k.offset >= stmt.end_byte:
            return not goscope.assigns_to(site.owner, body, call.end_byte, k.offset)
    if nesting and not deferred:
        # A call in the header of an if/for/switch reaches every block of the statement.
        _, stmt = nesting[0]
        inside = call.end_byte <= k.stmt_list.start_byte and k.stmt_list.end_byte <= stmt.end_byte
        if inside and _core(stmt).type not in _SIMPLE:
            return not goscope.assigns_to(site.owner, body, call.end_byte, k.offset)
    return False


def _in_loop(stmt: Node, func: Node) -> bool:
    node = stmt.parent
    while node is not None and node != func:
        if node.type == "for_statement":
            return True
        node = node.parent
    return False


def _placement(site: _Site) -> _Placement | str:
    """Where to keep site's owner alive on a path after the call; or, when no place is
    certain, the reason why not. The returned placement serves site.owner only so far."""
    f, stmt = site.file, site.stmt
    func = syntax.enclosing_function(site.call)
    body = func.child_by_field_name("body") if func is not None else None
    if stmt is None or func is None or body is None or stmt.parent is None:
        return "the call is not inside a function body"
    core = _core(stmt)
    placed: _Placement | str
    if core.type in _SIMPLE:
        placed = _after(site, func, stmt)
    elif core.type == "defer_statement":
        if not _is_deferred(site) and goscope.assigns_to(site.owner, stmt):
            return f"{site.owner} is assigned inside the defer statement"
        placed = _Placement(
            "before", stmt, 0, True, "before the deferred call", func, stmt.start_byte, stmt.parent
        )
    elif core.type == "go_statement":
        return "the C call is the go statement itself, which runs in another goroutine"
    elif _top_of_function(site, func, body):
        stmts = next(c for c in body.named_children if c.type == "statement_list")
        placed = _Placement(
            "first", body, 0, True, "at the top of the function", func, stmts.start_byte, stmts
        )
    elif goscope.assigns_to(site.owner, stmt):
        return f"{site.owner} is declared or assigned by the statement that makes the call"
    elif core.type != "return_statement" and _in_loop(stmt, func):
        return "a deferred KeepAlive inside a loop would pile up one call per iteration"
    else:
        placed = _Placement(
            "before", stmt, 0, True, "before the statement", func, stmt.start_byte, stmt.parent
        )
    if isinstance(placed, _Placement):
        placed.owners.append(site.owner)
        if placed.edit(f, "runtime.KeepAlive") is None:
            return "the code around the call is laid out in a way gomapfix does not rewrite"
    return placed


def _top_of_function(site: _Site, func: Node, body: Node) -> bool:
    """True when a defer at the top of the function keeps the owner alive for every call:
    the owner is a parameter or the receiver, never assigned in the function."""
    return (
        any(c.type == "statement_list" for c in body.named_children)
        and site.owner in goscope.parameter_types(func)
        and not goscope.assigns_to(site.owner, body)
    )


def _after(site: _Site, func: Node, stmt: Node) -> _Placement | str:
    """After the simple statement stmt; past a block of trailing comments that gofmt
    aligns together, which a line without a comment would split."""
    f, target = site.file, stmt
    while True:
        if golines.alone_on_lines(f, target):
            placed = _Placement(
                "after", target, 0, False, "after the call", func, target.end_byte, target.parent
            )
        elif target is stmt and stmt.parent.parent is not None and stmt.parent.parent.type == "block":
            index = [c.id for c in stmt.parent.named_children].index(stmt.id)
            placed = _Placement(
                "expand", stmt.parent.parent, index, False, "after the call", func, stmt.end_byte, stmt.parent
            )
        else:
            break
        placed.owners.append(site.owner)
        if placed.edit(f, "runtime.KeepAlive") is not None:
            placed.owners.clear()
            return placed
        nxt = target.next_named_sibling
        while (
            nxt is not None
            and nxt.type == "comment"
            and f.line_index(nxt.start_byte) == f.line_index(target.end_byte)
        ):
            nxt = nxt.next_named_sibling  # target's own trailing comment
        if nxt is None or not _falls_through(nxt) or goscope.assigns_to(site.owner, nxt):
            break
        target = nxt
    return "the statement is laid out in a way gomapfix does not rewrite"


def _falls_through(stmt: Node) -> bool:
    """True for a simple statement after which control continues (not panic(...))."""
    core = _core(stmt)
    if core.type not in _SIMPLE:
        return False
    call = core.named_children[0] if core.type == "expression_statement" and core.named_children else None
    fn = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    return fn is None or syntax.text(fn) != "panic"


def _shadowed(name: str, site: _Site) -> bool:
    """True if name (the package qualifier to use) is declared locally where the call is."""
    return bool(name) and goscope.declared_locally(name, site.call, anywhere=True)


def _pending(f: FileContext, sites: list[_Site]) -> list[_Site]:
    """The sites that nothing in their function keeps the owner alive for yet."""
    rt = f.import_name("runtime")
    existing: dict[tuple[int, str], list[_Keeper]] = {}
    out = []
    for s in sites:
        func = syntax.enclosing_function(s.call)
        if func is None:
            continue
        key = (func.id, s.owner)
        if key not in existing:
            existing[key] = _existing_keepers(func, f, rt, s.owner)
        if not any(_keeps(k, s) for k in existing[key]):
            out.append(s)
    return out


def _plan(sites: list[_Site], package: str) -> list[_Placement | str]:
    """A placement (or the reason there is none) for each site.

    One KeepAlive serves every call it covers; KeepAlives for several owners at
    one point share one insertion, in the order the owners are met. Deferred
    KeepAlives are planned first, since one may also cover plain calls around it.
    """
    out: list[_Placement | str] = [""] * len(sites)
    planned: dict[tuple[str, int, int], _Placement] = {}
    by_owner: dict[tuple[int, str], list[_Placement]] = {}  # (function id, owner) -> placements
    same_list: dict[int, list[_Site]] = {}  # statement list id -> its sites, in order
    for site in sites:
        if site.stmt is not None and site.stmt.parent is not None:
            same_list.setdefault(site.stmt.parent.id, []).append(site)
    for i in sorted(range(len(sites)), key=lambda i: _simple(sites[i])):
        site = sites[i]
        func = syntax.enclosing_function(site.call)
        if not site.fixable or func is None:
            continue
        if package and _shadowed(package, site):
            out[i] = f"{package} is declared locally here, hiding the runtime package"
            continue
        mine = by_owner.setdefault((func.id, site.owner), [])
        cover = next((p for p in mine if _keeps(p.keeper(site.owner), site)), None)
        if cover is None:
            neighbours = same_list.get(site.stmt.parent.id, []) if site.stmt and site.stmt.parent else []
            placed = _placement(_run_end(site, neighbours))
            if isinstance(placed, str):
                out[i] = placed
                continue
            cover = planned.setdefault(placed.key, placed)
            if site.owner not in cover.owners:
                cover.owners.append(site.owner)
            mine.append(cover)
        out[i] = cover
    return out


def _simple(site: _Site) -> bool:
    return site.stmt is not None and _core(site.stmt).type in _SIMPLE


def _findings(f: FileContext, pkg: PackageContext, sites: list[_Site]) -> Iterable[Finding]:
    pending = _pending(f, sites)
    if not pending:
        return
    plan = plan_imports(f, pkg, ["runtime"])
    qualified = plan.qualify("runtime", "KeepAlive")
    for site, placed in zip(pending, _plan(pending, plan.names["runtime"]), strict=True):
        msg = (
            f"{site.subject or site.owner} may be finalized while C.{site.func_name} runs: "
            f"the call receives only {f.text(site.arg)}, which does not keep it alive; {site.reason}"
        )
        fixes: list[Fix] = []
        edit = placed.edit(f, qualified) if isinstance(placed, _Placement) else None
        if isinstance(placed, _Placement) and edit is not None:
            message = f"{placed.line(qualified, site.owner)} {placed.where}"
            if placed.how in ("after", "expand"):
                message = f"insert {message}"
            fixes.append(Fix(message, (edit, *plan.edits), site.safety))
        elif isinstance(placed, str) and placed:
            msg += (
                f". Add runtime.KeepAlive({site.owner}) on a path after the call (no automatic fix: {placed})"
            )
        yield finding("keepalive", f, site.call, msg, fixes)


def _run_end(site: _Site, neighbours: list[_Site]) -> _Site:
    """The last simple-statement site from site on among its neighbours (the sites of its
    statement list, in order) on the same owner, with no reassignment of the owner in
    between: one KeepAlive after it covers them all."""
    if site.stmt is None or not _simple(site):
        return site
    last = site
    for other in neighbours:
        if other.call.start_byte <= site.call.start_byte or other.owner != site.owner:
            continue
        if other.safety != site.safety or not other.fixable or not _simple(other):
            continue
        if goscope.assigns_to(site.owner, site.stmt.parent, last.stmt.end_byte, other.stmt.start_byte):  # type: ignore[union-attr]
            break
        last = other
    return last


TRANSFORM = KeepAlive()
"""The rule's transform, as the registry (transforms.PACKAGES) lists it."""
