"""Whether a mutex is held at a point of a function, as the safemap transform asks it.

Lock shapes are recognised in one place, gofacts.locks (shared with
deepcopy): `mu.Lock(); defer mu.Unlock()`, explicit Lock ... Unlock regions,
embedded mutexes (`s.Lock()`), RLock. This module adds what a per-function
view cannot see, the lock of the caller:

  - a function or method whose name ends in "Locked" or "locked" runs with
    its caller's lock held (Go's naming convention), and so does one whose doc
    comment says so ("Lock should be held", "must be called with s.mu held",
    "caller holds the lock");
  - a function or method of the package every call of which (at least one,
    up to CALLER_DEPTH levels of callers) is made with a lock held runs
    locked too (`func (l *lru) add(...)` called only under `t.mu`); a call on
    an object only the calling goroutine can reach (a test's own
    `dc := newDataCache(); dc.addEntry(...)`, private.py) needs no lock and
    is not asked.

Calls whose callee cannot be resolved (an interface method, a function
value) are not seen, so a function passed around as a value may be judged
locked although it is not: this errs toward fewer findings.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from codemod import golines, syntax
from codemod.context import FileContext, PackageContext
from gofacts import locks, scope
from gofacts.decls import Declarations
from gofacts.signatures import parameter_names, receiver_type_name
from gofacts.types import PackageTypes, named_type_name
from transforms.safemap.find import files_calling
from transforms.safemap.ordering import joined
from transforms.safemap.private import Privacy

CALLER_DEPTH = 3


class LockView:
    """Answers held_at for the nodes of one package, caching per-function verdicts."""

    def __init__(self, pkg: PackageContext, types: PackageTypes) -> None:
        self.pkg = pkg
        self.types = types
        self._sites: dict[tuple[str, str], list[tuple[FileContext, Node]]] = {}
        self._verdicts: dict[tuple[int, int, int, int], bool] = {}
        self._privacy = Privacy(pkg)

    def held_at(self, node: Node, depth: int = 0) -> bool:
        """Report whether some mutex is held where node is evaluated (see the module doc)."""
        if locks.held_at(node):
            return True
        func = syntax.enclosing_function(node)
        if func is not None and func.type == "func_literal":
            return (
                self._called_locked(func, depth)
                or handed_lock(func)
                or self._joined_locked(func, depth)
                or self._callback_locked(func, depth)
            )
        if func is None:
            return False
        name = func.child_by_field_name("name")
        if name is None:
            return False
        if syntax.text(name).endswith(("Locked", "locked")) or _documented_locked(func):
            return True
        return depth < CALLER_DEPTH and self._callers_hold(func, depth)

    def unlocked_caller(self, node: Node) -> Node | None:
        """For node where held_at is false although some callers of its function hold a lock:
        the call, up to CALLER_DEPTH levels up, that holds none and is not made on a private
        object (a goroutine's start, `go f()`, is no such call). None when no caller holds a
        lock, or node is in a function literal (which has no named callers)."""
        func = syntax.enclosing_function(node)
        found = None
        for depth in range(CALLER_DEPTH):
            if func is None or func.type == "func_literal" or func.child_by_field_name("name") is None:
                break
            sites = [
                call
                for _, call in self._call_sites(_signature(func))
                if call.parent is None or call.parent.type != "go_statement"  # a goroutine's start
            ]
            bare = [
                call
                for call in sites
                if not self.held_at(call, depth + 1) and not self._privacy.on_private_object(call)
            ]
            if not bare or (depth == 0 and len(bare) == len(sites)):
                break  # no caller holds a lock: nothing to point at
            found = bare[0]
            func = syntax.enclosing_function(found)
        return found

    @property
    def privacy(self) -> Privacy:
        """Which calls are made on objects only the calling goroutine can reach (private.py)."""
        return self._privacy

    def callers(self, func: Node) -> list[tuple[FileContext, Node]]:
        """The resolved calls of a function or method declaration (see _call_sites)."""
        if func.type == "func_literal" or func.child_by_field_name("name") is None:
            return []
        return self._call_sites(_signature(func))

    def _joined_locked(self, literal: Node, depth: int) -> bool:
        """A goroutine's function literal (`go func() {...}()`) that its spawner waits for before
        it returns, started where a lock is held: it runs inside the spawner's critical section."""
        call = literal.parent
        go = call.parent if call is not None and call.type == "call_expression" else None
        spawner = syntax.enclosing_function(go) if go is not None and go.type == "go_statement" else None
        body = literal.child_by_field_name("body")
        if go is None or spawner is None or body is None or depth >= CALLER_DEPTH:
            return False
        return joined(go, spawner, body) and self.held_at(go, depth + 1)

    def _callback_locked(self, literal: Node, depth: int) -> bool:
        """A function literal handed, where a lock is held, to a function or method of the
        package that only ever calls that parameter directly (`set.eachPartition(func(...)
        {...})`, outside any go statement or literal of its own) runs with the lock held."""
        args = literal.parent
        call = args.parent if args is not None and args.type == "argument_list" else None
        if call is None or call.type != "call_expression" or depth >= CALLER_DEPTH:
            return False
        position = [a.id for a in args.named_children].index(literal.id)  # type: ignore[union-attr]
        found = Declarations.of(self.pkg).called_by_name(call.child_by_field_name("function") or call)
        return (
            bool(found) and all(_calls_back(d, position) for d, _ in found) and self.held_at(call, depth + 1)
        )

    def _called_locked(self, literal: Node, depth: int) -> bool:
        """A function literal bound to a local (`remove := func(...) {...}`) and only ever called,
        directly, where a lock is held, runs with that lock held."""
        holder = literal.parent.parent if literal.parent is not None else None
        if holder is None or holder.type != "short_var_declaration" or depth >= CALLER_DEPTH:
            return False
        left = holder.child_by_field_name("left")
        names = left.named_children if left is not None else []
        if len(names) != 1 or names[0].type != "identifier":
            return False
        outer = syntax.enclosing_function(holder)
        body = outer.child_by_field_name("body") if outer is not None else None
        if body is None:
            return False
        calls = 0
        needle = names[0].text
        for n in syntax.walk(body):
            if n.type != "identifier" or n.text != needle or n.start_byte <= holder.end_byte:
                continue
            call = n.parent
            if call is None or call.type != "call_expression" or call.child_by_field_name("function") != n:
                return False  # the literal is handed on: it may run anywhere
            if scope.declaration_of(n) != names[0] or not self.held_at(call, depth + 1):
                return False
            calls += 1
        return calls > 0

    def _callers_hold(self, func: Node, depth: int) -> bool:
        """Whether every call of func holds a lock, its callers looked at up to CALLER_DEPTH;
        the verdict depends on the depth only, not on the order questions are asked in."""
        key = (func.start_byte, func.end_byte, hash(func.text), depth)
        if key not in self._verdicts:
            sites = self._call_sites(_signature(func))
            self._verdicts[key] = bool(sites) and all(
                self.held_at(call, depth + 1) or self._privacy.on_private_object(call) for _, call in sites
            )
        return self._verdicts[key]

    def _call_sites(self, signature: tuple[str, str]) -> list[tuple[FileContext, Node]]:
        """The resolved calls of the function or method (receiver type or "", name), in file order:
        `name(...)` not shadowed by a local for a function, `x.name(...)` with x of the receiver
        type (or a pointer to it) for a method."""
        if signature in self._sites:
            return self._sites[signature]
        recv, name = signature
        out: list[tuple[FileContext, Node]] = []
        for f in files_calling(self.pkg, name):
            for call in _calls(f, name, method=bool(recv)):
                fn = call.child_by_field_name("function")
                if fn is None:
                    continue
                if not recv:
                    if scope.declaration_of(fn) is None:
                        out.append((f, call))
                elif self._receiver(fn, f) == recv:
                    out.append((f, call))
        self._sites[signature] = out
        return out

    def _receiver(self, selector: Node, f: FileContext) -> str | None:
        """The package type a method call's operand has (pointers stripped), if certain."""
        operand = selector.child_by_field_name("operand")
        if operand is None:
            return None
        try:
            t = self.types.type_of(operand, f)
        except RecursionError:
            t = None
        return named_type_name(self.types.pointee(t) or t)


_LOCK_HELD = re.compile(
    r"(?i)\b(locks?|mutex(es)?|mu|rlock|write lock|read lock)\b[^.\n]{0,40}\b(is |must be |should be |be )?"
    r"(held|hold|holding|locked|acquired|taken)\b|\bcaller(s)?\b[^.\n]{0,20}\b(hold|holds|have|has)\b"
    r"[^.\n]{0,20}\b(lock|mutex|mu)\b|\bwith\b[^.\n]{0,30}\b(lock|mutex|mu)\b[^.\n]{0,10}\bheld\b"
)


def _documented_locked(func: Node) -> bool:
    """Whether func's doc comment (the comments right above it) says its caller holds a lock."""
    lines: list[str] = []
    prev = func.prev_sibling
    end_row = func.start_point[0]
    while prev is not None and prev.type == "comment" and prev.end_point[0] >= end_row - 1:
        lines.insert(0, syntax.text(prev))
        end_row = prev.start_point[0]
        prev = prev.prev_sibling
    return bool(lines) and _LOCK_HELD.search(" ".join(lines)) is not None


def _calls(f: FileContext, name: str, method: bool) -> list[Node]:
    """The calls `name(...)` (or `x.name(...)` when method) of file f, in source order."""
    fn = "(selector_expression field: (field_identifier) @n)" if method else "(identifier) @n"
    query = f'((call_expression function: {fn}) @c (#eq? @n "{name}"))'
    return sorted(syntax.captures(query, f.root).get("c", []), key=lambda n: n.start_byte)


def _signature(func: Node) -> tuple[str, str]:
    name = func.child_by_field_name("name")
    recv = receiver_type_name(func) if func.type == "method_declaration" else ""
    return (recv or "", syntax.text(name) if name is not None else "")


def _calls_back(func: Node, position: int) -> bool:
    """The parameter at position of func is only ever called directly in its body, outside
    go statements and function literals."""
    names = parameter_names(func)
    name = names[position] if position < len(names) else None
    body = func.child_by_field_name("body")
    if not name or body is None:
        return False
    uses = [n for n in syntax.named_walk(body) if n.type == "identifier" and syntax.text(n) == name]
    for n in uses:
        call = n.parent
        if call is None or call.type != "call_expression" or call.child_by_field_name("function") != n:
            return False
        if any(
            a.type in ("go_statement", "func_literal")
            for a in syntax.ancestors(n)
            if a.start_byte > body.start_byte
        ):
            return False
    return bool(uses)


def handed_lock(literal: Node) -> bool:
    """A goroutine's function literal that releases, with a top-level `defer mu.Unlock()`, a
    lock its spawner took just before the go statement (`mu.Lock(); go func() { defer
    mu.Unlock(); ... }()`, or the literal handed to a call the go statement makes): the
    goroutine runs holding that lock."""
    node, go = literal, None
    while node.parent is not None and node.parent.type in ("argument_list", "call_expression"):
        node = node.parent
        if node.parent is not None and node.parent.type == "go_statement":
            go = node.parent
            break
    body = literal.child_by_field_name("body")
    if go is None or body is None:
        return False
    mutexes = set()
    for stmt in golines.block_statements(body):
        m = _DEFERRED_UNLOCK.fullmatch(syntax.text(stmt)) if stmt.type == "defer_statement" else None
        if m is not None:
            mutexes.add((m.group(1), m.group(2)))
    for mutex, unlock in mutexes:
        lock = f"{mutex}.{'R' if unlock.startswith('R') else ''}Lock()"
        calls = [
            (stmt.start_byte, text == lock)
            for stmt in golines.statements_before(go)
            if (text := syntax.text(stmt).replace(" ", "")) in (lock, f"{mutex}.{unlock}()")
        ]
        if calls and max(calls)[1]:
            return True  # the last of them before the go statement takes the lock
    return False


_DEFERRED_UNLOCK = re.compile(r"defer\s+([\w.]+)\.(R?Unlock)\(\)")
