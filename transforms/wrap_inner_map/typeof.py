"""The few expression types wrap-inner-map needs: selector operands and literal types.

Like goscope, it answers None whenever the type is not certain; callers
then block rather than guess.
"""

from __future__ import annotations

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext
from gofacts import goscope, scope
from transforms.wrap_inner_map.state import FlowState


class TypeOf(FlowState):
    """The few expression types wrap-inner-map needs: selector operands and literal types."""

    # -- types of expressions ----------------------------------------------

    def expr_type(self, f: FileContext, node: Node, depth: int = 0) -> str | None:
        """The type text of a few expression forms, or None when not certain."""
        node = syntax.unparen(node)
        if depth > 6:
            return None
        if node.type == "identifier":
            return goscope.local_type(syntax.text(node), node, f, self.pkg)
        if node.type == "selector_expression":
            operand = node.child_by_field_name("operand")
            base_text = self.expr_type(f, operand, depth + 1) if operand is not None else None
            base = goscope.base_type_name(base_text)
            spec = self.index.types.get(base) if base else None
            if spec is None:
                return None
            struct = spec[1].child_by_field_name("type")
            if struct is None or struct.type != "struct_type":
                return None
            return goscope.struct_fields(struct).get(syntax.text(node.child_by_field_name("field")))  # type: ignore[arg-type]
        if node.type == "unary_expression":
            operand = node.child_by_field_name("operand")
            op = syntax.text(node.children[0])
            inner = self.expr_type(f, operand, depth + 1) if operand is not None else None
            if inner is None:
                return None
            if op == "&":
                return "*" + inner
            if op == "*" and inner.startswith("*"):
                return inner[1:]
            return None
        return goscope.expression_type(node, self.pkg, goscope.function_results(self.pkg))

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
