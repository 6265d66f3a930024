"""Small syntax helpers of the wrap-inner-map transform: parentheses, assignment shapes, quoting.

Quoting matters: a blocked finding names the use that blocks it by file name
and source text (never a line number), so that the runner recognises the same
finding across passes.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from codemod import golines, syntax
from gofacts import scope
from transforms.wrap_inner_map import nameindex

MAX_QUOTE = 72


def unparen_type(node: Node) -> Node:
    while node.type == "parenthesized_type" and node.named_child_count == 1:
        node = node.named_children[0]
    return node


def climb_parens(node: Node) -> Node:
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    return node


def is_make_arg(node: Node, index: nameindex.PackageIndex) -> bool:
    args = node.parent
    call = args.parent if args is not None else None
    fn = call.child_by_field_name("function") if call is not None else None
    return (
        args is not None
        and args.named_children[:1] == [node]
        and fn is not None
        and fn.type == "identifier"
        and syntax.text(fn) == "make"
        and index.is_builtin(fn)
    )


def names_type(node: Node, index: nameindex.PackageIndex) -> bool:
    node = syntax.unparen(node)
    if node.type == "unary_expression":
        operand = node.child_by_field_name("operand")
        return operand is not None and names_type(operand, index)
    return (
        node.type in ("identifier", "type_identifier")
        and syntax.text(node) in index.types
        and (scope.declaration_of(node) is None)
    )


def assignment_target(ref: Node) -> tuple[int, Node | None]:
    """(position, statement) when ref is directly a left-hand operand; (0, None) otherwise."""
    p = climb_parens(ref)
    lst = p.parent
    if lst is None or lst.type != "expression_list":
        return 0, None
    holder = lst.parent
    if holder is None or holder.child_by_field_name("left") != lst:
        return 0, None
    if holder.type not in (
        "assignment_statement",
        "short_var_declaration",
        "range_clause",
        "receive_statement",
    ):
        return 0, None
    return lst.named_children.index(p), holder


def rhs_for(holder: Node, position: int) -> Node | None:
    left = holder.child_by_field_name("left")
    right = holder.child_by_field_name("right")
    targets = left.named_children if left is not None else []
    values = right.named_children if right is not None else []
    return values[position] if len(values) == len(targets) else None


def context_of(node: Node) -> Node:
    """The node to quote for a blocking use: the call holding it, else its statement."""
    cur: Node | None = node
    for _ in range(3):
        if cur is None:
            break
        if cur.type == "call_expression":
            return cur
        cur = cur.parent
    stmt = golines.statement_of(node)
    if stmt is not None:
        return stmt
    cur = node
    while cur.parent is not None and cur.parent.type not in ("source_file", "var_spec_list"):
        cur = cur.parent
    return cur


def type_context(node: Node) -> Node:
    """The smallest construct around a type spelling worth quoting: its parent type or declaration."""
    parent = node.parent
    if parent is not None and len(syntax.text(parent)) <= MAX_QUOTE:
        return parent
    return context_of(node)


def quote(node_or_text: Node | str) -> str:
    text = node_or_text if isinstance(node_or_text, str) else syntax.text(node_or_text)
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 3] + "..."
