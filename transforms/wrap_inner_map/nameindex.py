"""A per-package index of names for the wrap-inner-map transform (layer 2: finding uses).

Built once per package (only for packages that hold a nested map group), it
lists every identifier by name, every selector by its field name, every
keyed composite-literal element by its key, the package's functions and
methods, and how many members (struct fields, methods, interface methods)
share each name. Everything else in the transform asks it, never the trees.

Names are looked up, not listed: a lookup finds the name's bytes in each
file and asks the tree which node, if any, spells it there.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext, PackageContext
from gofacts import scope
from gofacts.decls import Declarations

_DECLARING_PARENTS = frozenset(
    {"var_spec", "const_spec", "parameter_declaration", "variadic_parameter_declaration"}
)
_IDENTS = frozenset({"identifier", "type_identifier"})
_IDENTIFIER = frozenset({"identifier"})
_FIELD = frozenset({"field_identifier"})
V = TypeVar("V")
D = TypeVar("D")
BUILTINS = frozenset(
    "append cap clear close complex copy delete imag len make max min new panic print println real recover"
    " nil true false iota".split()
)


class _ByName(Generic[V]):
    """A table filled name by name: get(name) computes and keeps find(name)."""

    def __init__(self, find: Callable[[str], V], empty: V) -> None:
        self._find = find
        self._empty = empty
        self._found: dict[str, V] = {}

    def get(self, name: str, default: D) -> V | D:
        """What find gives for name, or default when that is empty."""
        if name not in self._found:
            self._found[name] = self._find(name)
        found = self._found[name]
        return default if found == self._empty else found


class FileIndex:
    """Names of one file, each looked up on demand: identifier and type_identifier nodes (idents),
    selectors by field name, keyed literal elements by key, and the literal_value nodes with
    positional (unkeyed) elements. Each list is in the order of a pre-order walk."""

    def __init__(self, file: FileContext) -> None:
        self.file = file
        self.idents: _ByName[list[Node]] = _ByName(lambda n: self._spelled(n, _IDENTS), [])
        self.selectors: _ByName[list[Node]] = _ByName(self._selectors, [])
        self.keys: _ByName[list[Node]] = _ByName(self._keys, [])

    @functools.cached_property
    def positional(self) -> list[Node]:
        found = syntax.captures("(literal_value) @l", self.file.root).get("l", [])
        return [n for n in _in_order(found) if any(c.type == "literal_element" for c in n.named_children)]

    def _spelled(self, name: str, types: frozenset[str]) -> list[Node]:
        """The nodes of one of types whose text is name, in source order."""
        return [n for n in self.file.leaves_spelled(name) if n.type in types]

    def _selectors(self, name: str) -> list[Node]:
        out = []
        for leaf in self._spelled(name, _FIELD):
            parent = leaf.parent
            if (
                parent is not None
                and parent.type == "selector_expression"
                and parent.child_by_field_name("field") == leaf
            ):
                out.append(parent)
        return _in_order(out)

    def _keys(self, name: str) -> list[Node]:
        out = []
        for leaf in self._spelled(name, _IDENTIFIER):
            key = leaf.parent
            keyed = key.parent if key is not None else None
            if keyed is None or keyed.type != "keyed_element" or keyed.child_by_field_name("key") != key:
                continue
            if key.named_child_count == 1:
                out.append(keyed)
        return _in_order(out)


class _MethodsByName(Mapping[str, list[tuple[FileContext, Node]]]):
    """Method name -> every (file, method_declaration) of the package called so (gofacts.decls)."""

    def __init__(self, decls: Declarations) -> None:
        self._decls = decls

    def __getitem__(self, name: str) -> list[tuple[FileContext, Node]]:
        found = [(f, d) for d, f in self._decls.methods_named(name)]
        if not found:
            raise KeyError(name)
        return found

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and bool(self._decls.methods_named(name))

    def __iter__(self) -> Iterator[str]:
        return iter(sorted({key[1] for key, _ in self._decls.every("method")}))  # type: ignore[index]

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _TypesByName(Mapping[str, tuple[FileContext, Node]]):
    """Top-level type name -> (file, type_spec or type_alias): the winner of gofacts.decls."""

    def __init__(self, decls: Declarations) -> None:
        self._decls = decls

    def __getitem__(self, name: str) -> tuple[FileContext, Node]:
        found = self._decls.types[name]
        return found.file, found.spec

    def __contains__(self, name: object) -> bool:
        return name in self._decls.types

    def __iter__(self) -> Iterator[str]:
        return iter(self._decls.types)

    def __len__(self) -> int:
        return len(self._decls.types)


@dataclass
class PackageIndex:
    """Where every name of a package occurs, and what the package declares at top level.

    Attributes:
        files: one FileIndex per file, in package file order.
        members: field or method name -> how many struct fields, methods and interface
            methods of the package are called so.
        methods: method name -> every (file, method_declaration) with that name.
        types: top-level type name -> (file, type_spec or type_alias).

    The declarations come from the package's one table (gofacts.decls): looked up, not listed.
    """

    pkg: PackageContext
    files: list[FileIndex]
    members: _ByName[int]
    methods: Mapping[str, list[tuple[FileContext, Node]]]
    types: Mapping[str, tuple[FileContext, Node]]

    def is_builtin(self, ident: Node) -> bool:
        """True if ident denotes a predeclared identifier (len, make, nil, ...), not a shadowing one."""
        name = syntax.text(ident)
        return (
            name in BUILTINS and name not in self.pkg.top_level_names and scope.declaration_of(ident) is None
        )

    def is_nil(self, node: Node) -> bool:
        node = syntax.unparen(node)
        return node.type == "nil" or (
            node.type == "identifier" and syntax.text(node) == "nil" and self.is_builtin(node)
        )


def build(pkg: PackageContext) -> PackageIndex:
    """The index of pkg (every name looked up on demand)."""
    decls = Declarations.of(pkg)
    members = _ByName(lambda name: _count_members(pkg, name), 0)
    return PackageIndex(
        pkg, [FileIndex(f) for f in pkg.files], members, _MethodsByName(decls), _TypesByName(decls)
    )


def _embedded_name(typ: Node) -> str:
    text = syntax.text(typ).lstrip("*").split("[", 1)[0]
    return text.rsplit(".", 1)[-1].strip()


def _in_order(nodes: list[Node]) -> list[Node]:
    """Nodes in the order of a pre-order walk: by start, enclosing ones first."""
    return sorted(nodes, key=lambda n: (n.start_byte, -n.end_byte))


def _count_members(pkg: PackageContext, name: str) -> int:
    """How many struct fields (named, or embedded with name as base type name), methods and
    interface methods of pkg are called name."""
    count = 0
    for f in pkg.files_with(name.encode()):
        embedded: set[int] = set()
        for leaf in f.leaves_spelled(name):
            parent = leaf.parent
            if parent is None:
                continue
            if leaf.type == "field_identifier":
                if parent.type == "field_declaration":
                    count += sum(1 for n in parent.children_by_field_name("name") if n == leaf)
                elif parent.type in ("method_declaration", "method_elem"):
                    count += parent.child_by_field_name("name") == leaf
            elif leaf.type == "type_identifier":
                field = syntax.enclosing(leaf, "field_declaration")
                typ = field.child_by_field_name("type") if field is not None else None
                if typ is None or field.children_by_field_name("name") or field.start_byte in embedded:
                    continue
                if _embedded_name(typ) == name:
                    embedded.add(field.start_byte)
                    count += 1
    return count


def is_reference(ident: Node) -> bool:
    """True if an identifier node uses a name rather than declaring it or naming a field."""
    parent = ident.parent
    if parent is None:
        return False
    t = parent.type
    if t in _DECLARING_PARENTS:
        return False
    if t in ("function_declaration", "method_declaration", "type_spec", "type_alias"):
        return parent.child_by_field_name("name") != ident
    if t == "literal_element":
        grand = parent.parent
        if grand is not None and grand.type == "keyed_element" and grand.child_by_field_name("key") == parent:
            return False
    if t in ("package_clause", "import_spec", "label_name"):
        return False
    if t == "expression_list":
        holder = parent.parent
        if holder is not None and holder.child_by_field_name("left") == parent:
            if holder.type in ("range_clause", "receive_statement") and any(
                c.type == ":=" for c in holder.children
            ):
                return False
            if holder.type == "short_var_declaration":
                return scope.declaration_of(ident) != ident
        if (
            holder is not None
            and holder.type == "type_switch_statement"
            and holder.child_by_field_name("alias") == parent
        ):
            return False
    return syntax.text(ident) != "_"
