"""The state shared by the rule modules of wrap-inner-map, and its small helpers.

Vocabulary (see wrap_flow): O is the group's outer type, I its inner map type,
W the wrapper; slots hold O values.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext, PackageContext
from gofacts import scope
from transforms.wrap_inner_map import nameindex
from transforms.wrap_inner_map.editset import EditSet
from transforms.wrap_inner_map.groups import Group, normalize
from transforms.wrap_inner_map.shapes import context_of, quote, unparen_type

Key = tuple[str, int, int]


@dataclass(frozen=True)
class Blocker:
    """A use that cannot be rewritten with certainty, named stably: file name and source text."""

    file: FileContext
    node: Node
    reason: str
    interface: bool = False
    """The use converts the map to an interface (`return m` from a function returning any,
    fmt.Printf("%v", m)): the rewrite still compiles, but what the receiver sees changes."""

    @property
    def message(self) -> str:
        return f"{self.file.path.name}: {self.reason}"


@dataclass
class Signature:
    """Which parameters and results of a package function or method have the group's type."""

    label: str
    file: FileContext
    decl: Node
    params: list[bool]
    variadic: bool
    results: list[bool]


@dataclass
class FlowState:
    """What the analysis of one group knows: slots found so far, blockers, edits.

    The rule modules (wrap_spellings, wrap_slots, wrap_values, wrap_calls,
    wrap_typeof) add methods over this state; wrap_flow.Flow combines them.
    """

    pkg: PackageContext
    index: nameindex.PackageIndex
    group: Group
    wrapper: str
    local_vars: dict[Key, tuple[FileContext, Node]] = field(default_factory=dict)
    pkg_vars: set[str] = field(default_factory=set)
    fields: dict[str, set[str]] = field(default_factory=dict)
    functions: dict[str, Signature] = field(default_factory=dict)
    methods: dict[str, Signature] = field(default_factory=dict)
    receiver_methods: set[str] = field(default_factory=set)
    w_vars: dict[Key, tuple[FileContext, Node]] = field(default_factory=dict)
    exported: set[str] = field(default_factory=set)
    json_used: bool = False
    blockers: list[Blocker] = field(default_factory=list)
    edits: EditSet = field(default_factory=EditSet)
    first_declaration: tuple[FileContext, Node] | None = None
    _emit: bool = False
    _visited: set[tuple[str, Key]] = field(default_factory=set)

    def block(self, f: FileContext, node: Node, reason: str | None = None, interface: bool = False) -> None:
        if self._emit:
            self.blockers.append(Blocker(f, node, reason or quote(context_of(node)), interface))

    def _key(self, f: FileContext, node: Node) -> Key:
        return scope.node_key(f.path, node)

    def _file_index(self, f: FileContext) -> nameindex.FileIndex:
        for fi in self.index.files:
            if fi.file is f:
                return fi
        raise KeyError(f.path)

    def _references_to(self, f: FileContext, decl: Node) -> Iterator[Node]:
        """The identifiers of f, within decl's function, that refer to the local decl declares."""
        func = syntax.enclosing_function(decl)
        key = self._key(f, decl)
        for ident in self._file_index(f).idents.get(syntax.text(decl), ()):
            if ident.type != "identifier" or not nameindex.is_reference(ident):
                continue
            if func is not None and not (func.start_byte <= ident.start_byte < func.end_byte):
                continue
            d = scope.declaration_of(ident)
            if d is not None and self._key(f, d) == key:
                yield ident

    def _first_visit(self, kind: str, f: FileContext, node: Node) -> bool:
        k = (kind, self._key(f, node))
        if k in self._visited:
            return False
        self._visited.add(k)
        return True

    def _is_group_type(self, f: FileContext, node: Node) -> bool:
        """Whether a type node denotes the group's type (the nested map, or one of its names)."""
        node = unparen_type(node)
        if node.type == "map_type":
            return normalize(node) == self.group.key
        if node.type in ("type_identifier", "identifier"):
            return syntax.text(node) in self.group.named and scope.declaration_of(node) is None
        return False

    def _note_declaration(self, f: FileContext, node: Node) -> None:
        if self.first_declaration is None and f.editable:
            self.first_declaration = (f, node)

    def _export(self, label: str) -> None:
        name = label.rsplit(".", 1)[-1]
        if name[:1].isupper() and self.pkg.name != "main":
            self.exported.add(label)

    def _add_local(self, f: FileContext, ident: Node) -> None:
        if syntax.text(ident) != "_":
            self.local_vars.setdefault(self._key(f, ident), (f, ident))

    def _add_var(self, f: FileContext, ident: Node) -> None:
        if syntax.text(ident) == "_":
            return
        if syntax.enclosing_function(ident) is None:
            self.pkg_vars.add(syntax.text(ident))
            self._export(syntax.text(ident))
        else:
            self._add_local(f, ident)

    def _add_w_var(self, f: FileContext, ident: Node) -> None:
        if syntax.text(ident) != "_":
            self.w_vars.setdefault(self._key(f, ident), (f, ident))
