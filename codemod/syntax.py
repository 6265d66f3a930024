"""Parsing Go with tree-sitter-go, and small helpers over its syntax trees.

Nothing here knows about hazards; transforms build on these helpers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import tree_sitter_go
from tree_sitter import Language, Node, Parser, Query, QueryCursor, Tree

GO = Language(tree_sitter_go.language())
F = TypeVar("F", bound=Callable[..., Any])
_NODE_CACHES: list[Callable[[], None]] = []


def node_cache(maxsize: int) -> Callable[[F], F]:
    """functools.lru_cache for functions of syntax nodes. A cached node keeps its whole tree
    alive, so the runner empties these caches after each package (clear_node_caches):
    memory stays bounded by the largest package, not the size of the run."""

    def wrap(fn: F) -> F:
        cached = functools.lru_cache(maxsize=maxsize)(fn)
        _NODE_CACHES.append(cached.cache_clear)
        return cached  # type: ignore[return-value]

    return wrap


def holds_nodes(clear: Callable[[], None]) -> None:
    """Register clear, which empties a cache of another shape that holds syntax trees (or
    files holding them), to be called with the node caches after each package."""
    _NODE_CACHES.append(clear)


def clear_node_caches() -> None:
    """Forget every node_cache entry (the trees of packages already processed)."""
    for clear in _NODE_CACHES:
        clear()


@functools.lru_cache(maxsize=1)
def _parser() -> Parser:
    return Parser(GO)


def parse(content: bytes) -> Tree:
    """Parse Go source bytes. Never raises: syntax errors become ERROR/MISSING nodes."""
    return _parser().parse(content)


@functools.lru_cache(maxsize=64)
def query(source: str) -> Query:
    """A compiled tree-sitter query, cached by its source text."""
    return Query(GO, source)


def captures(q: str, node: Node) -> dict[str, list[Node]]:
    return QueryCursor(query(q)).captures(node)


def walk(node: Node) -> Iterator[Node]:
    """All descendants of node (node included), in source order."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def named_walk(node: Node, prune: frozenset[str] = frozenset()) -> Iterator[Node]:
    """Named descendants in source order; children of nodes whose type is in prune are skipped."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if n.type not in prune:
            stack.extend(reversed(n.named_children))


def error_nodes(tree: Tree) -> list[Node]:
    """The outermost ERROR and MISSING nodes of a tree, in source order. A node that has an
    error no child of it shows (a MISSING token py-tree-sitter does not list among the
    children: `var(x int)` on one line) stands for it."""
    out: list[Node] = []
    if not tree.root_node.has_error:
        return out
    stack = [tree.root_node]
    while stack:
        n = stack.pop()
        if n.is_error or n.is_missing:
            out.append(n)
            continue
        if n.has_error:
            shown = [c for c in n.children if c.has_error or c.is_error or c.is_missing]
            if not shown:
                out.append(n)
            stack.extend(reversed(shown))
    return out


def first_error(tree: Tree) -> Node | None:
    """The innermost ERROR or MISSING node that starts first: where a reader should look."""
    outer = error_nodes(tree)
    if not outer:
        return None
    best = outer[0]
    for n in walk(outer[0]):
        if n is not outer[0] and (n.is_error or n.is_missing):
            best = n
            break
    return best


def text(node: Node) -> str:
    return node.text.decode("utf-8", "replace") if node.text is not None else ""


def ancestors(node: Node) -> Iterator[Node]:
    p = node.parent
    while p is not None:
        yield p
        p = p.parent


def enclosing(node: Node, *types: str) -> Node | None:
    for a in ancestors(node):
        if a.type in types:
            return a
    return None


# Nodes that open a Go block scope (the Go spec's implicit and explicit blocks).
SCOPE_TYPES = frozenset(
    {
        "block",
        "if_statement",
        "for_statement",
        "expression_switch_statement",
        "type_switch_statement",
        "select_statement",
        "expression_case",
        "type_case",
        "default_case",
        "communication_case",
        "func_literal",
    }
)

FUNCTION_TYPES = ("function_declaration", "method_declaration", "func_literal")

# The clauses of switch and select statements, each holding its own statement list.
CASE_TYPES = frozenset({"expression_case", "default_case", "type_case", "communication_case"})


def enclosing_function(node: Node) -> Node | None:
    return enclosing(node, *FUNCTION_TYPES)


def unparen(node: Node) -> Node:
    while node.type == "parenthesized_expression" and node.named_child_count == 1:
        node = node.named_children[0]
    return node


def string_value(node: Node) -> str | None:
    """The value of a Go string literal without escapes (import paths and the like)."""
    t = text(node)
    if node.type == "raw_string_literal":
        return t[1:-1]
    if node.type == "interpreted_string_literal" and "\\" not in t:
        return t[1:-1]
    return None
