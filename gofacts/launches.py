"""Launch sites: the go statements of a package, and what each one hands its goroutine.

A launch is a go statement, or a launch statement: `wg.Go(func() {...})` (sync.WaitGroup.Go,
errgroup.Group.Go), whose function literal runs on a goroutine of its own just as
`go func() {...}()` would, and which `wg.Wait()` waits for. go_statement_at finds a launch
again from the (file, offset) a goroutine region keeps for it (gofacts.goroutines).

A goroutine started in a loop runs many times at once, so its writes race with each other,
unless each iteration hands the goroutine an object of its own:
`c := newConn(x); go c.serve()` with c declared in the loop body and not used after the go
statement (nor handed to anything but a method of its own before it) gives each goroutine its
own c, and its maps. So does a range loop's variable (`for _, c := range conns { go c.run() }`):
the elements of a collection are taken to be distinct objects. fresh_operands and loop_locals
say which of a go statement's operands, and which locals a function literal captures, are such
objects of the iteration's own.
"""

from __future__ import annotations

from collections.abc import Iterable

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext, PackageContext
from gofacts import scope
from gofacts.signatures import holder_name, parameter_names


def go_statement_at(pkg: PackageContext, root: tuple[str, int]) -> tuple[FileContext | None, Node | None]:
    """The file and go statement of a region root (path, offset), each None when not found."""
    f = next((s for s in pkg.sources if str(s.path) == root[0]), None)
    return f, go_statement(f, root[1]) if f is not None else None


def starting_functions(pkg: PackageContext, roots: Iterable[tuple[str, int]]) -> str:
    """`F starts` or `F and G start`, for messages: the functions or methods holding the go
    statements at roots ((path, offset) pairs, in order), each named once, three at most."""
    names: list[str] = []
    for root in roots:
        _, go = go_statement_at(pkg, root)
        name = holder_name(go) if go is not None else ""
        if name and name not in names:
            names.append(name)
    if not names:
        return "the package starts"
    shown = " and ".join(names[:3]) + (f" (and {len(names) - 3} more)" if len(names) > 3 else "")
    return f"{shown} {'start' if len(names) > 1 else 'starts'}"


def go_statement(f: FileContext, offset: int) -> Node | None:
    """The go statement, or launch statement (launched_literal), that starts at offset in f."""
    node = f.root.descendant_for_byte_range(offset, offset + 2)
    while node is not None and node.type != "go_statement" and launched_literal(node) is None:
        node = node.parent
    return node if node is not None and node.start_byte == offset else None


LAUNCH = "Go"
"""The method name of the launchers whose function argument runs on a goroutine of its own:
sync.WaitGroup.Go (Go 1.25), errgroup.Group.Go, and the pools that copy their shape."""


def launched_literal(stmt: Node) -> Node | None:
    """For a launch statement, `wg.Go(func() {...})` or `g.Go(func() error {...})` (a call of a
    method named Go with one function literal, as a statement of its own): that literal, which
    runs on a goroutine of its own as a go statement's would. None for anything else."""
    call = stmt.named_children[0] if stmt.type == "expression_statement" and stmt.named_children else None
    fn = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    field = fn.child_by_field_name("field") if fn is not None and fn.type == "selector_expression" else None
    if field is None or syntax.text(field) != LAUNCH:
        return None
    args = call.child_by_field_name("arguments")  # type: ignore[union-attr]
    values = args.named_children if args is not None else []
    return values[0] if len(values) == 1 and values[0].type == "func_literal" else None


def launcher(stmt: Node) -> str:
    """The variable a launch statement's launcher starts from (`wg` in `wg.Go(...)`, `s` in
    `s.group.Go(...)`): what waits for its goroutines (`wg.Wait()`); "" for a go statement."""
    if launched_literal(stmt) is None:
        return ""
    fn = stmt.named_children[0].child_by_field_name("function")
    root = fn.child_by_field_name("operand") if fn is not None else None
    while root is not None and root.type == "selector_expression":
        root = root.child_by_field_name("operand")
    return syntax.text(root) if root is not None and root.type == "identifier" else ""


def is_launch(node: Node) -> bool:
    """A go statement or a launch statement."""
    return node.type == "go_statement" or launched_literal(node) is not None


def fresh_operands(go: Node) -> list[tuple[int, bool]]:
    """For a go statement in a loop calling a named function or method: (position, whether
    that operand is an object of the iteration's own) for the receiver (position -1) and each
    argument; empty for a function literal or a go statement outside a loop. An operand is the
    iteration's own when it is declared in the loop body (or by the range clause), and is not
    used after the go statement in the loop, nor passed anywhere before it."""
    call = go.named_children[0] if go.named_children else None
    if call is None or call.type != "call_expression":
        return []
    loop = next((a for a in syntax.ancestors(go) if a.type == "for_statement"), None)
    loop_body = loop.child_by_field_name("body") if loop is not None else None
    if loop is None or loop_body is None:
        return []
    fn = syntax.unparen(call.child_by_field_name("function") or call)
    if fn.type == "func_literal":
        return []  # a literal captures variables: they may be shared
    named = []
    if fn.type == "selector_expression":
        named.append((-1, syntax.unparen(fn.child_by_field_name("operand") or fn)))
    args = call.child_by_field_name("arguments")
    named += [(i, syntax.unparen(a)) for i, a in enumerate(args.named_children if args is not None else ())]
    per_iteration = _range_variables(loop)
    return [(i, _fresh_operand(n, go, loop_body, per_iteration)) for i, n in named]


def loop_locals(go: Node) -> set[str]:
    """For a go statement starting a function literal in a loop: the names of the variables
    declared in the loop's body before it (`got := map[K]V{}`), which each iteration declares
    anew, so each goroutine the loop starts captures its own; and the literal's parameters
    bound to an operand of the iteration's own (`go func(b *Broker) {...}(b)` in a range loop
    over brokers)."""
    loop = next((a for a in syntax.ancestors(go) if a.type == "for_statement"), None)
    body = loop.child_by_field_name("body") if loop is not None else None
    if loop is None or body is None:
        return set()
    names: set[str] = _fresh_parameters(go, loop, body)
    for n in syntax.named_walk(body, prune=frozenset({"func_literal"})):
        if n.start_byte >= go.start_byte:
            break
        if n.type == "short_var_declaration":
            left = n.child_by_field_name("left")
            names.update(syntax.text(c) for c in (left.named_children if left is not None else ()))
        elif n.type == "var_spec":
            names.update(syntax.text(c) for c in n.children_by_field_name("name"))
    return names


def _fresh_parameters(go: Node, loop: Node, loop_body: Node) -> set[str]:
    call = go.named_children[0] if go.named_children else None
    fn = syntax.unparen(call.child_by_field_name("function") or call) if call is not None else None
    args = call.child_by_field_name("arguments") if call is not None else None
    if fn is None or fn.type != "func_literal" or args is None:
        return set()
    params = parameter_names(fn)
    per_iteration = _range_variables(loop)
    return {
        params[i]  # type: ignore[misc]
        for i, a in enumerate(args.named_children)
        if i < len(params) and params[i] and _fresh_operand(syntax.unparen(a), go, loop_body, per_iteration)
    }


def _fresh_operand(n: Node, go: Node, loop_body: Node, per_iteration: set[tuple[int, int]]) -> bool:
    if n.type != "identifier":
        return False
    decl = scope.declaration_of(n)
    if decl is None:
        return False
    inside = loop_body.start_byte <= decl.start_byte < loop_body.end_byte
    if not inside and (decl.start_byte, decl.end_byte) not in per_iteration:
        return False
    return _own(syntax.text(n), decl, go, loop_body)


def _range_variables(loop: Node) -> set[tuple[int, int]]:
    """The spans of the variables a `for k, v := range xs` clause declares: each iteration
    binds them to another element (distinct objects, as gomapfix assumes of a collection's
    elements)."""
    clause = next((c for c in loop.named_children if c.type == "range_clause"), None)
    left = clause.child_by_field_name("left") if clause is not None else None
    if left is None or not any(c.type == ":=" for c in clause.children):  # type: ignore[union-attr]
        return set()
    return {(n.start_byte, n.end_byte) for n in left.named_children if n.type == "identifier"}


def _own(name: str, decl: Node, go: Node, loop_body: Node) -> bool:
    """name (declared at decl in loop_body) is used after decl only as the operand of a
    selector before go, and not at all after go."""
    needle = name.encode()
    for n in syntax.walk(loop_body):
        if n.type != "identifier" or n.text != needle or n.start_byte <= decl.end_byte:
            continue
        if go.start_byte <= n.start_byte < go.end_byte:
            continue
        if n.start_byte >= go.end_byte:
            return False
        parent = n.parent
        if (
            parent is None
            or parent.type != "selector_expression"
            or parent.child_by_field_name("operand") != n
        ):
            return False
    return True
