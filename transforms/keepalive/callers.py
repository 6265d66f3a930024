"""Owners kept alive by every caller: an unexported function's receiver or parameter.

`func (f *filter) addRule(...) { C.add(f.ctx, ...) }` passes only f.ctx to C, but
when addRule is unexported and each of its calls keeps its f alive past the call (a
`defer f.mu.Unlock()` registered before it, a later use, a KeepAlive), f cannot be
collected while C runs. A caller that passes on a receiver or parameter of its own keeps it
alive when its own callers do (followed up to MAX_LEVELS levels: `compress(cctx)` calling
`compressInternal(cctx)`, with compress's caller putting cctx back into a pool afterwards).
Only direct calls are followed: a function used as a value
(passed, stored, a method value) may be called from anywhere, and so may an
exported one.
"""

from __future__ import annotations

from tree_sitter import Node

from codemod import golines, syntax
from codemod.context import FileContext, PackageContext
from codemod.model import Safety
from gofacts import scope
from gofacts.signatures import first_parameter, parameter_names, receiver_name
from gofacts.types import PackageTypes
from transforms.keepalive.evidence import is_finalizer_call
from transforms.keepalive.owners import Site
from transforms.keepalive.placement import existing_keepers, keeps

MAX_LEVELS = 3


"""How many levels of callers kept_by_callers follows a variable passed on through."""


def kept_by_callers(site: Site, pkg: PackageContext, types: PackageTypes) -> bool:
    """True when site's owner is the receiver or a parameter of an unexported function whose
    every call keeps the argument alive after it (see the module doc)."""
    return _callers_keep(syntax.enclosing_function(site.call), site.owner, pkg, types, 1)


def _callers_keep(
    func: Node | None, owner: str, pkg: PackageContext, types: PackageTypes, level: int
) -> bool:
    """Whether owner, func's receiver or parameter, lives past every call of func."""
    if func is None or func.type == "func_literal" or level > MAX_LEVELS:
        return False
    name_node = func.child_by_field_name("name")
    body = func.child_by_field_name("body")
    if name_node is None or body is None:
        return False
    name = syntax.text(name_node)
    if not name or name[0].isupper() or scope.assigns_to(owner, body):
        return False
    if func.type == "method_declaration" and receiver_name(func) == owner:
        position = -1
    elif owner in parameter_names(func):
        position = parameter_names(func).index(owner)
    else:
        return False
    calls = _calls(pkg, name, func.type == "method_declaration")
    if not calls:
        return False
    for f, call in calls:
        arg = _argument(call, position)
        if arg is None:
            return False
        if _kept_at(f, call, arg, types):
            continue
        caller = syntax.enclosing_function(call)
        if arg.type != "identifier" or caller == func:
            return False
        if not _callers_keep(caller, syntax.text(arg), pkg, types, level + 1):
            return False
    return True


def _calls(pkg: PackageContext, name: str, method: bool) -> list[tuple[FileContext, Node]] | None:
    """Every call of the package's function (or method) name; None when name is also used
    otherwise (a function value), or a use cannot be told."""
    return pkg.derived(f"keepalive.calls.{method}.{name}", lambda: _find_calls(pkg, name, method))


def _find_calls(pkg: PackageContext, name: str, method: bool) -> list[tuple[FileContext, Node]] | None:
    out: list[tuple[FileContext, Node]] = []
    for f in pkg.files_with(name.encode()):
        for n in f.leaves_spelled(name):
            if n.type not in ("identifier", "field_identifier"):
                continue
            parent = n.parent
            if parent is None or parent.type in ("function_declaration", "method_declaration"):
                continue
            target = parent if parent.type == "selector_expression" else n
            if method != (parent.type == "selector_expression"):
                continue
            if method and _names_package(parent, f):
                continue  # C.name(...), pkg.name(...): not this method
            call = target.parent
            if (
                call is None
                or call.type != "call_expression"
                or call.child_by_field_name("function") != target
            ):
                return None  # a function or method value
            out.append((f, call))
    return out


def _names_package(selector: Node, f: FileContext) -> bool:
    operand = selector.child_by_field_name("operand")
    if operand is None or operand.type != "identifier":
        return False
    name = syntax.text(operand)
    return (name == "C" or name in f.imported_names) and not scope.declared_locally(name, selector)


def _argument(call: Node, position: int) -> Node | None:
    if position < 0:
        fn = call.child_by_field_name("function")
        operand = fn.child_by_field_name("operand") if fn is not None else None
        return syntax.unparen(operand) if operand is not None else None
    args = call.child_by_field_name("arguments")
    given = [a for a in args.named_children if a.type != "comment"] if args is not None else []
    return syntax.unparen(given[position]) if position < len(given) else None


def _kept_at(f: FileContext, call: Node, arg: Node, types: PackageTypes) -> bool:
    """Whether the variable arg keeps living past call in its function: a package-level
    variable, a local kept alive after the call, the object a finalizer runs on (inside the
    finalizer it stays reachable), or a field of a variable that is kept alive (`info.m`, with
    info used after the call: the object stays reachable from info while the call runs)."""
    if arg.type == "selector_expression":
        operand = arg.child_by_field_name("operand")
        return operand is not None and _kept_at(f, call, syntax.unparen(operand), types)
    if arg.type != "identifier":
        return False
    name = syntax.text(arg)
    if _finalized_here(call, name):
        return True
    if not scope.declared_locally(name, call):
        return True  # a package-level variable is always reachable
    func = syntax.enclosing_function(call)
    if func is None:
        return False
    stmt = golines.statement_of(call)
    probe = Site(f, call, "", arg, name, stmt, Safety.SAFE, "")
    rt = f.import_name("runtime")
    return any(keeps(k, probe) for k in existing_keepers(func, f, rt, name, types))


def _finalized_here(call: Node, name: str) -> bool:
    """Whether call is inside the function literal given to runtime.SetFinalizer (or
    AddCleanup) and name is that literal's parameter: the object being finalized."""
    literal = syntax.enclosing_function(call)
    if literal is None or literal.type != "func_literal" or first_parameter(literal) != name:
        return False
    args = literal.parent
    registration = args.parent if args is not None and args.type == "argument_list" else None
    return registration is not None and is_finalizer_call(registration)
