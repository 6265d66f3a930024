"""When a map a goroutine writes races with another access: safemap's decision.

concurrent() weighs every write made in a goroutine region against the other accesses of the
map: how many goroutines run the region on one object (regions.py, tokens.py), which
goroutines reach each access (reach.py), what orders two accesses (ordering.py, joins.py),
which accesses hold a lock (locks.py), and which races only callers outside the package
can create (an exported function nothing in the package calls, or goroutines started from
different such entry points), which are reported only with the option exported-callers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext, PackageContext
from gofacts.goroutines import Region, Regions
from gofacts.launches import go_statement_at, starting_functions
from gofacts.mapops import is_write, mutates_in_place, root_identifier
from gofacts.signatures import holder_name, receiver_type_name
from gofacts.types import PackageTypes
from transforms.safemap.find import MapDecl, Use, region_uses
from transforms.safemap.joins import object_joined
from transforms.safemap.locks import LockView
from transforms.safemap.ordering import before_publication, joined, joined_before, ordered
from transforms.safemap.private import runs_unpublished
from transforms.safemap.reach import handed_on, reached_only_from


@dataclass(frozen=True)
class Race:
    """A race concurrent found: evidence for the reviewer, named in the finding's message.

    Attributes:
        write: the unlocked write made in a goroutine.
        go: the go statements starting that goroutine, in file order.
        use: the access outside the goroutine that nothing orders with write; None when the
            goroutine itself may run twice at once (a go statement in a loop, say).
        entry: the exported functions holding every racing use found, when every race needs a
            caller outside the package (reported only with the option exported-callers);
            "" for a race the package itself can run.
    """

    write: Use
    go: tuple[tuple[str, int], ...]
    use: Use | None = None
    entry: str = ""


def describe(race: Race, pkg: PackageContext, locks: LockView) -> str:
    """What race is and where it happens, for a finding's message, by function names (a message
    carries no line numbers: review decisions and the fix loop key findings by it): `written
    in a goroutine and used elsewhere with no lock held (written in cache.evict (reached from
    purge without a lock), in the goroutine that balancer.run starts, and used in Report, ...)`."""
    started = starting_functions(pkg, race.go)
    write = f"written in {holder_name(race.write.node)}"
    bare = locks.unlocked_caller(race.write.node)
    if bare is not None:
        write += f" (reached from {holder_name(bare)} without a lock)"
    if race.use is None:
        how = f"reached from exported {race.entry}" if race.entry else "several of which may run at once"
        evidence = f"{write}, by goroutines that {started}, {how}"
    elif race.entry:
        evidence = f"{write}, in the goroutine that {started}"
    else:
        used = holder_name(race.use.node)
        evidence = f"{write}, in the goroutine that {started}, and used in {used}"
        evidence += ", with nothing ordering the two"
    if race.entry:
        return (
            f"written in a goroutine with no lock held, and used by exported {race.entry}, which callers"
            " outside the package may run on any goroutine"
            f" ({evidence}): if one runs it while the goroutine writes, the program crashes"
        )
    return (
        f"written in a goroutine and used elsewhere with no lock held ({evidence});"
        " concurrent map writes crash the program"
    )


def may_race(
    decl: MapDecl, pkg: PackageContext, regions: Regions, locks: LockView, types: PackageTypes
) -> bool:
    """Whether a use inside a goroutine region is an unlocked write into a map the spawner can
    reach: what concurrent needs first, found without looking at uses outside the regions."""
    for w in region_uses(decl, pkg, regions, types):
        if not w.resolved or not mutates_in_place(w.node):
            continue
        shared = any(_sharing(decl, w, r) for r in regions.containing(w.file, w.node))
        if shared and not locks.held_at(w.node):
            return True
    return False


def concurrent(
    decl: MapDecl, found: list[Use], regions: Regions, locks: LockView, pkg: PackageContext
) -> Race | None:
    """An unlocked write inside a goroutine region, to a map the spawner can reach too,
    and a use outside that goroutine that nothing orders with it (ordering.py): an unlocked
    use, or a locked one when no write of the map holds a lock (a lock held at the use alone
    orders nothing with an unlocked write; where some write holds one, the lock is taken
    to guard the map, and an "unlocked" write to be one whose callers hold it),
    or the goroutine may run twice at once. For a map declared in a non-test file, the
    accesses and go statements of test files are left out: a test drives the package's
    code on objects of its own, usually after its goroutines are done.

    None when there is no race; else the first race found (Race.entry is empty) or, when every
    race found is with a use in an exported function that no code of the package calls (which
    goroutine runs it is up to callers outside the package), the first of those with its
    function's name in Race.entry."""
    production = not decl.file.is_test
    entry: Race | None = None
    seen = [u for u in found if u.resolved and not (production and u.file.is_test)]
    if not any(mutates_in_place(u.node) for u in seen):
        return None  # only ever replaced: concurrent reads of a map never crash
    unlocked = [u for u in seen if not locks.held_at(u.node)]
    free = {id(u) for u in unlocked}
    locked_writes = any(is_write(u.node) for u in seen if id(u) not in free)
    others = unlocked if locked_writes else seen
    for w in unlocked:
        if not mutates_in_place(w.node):
            continue  # `m = fresh` races on the variable, not inside a map: no map crash
        sharing = {r.body.start_byte: (r, _sharing(decl, w, r)) for r in regions.containing(w.file, w.node)}
        rs = [(r, roots) for r, roots in sharing.values() if roots and _started(r, production)]
        if not rs:
            continue
        through = _through(decl, w)
        many = [(r, roots) for r, roots in rs if r.many_for(production, roots, through)]
        if many and _all_joined(many, pkg, production):
            many = []  # each spawner waits for its goroutine: they run one after another
        if many:
            go = tuple(sorted({root for _, roots in many for root in roots}))
            spawners = _exported_spawners(many, pkg, locks, production)
            if not spawners:
                return Race(w, go)
            entry = entry or Race(w, go, entry=spawners)
            continue
        mine = set().union(*(roots for _, roots in rs))
        for u in others:
            if u is w:
                continue
            containing = regions.containing(u.file, u.node)
            theirs = set().union(*(_sharing(decl, u, r) for r in containing))
            if containing and not theirs:
                continue  # an object of the goroutine's own: the spawner cannot reach it
            if not theirs:
                theirs = reached_only_from(u.node, regions, locks, production)
            if not containing and (before_publication(u.node) or _unpublished(u, locks, production)):
                continue  # the object is new, and no goroutine can hold it yet
            if (not theirs or not theirs <= mine) and not _ordered(
                decl, u, w, [r for r, _ in rs], pkg, locks
            ):
                go = tuple(sorted(mine))
                exported = "" if containing or theirs else _exported_entry(u, locks, production)
                if not exported:
                    return Race(w, go, u)
                entry = entry or Race(w, go, u, exported)
    return entry


_TEST_ENTRY = re.compile(r"(?:Test|Benchmark|Fuzz|Example)(?![a-z])")


def _exported_entry(use: Use, locks: LockView, production: bool) -> str:
    """The name of the exported function or method holding use (not in a function literal),
    when no code of the package calls it and it is not a test, benchmark, fuzz target or
    example of a test file (go test runs those); else ""."""
    func = syntax.enclosing_function(use.node)
    name = func.child_by_field_name("name") if func is not None else None
    if func is None or name is None or not syntax.text(name)[:1].isupper():
        return ""
    if use.file.is_test and _TEST_ENTRY.match(syntax.text(name)):
        return ""  # go test runs it, and goroutines it starts run beside the rest of it
    if any(not (production and f.is_test) for f, _ in locks.callers(func)):
        return ""
    recv = receiver_type_name(func) if func.type == "method_declaration" else ""
    return f"{recv}.{syntax.text(name)}" if recv else syntax.text(name)


def _all_joined(
    many: list[tuple[Region, set[tuple[str, int]]]], pkg: PackageContext, production: bool
) -> bool:
    """Every go statement starting these regions is waited for by its spawner before the
    spawner goes on (`go func() {...; b.signal <- true}(); <-b.signal`, `go w(); wg.Wait()`):
    each goroutine lives inside its spawner's call, so two of them overlap only if their
    spawners do, which is up to the spawners' callers."""
    for region, roots in many:
        for path, offset in roots:
            if production and path.endswith("_test.go"):
                continue
            _, go = go_statement_at(pkg, (path, offset))
            spawner = syntax.enclosing_function(go) if go is not None else None
            if go is None or spawner is None or not joined(go, spawner, region.body):
                return False
            if any(
                a.type == "for_statement" and a.start_byte > spawner.start_byte for a in syntax.ancestors(go)
            ):
                return False  # the loop starts them all before the wait: they overlap
    return True


def _exported_spawners(
    many: list[tuple[Region, set[tuple[str, int]]]], pkg: PackageContext, locks: LockView, production: bool
) -> str:
    """When regions run several times at once only because go statements reached from different
    exported functions or methods start them (`func (r *R) Run() { go r.work() }` and `Stats()`
    doing the same; or `Start` and `UnsafeStart` each calling a helper that does), and the
    package calls none of those entry points: their names (which of them run on one object is
    up to callers outside the package); else ""."""
    by_root: dict[tuple[str, int], set[str]] = {}
    for region, roots in many:
        counted = {r for r in roots if not production or not r[0].endswith("_test.go")}
        if counted & region.looped:
            return ""
        for root in counted - by_root.keys():
            _, go = go_statement_at(pkg, root)
            func = syntax.enclosing_function(go) if go is not None else None
            while func is not None and func.type == "func_literal":
                func = syntax.enclosing_function(func)
            entries = _entry_points(func, locks, production) if func is not None else None
            if not entries:
                return ""
            by_root[root] = entries
    names: set[str] = set()
    for entries in by_root.values():
        if entries & names:
            return ""  # one entry point starts two of them: they run at once
        names |= entries
    return " and ".join(sorted(names)) if len(by_root) > 1 else ""


def _entry_points(func: Node, locks: LockView, production: bool, limit: int = 20) -> set[str] | None:
    """The exported functions and methods, called by no code of the package, that every path
    up func's callers ends in, through go statements that start one goroutine per call
    (_starting_function); None when some path ends elsewhere (an unexported function nothing
    calls, a function literal, a go statement in a loop) or the walk passes limit functions."""
    out: set[str] = set()
    todo, seen = [func], {func.id}
    while todo:
        current = todo.pop()
        name = current.child_by_field_name("name")
        if current.type == "func_literal" or name is None or len(seen) > limit:
            return None
        sites = [call for c, call in locks.callers(current) if not (production and c.is_test)]
        if not sites:
            if not syntax.text(name)[:1].isupper():
                return None
            recv = receiver_type_name(current) if current.type == "method_declaration" else ""
            out.add(f"{recv}.{syntax.text(name)}" if recv else syntax.text(name))
            continue
        for call in sites:
            caller = _starting_function(call)
            if caller is None:
                return None
            caller = _once_caller(caller) or caller
            if caller.id not in seen:
                seen.add(caller.id)
                todo.append(caller)
    return out


def _starting_function(call: Node) -> Node | None:
    """The function whose run makes call, through the goroutines it starts: the function holding
    call, or, for a call in a goroutine (`go x.Run()`, `go func() { <-x.Stats() }()`), the
    function holding that go statement, and so on up. None when one of those go statements is
    in a loop: one run of the function then starts several goroutines."""
    func = syntax.enclosing_function(call)
    while func is not None and func.type == "func_literal" and _go_literal(func):
        func = syntax.enclosing_function(func)
    if func is None:
        return None
    for a in syntax.ancestors(call):
        if a.start_byte <= func.start_byte:
            break
        if a.type == "go_statement" and any(
            b.type == "for_statement" and b.start_byte > func.start_byte for b in syntax.ancestors(a)
        ):
            return None
    return func


def _go_literal(literal: Node) -> bool:
    """`go func() {...}()`: the literal is the function a go statement calls."""
    call = literal.parent
    return (
        call is not None
        and call.type == "call_expression"
        and call.parent is not None
        and (call.parent.type == "go_statement")
    )


def _once_caller(literal: Node) -> Node | None:
    """For a function literal handed to `x.Do(...)` (sync.Once runs it on the calling
    goroutine): the function making that call."""
    args = literal.parent if literal.type == "func_literal" else None
    call = args.parent if args is not None and args.type == "argument_list" else None
    fn = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    if (
        fn is None
        or fn.type != "selector_expression"
        or syntax.text(fn.child_by_field_name("field") or fn) != "Do"
    ):
        return None
    return syntax.enclosing_function(call)  # type: ignore[arg-type]


def _started(region: Region, production: bool) -> bool:
    """Whether a go statement of a non-test file starts region (any, for a map of a test file)."""
    return not production or region.started_outside_tests


def _ordered(
    decl: MapDecl, use: Use, write: Use, rs: list[Region], pkg: PackageContext, locks: LockView
) -> bool:
    """Whether use is ordered with every goroutine that runs the regions rs, where write is
    made (ordering.py, joins.py)."""
    for r in rs:
        for path, offset in r.roots:
            f, go = go_statement_at(pkg, (path, offset))
            if go is None:
                return False
            if ordered(use.node, use.file, go, f, r.body) or joined_before(  # type: ignore[arg-type]
                use.node, go, r.body, locks.callers
            ):
                continue
            if decl.owner is None or not object_joined(use.node, go, write.node, decl.owner, pkg):
                return False
    return True


def _unpublished(use: Use, locks: LockView, production: bool) -> bool:
    """Whether use runs only on objects no other goroutine holds yet: its method is reached
    only from calls on an object just made (private.runs_unpublished)."""

    def named(func: Node) -> list[tuple[FileContext, Node]]:
        return handed_on(func, locks.pkg, production)

    return runs_unpublished(use.node, locks.privacy, locks.callers, named, production)


def _through(decl: MapDecl, use: Use) -> str:
    """The variable a field map is reached through at use (`w` in `w.seen[k]++`), the local
    map's own name, else ""."""
    if decl.kind == "local":
        return decl.name
    operand = use.node.child_by_field_name("operand") if decl.kind == "field" else None
    root = root_identifier(operand) if operand is not None else None
    return syntax.text(root) if root is not None else ""


def _sharing(decl: MapDecl, use: Use, region: Region) -> set[tuple[str, int]]:
    """The go statements whose goroutine, running region, reaches at use a map that its
    spawner can reach too."""
    if decl.kind == "package":
        return set(region.roots)
    if decl.kind == "local":
        func = region.body.parent or region.body
        inside = func.start_byte <= decl.holder.start_byte < func.end_byte
        return set() if inside and decl.file.path == region.file.path else set(region.roots)
    operand = use.node.child_by_field_name("operand")
    root = root_identifier(operand) if operand is not None else None
    return region.sharing_roots(root) if root is not None else set()
