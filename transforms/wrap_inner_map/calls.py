"""Calls that may receive an O value: builtins, the package's functions, JSON, reflect.DeepEqual.

encoding/json sees the wrapper through its MarshalJSON/UnmarshalJSON (so
json.Marshal(o), json.Unmarshal(b, &o) and json Encoders/Decoders keep
their bytes); reflect.DeepEqual compares W values field by field, which is
the same comparison as before. Every other function of another package
blocks the group.
"""

from __future__ import annotations

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext
from gofacts import scope
from transforms.wrap_inner_map.shapes import climb_parens
from transforms.wrap_inner_map.state import FlowState

_JSON_ENCODE = frozenset({"Marshal", "MarshalIndent"})


_FORMATTING = frozenset({"fmt", "log", "log/slog"})
"""Packages whose functions take their operands as `any` (Printf, Println, slog attributes)."""


class CallRules(FlowState):
    """Calls that may receive an O value: builtins, the package's functions, JSON, reflect.DeepEqual."""

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
        if (
            fn.type == "identifier"
            and syntax.text(fn) in self.group.named
            and scope.declaration_of(fn) is None
        ):
            return  # a conversion to a named type of the group: itself an O expression
        sig = self._signature_of_call(f, call)
        if sig is not None:
            if (
                position < len(sig.params)
                and sig.params[position]
                and not (sig.variadic and position == len(sig.params) - 1)
            ):
                return
            self.block(f, call)
            return
        if self.external_call(f, fn) == ("reflect", "DeepEqual"):
            return
        if self._json_call(f, fn, position, addressed=False):
            return
        ext = self.external_call(f, fn)
        self.block(f, call, interface=ext is not None and ext[0] in _FORMATTING)

    def _o_address(self, f: FileContext, unary: Node) -> None:
        p = climb_parens(unary)
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
        """json.Marshal(o), json.MarshalIndent(o, ...), json.Unmarshal(b, &o), Encode(o), Decode(&o)."""
        ext = self.external_call(f, fn)
        ok = False
        if ext is not None and ext[0] == "encoding/json":
            ok = (ext[1] in _JSON_ENCODE and position == 0 and not addressed) or (
                ext[1] == "Unmarshal" and position == 1 and addressed
            )
        elif fn.type == "selector_expression":
            method = syntax.text(fn.child_by_field_name("field"))  # type: ignore[arg-type]
            operand = fn.child_by_field_name("operand")
            made = self.json_constructor(f, operand) if operand is not None else None
            ok = (made == "NewEncoder" and method == "Encode" and not addressed) or (
                made == "NewDecoder" and method == "Decode" and addressed
            )
            ok = ok and position == 0
        if ok:
            self.json_used = True
        return ok

    def json_constructor(self, f: FileContext, operand: Node) -> str | None:
        """ "NewEncoder"/"NewDecoder" when operand is json.NewX(...) or a variable only ever set so."""
        operand = syntax.unparen(operand)
        if operand.type == "call_expression":
            ext = self.external_call(f, operand.child_by_field_name("function"))
            return ext[1] if ext is not None and ext[0] == "encoding/json" else None
        if operand.type != "identifier":
            return None
        d = scope.declaration_of(operand)
        holder = d.parent.parent if d is not None and d.parent is not None else None
        if holder is None or holder.type != "short_var_declaration":
            return None
        right = holder.child_by_field_name("right")
        values = right.named_children if right is not None else []
        if len(values) != 1 or values[0].type != "call_expression":
            return None
        func = syntax.enclosing_function(holder)
        if func is None or scope.assigns_to(syntax.text(operand), func, after=holder.end_byte):
            return None
        return self.json_constructor(f, values[0])

    def external_call(self, f: FileContext, fn: Node | None) -> tuple[str, str] | None:
        """(import path, member) when fn is pkg.Member for an imported package."""
        if fn is None or fn.type != "selector_expression":
            return None
        operand = fn.child_by_field_name("operand")
        member = fn.child_by_field_name("field")
        if operand is None or member is None or operand.type != "identifier":
            return None
        qual = syntax.text(operand)
        if scope.declaration_of(operand) is not None or qual in self.pkg.top_level_names:
            return None
        for name, path, _ in f.import_specs:
            if (name or path.rsplit("/", 1)[-1]) == qual:
                return path, syntax.text(member)
        return None
