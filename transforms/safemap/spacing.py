"""gofmt's spacing of binary expressions, for expressions the safemap rewrite moves.

go/printer prints `a + b` with or without blanks depending on the nesting
depth of the expression (`m[i+1]` but `f(i + 1)`, `f(a, i+1)`): an expression
moved from an index into a call argument must be re-spaced to stay
gofmt-clean. reprint(node, depth) prints node as go/printer would at that
depth (the rules of printer.binaryExpr, cutoff, walkBinary, diffPrec and
reduceDepth in go/printer/nodes.go); depth_of(node) is the depth at which
gofmt prints node where it stands. Everything but the blanks around binary
operators is copied verbatim; an expression spanning lines is returned as it
is (its layout is not recomputed).
"""

from __future__ import annotations

from tree_sitter import Node

from codemod import syntax

PREC = {
    "||": 1,
    "&&": 2,
    **dict.fromkeys(("==", "!=", "<", "<=", ">", ">="), 3),
    **dict.fromkeys(("+", "-", "|", "^"), 4),
    **dict.fromkeys(("*", "/", "%", "<<", ">>", "&", "&^"), 5),
}


def reprint(node: Node, depth: int) -> str:
    """node's text with gofmt's blanks around binary operators at the given depth."""
    text = syntax.text(node)
    if "\n" in text or not any(n.type == "binary_expression" for n in syntax.walk(node)):
        return text
    return _expr(node, 0, depth)


def format_expr(text: str, depth: int) -> str:
    """Re-space an expression given as text (see reprint); text is returned unchanged if it
    does not parse as one expression."""
    src = f"package p\n\nvar _ = {text}\n".encode()
    tree = syntax.parse(src)
    if tree.root_node.has_error:
        return text
    spec = next((n for n in syntax.walk(tree.root_node) if n.type == "var_spec"), None)
    value = spec.child_by_field_name("value") if spec is not None else None
    if value is None or value.named_child_count != 1:
        return text
    return reprint(value.named_children[0], depth)


def _op(node: Node) -> str:
    op = node.child_by_field_name("operator")
    return syntax.text(op) if op is not None else ""


def _expr(node: Node, prec1: int, depth: int) -> str:
    t = node.type
    if t == "binary_expression":
        return _binary(node, prec1, _cutoff(node, depth), depth)
    if t == "parenthesized_expression" and node.named_child_count == 1:
        inner = node.named_children[0]
        if inner.type == "parenthesized_expression":
            return _expr(inner, 0, depth)
        return "(" + _expr(inner, 0, max(1, depth - 1)) + ")"
    if t == "call_expression":
        fn, args = node.child_by_field_name("function"), node.child_by_field_name("arguments")
        if fn is None or args is None:
            return syntax.text(node)
        items = args.named_children
        d = depth + 1 if len(items) > 1 else depth
        dots = "..." if any(c.type == "..." for c in args.children) else ""
        return _expr(fn, 0, depth) + "(" + ", ".join(_expr(a, 0, d) for a in items) + dots + ")"
    if t == "index_expression":
        operand, index = node.child_by_field_name("operand"), node.child_by_field_name("index")
        if operand is None or index is None:
            return syntax.text(node)
        return _expr(operand, 0, 1) + "[" + _expr(index, 0, depth + 1) + "]"
    if t == "selector_expression":
        operand, fld = node.child_by_field_name("operand"), node.child_by_field_name("field")
        if operand is None or fld is None:
            return syntax.text(node)
        return _expr(operand, 0, depth) + "." + syntax.text(fld)
    if t == "unary_expression":
        operand = node.child_by_field_name("operand")
        if operand is None:
            return syntax.text(node)
        return syntax.text(node.children[0]) + _expr(operand, 0, depth)
    return syntax.text(node)


def _binary(node: Node, prec1: int, cutoff: int, depth: int) -> str:
    op = _op(node)
    prec = PREC.get(op, 0)
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    if left is None or right is None or prec == 0:
        return syntax.text(node)
    blank = " " if prec < cutoff else ""
    x = _operand(left, prec, depth + _diff_prec(left, prec))
    y = _operand(right, prec + 1, depth + 1)
    return f"{x}{blank}{op}{blank}{y}"


def _operand(node: Node, prec1: int, depth: int) -> str:
    if node.type == "binary_expression":
        return _binary(node, prec1, _cutoff(node, depth), depth)
    return _expr(node, prec1, depth)


def _diff_prec(node: Node, prec: int) -> int:
    if node.type != "binary_expression" or PREC.get(_op(node), 0) != prec:
        return 1
    return 0


def _walk(node: Node) -> tuple[bool, bool, int]:
    """go/printer's walkBinary: (has precedence 4, has precedence 5, max problem)."""
    prec = PREC.get(_op(node), 0)
    has4, has5, problem = prec == 4, prec == 5, 0
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    if left is not None and left.type == "binary_expression" and PREC.get(_op(left), 0) >= prec:
        h4, h5, p = _walk(left)
        has4, has5, problem = has4 or h4, has5 or h5, max(problem, p)
    if right is not None and right.type == "binary_expression" and PREC.get(_op(right), 0) > prec:
        h4, h5, p = _walk(right)
        has4, has5, problem = has4 or h4, has5 or h5, max(problem, p)
    elif right is not None and right.type == "unary_expression":
        pair = _op(node) + syntax.text(right.children[0])
        if pair in ("/*", "&&", "&^"):
            problem = 5
        elif pair in ("++", "--"):
            problem = max(problem, 4)
    return has4, has5, problem


def _cutoff(node: Node, depth: int) -> int:
    has4, has5, problem = _walk(node)
    if problem > 0:
        return problem + 1
    if has4 and has5:
        return 5 if depth == 1 else 4
    return 6 if depth == 1 else 4


def depth_of(node: Node) -> int:
    """The depth at which gofmt prints node, following the printer from its statement."""
    chain = [node]
    while chain[-1].parent is not None and not _is_root(chain[-1]):
        chain.append(chain[-1].parent)
    depth = 1
    top = chain[-1]
    if top.type == "expression_list" and top.parent is not None:
        holder = top.parent
        left, right = holder.child_by_field_name("left"), holder.child_by_field_name("right")
        if (
            left is not None
            and right is not None
            and left.named_child_count > 1
            and right.named_child_count > 1
        ):
            depth = 2
    elif top.parent is not None and top.parent.type in ("inc_statement", "dec_statement"):
        depth = 2
    for parent, child in zip(reversed(chain), list(reversed(chain))[1:], strict=False):
        depth = _child_depth(parent, child, depth)
    return depth


def _is_root(node: Node) -> bool:
    p = node.parent
    if p is None:
        return True
    if node.type == "expression_list":
        return True
    return p.type.endswith("_statement") or p.type in (
        "var_spec",
        "const_spec",
        "literal_value",
        "keyed_element",
        "literal_element",
        "range_clause",
        "for_clause",
        "expression_case",
    )


def _child_depth(parent: Node, child: Node, depth: int) -> int:
    t = parent.type
    if t == "binary_expression":
        if child == parent.child_by_field_name("left"):
            return depth + _diff_prec(child, PREC.get(_op(parent), 0))
        return depth + 1
    if t == "argument_list":
        return depth + 1 if parent.named_child_count > 1 else depth
    if t in ("index_expression", "slice_expression"):
        return 1 if child == parent.child_by_field_name("operand") else depth + 1
    if t == "parenthesized_expression":
        return depth if child.type == "parenthesized_expression" else max(1, depth - 1)
    return depth
