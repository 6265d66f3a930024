"""A local map filled by goroutines and handed back after they finish: guarded by a local mutex.

The most common concurrent-map crash is a fan-out:

    counts := make(map[string]int)
    for _, w := range work {
        wg.Add(1)
        go func() { defer wg.Done(); counts[w.key]++ }()
    }
    wg.Wait()
    return counts

The map is returned, so it cannot become a safeMap; what it needs is what a Go reviewer
writes, a mutex declared next to it and held around each access the goroutines make:

    counts := make(map[string]int)
    var countsMu sync.Mutex
    ...
        go func() { defer wg.Done(); countsMu.Lock(); counts[w.key]++; countsMu.Unlock() }()

(each statement on its own lines, as gofmt lays them out). When some of those statements
already hold a local mutex of the function (`var mu sync.Mutex`, the only lock any of them
holds), the fix takes that mutex around the others instead (`mu.Lock(); counts[k] = n;
mu.Unlock()`), as upstream fixes of this shape do. The fix is made only when
that is all it takes: every access outside the goroutines is in the declaring function
and ordered with them (before the first go statement's loop, or after a wait on a
WaitGroup or channel the goroutines use: ordering.py), and every access inside them is
a simple statement of a statement list (an assignment, `m[k]++`, a call, `v := m[k]`),
not a condition or a loop header, which could not be wrapped without changing the code
around it. The function then returns an ordinary map, complete, after the wait.
"""

from __future__ import annotations

from tree_sitter import Node

from codemod import golines, syntax
from codemod.context import FileContext, PackageContext
from codemod.imports import plan_imports
from codemod.model import Fix, Safety
from gofacts import locks, scope
from gofacts.goroutines import Regions
from gofacts.launches import go_statement_at
from transforms.safemap.find import MapDecl, Use
from transforms.safemap.ordering import ordered

_WRAPPABLE = frozenset(
    {
        "expression_statement",
        "inc_statement",
        "dec_statement",
        "assignment_statement",
        "short_var_declaration",
    }
)


def local_mutex_fix(decl: MapDecl, found: list[Use], regions: Regions, pkg: PackageContext) -> Fix | str:
    """The fix guarding a local map with a local mutex, or the reason there is none."""
    f = decl.file
    func = syntax.enclosing_function(decl.holder)
    declared = golines.statement_of(decl.holder)
    if decl.kind != "local" or func is None or declared is None or not f.editable:
        return "it is not a local map of an editable file"
    inside: list[Node] = []
    for use in found:
        rs = regions.containing(use.file, use.node)
        if not use.resolved or use.file.path != f.path:
            return "a use of it cannot be told"
        if rs:
            if any(r.file.path != f.path or not _within(r.body, func) for r in rs):
                return "a goroutine that uses it is not started in the function that declares it"
            inside.append(use.node)
            continue
        if syntax.enclosing_function(use.node) != func or not _ordered_with_all(use, decl, regions, pkg):
            return f"`{syntax.text(use.node)}` may run while the goroutines do"
    existing = _guarding_mutex(inside, func, f)
    if existing is not None:
        inside = [n for n in inside if not locks.held_at(n)]
    statements = _statements(inside)
    if isinstance(statements, str):
        return statements
    plan = plan_imports(f, pkg, [] if existing is not None else ["sync"])
    mutex = existing or _free_name(f"{decl.name}Mu", func, pkg)
    edits = []
    if existing is None:
        declare = golines.insert_after(f, declared, f"var {mutex} {plan.qualify('sync', 'Mutex')}")
        if declare is None:
            return "the declaration is laid out in a way gomapfix does not rewrite"
        edits.append(declare)
    for stmt in statements:
        before = golines.insert_before(f, stmt, f"{mutex}.Lock()")
        after = golines.insert_after(f, stmt, f"{mutex}.Unlock()")
        if before is None or after is None:
            return "a statement that uses it is laid out in a way gomapfix does not rewrite"
        edits += [before, after]
    message = (
        f"guard {decl.name} with a local mutex {mutex}, held around the {len(statements)} "
        f"statement(s) of the goroutines that use it"
    )
    if existing is not None:
        message = (
            f"hold {mutex}, the local mutex that already guards some of the goroutines' uses of "
            f"{decl.name}, around the {len(statements)} statement(s) that use it without"
        )
    return Fix(message, (*sorted(edits, key=lambda e: (e.start, e.end)), *plan.edits), Safety.SAFE)


def _guarding_mutex(uses: list[Node], func: Node, f: FileContext) -> str | None:
    """The local mutex (`var mu sync.Mutex` or `sync.RWMutex`, declared in func) that some of
    the goroutines' uses already hold with Lock, when it is the only lock any of them holds:
    the others then take it too, as the code's author would write (`mu.Lock(); m[k] = v;
    mu.Unlock()`). None when no use holds a lock, some hold another one (taking mu inside
    another lock could invert a lock order elsewhere: a new mutex, taken innermost, cannot),
    or some hold mu only with RLock (several of them could still write at once)."""
    held = [h for n in uses for h in locks.held_at(n)]
    if len({h.mutex for h in held}) != 1 or any(h.lock.method != "Lock" for h in held):
        return None
    name = held[0].mutex
    found = scope.find_declaration(name, uses[0])
    sync = f.import_name("sync")
    if found is None or found[0] != "var_spec" or not sync or syntax.enclosing_function(found[1]) != func:
        return None
    typ, value = found[1].child_by_field_name("type"), found[1].child_by_field_name("value")
    is_mutex = typ is not None and syntax.text(typ) in (f"{sync}.Mutex", f"{sync}.RWMutex")
    return name if is_mutex and value is None else None


def _within(body: Node, func: Node) -> bool:
    return func.start_byte <= body.start_byte and body.end_byte <= func.end_byte


def _ordered_with_all(use: Use, decl: MapDecl, regions: Regions, pkg: PackageContext) -> bool:
    """use is ordered with every goroutine that uses the map: before the loop (or statement)
    that starts it, or after a wait on something it signals."""
    for r in regions.regions:
        if r.file.path != decl.file.path or not _mentions(r.body, decl.name):
            continue
        for path, offset in r.roots:
            f, go = go_statement_at(pkg, (path, offset))
            if go is None or f is None:
                return False
            start = next((a for a in syntax.ancestors(go) if a.type == "for_statement"), go)
            if use.node.end_byte <= start.start_byte:
                continue
            if not ordered(use.node, use.file, start, f, r.body, go):
                return False
    return True


def _mentions(body: Node, name: str) -> bool:
    return name.encode() in (body.text or b"")


def _statements(uses: list[Node]) -> list[Node] | str:
    """The simple statements holding the goroutines' uses, each once, in order."""
    out: dict[int, Node] = {}
    for node in uses:
        stmt = golines.statement_of(node)
        if stmt is None or stmt.type not in _WRAPPABLE:
            return f"`{syntax.text(node)}` is not in a statement of its own"
        if any(n.type in ("func_literal", "go_statement", "defer_statement") for n in syntax.walk(stmt)):
            return f"`{syntax.text(stmt)}` holds a function literal"
        if b"<-" in (stmt.text or b""):
            return f"`{syntax.text(stmt)}` sends or receives on a channel: it must not hold the lock"
        out[stmt.id] = stmt
    return sorted(out.values(), key=lambda s: s.start_byte)


def _free_name(want: str, func: Node, pkg: PackageContext) -> str:
    """want, or want2, want3, ...: a name neither func nor the package declares."""
    name, i = want, 2
    body = func.child_by_field_name("body") or func
    while scope.declared_locally(name, body, anywhere=True) or name in pkg.top_level_names:
        name, i = f"{want}{i}", i + 1
    return name
