"""Waiting for an object's own goroutine: `go sf.loop()` ... `sf.wait(); read(sf.seen)`.

A type often runs one goroutine per object, on a method that signals its end through a
field of the object:

    func (s *fetcher) loop() {
        defer close(s.term)          // or: defer s.wg.Done()
        ... s.seen[k] = true ...
    }
    func (s *fetcher) wait() { <-s.term }

Whatever that method does through its receiver happens before `<-s.term` (or
`s.wg.Wait()`) returns in another goroutine (the Go memory model: a close happens before
a receive that returns because the channel is closed; a Done before the Wait it
unblocks). So a use `f.seen` is ordered after the goroutine's writes when, on every path
to it in its function, a statement before it waits on the same variable f: `<-f.term`,
`f.wg.Wait()`, or a call `f.wait()` of a method of the type whose body waits so, as one of
its top-level statements. Only writes made through the receiver of a method of the
map's struct type count (what the goroutine does to its own object); the go statement
must start a method of that type, whose top-level statements defer the signal.
"""

from __future__ import annotations

from tree_sitter import Node

from codemod import golines, syntax
from codemod.context import PackageContext
from gofacts.decls import Declarations
from gofacts.mapops import field_of
from gofacts.signatures import receiver_name, receiver_type_name

Signal = tuple[str, str]
"""("close", field) for `defer close(r.field)`, ("done", field) for `defer r.field.Done()`."""


def object_joined(use: Node, go: Node, write: Node, owner: str, pkg: PackageContext) -> bool:
    """Whether use (a selector `f.m` of a field of struct type owner) comes after waiting for
    the end of the goroutine go starts, on the object f, and write (in that goroutine) is
    made through the receiver of a method of owner (see the module doc)."""
    if not _through_receiver(write, owner):
        return False
    signal = _end_signal(go, owner, pkg)
    if signal is None:
        return False
    operand = use.child_by_field_name("operand") if use.type == "selector_expression" else None
    operand = syntax.unparen(operand) if operand is not None else None
    if operand is None or operand.type != "identifier":
        return False
    name = syntax.text(operand)
    decls = Declarations.of(pkg)
    return any(_waits(stmt, name, signal, owner, decls) for stmt in golines.statements_before(use))


def _through_receiver(write: Node, owner: str) -> bool:
    func = syntax.enclosing_function(write)
    if func is None or func.type != "method_declaration" or receiver_type_name(func) != owner:
        return False
    recv = receiver_name(func)
    target = write
    while target.type != "selector_expression" and target.parent is not None:
        target = target.parent
    operand = target.child_by_field_name("operand") if target.type == "selector_expression" else None
    return recv is not None and operand is not None and syntax.text(syntax.unparen(operand)) == recv


def _end_signal(go: Node, owner: str, pkg: PackageContext) -> Signal | None:
    """The signal the method that go starts (a method of owner) defers at its top level."""
    call = go.named_children[0] if go.named_children else None
    fn = syntax.unparen(call.child_by_field_name("function") or call) if call is not None else None
    if fn is None or fn.type != "selector_expression":
        return None
    field = fn.child_by_field_name("field")
    found = Declarations.of(pkg).get("method", (owner, syntax.text(field))) if field is not None else None
    if found is None:
        return None
    method = found[0]
    recv, body = receiver_name(method), method.child_by_field_name("body")
    if recv is None or body is None:
        return None
    for stmt in golines.block_statements(body):
        if stmt.type != "defer_statement" or not stmt.named_children:
            continue
        signal = _signal(stmt.named_children[0], recv)
        if signal is not None:
            return signal
    return None


def _signal(call: Node, recv: str) -> Signal | None:
    """`close(recv.f)` -> ("close", f); `recv.f.Done()` -> ("done", f)."""
    if call.type != "call_expression":
        return None
    fn = syntax.unparen(call.child_by_field_name("function") or call)
    args = call.child_by_field_name("arguments")
    values = [a for a in (args.named_children if args is not None else ()) if a.type != "comment"]
    if fn.type == "identifier" and syntax.text(fn) == "close" and len(values) == 1:
        return _field_of(values[0], recv, "close")
    if fn.type == "selector_expression" and not values:
        field = fn.child_by_field_name("field")
        operand = fn.child_by_field_name("operand")
        if field is not None and operand is not None and syntax.text(field) == "Done":
            return _field_of(operand, recv, "done")
    return None


def _field_of(expr: Node, recv: str, kind: str) -> Signal | None:
    field = field_of(expr, recv)
    return (kind, field) if field is not None else None


def _waits(stmt: Node, name: str, signal: Signal, owner: str, decls: Declarations) -> bool:
    """stmt waits for signal on name: directly, or by calling a method of owner on name whose
    top-level statements wait for it on its receiver."""
    if _waits_directly(stmt, name, signal):
        return True
    expr = stmt.named_children[0] if stmt.type == "expression_statement" and stmt.named_children else None
    if expr is None or expr.type != "call_expression":
        return False
    fn = syntax.unparen(expr.child_by_field_name("function") or expr)
    if fn.type != "selector_expression":
        return False
    operand, field = fn.child_by_field_name("operand"), fn.child_by_field_name("field")
    if operand is None or field is None or syntax.text(syntax.unparen(operand)) != name:
        return False
    found = decls.get("method", (owner, syntax.text(field)))
    if found is None:
        return False
    recv, body = receiver_name(found[0]), found[0].child_by_field_name("body")
    return (
        recv is not None
        and body is not None
        and any(_waits_directly(s, recv, signal) for s in golines.block_statements(body))
    )


def _waits_directly(stmt: Node, name: str, signal: Signal) -> bool:
    """`<-name.f` (a statement, or the value of an assignment) for ("close", f);
    `name.f.Wait()` for ("done", f)."""
    kind, field = signal
    expr: Node | None = None
    if stmt.type == "expression_statement" and stmt.named_children:
        expr = stmt.named_children[0]
    elif kind == "close" and stmt.type in ("short_var_declaration", "assignment_statement"):
        right = stmt.child_by_field_name("right")
        values = right.named_children if right is not None else []
        expr = values[0] if len(values) == 1 else None
    if expr is None:
        return False
    if kind == "close":
        if expr.type != "unary_expression" or syntax.text(expr.children[0]) != "<-":
            return False
        return _field_of(expr.child_by_field_name("operand") or expr, name, kind) == signal
    if expr.type != "call_expression":
        return False
    fn = syntax.unparen(expr.child_by_field_name("function") or expr)
    method = fn.child_by_field_name("field") if fn.type == "selector_expression" else None
    operand = fn.child_by_field_name("operand") if fn.type == "selector_expression" else None
    return (
        method is not None
        and operand is not None
        and syntax.text(method) == "Wait"
        and _field_of(operand, name, "done") == signal
    )
