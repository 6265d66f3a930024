"""Layer 3 of wrap-inner-map: the context of every O and W expression, and the edits.

O expressions may only be indexed, measured, deleted from, cleared, compared
with nil, ranged over, stored into slots or passed to the package's own
functions declared with the type; W expressions get `.data` except where W
itself is stored or read with comma-ok.
"""

from __future__ import annotations

from tree_sitter import Node

from codemod import golines, syntax
from codemod.context import FileContext
from gofacts import scope
from gofacts.signatures import result_types
from transforms.wrap_inner_map import nameindex
from transforms.wrap_inner_map.editset import CLOSE, DATA, OPEN
from transforms.wrap_inner_map.shapes import climb_parens
from transforms.wrap_inner_map.state import FlowState, Signature


class ValueContexts(FlowState):
    """Layer 3 of wrap-inner-map: the context of every O and W expression, and the edits."""

    # -- layer 3: classifying O expressions ---------------------------------

    def is_slot(self, f: FileContext, node: Node) -> bool:
        """Whether node (an identifier or selector) denotes a variable or field holding O."""
        node = syntax.unparen(node)
        if node.type == "identifier":
            d = scope.declaration_of(node)
            if d is None:
                return syntax.text(node) in self.pkg_vars and nameindex.is_reference(node)
            return self._key(f, d) in self.local_vars
        if node.type == "selector_expression":
            name = syntax.text(node.child_by_field_name("field"))  # type: ignore[arg-type]
            structs = self.fields.get(name)
            return bool(structs) and self._member_owner(f, node, structs, is_method=False) is True
        return False

    def is_o_expr(self, f: FileContext, node: Node) -> bool:
        """Whether node is an expression the analysis knows to have the group's type."""
        node = syntax.unparen(node)
        if node.type in ("identifier", "selector_expression") and self.is_slot(f, node):
            return True
        if node.type == "composite_literal":
            typ = node.child_by_field_name("type")
            return typ is not None and self._is_group_type(f, typ)
        if node.type == "type_conversion_expression":
            typ = node.child_by_field_name("type")
            return typ is not None and self._is_group_type(f, typ)
        if node.type == "call_expression":
            fn = node.child_by_field_name("function")
            args = node.child_by_field_name("arguments")
            if fn is None or args is None:
                return False
            if fn.type == "identifier" and syntax.text(fn) == "make" and self.index.is_builtin(fn):
                return bool(args.named_children) and self._is_group_type(f, args.named_children[0])
            if fn.type == "identifier" and syntax.text(fn) in self.group.named:
                return scope.declaration_of(fn) is None
            sig = self._signature_of_call(f, node)
            return sig is not None and sig.results == [True]
        return False

    def is_w_expr(self, f: FileContext, node: Node) -> bool:
        """Whether node is `o[k]` for an O expression o, or a variable bound to such a value."""
        node = syntax.unparen(node)
        if node.type == "index_expression":
            operand = node.child_by_field_name("operand")
            return operand is not None and self.is_o_expr(f, operand)
        if node.type == "identifier":
            d = scope.declaration_of(node)
            return d is not None and self._key(f, d) in self.w_vars
        return False

    def _signature_of_call(self, f: FileContext, call: Node) -> Signature | None:
        if call.type != "call_expression":
            return None
        fn = call.child_by_field_name("function")
        if fn is None:
            return None
        if fn.type == "identifier" and syntax.text(fn) in self.functions:
            return self.functions[syntax.text(fn)] if scope.declaration_of(fn) is None else None
        if fn.type == "selector_expression":
            name = syntax.text(fn.child_by_field_name("field"))  # type: ignore[arg-type]
            sig = self.methods.get(name)
            if sig is not None and self._member_owner(f, fn, {sig.label.split(".", 1)[0]}, is_method=True):
                return sig
        return None

    def _o_expr(self, f: FileContext, expr: Node) -> None:
        """Check the context of an expression of type O; bind variables it initialises."""
        if not self._first_visit("o", f, expr):
            return
        if expr.type == "composite_literal":
            self._o_literal(f, expr)
        p = climb_parens(expr)
        parent = p.parent
        if parent is None:
            self.block(f, p)
            return
        t = parent.type
        if t == "index_expression":
            if parent.child_by_field_name("operand") == p:
                self._w_expr(f, parent)
            else:
                self.block(f, parent)
        elif t == "argument_list":
            self._o_argument(f, p, parent)
        elif t == "unary_expression" and syntax.text(parent.children[0]) == "&":
            self._o_address(f, parent)
        elif t == "binary_expression":
            other = parent.child_by_field_name("right" if parent.child_by_field_name("left") == p else "left")
            op = parent.child_by_field_name("operator")
            if not (
                other is not None
                and op is not None
                and syntax.text(op) in ("==", "!=")
                and self.index.is_nil(other)
            ):
                self.block(f, parent)
        elif t == "range_clause" and parent.child_by_field_name("right") == p:
            self._o_range(f, parent)
        elif t == "expression_list":
            self._o_in_list(f, p, parent)
        elif t == "literal_element":
            keyed = parent.parent
            if keyed is not None and keyed.type == "literal_value":
                struct = self._literal_struct(f, keyed)
                elements = [e for e in keyed.named_children if e.type != "comment"]
                name = self._struct_field_at(struct or "", elements.index(parent))
                if not struct or name is None or struct not in self.fields.get(name, set()):
                    self.block(f, keyed)
                return
            if not (
                keyed is not None
                and keyed.type == "keyed_element"
                and keyed.child_by_field_name("value") == parent
            ):
                self.block(f, parent)
                return
            key = keyed.child_by_field_name("key")
            struct = self._literal_struct(f, keyed.parent) if keyed.parent is not None else None
            name = syntax.text(key) if key is not None else ""
            if struct is None or struct not in self.fields.get(name, set()):
                self.block(f, keyed)
        elif t == "selector_expression" and parent.child_by_field_name("operand") == p:
            name = syntax.text(parent.child_by_field_name("field"))  # type: ignore[arg-type]
            call = parent.parent
            called = (
                call is not None
                and call.type == "call_expression"
                and call.child_by_field_name("function") == parent
            )
            if name not in self.receiver_methods or not called:
                self.block(f, parent)
        elif t == "type_conversion_expression":
            typ = parent.child_by_field_name("type")
            if typ is None or not self._is_group_type(f, typ):
                self.block(f, parent)
        elif t in ("expression_statement", "go_statement", "defer_statement") and p.type == "call_expression":
            return
        else:
            self.block(f, p)

    def _o_range(self, f: FileContext, clause: Node) -> None:
        left = clause.child_by_field_name("left")
        names = left.named_children if left is not None else []
        if len(names) < 2 or (names[1].type == "identifier" and syntax.text(names[1]) == "_"):
            return
        value = names[1]
        if any(c.type == ":=" for c in clause.children):
            self._add_w_var(f, value)
        elif not self.is_w_expr(f, value):
            self.block(f, clause)

    def _o_in_list(self, f: FileContext, p: Node, lst: Node) -> None:
        holder = lst.parent
        if holder is None:
            self.block(f, p)
            return
        values = lst.named_children
        i = values.index(p)
        if holder.type == "return_statement":
            results = self._enclosing_results(f, holder)
            if results is None or len(results) != len(values) or not results[i]:
                self.block(f, holder, interface=_returns_interface(holder, i))
            return
        if holder.type == "var_spec" and holder.child_by_field_name("value") == lst:
            names = scope.spec_names(holder)
            typ = holder.child_by_field_name("type")
            if len(names) != len(values) or (typ is not None and not self._is_group_type(f, typ)):
                self.block(f, holder)
            elif typ is None:
                self._add_var(f, names[i])
            return
        if (
            holder.type in ("assignment_statement", "short_var_declaration")
            and holder.child_by_field_name("right") == lst
        ):
            left = holder.child_by_field_name("left")
            targets = left.named_children if left is not None else []
            if len(targets) != len(values):
                self.block(f, holder)
                return
            self._o_target(f, holder, targets[i])
            return
        self.block(f, holder)

    def _o_literal(self, f: FileContext, lit: Node) -> None:
        """Elements of an O composite literal are inner maps: wrap each in W."""
        body = lit.child_by_field_name("body")
        if body is None:
            return
        for el in body.named_children:
            if el.type == "comment":
                continue
            value = el.child_by_field_name("value") if el.type == "keyed_element" else None
            inner = value.named_children[0] if value is not None and value.named_children else None
            if inner is None:
                self.block(f, el)
                continue
            if inner.type == "literal_value":
                if self._emit:
                    spelled = golines.reindent(self.group.inner, f.indent(inner.start_byte).decode())
                    self.edits.insert(f.path, inner.start_byte, "{data: " + spelled, OPEN)
                    self.edits.insert(f.path, inner.end_byte, "}", CLOSE)
            else:
                self._store_w(f, inner, literal=True)

    # -- layer 3b: W expressions --------------------------------------------

    def _w_var_uses(self, f: FileContext, decl: Node) -> None:
        for ident in self._references_to(f, decl):
            self._w_expr(f, ident)

    def _w_expr(self, f: FileContext, x: Node) -> None:
        """A W value: `.data` yields the old inner map, except where W itself is stored or tested."""
        if not self._first_visit("w", f, x):
            return
        p = climb_parens(x)
        lst = p.parent
        holder = lst.parent if lst is not None and lst.type == "expression_list" else None
        if holder is not None and holder.type in ("assignment_statement", "short_var_declaration"):
            left, right = holder.child_by_field_name("left"), holder.child_by_field_name("right")
            targets = left.named_children if left is not None else []
            values = right.named_children if right is not None else []
            if lst == left:
                self._w_target(f, holder, p, targets, values)
                return
            if lst == right and len(targets) == 2 and len(values) == 1 and x.type == "index_expression":
                self._comma_ok(f, holder, targets[0])
                return
            if lst == right and len(targets) == len(values):
                target = targets[values.index(p)]
                if self.is_w_expr(f, target):
                    return
        if holder is not None and holder.type == "var_spec" and lst == holder.child_by_field_name("value"):
            names = scope.spec_names(holder)
            if len(names) == 2 and len(lst.named_children) == 1 and x.type == "index_expression":
                if holder.child_by_field_name("type") is not None:
                    self.block(f, holder)
                else:
                    self._add_w_var(f, names[0])
                return
        if lst is not None and lst.type == "literal_element" and self._in_o_literal(f, lst):
            return
        if self._emit:
            self.edits.insert(f.path, x.end_byte, ".data", DATA)

    def _in_o_literal(self, f: FileContext, element: Node) -> bool:
        keyed = element.parent
        body = keyed.parent if keyed is not None else None
        lit = body.parent if body is not None else None
        return (
            keyed is not None
            and keyed.type == "keyed_element"
            and keyed.child_by_field_name("value") == element
            and lit is not None
            and lit.type == "composite_literal"
            and self.is_o_expr(f, lit)
        )

    def _w_target(
        self, f: FileContext, holder: Node, p: Node, targets: list[Node], values: list[Node]
    ) -> None:
        """W stored: `o[k] = v` becomes `o[k] = W{data: v}`; comma-ok re-assignment keeps W."""
        op = holder.child_by_field_name("operator")
        if op is not None and syntax.text(op) != "=":
            self.block(f, holder)
            return
        if len(targets) == len(values):
            self._store_w(f, values[targets.index(p)], literal=False)
        elif len(targets) == 2 and len(values) == 1 and targets[0] == p and self.is_w_expr(f, values[0]):
            pass
        else:
            self.block(f, holder)

    def _comma_ok(self, f: FileContext, holder: Node, target: Node) -> None:
        if target.type == "identifier" and syntax.text(target) == "_":
            return
        if holder.type == "short_var_declaration" and scope.declaration_of(target) == target:
            self._add_w_var(f, target)
        elif not self.is_w_expr(f, target):
            self.block(f, holder)

    def _store_w(self, f: FileContext, value: Node, literal: bool) -> None:
        """Make value, an inner map stored where W is now expected, a W."""
        if self.is_w_expr(f, value) or not self._emit:
            return
        prefix = "" if literal else self.wrapper
        if self.index.is_nil(value):
            self.edits.replace(f.path, value.start_byte, value.end_byte, prefix + "{}")
            return
        self.edits.insert(f.path, value.start_byte, prefix + "{data: ", OPEN)
        self.edits.insert(f.path, value.end_byte, "}", CLOSE)


def _returns_interface(ret: Node, i: int) -> bool:
    """Whether result i of the function holding a return statement has an interface type
    (`any`, `interface{...}`): returning an O value there converts it."""
    func = syntax.enclosing_function(ret)
    types = result_types(func) if func is not None else []
    if i >= len(types):
        return False
    typ = types[i]
    return typ.type == "interface_type" or syntax.text(typ) == "any"
