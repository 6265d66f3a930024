"""A goroutine started only with a channel's one token, which it hands back when it returns.

    func (r *mgr) init() {
        r.stopped = make(chan struct{}, 1)
        r.stopped <- struct{}{}          // the one token
    }
    func (r *mgr) send(ev event) {
        for {
            select {
            case r.events <- ev:
                return
            case <-r.stopped:            // take the token ...
                go r.loop()              // ... and start the loop
            }
        }
    }
    func (r *mgr) loop() {
        defer func() { r.stopped <- struct{}{} }()   // hand it back on return
        ...
    }

The go statement sits in a loop, but a loop of one object never runs twice at once: each
start takes the token, the token comes back only when a loop returns (a send happens
before the receive that takes it, so what one loop did happens before the next starts),
and the channel holds at most one. token_guarded recognises this shape: the go statement
starts a method on the variable it received the token from, in the same select case (or
right after a receive statement), the method's body defers a send of the token on its
receiver as a top-level statement, and every other send on a field of that name in the
package is the single token put in right after `x.f = make(chan T, 1)`.
"""

from __future__ import annotations

from tree_sitter import Node

from codemod import golines, syntax
from codemod.context import PackageContext
from gofacts.decls import Declarations
from gofacts.mapops import field_of
from gofacts.signatures import receiver_name


def token_guarded(go: Node, pkg: PackageContext) -> bool:
    """Whether go starts a method that runs on its object one at a time (see the module doc)."""
    call = go.named_children[0] if go.named_children else None
    fn = syntax.unparen(call.child_by_field_name("function") or call) if call is not None else None
    if fn is None or fn.type != "selector_expression":
        return False
    operand, method = fn.child_by_field_name("operand"), fn.child_by_field_name("field")
    if operand is None or method is None:
        return False
    field = _token_taken(go, syntax.text(syntax.unparen(operand)))
    if field is None:
        return False
    methods = Declarations.of(pkg).methods_named(syntax.text(method))
    return bool(methods) and all(_hands_back(d, field) and _one_token(pkg, field, d) for d, _ in methods)


def _token_taken(go: Node, holder: str) -> str | None:
    """The field f when go runs in a select case `case <-holder.f:` or right after a statement
    `<-holder.f` in its statement list."""
    stmts = go.parent
    case = stmts.parent if stmts is not None and stmts.type == "statement_list" else None
    receive: Node | None = None
    if case is not None and case.type == "communication_case":
        receive = case.child_by_field_name("communication")
        if receive is not None and receive.type == "receive_statement":
            receive = receive.child_by_field_name("right")
    elif stmts is not None:
        last = _previous_statement(go)
        receive = last.named_children[0] if last is not None and last.type == "expression_statement" else None
    if receive is None or receive.type != "unary_expression" or syntax.text(receive.children[0]) != "<-":
        return None
    return field_of(receive.child_by_field_name("operand"), holder)


def _hands_back(method: Node, field: str) -> bool:
    """method's body defers, at its top level, a send on receiver.field (directly in a deferred
    function literal's top-level statements)."""
    recv = receiver_name(method)
    body = method.child_by_field_name("body")
    if recv is None or body is None:
        return False
    for stmt in golines.block_statements(body):
        call = stmt.named_children[0] if stmt.type == "defer_statement" and stmt.named_children else None
        fn = (
            call.child_by_field_name("function")
            if call is not None and call.type == "call_expression"
            else None
        )
        if fn is None or fn.type != "func_literal":
            continue
        lit_body = fn.child_by_field_name("body")
        if lit_body is not None and any(
            _sends_on(s, recv, field) for s in golines.block_statements(lit_body)
        ):
            return True
    return False


def _one_token(pkg: PackageContext, field: str, method: Node) -> bool:
    """Every send on a `.field` channel in the package is the method's deferred hand-back or
    the single token put in right after `x.field = make(chan T, 1)`."""
    for f in pkg.files_with(field.encode()):
        if f.broken:
            return False
        for n in syntax.named_walk(f.root):
            if n.type != "send_statement":
                continue
            channel = syntax.unparen(n.child_by_field_name("channel") or n)
            if (
                channel.type != "selector_expression"
                or syntax.text(channel.child_by_field_name("field") or n) != field
            ):
                continue
            if syntax.enclosing_function(syntax.enclosing_function(n) or n) == method:
                continue  # the hand-back, in the method's deferred literal
            if not _first_token(n, field):
                return False
    return True


def _first_token(send: Node, field: str) -> bool:
    """send directly follows `x.field = make(chan T, 1)` in its statement list."""
    made = _previous_statement(send)
    if made is None or made.type != "assignment_statement":
        return False
    left, right = made.child_by_field_name("left"), made.child_by_field_name("right")
    target = syntax.text(left).replace(" ", "") if left is not None else ""
    value = syntax.text(right).replace(" ", "") if right is not None else ""
    sent_to = syntax.text(send.child_by_field_name("channel") or send).replace(" ", "")
    return (
        target == sent_to
        and target.endswith("." + field)
        and value.startswith("make(chan")
        and value.endswith(",1)")
    )


def _previous_statement(stmt: Node) -> Node | None:
    """The statement right before stmt in its statement list (comments aside), if any."""
    stmts = stmt.parent
    if stmts is None or stmts.type != "statement_list":
        return None
    before = [s for s in stmts.named_children if s.end_byte <= stmt.start_byte and s.type != "comment"]
    return before[-1] if before else None


def _sends_on(stmt: Node, recv: str, field: str) -> bool:
    if stmt.type != "send_statement":
        return False
    return field_of(stmt.child_by_field_name("channel"), recv) == field
