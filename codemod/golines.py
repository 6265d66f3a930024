"""Inserting whole Go statements as gofmt would lay them out.

Each helper returns an Edit (or None when the placement cannot be made
gofmt-clean with certainty, in which case the caller offers no fix).
Indentation is copied from the anchoring statement's line, which gofmt wrote
with tabs; the file's own line ending is used. Wherever a helper takes
`lines`, a single string is one statement and a sequence is several, in order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext
from codemod.model import Edit


def statement_of(node: Node) -> Node | None:
    """The statement containing node that sits directly in a statement list (labels included)."""
    cur: Node | None = node
    while cur is not None:
        parent = cur.parent
        if parent is None or cur.type in syntax.FUNCTION_TYPES and cur is not node:
            return None
        if parent.type == "statement_list":
            return cur
        if parent.type in syntax.FUNCTION_TYPES:
            return None
        cur = parent
    return None


def block_statements(block: Node) -> list[Node]:
    """The statements of a block (a function body, the body of an if or a loop), in order,
    comments left out."""
    lst = next((c for c in block.named_children if c.type == "statement_list"), None)
    return [s for s in (lst.named_children if lst is not None else ()) if s.type != "comment"]


def statements_before(node: Node) -> Iterator[Node]:
    """The statements that run before node on every path to it in its function: those before
    it in each statement list that holds it, innermost list first."""
    cur: Node | None = node
    while cur is not None and cur.type not in syntax.FUNCTION_TYPES:
        parent = cur.parent
        if parent is not None and parent.type == "statement_list":
            for stmt in parent.named_children:
                if stmt.start_byte >= cur.start_byte:
                    break
                yield stmt
        cur = parent


def alone_on_lines(f: FileContext, stmt: Node) -> bool:
    """True if stmt starts its line (after indentation) and nothing but a comment follows it."""
    if not _starts_line(f, stmt):
        return False
    rest = f.content[stmt.end_byte : f.line_end(stmt.end_byte)].strip(b" \t")
    return rest == b"" or rest.startswith(b"//")


def statement_indent(f: FileContext, stmt: Node) -> bytes:
    """The indentation of statements in stmt's list. gofmt puts a label one tab to the
    left of the statements around it, so a labelled statement's own line does not tell."""
    label_indent = f.indent(stmt.start_byte)
    if stmt.type != "labeled_statement":
        return label_indent
    inner = stmt.named_children[-1] if stmt.named_children else stmt
    if inner.type != "label_name" and f.line_index(inner.start_byte) != f.line_index(stmt.start_byte):
        return f.indent(inner.start_byte)
    return label_indent + b"\t"


def reindent(text: str, indent: str) -> str:
    """Go source text copied from one place (a type spelled over several lines) made ready for a
    line indented with indent: gofmt indents a construct's inner lines one level past the line
    it starts on and puts its closing line at that line's level, so the text's own base is its
    last line's indentation, and each line after the first moves from that base to indent."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    base = lines[-1][: len(lines[-1]) - len(lines[-1].lstrip(" \t"))]
    moved = [indent + x[len(base) :] if x.startswith(base) and x.strip() else x for x in lines[1:]]
    return "\n".join([lines[0], *moved])


def _block(indent: bytes, lines: str | Sequence[str]) -> list[bytes]:
    return [indent + line.encode() for line in ([lines] if isinstance(lines, str) else lines)]


def insert_after(f: FileContext, stmt: Node, lines: str | Sequence[str]) -> Edit | None:
    """Insert lines as new statements after stmt, at stmt's indentation. A line inserted into
    a run of aligned trailing comments splits it; the runner realigns both halves
    (codemod.alignment)."""
    if not alone_on_lines(f, stmt):
        return None
    end = f.line_end(stmt.end_byte)
    return f.edit(end, end, b"".join(f.newline + x for x in _block(statement_indent(f, stmt), lines)))


def insert_before(f: FileContext, stmt: Node, lines: str | Sequence[str]) -> Edit | None:
    """Insert lines as new statements before stmt (and before comment lines directly above it)."""
    if not alone_on_lines(f, stmt):
        return None
    start = _comment_block_start(f, stmt)
    return f.edit(start, start, b"".join(x + f.newline for x in _block(statement_indent(f, stmt), lines)))


def insert_first(f: FileContext, block: Node, lines: str | Sequence[str]) -> Edit | None:
    """Insert lines as the first statements of block (a function body or other block)."""
    opening = block.children[0]
    if f.line_index(opening.start_byte) == f.line_index(block.end_byte):
        return None
    end = f.line_end(opening.end_byte)
    rest = f.content[opening.end_byte : end].strip(b" \t")
    if rest and not rest.startswith(b"//"):
        return None
    return f.edit(end, end, b"".join(f.newline + x for x in _block(_body_indent(f, block), lines)))


def _body_indent(f: FileContext, block: Node) -> bytes:
    """The indentation of statements in block: that of its first statement when one starts a
    line; else one tab more than its closing brace's line (gofmt puts the brace at the level
    of the statement or declaration that owns the block, which a line of a multi-line
    signature or condition holding the opening brace is not)."""
    statements = block_statements(block)
    if statements and _starts_line(f, statements[0]):
        return statement_indent(f, statements[0])
    closing = block.children[-1]
    if closing.type == "}" and _starts_line(f, closing):
        return f.indent(closing.start_byte) + b"\t"
    return f.indent(block.children[0].start_byte) + b"\t"


def _starts_line(f: FileContext, node: Node) -> bool:
    return not f.content[f.line_start(node.start_byte) : node.start_byte].strip(b" \t")


def _comment_block_start(f: FileContext, stmt: Node) -> int:
    start = f.line_start(stmt.start_byte)
    node = stmt.prev_sibling
    while (
        node is not None
        and node.type == "comment"
        and f.line_index(node.end_byte) == f.line_index(start) - 1
        and f.content[f.line_start(node.start_byte) : node.start_byte].strip(b" \t") == b""
    ):
        start = f.line_start(node.start_byte)
        node = node.prev_sibling
    return start


def expand_block(
    f: FileContext,
    block: Node,
    extra: dict[int, str | Sequence[str]],
    first: str | Sequence[str] = (),
) -> Edit | None:
    """Rewrite a one-line block `{ a; b }` as gofmt lays out a multi-line one, adding
    statements: extra maps a statement index to lines to insert after it; first
    holds lines to insert before all statements.

    Returns None when the block holds comments or multi-line statements.
    """
    if f.line_index(block.start_byte) != f.line_index(block.end_byte):
        return None
    stmts_list = next((c for c in block.named_children if c.type == "statement_list"), None)
    stmts = stmts_list.named_children if stmts_list is not None else []
    if any(s.type == "comment" for s in stmts) or any(c.type == "comment" for c in block.named_children):
        return None
    indent = f.indent(block.start_byte)
    inner = indent + b"\t"
    out = _block(inner, first)
    for i, s in enumerate(stmts):
        out.append(inner + (s.text or b""))
        out.extend(_block(inner, extra.get(i, ())))
    nl = f.newline
    return f.edit(block.start_byte, block.end_byte, b"{" + nl + nl.join(out) + nl + indent + b"}")
