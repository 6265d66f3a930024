"""Following every value of a nested map group through a package (wrap-inner-map, layers 2-4).

Vocabulary: O is the group's outer type (`map[K]map[K2]V`, or a named type of
the group), I its inner map type (`map[K2]V`) and W the wrapper
(`struct{ data I }`). After the rewrite O is `map[K]W`.

*Slots* hold O values: variables (declared with the type, or inferred from an
O value by `:=` / `var x = ...`), struct fields, parameters and results of
the package's functions and methods. *O expressions* are the uses of slots,
calls of functions returning O, and composite literals, `make` calls and
conversions spelling the type. *W expressions* are `o[k]` for an O
expression o, and the variables that comma-ok and range bind to such values.

Soundness rests on two checks made for every slot and every O expression:

  - each O expression appears only where Go's rules keep the program's
    meaning once O becomes `map[K]W`: indexing, len/delete/clear, nil
    comparison, range, assignment to another slot, an argument or result of
    a package function declared with the type, json.Marshal and friends
    (the wrapper gets MarshalJSON/UnmarshalJSON), reflect.DeepEqual;
  - each value stored into a slot is an O expression or nil.

Anything else (conversion to an interface, a function of another package,
`&x`, a generic function, a function value, a channel, reflection) blocks the
whole group. W expressions need no such care: appending `.data` yields
exactly the inner map they held before, so every W expression gets `.data`
except where it is stored (`o[k] = v` becomes `o[k] = W{data: v}`, since a
field of a map element cannot be assigned) or read with comma-ok.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from tree_sitter import Node

from codemod import golines, syntax
from codemod.context import FileContext, PackageContext
from transforms import goscope, wrap_index, wrap_scope
from transforms.wrap_edits import CLOSE, DATA, OPEN, EditSet
from transforms.wrap_types import Group, normalize

Key = tuple[str, int, int]

_JSON_ENCODE = frozenset({"Marshal", "MarshalIndent"})
_MAX_QUOTE = 72


@dataclass(frozen=True)
class Blocker:
    """A use that cannot be rewritten with certainty, named stably: file name and source text."""

    file: FileContext
    node: Node
    reason: str

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
class Flow:
    """The analysis of one group: its slots, uses, blockers and the edits that rewrite it."""

    pkg: PackageContext
    index: wrap_index.PackageIndex
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

    # -- driver --------------------------------------------------------------

    def analyse(self) -> None:
        """Discover every slot (to a fixed point), then classify every use and emit edits."""
        for _ in range(16):
            before = self._size()
            self._run(emit=False)
            if self._size() == before:
                break
        self._run(emit=True)

    def _size(self) -> tuple[int, ...]:
        return (
            len(self.local_vars), len(self.pkg_vars), sum(map(len, self.fields.values())),
            len(self.functions), len(self.methods), len(self.w_vars), len(self.receiver_methods),
        )

    def _run(self, emit: bool) -> None:
        self._emit = emit
        self._visited = set()
        self.blockers = []
        self.edits = EditSet()
        self.json_used = False
        for s in self.group.spellings:
            self._spelling(s.file, s.node)
        for name in sorted(self.group.named):
            self._named_type_uses(name)
        done: set[object] = set()
        while True:
            pending = [
                *(("local", k) for k in self.local_vars if ("local", k) not in done),
                *(("pkg", n) for n in sorted(self.pkg_vars) if ("pkg", n) not in done),
                *(("field", n) for n in sorted(self.fields) if ("field", n) not in done),
                *(("func", n) for n in sorted(self.functions) if ("func", n) not in done),
                *(("method", n) for n in sorted(self.methods) if ("method", n) not in done),
                *(("w", k) for k in self.w_vars if ("w", k) not in done),
            ]
            if not pending:
                break
            for item in pending:
                done.add(item)
                kind, what = item
                if kind == "local":
                    self._local_var_uses(*self.local_vars[what])  # type: ignore[index]
                elif kind == "pkg":
                    self._pkg_var_uses(what)  # type: ignore[arg-type]
                elif kind == "field":
                    self._field_uses(what)  # type: ignore[arg-type]
                elif kind == "func":
                    self._function_uses(what)  # type: ignore[arg-type]
                elif kind == "method":
                    self._method_uses(what)  # type: ignore[arg-type]
                else:
                    self._w_var_uses(*self.w_vars[what])  # type: ignore[index]

    # -- helpers -------------------------------------------------------------

    def block(self, f: FileContext, node: Node, reason: str | None = None) -> None:
        if self._emit:
            self.blockers.append(Blocker(f, node, reason or _quote(_context_of(node))))

    def _key(self, f: FileContext, node: Node) -> Key:
        return wrap_scope.node_key(f.path, node)

    def _first_visit(self, kind: str, f: FileContext, node: Node) -> bool:
        k = (kind, self._key(f, node))
        if k in self._visited:
            return False
        self._visited.add(k)
        return True

    def _is_group_type(self, f: FileContext, node: Node) -> bool:
        """Whether a type node denotes the group's type (the nested map, or one of its names)."""
        node = _unparen_type(node)
        if node.type == "map_type":
            return normalize(node) == self.group.key
        if node.type in ("type_identifier", "identifier"):
            return syntax.text(node) in self.group.named and wrap_scope.declaration_of(node) is None
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
                if parent is not None and parent.type in ("type_spec", "type_alias"):
                    if parent.child_by_field_name("name") == ident:
                        self._named_definition(fi.file, name, parent)
                        continue
                if wrap_scope.declaration_of(ident) is not None:
                    continue
                if ident.type == "identifier" and parent is not None and parent.type == "call_expression":
                    args = parent.child_by_field_name("arguments")
                    if parent.child_by_field_name("function") == ident and args is not None:
                        self._conversion(fi.file, parent, args.named_children)
                        continue
                if ident.type == "identifier":
                    if parent is not None and parent.type == "argument_list" and _is_make_arg(ident, self.index):
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
        elif t in ("function_declaration", "method_declaration") and parent.child_by_field_name("result") == node:
            self._note_declaration(f, parent)
            self._signature(f, parent)
        elif t == "pointer_type" and node.type == "type_identifier":
            self._pointer_receiver(f, parent)
        elif t == "composite_literal" and parent.child_by_field_name("type") == node:
            self._o_expr(f, parent)
        elif t == "argument_list" and _is_make_arg(node, self.index):
            self._o_expr(f, parent.parent)  # type: ignore[arg-type]
        elif t == "type_conversion_expression" and parent.child_by_field_name("type") == node:
            operand = parent.child_by_field_name("operand")
            self._conversion(f, parent, [operand] if operand is not None else [])
        else:
            self.block(f, node, f"the type is used in {_quote(_type_context(node))}")

    def _typed_var_spec(self, f: FileContext, spec: Node) -> None:
        self._note_declaration(f, spec)
        names = wrap_scope.spec_names(spec)
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
            self.block(f, decl, f"field {_quote(syntax.text(decl))} is not a named field of a package-level struct")
            return
        struct_name = syntax.text(spec.child_by_field_name("name"))  # type: ignore[arg-type]
        for n in names:
            self.fields.setdefault(syntax.text(n), set()).add(struct_name)
            self._export(f"{struct_name}.{syntax.text(n)}")

    def _parameter(self, f: FileContext, decl: Node) -> None:
        plist = decl.parent
        func = plist.parent if plist is not None else None
        if func is None or func.type not in ("function_declaration", "method_declaration"):
            self.block(f, decl, f"the type is used in {_quote(_context_of(decl))}")
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
        if func is not None and func.type == "method_declaration" and plist == func.child_by_field_name("receiver"):
            self.block(f, func, f"method {syntax.text(func.child_by_field_name('name'))} has a pointer receiver")  # type: ignore[arg-type]
        else:
            self.block(f, ptr, f"the type is used in {_quote(_context_of(ptr))}")

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
        recv = goscope.parameter_types(func)
        recv_type = next(iter(recv.values()), "") if func.child_by_field_name("receiver") else ""
        label = f"{goscope.base_type_name(recv_type) or '?'}.{name}"
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

    # -- layer 2b: uses of slots -------------------------------------------

    def _local_var_uses(self, f: FileContext, decl: Node) -> None:
        func = syntax.enclosing_function(decl)
        key = self._key(f, decl)
        fi = self._file_index(f)
        for ident in fi.idents.get(syntax.text(decl), ()):
            if ident.type != "identifier" or not wrap_index.is_reference(ident):
                continue
            if func is not None and not (func.start_byte <= ident.start_byte < func.end_byte):
                continue
            d = wrap_scope.declaration_of(ident)
            if d is not None and self._key(f, d) == key:
                self._slot_reference(f, ident)

    def _pkg_var_uses(self, name: str) -> None:
        for fi in self.index.files:
            for ident in fi.idents.get(name, ()):
                if ident.type != "identifier" or not wrap_index.is_reference(ident):
                    continue
                if wrap_scope.declaration_of(ident) is None:
                    self._slot_reference(fi.file, ident)

    def _file_index(self, f: FileContext) -> wrap_index.FileIndex:
        for fi in self.index.files:
            if fi.file is f:
                return fi
        raise KeyError(f.path)

    def _slot_reference(self, f: FileContext, ref: Node) -> None:
        """A use of a variable or field holding O: a write (checked later) or a read."""
        target, holder = _assignment_target(ref)
        if holder is None:
            self._o_expr(f, ref)
            return
        if holder.type in ("range_clause", "receive_statement"):
            self.block(f, holder)
            return
        if holder.type == "short_var_declaration" and wrap_scope.declaration_of(ref) == ref:
            return
        op = holder.child_by_field_name("operator")
        if op is not None and syntax.text(op) != "=":
            self.block(f, holder)
            return
        rhs = _rhs_for(holder, target)
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
                    self.block(fi.file, sel, f"cannot tell which {name} {_quote(syntax.text(sel))} selects")
                elif owner:
                    self._slot_reference(fi.file, sel)
            for keyed in fi.keys.get(name, ()):
                struct = self._literal_struct(fi.file, keyed.parent)  # type: ignore[arg-type]
                value = keyed.child_by_field_name("value")
                if struct is None:
                    self.block(fi.file, keyed, f"cannot tell the type of the literal holding {_quote(syntax.text(keyed))}")
                elif struct in structs and value is not None and value.named_children:
                    self._inflow(fi.file, value.named_children[0])

    def _member_owner(self, f: FileContext, sel: Node, owners: set[str], is_method: bool) -> bool | None:
        """Whether selector sel denotes the member of one of owners: True, False, or None (unknown)."""
        name = syntax.text(sel.child_by_field_name("field"))  # type: ignore[arg-type]
        operand = sel.child_by_field_name("operand")
        if operand is None:
            return None
        if operand.type == "identifier" and syntax.text(operand) in f.imported_names and (
            wrap_scope.declaration_of(operand) is None and syntax.text(operand) not in self.pkg.top_level_names
        ):
            return False
        if not name[:1].isupper() and self.index.members.get(name, 0) == 1:
            return True
        typ = self.expr_type(f, operand)
        if typ is None:
            return None
        base = goscope.base_type_name(typ)
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
                inner = goscope.base_type_name(syntax.text(typ)) if typ is not None else None
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
                if ident.type != "identifier" or not wrap_index.is_reference(ident):
                    continue
                if wrap_scope.declaration_of(ident) is not None:
                    continue
                parent = ident.parent
                if parent is not None and parent.type == "call_expression" and parent.child_by_field_name(
                    "function"
                ) == ident:
                    self._call(fi.file, parent, sig)
                else:
                    self.block(fi.file, ident, f"{name} is used as a function value in {_quote(_context_of(ident))}")

    def _method_uses(self, name: str) -> None:
        sig = self.methods[name]
        owner = sig.label.split(".", 1)[0]
        for fi in self.index.files:
            for sel in fi.selectors.get(name, ()):
                ours = self._member_owner(fi.file, sel, {owner}, is_method=True)
                if ours is None:
                    self.block(fi.file, sel, f"cannot tell which {name} {_quote(syntax.text(sel))} selects")
                    continue
                if not ours:
                    continue
                parent = sel.parent
                operand = sel.child_by_field_name("operand")
                if operand is not None and _names_type(operand, self.index):
                    self.block(fi.file, sel, f"method expression {_quote(syntax.text(sel))}")
                elif parent is not None and parent.type == "call_expression" and parent.child_by_field_name(
                    "function"
                ) == sel:
                    self._call(fi.file, parent, sig)
                else:
                    self.block(fi.file, sel, f"method value {_quote(syntax.text(sel))}")

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
        names = left.named_children if left is not None else wrap_scope.spec_names(holder)
        if holder.type == "var_spec" and holder.child_by_field_name("type") is not None:
            self.block(f, holder)
            return
        if holder.type not in ("assignment_statement", "short_var_declaration", "var_spec") or len(names) != len(
            sig.results
        ):
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
            holder.type == "short_var_declaration" and wrap_scope.declaration_of(target) == target
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

    # -- layer 3: classifying O expressions ---------------------------------

    def is_slot(self, f: FileContext, node: Node) -> bool:
        """Whether node (an identifier or selector) denotes a variable or field holding O."""
        node = syntax.unparen(node)
        if node.type == "identifier":
            d = wrap_scope.declaration_of(node)
            if d is None:
                return syntax.text(node) in self.pkg_vars and wrap_index.is_reference(node)
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
                return wrap_scope.declaration_of(fn) is None
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
            d = wrap_scope.declaration_of(node)
            return d is not None and self._key(f, d) in self.w_vars
        return False

    def _signature_of_call(self, f: FileContext, call: Node) -> Signature | None:
        if call.type != "call_expression":
            return None
        fn = call.child_by_field_name("function")
        if fn is None:
            return None
        if fn.type == "identifier" and syntax.text(fn) in self.functions:
            return self.functions[syntax.text(fn)] if wrap_scope.declaration_of(fn) is None else None
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
        p = _climb_parens(expr)
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
            if not (other is not None and op is not None and syntax.text(op) in ("==", "!=") and self.index.is_nil(other)):
                self.block(f, parent)
        elif t == "range_clause" and parent.child_by_field_name("right") == p:
            self._o_range(f, parent)
        elif t == "expression_list":
            self._o_in_list(f, p, parent)
        elif t == "literal_element":
            keyed = parent.parent
            if not (keyed is not None and keyed.type == "keyed_element" and keyed.child_by_field_name("value") == parent):
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
            called = call is not None and call.type == "call_expression" and call.child_by_field_name("function") == parent
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

    def _o_argument(self, f: FileContext, arg: Node, args: Node) -> None:
        call = args.parent
        fn = call.child_by_field_name("function") if call is not None else None
        if call is None or fn is None:
            self.block(f, arg)
            return
        position = [a for a in args.named_children if a.type != "comment"].index(arg)
        if fn.type == "identifier" and self.index.is_builtin(fn):
            name = syntax.text(fn)
            if name in ("len", "clear") or (name == "delete" and position == 0):
                return
            self.block(f, call)
            return
        if fn.type == "identifier" and syntax.text(fn) in self.group.named and wrap_scope.declaration_of(fn) is None:
            return  # a conversion to a named type of the group: itself an O expression
        sig = self._signature_of_call(f, call)
        if sig is not None:
            if position < len(sig.params) and sig.params[position] and not (sig.variadic and position == len(sig.params) - 1):
                return
            self.block(f, call)
            return
        if self._external_call(f, fn) == ("reflect", "DeepEqual"):
            return
        if self._json_call(f, fn, position, addressed=False):
            return
        self.block(f, call)

    def _o_address(self, f: FileContext, unary: Node) -> None:
        p = _climb_parens(unary)
        args = p.parent
        call = args.parent if args is not None and args.type == "argument_list" else None
        fn = call.child_by_field_name("function") if call is not None else None
        if args is None or fn is None:
            self.block(f, unary)
            return
        position = [a for a in args.named_children if a.type != "comment"].index(p)
        if not self._json_call(f, fn, position, addressed=True):
            self.block(f, call or unary)

    def _json_call(self, f: FileContext, fn: Node, position: int, addressed: bool) -> bool:
        """json.Marshal(o), json.MarshalIndent(o, ...), json.Unmarshal(b, &o), enc.Encode(o), dec.Decode(&o)."""
        ext = self._external_call(f, fn)
        ok = False
        if ext is not None and ext[0] == "encoding/json":
            ok = (ext[1] in _JSON_ENCODE and position == 0 and not addressed) or (
                ext[1] == "Unmarshal" and position == 1 and addressed
            )
        elif fn.type == "selector_expression":
            method = syntax.text(fn.child_by_field_name("field"))  # type: ignore[arg-type]
            operand = fn.child_by_field_name("operand")
            made = self._json_constructor(f, operand) if operand is not None else None
            ok = (made == "NewEncoder" and method == "Encode" and not addressed) or (
                made == "NewDecoder" and method == "Decode" and addressed
            )
            ok = ok and position == 0
        if ok:
            self.json_used = True
        return ok

    def _json_constructor(self, f: FileContext, operand: Node) -> str | None:
        """"NewEncoder"/"NewDecoder" when operand is json.NewX(...) or a variable only ever set so."""
        operand = syntax.unparen(operand)
        if operand.type == "call_expression":
            ext = self._external_call(f, operand.child_by_field_name("function"))
            return ext[1] if ext is not None and ext[0] == "encoding/json" else None
        if operand.type != "identifier":
            return None
        d = wrap_scope.declaration_of(operand)
        holder = d.parent.parent if d is not None and d.parent is not None else None
        if holder is None or holder.type != "short_var_declaration":
            return None
        right = holder.child_by_field_name("right")
        values = right.named_children if right is not None else []
        if len(values) != 1 or values[0].type != "call_expression":
            return None
        scope = syntax.enclosing_function(holder)
        if scope is None or goscope.assigns_to(syntax.text(operand), scope, after=holder.end_byte):
            return None
        return self._json_constructor(f, values[0])

    def _external_call(self, f: FileContext, fn: Node | None) -> tuple[str, str] | None:
        """(import path, member) when fn is pkg.Member for an imported package."""
        if fn is None or fn.type != "selector_expression":
            return None
        operand = fn.child_by_field_name("operand")
        member = fn.child_by_field_name("field")
        if operand is None or member is None or operand.type != "identifier":
            return None
        qual = syntax.text(operand)
        if wrap_scope.declaration_of(operand) is not None or qual in self.pkg.top_level_names:
            return None
        for name, path, _ in f.import_specs:
            if (name or path.rsplit("/", 1)[-1]) == qual:
                return path, syntax.text(member)
        return None

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
                self.block(f, holder)
            return
        if holder.type == "var_spec" and holder.child_by_field_name("value") == lst:
            names = wrap_scope.spec_names(holder)
            typ = holder.child_by_field_name("type")
            if len(names) != len(values) or (typ is not None and not self._is_group_type(f, typ)):
                self.block(f, holder)
            elif typ is None:
                self._add_var(f, names[i])
            return
        if holder.type in ("assignment_statement", "short_var_declaration") and holder.child_by_field_name(
            "right"
        ) == lst:
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
                    self.edits.insert(f.path, inner.start_byte, "{data: " + self.group.inner, OPEN)
                    self.edits.insert(f.path, inner.end_byte, "}", CLOSE)
            else:
                self._store_w(f, inner, literal=True)

    # -- layer 3b: W expressions --------------------------------------------

    def _w_var_uses(self, f: FileContext, decl: Node) -> None:
        func = syntax.enclosing_function(decl)
        key = self._key(f, decl)
        for ident in self._file_index(f).idents.get(syntax.text(decl), ()):
            if ident.type != "identifier" or not wrap_index.is_reference(ident):
                continue
            if func is not None and not (func.start_byte <= ident.start_byte < func.end_byte):
                continue
            d = wrap_scope.declaration_of(ident)
            if d is not None and self._key(f, d) == key:
                self._w_expr(f, ident)

    def _w_expr(self, f: FileContext, x: Node) -> None:
        """A W value: `.data` yields the old inner map, except where W itself is stored or tested."""
        if not self._first_visit("w", f, x):
            return
        p = _climb_parens(x)
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
            names = wrap_scope.spec_names(holder)
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

    def _w_target(self, f: FileContext, holder: Node, p: Node, targets: list[Node], values: list[Node]) -> None:
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
        if holder.type == "short_var_declaration" and wrap_scope.declaration_of(target) == target:
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

    def _literal_struct(self, f: FileContext, body: Node) -> str | None:
        """The package struct type a literal_value builds, or None if it cannot be told."""
        typ = self._literal_type(body)
        if typ is None:
            return None
        while typ.type in ("pointer_type", "parenthesized_type", "generic_type") and typ.named_children:
            typ = typ.child_by_field_name("type") or typ.named_children[0]
        if typ.type != "type_identifier":
            return ""
        name = syntax.text(typ)
        spec = self.index.types.get(name)
        if spec is None or wrap_scope.declaration_of(typ) is not None:
            return None
        underlying = spec[1].child_by_field_name("type")
        return name if underlying is not None and underlying.type == "struct_type" else ""

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
            is_key = keyed is not None and keyed.type == "keyed_element" and keyed.child_by_field_name("key") == parent
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


# -- small syntax helpers ----------------------------------------------------


def _unparen_type(node: Node) -> Node:
    while node.type == "parenthesized_type" and node.named_child_count == 1:
        node = node.named_children[0]
    return node


def _climb_parens(node: Node) -> Node:
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    return node


def _is_make_arg(node: Node, index: wrap_index.PackageIndex) -> bool:
    args = node.parent
    call = args.parent if args is not None else None
    fn = call.child_by_field_name("function") if call is not None else None
    return (
        args is not None
        and args.named_children[:1] == [node]
        and fn is not None
        and fn.type == "identifier"
        and syntax.text(fn) == "make"
        and index.is_builtin(fn)
    )


def _names_type(node: Node, index: wrap_index.PackageIndex) -> bool:
    node = syntax.unparen(node)
    if node.type == "unary_expression":
        operand = node.child_by_field_name("operand")
        return operand is not None and _names_type(operand, index)
    return node.type in ("identifier", "type_identifier") and syntax.text(node) in index.types and (
        wrap_scope.declaration_of(node) is None
    )


def _assignment_target(ref: Node) -> tuple[int, Node | None]:
    """(position, statement) when ref is directly a left-hand operand; (0, None) otherwise."""
    p = _climb_parens(ref)
    lst = p.parent
    if lst is None or lst.type != "expression_list":
        return 0, None
    holder = lst.parent
    if holder is None or holder.child_by_field_name("left") != lst:
        return 0, None
    if holder.type not in ("assignment_statement", "short_var_declaration", "range_clause", "receive_statement"):
        return 0, None
    return lst.named_children.index(p), holder


def _rhs_for(holder: Node, position: int) -> Node | None:
    left = holder.child_by_field_name("left")
    right = holder.child_by_field_name("right")
    targets = left.named_children if left is not None else []
    values = right.named_children if right is not None else []
    return values[position] if len(values) == len(targets) else None


def _context_of(node: Node) -> Node:
    """The node to quote for a blocking use: the call holding it, else its statement."""
    cur: Node | None = node
    for _ in range(3):
        if cur is None:
            break
        if cur.type == "call_expression":
            return cur
        cur = cur.parent
    stmt = golines.statement_of(node)
    if stmt is not None:
        return stmt
    cur = node
    while cur.parent is not None and cur.parent.type not in ("source_file", "var_declaration", "type_declaration"):
        cur = cur.parent
    return cur


def _type_context(node: Node) -> Node:
    """The smallest construct around a type spelling worth quoting: its parent type or declaration."""
    parent = node.parent
    if parent is not None and len(syntax.text(parent)) <= _MAX_QUOTE:
        return parent
    return _context_of(node)


def _quote(node_or_text: Node | str) -> str:
    text = node_or_text if isinstance(node_or_text, str) else syntax.text(node_or_text)
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= _MAX_QUOTE else text[: _MAX_QUOTE - 3] + "..."


def iter_blockers(flows: list[Flow]) -> Iterator[Blocker]:
    for fl in flows:
        yield from fl.blockers
