"""The few expression types wrap-inner-map needs: selector operands and literal types.

Expression types come from gofacts.types, which answers None whenever a type
is not certain; callers then block rather than guess.
"""

from __future__ import annotations

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext
from gofacts import scope
from gofacts.types import PackageTypes
from transforms.wrap_inner_map.state import FlowState


class TypeOf(FlowState):
    """The few expression types wrap-inner-map needs: selector operands and literal types."""

    # -- types of expressions ----------------------------------------------

    def expr_type(self, f: FileContext, node: Node) -> str | None:
        """The type of an expression as it is written, or None when not certain (gofacts.types)."""
        return PackageTypes.of(self.pkg).expression_text(syntax.unparen(node), f)

    def _literal_struct(self, f: FileContext, body: Node, among: set[str] | None = None) -> str | None:
        """The package struct type a literal_value builds, or None if it cannot be told.

        With among, the answer for a type named otherwise is "" (without looking
        at its declaration): only whether the answer is among them is wanted.
        """
        typ = self._literal_type(body)
        if typ is None:
            return None
        while typ.type in ("pointer_type", "parenthesized_type", "generic_type") and typ.named_children:
            typ = typ.child_by_field_name("type") or typ.named_children[0]
        if typ.type != "type_identifier":
            return ""
        name = syntax.text(typ)
        if among is not None and name not in among:
            return ""
        spec = self.index.types.get(name)
        if spec is None or scope.declaration_of(typ) is not None:
            return None
        underlying = spec[1].child_by_field_name("type")
        return name if underlying is not None and underlying.type == "struct_type" else ""

    def _struct_field_at(self, struct: str, position: int) -> str | None:
        """The name of the field at position in a package struct's declaration order."""
        spec = self.index.types.get(struct)
        typ = spec[1].child_by_field_name("type") if spec is not None else None
        if typ is None or typ.type != "struct_type":
            return None
        names: list[str] = []
        for decl in syntax.named_walk(typ, prune=frozenset({"field_declaration"})):
            if decl.type == "field_declaration":
                declared = decl.children_by_field_name("name")
                names.extend(syntax.text(n) for n in declared) if declared else names.append("")
        return names[position] if position < len(names) else None

    def _literal_type(self, body: Node) -> Node | None:
        parent = body.parent
        if parent is None:
            return None
        if parent.type == "composite_literal":
            return parent.child_by_field_name("type")
        if parent.type != "literal_element":
            return None
        keyed = parent.parent
        outer_body = keyed.parent if keyed is not None and keyed.type == "keyed_element" else keyed
        if outer_body is None or outer_body.type != "literal_value":
            return None
        outer = self._literal_type(outer_body)
        outer = self._underlying(outer)
        if outer is None:
            return None
        if outer.type in ("slice_type", "array_type", "implicit_length_array_type"):
            return outer.child_by_field_name("element")
        if outer.type == "map_type":
            is_key = (
                keyed is not None
                and keyed.type == "keyed_element"
                and keyed.child_by_field_name("key") == parent
            )
            return outer.child_by_field_name("key" if is_key else "value")
        return None

    def _underlying(self, typ: Node | None) -> Node | None:
        for _ in range(8):
            if typ is None or typ.type != "type_identifier":
                return typ
            spec = self.index.types.get(syntax.text(typ))
            if spec is None:
                return typ
            typ = spec[1].child_by_field_name("type")
        return None
