"""safemap: replace a map written from several goroutines with a generated SafeMap.

A Go map written by one goroutine while another reads or writes it crashes
the program ("fatal error: concurrent map writes" / "concurrent map read and
map write"). The transform finds a map (package-level variable, struct
field, or local variable captured by a closure) that is written inside a
goroutine the package starts (`go func(){...}()`, `go f()`, `go x.m()`, and
package functions those call) and used elsewhere, where no mutex is held at
either site (transforms.safemap.locks); a declaration marked with a
`//gomapfix:safemap` comment is converted regardless.

The fix declares the map as a SafeMap (a mutex-guarded map generated into
the package by transforms.safemap.shim_go: generic for go.mod >= 1.18, one
concrete type per key/value pair below) and rewrites every use
(transforms.safemap.rewrite, transforms.safemap.decl). A use it cannot
rewrite with certainty (address taken, passed to a function, copied to
another variable, returned, a range loop that returns...) blocks the whole
fix, and the finding names it. The fix is safe unless the map, or the struct
holding it, is exported (other packages may use it as a map or copy the
struct) or the field becomes a pointer (a zero struct made elsewhere holds a
nil SafeMap), in which case it is unsafe.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from codemod import syntax
from codemod.context import PackageContext
from codemod.model import Finding, Fix, Safety, Severity
from codemod.transform import finding
from gofacts.signatures import receiver_type_name
from gofacts.types import PackageTypes
from transforms.safemap import files
from transforms.safemap.decl import copied_by_value, declaration_edits
from transforms.safemap.doc import DOC
from transforms.safemap.find import MARKER, MapDecl, Use, declaration_files, declarations, region_uses, uses
from transforms.safemap.guard import local_mutex_fix
from transforms.safemap.joins import object_joined
from transforms.safemap.locks import LockView
from transforms.safemap.ops import is_write, mutates_in_place, root_identifier
from transforms.safemap.ordering import before_publication, go_statement, joined, joined_before, ordered
from transforms.safemap.reach import reached_only_from
from transforms.safemap.regions import Region, Regions, goroutine_regions, written_names
from transforms.safemap.rewrite import Rewriter
from transforms.safemap.shape import Blocked, Shape


@dataclass
class _Candidate:
    decl: MapDecl
    uses: list[Use]
    fix: Fix | None = None
    blocked: str | None = None
    entry: str = ""
    """The exported function holding the only racing uses found, when every race found needs
    a caller outside the package (whose goroutine gomapfix cannot see): reported only with the
    option exported-callers, as a suggestion."""


class SafeMapTransform:
    doc = DOC
    name = DOC.name
    # A go statement, as gofmt lays it out (indented, or after `{ `, `; ` or `: ` on one line).
    prefilter = (
        (b"map[", b"\tgo "),
        (b"map[", b"{ go "),
        (b"map[", b"; go "),
        (b"map[", b": go "),
        (b"gomapfix:safemap",),
    )

    def run(self, pkg: PackageContext) -> Iterator[Finding]:
        marked = any(MARKER.encode() in f.content and not f.broken for f in pkg.sources)
        types = PackageTypes.of(pkg)
        regions = goroutine_regions(pkg, types)
        if not marked and (not regions.regions or not _mentions_go(pkg)):
            return
        locks = LockView(pkg, types)
        written = written_names(regions)
        exported_callers = pkg.option(DOC.name, "exported-callers", False)
        candidates = []
        for decl in declarations(pkg, declaration_files(pkg, regions, written), regions):
            if decl.marked:
                candidates.append(_Candidate(decl, uses(decl, pkg, types)))
            elif (decl.kind == "local" or decl.name in written) and _mentioned_in(decl, regions):
                if not _may_race(decl, pkg, regions, locks, types):
                    continue
                found = uses(decl, pkg, types)
                race = _concurrent(decl, found, regions, locks, pkg)
                if race is not None and (race == "" or exported_callers):
                    candidates.append(_Candidate(decl, found, entry=race))
        if not candidates:
            return
        _plan(pkg, candidates)
        for c in candidates:
            if c.fix is None and c.decl.kind == "local" and not c.decl.marked:
                guarded = local_mutex_fix(c.decl, c.uses, regions, pkg)
                if isinstance(guarded, Fix):
                    c.fix, c.blocked = guarded, None
            yield _finding(c)


def _mentions_go(pkg: PackageContext) -> bool:
    """Some file that parses holds `go ` (the files parsed already are looked at first)."""
    return any(b"go " in f.content and not f.broken for f in sorted(pkg.sources, key=lambda f: not f.parsed))


def _mentioned_in(decl: MapDecl, regions: Regions) -> bool:
    needle = decl.name.encode()
    return any(needle in (r.body.text or b"") for r in regions.regions)


def _may_race(
    decl: MapDecl, pkg: PackageContext, regions: Regions, locks: LockView, types: PackageTypes
) -> bool:
    """Whether a use inside a goroutine region is an unlocked write to a map the spawner can
    reach: what _concurrent needs first, found without looking at uses outside the regions."""
    for w in region_uses(decl, pkg, regions, types):
        if not w.resolved or not is_write(w.node):
            continue
        shared = any(_sharing(decl, w, r) for r in regions.containing(w.file, w.node))
        if shared and not locks.held_at(w.node):
            return True
    return False


def _concurrent(
    decl: MapDecl, found: list[Use], regions: Regions, locks: LockView, pkg: PackageContext
) -> str | None:
    """An unlocked write inside a goroutine region, to a map the spawner can reach too,
    and a use outside that goroutine that nothing orders with it (ordering.py): an unlocked
    use, or a locked one when no write of the map holds a lock (a lock held at the use alone
    orders nothing with an unlocked write; where some write holds one, the lock is taken
    to guard the map, and an "unlocked" write to be one whose callers hold it),
    or the goroutine may run twice at once. For a map declared in a non-test file, the
    accesses and go statements of test files are left out: a test drives the package's
    code on objects of its own, usually after its goroutines are done.

    None when there is no race; "" for a race; the name of an exported function when every
    race found is with a use in such a function that no code of the package calls (which
    goroutine runs it is up to callers outside the package)."""
    production = not decl.file.is_test
    entry = None
    seen = [u for u in found if u.resolved and not (production and u.file.is_test)]
    if not any(mutates_in_place(u.node) for u in seen):
        return None  # only ever replaced: concurrent reads of a map never crash
    unlocked = [u for u in seen if not locks.held_at(u.node)]
    free = {id(u) for u in unlocked}
    locked_writes = any(is_write(u.node) for u in seen if id(u) not in free)
    others = unlocked if locked_writes else seen
    for w in unlocked:
        if not is_write(w.node):
            continue
        sharing = {r.body.start_byte: (r, _sharing(decl, w, r)) for r in regions.containing(w.file, w.node)}
        rs = [(r, roots) for r, roots in sharing.values() if roots and _started(r, production)]
        if not rs:
            continue
        through = _through(decl, w)
        many = [(r, roots) for r, roots in rs if r.many_for(production, roots, through)]
        if many and _all_joined(many, pkg, production):
            many = []  # each spawner waits for its goroutine: they run one after another
        if many:
            spawners = _exported_spawners(many, pkg, locks, production)
            if not spawners:
                return ""
            entry = entry or spawners
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
            if not containing and before_publication(u.node):
                continue  # the object is new, and no goroutine can hold it yet
            if (not theirs or not theirs <= mine) and not _ordered(
                decl, u, w, [r for r, _ in rs], pkg, locks
            ):
                exported = "" if containing or theirs else _exported_entry(u, locks, production)
                if not exported:
                    return ""
                entry = entry or exported
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
            f = next((s for s in pkg.sources if str(s.path) == path), None)
            go = go_statement(f, offset) if f is not None else None
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
            f = next((s for s in pkg.sources if str(s.path) == root[0]), None)
            go = go_statement(f, root[1]) if f is not None else None
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
    up func's callers ends in; None when some path ends elsewhere (an unexported function
    nothing calls, a function literal, a go statement) or the walk passes limit functions."""
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
            caller = syntax.enclosing_function(call)
            if caller is None or any(a.type == "go_statement" for a in syntax.ancestors(call)):
                return None
            caller = _once_caller(caller) or caller
            if caller.id not in seen:
                seen.add(caller.id)
                todo.append(caller)
    return out


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
    return not production or any(not path.endswith("_test.go") for path, _ in region.roots)


def _ordered(
    decl: MapDecl, use: Use, write: Use, rs: list[Region], pkg: PackageContext, locks: LockView
) -> bool:
    """Whether use is ordered with every goroutine that runs the regions rs, where write is
    made (ordering.py, joins.py)."""
    for r in rs:
        for path, offset in r.roots:
            f = next((s for s in pkg.sources if str(s.path) == path), None)
            go = go_statement(f, offset) if f is not None else None
            if go is None:
                return False
            if ordered(use.node, use.file, go, f, r.body) or joined_before(  # type: ignore[arg-type]
                use.node, go, r.body, locks.callers
            ):
                continue
            if decl.owner is None or not object_joined(use.node, go, write.node, decl.owner, pkg):
                return False
    return True


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


def _plan(pkg: PackageContext, candidates: list[_Candidate]) -> None:
    """Give each candidate its fix, or the reason it has none."""
    shim = files.plan(pkg)
    shapes: dict[int, Shape] = {}
    needed = []
    for i, c in enumerate(candidates):
        try:
            shapes[i] = _shape(c.decl, pkg, shim)
            if not shim.generic:
                needed.append(files.concrete_map(c.decl.key, c.decl.value, c.decl.file))
        except (Blocked, files.ShimError) as e:
            c.blocked = str(e)
    try:
        if pkg.name.endswith("_test"):
            raise files.ShimError("the map is in an external test package")
        if pkg.broken:
            raise files.ShimError(f"{pkg.broken[0].name} does not parse, so not every use can be seen")
        files.check_names(pkg, files.shared_names(shim, needed))
        new_files, shim_edits = files.changes(pkg, shim, needed)
    except files.ShimError as e:
        for c in candidates:
            c.blocked = c.blocked or str(e)
        return
    for i, c in enumerate(candidates):
        if c.blocked is not None:
            continue
        try:
            edits = Rewriter(c.decl, shapes[i], c.uses).run()
            edits += declaration_edits(c.decl, shapes[i], pkg)
            _check_overlaps(c, edits)
        except Blocked as e:
            c.blocked = str(e)
            continue
        safety = Safety.UNSAFE if c.decl.exported or shapes[i].pointer or c.entry else Safety.SAFE
        c.fix = Fix(
            f"Replace {_label(c.decl)} with a safeMap and rewrite its uses",
            tuple(sorted(edits + shim_edits)),
            safety,
            tuple(new_files),
        )


def _shape(decl: MapDecl, pkg: PackageContext, shim: files.ShimPlan) -> Shape:
    if not decl.key or not decl.value:
        raise Blocked(decl.file, decl.holder, "has an incomplete map type")
    for q in files.qualifiers(f"{decl.key} {decl.value}"):
        path = next((p for n, p, _ in decl.file.import_specs if (n or p.rsplit("/", 1)[-1]) == q), None)
        if path is None:
            raise Blocked(decl.file, decl.map_type, f"uses a type of package {q} that cannot be resolved")
    pointer = decl.kind == "field" and copied_by_value(decl.owner or "", pkg)
    value_node = decl.map_type.child_by_field_name("value")
    return Shape(
        type_text=shim.type_text(decl.key, decl.value),
        pointer=pointer,
        key=decl.key,
        value=decl.value,
        value_is_map=value_node is not None and value_node.type == "map_type",
        clone=files.CLONE_HELPER if shim.generic else "",
    )


def _check_overlaps(c: _Candidate, edits: list) -> None:  # noqa: ANN001
    by_path: dict = {}
    for e in edits:
        by_path.setdefault(e.path, []).append(e)
    for path, es in by_path.items():
        es.sort(key=lambda e: (e.start, e.end))
        for a, b in zip(es, es[1:], strict=False):
            if b.start < a.end or (a.start == b.start and a != b):
                f = c.decl.file
                raise Blocked(f, c.decl.holder, f"needs two overlapping rewrites in {path.name}")


def _label(decl: MapDecl) -> str:
    return f"{decl.owner}.{decl.name}" if decl.kind == "field" else decl.name


def _finding(c: _Candidate) -> Finding:
    label = _label(c.decl)
    if c.decl.marked:
        message = f"map {label} is marked {MARKER}"
    elif c.entry:
        message = (
            f"map {label} is written in a goroutine with no lock held, and used by exported {c.entry},"
            " which callers outside the package may run on any goroutine: if one runs it while the"
            " goroutine writes, the program crashes"
        )
    else:
        message = (
            f"map {label} is written in a goroutine and used elsewhere with no lock held;"
            " concurrent map writes crash the program"
        )
    if c.blocked:
        message += f"; not rewritten: {c.blocked}"
    return finding(
        "safemap",
        c.decl.file,
        c.decl.name_node,
        message,
        [c.fix] if c.fix is not None else [],
        Severity.ERROR if not (c.decl.marked or c.entry) else Severity.WARNING,
    )


TRANSFORM = SafeMapTransform()
"""The rule's transform, as the registry (transforms.PACKAGES) lists it."""
