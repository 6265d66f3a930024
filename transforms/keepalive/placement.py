"""Where runtime.KeepAlive(owner) goes: on a path after the call, once per run of calls."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from tree_sitter import Node

from codemod import golines, syntax
from codemod.context import FileContext
from codemod.model import Edit
from gofacts import scope
from gofacts.decls import Declarations
from gofacts.signatures import parameter_types
from gofacts.types import PackageTypes
from transforms.keepalive.owners import Site

_SIMPLE = frozenset(
    {
        "expression_statement",
        "assignment_statement",
        "short_var_declaration",
        "inc_statement",
        "dec_statement",
        "send_statement",
        "var_declaration",
    }
)


@dataclass(frozen=True)
class _Keeper:
    """A runtime.KeepAlive(owner) statement, present or planned.

    offset is where it executes in source order (for a planned one, where it
    will be inserted); stmt_list is the statement list holding it.
    """

    func: Node
    owner: str
    offset: int
    stmt_list: Node
    is_defer: bool


@dataclass
class Placement:
    """One insertion of KeepAlive statements at one point, shared by the owners it serves.

    how: "after" (after statement anchor), "expand" (after statement `index` of the
    one-line block anchor), "first" (top of the function body anchor) or "before"
    (before statement anchor). offset and stmt_list locate the inserted statements
    as a _Keeper does.
    """

    how: str
    anchor: Node
    index: int
    defer: bool
    where: str
    func: Node
    offset: int
    stmt_list: Node
    owners: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.how, self.anchor.id, self.index)

    def keeper(self, owner: str) -> _Keeper:
        return _Keeper(self.func, owner, self.offset, self.stmt_list, self.defer)

    def line(self, qualified: str, owner: str) -> str:
        return f"{'defer ' if self.defer else ''}{qualified}({owner})"

    def edit(self, f: FileContext, qualified: str) -> Edit | None:
        lines = [self.line(qualified, o) for o in self.owners]
        if self.how == "after":
            return golines.insert_after(f, self.anchor, lines)
        if self.how == "before":
            return golines.insert_before(f, self.anchor, lines)
        if self.how == "expand":
            return golines.expand_block(f, self.anchor, {self.index: lines})
        return golines.insert_first(f, self.anchor, lines) or golines.expand_block(f, self.anchor, {}, lines)


def _core(stmt: Node) -> Node:
    while stmt.type == "labeled_statement" and stmt.named_children:
        stmt = stmt.named_children[-1]
    return stmt


def _is_deferred(site: Site) -> bool:
    """True when the C call itself is deferred (`defer C.f(w.c)`): it runs at function exit."""
    if site.stmt is None:
        return False
    core = _core(site.stmt)
    return core.type == "defer_statement" and any(c.id == site.call.id for c in core.named_children)


def _nesting(call: Node) -> list[tuple[Node, Node]]:
    """(statement list, statement of that list holding call), innermost first, within call's function."""
    out = []
    node = call
    while node.parent is not None and node.type not in syntax.FUNCTION_TYPES:
        if node.parent.type == "statement_list":
            out.append((node.parent, node))
        node = node.parent
    return out


def _holders(func: Node, owner: str) -> list[str]:
    """Locals of func that hold owner: declared from a composite literal holding it as an
    element (`it := &iter{c: c}`). A later use of such a local keeps owner reachable."""
    body = func.child_by_field_name("body")
    out: list[str] = []
    for n in syntax.named_walk(body, prune=frozenset({"func_literal"})) if body is not None else ():
        if n.type != "short_var_declaration":
            continue
        left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
        names = left.named_children if left is not None else []
        values = right.named_children if right is not None else []
        if len(names) != len(values):
            continue
        for name, value in zip(names, values, strict=True):
            if name.type == "identifier" and _literal_holds(value, owner):
                out.append(syntax.text(name))
    return out


def _literal_holds(value: Node, owner: str) -> bool:
    value = syntax.unparen(value)
    if value.type == "unary_expression" and syntax.text(value.children[0]) == "&":
        value = syntax.unparen(value.child_by_field_name("operand") or value)
    if value.type != "composite_literal":
        return False
    for n in syntax.named_walk(value, prune=frozenset({"func_literal"})):
        element = n.parent
        if n.type != "identifier" or syntax.text(n) != owner or element is None:
            continue
        keyed = element.parent
        is_key = (
            keyed is not None
            and keyed.type == "keyed_element"
            and keyed.child_by_field_name("key") == element
        )
        if element.type == "literal_element" and not is_key:
            return True
    return False


def existing_keepers(
    func: Node, f: FileContext, rt: str | None, owner: str, types: PackageTypes
) -> list[_Keeper]:
    """What already keeps owner alive in func (outside nested function literals):

    - `runtime.KeepAlive(owner)`, deferred or not;
    - a deferred call that holds owner itself (`defer w.Close()`, `defer f(w)`, a deferred
      function literal that refers to w) until the function returns; `defer C.f(w.c)` does not;
      nor does a deferred method of a field reached through value fields with a pointer
      receiver (`defer w.mu.Unlock()`: the method value holds &w.mu, a pointer into w);
    - a later use of owner whose value the program needs: any read of it (a field, an
      argument, a composite literal element, a comparison, a return), but `_ = w` and an
      assignment to it. Such a use on a path after the call keeps owner reachable during the
      call, as KeepAlive would.
    """
    body = func.child_by_field_name("body")
    if body is None:
        return []
    want = f"{rt}.KeepAlive({owner})" if rt else f"KeepAlive({owner})"
    out = []
    for n in syntax.named_walk(body, prune=frozenset({"func_literal"})):
        if n.type == "defer_statement" and n.parent is not None:
            if _defer_holds(n, owner) or _defers_interior_method(n, owner, f, types):
                out.append(_Keeper(func, owner, n.start_byte, n.parent, True))
        elif n.type == "expression_statement" and rt is not None and n.parent is not None:
            call = n.named_children[0] if n.named_children else None
            if call is not None and call.type == "call_expression" and f.text(call).replace(" ", "") == want:
                out.append(_Keeper(func, owner, n.start_byte, n.parent, False))
        elif n.type == "identifier" and f.text(n) == owner and _needed_use(n):
            stmt = golines.statement_of(n)
            if stmt is not None and stmt.parent is not None and _core(stmt).type != "defer_statement":
                out.append(_Keeper(func, owner, n.start_byte, stmt.parent, False))
    return out


def _defer_holds(stmt: Node, owner: str) -> bool:
    """True if the deferred call of a defer statement keeps owner itself: as its receiver
    (`defer w.Close()`), as an argument (`defer f(w)`), or captured by a function literal."""
    call = next((c for c in stmt.named_children if c.type == "call_expression"), None)
    if call is None:
        return False
    fn = call.child_by_field_name("function")
    args = call.child_by_field_name("arguments")
    if fn is not None and fn.type == "selector_expression":
        operand = fn.child_by_field_name("operand")
        if operand is not None and syntax.text(syntax.unparen(operand)) == owner:
            return True
    if args is not None and any(syntax.text(syntax.unparen(a)) == owner for a in args.named_children):
        return True
    return any(
        lit.type == "func_literal"
        and any(i.type == "identifier" and syntax.text(i) == owner for i in syntax.named_walk(lit))
        for lit in syntax.named_walk(call)
    )


def _needed_use(ident: Node) -> bool:
    """True if this occurrence of an owner identifier is a read the compiler must keep."""
    parent = ident.parent
    if parent is None or parent.type in ("parameter_declaration", "var_spec", "const_spec"):
        return False
    holder = parent.parent if parent.type == "expression_list" else None
    if holder is not None and holder.child_by_field_name("left") == parent:
        return False  # assigned, not read
    stmt = ident
    while stmt.parent is not None and stmt.parent.type not in ("statement_list", "block"):
        stmt = stmt.parent
        fn = stmt.child_by_field_name("function") if stmt.type == "call_expression" else None
        if fn is not None and syntax.text(fn).replace(" ", "") in _COMPILE_TIME:
            return False  # unsafe.Sizeof(*w) is a constant: w is not read
    if stmt.type == "assignment_statement":
        left = stmt.child_by_field_name("left")
        if left is not None and all(syntax.text(c) == "_" for c in left.named_children):
            return False  # `_ = w.f` may be compiled away
    return True


def _defers_interior_method(stmt: Node, owner: str, f: FileContext, types: PackageTypes) -> bool:
    """True for `defer owner.a.b.M()` where a, b are value fields (not pointers) of the owner's
    struct and M has a pointer receiver: the deferred method value holds &owner.a.b, a pointer
    into the owner, until the function returns (`defer c.mu.Unlock()`)."""
    call = next((c for c in stmt.named_children if c.type == "call_expression"), None)
    fn = call.child_by_field_name("function") if call is not None else None
    if fn is None or fn.type != "selector_expression":
        return False
    method = syntax.text(fn.child_by_field_name("field") or fn)
    chain: list[str] = []
    node = syntax.unparen(fn.child_by_field_name("operand") or fn)
    while node.type == "selector_expression":
        chain.append(syntax.text(node.child_by_field_name("field") or node))
        node = syntax.unparen(node.child_by_field_name("operand") or node)
    if node.type != "identifier" or syntax.text(node) != owner or not chain:
        return False
    t = types.identifier_type(owner, stmt, f)
    if t is None or t.kind != "pointer_type":
        return False
    at = types
    for name in reversed(chain):
        member = at.member(t, name)
        if member is None or member.type.kind == "pointer_type" or any(e.pointer for e in member.via):
            return False
        t, at = member.type, member.types
    if method in _LOCK_METHODS and t.text.replace(" ", "") in ("sync.Mutex", "sync.RWMutex"):
        return True
    named = at.named(t)
    found = Declarations.of(named[0].pkg).methods.get((named[1].name, method)) if named else None
    receiver = found[0].child_by_field_name("receiver") if found is not None else None
    return receiver is not None and "*" in syntax.text(receiver)


_LOCK_METHODS = frozenset({"Lock", "Unlock", "RLock", "RUnlock"})
_COMPILE_TIME = frozenset({"unsafe.Sizeof", "unsafe.Alignof", "unsafe.Offsetof"})


def keeps(k: _Keeper, site: Site) -> bool:
    """True if keeper k keeps site's owner alive across its call.

    A KeepAlive keeps the owner alive at the call when some path leads from the
    call to it: it follows the call's statement in an enclosing statement list, or
    it sits after a call made in the header of an if/for/switch. A deferred
    KeepAlive keeps it alive from the moment it is registered until the function
    returns, so one registered before the call's statement in an enclosing
    list also counts. Either way the owner must not be reassigned in between.
    A deferred C call runs at function exit: only an earlier deferred KeepAlive counts.
    """
    func = syntax.enclosing_function(site.call)
    if func is None or k.func.id != func.id or k.owner != site.owner:
        return False
    body = func.child_by_field_name("body")
    assert body is not None
    call = site.call
    nesting = _nesting(call)
    deferred = _is_deferred(site)
    for stmt_list, stmt in nesting:
        if k.is_defer and k.stmt_list.id == stmt_list.id and k.offset <= stmt.start_byte:
            return not scope.assigns_to(site.owner, body, k.offset, call.start_byte)
        if deferred:
            continue
        within = stmt_list.start_byte <= k.offset <= stmt_list.end_byte
        if within and k.offset >= stmt.end_byte:
            return not scope.assigns_to(site.owner, body, call.end_byte, k.offset)
    if not deferred and not k.is_defer and k.offset < call.end_byte:
        loop = _back_edge_loop(nesting, k.offset)
        if loop is not None and not scope.assigns_to(site.owner, loop, loop.start_byte, loop.end_byte):
            return True  # the next iteration reads owner again: it is live during the call
    if nesting and not deferred:
        # A call in the header of an if/for/switch reaches every block of the statement.
        _, stmt = nesting[0]
        inside = call.end_byte <= k.stmt_list.start_byte and k.stmt_list.end_byte <= stmt.end_byte
        if inside and _core(stmt).type not in _SIMPLE:
            return not scope.assigns_to(site.owner, body, call.end_byte, k.offset)
    return False


def _back_edge_loop(nesting: list[tuple[Node, Node]], offset: int) -> Node | None:
    """The innermost for loop holding the call and offset (a use before the call) whose next
    iteration some path from the call reaches: walking out from the call, no statement list
    has a return, break, goto or panic after the call's statement before a continue (a break
    in a switch or select case only leaves that statement)."""
    for stmt_list, stmt in nesting:
        for after in stmt_list.named_children:
            if after.start_byte <= stmt.start_byte or after.type == "comment":
                continue
            if _continues(after):
                break
            if _terminates(after, stmt_list):
                return None
        loop = stmt_list.parent.parent if stmt_list.parent is not None else None
        if loop is not None and loop.type == "for_statement" and loop.start_byte <= offset < loop.end_byte:
            return loop
    return None


def _continues(stmt: Node) -> bool:
    """stmt is or holds a continue of the loop around it (not of a loop inside it)."""
    return any(
        n.type == "continue_statement" and n.named_child_count == 0
        for n in syntax.named_walk(stmt, prune=frozenset({"for_statement", "func_literal"}))
    )


def _terminates(stmt: Node, stmt_list: Node) -> bool:
    if stmt.type in ("return_statement", "goto_statement"):
        return True
    if stmt.type == "break_statement":
        case = stmt_list.parent
        in_case = case is not None and case.type in syntax.CASE_TYPES
        return not in_case or stmt.named_child_count > 0  # a labelled break may leave the loop
    call = stmt.named_children[0] if stmt.type == "expression_statement" and stmt.named_children else None
    fn = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    return fn is not None and syntax.text(fn) == "panic"


def _in_loop(stmt: Node, func: Node) -> bool:
    node = stmt.parent
    while node is not None and node != func:
        if node.type == "for_statement":
            return True
        node = node.parent
    return False


def _placement(site: Site) -> Placement | str:
    """Where to keep site's owner alive on a path after the call; or, when no place is
    certain, the reason why not. The returned placement serves site.owner only so far."""
    f, stmt = site.file, site.stmt
    func = syntax.enclosing_function(site.call)
    body = func.child_by_field_name("body") if func is not None else None
    if stmt is None or func is None or body is None or stmt.parent is None:
        return "the call is not inside a function body"
    core = _core(stmt)
    placed: Placement | str
    if core.type in _SIMPLE:
        placed = _after(site, func, stmt)
    elif core.type == "defer_statement":
        if not _is_deferred(site) and scope.assigns_to(site.owner, stmt):
            return f"{site.owner} is assigned inside the defer statement"
        placed = Placement(
            "before", stmt, 0, True, "before the deferred call", func, stmt.start_byte, stmt.parent
        )
    elif core.type == "go_statement":
        return "the C call is the go statement itself, which runs in another goroutine"
    elif _top_of_function(site, func, body):
        stmts = next(c for c in body.named_children if c.type == "statement_list")
        placed = Placement(
            "first", body, 0, True, "at the top of the function", func, stmts.start_byte, stmts
        )
    elif scope.assigns_to(site.owner, stmt):
        return f"{site.owner} is declared or assigned by the statement that makes the call"
    elif core.type != "return_statement" and _in_loop(stmt, func):
        return "a deferred KeepAlive inside a loop would pile up one call per iteration"
    else:
        placed = Placement(
            "before", stmt, 0, True, "before the statement", func, stmt.start_byte, stmt.parent
        )
    if isinstance(placed, Placement):
        placed.owners.append(site.owner)
        if placed.edit(f, "runtime.KeepAlive") is None:
            return "the code around the call is laid out in a way gomapfix does not rewrite"
    return placed


def _top_of_function(site: Site, func: Node, body: Node) -> bool:
    """True when a defer at the top of the function keeps the owner alive for every call:
    the owner is a parameter or the receiver, never assigned in the function."""
    return (
        any(c.type == "statement_list" for c in body.named_children)
        and site.owner in parameter_types(func)
        and not scope.assigns_to(site.owner, body)
    )


def _after(site: Site, func: Node, stmt: Node) -> Placement | str:
    """After the simple statement stmt (a line inserted into a run of aligned trailing
    comments splits it; the runner realigns both halves)."""
    f = site.file
    if golines.alone_on_lines(f, stmt):
        placed = Placement("after", stmt, 0, False, "after the call", func, stmt.end_byte, stmt.parent)
    elif stmt.parent.parent is not None and stmt.parent.parent.type == "block":
        index = [c.id for c in stmt.parent.named_children].index(stmt.id)
        placed = Placement(
            "expand", stmt.parent.parent, index, False, "after the call", func, stmt.end_byte, stmt.parent
        )
    else:
        return "the statement is laid out in a way gomapfix does not rewrite"
    placed.owners.append(site.owner)
    if placed.edit(f, "runtime.KeepAlive") is None:
        return "the statement is laid out in a way gomapfix does not rewrite"
    placed.owners.clear()
    return placed


def _shadowed(name: str, site: Site) -> bool:
    """True if name (the package qualifier to use) is declared locally where the call is."""
    return bool(name) and scope.declared_locally(name, site.call, anywhere=True)


def unkept(f: FileContext, sites: list[Site], types: PackageTypes) -> list[Site]:
    """The sites that nothing in their function keeps the owner alive for yet: keepers of the
    owner, or of the variable it was derived from (`o := obj.AsObject()`: obj holds o)."""
    rt = f.import_name("runtime")
    existing: dict[tuple[int, str], list[_Keeper]] = {}
    holders: dict[tuple[int, str], list[str]] = {}
    out = []
    for s in sites:
        func = syntax.enclosing_function(s.call)
        if func is None:
            continue
        if (func.id, s.owner) not in holders:
            holders[(func.id, s.owner)] = _holders(func, s.owner)
        others = [s.base] if s.base else []
        others += holders[(func.id, s.owner)]
        for name in (s.owner, *others):
            if (func.id, name) not in existing:
                existing[(func.id, name)] = existing_keepers(func, f, rt, name, types)
        keepers = list(existing[(func.id, s.owner)])
        for name in others:
            keepers += [dataclasses.replace(k, owner=s.owner) for k in existing[(func.id, name)]]
        if not any(keeps(k, s) for k in keepers):
            out.append(s)
    return out


def plan_keepers(sites: list[Site], package: str) -> list[Placement | str]:
    """A placement (or the reason there is none) for each site.

    One KeepAlive serves every call it covers; KeepAlives for several owners at
    one point share one insertion, in the order the owners are met. Deferred
    KeepAlives are planned first, since one may also cover plain calls around it.
    """
    out: list[Placement | str] = [""] * len(sites)
    planned: dict[tuple[str, int, int], Placement] = {}
    by_owner: dict[tuple[int, str], list[Placement]] = {}  # (function id, owner) -> placements
    same_list: dict[int, list[Site]] = {}  # statement list id -> its sites, in order
    for site in sites:
        if site.stmt is not None and site.stmt.parent is not None:
            same_list.setdefault(site.stmt.parent.id, []).append(site)
    for i in sorted(range(len(sites)), key=lambda i: _simple(sites[i])):
        site = sites[i]
        func = syntax.enclosing_function(site.call)
        if not site.fixable or func is None:
            continue
        if package and _shadowed(package, site):
            out[i] = f"{package} is declared locally here, hiding the runtime package"
            continue
        mine = by_owner.setdefault((func.id, site.owner), [])
        cover = next((p for p in mine if keeps(p.keeper(site.owner), site)), None)
        if cover is None:
            neighbours = same_list.get(site.stmt.parent.id, []) if site.stmt and site.stmt.parent else []
            placed = _placement(_run_end(site, neighbours))
            if isinstance(placed, str):
                out[i] = placed
                continue
            cover = planned.setdefault(placed.key, placed)
            if site.owner not in cover.owners:
                cover.owners.append(site.owner)
            mine.append(cover)
        out[i] = cover
    return out


def _simple(site: Site) -> bool:
    return site.stmt is not None and _core(site.stmt).type in _SIMPLE


def _run_end(site: Site, neighbours: list[Site]) -> Site:
    """The last simple-statement site from site on among its neighbours (the sites of its
    statement list, in order) on the same owner, with no reassignment of the owner in
    between: one KeepAlive after it covers them all."""
    if site.stmt is None or not _simple(site):
        return site
    last = site
    for other in neighbours:
        if other.call.start_byte <= site.call.start_byte or other.owner != site.owner:
            continue
        if other.safety != site.safety or not other.fixable or not _simple(other):
            continue
        if scope.assigns_to(site.owner, site.stmt.parent, last.stmt.end_byte, other.stmt.start_byte):  # type: ignore[union-attr]
            break
        last = other
    return last
