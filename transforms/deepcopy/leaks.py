"""Finding leaks: map values read under a lock that leave the locked region, and how each leaves.

A _Finder walks the functions that take a lock; a _Flow follows one map value from its read
(a selector/index chain, a local holding it, a range variable over it) to every route out of
the lock: returned, sent, stored where it outlives the lock, handed to a goroutine, read after
the Unlock.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node, Query, QueryCursor

from codemod import golines, syntax
from codemod.context import FileContext, PackageContext
from gofacts.decls import Declarations
from gofacts.locks import Held, LockCall, held_at
from gofacts.scope import find_declaration
from gofacts.signatures import receiver_name
from gofacts.types import BASIC_TYPES, GoType, PackageTypes
from transforms.deepcopy.chains import (
    assigned_a_copy,
    beside_a_copy,
    chain_root,
    continues_chain,
    declares_new,
    enclosing_literal,
    in_order,
    is_assigned,
    is_go_literal,
    is_result,
    is_write_target,
    squash,
    uses,
    writes_through,
)
from transforms.deepcopy.guarded import (
    GuardedWrites,
    function_of,
    locking_functions,
    writes_of,
    written_names,
)

TO_GOROUTINE = "is passed to a go statement"
CAPTURED_BY_GOROUTINE = "is captured by a goroutine"
"""The routes by which a leak hands the map to a goroutine the package starts."""

_CHAIN = frozenset({"identifier", "selector_expression", "index_expression"})


_MAX_DEPTH = 4


@dataclass(frozen=True, eq=False)
class _Escape:
    """One way the map leaves the locked region; wrap is where a copy would be taken (None: at the read)."""

    route: str
    wrap: Node | None


@dataclass(eq=False)
class Leak:
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
    concurrency: str = ""  # how a goroutine of the package takes part (evidence.concurrency)


class Finder:
    """Finds guarded maps that escape their lock in one file."""

    def __init__(
        self, f: FileContext, pkg: PackageContext, types: PackageTypes, writes: GuardedWrites
    ) -> None:
        self.f, self.pkg, self.types, self.writes = f, pkg, types, writes
        self.maps_name = f.import_name("maps")
        self._written_roots = frozenset(key[0] for _, key in writes)
        """The roots of the maps written under a lock: a package variable's name, "~..." for a local's."""

    def leaks(self, locks: list[LockCall]) -> Iterator[Leak]:
        """The leaks of the file, given its acquiring lock calls."""
        seen: set[tuple[int, int]] = set()
        spelled = written_names(self.writes)
        for func in locking_functions(locks):
            body = func.child_by_field_name("body")
            if body is None or (spelled is not None and not spelled.search(body.text or b"")):
                continue  # names no map written under a lock: reads none a writer races
            roots = {lc.root for lc in locks if body.start_byte <= lc.stmt.start_byte < body.end_byte}
            for node in _chains(func, body, locks, roots):
                root = chain_root(node)
                if root is not None and self._may_guard(node, root, roots):
                    for leak in self._leaks_of(node, func):
                        key = (leak.wrap.id if leak.wrap is not None else node.id, leak.shallow is not None)
                        if key not in seen:
                            seen.add(key)
                            yield leak

    def _may_guard(self, node: Node, root: Node, roots: set[str]) -> bool:
        """True when the chain node, starting from the identifier root, may be guarded (see _guard):
        it starts from the root of a lock taken in the function, or it starts from a package-level
        variable and a package-level lock is held. A name that roots no map written under a lock
        is not looked up (_written_under would find no write of it)."""
        name = syntax.text(root)
        if name in roots:
            return True
        if name not in self._written_roots or find_declaration(name, root) is not None:
            return False
        package_lock = any(find_declaration(h.lock.root, node) is None for h in held_at(node))
        return package_lock and name in self.types.vars

    def _guard(self, node: Node) -> Held | None:
        """The held lock that guards the map chain node, if any."""
        root = chain_root(node)
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

    def _leaks_of(self, node: Node, func: Node) -> Iterator[Leak]:
        if is_write_target(node):
            return
        if node.type == "identifier" and find_declaration(syntax.text(node), node) is not None:
            return  # locals are followed from their assignment, not as chains of their own
        guard = self._guard(node)
        if guard is None:
            return
        if not self._written_under(guard, node):
            return  # nothing writes this map under the lock: readers race with no one
        t = self.types.type_of(node, self.f)  # after the syntactic test: types cost more
        parts = self.types.map_parts(t)
        if t is None or parts is None:
            return
        if beside_a_copy(node):
            return  # a deliberate borrow, next to the copy its caller can ask for
        flow = _Flow(self, guard, func, node)
        path = squash(syntax.text(node))
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
        return bool(writes_of(self.writes, guard, node))

    def _shallow_clone(self, node: Node, t: GoType) -> Node | None:
        """The call `maps.Clone(node)` when node is a two-level map: a copy that shares the inner maps."""
        parent = node.parent
        call = parent.parent if parent is not None and parent.type == "argument_list" else None
        if call is None or call.type != "call_expression" or parent.named_child_count != 1:
            return None
        fn = call.child_by_field_name("function")
        if fn is None or not self.maps_name or squash(syntax.text(fn)) != f"{self.maps_name}.Clone":
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
    ) -> Iterator[Leak]:
        if not escapes:
            return
        at_read = [e for e in escapes if e.wrap is None]
        if at_read:
            if shallow is not None:
                yield Leak(self.f, func, at, guard, path, maptype, at_read[0].route, shallow, shallow=shallow)
                return
            problem = read_problem or (
                "" if read is not None else "the copy would have to be taken by the range loop"
            )
            if read is None or problem:
                yield Leak(self.f, func, at, guard, path, maptype, at_read[0].route, None, no_fix=problem)
            else:
                yield Leak(self.f, func, at, guard, path, maptype, at_read[0].route, read)
            return
        for e in escapes:
            yield Leak(self.f, func, at, guard, path, maptype, e.route, e.wrap, shallow=shallow)


class _Flow:
    """Follows where a guarded map value goes inside one function."""

    def __init__(self, finder: Finder, guard: Held, func: Node, origin: Node) -> None:
        self.guard, self.func, self.origin = guard, func, origin
        self.types, self.f, self.pkg = finder.types, finder.f, finder.pkg
        self.read_wrappable = True
        self.read_problem = ""
        self.depth = 0

    def _scalar_field(self, use: Node) -> bool:
        """`x.f` where field f holds a number, a string or a bool: no entry of a map is read."""
        parent = use.parent
        if (
            parent is None
            or parent.type != "selector_expression"
            or parent.child_by_field_name("operand") != use
        ):
            return False
        t = self.types.underlying(self.types.type_of(parent, self.f))
        return t is not None and t.node is not None and syntax.text(t.node) in _SCALARS

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
                what = f"a {squash(syntax.text(typ))} literal" if typ is not None else "a composite literal"
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
                yield _Escape(TO_GOROUTINE, wrap)
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
            self._no_read_wrap(f"{squash(syntax.text(target))} is assigned with a comma-ok read")
        if target.type == "identifier":
            name = syntax.text(target)
            if name == "_":
                return
            if stmt.type == "short_var_declaration" and declares_new(stmt, name):
                yield from self.alias(target, stmt, wrap, container=False)
                return
            decl = find_declaration(name, target)
            if decl is None:
                if name in self.types.vars and not self._protects_package():
                    yield _Escape(f"is stored in the package variable {name}", wrap)
                return
            if decl[0] == "param" and is_result(self.func, name):
                yield _Escape(f"is returned (as the named result {name})", wrap)
                return
            yield from self.alias(target, stmt, wrap, container=False)
            return
        root = chain_root(target)
        text = squash(syntax.text(target))
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
        if decl[0] == "param" and not is_result(self.func, name):
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
        text = squash(syntax.text(origin))
        for n in syntax.named_walk(body, prune=frozenset({"func_literal"})):
            if n.start_byte < after:
                continue
            removed = False
            if n.type == "assignment_statement":
                removed = _reassigns(n, text, alias)
            elif n.type == "call_expression" and origin.type == "index_expression":
                fn, args = n.child_by_field_name("function"), n.child_by_field_name("arguments")
                operand, index = origin.child_by_field_name("operand"), origin.child_by_field_name("index")
                removed = (
                    fn is not None
                    and syntax.text(fn) == "delete"
                    and args is not None
                    and operand is not None
                    and index is not None
                    and [squash(syntax.text(a)) for a in args.named_children]
                    == [squash(syntax.text(operand)), squash(syntax.text(index))]
                )
            elif n.type == "call_expression" and origin.type == "selector_expression":
                removed = self._detached_by_method(n, origin, alias)
            if removed and any(h.lock.stmt == self.guard.lock.stmt for h in held_at(n)):
                return True
        return False

    def _detached_by_method(self, call: Node, origin: Node, alias: str) -> bool:
        """True for `x.reset()` when origin is `x.m` and every method of the package named
        reset assigns its receiver's m another value in a top-level statement of its body
        (`r.m = make(...)`, `r.m = nil`): the call takes the map out as `x.m = nil` would."""
        fn = call.child_by_field_name("function")
        fn = syntax.unparen(fn) if fn is not None else None
        operand = origin.child_by_field_name("operand")
        field = origin.child_by_field_name("field")
        if fn is None or fn.type != "selector_expression" or operand is None or field is None:
            return False
        callee_operand, method = fn.child_by_field_name("operand"), fn.child_by_field_name("field")
        if (
            callee_operand is None
            or method is None
            or squash(syntax.text(callee_operand)) != squash(syntax.text(operand))
        ):
            return False
        found = Declarations.of(self.pkg).methods_named(syntax.text(method))
        return bool(found) and all(_resets_field(decl, syntax.text(field), alias) for decl, _ in found)

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
            # `subs, c.m = c.m, nil` detaches the map in the statement that takes it
            after = decl.start_byte if decl.type == "assignment_statement" else decl.end_byte
            if not container and self._detached(body, after, name):
                return
            written = False
            for use in uses(body, name, decl.end_byte):
                got = find_declaration(name, use)
                if expected is None or got is None or got[1] != expected:
                    continue
                if is_assigned(use):
                    if assigned_a_copy(use):
                        break  # later uses see a copy, not the guarded map
                    continue
                lit = enclosing_literal(use, self.func)
                held = lit is None and any(
                    h.lock.stmt == self.guard.lock.stmt or h.mutex == self.guard.mutex for h in held_at(use)
                )  # under the lock that guards it, taken once or again
                if not container and held and writes_through(use):
                    written = True
                if lit is not None:
                    if is_go_literal(lit):
                        route = f"{CAPTURED_BY_GOROUTINE} (through {name})"
                        yield _Escape(route, wrap if container else None)
                    continue
                if not held and (_nil_compared(use) or self._scalar_field(use)):
                    continue  # reads no entry of the map
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


def _resets_field(method: Node, field: str, alias: str) -> bool:
    """A top-level statement of method's body assigns receiver.field a value other than alias."""
    recv = receiver_name(method)
    body = method.child_by_field_name("body")
    if recv is None or body is None:
        return False
    return any(
        stmt.type == "assignment_statement"
        and syntax.text(stmt.child_by_field_name("operator") or stmt) == "="
        and _reassigns(stmt, f"{recv}.{field}", alias)
        for stmt in golines.block_statements(body)
    )


def _reassigns(stmt: Node, target: str, alias: str) -> bool:
    """The assignment stmt gives target (squashed text) a value other than the variable alias,
    its left and right sides paired one to one (`subs, s.m = s.m, nil`)."""
    left, right = stmt.child_by_field_name("left"), stmt.child_by_field_name("right")
    targets = left.named_children if left is not None else []
    values = right.named_children if right is not None else []
    return len(targets) == len(values) and any(
        squash(syntax.text(t)) == target and syntax.text(v) != alias
        for t, v in zip(targets, values, strict=True)
    )


def _chains(func: Node, body: Node, locks: list[LockCall], roots: set[str]) -> list[Node]:
    """The outermost selector/index chains of func's body (outside its function literals), in
    source order, that Finder._may_guard may accept: all of them when func takes a lock
    whose root is not a local, else only those that start from one of roots (a chain from
    another root needs a package-level lock held)."""
    own = [
        lc
        for lc in locks
        if func.start_byte <= lc.stmt.start_byte < func.end_byte and function_of(lc) == func
    ]
    if any(find_declaration(lc.root, lc.stmt) is None for lc in own):
        return [
            n
            for n in syntax.named_walk(body, prune=frozenset({"func_literal"}))
            if n.type in _CHAIN and n.parent is not None and not continues_chain(n)
        ]
    if not roots:
        return []
    found: dict[int, Node] = {}
    for ident in QueryCursor(_identifiers_named(tuple(sorted(roots)))).captures(body).get("id", []):
        if not _in_literal(ident, body):
            found.update((top.id, top) for top in _chain_tops(ident))
    return in_order(list(found.values()))


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
    """The outermost chains (see continues_chain) whose chain_root is the identifier ident."""
    n = ident
    while True:
        if n.type in _CHAIN and not continues_chain(n) and chain_root(n) == ident:
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


_SCALARS = BASIC_TYPES - {"error", "any", "comparable"}
"""The predeclared types whose values copy without sharing anything."""


def _nil_compared(use: Node) -> bool:
    """`x == nil` or `x != nil`: compares the map reference, reads none of its entries."""
    parent = use.parent
    while parent is not None and parent.type == "parenthesized_expression":
        parent = parent.parent
    if parent is None or parent.type != "binary_expression":
        return False
    op = parent.child_by_field_name("operator")
    sides = [parent.child_by_field_name("left"), parent.child_by_field_name("right")]
    return (
        op is not None
        and syntax.text(op) in ("==", "!=")
        and any(s is not None and syntax.unparen(s).type == "nil" for s in sides)
    )
