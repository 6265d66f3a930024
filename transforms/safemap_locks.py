"""Whether a mutex is held at a point of a function, as the safemap transform asks it.

Lock shapes are recognised in one place, transforms.locking (shared with
deepcopy): `mu.Lock(); defer mu.Unlock()`, explicit Lock ... Unlock regions,
embedded mutexes (`s.Lock()`), RLock. This module adds what a per-function
view cannot see, the lock of the caller:

  - a function or method whose name ends in "Locked" or "locked" runs with
    its caller's lock held (Go's naming convention);
  - a function or method of the package every call of which (at least one,
    up to CALLER_DEPTH levels of callers) is made with a lock held runs
    locked too (`func (l *lru) add(...)` called only under `t.mu`).

Calls whose callee cannot be resolved (an interface method, a function
value) are not seen, so a function passed around as a value may be judged
locked although it is not: this errs toward fewer findings.
"""

from __future__ import annotations

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext, PackageContext
from transforms import locking, wrap_scope

CALLER_DEPTH = 2


class LockView:
    """Answers held_at for the nodes of one package, caching per-function verdicts."""

    def __init__(self, pkg: PackageContext, types: locking.PackageTypes) -> None:
        self.pkg = pkg
        self.types = types
        self._callers: dict[tuple[str, str], list[tuple[FileContext, Node]]] | None = None
        self._verdicts: dict[tuple[int, int, int], bool] = {}

    def held_at(self, node: Node, depth: int = 0) -> bool:
        """Report whether some mutex is held where node is evaluated (see the module doc)."""
        if locking.held_at(node):
            return True
        func = syntax.enclosing_function(node)
        if func is None or func.type == "func_literal":
            return False
        name = func.child_by_field_name("name")
        if name is None:
            return False
        if syntax.text(name).endswith(("Locked", "locked")):
            return True
        return depth < CALLER_DEPTH and self._callers_hold(func, depth)

    def _callers_hold(self, func: Node, depth: int) -> bool:
        key = (func.start_byte, func.end_byte, hash(func.text))
        if key in self._verdicts:
            return self._verdicts[key]
        self._verdicts[key] = False  # a recursive call does not prove anything
        sites = self._call_sites().get(_signature(func), [])
        verdict = bool(sites) and all(self.held_at(call, depth + 1) for _, call in sites)
        self._verdicts[key] = verdict
        return verdict

    def _call_sites(self) -> dict[tuple[str, str], list[tuple[FileContext, Node]]]:
        """(receiver type or "", name) -> resolved calls of the package's functions and methods."""
        if self._callers is not None:
            return self._callers
        out: dict[tuple[str, str], list[tuple[FileContext, Node]]] = {}
        self._callers = out  # set first: resolving types below may ask for call sites again
        methods = self._method_names()
        for f in self.pkg.files:
            calls = syntax.captures("(call_expression) @call", f.root).get("call", [])
            for call in sorted(calls, key=lambda n: n.start_byte):
                fn = call.child_by_field_name("function")
                if fn is None:
                    continue
                if fn.type == "identifier" and wrap_scope.declaration_of(fn) is None:
                    out.setdefault(("", syntax.text(fn)), []).append((f, call))
                elif fn.type == "selector_expression":
                    operand, fld = fn.child_by_field_name("operand"), fn.child_by_field_name("field")
                    if operand is None or fld is None or (fld.text or b"") not in methods:
                        continue
                    try:
                        t = self.types.type_of(operand, f)
                    except RecursionError:
                        t = None
                    base = locking.named_type_name(self.types.pointee(t) or t)
                    if base:
                        out.setdefault((base, syntax.text(fld)), []).append((f, call))
        return out

    def _method_names(self) -> set[bytes]:
        return {name.encode() for _, name in self.types.methods}


def _signature(func: Node) -> tuple[str, str]:
    name = func.child_by_field_name("name")
    recv = locking.receiver_type_name(func) if func.type == "method_declaration" else ""
    return (recv or "", syntax.text(name) if name is not None else "")
