"""Layer 2a of wrap-inner-map: what each spelling of the group's type declares or builds.

A spelling in a variable, field, parameter or result declaration creates a
slot; in a composite literal, `make` or conversion it builds an O value;
anywhere else (slices, pointers, channels, func types, type arguments,
assertions, anonymous structs) it blocks the group.
"""

from __future__ import annotations

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext
from gofacts import scope
from gofacts.signatures import base_type_name, parameter_types
from transforms.wrap_inner_map.shapes import context_of, is_make_arg, quote, type_context
from transforms.wrap_inner_map.state import FlowState, Signature


class SpellingRules(FlowState):
    """Layer 2a of wrap-inner-map: what each spelling of the group's type declares or builds."""

    # -- layer 2a: spellings of the type -----------------------------------

    def _spelling(self, f: FileContext, node: Node) -> None:
        """Classify one `map[K]map[K2]V` spelling; rewrite it to `map[K]W`."""
        inner = node.child_by_field_name("value")
        if inner is not None and self._emit:
            self.edits.replace(f.path, inner.start_byte, inner.end_byte, self.wrapper)
        self._type_use(f, node)

    def _named_type_uses(self, name: str) -> None:
        for fi in self.index.files:
            for ident in fi.idents.get(name, ()):
                parent = ident.parent
                if (
                    parent is not None
                    and parent.type in ("type_spec", "type_alias")
                    and parent.child_by_field_name("name") == ident
                ):
                    self._named_definition(fi.file, name, parent)
                    continue
                if scope.declaration_of(ident) is not None:
                    continue
                if ident.type == "identifier" and parent is not None and parent.type == "call_expression":
                    args = parent.child_by_field_name("arguments")
                    if parent.child_by_field_name("function") == ident and args is not None:
                        self._conversion(fi.file, parent, args.named_children)
                        continue
                if ident.type == "identifier":
                    if (
                        parent is not None
                        and parent.type == "argument_list"
                        and is_make_arg(ident, self.index)
                    ):
                        self._o_expr(fi.file, parent.parent)  # type: ignore[arg-type]
                        continue
                    self.block(fi.file, ident)
                    continue
                self._type_use(fi.file, ident)

    def _named_definition(self, f: FileContext, name: str, spec: Node) -> None:
        self._note_declaration(f, spec)
        self._export(name)
        if syntax.enclosing_function(spec) is not None:
            self.block(f, spec, f"{name} is declared inside a function")

    def _type_use(self, f: FileContext, node: Node) -> None:
        """Where the type is spelled decides what the spelling declares or builds."""
        parent = node.parent
        if parent is None:
            return
        t = parent.type
        if t in ("type_spec", "type_alias") and parent.child_by_field_name("type") == node:
            if syntax.enclosing_function(parent) is not None:
                self.block(f, parent, f"{syntax.text(parent)} is declared inside a function")
            return
        if t == "var_spec" and parent.child_by_field_name("type") == node:
            self._typed_var_spec(f, parent)
        elif t == "field_declaration" and parent.child_by_field_name("type") == node:
            self._field_declaration(f, parent)
        elif t == "parameter_declaration" and parent.child_by_field_name("type") == node:
            self._parameter(f, parent)
        elif (
            t in ("function_declaration", "method_declaration")
            and parent.child_by_field_name("result") == node
        ):
            self._note_declaration(f, parent)
            self._signature(f, parent)
        elif t == "pointer_type" and node.type == "type_identifier":
            self._pointer_receiver(f, parent)
        elif t == "composite_literal" and parent.child_by_field_name("type") == node:
            self._o_expr(f, parent)
        elif t == "argument_list" and is_make_arg(node, self.index):
            self._o_expr(f, parent.parent)  # type: ignore[arg-type]
        elif t == "type_conversion_expression" and parent.child_by_field_name("type") == node:
            operand = parent.child_by_field_name("operand")
            self._conversion(f, parent, [operand] if operand is not None else [])
        else:
            self.block(f, node, f"the type is used in {quote(type_context(node))}")

    def _typed_var_spec(self, f: FileContext, spec: Node) -> None:
        self._note_declaration(f, spec)
        names = scope.spec_names(spec)
        for n in names:
            self._add_var(f, n)
        value = spec.child_by_field_name("value")
        if value is None:
            return
        values = value.named_children
        if len(values) == len(names):
            for v in values:
                self._inflow(f, v)
        else:
            self.block(f, spec)

    def _field_declaration(self, f: FileContext, decl: Node) -> None:
        self._note_declaration(f, decl)
        struct = decl.parent.parent if decl.parent is not None else None
        spec = struct.parent if struct is not None else None
        names = decl.children_by_field_name("name")
        if (
            struct is None
            or spec is None
            or spec.type != "type_spec"
            or syntax.enclosing_function(spec) is not None
            or not names
        ):
            self.block(
                f, decl, f"field {quote(syntax.text(decl))} is not a named field of a package-level struct"
            )
            return
        struct_name = syntax.text(spec.child_by_field_name("name"))  # type: ignore[arg-type]
        for n in names:
            self.fields.setdefault(syntax.text(n), set()).add(struct_name)
            self._export(f"{struct_name}.{syntax.text(n)}")

    def _parameter(self, f: FileContext, decl: Node) -> None:
        plist = decl.parent
        func = plist.parent if plist is not None else None
        if func is None or func.type not in ("function_declaration", "method_declaration"):
            self.block(f, decl, f"the type is used in {quote(context_of(decl))}")
            return
        self._note_declaration(f, func)
        for n in decl.children_by_field_name("name"):
            self._add_local(f, n)
        if plist == func.child_by_field_name("receiver"):
            name = func.child_by_field_name("name")
            if name is not None:
                self.receiver_methods.add(syntax.text(name))
            return
        self._signature(f, func)

    def _pointer_receiver(self, f: FileContext, ptr: Node) -> None:
        decl = ptr.parent
        plist = decl.parent if decl is not None else None
        func = plist.parent if plist is not None else None
        if (
            func is not None
            and func.type == "method_declaration"
            and plist == func.child_by_field_name("receiver")
        ):
            self.block(
                f, func, f"method {syntax.text(func.child_by_field_name('name'))} has a pointer receiver"
            )  # type: ignore[arg-type]
        else:
            self.block(f, ptr, f"the type is used in {quote(context_of(ptr))}")

    def _signature(self, f: FileContext, func: Node) -> None:
        name_node = func.child_by_field_name("name")
        if name_node is None:
            return
        name = syntax.text(name_node)
        params, variadic = self._positions(f, func.child_by_field_name("parameters"))
        results, _ = self._positions(f, func.child_by_field_name("result"))
        if func.type == "function_declaration":
            sig = Signature(name, f, func, params, variadic, results)
            if name not in self.functions:
                self.functions[name] = sig
                self._export(name)
            return
        recv = parameter_types(func)
        recv_type = next(iter(recv.values()), "") if func.child_by_field_name("receiver") else ""
        label = f"{base_type_name(recv_type) or '?'}.{name}"
        if name not in self.methods:
            self.methods[name] = Signature(label, f, func, params, variadic, results)
            self._export(label)
        if len(self.index.methods.get(name, ())) != 1:
            self.block(f, func, f"method {label} shares its name with another method of the package")

    def _positions(self, f: FileContext, plist: Node | None) -> tuple[list[bool], bool]:
        if plist is None:
            return [], False
        if plist.type != "parameter_list":
            return [self._is_group_type(f, plist)], False
        out: list[bool] = []
        variadic = False
        for p in plist.named_children:
            if p.type not in ("parameter_declaration", "variadic_parameter_declaration"):
                continue
            typ = p.child_by_field_name("type")
            is_o = typ is not None and self._is_group_type(f, typ)
            variadic = variadic or p.type == "variadic_parameter_declaration"
            out.extend([is_o] * max(1, len(p.children_by_field_name("name"))))
        return out, variadic

    def _conversion(self, f: FileContext, conv: Node, operands: list[Node]) -> None:
        if len(operands) != 1:
            self.block(f, conv)
            return
        self._inflow(f, operands[0])
        self._o_expr(f, conv)
