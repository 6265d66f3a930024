"""Syntax questions about the map chains deepcopy follows: roots, writes, later uses of a local."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from codemod import syntax
from gofacts.scope import find_declaration


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def continues_chain(node: Node) -> bool:
    """True when node is the operand of a larger selector or index expression (or of a call)."""
    parent = node.parent
    if parent is None:
        return False
    if (
        parent.type in ("selector_expression", "index_expression")
        and parent.child_by_field_name("operand") == node
    ):
        return True
    return parent.type == "call_expression" and parent.child_by_field_name("function") == node


def chain_root(node: Node) -> Node | None:
    """The identifier a selector/index chain starts from (`c` in `(*c).m[k].data`), else None."""
    node = syntax.unparen(node)
    while True:
        if node.type == "identifier":
            return node
        deref = node.type == "unary_expression" and syntax.text(node.children[0]) == "*"
        if node.type not in ("selector_expression", "index_expression") and not deref:
            return None
        operand = node.child_by_field_name("operand")
        if operand is None:
            return None
        node = syntax.unparen(operand)


def is_write_target(node: Node) -> bool:
    """True when node is assigned to (left of =, :=, op=, ++/--), not read."""
    parent = node.parent
    while parent is not None and parent.type == "parenthesized_expression":
        parent = parent.parent
    if parent is None:
        return False
    if parent.type in ("inc_statement", "dec_statement"):
        return True
    if parent.type == "expression_list":
        owner = parent.parent
        return (
            owner is not None
            and owner.type in ("assignment_statement", "short_var_declaration", "range_clause")
            and owner.child_by_field_name("left") == parent
        )
    return False


def is_assigned(use: Node) -> bool:
    return is_write_target(use)


def assigned_a_copy(use: Node) -> bool:
    """True when the assignment to use stores a copy made by a clone function (`m = maps.Clone(m)`)."""
    lst = use.parent
    owner = lst.parent if lst is not None else None
    right = owner.child_by_field_name("right") if owner is not None else None
    if right is None or lst is None or len(right.named_children) != len(lst.named_children):
        return False
    value = syntax.unparen(right.named_children[[c.id for c in lst.named_children].index(use.id)])
    fn = value.child_by_field_name("function") if value.type == "call_expression" else None
    return fn is not None and re.search(r"(?i)clone|copy", syntax.text(fn)) is not None


def writes_through(use: Node) -> bool:
    """True when use (an identifier holding a map) is written through: m[k] = v, m[k]++, delete/clear(m)."""
    parent = use.parent
    if parent is None:
        return False
    if parent.type == "index_expression" and parent.child_by_field_name("operand") == use:
        return is_write_target(parent)
    if parent.type == "argument_list" and parent.parent is not None:
        fn = parent.parent.child_by_field_name("function")
        name = syntax.text(fn) if fn is not None else ""
        if name in ("delete", "clear") and parent.named_children and parent.named_children[0] == use:
            return True
        if (
            name not in ("len", "delete", "clear", "append", "print", "println")
            and parent.parent.parent is not None
        ):
            return parent.parent.parent.type != "go_statement"  # any other call might write
    return False


def declares_new(stmt: Node, name: str) -> bool:
    """True when the short variable declaration stmt declares name (rather than reassigning it)."""
    return find_declaration(name, stmt) is None or _declaration_node(name, stmt) is None


def _declaration_node(name: str, at: Node) -> Node | None:
    found = find_declaration(name, at)
    return found[1] if found is not None and found[0] != "param" else None


def uses(body: Node, name: str, after: int) -> Iterator[Node]:
    """The identifiers name in body that start at or after offset after, in source order."""
    needle = name.encode()
    for n in in_order(syntax.captures("(identifier) @id", body).get("id", [])):
        if n.start_byte >= after and n.text == needle:
            yield n


def in_order(nodes: list[Node]) -> list[Node]:
    """Nodes in the order of a walk of their tree (by start, outer nodes first)."""
    return sorted(nodes, key=lambda n: (n.start_byte, -n.end_byte))


def enclosing_literal(node: Node, func: Node) -> Node | None:
    """The outermost function literal between node and func, if any."""
    found = None
    for a in syntax.ancestors(node):
        if a == func:
            return found
        if a.type == "func_literal":
            found = a
    return found


def is_go_literal(lit: Node) -> bool:
    call = lit.parent
    return (
        call is not None
        and call.type == "call_expression"
        and call.child_by_field_name("function") == lit
        and call.parent is not None
        and call.parent.type == "go_statement"
    )


def is_result(func: Node, name: str) -> bool:
    result = func.child_by_field_name("result")
    if result is None or result.type != "parameter_list":
        return False
    return any(
        syntax.text(n) == name for p in result.named_children for n in p.children_by_field_name("name")
    )


def beside_a_copy(node: Node) -> bool:
    """Whether node is the whole right side of `x = node` in one branch of an if statement
    whose other branch assigns x the result of a call (`if doCopy { st.P = o.copyP() } else
    { st.P = o.p }`): the author chose between a copy and a borrow, and the borrow is the
    documented path of its callers."""
    stmt = node.parent.parent if node.parent is not None else None
    if stmt is None or stmt.type != "assignment_statement" or node.parent.named_child_count != 1:  # type: ignore[union-attr]
        return False
    left = stmt.child_by_field_name("left")
    branch = stmt.parent.parent if stmt.parent is not None else None  # statement_list, block
    cond = branch.parent if branch is not None else None
    if left is None or left.named_child_count != 1 or cond is None or cond.type != "if_statement":
        return False
    consequence, alternative = (
        cond.child_by_field_name("consequence"),
        cond.child_by_field_name("alternative"),
    )
    other = alternative if branch == consequence else consequence
    if other is None or other.type != "block":
        return False
    target = squash(syntax.text(left))
    for assign in syntax.walk(other):
        if assign.type != "assignment_statement":
            continue
        lhs, rhs = assign.child_by_field_name("left"), assign.child_by_field_name("right")
        if lhs is None or rhs is None or squash(syntax.text(lhs)) != target or rhs.named_child_count != 1:
            continue
        if syntax.unparen(rhs.named_children[0]).type == "call_expression":
            return True
    return False


def declaration_holding(node: Node) -> Node | None:
    """The function or method declaration holding node (node itself when it is one, the one
    a function literal is written in); None at package level."""
    found: Node | None = node
    while found is not None and found.type not in ("function_declaration", "method_declaration"):
        found = found.parent
    return found


WRITING_CALLS = ("delete", "clear", "maps.Copy", "maps.DeleteFunc", "maps.Insert")
"""The calls that write the map given as their first argument (package maps, or
golang.org/x/exp/maps, imported as maps)."""
