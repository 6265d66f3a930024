"""Rewriting the declaration of a converted map and the places that create it.

A variable (package-level or local) becomes a SafeMap value: the zero value
is ready to use, and every use goes through the variable, so `m = make(...)`
is the same as `m.Clear()`. A struct field becomes a SafeMap value too when
the struct is only ever handled through pointers (`*T`, `&T{}`, `new(T)`),
since a SafeMap must not be copied; if the struct is copied anywhere, the
field becomes a `*SafeMap` instead, so that copies share one map exactly as
they shared the Go map, and every literal must then initialise it.

Edits keep gofmt's layout: a grouped `var` spec keeps its columns (only the
value or the type is replaced); the runner realigns the columns of the lines
around a changed one (codemod.alignment).
"""

from __future__ import annotations

from tree_sitter import Node

from codemod import syntax
from codemod.context import PackageContext
from codemod.model import Edit
from gofacts import mapops as ops
from gofacts.decls import Declarations
from gofacts.signatures import base_type_name
from transforms.safemap.find import MapDecl
from transforms.safemap.shape import Blocked, Shape


def copied_by_value(owner: str, pkg: PackageContext) -> bool:
    """True unless every mention of type owner is `*owner`, `&owner{...}` or `new(owner)`."""
    needle = owner.encode()
    for f in pkg.files:
        if needle not in f.content:
            continue
        for n in syntax.walk(f.root):
            if n.type != "type_identifier" or n.text != needle:
                continue
            p = n.parent
            if p is None or (p.type == "type_spec" and p.child_by_field_name("name") == n):
                continue
            if p.type == "pointer_type":
                continue
            if p.type == "composite_literal" and _address_taken(p):
                continue
            if p.type == "argument_list" and _callee(p) == "new":
                continue
            return True
    return False


def _address_taken(lit: Node) -> bool:
    p = lit.parent
    return p is not None and p.type == "unary_expression" and syntax.text(p.children[0]) == "&"


def _callee(args: Node) -> str:
    call = args.parent
    fn = call.child_by_field_name("function") if call is not None else None
    return syntax.text(fn) if fn is not None else ""


def declaration_edits(decl: MapDecl, shape: Shape, pkg: PackageContext) -> list[Edit]:
    """Edits that re-declare decl as shape (and its initialisations); raises Blocked."""
    f = decl.file
    if not f.editable:
        raise Blocked(f, decl.holder, "is in a file gomapfix may not edit")
    if decl.kind == "field":
        return _field(decl, shape, pkg)
    holder = decl.holder
    value = _value(holder)
    if value is not None and not ops.empty_map_value(value):
        raise Blocked(f, holder, "starts with entries or another map")
    if holder.type == "short_var_declaration":
        if holder.parent is not None and holder.parent.type == "statement_list":
            return [f.edit(holder.start_byte, holder.end_byte, f"var {decl.name} {shape.declared}")]
        assert value is not None
        return [f.edit(value.start_byte, value.end_byte, shape.fresh)]
    typ = holder.child_by_field_name("type")
    grouped = holder.parent is not None and holder.parent.type == "var_spec_list"
    if not grouped:
        return [f.edit(decl.name_node.end_byte, holder.end_byte, f" {shape.declared}")]
    if typ is not None and value is not None:
        raise Blocked(f, holder, "has both a type and a value in an aligned var group")
    if value is not None:
        return [f.edit(value.start_byte, value.end_byte, shape.fresh)]
    assert typ is not None
    return [f.edit(typ.start_byte, typ.end_byte, shape.declared)]


def _value(holder: Node) -> Node | None:
    v = holder.child_by_field_name("value") or holder.child_by_field_name("right")
    if v is not None and v.type == "expression_list":
        return v.named_children[0] if v.named_child_count == 1 else None
    return v


def _field(decl: MapDecl, shape: Shape, pkg: PackageContext) -> list[Edit]:
    f = decl.file
    edits = [f.edit(decl.map_type.start_byte, decl.map_type.end_byte, shape.declared)]
    edits.extend(_literals(decl, shape, pkg))
    if shape.pointer:
        _no_zero_values(decl, pkg)
    return edits


def _literals(decl: MapDecl, shape: Shape, pkg: PackageContext) -> list[Edit]:
    """Initialisations `T{m: make(...)}` of the field, in every composite literal of its type."""
    types = Declarations.of(pkg).type_nodes
    edits = []
    needle = decl.name.encode()
    for f in pkg.files:
        if needle not in f.content and (decl.owner or "").encode() not in f.content:
            continue
        for lit in syntax.walk(f.root):
            if lit.type != "literal_value":
                continue
            owner = _literal_type(lit, types, decl.name)
            keyed = _keyed(lit, decl.name)
            if owner is None and keyed is not None:
                raise Blocked(f, keyed, "initialises a field of a literal whose type is not written")
            if owner != decl.owner:
                continue
            if keyed is None:
                if lit.named_child_count and not any(c.type == "keyed_element" for c in lit.named_children):
                    raise Blocked(f, lit.parent or lit, "initialises the struct by position")
                if shape.pointer:
                    raise Blocked(f, lit.parent or lit, "leaves the field nil")
                continue
            if not f.editable:
                raise Blocked(f, keyed, "is in a file gomapfix may not edit")
            value = keyed.child_by_field_name("value")
            inner = value.named_children[0] if value is not None and value.named_child_count else None
            if inner is None or not (ops.empty_map_value(inner) or ops.is_nil(inner)):
                raise Blocked(f, keyed, "initialises the field with another map")
            if shape.pointer and ops.is_nil(inner):
                raise Blocked(
                    f, keyed, "leaves the field nil (a nil *SafeMap panics where a nil map read nothing)"
                )
            edits.append(f.edit(inner.start_byte, inner.end_byte, shape.fresh))
    return edits


def _keyed(lit: Node, name: str) -> Node | None:
    for el in lit.named_children:
        if el.type != "keyed_element":
            continue
        key = el.child_by_field_name("key")
        ident = key.named_children[0] if key is not None and key.named_child_count else None
        if ident is not None and ident.type == "identifier" and syntax.text(ident) == name:
            return el
    return None


def _literal_type(lit: Node, types: dict[str, Node], field: str) -> str | None:
    """The package type a literal_value builds, "" for a non-struct or foreign type, None if elided."""
    p = lit.parent
    if p is None or p.type != "composite_literal":
        return None
    t = p.child_by_field_name("type")
    if t is None:
        return None
    name = base_type_name(syntax.text(t))
    if name is None or name not in types:
        return ""
    return name


def _no_zero_values(decl: MapDecl, pkg: PackageContext) -> None:
    """With a *SafeMap field, `new(T)` and `var x T` would leave it nil: block them."""
    owner = (decl.owner or "").encode()
    for f in pkg.files:
        if owner not in f.content:
            continue
        for n in syntax.walk(f.root):
            if n.type != "type_identifier" or n.text != owner:
                continue
            p = n.parent
            if p is not None and p.type == "argument_list" and _callee(p) == "new":
                raise Blocked(f, p.parent or p, "creates the struct with a nil field")
            if p is not None and p.type == "var_spec" and p.child_by_field_name("value") is None:
                raise Blocked(f, p, "creates the struct with a nil field")
