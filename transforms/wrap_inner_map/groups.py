"""Finding nested map types whose inner values carry pointers (wrap-inner-map, layer 1).

A *group* is one distinct nested map type `map[K]map[K2]V` of a package: every
spelling of it (compared token by token) and every named type or alias whose
definition is that type, or another named type of the group. Values flow
freely between all of them, so a group is rewritten as a whole or not at all.

An inner value type V carries pointers when it is a pointer, slice, map,
channel, function or interface type (`any`, `error`, `interface{...}`), an
array of such, or a struct or named type declared in the package whose
fields or underlying type carry pointers. Strings, booleans and numbers do
not; neither do types of other packages, whose layout cannot be seen.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext, PackageContext
from gofacts import scope
from gofacts.decls import Declarations
from transforms.wrap_inner_map import bytescan

_POINTERY = frozenset(
    {"pointer_type", "slice_type", "map_type", "channel_type", "function_type", "interface_type"}
)
_WORDY = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def normalize(node: Node) -> str:
    """The type's tokens joined without layout, as go/types prints a type: `map[string] *T` and
    `map[string]*T` agree, and a struct's fields read `struct{name string; want *int}`."""
    out: list[str] = []
    _tokens(node, out)
    return "".join(out)


def _tokens(node: Node, out: list[str]) -> None:
    if node.type == "comment":
        return
    if node.type == "field_declaration_list":
        fields = [f for f in node.named_children if f.type != "comment"]
        out.append("{")
        for i, field in enumerate(fields):
            if i:
                out.append("; ")
            _tokens(field, out)
        out.append("}")
        return
    if node.type == "field_declaration" and node.children_by_field_name("name"):
        out.append(", ".join(syntax.text(n) for n in node.children_by_field_name("name")) + " ")
        for part in ("type", "tag"):
            child = node.child_by_field_name(part)
            if child is not None:
                if part == "tag":
                    out.append(" ")
                _tokens(child, out)
        return
    if not node.child_count:
        tok = syntax.text(node)
        if out and out[-1] and tok and out[-1][-1] in _WORDY and tok[0] in _WORDY:
            out.append(" ")
        out.append(tok)
        return
    for child in node.children:
        _tokens(child, out)


@dataclass(frozen=True)
class Spelling:
    """One spelling `map[K]map[K2]V` of a group's type in a file."""

    file: FileContext
    node: Node

    @property
    def inner(self) -> Node:
        value = self.node.child_by_field_name("value")
        assert value is not None
        return value


@dataclass
class Group:
    """One distinct nested map type of the package and every way it is spelled or named.

    Attributes:
        key: the normalized type text, e.g. "map[string]map[string]*User".
        inner: the inner map type as first spelled, e.g. "map[string]*User".
        spellings: every `map[K]map[K2]V` node of this type, in file order.
        named: named types and aliases of this type -> (file, type_spec or type_alias node).
    """

    key: str
    inner: str
    spellings: list[Spelling] = field(default_factory=list)
    named: dict[str, tuple[FileContext, Node]] = field(default_factory=dict)


def find_groups(pkg: PackageContext) -> list[Group]:
    """The nested map groups of pkg whose inner values carry pointers, in order of first spelling."""
    types = TypeSpecs(pkg)
    groups: dict[str, Group] = {}
    for f in pkg.sources:
        if not _may_spell_group(f.content, types) or f.broken:
            continue
        for node in _nested_maps(f.root):
            if _inner_of_nested(node) or _mentions_local_type(node):
                continue
            inner = node.child_by_field_name("value")
            value = inner.child_by_field_name("value") if inner is not None else None
            if inner is None or value is None or not carries_pointers(value, types):
                continue
            key = normalize(node)
            group = groups.setdefault(key, Group(key, syntax.text(inner)))
            group.spellings.append(Spelling(f, node))
    for group in groups.values():
        _collect_named(group, pkg)
    return list(groups.values())


def _may_spell_group(content: bytes, types: TypeSpecs) -> bool:
    """False when content provably spells no nested map whose inner values carry pointers: each place
    that may spell one has a value type of another package or a name that carries none."""
    for value in bytescan.nested_values(content):
        if value is None or (value != bytescan.QUALIFIED and _carries_name(value, types, frozenset())):
            return True
    return False


def _nested_maps(root: Node) -> list[Node]:
    """Every map_type node whose value is a map type, in source order."""
    found = syntax.captures("(map_type value: (map_type)) @m", root).get("m", [])
    return sorted(found, key=lambda n: n.start_byte)


def _inner_of_nested(node: Node) -> bool:
    """True for the inner part of a nested map spelling (it belongs to the outer type)."""
    parent = node.parent
    return parent is not None and parent.type == "map_type" and parent.child_by_field_name("value") == node


def _mentions_local_type(node: Node) -> bool:
    """True if a type name inside node denotes a type declared inside a function."""
    if syntax.enclosing_function(node) is None:
        return False
    return any(n.type == "type_identifier" and scope.declaration_of(n) is not None for n in syntax.walk(node))


class TypeSpecs:
    """Top-level type name -> its type_spec or type_alias node: the winner of gofacts.decls
    (the first declaration in package file order), parsing only the files that may declare it."""

    def __init__(self, pkg: PackageContext) -> None:
        self._types = Declarations.of(pkg).types

    def get(self, name: str) -> Node | None:
        """The declaration of the package-level type name, or None."""
        found = self._types.get(name)
        return found.spec if found is not None else None


def carries_pointers(type_node: Node, types: TypeSpecs) -> bool:
    """Whether values of the type hold pointers, as far as the package's own sources tell."""
    return _carries(type_node, types, frozenset())


def _carries(node: Node, types: TypeSpecs, seen: frozenset[str]) -> bool:
    t = node.type
    if t in _POINTERY:
        return True
    if t == "parenthesized_type":
        return any(_carries(c, types, seen) for c in node.named_children)
    if t == "array_type":
        element = node.child_by_field_name("element")
        return element is not None and _carries(element, types, seen)
    if t == "struct_type":
        return any(_carries(c, types, seen) for c in _field_types(node))
    if t == "type_identifier":
        return _carries_name(syntax.text(node), types, seen)
    return False


def _carries_name(name: str, types: TypeSpecs, seen: frozenset[str]) -> bool:
    """Whether a type named name (a type_identifier) carries pointers."""
    spec = types.get(name) if name not in seen else None
    if spec is not None:
        underlying = spec.child_by_field_name("type")
        if spec.child_by_field_name("type_parameters") is not None:
            return False
        return underlying is not None and _carries(underlying, types, seen | {name})
    return name in ("any", "error")


def _field_types(struct: Node) -> list[Node]:
    out: list[Node] = []
    for fields in struct.named_children:
        if fields.type != "field_declaration_list":
            continue
        for decl in fields.named_children:
            typ = decl.child_by_field_name("type")
            if decl.type == "field_declaration" and typ is not None:
                out.append(typ)
    return out


def _collect_named(group: Group, pkg: PackageContext) -> None:
    """Add the package's named types and aliases whose definition is the group's type.

    Only files that spell the group's type or contain the bytes of one of its
    names so far can declare another name of it, so no other file is parsed.
    """
    spelled = {(id(s.file), s.node.start_byte) for s in group.spellings}
    spelling_files = {id(s.file) for s in group.spellings}
    changed = True
    while changed:
        changed = False
        for f in pkg.sources:
            if id(f) not in spelling_files and not any(n.encode() in f.content for n in group.named):
                continue
            if f.broken:
                continue
            for spec in _plain_type_specs(f):
                name_node, typ = spec.child_by_field_name("name"), spec.child_by_field_name("type")
                if name_node is None or typ is None:
                    continue
                name = syntax.text(name_node)
                if name in group.named:
                    continue
                if (id(f), typ.start_byte) in spelled or (
                    typ.type == "type_identifier" and syntax.text(typ) in group.named
                ):
                    group.named[name] = (f, spec)
                    changed = True


def _plain_type_specs(f: FileContext) -> Iterator[Node]:
    """The top-level type_spec and type_alias nodes of f without type parameters, in order."""
    for decl in f.root.named_children:
        if decl.type != "type_declaration":
            continue
        for spec in decl.named_children:
            if (
                spec.type in ("type_spec", "type_alias")
                and spec.child_by_field_name("type_parameters") is None
            ):
                yield spec
