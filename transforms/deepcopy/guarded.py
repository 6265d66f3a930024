"""Which maps are written under which lock: the other side of the race a leak needs.

A map is keyed by the chain that reaches it from its root variable (`c.m`, `registry[*]`) and
a lock by its mutex chain; a finding needs some function of the package to write that map
(or a map inside it) while holding the same lock.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from tree_sitter import Node

from codemod import gobytes, golines, syntax
from codemod.context import FileContext
from gofacts.locks import Held, LockCall, held_at, may_acquire
from gofacts.scope import find_declaration
from transforms.deepcopy.chains import WRITING_CALLS, squash

Key = tuple[str, ...]


def _path(chain: Node) -> tuple[Node, Key] | None:
    """(root identifier, segments) of a selector/index chain: `c.m[k][id]` -> (c, (".m", "[]", "[]"))."""
    segments: list[str] = []
    node = syntax.unparen(chain)
    while node.type != "identifier":
        if node.type == "selector_expression":
            fld = node.child_by_field_name("field")
            segments.append("." + (syntax.text(fld) if fld is not None else "?"))
        elif node.type == "index_expression":
            segments.append("[]")
        elif not (node.type == "unary_expression" and syntax.text(node.children[0]) == "*"):
            return None
        operand = node.child_by_field_name("operand")
        if operand is None:
            return None
        node = syntax.unparen(operand)
    return node, tuple(reversed(segments))


def map_key(chain: Node) -> Key | None:
    """The map's identity across functions: ("~T", ".m", "[]") for c.m[k] with c a receiver,
    parameter or variable declared with type T or *T (any variable of that type; "~" when the
    type is not written there), ("registry", "[]") for a package-level variable."""
    found = _path(chain)
    if found is None:
        return None
    root, segments = found
    return (_head(syntax.text(root), root), *segments)


def lock_key(held: Held) -> Key | None:
    """The mutex's identity across functions, shaped like map_key: ("~T", ".mu"), ("mu",)."""
    parts = held.mutex.split(".")
    return (_head(parts[0], held.lock.stmt), *("." + p for p in parts[1:]))


def same_key(a: Key, b: Key) -> bool:
    """Whether two keys may name the same map or mutex: equal, or equal but for the head of
    a local root whose type one of them does not know."""
    if a == b:
        return True
    return len(a) == len(b) and a[1:] == b[1:] and "~" in (a[0], b[0]) and a[0][:1] == b[0][:1] == "~"


def _head(name: str, at: Node) -> str:
    """name for a package-level root; "~T" for a local of declared type T or *T; else "~"."""
    found = find_declaration(name, at)
    if found is None:
        return name
    kind, node = found
    typ = node if kind == "param" else node.child_by_field_name("type") if kind == "var_spec" else None
    while typ is not None and typ.type in ("pointer_type", "generic_type", "parenthesized_type"):
        inner = typ.child_by_field_name("type") if typ.type == "generic_type" else None
        typ = inner if inner is not None else (typ.named_children[0] if typ.named_children else None)
    return "~" + syntax.text(typ) if typ is not None and typ.type == "type_identifier" else "~"


GuardedWrites = dict[tuple[Key, Key], list[tuple[FileContext, Node]]]
"""(lock key, map key) -> where the package writes that map holding that lock, in file order."""


def guarded_writes(
    locks: list[tuple[FileContext, list[LockCall]]], initialising: Callable[[Node], bool] = lambda n: False
) -> GuardedWrites:
    """(lock key, map key), with the writes, for every map the package writes (m[k] = v,
    m[k]++, delete, clear) while holding a lock that guards it: the writers a leaked map would
    race with. locks: the package's files that take locks, with their acquiring lock calls;
    writes for which initialising holds (they run only while the package initialises) race with
    no one."""
    out: GuardedWrites = {}
    for f, n in _writes_in_locking_functions(locks):
        target = _written_map(n)
        if target is None or _filled_fresh(target, n):
            continue
        chain = _resolve_alias(target)
        found = _path(chain) if chain is not None else None
        if found is None:
            continue
        root = syntax.text(found[0])
        local = find_declaration(root, found[0]) is not None
        key = map_key(chain)  # type: ignore[arg-type]
        guards = []
        for h in held_at(n):
            lock_local = find_declaration(h.lock.root, h.lock.stmt) is not None
            if (local and lock_local and h.lock.root == root) or (not local and not lock_local):
                lk = lock_key(h)
                if lk is not None and key is not None:
                    guards.append(lk)
        if guards and not initialising(n):  # asked last: it may parse the callers' files
            for lk in guards:
                out.setdefault((lk, key), []).append((f, n))
    return out


def written_names(writes: GuardedWrites) -> re.Pattern[bytes] | None:
    """A pattern of the names every read of a written map spells, by map: its package
    variable, or the first field its chain selects (`c.m[k]`: m); None when some map is a
    local's, which no name names across functions (writes_of matches a read's key with a
    prefix of a write's)."""
    names: set[bytes] = set()
    for _, key in writes:
        if not key[0].startswith("~"):
            names.add(key[0].encode())
        elif len(key) > 1 and key[1].startswith("."):
            names.add(key[1][1:].encode())
        else:
            return None
    return gobytes.any_identifier(frozenset(names))


def writes_of(writes: GuardedWrites, held: Held, at: Node) -> list[tuple[FileContext, Node]]:
    """The writes of the map the chain at reaches (or of maps inside it) made while holding
    the mutex of held, in the package's order."""
    mkey, key = lock_key(held), map_key(at)
    if mkey is None or key is None:
        return []
    return [
        site
        for (m, w), sites in writes.items()
        if same_key(m, mkey) and same_key(w[: len(key)], key)
        for site in sites
    ]


def _filled_fresh(target: Node, write: Node) -> bool:
    """True when write fills a map that its function made fresh just before, unconditionally:
    `c.m = make(map[K]V)` (or a map literal) in a statement list that holds the write, earlier.
    Such a write builds a map nobody else holds yet; the map handed out before it is another one.
    (`if c.m == nil { c.m = make(...) }` is conditional: the writes after it may go to a map
    already handed out, and still count.)"""
    want = squash(syntax.text(target))
    return any(_assigns_fresh_map(stmt, want) for stmt in golines.statements_before(write))


def _assigns_fresh_map(stmt: Node, chain: str) -> bool:
    """True for `chain = make(map...)` or `chain = map[K]V{...}` (a single assignment)."""
    if (
        stmt.type != "assignment_statement"
        or syntax.text(stmt.child_by_field_name("operator") or stmt) != "="
    ):
        return False
    left, right = stmt.child_by_field_name("left"), stmt.child_by_field_name("right")
    lefts = left.named_children if left is not None else []
    rights = right.named_children if right is not None else []
    if len(lefts) != 1 or len(rights) != 1 or squash(syntax.text(lefts[0])) != chain:
        return False
    value = syntax.unparen(rights[0])
    if value.type == "composite_literal":
        typ = value.child_by_field_name("type")
        return typ is not None and typ.type == "map_type"
    if value.type == "call_expression":
        fn, args = value.child_by_field_name("function"), value.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        return fn is not None and syntax.text(fn) == "make" and first is not None and first.type == "map_type"
    return False


def may_take_locks(content: bytes) -> bool:
    """False when Go source certainly takes no lock: it lacks `Lock()` or an acquiring call's
    bytes (no parse)."""
    return b"Lock()" in content and may_acquire(content)


def locking_functions(locks: list[LockCall]) -> list[Node]:
    """The functions (declarations or literals) in which the lock calls locks are made, in order."""
    funcs: dict[int, Node] = {}
    for lc in locks:
        func = function_of(lc)
        if func is not None:
            funcs.setdefault(func.id, func)
    return list(funcs.values())


def function_of(lc: LockCall) -> Node | None:
    return syntax.enclosing_function(lc.stmt)


_WRITES = (
    "[(assignment_statement) (inc_statement) (dec_statement)] @write"
    ' (call_expression function: (identifier) @fn (#any-of? @fn "delete" "clear")) @write'
    " (call_expression function:"
    " (selector_expression operand: (identifier) @pkg field: (field_identifier) @f)"
    ' (#eq? @pkg "maps") (#any-of? @f "Copy" "DeleteFunc" "Insert")) @write'
)
"""Statements and calls that may write a map: assignments, `delete`, `clear`, and the
functions of package maps (or golang.org/x/exp/maps) that write their first argument."""


def _writes_in_locking_functions(
    locks: list[tuple[FileContext, list[LockCall]]],
) -> Iterator[tuple[FileContext, Node]]:
    """The statements and calls that may write a map (see _written_map) in the functions that
    take a lock, with their files: held_at finds no lock held anywhere else. Those of a function
    literal inside such a function come too (held_at tells for them)."""
    for f, acquired in locks:
        bodies = (func.child_by_field_name("body") for func in locking_functions(acquired))
        end = -1
        for body in sorted((b for b in bodies if b is not None), key=lambda b: b.start_byte):
            if body.start_byte < end:
                continue  # a literal inside a function already queried
            end = body.end_byte
            yield from ((f, n) for n in syntax.captures(_WRITES, body).get("write", []))


def _written_map(n: Node) -> Node | None:
    """The map expression a write statement or call writes into, if n is one."""
    if n.type in ("assignment_statement", "inc_statement", "dec_statement"):
        left = n.child_by_field_name("left") if n.type == "assignment_statement" else n
        targets = left.named_children if left is not None else []
        if left is not None and left.type != "expression_list" and n.type == "assignment_statement":
            targets = [left]
        for t in targets:
            t = syntax.unparen(t)
            if t.type == "index_expression":
                return t.child_by_field_name("operand")
        return None
    if n.type == "call_expression":
        fn, args = n.child_by_field_name("function"), n.child_by_field_name("arguments")
        if fn is not None and syntax.text(fn) in WRITING_CALLS and args is not None and args.named_children:
            return args.named_children[0]
    return None


def _resolve_alias(expr: Node) -> Node | None:
    """expr itself when it is a chain; for a local assigned from a chain (`m := c.m[k]`), that chain."""
    expr = syntax.unparen(expr)
    if expr.type != "identifier":
        return expr if _path(expr) is not None else None
    decl = find_declaration(syntax.text(expr), expr)
    if decl is None:
        return expr
    kind, node = decl
    if kind not in ("short_var", "var_spec"):
        return None
    names = node.child_by_field_name("left") if kind == "short_var" else None
    idents = names.named_children if names is not None else node.children_by_field_name("name")
    value = node.child_by_field_name("right") if kind == "short_var" else node.child_by_field_name("value")
    values = value.named_children if value is not None else []
    i = next((k for k, c in enumerate(idents) if syntax.text(c) == syntax.text(expr)), None)
    if i is None or not values:
        return None
    chain = values[i] if len(values) == len(idents) else values[0]
    chain = syntax.unparen(chain)
    return chain if chain.type != "identifier" and _path(chain) is not None else None
