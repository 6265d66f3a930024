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

from transforms.wrap_inner_map.calls import CallRules
from transforms.wrap_inner_map.contexts import ValueContexts
from transforms.wrap_inner_map.editset import EditSet
from transforms.wrap_inner_map.slots import SlotUses
from transforms.wrap_inner_map.spellings import SpellingRules
from transforms.wrap_inner_map.state import Blocker, FlowState, Key, Signature
from transforms.wrap_inner_map.typeof import TypeOf

__all__ = ["Blocker", "Flow", "FlowState", "Key", "Signature"]


class Flow(ValueContexts, CallRules, SlotUses, SpellingRules, TypeOf):
    """The analysis of one group: its slots, uses, blockers and the edits that rewrite it."""

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
            len(self.local_vars),
            len(self.pkg_vars),
            sum(map(len, self.fields.values())),
            len(self.functions),
            len(self.methods),
            len(self.w_vars),
            len(self.receiver_methods),
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
