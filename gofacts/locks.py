"""Lock shapes: which mutexes are held at a point of a function.

Shared by the rules that must know whether a map access happens while a
mutex is held (deepcopy, safemap). A lock call is a statement `X.Lock()`,
`X.RLock()`, `X.Unlock()` or `X.RUnlock()`, possibly deferred
(`defer X.Unlock()`, or `defer func() { X.Unlock() }()`), where X is an
identifier or a selector chain: `mu`, `c.mu`, `c` (a struct embedding
sync.Mutex), `c.state.mu`. The method name is what counts, so any Locker
(sync.Mutex, sync.RWMutex, a type embedding one, or a user lock with the same
methods) is recognised. held_at(node) answers which locks are held when node
executes, for the shapes Go code uses:

  - `X.Lock(); defer X.Unlock()`: held from the Lock to the end of the
    function, return values included (they are evaluated before deferred
    calls run);
  - `X.Lock(); ...; X.Unlock()`: held between the two statements;
  - an early exit `if cond { X.Unlock(); return }` does not end the region
    for the statements after the `if`, and an Unlock followed by a re-Lock
    in the same block (a loop that drops the lock for a while) neither;
  - any other Unlock in a preceding compound statement ends it (the lock
    may or may not be held: "not held" is the conservative answer).

A lock taken by an enclosing function is never held inside a function
literal: the literal may run later or on another goroutine.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from codemod import gobytes, syntax
from codemod.context import FileContext

ACQUIRE = {"Lock": "Unlock", "RLock": "RUnlock"}
RELEASE = {"Unlock": "Lock", "RUnlock": "RLock"}
_PARENS_DEREF = re.compile(r"\(\*([A-Za-z_][A-Za-z0-9_]*)\)")
_B = gobytes.BLANKS


# --- lock calls ----------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class LockCall:
    """One lock or unlock statement.

    Attributes:
        stmt: the expression_statement or defer_statement.
        mutex: the receiver X as a canonical text: no spaces, `(*c).mu` written `c.mu`.
        method: "Lock", "RLock", "Unlock" or "RUnlock".
        deferred: True for `defer X.Unlock()` and `defer func() { X.Unlock() }()`.
    """

    stmt: Node
    mutex: str
    method: str
    deferred: bool

    @property
    def acquires(self) -> bool:
        return self.method in ACQUIRE

    @property
    def root(self) -> str:
        """The identifier the mutex expression starts from: "c" for `c.state.mu`."""
        return mutex_root(self.mutex)

    def releases(self, lock: LockCall) -> bool:
        """True if this call releases what lock acquired (Unlock pairs with Lock, RUnlock with RLock)."""
        return not self.acquires and self.mutex == lock.mutex and RELEASE[self.method] == lock.method


def mutex_root(mutex: str) -> str:
    """The leading identifier of a canonical mutex text ("c.mu" -> "c", "mu" -> "mu")."""
    return mutex.split(".", 1)[0]


def canonical(node: Node) -> str | None:
    """The canonical text of an identifier or selector chain (`(*c).mu` -> "c.mu"), or of an
    element of one indexed by a name or a number (a striped lock `s.locks[i]`), else None."""
    node = syntax.unparen(node)
    if node.type == "identifier":
        return syntax.text(node)
    if node.type == "index_expression":
        operand, index = node.child_by_field_name("operand"), node.child_by_field_name("index")
        if operand is None or index is None or index.type not in ("identifier", "int_literal"):
            return None
        base = canonical(operand)
        return f"{base}[{syntax.text(index)}]" if base else None
    if node.type == "selector_expression":
        operand, fld = node.child_by_field_name("operand"), node.child_by_field_name("field")
        if operand is None or fld is None:
            return None
        operand = syntax.unparen(operand)
        if operand.type == "unary_expression" and syntax.text(operand.children[0]) == "*":
            inner = operand.child_by_field_name("operand")
            operand = syntax.unparen(inner) if inner is not None else operand
        base = canonical(operand)
        return f"{base}.{syntax.text(fld)}" if base else None
    return None


def _method_call(call: Node) -> tuple[str, str] | None:
    """(canonical receiver, method) for a call `X.M()` without arguments and with a lock method name."""
    if call.type != "call_expression":
        return None
    fn, args = call.child_by_field_name("function"), call.child_by_field_name("arguments")
    if fn is None or args is None or args.named_child_count or fn.type != "selector_expression":
        return None
    fld, operand = fn.child_by_field_name("field"), fn.child_by_field_name("operand")
    if fld is None or operand is None:
        return None
    method = syntax.text(fld)
    if method not in ACQUIRE and method not in RELEASE:
        return None
    receiver = canonical(operand)
    return (_PARENS_DEREF.sub(r"\1", receiver), method) if receiver else None


def lock_call(stmt: Node) -> LockCall | None:
    """The LockCall a statement is, or None.

    Recognised: `X.Lock()`, `X.RLock()`, `X.Unlock()`, `X.RUnlock()` as
    statements; `defer X.Unlock()`; `defer func() { X.Unlock() }()` (a
    deferred literal whose only statement releases X).
    """
    while stmt.type == "labeled_statement" and stmt.named_children:
        stmt = stmt.named_children[-1]
    if stmt.type == "expression_statement" and stmt.named_child_count == 1:
        found = _method_call(stmt.named_children[0])
        return LockCall(stmt, found[0], found[1], False) if found else None
    if stmt.type != "defer_statement" or not stmt.named_child_count:
        return None
    call = stmt.named_children[0]
    found = _method_call(call)
    if found is None and call.type == "call_expression":
        fn = call.child_by_field_name("function")
        args = call.child_by_field_name("arguments")
        if fn is not None and fn.type == "func_literal" and args is not None and not args.named_child_count:
            body = _statements(fn.child_by_field_name("body"))
            if len(body) == 1:
                inner = lock_call(body[0])
                found = (inner.mutex, inner.method) if inner is not None and not inner.deferred else None
    if found is None or found[1] in ACQUIRE:
        return None
    return LockCall(stmt, found[0], found[1], True)


def _statements(block: Node | None) -> list[Node]:
    if block is None:
        return []
    lst = next((c for c in block.named_children if c.type == "statement_list"), None)
    return [s for s in lst.named_children if s.type != "comment"] if lst is not None else []


def lock_calls(root: Node) -> Iterator[LockCall]:
    """Every lock call statement under root, in source order, function literals included."""
    for n in syntax.named_walk(root):
        if n.type in ("expression_statement", "defer_statement"):
            lc = lock_call(n)
            if lc is not None:
                yield lc


ACQUIRE_CALL = re.compile(rb"\." + _B + rb"(R?Lock)" + _B + rb"[(\[]", re.S)
"""The bytes of an acquiring lock call: `.`, the method name (group 1), then `(` or `[`."""


def may_acquire(content: bytes) -> bool:
    """False when Go source provably holds no acquiring lock call (`X.Lock()`, `X.RLock()`)."""
    return ACQUIRE_CALL.search(content) is not None


def acquires(f: FileContext) -> list[LockCall]:
    """The acquiring lock calls of f (`X.Lock()`, `X.RLock()`), in source order: those
    lock_calls(f.root) yields, found at the bytes of their method names instead of by a walk."""
    out: list[LockCall] = []
    root = f.root
    for m in ACQUIRE_CALL.finditer(f.content):
        node = root.named_descendant_for_byte_range(m.start(1), m.end(1))
        if node is None or node.type != "field_identifier" or node.start_byte != m.start(1):
            continue
        sel = node.parent
        call = sel.parent if sel is not None and sel.type == "selector_expression" else None
        stmt = call.parent if call is not None and call.type == "call_expression" else None
        if stmt is not None and stmt.type == "expression_statement":
            lc = lock_call(stmt)
            if lc is not None and lc.acquires:
                out.append(lc)
    return out


# --- which locks are held where -----------------------------------------------------


@dataclass(frozen=True, eq=False)
class Held:
    """A lock held at some point of a function.

    Attributes:
        lock: the acquiring call.
        deferred_unlock: the `defer X.Unlock()` registered after it, if any: the
            lock is then held until the function returns.
    """

    lock: LockCall
    deferred_unlock: LockCall | None = None

    @property
    def mutex(self) -> str:
        return self.lock.mutex


def held_at(node: Node) -> list[Held]:
    """The locks held when node executes, in the order they were acquired.

    Only lock calls of node's innermost function count (see the module doc
    for the shapes and the conservative answers).
    """
    n = node
    while n.parent is not None and n.type not in syntax.FUNCTION_TYPES:
        if n.parent.type == "statement_list":
            return list(_held_before(n))  # the same for everything inside the statement n
        n = n.parent
    return []


@syntax.node_cache(maxsize=256)
def _held_before(stmt: Node) -> tuple[Held, ...]:
    """held_at for the statement stmt of a statement list. Cached: the cache holds the node,
    so its tree stays alive and node identity cannot be reused."""
    chain: list[tuple[Node, Node]] = []
    n = stmt
    while n.parent is not None and n.type not in syntax.FUNCTION_TYPES:
        if n.parent.type == "statement_list":
            chain.append((n.parent, n))
        n = n.parent
    held: dict[str, Held] = {}
    for stmt_list, current in reversed(chain):
        for sibling in stmt_list.named_children:
            if sibling.start_byte >= current.start_byte:
                break
            _apply(sibling, held)
    return tuple(held.values())


def _apply(stmt: Node, held: dict[str, Held]) -> None:
    """Update held for the execution of one earlier statement."""
    lc = lock_call(stmt)
    if lc is not None:
        current = held.get(lc.mutex)
        if lc.acquires:
            held[lc.mutex] = Held(lc)
        elif current is not None and lc.releases(current.lock):
            if lc.deferred:
                held[lc.mutex] = Held(current.lock, lc)
            else:
                del held[lc.mutex]
        return
    if not held or stmt.type == "comment" or b"Unlock" not in (stmt.text or b""):
        return  # only a nested Unlock() or RUnlock() can change held
    for nested in _nested_lock_calls(stmt):
        current = held.get(nested.mutex)
        if current is None or nested.acquires or nested.deferred or not nested.releases(current.lock):
            continue
        if not _exits_or_relocks(nested, current.lock):
            del held[nested.mutex]


def _nested_lock_calls(stmt: Node) -> Iterator[LockCall]:
    """Lock calls inside a compound statement, outside function literals."""
    for n in syntax.named_walk(stmt, prune=frozenset({"func_literal"})):
        if n is not stmt and n.type in ("expression_statement", "defer_statement"):
            lc = lock_call(n)
            if lc is not None:
                yield lc


_TERMINATING = frozenset({"return_statement", "goto_statement", "continue_statement", "break_statement"})
"""Statements after which the rest of their block does not run (an Unlock before one does not
end the locked region for the statements after the block that holds it)."""


def _exits_or_relocks(release: LockCall, lock: LockCall) -> bool:
    """True if, in release's own block, a return (or panic) or a re-acquire of the lock follows it."""
    stmt = release.stmt
    while stmt.parent is not None and stmt.parent.type == "labeled_statement":
        stmt = stmt.parent
    sibling = stmt.next_named_sibling
    while sibling is not None:
        if sibling.type in _TERMINATING or _is_panic(sibling):
            return True
        again = lock_call(sibling)
        if again is not None and again.acquires and again.mutex == lock.mutex and again.method == lock.method:
            return True
        sibling = sibling.next_named_sibling
    return False


def _is_panic(stmt: Node) -> bool:
    if stmt.type != "expression_statement" or not stmt.named_child_count:
        return False
    call = stmt.named_children[0]
    fn = call.child_by_field_name("function") if call.type == "call_expression" else None
    return fn is not None and syntax.text(fn) in ("panic", "os.Exit", "log.Fatal", "log.Fatalf", "log.Panicf")
