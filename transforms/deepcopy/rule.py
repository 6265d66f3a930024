"""deepcopy: hand out a copy, taken under the lock, of a map that leaves a locked function.

A map read while a mutex is held is still the very map that other goroutines
write under that mutex. When it leaves the locked region — returned, sent on
a channel, stored in a field or variable that outlives the lock, passed to a
`go` statement, captured by a goroutine, or kept in a local that is read
after the Unlock — its holder reads it with no lock while writers change it:
a data race, which the runtime may turn into `fatal error: concurrent map
read and map write`. The classic case is an inner map of a nested map:

        func (c *cache) get(team string) map[string]*User {
                c.mu.RLock()
                defer c.mu.RUnlock()
                return c.m[team] // the caller keeps c.m[team] after RUnlock
        }

The fix copies the map where the lock is still held (at the escape point,
or at the read when the escape is after the Unlock):

  - one map level, go.mod `go` >= 1.21: `maps.Clone(c.m[team])` (import "maps");
  - otherwise a nil-preserving helper from the package's generated
    gomapfix_clone.go (transforms/clone_go.py): the generic
    `gomapfixCloneNested` / `gomapfixClone` for go >= 1.18 (their `~map`
    constraints keep named map types), one helper per concrete type below
    1.18, or when a key type may be an interface below 1.20;
  - a `maps.Clone(c.m)` of a two-level map (shallow: the inner maps stay
    shared) becomes `gomapfixCloneNested(c.m)`.

A nil map gives nil and a nil inner map stays nil, so `return c.m[k]` of a
missing key still returns nil. Pointer values (`*User`) stay shared; when
the values are pointers to copyable types a second, unsafe fix copies them
too (new pointers: identity changes). A copy is still a Go map: it does not
make passing the map to C legal (see map-to-c).

Which locks and maps. Lock shapes are those of gofacts.locks. A map
expression is guarded by a held lock when both start from the same variable
(`c.mu` guards `c.m[k]`, an embedded `c.Lock()` guards `c.data`), or when both
the mutex and the map are package-level variables. A finding also needs the
other side of the race: some function of the package writes that map (or a
map inside it) while holding the same lock (`m[k] = v`, `m[k]++`, `delete`,
`clear`, also through a local holding it). A map taken out of the guarded
structure before it is handed over (`m := c.m; c.m = nil`, or
`inner := c.m[k]; delete(c.m, k)`) is nobody else's any more and is not
reported. Only selector/index chains (`c.m[k]`, `c.idx`, `registry[region]`,
`c.byID[id].tags`), locals holding them and range variables over them are
followed; a map passed to any other function (but `append`) is assumed not
to escape.

Safety. The fix is safe when the function is unexported or its doc comment
does not promise aliasing ("returns the underlying map", "not a copy",
"shared", ...). It is only suggested (unsafe) when the doc comment promises
aliasing, when code of the package writes through the handed-out map (the
writes would go to the copy), or when the map's values have a type of
another package or an interface type that may itself hold maps (a one-level
copy would share them).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node, Query, QueryCursor

from codemod import syntax
from codemod.context import FileContext, PackageContext, declared_names
from codemod.imports import plan_imports
from codemod.model import Edit, Finding, Fix, NewFile, Safety
from codemod.transform import finding
from gofacts.locks import Held, LockCall, acquires, held_at, may_acquire
from gofacts.scope import find_declaration
from gofacts.types import GoType, PackageTypes
from transforms.deepcopy import clone_go
from transforms.deepcopy.doc import DOC

RULE = "deepcopy"
_CHAIN = frozenset({"identifier", "selector_expression", "index_expression"})
_PROMISE = re.compile(
    r"\b(underlying|not a copy|no copy|without copying|alias(?:es|ed|ing)?|shared?|live view|reflected|"
    r"the same map|by reference|may (?:modify|mutate|change) (?:it|the (?:returned )?map))\b",
    re.I,
)
# Types of other packages known not to hold maps (values copied by assignment stay independent).
_OPAQUE_OK = frozenset({"time.Time", "time.Duration", "time.Month", "time.Weekday", "big.Int", "json.Number"})
_MAX_DEPTH = 4


@dataclass(frozen=True, eq=False)
class _Escape:
    """One way the map leaves the locked region; wrap is where a copy would be taken (None: at the read)."""

    route: str
    wrap: Node | None


@dataclass(eq=False)
class _Leak:
    """A guarded map that leaves its lock, and where the copy must be taken."""

    file: FileContext
    func: Node
    at: Node
    held: Held
    path: str
    maptype: GoType
    route: str
    wrap: Node | None
    no_fix: str | None = None
    shallow: Node | None = None  # the maps.Clone(...) call to replace by a deep copy


class DeepCopy:
    doc = DOC
    name = DOC.name
    prefilter = ((b"Lock()", b"map["),)

    def run(self, pkg: PackageContext) -> Iterator[Finding]:
        types = PackageTypes.of(pkg)
        locks = [(f, acquires(f)) for f in pkg.sources if _locks(f)]
        writes = _guarded_writes(locks)
        if not writes:
            return
        leaks: list[_Leak] = []
        for f, acquired in locks:
            if f.editable:
                leaks.extend(_Finder(f, pkg, types, writes).leaks(acquired))
        if leaks:
            yield from _Fixer(pkg, types).findings(leaks)


# --- finding leaks ----------------------------------------------------------------------


class _Finder:
    """Finds guarded maps that escape their lock in one file."""

    def __init__(
        self, f: FileContext, pkg: PackageContext, types: PackageTypes, writes: set[tuple[_Key, _Key]]
    ) -> None:
        self.f, self.pkg, self.types, self.writes = f, pkg, types, writes
        self.maps_name = f.import_name("maps")

    def leaks(self, locks: list[LockCall]) -> Iterator[_Leak]:
        """The leaks of the file, given its acquiring lock calls."""
        seen: set[tuple[int, int]] = set()
        for func in _locking_functions(locks):
            body = func.child_by_field_name("body")
            if body is None:
                continue
            roots = {lc.root for lc in locks if body.start_byte <= lc.stmt.start_byte < body.end_byte}
            for node in _chains(func, body, locks, roots):
                root = _chain_root(node)
                if root is not None and self._may_guard(node, root, roots):
                    for leak in self._leaks_of(node, func):
                        key = (leak.wrap.id if leak.wrap is not None else node.id, leak.shallow is not None)
                        if key not in seen:
                            seen.add(key)
                            yield leak

    def _may_guard(self, node: Node, root: Node, roots: set[str]) -> bool:
        """True when the chain node, starting from the identifier root, may be guarded (see _guard):
        it starts from the root of a lock taken in the function, or it starts from a package-level
        variable and a package-level lock is held."""
        name = syntax.text(root)
        if name in roots:
            return True
        if find_declaration(name, root) is not None:
            return False
        package_lock = any(find_declaration(h.lock.root, node) is None for h in held_at(node))
        return package_lock and name in self.types.vars

    def _guard(self, node: Node) -> Held | None:
        """The held lock that guards the map chain node, if any."""
        root = _chain_root(node)
        if root is None:
            return None
        name = syntax.text(root)
        held = held_at(node)
        if not held:
            return None
        local = find_declaration(name, root) is not None
        for h in held:
            if local and h.lock.root == name:
                return h
            if not local and find_declaration(h.lock.root, node) is None and name in self.types.vars:
                return h
        return None

    def _leaks_of(self, node: Node, func: Node) -> Iterator[_Leak]:
        if _is_write_target(node):
            return
        if node.type == "identifier" and find_declaration(syntax.text(node), node) is not None:
            return  # locals are followed from their assignment, not as chains of their own
        guard = self._guard(node)
        if guard is None:
            return
        t = self.types.type_of(node, self.f)
        parts = self.types.map_parts(t)
        if t is None or parts is None:
            return
        if not self._written_under(guard, node):
            return  # nothing writes this map under the lock: readers race with no one
        flow = _Flow(self, guard, func, node)
        path = _squash(syntax.text(node))
        parent = node.parent
        assert parent is not None
        if parent.type == "range_clause" and parent.child_by_field_name("right") == node:
            inner = self.types.map_parts(parts[1])
            left = parent.child_by_field_name("left")
            names = left.named_children if left is not None else []
            if inner is None or len(names) != 2 or names[1].type != "identifier":
                return
            escapes = list(flow.alias(names[1], parent, None, container=False))
            yield from self._report(func, node, guard, f"an inner map of {path}", parts[1], None, escapes, "")
            return
        shallow = self._shallow_clone(node, t)
        if shallow is not None:
            escapes = list(flow.flows(shallow, shallow))
            yield from self._report(func, node, guard, path, t, None, escapes, "", shallow)
            return
        escapes = list(flow.flows(node, node))
        read_ok = "" if flow.read_wrappable else flow.read_problem
        yield from self._report(func, node, guard, path, t, node, escapes, read_ok)

    def _written_under(self, guard: Held, node: Node) -> bool:
        """True when the package writes the map node reads (or maps inside it) while holding the same lock."""
        mkey, key = _lock_key(guard), _map_key(node)
        if mkey is None or key is None:
            return False
        return any(m == mkey and w[: len(key)] == key for m, w in self.writes)

    def _shallow_clone(self, node: Node, t: GoType) -> Node | None:
        """The call `maps.Clone(node)` when node is a two-level map: a copy that shares the inner maps."""
        parent = node.parent
        call = parent.parent if parent is not None and parent.type == "argument_list" else None
        if call is None or call.type != "call_expression" or parent.named_child_count != 1:
            return None
        fn = call.child_by_field_name("function")
        if fn is None or not self.maps_name or _squash(syntax.text(fn)) != f"{self.maps_name}.Clone":
            return None
        parts = self.types.map_parts(t)
        return call if parts is not None and self.types.map_parts(parts[1]) is not None else None

    def _report(
        self,
        func: Node,
        at: Node,
        guard: Held,
        path: str,
        maptype: GoType,
        read: Node | None,
        escapes: list[_Escape],
        read_problem: str,
        shallow: Node | None = None,
    ) -> Iterator[_Leak]:
        if not escapes:
            return
        at_read = [e for e in escapes if e.wrap is None]
        if at_read:
            if shallow is not None:
                yield _Leak(
                    self.f, func, at, guard, path, maptype, at_read[0].route, shallow, shallow=shallow
                )
                return
            problem = read_problem or (
                "" if read is not None else "the copy would have to be taken by the range loop"
            )
            if read is None or problem:
                yield _Leak(self.f, func, at, guard, path, maptype, at_read[0].route, None, no_fix=problem)
            else:
                yield _Leak(self.f, func, at, guard, path, maptype, at_read[0].route, read)
            return
        for e in escapes:
            yield _Leak(self.f, func, at, guard, path, maptype, e.route, e.wrap, shallow=shallow)


class _Flow:
    """Follows where a guarded map value goes inside one function."""

    def __init__(self, finder: _Finder, guard: Held, func: Node, origin: Node) -> None:
        self.guard, self.func, self.origin = guard, func, origin
        self.types, self.f = finder.types, finder.f
        self.read_wrappable = True
        self.read_problem = ""
        self.depth = 0

    def flows(self, node: Node, wrap: Node) -> Iterator[_Escape]:
        """Where the value of node goes; an escape copies wrap's value where it leaves."""
        parent = node.parent
        if parent is None or self.depth > _MAX_DEPTH:
            return
        pt = parent.type
        if pt == "parenthesized_expression":
            yield from self.flows(parent, wrap)
        elif pt == "return_statement":
            yield _Escape("is returned", wrap)
        elif pt == "expression_list":
            yield from self._from_list(node, parent, wrap)
        elif pt == "send_statement" and parent.child_by_field_name("value") == node:
            yield _Escape("is sent on a channel", wrap)
        elif pt == "literal_element":
            container = parent.parent
            if container is not None and container.type == "keyed_element":
                if container.child_by_field_name("value") != parent:
                    return
                container = container.parent
            if container is not None and container.type == "literal_value" and container.parent is not None:
                up = container if container.parent.type == "literal_element" else container.parent
                typ = up.child_by_field_name("type") if up.type == "composite_literal" else None
                what = f"a {_squash(syntax.text(typ))} literal" if typ is not None else "a composite literal"
                for e in self.flows(up, wrap):
                    yield _Escape(f"is put in {what} that {e.route.removeprefix('is put in ')}", e.wrap)
        elif pt == "unary_expression" and syntax.text(parent.children[0]) == "&":
            # &T{...} carries the map inside a new value; &c.m or &m would hand out the
            # variable itself, which no copy of the map can replace.
            if syntax.unparen(node).type == "composite_literal":
                yield from self.flows(parent, wrap)
        elif pt == "argument_list":
            call = parent.parent
            if call is None or call.type != "call_expression":
                return
            if call.parent is not None and call.parent.type == "go_statement":
                yield _Escape("is passed to a go statement", wrap)
                return
            fn = call.child_by_field_name("function")
            args = parent.named_children
            if (
                fn is not None
                and syntax.text(fn) == "append"
                and find_declaration("append", fn) is None
                and args
                and args[0] != node
            ):
                yield from self.flows(call, wrap)

    def _from_list(self, node: Node, lst: Node, wrap: Node) -> Iterator[_Escape]:
        owner = lst.parent
        if owner is None:
            return
        items = lst.named_children
        i = next(k for k, c in enumerate(items) if c == node)
        if owner.type == "return_statement":
            yield _Escape("is returned", wrap)
        elif owner.type in ("assignment_statement", "short_var_declaration"):
            if owner.child_by_field_name("right") != lst:
                return
            left = owner.child_by_field_name("left")
            targets = left.named_children if left is not None else []
            if len(targets) == len(items):
                yield from self._store(targets[i], owner, wrap, comma_ok=False)
            elif len(items) == 1 and len(targets) == 2:
                yield from self._store(targets[0], owner, wrap, comma_ok=True)
        elif owner.type == "var_spec" and owner.child_by_field_name("value") == lst:
            names = owner.children_by_field_name("name")
            if len(names) == len(items):
                yield from self.alias(names[i], owner, wrap, container=False)

    def _store(self, target: Node, stmt: Node, wrap: Node, comma_ok: bool) -> Iterator[_Escape]:
        target = syntax.unparen(target)
        if comma_ok:
            self._no_read_wrap(f"{_squash(syntax.text(target))} is assigned with a comma-ok read")
        if target.type == "identifier":
            name = syntax.text(target)
            if name == "_":
                return
            if stmt.type == "short_var_declaration" and _declares_new(stmt, name):
                yield from self.alias(target, stmt, wrap, container=False)
                return
            decl = find_declaration(name, target)
            if decl is None:
                if name in self.types.vars and not self._protects_package():
                    yield _Escape(f"is stored in the package variable {name}", wrap)
                return
            if decl[0] == "param" and _is_result(self.func, name):
                yield _Escape(f"is returned (as the named result {name})", wrap)
                return
            yield from self.alias(target, stmt, wrap, container=False)
            return
        root = _chain_root(target)
        text = _squash(syntax.text(target))
        if root is None:
            if target.type == "unary_expression":
                yield _Escape(f"is stored in {text}", wrap)
            return
        name = syntax.text(root)
        decl = find_declaration(name, root)
        if decl is not None and name == self.guard.lock.root:
            return  # stored back into the structure the lock guards
        if decl is None:
            if name in self.types.vars and not self._protects_package():
                yield _Escape(f"is stored in {text}", wrap)
            return
        if decl[0] == "param" and not _is_result(self.func, name):
            yield _Escape(f"is stored in {text}", wrap)
            return
        for e in self.alias(root, stmt, wrap, container=True):
            yield _Escape(f"is stored in {text}, and {name} {e.route}", wrap)

    def _detached(self, body: Node, after: int, alias: str) -> bool:
        """True when, after the read and with the lock still held, the map read is taken out of the
        guarded structure (`m := c.m; c.m = nil`, `inner := c.m[k]`; `delete(c.m, k)`): nobody can
        reach it any more to write it, so handing it over is safe."""
        origin = syntax.unparen(self.origin)
        if origin.type not in ("selector_expression", "index_expression", "identifier"):
            return False
        text = _squash(syntax.text(origin))
        for n in syntax.named_walk(body, prune=frozenset({"func_literal"})):
            if n.start_byte < after:
                continue
            removed = False
            if n.type == "assignment_statement":
                left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
                targets = left.named_children if left is not None else []
                values = right.named_children if right is not None else []
                removed = len(targets) == len(values) and any(
                    _squash(syntax.text(t)) == text and syntax.text(v) != alias
                    for t, v in zip(targets, values, strict=True)
                )
            elif n.type == "call_expression" and origin.type == "index_expression":
                fn, args = n.child_by_field_name("function"), n.child_by_field_name("arguments")
                operand, index = origin.child_by_field_name("operand"), origin.child_by_field_name("index")
                removed = (
                    fn is not None
                    and syntax.text(fn) == "delete"
                    and args is not None
                    and operand is not None
                    and index is not None
                    and [_squash(syntax.text(a)) for a in args.named_children]
                    == [_squash(syntax.text(operand)), _squash(syntax.text(index))]
                )
            if removed and any(h.lock.stmt == self.guard.lock.stmt for h in held_at(n)):
                return True
        return False

    def _protects_package(self) -> bool:
        """True when the guarding mutex is itself a package-level variable (it guards package state)."""
        return find_declaration(self.guard.lock.root, self.guard.lock.stmt) is None

    def _no_read_wrap(self, why: str) -> None:
        if self.read_wrappable:
            self.read_wrappable = False
            self.read_problem = why

    def alias(self, name_node: Node, decl: Node, wrap: Node | None, container: bool) -> Iterator[_Escape]:
        """Escapes through the later uses of a local holding the map (with container: holding it inside)."""
        name = syntax.text(name_node)
        body = self.func.child_by_field_name("body")
        if body is None or self.depth >= _MAX_DEPTH:
            return
        self.depth += 1
        try:
            if decl.type in ("short_var_declaration", "var_spec", "range_clause"):
                expected: Node | None = decl
            else:
                found = find_declaration(name, name_node)
                expected = found[1] if found is not None else None
            if not container and self._detached(body, decl.end_byte, name):
                return
            written = False
            for use in _uses(body, name, decl.end_byte):
                got = find_declaration(name, use)
                if expected is None or got is None or got[1] != expected:
                    continue
                if _is_assigned(use):
                    if _assigned_a_copy(use):
                        break  # later uses see a copy, not the guarded map
                    continue
                lit = _enclosing_literal(use, self.func)
                held = lit is None and any(h.lock.stmt == self.guard.lock.stmt for h in held_at(use))
                if not container and held and _writes_through(use):
                    written = True
                if lit is not None:
                    if _is_go_literal(lit):
                        route = f"is captured by a goroutine (through {name})"
                        yield _Escape(route, wrap if container else None)
                    continue
                if not held:
                    unlock = "RUnlock" if self.guard.lock.method == "RLock" else "Unlock"
                    route = f"is kept in {name} and read after {self.guard.mutex}.{unlock}()"
                    yield _Escape(route, wrap if container else None)
                    continue
                for e in self.flows(use, wrap if container else use):
                    yield _Escape(e.route if container else f"{e.route} (through {name})", e.wrap)
            if written:
                self._no_read_wrap(f"{name} is written through, and a copy would receive the writes")
        finally:
            self.depth -= 1


def _chains(func: Node, body: Node, locks: list[LockCall], roots: set[str]) -> list[Node]:
    """The outermost selector/index chains of func's body (outside its function literals), in
    source order, that _Finder._may_guard may accept: all of them when func takes a lock
    whose root is not a local, else only those that start from one of roots (a chain from
    another root needs a package-level lock held)."""
    own = [
        lc
        for lc in locks
        if func.start_byte <= lc.stmt.start_byte < func.end_byte and _function_of(lc) == func
    ]
    if any(find_declaration(lc.root, lc.stmt) is None for lc in own):
        return [
            n
            for n in syntax.named_walk(body, prune=frozenset({"func_literal"}))
            if n.type in _CHAIN and n.parent is not None and not _continues_chain(n)
        ]
    if not roots:
        return []
    found: dict[int, Node] = {}
    for ident in QueryCursor(_identifiers_named(tuple(sorted(roots)))).captures(body).get("id", []):
        if not _in_literal(ident, body):
            found.update((top.id, top) for top in _chain_tops(ident))
    return _in_order(list(found.values()))


@functools.lru_cache(maxsize=256)
def _identifiers_named(names: tuple[str, ...]) -> Query:
    """A query for the identifiers spelled as one of names (kept apart from syntax.query's small cache)."""
    quoted = " ".join(f'"{n}"' for n in names)
    return Query(syntax.GO, f"((identifier) @id (#any-of? @id {quoted}))")


def _in_literal(node: Node, body: Node) -> bool:
    """True when node is inside a function literal within body."""
    for a in syntax.ancestors(node):
        if a == body:
            return False
        if a.type == "func_literal":
            return True
    return False


def _chain_tops(ident: Node) -> Iterator[Node]:
    """The outermost chains (see _continues_chain) whose _chain_root is the identifier ident."""
    n = ident
    while True:
        if n.type in _CHAIN and not _continues_chain(n) and _chain_root(n) == ident:
            yield n
        parent = n.parent
        if parent is None:
            return
        if parent.type in ("selector_expression", "index_expression", "unary_expression"):
            if parent.child_by_field_name("operand") != n:
                return
        elif parent.type != "parenthesized_expression":
            return
        n = parent


# --- which maps are written under which lock ---------------------------------------------

_Key = tuple[str, ...]


def _path(chain: Node) -> tuple[Node, _Key] | None:
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


def _map_key(chain: Node) -> _Key | None:
    """The map's identity across functions: ("~", ".m", "[]") for c.m[k] with c a local or
    parameter (any variable of that shape), ("registry", "[]") for a package-level variable."""
    found = _path(chain)
    if found is None:
        return None
    root, segments = found
    head = "~" if find_declaration(syntax.text(root), root) is not None else syntax.text(root)
    return (head, *segments)


def _lock_key(held: Held) -> _Key | None:
    """The mutex's identity across functions, shaped like _map_key: ("~", ".mu"), ("mu",)."""
    parts = held.mutex.split(".")
    local = find_declaration(parts[0], held.lock.stmt) is not None
    return ("~", *("." + p for p in parts[1:])) if local else (parts[0], *("." + p for p in parts[1:]))


def _guarded_writes(locks: list[tuple[FileContext, list[LockCall]]]) -> set[tuple[_Key, _Key]]:
    """(lock key, map key) for every map the package writes (m[k] = v, m[k]++, delete, clear)
    while holding a lock that guards it: the writers a leaked map would race with. locks: the
    package's files that take locks, with their acquiring lock calls."""
    out: set[tuple[_Key, _Key]] = set()
    for n in _writes_in_locking_functions(locks):
        target = _written_map(n)
        if target is None:
            continue
        chain = _resolve_alias(target)
        found = _path(chain) if chain is not None else None
        if found is None:
            continue
        root = syntax.text(found[0])
        local = find_declaration(root, found[0]) is not None
        key = _map_key(chain)  # type: ignore[arg-type]
        for h in held_at(n):
            lock_local = find_declaration(h.lock.root, h.lock.stmt) is not None
            if (local and lock_local and h.lock.root == root) or (not local and not lock_local):
                lk = _lock_key(h)
                if lk is not None and key is not None:
                    out.add((lk, key))
    return out


def _locks(f: FileContext) -> bool:
    """True for the files of PackageContext.files_with(b"Lock()") that may hold an acquiring lock call."""
    return b"Lock()" in f.content and may_acquire(f.content) and not f.broken


def _locking_functions(locks: list[LockCall]) -> list[Node]:
    """The functions (declarations or literals) in which the lock calls locks are made, in order."""
    funcs: dict[int, Node] = {}
    for lc in locks:
        func = _function_of(lc)
        if func is not None:
            funcs.setdefault(func.id, func)
    return list(funcs.values())


def _function_of(lc: LockCall) -> Node | None:
    return syntax.enclosing_function(lc.stmt)


_WRITES = (
    "[(assignment_statement) (inc_statement) (dec_statement)] @write"
    ' (call_expression function: (identifier) @fn (#any-of? @fn "delete" "clear")) @write'
)


def _writes_in_locking_functions(locks: list[tuple[FileContext, list[LockCall]]]) -> Iterator[Node]:
    """The statements and calls that may write a map (see _written_map) in the functions that
    take a lock: held_at finds no lock held anywhere else. Those of a function literal inside
    such a function come too (held_at tells for them)."""
    for _, acquired in locks:
        bodies = (func.child_by_field_name("body") for func in _locking_functions(acquired))
        end = -1
        for body in sorted((b for b in bodies if b is not None), key=lambda b: b.start_byte):
            if body.start_byte < end:
                continue  # a literal inside a function already queried
            end = body.end_byte
            yield from syntax.captures(_WRITES, body).get("write", [])


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
        if (
            fn is not None
            and syntax.text(fn) in ("delete", "clear")
            and args is not None
            and args.named_children
        ):
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


# --- syntax helpers ---------------------------------------------------------------------


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _continues_chain(node: Node) -> bool:
    """True when node is the operand of a larger selector or index expression (or of a call)."""
    parent = node.parent
    if parent is None:
        return False
    if (
        parent.type in ("selector_expression", "index_expression")
        and parent.child_by_field_name("operand") == node
    ):
        return True
    return parent.type == "call_expression" and parent.child_by_field_name("function") == node


def _chain_root(node: Node) -> Node | None:
    """The identifier a selector/index chain starts from (`c` in `(*c).m[k].data`), else None."""
    node = syntax.unparen(node)
    while True:
        if node.type == "identifier":
            return node
        deref = node.type == "unary_expression" and syntax.text(node.children[0]) == "*"
        if node.type not in ("selector_expression", "index_expression") and not deref:
            return None
        operand = node.child_by_field_name("operand")
        if operand is None:
            return None
        node = syntax.unparen(operand)


def _is_write_target(node: Node) -> bool:
    """True when node is assigned to (left of =, :=, op=, ++/--), not read."""
    parent = node.parent
    while parent is not None and parent.type == "parenthesized_expression":
        parent = parent.parent
    if parent is None:
        return False
    if parent.type in ("inc_statement", "dec_statement"):
        return True
    if parent.type == "expression_list":
        owner = parent.parent
        return (
            owner is not None
            and owner.type in ("assignment_statement", "short_var_declaration", "range_clause")
            and owner.child_by_field_name("left") == parent
        )
    return False


def _is_assigned(use: Node) -> bool:
    return _is_write_target(use)


def _assigned_a_copy(use: Node) -> bool:
    """True when the assignment to use stores a copy made by a clone function (`m = maps.Clone(m)`)."""
    lst = use.parent
    owner = lst.parent if lst is not None else None
    right = owner.child_by_field_name("right") if owner is not None else None
    if right is None or lst is None or len(right.named_children) != len(lst.named_children):
        return False
    value = syntax.unparen(right.named_children[[c.id for c in lst.named_children].index(use.id)])
    fn = value.child_by_field_name("function") if value.type == "call_expression" else None
    return fn is not None and re.search(r"(?i)clone|copy", syntax.text(fn)) is not None


def _writes_through(use: Node) -> bool:
    """True when use (an identifier holding a map) is written through: m[k] = v, m[k]++, delete/clear(m)."""
    parent = use.parent
    if parent is None:
        return False
    if parent.type == "index_expression" and parent.child_by_field_name("operand") == use:
        return _is_write_target(parent)
    if parent.type == "argument_list" and parent.parent is not None:
        fn = parent.parent.child_by_field_name("function")
        name = syntax.text(fn) if fn is not None else ""
        if name in ("delete", "clear") and parent.named_children and parent.named_children[0] == use:
            return True
        if (
            name not in ("len", "delete", "clear", "append", "print", "println")
            and parent.parent.parent is not None
        ):
            return parent.parent.parent.type != "go_statement"  # any other call might write
    return False


def _declares_new(stmt: Node, name: str) -> bool:
    """True when the short variable declaration stmt declares name (rather than reassigning it)."""
    return find_declaration(name, stmt) is None or _declaration_node(name, stmt) is None


def _declaration_node(name: str, at: Node) -> Node | None:
    found = find_declaration(name, at)
    return found[1] if found is not None and found[0] != "param" else None


def _uses(body: Node, name: str, after: int) -> Iterator[Node]:
    """The identifiers name in body that start at or after offset after, in source order."""
    needle = name.encode()
    for n in _in_order(syntax.captures("(identifier) @id", body).get("id", [])):
        if n.start_byte >= after and n.text == needle:
            yield n


def _in_order(nodes: list[Node]) -> list[Node]:
    """Nodes in the order of a walk of their tree (by start, outer nodes first)."""
    return sorted(nodes, key=lambda n: (n.start_byte, -n.end_byte))


def _enclosing_literal(node: Node, func: Node) -> Node | None:
    """The outermost function literal between node and func, if any."""
    found = None
    for a in syntax.ancestors(node):
        if a == func:
            return found
        if a.type == "func_literal":
            found = a
    return found


def _is_go_literal(lit: Node) -> bool:
    call = lit.parent
    return (
        call is not None
        and call.type == "call_expression"
        and call.child_by_field_name("function") == lit
        and call.parent is not None
        and call.parent.type == "go_statement"
    )


def _is_result(func: Node, name: str) -> bool:
    result = func.child_by_field_name("result")
    if result is None or result.type != "parameter_list":
        return False
    return any(
        syntax.text(n) == name for p in result.named_children for n in p.children_by_field_name("name")
    )


# --- fixes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Copy:
    """How one fix copies the map: the function to call, and what it needs."""

    call: str
    helper: clone_go.CloneHelper | None
    imports_maps: bool = False


class _Fixer:
    """Turns leaks into findings, with fixes that share one generated helper file."""

    def __init__(self, pkg: PackageContext, types: PackageTypes) -> None:
        self.pkg, self.types = pkg, types
        self.clone_path = pkg.directory / clone_go.CLONE_FILE
        self.clone_file = next((f for f in pkg.sources if f.path == self.clone_path and not f.broken), None)
        self.existing: set[clone_go.CloneHelper] = set()
        self.helper_problem = ""
        if pkg.name.endswith("_test"):
            self.helper_problem = "an external test package cannot hold the generated helper file"
        elif self.clone_file is not None:
            try:
                self.existing = clone_go.helpers_in(self.clone_file.content)
            except ValueError as e:
                self.helper_problem = f"{clone_go.CLONE_FILE} cannot be updated ({e})"
        self._user_names: dict[str, bool] = {}
        self.taken: dict[str, clone_go.CloneHelper] = {clone_go.helper_name(h): h for h in self.existing}

    def _user_declares(self, name: str) -> bool:
        """True when a file of the package other than the helper file declares name at package level."""
        found = self._user_names.get(name)
        if found is None:
            found = self._user_names[name] = any(
                name in declared_names(decl)
                for f in self.pkg.files_with(name.encode())
                if f.path != self.clone_path
                for decl in f.root.named_children
            )
        return found

    def findings(self, leaks: list[_Leak]) -> Iterator[Finding]:
        plans: list[tuple[_Leak, str, list[tuple[_Copy, Safety, str]], str]] = []
        for leak in leaks:
            notes, copies, problem = self._plan(leak)
            plans.append((leak, notes, copies, problem))
        firsts = [c for _, _, cs, _ in plans for c in cs[:1]]
        union_safe = self.existing | {
            c.helper for c, s, _ in firsts if c.helper is not None and s is Safety.SAFE
        }
        union_unsafe = union_safe | {c.helper for c, s, _ in firsts if c.helper is not None}
        for leak, notes, copies, problem in plans:
            fixes: list[Fix] = []
            for i, (copy, safety, message) in enumerate(copies):
                if i == 0:
                    helpers = union_safe if safety is Safety.SAFE else union_unsafe
                else:
                    helpers = union_safe | ({copy.helper} if copy.helper is not None else set())
                fix = self._fix(leak, copy, safety, message, helpers)
                if fix is not None:
                    fixes.append(fix)
            message = _message(leak, notes, copies, problem)
            where = leak.shallow or leak.wrap or leak.at
            yield finding(RULE, leak.file, where, message, fixes)

    # -- planning ------------------------------------------------------------------------

    def _plan(self, leak: _Leak) -> tuple[str, list[tuple[_Copy, Safety, str]], str]:
        """(notes for the message, [(copy, safety, fix message)], reason there is no fix)."""
        types = self.types
        outer = types.map_parts(leak.maptype)
        assert outer is not None
        inner = types.map_parts(outer[1])
        nested = inner is not None
        value = inner[1] if inner is not None else outer[1]
        notes: list[str] = []
        if nested and types.map_parts(value) is not None:
            return "", [], "maps three or more levels deep are not copied by gomapfix's helpers"
        holds = _holds_maps(value, types)
        if holds is True:
            return "", [], f"its values ({value.text}) hold maps of their own, which a copy would still share"
        unsafe: list[str] = []
        if holds is None:
            unsafe.append(f"values of type {value.text} might hold maps, which a copy would still share")
        pointee = types.pointee(value)
        if value.kind == "pointer_type":
            notes.append(f"pointer values ({value.text}) stay shared with the original")
        if leak.no_fix is not None and leak.wrap is None:
            return _sentences(notes), [], leak.no_fix
        unsafe.extend(self._contract(leak))
        safety = Safety.UNSAFE if unsafe else Safety.SAFE
        if unsafe:
            notes.append("the fix is a suggestion: " + "; ".join(unsafe))
        copies: list[tuple[_Copy, Safety, str]] = []
        what = leak.path
        mutex = leak.held.mutex
        first = self._copy(leak, nested, values=False)
        if isinstance(first, str):
            return _sentences(notes), [], first
        copies.append((first, safety, f"copy {what} with {first.call} while {mutex} is held"))
        if pointee is not None and _copyable(pointee, types):
            second = self._copy(leak, nested, values=True)
            if not isinstance(second, str):
                msg = (
                    f"copy {what}, and each {pointee.text} its values point to, with {second.call} "
                    f"while {mutex} is held (new pointers)"
                )
                copies.append((second, Safety.UNSAFE, msg))
        return _sentences(notes), copies, ""

    def _contract(self, leak: _Leak) -> list[str]:
        """Reasons the copy might break a caller's expectations (each makes the fix unsafe)."""
        out: list[str] = []
        decl = _declaration(leak.func)
        name_node = decl.child_by_field_name("name") if decl is not None else None
        name = syntax.text(name_node) if name_node is not None else ""
        if decl is not None and name[:1].isupper():
            m = _PROMISE.search(_doc_comment(decl))
            if m:
                out.append(f'the doc comment of {name} says the map is shared ("{m.group(0)}")')
        if decl is not None and name and leak.route.startswith("is returned") and leak.func == decl:
            # The map itself is the result (not a value holding it): callers may write through it.
            writer = _writes_through_result(self.pkg, decl, name)
            if writer:
                out.append(f"{writer} writes through the map {name} returns, and would write to the copy")
        return out

    def _copy(self, leak: _Leak, nested: bool, values: bool) -> _Copy | str:
        """The copy call for the leak's map type, or why there is none."""
        pkg, types = self.pkg, self.types
        t = leak.maptype
        keys = _key_types(t, types)
        kind = ("nested" if nested else "single") + ("-values" if values else "")
        if not nested and not values and pkg.at_least(1, 21):
            return _Copy("maps.Clone", None, imports_maps=True)
        if self.helper_problem:
            return self.helper_problem
        if pkg.at_least(1, 18) and (pkg.at_least(1, 20) or all(_strictly_comparable(k, types) for k in keys)):
            helper = clone_go.CloneHelper(kind)  # type: ignore[arg-type]
            if self._user_declares(clone_go.helper_name(helper)):
                return f"the package already declares {clone_go.helper_name(helper)}"
            return _Copy(clone_go.helper_name(helper), helper)
        concrete = self._concrete(t, kind, nested, values)
        if isinstance(concrete, str):
            return concrete
        return _Copy(concrete.name, concrete)

    def _concrete(self, t: GoType, kind: str, nested: bool, values: bool) -> clone_go.CloneHelper | str:
        """A per-type helper for t (go < 1.18, or interface-like keys below go 1.20)."""
        types = self.types
        if self.pkg.broken:
            return "some files of the package do not parse, so a helper name could clash"
        type_text = _squash(t.text)
        underlying = ""
        if t.kind != "map_type":
            u = _map_literal(t, types)
            if u is None or not types.is_named_here(t):
                return f"{type_text} cannot be named in the generated helper file"
            underlying = _squash(u.text)
            outer_node = u
        else:
            outer_node = t
        inner_underlying = ""
        if nested:
            parts = types.map_parts(outer_node)
            assert parts is not None
            if parts[1].kind != "map_type":
                iu = _map_literal(parts[1], types)
                if iu is None:
                    return f"{parts[1].text} cannot be named in the generated helper file"
                inner_underlying = _squash(iu.text)
        texts = [type_text, underlying, inner_underlying]
        problem = self._portable(texts, t)
        if problem:
            return problem
        imports = self._imports(texts, t)
        if isinstance(imports, str):
            return imports
        base = "gomapfixClone" + _camel(type_text) + ("Values" if values else "")
        for i in range(1, 100):
            name = base if i == 1 else f"{base}{i}"
            try:
                helper = clone_go.CloneHelper(
                    kind,  # type: ignore[arg-type]
                    name=name,
                    type_text=type_text,
                    underlying=underlying,
                    inner_underlying=inner_underlying,
                    imports=tuple(imports),
                )
            except ValueError as e:
                return f"no helper can be generated for {type_text} ({e})"
            other = self.taken.get(name)
            if self._user_declares(name) or (other is not None and other != helper):
                continue
            self.taken[name] = helper
            return helper
        return f"no free helper name for {type_text}"

    def _portable(self, texts: list[str], t: GoType) -> str:
        """Why the type texts cannot be pasted into the helper file ("" when they can)."""
        for text in texts:
            if "\n" in text or "//" in text or "/*" in text:
                return "the map type spans several lines or holds comments"
            for name in re.findall(r"(?<![.\w])([A-Za-z_]\w*)(?![\w.(])", text):
                decl = self.types.decls.get(name)
                if decl is None:
                    continue
                df = decl.file
                if decl.generic:
                    return f"{name} is a generic type"
                if df.is_test or df.build_constraint is not None or _has_build_suffix(df.path.name):
                    return f"{name} is declared in {df.path.name}, which is not always built with the helpers"
        return ""

    def _imports(self, texts: list[str], t: GoType) -> list[str] | str:
        specs: list[str] = []
        for text in texts:
            for qual in re.findall(r"(?<![.\w])([A-Za-z_]\w*)\.[A-Za-z_]", text):
                if qual == "C":
                    return "the map type uses C types, which the helper file cannot import"
                spec = self._import_spec(qual, t)
                if spec is None:
                    return f"the import of {qual} could not be found"
                specs.append(spec)
        return sorted(set(specs))

    def _import_spec(self, qual: str, t: GoType) -> str | None:
        # A file can import qual only if its bytes hold it (as the import's name or in its path).
        files = ([t.file] if t.file is not None else []) + self.pkg.files_with(qual.encode())
        for f in files:
            for name, path, _ in f.import_specs:
                base = path.rsplit("/", 1)[-1]
                if (name or base) == qual and name not in ("_", "."):
                    return f'"{path}"' if name is None else f'{name} "{path}"'
        return None

    # -- building fixes ----------------------------------------------------------------

    def _fix(
        self, leak: _Leak, copy: _Copy, safety: Safety, message: str, helpers: set[clone_go.CloneHelper]
    ) -> Fix | None:
        f = leak.file
        wrap = leak.shallow if leak.shallow is not None else leak.wrap
        if wrap is None:
            return None
        edits: list[Edit] = []
        call = copy.call
        if copy.imports_maps:
            plan = plan_imports(f, self.pkg, ["maps"])
            qual = plan.names["maps"]
            if qual and find_declaration(qual, wrap) is not None:
                return None
            call = plan.qualify("maps", "Clone")
            edits.extend(plan.edits)
        elif find_declaration(call, wrap) is not None:
            return None
        if leak.shallow is not None:
            fn = leak.shallow.child_by_field_name("function")
            assert fn is not None
            edits.append(f.edit(fn.start_byte, fn.end_byte, call))
        else:
            # Two insertions rather than one replacement: an edit another fix makes at
            # either end of the expression then conflicts, and waits for the next pass.
            edits.append(f.edit(wrap.start_byte, wrap.start_byte, f"{call}("))
            edits.append(f.edit(wrap.end_byte, wrap.end_byte, ")"))
        new_files: tuple[NewFile, ...] = ()
        if copy.helper is not None:
            try:
                content = clone_go.render_clone_file(self.pkg.name, self.pkg.go_version, helpers)
            except ValueError:
                return None
            if self.clone_file is None:
                new_files = (NewFile(self.clone_path, content),)
            elif content != self.clone_file.content:
                edits.append(Edit(self.clone_path, 0, len(self.clone_file.content), content))
        return Fix(message, tuple(edits), safety, new_files)


def _message(leak: _Leak, notes: str, copies: list, problem: str) -> str:
    mutex = leak.held.mutex
    verb = "read-locked" if leak.held.lock.method == "RLock" else "locked"
    name = _function_name(leak.func)
    typ = _squash(leak.maptype.text)
    if leak.shallow is not None:
        head = (
            f"In {name}, {_squash(syntax.text(leak.shallow))} copies only the outer map of {leak.path} "
            f"({typ}) while {mutex} is {verb}; the copy shares the inner maps and {leak.route}"
        )
    else:
        head = f"In {name}, {leak.path} ({typ}) is read while {mutex} is {verb} and {leak.route}"
    msg = (
        f"{head}: reading it without the lock while other goroutines may write it under the lock is "
        'a data race that can end in "fatal error: concurrent map read and map write". '
        "Hand out a copy taken under the lock."
    )
    if notes:
        msg += " " + notes
    if not copies:
        msg += f" No fix: {problem or 'the copy cannot be placed where the lock is held'}."
    return msg


def _sentences(notes: list[str]) -> str:
    return " ".join(n[:1].upper() + n[1:] + "." for n in notes)


def _function_name(func: Node) -> str:
    decl = _declaration(func)
    if decl is None:
        return "a function literal"
    name = decl.child_by_field_name("name")
    label = syntax.text(name) if name is not None else "?"
    if func != decl:
        return f"a function literal in {label}"
    return label


def _declaration(func: Node) -> Node | None:
    node: Node | None = func
    while node is not None and node.type == "func_literal":
        node = syntax.enclosing_function(node)
    return node


def _doc_comment(decl: Node) -> str:
    lines: list[str] = []
    node = decl.prev_named_sibling
    row = decl.start_point[0]
    while node is not None and node.type == "comment" and node.end_point[0] == row - 1:
        lines.insert(0, syntax.text(node).lstrip("/").strip())
        row = node.start_point[0]
        node = node.prev_named_sibling
    return " ".join(lines)


def _writes_through_result(pkg: PackageContext, decl: Node, name: str) -> str:
    """The name of a function of the package that writes through the map decl returns ("" if none)."""
    method = decl.type == "method_declaration"
    needle = name.encode()
    for f in pkg.files_with(needle):
        for call in _in_order(syntax.captures("(call_expression) @call", f.root).get("call", [])):
            fn = call.child_by_field_name("function")
            if fn is None:
                continue
            if method:
                fld = fn.child_by_field_name("field") if fn.type == "selector_expression" else None
                if fld is None or syntax.text(fld) != name:
                    continue
            elif fn.type != "identifier" or syntax.text(fn) != name:
                continue
            if _result_written(call):
                caller = _declaration(syntax.enclosing_function(call) or call)
                caller_name = caller.child_by_field_name("name") if caller is not None else None
                return syntax.text(caller_name) if caller_name is not None else "a caller"
    return ""


def _result_written(call: Node) -> bool:
    """True when the map a call returns is written through, directly or via a local it is assigned to."""
    if _writes_through(call):
        return True
    parent = call.parent
    if parent is None or parent.type != "expression_list" or parent.parent is None:
        return False
    owner = parent.parent
    if (
        owner.type not in ("short_var_declaration", "assignment_statement")
        or owner.child_by_field_name("right") != parent
    ):
        return False
    left = owner.child_by_field_name("left")
    targets = left.named_children if left is not None else []
    i = next(k for k, c in enumerate(parent.named_children) if c == call)
    if i >= len(targets) or targets[i].type != "identifier":
        return False
    func = syntax.enclosing_function(call)
    body = func.child_by_field_name("body") if func is not None else None
    if body is None:
        return False
    name = syntax.text(targets[i])
    for use in _uses(body, name, owner.end_byte):
        if _is_assigned(use):
            break
        parent_use = use.parent
        if parent_use is not None and parent_use.type == "index_expression" and _is_write_target(parent_use):
            return True
        if parent_use is not None and parent_use.type == "argument_list":
            fn = parent_use.parent.child_by_field_name("function") if parent_use.parent is not None else None
            if fn is not None and syntax.text(fn) in ("delete", "clear"):
                return True
    return False


# --- type questions -------------------------------------------------------------------------


def _key_types(t: GoType, types: PackageTypes) -> list[GoType]:
    out = []
    parts = types.map_parts(t)
    while parts is not None and len(out) < 3:
        out.append(parts[0])
        parts = types.map_parts(parts[1])
    return out


def _strictly_comparable(t: GoType, types: PackageTypes, depth: int = 0) -> bool:
    """True when t is comparable and holds no interface (what `comparable` accepts below go 1.20)."""
    if depth > 8:
        return False
    if t.node is None:
        return True
    u = types.underlying(t)
    if u is None or u.node is None:
        return False
    kind = u.node.type
    if kind in ("type_identifier", "identifier"):
        return syntax.text(u.node) not in ("any", "error", "comparable")
    if kind in ("pointer_type", "channel_type"):
        return True
    if kind == "array_type":
        elem = u.node.child_by_field_name("element")
        return elem is not None and _strictly_comparable(GoType(elem, u.file), types, depth + 1)
    if kind == "struct_type":
        return all(_strictly_comparable(ft, types, depth + 1) for _, ft, _ in types.fields(u))
    return False


def _holds_maps(t: GoType, types: PackageTypes, depth: int = 0) -> bool | None:
    """True if a value of type t holds a map by value (struct fields, arrays); None when unknown."""
    if depth > 8 or t.node is None:
        return False if t.node is None else None
    if _squash(t.text) in _OPAQUE_OK:
        return False
    u = types.underlying(t)
    if u is None or u.node is None:
        return None
    kind = u.node.type
    if kind == "map_type":
        return True
    if kind == "interface_type" or (kind == "type_identifier" and syntax.text(u.node) == "any"):
        return None
    if kind == "array_type":
        elem = u.node.child_by_field_name("element")
        return _holds_maps(GoType(elem, u.file), types, depth + 1) if elem is not None else None
    if kind == "struct_type":
        answers = [_holds_maps(ft, types, depth + 1) for _, ft, _ in types.fields(u)]
        if any(a is True for a in answers):
            return True
        return None if any(a is None for a in answers) else False
    return False


def _copyable(t: GoType, types: PackageTypes, depth: int = 0) -> bool:
    """True when `copied := *p` of a *t is allowed by vet's copylocks check for certain (no locks inside)."""
    if depth > 8:
        return False
    if _squash(t.text) in _OPAQUE_OK:
        return True
    u = types.underlying(t)
    if u is None or u.node is None:
        return u is not None
    kind = u.node.type
    if kind in ("type_identifier", "identifier", "pointer_type", "slice_type", "map_type", "channel_type"):
        return True
    if kind in ("function_type", "interface_type"):
        return True
    if kind == "array_type":
        elem = u.node.child_by_field_name("element")
        return elem is not None and _copyable(GoType(elem, u.file), types, depth + 1)
    if kind == "struct_type":
        return all(_copyable(ft, types, depth + 1) for _, ft, _ in types.fields(u))
    return False


def _map_literal(t: GoType, types: PackageTypes) -> GoType | None:
    u = types.underlying(t)
    return u if u is not None and u.kind == "map_type" else None


_GOOS_GOARCH = frozenset(
    "aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 solaris "
    "wasip1 windows zos 386 amd64 arm arm64 loong64 mips mips64 mips64le mipsle ppc64 ppc64le riscv64 "
    "s390x wasm".split()
)


def _has_build_suffix(filename: str) -> bool:
    parts = filename.removesuffix(".go").removesuffix("_test").split("_")
    return len(parts) > 1 and parts[-1] in _GOOS_GOARCH


def _camel(type_text: str) -> str:
    """A deterministic identifier part for a type text: map[string]*User -> MapStringPtrUser."""
    out: list[str] = []
    for m in re.finditer(r"map\[|\[\]|\*|\[(\d+)\]|[A-Za-z_]\w*", type_text):
        tok = m.group(0)
        if tok == "map[":
            out.append("Map")
        elif tok == "[]":
            out.append("Slice")
        elif tok == "*":
            out.append("Ptr")
        elif m.group(1):
            out.append("Array" + m.group(1))
        else:
            out.append(tok[:1].upper() + tok[1:])
    name = "".join(out).replace("_", "")
    if len(name) > 48 or not name:
        name = name[:32] + hashlib.sha256(type_text.encode()).hexdigest()[:8]
    return name


TRANSFORM = DeepCopy()
"""The rule's transform, as the registry (transforms.PACKAGES) lists it."""
