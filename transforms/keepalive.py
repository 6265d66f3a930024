"""keepalive: keep an owner object alive until a C call that received only its C handle returns.

A Go object that owns C memory and releases it in a finalizer (or cleanup)
can be finalized while a C function is still using that memory, when the
call was passed only the C handle (`C.use(w.c)`): after `w.c` is loaded,
nothing may refer to `w` any more. cgo keeps the *arguments* alive for the
duration of the call, not the object they were read from. The fix is
`runtime.KeepAlive(w)` on a path after the call:

  - statement calls (`C.f(w.c)`, `r := C.f(w.c)`): on the next line;
  - `return C.f(w.c)`, calls in if/for/switch headers: `defer runtime.KeepAlive(w)`
    at the top of the function when w is a parameter or the receiver, else
    immediately before the statement (not inside a loop, where defers pile up);
  - `defer C.f(w.c)`: `defer runtime.KeepAlive(w)` before it (defers run last-in first-out);
  - inside `go func() { ... }()`: inside the goroutine, since that is where the call runs.

A run of calls on the same owner in one block is kept alive once, after the
last of them. An existing `runtime.KeepAlive(w)` after the call, or a
`defer runtime.KeepAlive(w)` before it, means there is nothing to do, so a
second run changes nothing.

The fix is safe when the package registers a finalizer or cleanup for the
owner's type (runtime.SetFinalizer / runtime.AddCleanup) and the argument is
a field of C, unsafe.Pointer or uintptr type; without that evidence it is
only suggested (unsafe). Calls passing only C values, fresh C memory or
plain Go values get no finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from tree_sitter import Node

from codemod import golines, syntax
from codemod.context import FileContext, PackageContext
from codemod.imports import plan_imports
from codemod.model import Edit, Finding, Fix, Safety
from codemod.transform import finding
from transforms import goscope

C_SCALARS = frozenset(
    (
        "char schar uchar short ushort int uint long ulong longlong ulonglong float double"
        " complexfloat complexdouble size_t ssize_t intptr_t uintptr_t ptrdiff_t _Bool bool"
    ).split()
)
# cgo helpers that copy Go values into C memory or read C memory into Go.
_GO_VALUE_COPIES = frozenset({"CString", "CBytes"})
_TYPEDEF = re.compile(rb"typedef\b[^;{]*(?:\{[^}]*\}[^;]*)?\b(\w+)\s*;")


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


class KeepAlive:
    name = "keepalive"
    summary = "keep an owner object alive after a C call that receives only its C handle"
    prefilter = ((b'"C"', b"C."),)
    default_safety = "safe"

    def run(self, pkg: PackageContext) -> Iterator[Finding]:
        owners = _finalized_types(pkg)
        finalizers = _finalizer_methods(pkg)
        types = goscope.type_declarations(pkg)
        for f in pkg.editable_files():
            if not f.is_cgo:
                continue
            sites = [s for s in _sites(f, pkg, owners, types) if not _inside_finalizer(s, finalizers)]
            yield from _findings(f, pkg, sites)


def _finalized_types(pkg: PackageContext) -> dict[str, str]:
    """Type name -> "SetFinalizer at file:line" for types the package finalizes."""
    out: dict[str, str] = {}
    for f in pkg.files:
        rt = f.import_name("runtime")
        if rt is None or b"runtime" not in f.content:
            continue
        for call in _calls(f.root):
            fn = call.child_by_field_name("function")
            if fn is None or fn.type != "selector_expression":
                continue
            operand, field = fn.child_by_field_name("operand"), fn.child_by_field_name("field")
            if operand is None or field is None or f.text(field) not in ("SetFinalizer", "AddCleanup"):
                continue
            if (rt == "" and operand is not None) or (rt and f.text(operand) != rt):
                continue
            args = call.child_by_field_name("arguments")
            if args is None or not args.named_children:
                continue
            name = _finalized_type(args.named_children, f, pkg, f.text(field))
            if name:
                out.setdefault(name, f"runtime.{f.text(field)} in {f.path.name}")
    return out


def _finalizer_methods(pkg: PackageContext) -> set[tuple[str, str]]:
    """(type, method) pairs passed as method expressions to runtime.SetFinalizer: (*T).free."""
    out: set[tuple[str, str]] = set()
    for f in pkg.files:
        if b"SetFinalizer" not in f.content:
            continue
        for call in _calls(f.root):
            args = call.child_by_field_name("arguments")
            if not f.text(call).replace(" ", "").split("(", 1)[0].endswith("SetFinalizer") or args is None:
                continue
            if len(args.named_children) == 2 and args.named_children[1].type == "selector_expression":
                sel = args.named_children[1]
                operand, field = sel.child_by_field_name("operand"), sel.child_by_field_name("field")
                name = (
                    goscope.base_type_name(syntax.text(syntax.unparen(operand)))
                    if operand is not None
                    else None
                )
                if name and field is not None:
                    out.add((name, syntax.text(field)))
    return out


def _inside_finalizer(site: _Site, finalizers: set[tuple[str, str]]) -> bool:
    """True if the call runs inside the finalizer itself, where the object is already being freed."""
    func = syntax.enclosing_function(site.call)
    while func is not None:
        if func.type == "func_literal":
            parent = func.parent
            call = parent.parent if parent is not None else None
            if (
                call is not None
                and call.type == "call_expression"
                and site.file.text(call).split("(", 1)[0].endswith("SetFinalizer")
            ):
                return True
        elif func.type == "method_declaration":
            receiver = goscope.parameter_types(func)
            name = func.child_by_field_name("name")
            recv_types = {goscope.base_type_name(t) for t in receiver.values()}
            if name is not None and any((t, syntax.text(name)) in finalizers for t in recv_types if t):
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


def _calls(root: Node) -> Iterator[Node]:
    return (n for n in syntax.walk(root) if n.type == "call_expression")


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


def _strip_conversions(arg: Node, f: FileContext, typedefs: set[str]) -> Node:
    """(*C.char)(x), unsafe.Pointer(x), uintptr(x), C.size_t(x) -> x."""
    unsafe_name = f.import_name("unsafe")
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
            conversion = f.text(fn) in ("uintptr",)
        elif fn.type == "selector_expression":
            operand, field = fn.child_by_field_name("operand"), fn.child_by_field_name("field")
            if operand is not None and field is not None:
                qual, member = f.text(operand), f.text(field)
                conversion = (qual == unsafe_name and member == "Pointer") or (
                    qual == "C" and _is_c_type_name(member, typedefs)
                )
        if not conversion:
            return arg
        arg = args.named_children[0]


def _owner_of(expr: Node, f: FileContext) -> tuple[str, str] | None:
    """For a selector chain w.a.b, (w, a); None for anything else."""
    if expr.type != "selector_expression":
        return None
    chain = expr
    first_field = None
    while chain.type == "selector_expression":
        field = chain.child_by_field_name("field")
        first_field = f.text(field) if field is not None else None
        operand = chain.child_by_field_name("operand")
        if operand is None:
            return None
        chain = operand
    if chain.type != "identifier" or first_field is None:
        return None
    name = f.text(chain)
    if name == "C" or name in f.imported_names or name == "_":
        return None
    return name, first_field


def _handle_kind(type_text: str, types: dict[str, Node], depth: int = 0) -> bool | None:
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
    f: FileContext, pkg: PackageContext, owners: dict[str, str], types: dict[str, Node]
) -> Iterator[_Site]:
    typedefs = _cgo_typedefs(f)
    for call in _calls(f.root):
        func_name = _c_function(call, f, typedefs)
        if func_name is None:
            continue
        args = call.child_by_field_name("arguments")
        for arg in args.named_children if args is not None else ():
            owned = _owner_of(_strip_conversions(arg, f, typedefs), f)
            if owned is None:
                continue
            owner, field = owned
            site = _classify(f, pkg, call, func_name, arg, owner, field, owners, types)
            if site is not None:
                yield site
                break


def _classify(
    f: FileContext,
    pkg: PackageContext,
    call: Node,
    func_name: str,
    arg: Node,
    owner: str,
    field: str,
    owners: dict[str, str],
    types: dict[str, Node],
) -> _Site | None:
    owner_type = goscope.local_type(owner, call, f, pkg)
    if owner_type and owner_type.lstrip("*").startswith("C."):
        return None
    type_name = goscope.base_type_name(owner_type)
    kind: bool | None = None
    if type_name and type_name in types:
        decl = types[type_name]
        if decl.type != "struct_type":
            return None
        fields = goscope.struct_fields(decl)
        if field in fields:
            kind = _handle_kind(fields[field], types)
            if kind is False:
                return None
    stmt = golines.statement_of(call)
    if type_name and type_name in owners and kind is not False:
        reason = f"the package registers a finalizer for {type_name} ({owners[type_name]})"
        safety = Safety.SAFE if kind is True else Safety.UNSAFE
    elif type_name and kind is True:
        reason = f"no finalizer or cleanup for {type_name} was found in this package, so this is a suggestion"
        safety = Safety.UNSAFE
    elif not type_name and owner_type is None and owners:
        reason = f"the type of {owner} could not be determined, so this is a suggestion"
        safety = Safety.UNSAFE
    else:
        return None
    return _Site(f, call, func_name, arg, owner, stmt, safety, reason)


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


def _core(stmt: Node) -> Node:
    while stmt.type == "labeled_statement" and stmt.named_children:
        stmt = stmt.named_children[-1]
    return stmt


def _keepalive_calls(func_body: Node, f: FileContext, rt: str | None, owner: str) -> list[tuple[Node, bool]]:
    """(statement, is_defer) for every `runtime.KeepAlive(owner)` in a function body."""
    if rt is None:
        return []
    want = f"{rt}.KeepAlive({owner})" if rt else f"KeepAlive({owner})"
    out = []
    for n in syntax.named_walk(func_body, prune=frozenset({"func_literal"})):
        if n.type in ("expression_statement", "defer_statement"):
            call = n.named_children[0] if n.named_children else None
            if call is not None and call.type == "call_expression" and f.text(call).replace(" ", "") == want:
                out.append((n, n.type == "defer_statement"))
    return out


def _covered(site: _Site, rt: str | None) -> bool:
    func = syntax.enclosing_function(site.call)
    body = func.child_by_field_name("body") if func is not None else None
    if body is None:
        return False
    for stmt, is_defer in _keepalive_calls(body, site.file, rt, site.owner):
        if stmt.start_byte > site.call.end_byte:
            if not goscope.assigns_to(site.owner, body, site.call.end_byte, stmt.start_byte):
                return True
        elif is_defer and not goscope.assigns_to(site.owner, body, stmt.end_byte, site.call.start_byte):
            return True
    return False


def _in_loop(stmt: Node, func: Node) -> bool:
    node = stmt.parent
    while node is not None and node != func:
        if node.type == "for_statement":
            return True
        node = node.parent
    return False


def _placement(site: _Site, ka: str) -> tuple[str, Edit] | None:
    """(fix message, edit) placing `ka` (e.g. runtime.KeepAlive(w)) on a path after the call."""
    f, stmt = site.file, site.stmt
    if stmt is None:
        return None
    core = _core(stmt)
    if core.type in _SIMPLE:
        edit = golines.insert_after(f, stmt, ka)
        if edit is None and stmt.parent is not None and stmt.parent.parent is not None:
            block = stmt.parent.parent
            index = [c.id for c in stmt.parent.named_children].index(stmt.id)
            edit = golines.expand_block(f, block, {index: ka}) if block.type == "block" else None
        return (f"insert {ka} after the call", edit) if edit is not None else None
    if core.type == "go_statement":
        return None
    if core.type == "defer_statement":
        edit = golines.insert_before(f, stmt, f"defer {ka}")
        return (f"defer {ka} before the deferred call", edit) if edit is not None else None
    func = syntax.enclosing_function(stmt)
    body = func.child_by_field_name("body") if func is not None else None
    if func is None or body is None:
        return None
    if site.owner in goscope.parameter_types(func) and not goscope.assigns_to(site.owner, body):
        edit = golines.insert_first(f, body, f"defer {ka}") or golines.expand_block(
            f, body, {}, f"defer {ka}"
        )
        return (f"defer {ka} at the top of the function", edit) if edit is not None else None
    if core.type == "return_statement" or not _in_loop(stmt, func):
        edit = golines.insert_before(f, stmt, f"defer {ka}")
        return (f"defer {ka} before the statement", edit) if edit is not None else None
    return None


def _findings(f: FileContext, pkg: PackageContext, sites: list[_Site]) -> Iterable[Finding]:
    rt_existing = f.import_name("runtime")
    pending = [s for s in sites if not _covered(s, rt_existing)]
    if not pending:
        return
    plan = plan_imports(f, pkg, ["runtime"])
    for i, site in enumerate(pending):
        ka = f"{plan.qualify('runtime', 'KeepAlive')}({site.owner})"
        target = _run_end(pending, i)
        placed = _placement(target, ka)
        fixes: list[Fix] = []
        if placed is not None:
            message, edit = placed
            fixes.append(Fix(message, (edit, *plan.edits), site.safety))
        arg = f.text(site.arg)
        msg = (
            f"{site.owner} may be finalized while C.{site.func_name} runs: the call receives only "
            f"{arg}, which does not keep {site.owner} alive; {site.reason}"
        )
        if placed is None:
            msg += f". Add runtime.KeepAlive({site.owner}) on a path after the call"
        yield finding("keepalive", f, site.call, msg, fixes)


def _run_end(sites: list[_Site], i: int) -> _Site:
    """The last site after sites[i] in the same statement list, on the same owner,
    with no reassignment of the owner in between: one KeepAlive after it covers all."""
    site = sites[i]
    if site.stmt is None or _core(site.stmt).type not in _SIMPLE:
        return site
    last = site
    for other in sites[i + 1 :]:
        if other.stmt is None or other.owner != site.owner or other.stmt.parent != site.stmt.parent:
            continue
        if other.safety != site.safety:
            continue
        scope = site.stmt.parent
        if goscope.assigns_to(site.owner, scope, last.stmt.end_byte, other.stmt.start_byte):  # type: ignore[union-attr]
            break
        last = other
    return last
