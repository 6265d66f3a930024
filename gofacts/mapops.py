"""Questions about one use of a map (its shape, its root, its type), shared by detection and rewriting.

Nothing here edits: it tells what a use does (write, read, range, ...), whether
an expression may be evaluated earlier or under a lock without changing the
program, and which Go statements end a block.
"""

from __future__ import annotations

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext
from gofacts import scope
from gofacts.types import GoType, PackageTypes, named_type_name

_CALLS = frozenset({"call_expression", "func_literal", "go_statement"})
_BUILTIN_PURE = frozenset(
    "len cap append make new min max complex real imag string bool byte rune uintptr"
    " int int8 int16 int32 int64 uint uint8 uint16 uint32 uint64 float32 float64".split()
)
"""Builtins and predeclared conversions: calling them has no effect but their result."""


def parent(node: Node) -> Node | None:
    return node.parent


def index_of(use: Node) -> Node | None:
    """The index expression `X[k]` whose operand is use, if any."""
    p = use.parent
    if p is not None and p.type == "index_expression" and p.child_by_field_name("operand") == use:
        return p
    return None


def assignment_of(target: Node) -> tuple[Node, str] | None:
    """(statement, operator) when target is the single left-hand side of an assignment."""
    lst = target.parent
    if lst is None or lst.type != "expression_list" or lst.named_child_count != 1:
        return None
    stmt = lst.parent
    if stmt is None or stmt.type != "assignment_statement" or stmt.child_by_field_name("left") != lst:
        return None
    op = stmt.child_by_field_name("operator")
    return stmt, syntax.text(op) if op is not None else "="


def single_right(stmt: Node) -> Node | None:
    right = stmt.child_by_field_name("right") or stmt.child_by_field_name("value")
    if right is None:
        return None
    if right.type == "expression_list":
        return right.named_children[0] if right.named_child_count == 1 else None
    return right


def call_of_argument(arg: Node) -> tuple[str, Node, int] | None:
    """(callee text, call, argument position) when arg is an argument of a call."""
    args = arg.parent
    if args is None or args.type != "argument_list":
        return None
    call = args.parent
    fn = call.child_by_field_name("function") if call is not None else None
    if call is None or fn is None:
        return None
    return syntax.text(fn), call, args.named_children.index(arg)


def is_write(use: Node) -> bool:
    """True if the use changes the map or the variable holding it."""
    if assignment_of(use) is not None:
        return True
    call = call_of_argument(use)
    if call is not None and call[0] in ("delete", "clear") and call[2] == 0:
        return True
    idx = index_of(use)
    if idx is None:
        return False
    if _written(idx):
        return True
    outer = idx.parent
    if outer is not None and outer.type == "index_expression" and outer.child_by_field_name("operand") == idx:
        return _written(outer)
    call = call_of_argument(idx)
    return call is not None and call[0] in ("delete", "clear") and call[2] == 0


def mutates_in_place(use: Node) -> bool:
    """True if the use changes the map's contents (`m[k] = v`, `m[k]++`, `delete(m, k)`,
    `clear(m)`, `m[k][k2] = v`), not just which map the variable holds (`m = fresh`)."""
    return is_write(use) and assignment_of(use) is None


def _written(target: Node) -> bool:
    p = target.parent
    if p is not None and p.type in ("inc_statement", "dec_statement"):
        return True
    return assignment_of(target) is not None


def pure(node: Node) -> bool:
    """True if evaluating node calls nothing and receives nothing (builtins aside): it may be
    evaluated earlier, or while a lock is held, without another effect."""
    for n in syntax.walk(node):
        if n.type in _CALLS:
            fn = n.child_by_field_name("function") if n.type == "call_expression" else None
            if fn is not None and fn.type == "identifier" and syntax.text(fn) in _BUILTIN_PURE:
                continue
            return False
        if n.type == "unary_expression" and syntax.text(n.children[0]) == "<-":
            return False
    return True


def mentions(node: Node, spans: set[tuple[int, int]]) -> bool:
    """True if node contains one of the given (start, end) node spans."""
    return any(node.start_byte <= s and e <= node.end_byte for s, e in spans)


def empty_map_value(node: Node) -> bool:
    """`make(map[K]V)`, `make(map[K]V, n)` with pure n, or `map[K]V{}`."""
    node = syntax.unparen(node)
    if node.type == "composite_literal":
        body = node.child_by_field_name("body")
        t = node.child_by_field_name("type")
        return t is not None and t.type == "map_type" and body is not None and body.named_child_count == 0
    if node.type == "call_expression":
        fn = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments")
        if fn is None or syntax.text(fn) != "make" or args is None or not args.named_children:
            return False
        return args.named_children[0].type == "map_type" and all(pure(a) for a in args.named_children[1:])
    return False


def is_nil(node: Node) -> bool:
    node = syntax.unparen(node)
    return node.type == "nil" or (node.type == "identifier" and syntax.text(node) == "nil")


def terminates(stmt: Node, converted: set[int]) -> bool:
    """Go's terminating statements (spec: "Terminating statements"), for the last statement
    of a loop body; converted holds the start offsets of break/continue statements that
    become returns."""
    t = stmt.type
    if t in ("return_statement", "goto_statement") or stmt.start_byte in converted:
        return True
    if t == "labeled_statement":
        return bool(stmt.named_children) and terminates(stmt.named_children[-1], converted)
    if t == "expression_statement" and stmt.named_children:
        call = stmt.named_children[0]
        fn = call.child_by_field_name("function") if call.type == "call_expression" else None
        return fn is not None and syntax.text(fn) == "panic"
    if t == "block":
        stmts = block_statements(stmt)
        return bool(stmts) and terminates(stmts[-1], converted)
    if t == "if_statement":
        cons, alt = stmt.child_by_field_name("consequence"), stmt.child_by_field_name("alternative")
        return (
            cons is not None
            and alt is not None
            and terminates(cons, converted)
            and terminates(alt, converted)
        )
    if t == "for_statement":
        if any(c.type in ("range_clause", "for_clause") for c in stmt.named_children):
            return False
        if stmt.child_by_field_name("condition") is not None:
            return False
        body = stmt.child_by_field_name("body")
        return body is not None and not _breaks_out(body)
    return False


def _breaks_out(body: Node) -> bool:
    for n in syntax.named_walk(body, prune=frozenset({"func_literal"})):
        if n.type == "break_statement":
            return True
    return False


def block_statements(block: Node) -> list[Node]:
    lst = next((c for c in block.named_children if c.type == "statement_list"), None)
    return [s for s in lst.named_children if s.type != "comment"] if lst is not None else []


def root_identifier(expr: Node) -> Node | None:
    """The identifier an operand chain starts from: s in s.a.b[i].m, *p, (x)."""
    node: Node | None = expr
    while node is not None and node.type != "identifier":
        if node.type in ("selector_expression", "index_expression", "unary_expression"):
            node = node.child_by_field_name("operand")
        elif node.type == "parenthesized_expression" and node.named_child_count == 1:
            node = node.named_children[0]
        else:
            return None
    return node


def names_package(operand: Node, f: FileContext) -> bool:
    """True for an identifier naming an imported package (not shadowed by a local)."""
    return (
        operand.type == "identifier"
        and syntax.text(operand) in f.imported_names
        and scope.declaration_of(operand) is None
    )


def type_name(expr: Node, f: FileContext, types: PackageTypes) -> str | None:
    """The name of the package type of expr, pointers stripped, or None if not certain."""
    t = type_of(types, expr, f)
    return named_type_name(types.pointee(t) or t)


def type_of(types: PackageTypes, expr: Node, f: FileContext) -> GoType | None:
    """types.type_of, with None for the self-referential declarations it cannot bound
    (`x := x.next()` recurses without limit in PackageTypes._call_type)."""
    try:
        return types.type_of(expr, f)
    except RecursionError:
        return None


def field_of(expr: Node | None, holder: str) -> str | None:
    """f when expr is the selector `holder.f` (parentheses aside), else None."""
    expr = syntax.unparen(expr) if expr is not None else None
    if expr is None or expr.type != "selector_expression":
        return None
    operand, field = expr.child_by_field_name("operand"), expr.child_by_field_name("field")
    if operand is None or field is None or syntax.text(syntax.unparen(operand)) != holder:
        return None
    return syntax.text(field)
