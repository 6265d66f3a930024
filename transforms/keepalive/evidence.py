"""Evidence of finalization: the types a package registers a finalizer or cleanup for, and what
those release."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext, PackageContext
from gofacts.decls import Declarations
from gofacts.signatures import base_type_name, first_parameter, parameter_names, receiver_name
from gofacts.types import PackageTypes
from transforms.keepalive.cgo import (
    C_CALLS,
    RELEASE,
    c_function,
    calls_matching,
    cgo_typedefs,
    owner_of,
    strip_conversions,
)

_FINALIZER_NAMES = (b"SetFinalizer", b"AddCleanup")


_ALL_CALLS = "(call_expression) @c"


_FINALIZER_CALLS = (
    "(call_expression function: (selector_expression field: (field_identifier) @name"
    ' (#any-of? @name "SetFinalizer" "AddCleanup"))) @c'
)


@dataclass(frozen=True)
class Evidence:
    """Why a type is known to be finalized.

    where: e.g. "runtime.SetFinalizer in w.go". fields: the fields of the type its
    finalizers and cleanups use (what they release), or None when some finalizer
    could not be followed (a function value, a function of another package, the
    object handed on whole).
    """

    where: str
    fields: frozenset[str] | None


def finalized_types(pkg: PackageContext) -> dict[str, Evidence]:
    """Type name -> evidence, for the types the package registers a finalizer or cleanup for."""
    out: dict[str, Evidence] = {}
    methods = Declarations.of(pkg).callables
    for f in pkg.files_with(*_FINALIZER_NAMES):
        rt = f.import_name("runtime")
        if rt is None or b"runtime" not in f.content:
            continue
        for call in calls_matching(f.root, _FINALIZER_CALLS):
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
            out[name] = Evidence(old.where if old else f"runtime.{f.text(field)} in {f.path.name}", fields)
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
        owned = owner_of(strip_conversions(args[2], None, set()), None)
        return frozenset({owned[1][0]}) if owned and owned[0] == syntax.text(obj) else None
    fin = syntax.unparen(args[1])
    if fin.type == "func_literal":
        func: Node | None = fin
        param = first_parameter(fin)
    elif fin.type == "selector_expression":  # a method expression: (*T).close
        method = fin.child_by_field_name("field")
        func = methods.get((type_name, syntax.text(method))) if method is not None else None
        param = receiver_name(func) if func is not None else None
    else:
        func, param = None, None
    body = func.child_by_field_name("body") if func is not None else None
    if body is None or param is None:
        return None
    return fields_used(param, body, type_name, methods)


def released_by_calls(pkg: PackageContext, cgo: list[FileContext]) -> set[tuple[str, str]]:
    """(type, field) pairs some function of the package (in its cgo files, cgo) passes to a
    C function that releases memory or a resource (C.free, C.foo_destroy, C.bar_close, ...)."""
    out: set[tuple[str, str]] = set()
    for f in cgo:
        typedefs = cgo_typedefs(f)
        for call in calls_matching(f.root, C_CALLS):
            name = c_function(call, f, typedefs)
            if name is None or not RELEASE.search(name):
                continue
            args = call.child_by_field_name("arguments")
            for arg in args.named_children if args is not None else ():
                owned = owner_of(strip_conversions(arg, f, typedefs), f)
                if owned is None:
                    continue
                type_name = base_type_name(PackageTypes.of(pkg).text_of(owned[0], call, f))
                if type_name:
                    out.add((type_name, owned[1][0]))
    return out


def finalizer_functions(pkg: PackageContext) -> set[tuple[str | None, str]]:
    """Functions passed by name to runtime.SetFinalizer: (type, method) for a method
    expression such as (*T).free, (None, name) for a top-level function."""
    out: set[tuple[str | None, str]] = set()
    for f in pkg.files_with(b"SetFinalizer"):
        for call in calls_matching(f.root, _ALL_CALLS):
            args = call.child_by_field_name("arguments")
            if not is_finalizer_call(call) or args is None or len(args.named_children) < 2:
                continue
            fin = syntax.unparen(args.named_children[1])
            if fin.type == "identifier":
                out.add((None, syntax.text(fin)))
            elif fin.type == "selector_expression":
                operand, field = fin.child_by_field_name("operand"), fin.child_by_field_name("field")
                name = base_type_name(syntax.text(syntax.unparen(operand))) if operand else None
                if name and field is not None:
                    out.add((name, syntax.text(field)))
    return out


def is_finalizer_call(call: Node) -> bool:
    """True for a call of runtime.SetFinalizer or runtime.AddCleanup (however runtime is named)."""
    fn = call.child_by_field_name("function")
    return fn is not None and syntax.text(fn).replace(" ", "").endswith(("SetFinalizer", "AddCleanup"))


def _finalized_type(args: list[Node], f: FileContext, pkg: PackageContext, kind: str) -> str | None:
    first = syntax.unparen(args[0])
    if first.type == "identifier":
        name = base_type_name(PackageTypes.of(pkg).text_of(f.text(first), first, f))
        if name:
            return name
    else:
        name = base_type_name(PackageTypes.of(pkg).expression_text(first, f))
        if name:
            return name
    if kind == "SetFinalizer" and len(args) > 1:
        fin = syntax.unparen(args[1])
        if fin.type == "func_literal":
            params = fin.child_by_field_name("parameters")
            if params is not None and params.named_children:
                t = params.named_children[0].child_by_field_name("type")
                return base_type_name(syntax.text(t)) if t is not None else None
        if fin.type == "selector_expression":
            operand = fin.child_by_field_name("operand")
            if operand is not None:
                return base_type_name(syntax.text(syntax.unparen(operand)))
    return None


def fields_used(
    name: str,
    body: Node,
    type_name: str,
    funcs: Mapping[tuple[str | None, str], Node],
    depth: int = 0,
) -> frozenset[str] | None:
    """The fields of variable name (of struct type type_name) that body uses, following
    calls of type_name's methods on it and of package functions it is passed to.

    None when name is used in any other way (stored, passed elsewhere, converted):
    then what body does with the object cannot be told. Uses as an argument of a
    runtime function (runtime.SetFinalizer(x, nil), runtime.KeepAlive(x)) are ignored.
    """
    out: set[str] = set()
    for n in syntax.named_walk(body):
        if n.type != "identifier" or syntax.text(n) != name:
            continue
        parent = n.parent
        if parent is None or parent.type == "parameter_declaration":
            continue
        if parent.type == "selector_expression" and parent.child_by_field_name("operand") == n:
            field = syntax.text(parent.child_by_field_name("field") or parent)
            call = parent.parent
            called = call is not None and call.type == "call_expression"
            method = funcs.get((type_name, field)) if called else None
            if method is not None and call is not None:
                inner = _followed(method, receiver_name(method), type_name, funcs, depth)
                if inner is None:
                    return None
                out |= inner
            else:
                out.add(field)
            continue
        call = parent.parent if parent.type == "argument_list" else None
        fn = call.child_by_field_name("function") if call is not None else None
        if fn is None:
            return None
        if syntax.text(fn).startswith("runtime."):
            continue
        callee = funcs.get((None, syntax.text(fn))) if fn.type == "identifier" else None
        if callee is None:
            return None
        index = [c.id for c in parent.named_children].index(n.id)
        params = parameter_names(callee)
        inner = _followed(callee, params[index] if index < len(params) else None, type_name, funcs, depth)
        if inner is None:
            return None
        out |= inner
    return frozenset(out)


def _followed(
    func: Node, name: str | None, type_name: str, funcs: Mapping[tuple[str | None, str], Node], depth: int
) -> frozenset[str] | None:
    body = func.child_by_field_name("body")
    if name is None or body is None:
        return frozenset() if name is None and body is not None else None
    if depth >= 3:
        return None
    return fields_used(name, body, type_name, funcs, depth + 1)
