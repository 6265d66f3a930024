"""go/printer's view of the lines of a Go file: tabwriter cells, and the breaks between them.

gofmt prints through text/tabwriter (see tabwriter.py). Which lines align
together depends on two things the printer decides (src/go/printer):

- the cells of each line: indentation is one hard tab per level; a trailing
  comment follows a tab; the fields of a struct (names, type, tag), the
  specs of a var or const group (names, type, `= value`, extra columns before
  a comment), the specs of a type group, a key-value pair that starts a line
  (`key:`) and a one-line function declaration (the body) are soft-tab cells;
- the break between two lines: a formfeed ends the tabwriter section, a
  newline keeps it. Statements, fields and specs break with a formfeed after
  an element that spans lines and before the first one; case clauses, labels,
  closing brackets, parameters and the lines of a binary expression always
  break with one; composite literal elements and call arguments follow the
  exprList size heuristics (exprlist.py); top-level declarations break with
  a formfeed before a function that spans lines; the line after a multi-line
  raw string starts a section.

A line with no terminated cell beyond its indentation (no trailing comment,
no column) cannot share a column with a neighbour: it ends a section. Layout
builds the Row of any line on demand and the section around it, and says
UNKNOWN (None) when the syntax is one it does not model.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from tree_sitter import Node

from codemod import syntax
from codemod.alignment import exprlist
from codemod.alignment.cells import (
    field_cells,
    func_cells,
    join_blanks,
    keep_type_column,
    pair_cells,
    spec_cells,
    tspec_cells,
)
from codemod.alignment.exprlist import BLANK, FF, NL, UNKNOWN
from codemod.alignment.spans import HTAB, JOINED, Span

_SWITCHES = frozenset({"expression_switch_statement", "type_switch_statement", "select_statement"})
_CASES = syntax.CASE_TYPES
_SIZED = frozenset({"literal_value", "argument_list", "type_arguments"})
_ALWAYS_FF = frozenset({"parameter_list", "type_parameter_list"})
_FUNCS = frozenset({"function_declaration", "method_declaration"})
_CLOSERS = frozenset(
    {
        "block",
        "field_declaration_list",
        "interface_type",
        "literal_value",
        "argument_list",
        "parameter_list",
        "type_parameter_list",
        "type_arguments",
        "var_spec_list",
        "import_spec_list",
        "const_declaration",
        "type_declaration",
        *_SWITCHES,
    }
)


@dataclass
class Row:
    """One tabwriter line: physical lines first..last (a multi-line raw string continues a
    row), the kind of syntax that starts it, its cells (one empty hard-tab cell per level of
    indentation first, the unterminated text last; None when unknown), the break before it
    (NL, FF, BLANK or UNKNOWN) and the gaps inside its cells that go/printer writes as one
    blank where another layout of the same element has a column."""

    first: int
    last: int
    depth: int
    kind: str
    cells: list[Span] | None
    brk: str
    blanks: list[tuple[int, int]] = field(default_factory=list)

    @property
    def plain(self) -> bool:
        """True if no cell beyond the indentation is terminated: the row ends every column."""
        return self.cells is not None and len(self.cells) - 1 <= self.depth


class Layout:
    """The rows of one file's bytes and syntax tree, built on demand."""

    def __init__(self, content: bytes, root: Node, starts: list[int] | None = None) -> None:
        """starts: the offsets the lines of content start at, when already known."""
        self.content = content
        self.root = root
        if starts is None:
            starts = [0]
            at = content.find(b"\n")
            while at >= 0:
                starts.append(at + 1)
                at = content.find(b"\n", at + 1)
        self.starts = starts
        self._rows: dict[int, Row | None] = {}
        self._lists: dict[int, _List] = {}

    # -- lines ------------------------------------------------------------------------------

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1

    def bounds(self, line: int) -> tuple[int, int]:
        """[start, end) of a line without its terminator."""
        start = self.starts[line]
        end = self.starts[line + 1] - 1 if line + 1 < len(self.starts) else len(self.content)
        if end > start and self.content[end - 1 : end] == b"\r":
            end -= 1
        return start, end

    @property
    def lines(self) -> int:
        return len(self.starts)

    def blank(self, line: int) -> bool:
        start, end = self.bounds(line)
        return not self.content[start:end].strip(b" \t")

    # -- rows -------------------------------------------------------------------------------

    def row(self, line: int) -> Row | None:
        """The row holding line, or None for a blank line."""
        if line not in self._rows:
            self._rows[line] = self._build(line)
        return self._rows[line]

    def section(self, line: int) -> list[Row] | None:
        """The rows of the tabwriter section that aligns with line's row ([] when the row
        has no column to align), or None when a row or break around it is unknown."""
        row = self.row(line)
        if row is None or row.plain:
            return []
        if row.cells is None:
            return None
        rows = [row]
        cur = row
        while cur.brk not in (FF, BLANK) and cur.first > 0:
            prev = self.row(cur.first - 1)
            if prev is None or prev.plain:
                break
            if cur.brk == UNKNOWN or prev.cells is None:
                return None
            rows.insert(0, prev)
            cur = prev
        cur = row
        while cur.last + 1 < self.lines:
            nxt = self.row(cur.last + 1)
            if nxt is None or nxt.plain or nxt.brk in (FF, BLANK):
                break
            if nxt.brk == UNKNOWN or nxt.cells is None:
                return None
            rows.append(nxt)
            cur = nxt
        return rows

    def _build(self, line: int) -> Row | None:
        start, end = self.bounds(line)
        text = self.content[start:end]
        if not text.strip(b" \t"):
            return None
        depth = len(text) - len(text.lstrip(b"\t"))
        first = start + depth
        node = self.root.descendant_for_byte_range(first, first + 1)
        outer = _enclosing(node, ("raw_string_literal", "comment"))
        if outer is not None and outer.start_byte < start:
            if outer.type == "raw_string_literal":
                return self.row(self.line_of(outer.start_byte))
            return self._comment_line(line, start, end, outer.end_byte, 0)
        if text[depth : depth + 1] == b" " or node is None:
            return Row(line, line, depth, "?", None, UNKNOWN)
        if node.type == "comment":
            return self._comment_line(line, start, end, node.end_byte, depth)
        brk = BLANK if line > 0 and self.blank(line - 1) else None
        if brk is None and line > 0 and self._in_raw(line - 1):
            brk = FF  # after a multi-line raw string (go/printer's endAlignment)
        kind, element, container = self._leader(node, first, line)
        comment, code_end = self._trailing(first, end)
        if comment is False:
            return Row(line, line, depth, kind, None, brk or UNKNOWN)
        cells = self._cells(kind, element, container, first, code_end, comment is not None)
        last = line
        raw = self._raw_start(first, code_end)
        if cells is not None and raw is not None:
            cells, last = self._cut_at_raw(cells, raw)
        elif cells is not None and comment is not None:
            cells.append(Span(comment.start_byte, min(comment.end_byte, end), None))
        indent = [Span(start, start, HTAB) for _ in range(depth)]
        if brk is None:
            brk = self._break(kind, element, container)
        if cells is None:
            return Row(line, last, depth, kind, None, brk)
        cells, blanks = join_blanks(cells)
        return Row(line, last, depth, kind, indent + cells, brk, blanks)

    def _in_raw(self, line: int) -> bool:
        """True if line starts inside a raw string literal begun on an earlier line."""
        start = self.starts[line]
        lit = _enclosing(self.root.descendant_for_byte_range(start, start + 1), ("raw_string_literal",))
        return lit is not None and lit.start_byte < start

    def _comment_line(self, line: int, start: int, end: int, comment_end: int, depth: int) -> Row:
        """A line that holds only comments (plain), or code after a comment (unknown)."""
        rest = self.content[comment_end:end] if comment_end < end else b""
        while rest.strip(b" \t"):
            at = comment_end + len(rest) - len(rest.lstrip(b" \t"))
            nxt = self.root.descendant_for_byte_range(at, at + 1)
            if nxt is None or nxt.type != "comment" or nxt.start_byte != at:
                return Row(line, line, depth, "comment", None, UNKNOWN)
            comment_end = nxt.end_byte
            rest = self.content[comment_end:end] if comment_end < end else b""
        cells = [Span(start, start, HTAB) for _ in range(depth)] + [Span(start + depth, end, None)]
        return Row(line, line, depth, "comment", cells, FF)

    def _trailing(self, first: int, end: int) -> tuple[Node | None | bool, int]:
        """(the trailing comment of the line, where its code ends); False when the line ends
        in a layout of comments the model does not know."""
        last = end
        while last > first and self.content[last - 1] in b" \t":
            last -= 1
        node = self.root.descendant_for_byte_range(last - 1, last)
        if node is None or node.type != "comment":
            return None, last
        if node.start_byte <= first or self.content[last : node.end_byte].strip(b"\r"):
            return False, last  # a comment that goes on to the next line
        code_end = node.start_byte
        while code_end > first and self.content[code_end - 1] in b" \t":
            code_end -= 1
        before = self.root.descendant_for_byte_range(code_end - 1, code_end)
        if before is not None and before.type == "comment":
            return False, last  # two comments: `x /* a */ // b`
        return node, code_end

    def _raw_start(self, first: int, code_end: int) -> Node | None:
        """The first raw string literal on the line that goes on to a later line."""
        at = self.content.find(b"`", first, code_end)
        while at >= 0:
            node = self.root.descendant_for_byte_range(at, at + 1)
            lit = _enclosing(node, ("raw_string_literal",))
            if lit is not None and lit.start_byte == at:
                if lit.start_point[0] != lit.end_point[0]:
                    return lit
                at = lit.end_byte
            else:
                at += 1
            at = self.content.find(b"`", at, code_end)
        return None

    def _cut_at_raw(self, cells: list[Span], raw: Node) -> tuple[list[Span], int]:
        """Cells of a row whose raw string goes on: go/printer turns the tabs after such a
        literal into blanks up to the end of its last line, so the cell that holds it is the
        row's last and the row takes in the lines of the literal."""
        last_line = raw.end_point[0]
        end = self.bounds(last_line)[1]
        nxt = self._raw_start(raw.end_byte, end)
        while nxt is not None:
            last_line = nxt.end_point[0]
            end = self.bounds(last_line)[1]
            nxt = self._raw_start(nxt.end_byte, end)
        out = [c for c in cells if c.start <= raw.start_byte and not (c.start == c.end == raw.start_byte)]
        while out and out[-1].start == out[-1].end:
            out.pop()
        if not out:
            return [Span(raw.start_byte, end, None)], last_line
        out[-1] = Span(out[-1].start, end, None)
        return out, last_line

    # -- which syntax starts a line -----------------------------------------------------------

    def _leader(self, node: Node, first: int, line: int) -> tuple[str, Node | None, Node | None]:
        """(kind, element, list) of the syntax that starts the line at byte first."""
        a: Node | None = node
        while a is not None and a.start_byte == first and a.parent is not None:
            c = a.parent
            kind = _member(a, c, line)
            if kind:
                return kind, a, c
            a = c
        if node.type in ("}", ")", "]") and node.parent is not None and node.parent.type in _CLOSERS:
            return "close", node, node.parent
        return "cont", None, None

    def _break(self, kind: str, element: Node | None, container: Node | None) -> str:
        """The break go/printer writes before an element that starts line (the line before
        is not blank)."""
        if kind in ("case", "close", "fflist", "labeled", "binary", "label"):
            return FF
        if kind == "selector":
            return NL
        if element is None or container is None:
            return UNKNOWN
        if kind == "decl":
            return FF if element.type in _FUNCS and _spans_lines(element) else NL
        if kind == "expr":
            return self._step(container, element).brk or UNKNOWN
        prev = _previous(element)
        if prev is None:
            return FF
        return FF if _first_line(prev) != prev.end_point[0] else NL

    def _list(self, container: Node) -> _List:
        info = self._lists.get(container.id)
        if info is None:
            info = self._lists[container.id] = _List(container)
        return info

    def _step(self, container: Node, element: Node) -> exprlist.Step:
        """exprList's Step for element of container."""
        info = self._list(container)
        if not info.planned:
            opening = container.parent if container.type == "expression_list" else container
            assert opening is not None
            info.steps = exprlist.plan(opening.start_point[0], info.elements, self.line_of, self._size)
            info.planned = True
        return info.steps[info.index[element.id]]

    def _size(self, x: Node) -> int:
        """go/printer's nodeSize of an exprList element (the key's, for a pair): 0 when it
        does not fit on one line. nodeSize prints no comments: a comment inside counts
        without itself and the blanks that set it apart."""
        if _spans_lines(x):
            return 0
        if x.type == "keyed_element" and x.named_children:
            x = x.named_children[0]
        size = x.end_byte - x.start_byte - (3 if x.type == "variadic_argument" else 0)
        text = self.content[x.start_byte : x.end_byte]
        if b"//" in text or b"/*" in text:
            for c in _comments(x):
                before = self.content[x.start_byte : c.start_byte]
                blanks = len(before) - len(before.rstrip(b" "))
                if not blanks:
                    after = self.content[c.end_byte : x.end_byte]
                    blanks = len(after) - len(after.lstrip(b" "))
                size -= c.end_byte - c.start_byte + blanks
        return size

    # -- the cells of a line ----------------------------------------------------------------------

    def _cells(
        self, kind: str, el: Node | None, lst: Node | None, first: int, code_end: int, commented: bool
    ) -> list[Span] | None:
        """The cells after the indentation, up to and without the trailing comment. Where
        go/printer separates the parts of an element with a blank instead of a vtab (a struct
        of one field, a group of one spec, a pair it does not align), the parts are cells
        joined by a blank ("b")."""
        cells: list[Span] | None = None
        columns = True
        if el is not None and lst is not None:
            if el.type == "comment":
                return None
            if kind == "field":
                cells = field_cells(el, commented)
                columns = self._list(lst).count > 1
            elif kind == "spec":
                info = self._list(lst)
                cells = spec_cells(el, info.keep[info.index[el.id]], commented)
                columns = info.count > 1
            elif kind == "tspec":
                cells = tspec_cells(el, commented)
                columns = self._list(lst).count > 1
            elif kind == "expr" and el.type == "keyed_element":
                cells = pair_cells(el, commented)
                columns = self._step(lst, el).vtab
            elif kind == "decl" and el.type in _FUNCS and not _spans_lines(el):
                cells = func_cells(el, commented)
        if cells is None:
            return [Span(first, code_end, HTAB if commented else None)]
        if not columns:
            cells = [c for c in cells if c.start != c.end]
            for c in cells[:-1]:
                c.term = JOINED
            cells[-1].term = HTAB if commented else None
        return self._clip(cells, first, code_end, commented)

    def _clip(self, cells: list[Span], first: int, code_end: int, commented: bool) -> list[Span] | None:
        """cells cut at the end of the line's code: the last cell with text takes the rest of
        the code (a comma, an opening brace), and is the row's last but for a comment when
        the element goes on to the next line; the gaps between cells must be blanks."""
        out = [c for c in cells if c.start < code_end or c.start == c.end == code_end]
        texts = [i for i, c in enumerate(out) if c.start != c.end]
        if not texts or out[0].start != first:
            return None
        last = texts[-1]
        if any(c.end > code_end for c in cells):  # the element goes on: nothing after its line
            out = out[: last + 1]
            out[-1] = Span(out[-1].start, code_end, HTAB if commented else None)
        else:
            out[last] = Span(out[last].start, code_end, out[last].term)
            for i in range(last + 1, len(out)):
                out[i] = Span(code_end, code_end, out[i].term)
        for a, b in zip(out, out[1:], strict=False):
            if b.start < a.end or self.content[a.end : b.start].strip(b" "):
                return None
        return out


# -- list membership ------------------------------------------------------------------------------


def _member(a: Node, c: Node, line: int) -> str:
    """The kind of element a is of list c when it starts a line, or ""."""
    t, ct = a.type, c.type
    if not a.is_named or t == "comment":
        return ""
    if ct == "statement_list":
        if c.parent is not None and c.parent.start_point[0] < line:
            return "label" if t == "labeled_statement" else "stmt"
        return ""
    if ct in _SWITCHES:
        return "case" if t in _CASES else ""
    if ct == "labeled_statement":
        return "labeled" if t != "label_name" else ""
    if ct == "source_file":
        return "decl"
    opened = c.start_point[0] < line
    if ct == "field_declaration_list" and t == "field_declaration" and opened:
        return "field"
    if ct == "interface_type" and t in ("method_elem", "type_elem") and opened:
        return "method"
    if opened and (ct, t) in (("var_spec_list", "var_spec"), ("const_declaration", "const_spec")):
        return "spec"
    if ct == "type_declaration" and t in ("type_spec", "type_alias") and opened:
        return "tspec"
    if ct == "import_spec_list" and t == "import_spec" and opened:
        return "import"
    if ct in _SIZED and opened:
        return "expr"
    if ct in _ALWAYS_FF and opened:
        return "fflist"
    if ct == "expression_list" and a.start_byte > c.start_byte:
        return "expr" if c.parent is not None and c.parent.type in _CASES else "fflist"
    if ct == "binary_expression" and c.child_by_field_name("right") == a:
        return "binary"
    if ct == "selector_expression" and c.child_by_field_name("field") == a:
        return "selector"
    return ""


class _List:
    """What the rows of one list's elements share: its elements (comments left out), their
    index, how many there are, go/printer's keepTypeColumn for a var or const group and,
    once planned, exprList's Steps."""

    def __init__(self, container: Node) -> None:
        self.elements = [c for c in container.named_children if c.type not in ("comment", "empty_statement")]
        self.index = {e.id: i for i, e in enumerate(self.elements)}
        self.count = len(self.elements)
        self.planned = False
        self.steps: list[exprlist.Step] = []
        specs = container.type in ("var_spec_list", "const_declaration")
        self.keep = keep_type_column(self.elements) if specs else []


def _previous(el: Node) -> Node | None:
    """The element before el in its list (comments and empty statements skipped)."""
    prev = el.prev_named_sibling
    while prev is not None and prev.type in ("comment", "empty_statement"):
        prev = prev.prev_named_sibling
    return prev


def _first_line(stmt: Node) -> int:
    """The line go/printer counts a statement from: a label's statement, past the labels."""
    line = stmt.start_point[0]
    while stmt.type == "labeled_statement":
        line += 1
        inner = [c for c in stmt.named_children if c.type not in ("label_name", "comment")]
        if not inner:
            break
        stmt = inner[-1]
    return line


def _spans_lines(node: Node) -> bool:
    return node.start_point[0] != node.end_point[0]


def _enclosing(node: Node | None, types: tuple[str, ...]) -> Node | None:
    while node is not None and node.type not in types:
        node = node.parent
    return node


def _comments(node: Node) -> list[Node]:
    out = []
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "comment":
            out.append(n)
        stack.extend(n.children)
    return out
