"""What a safemap rewrite is made of: the SafeMap's spelling, blocked uses, and small syntax helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext

QUALIFIER = re.compile(r"\b([A-Za-z_]\w*)\.[A-Za-z_]")


ONE_LINE_FUNC = 100


"""gofmt keeps a function literal's body on one line when header plus body fit in this size."""


HOIST_PATH = frozenset(
    {
        "binary_expression",
        "unary_expression",
        "call_expression",
        "argument_list",
        "selector_expression",
        "index_expression",
        "slice_expression",
        "parenthesized_expression",
        "type_assertion_expression",
        "type_conversion_expression",
        "composite_literal",
        "literal_value",
        "keyed_element",
        "literal_element",
        "expression_list",
        "var_spec",
        "var_spec_list",
    }
)


SIMPLE = frozenset(
    {
        "expression_statement",
        "return_statement",
        "assignment_statement",
        "short_var_declaration",
        "inc_statement",
        "dec_statement",
        "send_statement",
        "go_statement",
        "defer_statement",
        "var_declaration",
    }
)


BREAK_TARGETS = frozenset(
    {"for_statement", "expression_switch_statement", "type_switch_statement", "select_statement"}
)


class Blocked(Exception):
    """A use that cannot be rewritten with certainty; str() names it by file and text."""

    def __init__(self, f: FileContext, node: Node, reason: str) -> None:
        super().__init__(f"{f.path.name}: `{snippet(node)}` {reason}")


def snippet(node: Node, limit: int = 60) -> str:
    text = " ".join(syntax.text(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True)
class Shape:
    """How the converted map is spelled.

    Attributes:
        type_text: the SafeMap type, e.g. "SafeMap[string, int]" or "SafeMapStringInt".
        pointer: the declaration becomes a pointer (a field of a struct copied by value).
        key, value: the map's key and value types as written.
        value_is_map: the value type is itself a map (nested writes go through Update).
        clone: the package helper that copies an inner map, or "" when none is generated.
    """

    type_text: str
    pointer: bool
    key: str
    value: str
    value_is_map: bool
    clone: str

    @property
    def declared(self) -> str:
        return ("*" if self.pointer else "") + self.type_text

    @property
    def fresh(self) -> str:
        return ("&" if self.pointer else "") + self.type_text + "{}"


def operator_of(node: Node) -> str:
    return syntax.text(node.child_by_field_name("operator") or node)


def assigned_names(stmt: Node, right: Node) -> list[Node]:
    """Left-hand side of a 1-value `:=`, `=` or untyped `var` whose right side is right."""
    if stmt.type == "short_var_declaration" or (
        stmt.type == "assignment_statement"
        and syntax.text(stmt.child_by_field_name("operator") or stmt) == "="
    ):
        if stmt.child_by_field_name("right") != right:
            return []
        left = stmt.child_by_field_name("left")
        names = left.named_children if left is not None else []
        return names if 1 <= len(names) <= 2 else []
    if stmt.type == "var_spec" and stmt.child_by_field_name("type") is None:
        if stmt.child_by_field_name("value") != right:
            return []
        names = stmt.children_by_field_name("name")
        return names if 1 <= len(names) <= 2 else []
    return []


def why_blocked(use: Node) -> str:
    p = use.parent
    t = p.type if p is not None else ""
    if t == "unary_expression" and syntax.text(p.children[0]) == "&":  # type: ignore[union-attr]
        return "takes the map's address"
    if t == "expression_list" and p is not None and p.parent is not None:
        if p.parent.type == "return_statement":
            return "returns the map"
        return "copies the map to another variable"
    if t in ("literal_element", "keyed_element"):
        return "stores the map in a composite literal"
    if t == "selector_expression":
        return "uses a method value of the map"
    if t == "argument_list":
        return "passes the map to a function"
    if t == "send_statement":
        return "sends the map on a channel"
    return "uses the map as a value"


def replaced_text(node: Node, spans: dict[tuple[int, int], str]) -> str:
    """node's text with the given absolute byte spans replaced."""
    data = node.text or b""
    out = []
    pos = 0
    for (s, e), text in sorted(spans.items()):
        out.append(data[pos : s - node.start_byte].decode())
        out.append(text)
        pos = e - node.start_byte
    out.append(data[pos:].decode())
    return "".join(out)


def identifiers_in(node: Node) -> set[str]:
    return {syntax.text(n) for n in syntax.walk(node) if n.type in ("identifier", "type_identifier")}


def free_param(stmt: Node) -> str:
    taken = identifiers_in(stmt)
    return next(n for n in ("v", "old", "cur", *(f"v{i}" for i in range(2, 100))) if n not in taken)


def top_function(node: Node) -> Node | None:
    top = None
    for a in syntax.ancestors(node):
        if a.type in syntax.FUNCTION_TYPES:
            top = a
    return top
