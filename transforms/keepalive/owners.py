"""The C calls at risk: each call passing a C handle read from an owner that may be finalized during it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from tree_sitter import Node

from codemod import golines, syntax
from codemod.context import FileContext, PackageContext
from codemod.model import Safety
from gofacts import scope
from gofacts.signatures import base_type_name, embedded_fields, parameter_types, struct_fields
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
from transforms.keepalive.evidence import Evidence, is_finalizer_call


@dataclass(frozen=True)
class Site:
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


def inside_finalizer(site: Site, finalizers: set[tuple[str | None, str]]) -> bool:
    """True if the call runs inside a finalizer, where the object is already being released."""
    func = syntax.enclosing_function(site.call)
    while func is not None:
        name = func.child_by_field_name("name")
        if func.type == "func_literal":
            args = func.parent
            call = args.parent if args is not None else None
            if call is not None and call.type == "call_expression" and is_finalizer_call(call):
                return True
        elif func.type == "function_declaration":
            if name is not None and (None, syntax.text(name)) in finalizers:
                return True
        elif name is not None:
            recv_types = {base_type_name(t) for t in parameter_types(func, "receiver").values()}
            if any((t, syntax.text(name)) in finalizers for t in recv_types if t):
                return True
        func = syntax.enclosing_function(func)
    return False


def _handle_kind(type_text: str, types: Mapping[str, Node], depth: int = 0) -> bool | None:
    """True: a C handle type (C.x, *C.x, unsafe.Pointer, uintptr, cgo.Handle);
    False: certainly a Go value that is not a handle; None: cannot tell."""
    t = type_text.replace(" ", "")
    if t.lstrip("*").startswith("C.") or t in ("unsafe.Pointer", "uintptr", "cgo.Handle"):
        return True
    if t.lstrip("*").startswith("[") and "C." in t:
        return True
    name = base_type_name(t)
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


def sites_in(
    f: FileContext,
    pkg: PackageContext,
    owners: Callable[[], dict[str, Evidence]],
    released: Callable[[], set[tuple[str, str]]],
    types: Mapping[str, Node],
) -> Iterator[Site]:
    """The C calls of f that receive a C handle read from an owner at risk (owners: the
    finalized types, released: the (type, field) pairs released by C calls, both computed
    when first needed)."""
    typedefs = cgo_typedefs(f)
    for call in calls_matching(f.root, C_CALLS):
        func_name = c_function(call, f, typedefs)
        if func_name is None:
            continue
        args = call.child_by_field_name("arguments")
        stripped = [strip_conversions(a, f, typedefs) for a in (args.named_children if args else ())]
        seen: set[str] = set()
        for arg, bare in zip(args.named_children if args else (), stripped, strict=True):
            owned = owner_of(bare, f)
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
        return f.text(arg) == owner and (PackageTypes.of(pkg).text_of(owner, at, f) or "").startswith("*")
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
    t = PackageTypes.of(pkg).text_of(owner, at, f) or ""
    if not t.startswith("*"):
        return False
    t = t[1:]
    for kind, name in reversed(links):
        if kind == "index":
            if not t.startswith("[") or t.startswith("[]"):
                return False  # a slice element lives in the slice's own array
            t = t.split("]", 1)[1]
            continue
        decl = types.get(base_type_name(t) or "") if not t.startswith(("*", "[")) else None
        field_type = (
            struct_fields(decl).get(name) if decl is not None and decl.type == "struct_type" else None
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
    owner_type: str, fields: tuple[str, ...], types: Mapping[str, Node], owners: dict[str, Evidence]
) -> _Chain:
    name = base_type_name(owner_type)
    finalized, selector = (name, fields[0]) if name in owners else (None, None)
    t = owner_type
    for i, selector_i in enumerate(fields):
        found = _field(base_type_name(t), selector_i, types, owners)
        if found is None:
            return _Chain(None, finalized, selector)
        t, via = found
        if finalized is None and via is not None:
            finalized, selector = via, selector_i
        base = base_type_name(t)
        if finalized is None and t.lstrip().startswith("*") and base in owners and i + 1 < len(fields):
            finalized, selector = base, fields[i + 1]
    return _Chain(_handle_kind(t, types), finalized, selector)


def _field(
    type_name: str | None,
    selector: str,
    types: Mapping[str, Node],
    owners: dict[str, Evidence],
    depth: int = 0,
) -> tuple[str, str | None] | None:
    """(type of field selector of struct type_name, the finalized type it was promoted
    from through an embedded pointer, if any); None if unknown."""
    decl = types.get(type_name) if type_name else None
    if decl is None or decl.type != "struct_type" or depth > 3:
        return None
    named = struct_fields(decl)
    if selector in named:
        return named[selector], None
    embedded_types = embedded_fields(decl)
    for embedded in embedded_types:
        if base_type_name(embedded) == selector:
            return embedded, None
    for embedded in embedded_types:
        inner = base_type_name(embedded)
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
    finalized: Callable[[], dict[str, Evidence]],
    released: Callable[[], set[tuple[str, str]]],
    types: Mapping[str, Node],
) -> Site | None:
    """The site for owner.fields passed as arg to C.func_name, or None if nothing is at risk."""
    owner, fields = owned
    if RELEASE.search(func_name):
        return None  # releasing the handle: KeepAlive is no cure if a finalizer releases it too
    if not scope.declared_locally(owner, call):
        return None  # a package-level variable stays reachable: nothing can finalize it
    owner_type = PackageTypes.of(pkg).text_of(owner, call, f)
    if owner_type and owner_type.lstrip("*").startswith("C."):
        return None
    type_name = base_type_name(owner_type)
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
        return Site(f, call, func_name, arg, owner, stmt, Safety.UNSAFE, reason)
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
        return Site(f, call, func_name, arg, owner, stmt, safety, reason)
    reason = (
        f"{owner} is a copy of a {type_name} value, so runtime.KeepAlive({owner}) would not help: "
        f"keep that *{type_name} alive in the caller, or use a pointer"
    )
    subject = f"the *{type_name} that {owner} was copied from"
    return Site(f, call, func_name, arg, owner, stmt, safety, reason, False, subject)
