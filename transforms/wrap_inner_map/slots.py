"""Layer 2b of wrap-inner-map: every use of every slot and function of the group.

A use is a write (whose value must be an O expression or nil) or a read
(an O expression, classified by wrap_values). Selectors are matched to the
group's fields and methods by unique unexported names or by declared types.
"""

from __future__ import annotations

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext
from gofacts import scope
from gofacts.signatures import base_type_name
from transforms.wrap_inner_map import nameindex
from transforms.wrap_inner_map.shapes import assignment_target, context_of, names_type, quote, rhs_for
from transforms.wrap_inner_map.state import FlowState, Signature


class SlotUses(FlowState):
    """Layer 2b of wrap-inner-map: every use of every slot and function of the group."""

    # -- layer 2b: uses of slots -------------------------------------------

    def _local_var_uses(self, f: FileContext, decl: Node) -> None:
        for ident in self._references_to(f, decl):
            self._slot_reference(f, ident)

    def _pkg_var_uses(self, name: str) -> None:
        for fi in self.index.files:
            for ident in fi.idents.get(name, ()):
                if ident.type != "identifier" or not nameindex.is_reference(ident):
                    continue
                if scope.declaration_of(ident) is None:
                    self._slot_reference(fi.file, ident)

    def _slot_reference(self, f: FileContext, ref: Node) -> None:
        """A use of a variable or field holding O: a write (checked later) or a read."""
        target, holder = assignment_target(ref)
        if holder is None:
            self._o_expr(f, ref)
            return
        if holder.type in ("range_clause", "receive_statement"):
            self.block(f, holder)
            return
        if holder.type == "short_var_declaration" and scope.declaration_of(ref) == ref:
            return
        op = holder.child_by_field_name("operator")
        if op is not None and syntax.text(op) != "=":
            self.block(f, holder)
            return
        rhs = rhs_for(holder, target)
        if rhs is None:
            self._tuple_inflow(f, holder, target)
        else:
            self._inflow(f, rhs)

    def _inflow(self, f: FileContext, value: Node) -> None:
        """A value stored into a slot: it must be an O expression or nil."""
        if not self._emit or self.index.is_nil(value) or self.is_o_expr(f, value):
            return
        self.block(f, value)

    def _tuple_inflow(self, f: FileContext, holder: Node, position: int) -> None:
        right = holder.child_by_field_name("right") or holder.child_by_field_name("value")
        values = right.named_children if right is not None else []
        call = syntax.unparen(values[0]) if len(values) == 1 else None
        sig = self._signature_of_call(f, call) if call is not None else None
        if sig is None or position >= len(sig.results) or not sig.results[position]:
            self.block(f, holder)

    def _field_uses(self, name: str) -> None:
        structs = self.fields[name]
        for fi in self.index.files:
            for sel in fi.selectors.get(name, ()):
                owner = self._member_owner(fi.file, sel, structs, is_method=False)
                if owner is None:
                    self.block(fi.file, sel, f"cannot tell which {name} {quote(syntax.text(sel))} selects")
                elif owner:
                    self._slot_reference(fi.file, sel)
            for body in fi.positional:
                struct = self._literal_struct(fi.file, body, structs)
                if struct not in structs:
                    continue
                elements = [e for e in body.named_children if e.type != "comment"]
                for i, el in enumerate(elements):
                    if self._struct_field_at(struct or "", i) == name and el.named_children:
                        self._inflow(fi.file, el.named_children[0])
            for keyed in fi.keys.get(name, ()):
                struct = self._literal_struct(fi.file, keyed.parent)  # type: ignore[arg-type]
                value = keyed.child_by_field_name("value")
                if struct is None:
                    self.block(
                        fi.file,
                        keyed,
                        f"cannot tell the type of the literal holding {quote(syntax.text(keyed))}",
                    )
                elif struct in structs and value is not None and value.named_children:
                    self._inflow(fi.file, value.named_children[0])

    def _member_owner(self, f: FileContext, sel: Node, owners: set[str], is_method: bool) -> bool | None:
        """Whether selector sel denotes the member of one of owners: True, False, or None (unknown)."""
        name = syntax.text(sel.child_by_field_name("field"))  # type: ignore[arg-type]
        operand = sel.child_by_field_name("operand")
        if operand is None:
            return None
        if (
            operand.type == "identifier"
            and syntax.text(operand) in f.imported_names
            and (
                scope.declaration_of(operand) is None and syntax.text(operand) not in self.pkg.top_level_names
            )
        ):
            return False
        if not name[:1].isupper() and self.index.members.get(name, 0) == 1:
            return True
        typ = self.expr_type(f, operand)
        if typ is None:
            return None
        base = base_type_name(typ)
        if base is None:
            return False
        if base in owners:
            return True
        return self._embeds(base, owners, is_method)

    def _embeds(self, base: str, owners: set[str], is_method: bool, depth: int = 0) -> bool | None:
        """Whether type base reaches one of owners through embedded fields (None: cannot tell)."""
        spec = self.index.types.get(base)
        if spec is None:
            return False
        struct = spec[1].child_by_field_name("type")
        if struct is None or struct.type != "struct_type" or depth > 4:
            return None if struct is not None and struct.type == "interface_type" else False
        for decl in syntax.named_walk(struct, prune=frozenset({"field_declaration"})):
            if decl.type == "field_declaration" and not decl.children_by_field_name("name"):
                typ = decl.child_by_field_name("type")
                inner = base_type_name(syntax.text(typ)) if typ is not None else None
                if inner is None:
                    return None
                if inner in owners:
                    return True
                sub = self._embeds(inner, owners, is_method, depth + 1)
                if sub is not False:
                    return sub
        return False

    def _function_uses(self, name: str) -> None:
        sig = self.functions[name]
        for fi in self.index.files:
            for ident in fi.idents.get(name, ()):
                if ident.type != "identifier" or not nameindex.is_reference(ident):
                    continue
                if scope.declaration_of(ident) is not None:
                    continue
                parent = ident.parent
                if (
                    parent is not None
                    and parent.type == "call_expression"
                    and parent.child_by_field_name("function") == ident
                ):
                    self._call(fi.file, parent, sig)
                else:
                    self.block(
                        fi.file, ident, f"{name} is used as a function value in {quote(context_of(ident))}"
                    )

    def _method_uses(self, name: str) -> None:
        sig = self.methods[name]
        owner = sig.label.split(".", 1)[0]
        for fi in self.index.files:
            for sel in fi.selectors.get(name, ()):
                ours = self._member_owner(fi.file, sel, {owner}, is_method=True)
                if ours is None:
                    self.block(fi.file, sel, f"cannot tell which {name} {quote(syntax.text(sel))} selects")
                    continue
                if not ours:
                    continue
                parent = sel.parent
                operand = sel.child_by_field_name("operand")
                if operand is not None and names_type(operand, self.index):
                    self.block(fi.file, sel, f"method expression {quote(syntax.text(sel))}")
                elif (
                    parent is not None
                    and parent.type == "call_expression"
                    and parent.child_by_field_name("function") == sel
                ):
                    self._call(fi.file, parent, sig)
                else:
                    self.block(fi.file, sel, f"method value {quote(syntax.text(sel))}")

    def _call(self, f: FileContext, call: Node, sig: Signature) -> None:
        args_node = call.child_by_field_name("arguments")
        args = [a for a in (args_node.named_children if args_node is not None else []) if a.type != "comment"]
        if any(sig.params):
            spread = any(c.type == "..." for c in (args_node.children if args_node is not None else []))
            if spread or (len(args) != len(sig.params) and not sig.variadic):
                self.block(f, call)
            else:
                for i, is_o in enumerate(sig.params):
                    if is_o and i < len(args):
                        self._inflow(f, args[i])
        if len(sig.results) == 1 and sig.results[0]:
            self._o_expr(f, call)
        elif any(sig.results):
            self._tuple_call(f, call, sig)

    def _tuple_call(self, f: FileContext, call: Node, sig: Signature) -> None:
        """A call returning several results, some of type O."""
        parent = call.parent
        if parent is None:
            return
        if parent.type in ("expression_statement", "go_statement", "defer_statement"):
            return
        holder = parent.parent if parent.type == "expression_list" else None
        if holder is None or len(parent.named_children) != 1:
            self.block(f, call)
            return
        if holder.type == "return_statement":
            results = self._enclosing_results(f, holder)
            if results != sig.results:
                self.block(f, holder)
            return
        left = holder.child_by_field_name("left")
        names = left.named_children if left is not None else scope.spec_names(holder)
        if holder.type == "var_spec" and holder.child_by_field_name("type") is not None:
            self.block(f, holder)
            return
        if holder.type not in ("assignment_statement", "short_var_declaration", "var_spec") or len(
            names
        ) != len(sig.results):
            self.block(f, call)
            return
        for target, is_o in zip(names, sig.results, strict=True):
            if is_o:
                self._o_target(f, holder, target)

    def _o_target(self, f: FileContext, holder: Node, target: Node) -> None:
        """An O value stored into target (an identifier or selector on the left of holder)."""
        target = syntax.unparen(target)
        if target.type == "identifier" and syntax.text(target) == "_":
            return
        if holder.type == "var_spec" or (
            holder.type == "short_var_declaration" and scope.declaration_of(target) == target
        ):
            if holder.type == "var_spec" and holder.child_by_field_name("type") is not None:
                return
            self._add_var(f, target)
            return
        if not self.is_slot(f, target):
            self.block(f, holder)

    def _enclosing_results(self, f: FileContext, node: Node) -> list[bool] | None:
        func = syntax.enclosing_function(node)
        if func is None or func.type == "func_literal":
            return None
        results, _ = self._positions(f, func.child_by_field_name("result"))
        return results
