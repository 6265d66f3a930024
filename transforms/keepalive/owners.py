"""The C calls at risk: each call passing a C handle read from an owner that may be finalized during it.

An owner is a local Go variable (or parameter, or receiver) a handle is read from:
`C.f(w.c)` (a field, promoted fields and fields of other packages of the module
included), `C.f(w.native())` (an accessor method whose body returns a conversion of a
receiver field: handles.py), and a C pointer converted from one (`p := (*C.T)(o.ptr)`
has the owner o). It is at risk when a finalizer or cleanup registered anywhere in
the module for its type, or for a type it reaches through a pointer on the way to
the handle, releases the field the call receives (gofacts.finalizers). Without such
a registration nothing frees the handle behind the owner's back: no finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from codemod import golines, syntax
from codemod.context import FileContext, PackageContext
from codemod.model import Safety
from gofacts import scope
from gofacts.finalizers import Evidence, Finalizers
from gofacts.module import Module
from gofacts.signatures import base_type_name, parameter_types
from gofacts.types import GoType, PackageTypes
from transforms.keepalive.cgo import (
    C_CALLS,
    RELEASE,
    c_function,
    calls_matching,
    cgo_typedefs,
    strip_conversions,
)
from transforms.keepalive.evidence import is_finalizer_call
from transforms.keepalive.handles import Owned, kept_by_arguments, owned_by, points_into


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
    base: str = ""
    """The variable the owner was derived from (`o := obj.AsObject()`), whose KeepAlive also serves."""


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


def sites_in(f: FileContext, pkg: PackageContext) -> Iterator[Site]:
    """The C calls of f that receive a C handle read from an owner at risk. The module's
    finalizers (gofacts.finalizers, which reads the whole module) are asked for only when a
    call hands on a field of a local owner whose type is a struct the package declares."""
    typedefs = cgo_typedefs(f)
    types = PackageTypes.of(pkg)
    for call in calls_matching(f.root, C_CALLS):
        func_name = c_function(call, f, typedefs)
        if func_name is None:
            continue
        args = call.child_by_field_name("arguments")
        given = [a for a in (args.named_children if args else ()) if a.type != "comment"]
        stripped = [strip_conversions(a, f, typedefs) for a in given]
        seen: set[str] = set()
        for arg, bare in zip(given, stripped, strict=True):
            owned = owned_by(bare, call, f, pkg)
            if owned is None or owned.owner in seen:
                continue
            if any(points_into(other, owned.owner, call, f, types) for other in stripped):
                continue  # cgo keeps Go pointer arguments alive, and with them the owner
            if kept_by_arguments(given, owned.owner, f):
                continue  # the owner itself is handed to Go code by the same call: it may keep it
            site = _classify(f, pkg, call, func_name, arg, owned)
            if site is not None:
                seen.add(owned.owner)
                yield site


@dataclass(frozen=True)
class _Chain:
    """What owner.f1.f2... resolves to through the struct types of the module.

    kind: the handle kind of the last field (see handle_kind), None if some link is
    unknown. evidence: the first finalized type on the way (the owner's own type, or
    one reached through a pointer or an embedded pointer), and selector: the field of
    that type the chain goes through.
    """

    kind: bool | None
    evidence: Evidence | None = None
    selector: str | None = None


def _finalized(types: PackageTypes, t: GoType | None, fins: Finalizers) -> tuple[Evidence, str] | None:
    """(evidence, type name) when t (or *t) names a type of the module that is finalized."""
    named = types.named(t)
    if named is None:
        return None
    ev = fins.evidence((named[0].pkg.directory, named[1].name))
    return (ev, named[1].name) if ev is not None else None


def _resolve(types: PackageTypes, owner_type: GoType, fields: tuple[str, ...], fins: Finalizers) -> _Chain:
    found = _finalized(types, owner_type, fins) if fields else None
    evidence, selector = (found[0], fields[0]) if found else (None, None)
    t, at = owner_type, types
    for i, name in enumerate(fields):
        member = at.member(t, name)
        if member is None:
            return _Chain(None, evidence, selector)
        for emb in member.via:
            if _weak(evidence, selector) and emb.pointer:
                hit = _finalized(emb.types, emb.type, fins)
                if hit is not None and not _weak(hit[0], name):
                    evidence, selector = hit[0], name
        t, at = member.type, member.types
        if _weak(evidence, selector) and t.kind == "pointer_type" and i + 1 < len(fields):
            hit = _finalized(at, t, fins)
            if hit is not None and (evidence is None or not _weak(hit[0], fields[i + 1])):
                evidence, selector = hit[0], fields[i + 1]
    return _Chain(handle_kind(at, t), evidence, selector)


def _weak(evidence: Evidence | None, selector: str | None) -> bool:
    """No evidence, or a finalizer known not to release the field selector (an empty cleanup
    that only ties lifetimes, say): a finalized object further along the chain counts instead."""
    return evidence is None or (evidence.fields is not None and selector not in evidence.fields)


def handle_kind(types: PackageTypes, t: GoType, depth: int = 0) -> bool | None:
    """True: a C handle type (C.x, *C.x, unsafe.Pointer, uintptr, cgo.Handle, an array of C
    values); False: certainly a Go value that is not a handle; None: cannot tell."""
    text = t.text.replace(" ", "")
    if text.lstrip("*").startswith("C.") or text in ("unsafe.Pointer", "uintptr", "cgo.Handle"):
        return True
    if text.lstrip("*").startswith("[") and "C." in text:
        return True
    if text.startswith(("[]", "map[", "chan", "func", "string", "struct{", "interface{")):
        return False
    if text.startswith("*"):
        return None
    named = types.named(t)
    if named is not None and depth < 4:
        other, decl = named
        if decl.type_node.type in ("struct_type", "interface_type", "map_type", "slice_type", "channel_type"):
            return False
        return handle_kind(other, GoType(decl.type_node, decl.file), depth + 1)
    base = base_type_name(text)
    if base and (
        base in {"string", "bool", "error", "any"}
        or base.startswith(("int", "uint", "float", "complex", "byte", "rune"))
    ):
        return False
    return None


def _classify(
    f: FileContext,
    pkg: PackageContext,
    call: Node,
    func_name: str,
    arg: Node,
    owned: Owned,
) -> Site | None:
    """The site for owned passed as arg to C.func_name, or None if nothing is at risk."""
    owner, fields = owned.owner, owned.fields
    if RELEASE.search(func_name):
        return None  # releasing the handle: KeepAlive is no cure if a finalizer releases it too
    if not scope.declared_locally(owner, call):
        return None  # a package-level variable stays reachable: nothing can finalize it
    types = PackageTypes.of(pkg)
    owner_type = types.identifier_type(owner, call, f)
    stmt = golines.statement_of(call)
    if owner_type is None:
        return None  # its type, and so its finalizers, cannot be told
    if owner_type.text.lstrip("*").startswith("C."):
        return None
    named = types.named(owner_type)
    if named is None or named[1].type_node.type != "struct_type":
        return None  # not a struct of this module: its finalizers cannot be seen
    type_name = named[1].name
    fins = Finalizers.of(pkg)  # reads the module for the types asked about: asked for last
    chain = _resolve(types, owner_type, fields, fins)
    if chain.kind is False or chain.evidence is None:
        return None  # a Go value, or nothing on the way is finalized: collecting frees nothing
    ev = chain.evidence
    if ev.fields is not None and chain.selector not in ev.fields:
        return None  # its finalizer does not release what the call receives
    if chain.selector in ev.freed and chain.selector in fields[:-1]:
        return None  # a value loaded from the block C.free releases, before the call: not in it
    module = Module.of(pkg)
    where = ev.where(pkg.directory, module.root if module is not None else None)
    if re.fullmatch(r"[\w.()*]+", ev.function):
        where += f", running {ev.function}"  # name the finalizer when it has a name
    what = ev.type[1] if ev.type[0] == pkg.directory else f"{_package_name(ev, module)}.{ev.type[1]}"
    registers = "the package registers" if ev.type[0] == pkg.directory else "the module registers"
    if ev.fields is None:
        reason = (
            f"{registers} a finalizer for {what} ({where}) that gomapfix cannot follow, "
            "so this is a suggestion"
        )
    else:
        released = dict(ev.aliases).get(chain.selector)
        field = released or chain.selector
        reason = f"{registers} a finalizer for {what} ({where}) that releases its field {field}"
        if released:
            reason += f", which {chain.selector} points at too (both are set from one pointer)"
    safety = Safety.SAFE if chain.kind is True and ev.fields is not None else Safety.UNSAFE
    if owner_type.kind == "pointer_type":
        return Site(f, call, func_name, arg, owner, stmt, safety, reason, base=owned.base)
    reason = (
        f"{owner} is a copy of a {type_name} value, so runtime.KeepAlive({owner}) would not help: "
        f"keep that *{type_name} alive in the caller, or use a pointer"
    )
    subject = f"the *{type_name} that {owner} was copied from"
    return Site(f, call, func_name, arg, owner, stmt, safety, reason, False, subject)


def _package_name(ev: Evidence, module: Module | None) -> str:
    """The name other packages know ev's package by (its directory's package clause)."""
    other = module.package(ev.type[0]) if module is not None else None
    return other.name if other is not None else ev.type[0].name
