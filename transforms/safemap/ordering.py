"""Accesses the goroutine's start or end orders: no race between them, even without a lock.

The Go memory model orders two accesses to a map that happen in different goroutines
when something synchronises them:

  - the `go` statement itself: what the launching function does before `go f()`
    happens before f runs (`m := map[K]V{}; m[k] = v; go use(m)`);
  - a WaitGroup or a channel: what the goroutine does before `wg.Done()`, `close(done)`
    or `done <- x` happens before `wg.Wait()` or `<-done` returns in the launcher
    (`go fill(m); wg.Wait(); read(m)`).

Only one goroutine may be involved (a go statement that runs once), the ordered
access must be in the function that holds the go statement (not in a function literal
of it, which may run at any time), or in a function that is only called after a call of
that function, in sequence, when the function waits for its goroutine before it returns
(`fill(m); report(m)` where fill ends with `wg.Wait()`: joined_before), and a waiting
statement counts when it names a WaitGroup or channel the goroutine's body names too
(`wg.Wait()` with `wg.Done()` inside, `<-done` with `close(done)`), and stands before
the access in a statement list that holds it: every path to the access goes through it.

Which goroutines a go statement in a loop starts on objects of their own is a fact of the
launch site, kept in the semantic layer (gofacts.launches).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tree_sitter import Node

from codemod import golines, syntax
from codemod.context import FileContext
from gofacts import scope
from gofacts.launches import launcher
from gofacts.mapops import root_identifier

_WAIT = re.compile(r"^\s*([A-Za-z_]\w*)(?:\.[A-Za-z_]\w*)*\s*\.\s*Wait\s*\(\s*\)\s*$")


def ordered(
    use: Node, use_file: FileContext, go: Node, go_file: FileContext, body: Node, launch: Node | None = None
) -> bool:
    """Whether use, outside the goroutine that go starts (whose function body is body), is
    ordered with everything that goroutine does (see the module doc). go may be a statement
    holding the launch (the loop around it); launch is then the launch itself, whose launcher
    a wait may name."""
    if use_file.path != go_file.path:
        return False
    func = syntax.enclosing_function(go)
    if func is None or syntax.enclosing_function(use) != func:
        return False
    if use.end_byte <= go.start_byte:
        return True  # before the go statement, which runs once
    return _waited(use, go, body, launch or go)


def before_publication(use: Node) -> bool:
    """Whether use reaches the map through a local the same function has just made a new
    object for (`r := &report{...}` or `T{...}` or `new(T)`), and nothing between that and
    use hands the object on: every mention of it in between selects a field of it (not a
    method, which could start a goroutine). No goroutine can hold the object yet."""
    operand = use.child_by_field_name("operand") if use.type == "selector_expression" else None
    root = root_identifier(operand) if operand is not None else None
    found = scope.find_declaration(syntax.text(root), root) if root is not None else None
    if root is None or found is None or found[0] != "short_var":
        return False
    decl = found[1]
    value = scope.declared_value(syntax.text(root), decl)
    if value is None or not new_object(value):
        return False
    func = syntax.enclosing_function(use)
    if func is None or syntax.enclosing_function(decl) != func:
        return False
    needle = root.text or b""
    for n in syntax.walk(func):
        if n.start_byte <= decl.end_byte or n.type != "identifier" or n.text != needle:
            continue
        if n.start_byte >= use.start_byte:
            break
        parent = n.parent
        selects = parent is not None and parent.type == "selector_expression"
        if not selects or parent.child_by_field_name("operand") != n:  # type: ignore[union-attr]
            return False
        call = parent.parent  # type: ignore[union-attr]
        if (
            call is not None
            and call.type == "call_expression"
            and call.child_by_field_name("function") == parent
        ):
            return False  # a method call: it may hand the object on
    return True


def new_object(value: Node) -> bool:
    """Whether value makes a new object: `&T{...}`, `T{...}` or `new(T)`."""
    value = syntax.unparen(value)
    if value.type == "unary_expression" and syntax.text(value.children[0]) == "&":
        value = syntax.unparen(value.child_by_field_name("operand") or value)
    if value.type == "composite_literal":
        return True
    fn = value.child_by_field_name("function") if value.type == "call_expression" else None
    return fn is not None and syntax.text(fn) == "new"


def joined_before(use: Node, go: Node, body: Node, callers: Callers) -> bool:
    """Whether use runs in a function every call of which comes after a call of the function
    that holds go, in sequence, and that function waits for the goroutine before it returns."""
    spawner, func = syntax.enclosing_function(go), syntax.enclosing_function(use)
    if spawner is None or func is None or func == spawner or func.type == "func_literal":
        return False
    name = spawner.child_by_field_name("name")
    if name is None or not joined(go, spawner, body):
        return False
    sites = callers(func)
    return bool(sites) and all(_called_before(call, syntax.text(name)) for _, call in sites)


Callers = Callable[[Node], list[tuple[FileContext, Node]]]


"""The resolved call sites of a function declaration (LockView.callers)."""


def joined(go: Node, spawner: Node, body: Node) -> bool:
    """A statement of spawner's body after the one holding go waits for the goroutine, and no
    return statement comes before it."""
    outer = spawner.child_by_field_name("body")
    top = go
    while top.parent is not None and top.parent.parent is not None and top.parent.parent != outer:
        top = top.parent
    statements = top.parent
    if outer is None or statements is None or statements.type != "statement_list":
        return False
    names = _wait_names(go, body)
    for stmt in statements.named_children:
        if stmt.start_byte < top.start_byte:
            continue
        if stmt.start_byte > top.start_byte and _waits(stmt, names):
            return True
        if _returns(stmt):
            return False
    return False


def _returns(stmt: Node) -> bool:
    """stmt holds a return statement outside function literals."""
    if stmt.type == "return_statement":
        return True
    return any(_returns(c) for c in stmt.named_children if c.type != "func_literal")


def _called_before(call: Node, name: str) -> bool:
    """A statement `name(...)` or `x.name(...)` runs before call on every path to it."""
    for stmt in golines.statements_before(call):
        expr = stmt.named_children[0] if stmt.type == "expression_statement" and stmt.named_children else None
        if expr is None or expr.type != "call_expression":
            continue
        fn = expr.child_by_field_name("function")
        if fn is None:
            continue
        fn = syntax.unparen(fn)
        named = fn.child_by_field_name("field") if fn.type == "selector_expression" else fn
        if named is not None and syntax.text(named) == name:
            return True
    return False


def _waited(use: Node, go: Node, body: Node, launch: Node) -> bool:
    """A statement after go and before use, on every path to use, waits for the goroutine."""
    names = _wait_names(launch, body)
    return any(s.start_byte > go.end_byte and _waits(s, names) for s in golines.statements_before(use))


def _wait_names(go: Node, body: Node) -> set[bytes]:
    """The names a wait for the goroutine may be made on: those its body names (`wg` of
    `defer wg.Done()`, a channel it closes), and for a launch statement its launcher (`wg` of
    `wg.Go(...)`, which wg.Wait() waits for)."""
    names = set(re.findall(rb"[A-Za-z_]\w*", body.text or b""))
    name = launcher(go)
    return names | {name.encode()} if name else names


def _waits(stmt: Node, names: set[bytes]) -> bool:
    """`x.Wait()` (also `err := x.Wait()`, and in an if statement's initializer), `<-ch`,
    `v := <-ch` or `v, ok := <-ch` on a name the goroutine's body names,
    or a `for v := range ch` loop over one that only ends when ch is closed (no break, return
    or goto in its body)."""
    if stmt.type == "for_statement":
        return _drains(stmt, names)
    if stmt.type == "if_statement":  # `if err := g.Wait(); err != nil {...}`
        init = stmt.child_by_field_name("initializer")
        return init is not None and _waits(init, names)
    text = syntax.text(stmt)
    m = _WAIT.match(text)
    if m is not None and stmt.type == "expression_statement":
        return m.group(1).encode() in names
    receive = None
    if stmt.type == "expression_statement" and stmt.named_children:
        receive = stmt.named_children[0]
    elif stmt.type in ("short_var_declaration", "assignment_statement"):
        right = stmt.child_by_field_name("right")
        values = right.named_children if right is not None else []
        receive = values[0] if len(values) == 1 else None
        m = _WAIT.match(syntax.text(receive)) if receive is not None else None
        if m is not None:  # `err := g.Wait()`: errgroup's Wait returns the first error
            return m.group(1).encode() in names
    if receive is None or receive.type != "unary_expression" or syntax.text(receive.children[0]) != "<-":
        return False
    return _names_channel(receive.child_by_field_name("operand") or receive, names)


def _names_channel(channel: Node, names: set[bytes]) -> bool:
    """The variable a channel expression starts from (`done`, `s` in `s.term`) is in names."""
    root = syntax.unparen(channel)
    while root.type == "selector_expression":
        root = syntax.unparen(root.child_by_field_name("operand") or root)
    return root.type == "identifier" and (root.text or b"") in names


def _drains(loop: Node, names: set[bytes]) -> bool:
    """`for ... range ch { ... }` over a channel named by the goroutine's body, whose body
    cannot leave the loop early: it ends only when the channel is closed and drained."""
    clause = next((c for c in loop.named_children if c.type == "range_clause"), None)
    body = loop.child_by_field_name("body")
    ranged = clause.child_by_field_name("right") if clause is not None else None
    if ranged is None or body is None or not _names_channel(ranged, names):
        return False
    exits = ("break_statement", "return_statement", "goto_statement")
    return not any(n.type in exits for n in syntax.named_walk(body, prune=frozenset({"func_literal"})))
