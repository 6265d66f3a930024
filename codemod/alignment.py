"""Keeping gofmt's column alignment when a rewrite changes the width of aligned text.

gofmt aligns struct field types, tags, `= value` columns of grouped
declarations and trailing comments with text/tabwriter. When the rewrite
changes `map[string]map[string]*User` to `map[string]userSet` on a line whose
later cells (a tag, a trailing comment) are aligned with its neighbours, the
padding of the whole run of lines must change as gofmt would change it.

realign() models the lines around each edited line as tabwriter cells the
way go/printer emits them (indentation as hard tabs, vtab-separated field
and spec columns, a tab before a trailing comment), runs a port of
tabwriter's column algorithm, and first checks that the model reproduces the
original lines byte for byte. Only then does it re-run the model on the
edited cells and return edits of the padding between cells. When the model
cannot reproduce the source (multi-line elements, /* */ comments, layouts it
does not know), it returns nothing: the rewrite stays correct, only its
alignment may need `gofmt`.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext
from codemod.model import Edit

_LISTS = frozenset(
    {"field_declaration_list", "var_spec_list", "const_declaration", "statement_list", "literal_value"}
)
_HTAB, _VTAB = "\t", "\v"
_TABWIDTH = 8


@dataclass
class Cell:
    """One tabwriter cell: its text span in the file and the tab that ends it (None: trailing)."""

    start: int
    end: int
    term: str | None
    text: str = ""


Row = list[Cell]


def realign(f: FileContext, edits: list[Edit]) -> list[Edit]:
    """Padding edits that keep gofmt alignment around the lines that edits change."""
    lines = sorted({f.line_index(e.start) for e in edits if f.line_index(e.start) == f.line_index(e.end)})
    out: dict[tuple[int, int], Edit] = {}
    done: set[int] = set()
    for line in lines:
        if line in done:
            continue
        section = _section(f, line)
        if section is None:
            continue
        first, rows = section
        done.update(range(first, first + len(rows)))
        for e in _padding_edits(f, first, rows, edits):
            out[(e.start, e.end)] = e
    return [out[k] for k in sorted(out)]


def _section(f: FileContext, line: int) -> tuple[int, list[Row]] | None:
    """(first line, rows) of the run of modelled lines around line, or None."""
    lst = _enclosing_list(f, line)
    if lst is None:
        return None
    row = _row(f, lst, line)
    if row is None or not _has_cells_after_text(row):
        return None
    rows_before: list[Row] = []
    i = line - 1
    while i >= 0:
        r = _row(f, lst, i)
        if r is None:
            break
        rows_before.insert(0, r)
        i -= 1
    rows_after: list[Row] = []
    i = line + 1
    while i < len(f.line_starts):
        r = _row(f, lst, i)
        if r is None:
            break
        rows_after.append(r)
        i += 1
    return line - len(rows_before), [*rows_before, row, *rows_after]


def _has_cells_after_text(row: Row) -> bool:
    """True if some non-indentation cell is followed by another cell (alignment can matter)."""
    return any(c.term is not None and c.start != c.end for c in row)


def _enclosing_list(f: FileContext, line: int) -> Node | None:
    start = f.line_starts[line]
    end = f.line_end(start)
    while start < end and f.content[start] in b" \t":
        start += 1
    node = f.root.descendant_for_byte_range(start, max(start, end - 1))
    while node is not None and node.type not in _LISTS:
        node = node.parent
    if node is None:
        return None
    if node.type == "const_declaration" and not any(c.type == "(" for c in node.children):
        return None
    return node


def _row(f: FileContext, lst: Node, line: int) -> Row | None:
    """The cells of one line of lst, or None for a blank line or one the model does not know."""
    start = f.line_starts[line]
    end = f.line_end(start)
    text = f.content[start:end]
    if not text.strip():
        return None
    depth = len(text) - len(text.lstrip(b"\t"))
    if start + depth < lst.start_byte or end > lst.end_byte:
        return None
    if text[depth : depth + 1] in (b" ", b""):
        return None
    indent = [Cell(start + i, start + i, _HTAB) for i in range(depth)]
    items = [c for c in lst.named_children if c.start_byte < end and c.end_byte > start]
    if not items:
        return None
    comment = items[-1] if items[-1].type == "comment" else None
    elements = [c for c in items if c.type != "comment"]
    if comment is not None and (
        syntax.text(comment).startswith("/*") or f.line_index(comment.end_byte) != line
    ):
        return None
    if not elements:
        if comment is None or comment.start_byte != start + depth:
            return None
        return [*indent, Cell(comment.start_byte, comment.end_byte, None)]
    if len(elements) != 1 or len(items) > 2:
        return None
    el = elements[0]
    if el.start_byte != start + depth or f.line_index(el.end_byte) != line:
        return None
    cells = _element_cells(lst, el, comment is not None)
    if cells is None:
        return None
    if comment is not None:
        cells.append(Cell(comment.start_byte, comment.end_byte, None))
    return [*indent, *cells]


def _element_cells(lst: Node, el: Node, commented: bool) -> Row | None:
    if lst.type == "field_declaration_list":
        return _field_cells(lst, el, commented)
    if lst.type in ("var_spec_list", "const_declaration"):
        return _spec_cells(lst, el, commented)
    if lst.type == "literal_value":
        return _element_row(el, commented)
    return [Cell(el.start_byte, el.end_byte, _HTAB if commented else None)]


def _element_row(el: Node, commented: bool) -> Row | None:
    """`key:` vtab `value,` (go/printer's exprList for a key-value pair on its own line)."""
    comma = el.next_sibling
    if comma is None or comma.type != ",":
        return None
    last = Cell(0, comma.end_byte, _HTAB if commented else None)
    if el.type != "keyed_element":
        last.start = el.start_byte
        return [last]
    colon = next((c for c in el.children if c.type == ":"), None)
    value = el.child_by_field_name("value")
    if colon is None or value is None:
        return None
    last.start = value.start_byte
    return [Cell(el.start_byte, colon.end_byte, _VTAB), last]


def _field_cells(lst: Node, el: Node, commented: bool) -> Row | None:
    fields = [c for c in lst.named_children if c.type == "field_declaration"]
    if el.type != "field_declaration" or len(fields) < 2:
        return None
    names = el.children_by_field_name("name")
    typ, tag = el.child_by_field_name("type"), el.child_by_field_name("tag")
    if typ is None:
        return None
    row: Row = []
    if names:
        row.append(Cell(names[0].start_byte, names[-1].end_byte, _VTAB))
        row.append(Cell(typ.start_byte, typ.end_byte, _VTAB if tag is not None or commented else None))
        if tag is not None:
            row.append(Cell(typ.end_byte, typ.end_byte, _VTAB))
    else:
        row.append(Cell(typ.start_byte, typ.end_byte, _VTAB if tag is not None or commented else None))
        if tag is None and commented:
            row.append(Cell(typ.end_byte, typ.end_byte, _VTAB))
    if tag is not None:
        row.append(Cell(tag.start_byte, tag.end_byte, _HTAB if commented else None))
    return row


def _spec_cells(lst: Node, el: Node, commented: bool) -> Row | None:
    specs = [c for c in lst.named_children if c.type in ("var_spec", "const_spec")]
    if el.type not in ("var_spec", "const_spec") or len(specs) < 2:
        return None
    keep = _keep_type_column(specs)[[s.id for s in specs].index(el.id)]
    names = el.children_by_field_name("name")
    typ, value = el.child_by_field_name("type"), el.child_by_field_name("value")
    if not names:
        return None
    row: Row = [Cell(names[0].start_byte, names[-1].end_byte, None)]
    extra = 3
    if typ is not None or keep:
        row[-1].term = _VTAB
        extra -= 1
        at = typ.start_byte if typ is not None else names[-1].end_byte
        row.append(Cell(at, typ.end_byte if typ is not None else at, None))
    if value is not None:
        row[-1].term = _VTAB
        assign = next((c for c in el.children if c.type == "="), None)
        if assign is None:
            return None
        row.append(Cell(assign.start_byte, value.end_byte, None))
        extra -= 1
    if commented:
        end = row[-1].end
        row[-1].term = _VTAB
        row.extend(Cell(end, end, _VTAB) for _ in range(extra - 1))
    return row


def _keep_type_column(specs: list[Node]) -> list[bool]:
    """go/printer's keepTypeColumn: runs of specs with values keep an empty type column if one has a type."""
    keep = [False] * len(specs)
    start, keep_type = -1, False
    for i, s in enumerate(specs):
        if s.child_by_field_name("value") is not None:
            if start < 0:
                start, keep_type = i, False
        elif start >= 0:
            if keep_type:
                keep[start:i] = [True] * (i - start)
            start = -1
        if s.child_by_field_name("type") is not None:
            keep_type = True
    if start >= 0 and keep_type:
        keep[start:] = [True] * (len(specs) - start)
    return keep


def _padding_edits(f: FileContext, first: int, rows: list[Row], edits: list[Edit]) -> list[Edit]:
    for row in rows:
        for c in row:
            c.text = f.content[c.start : c.end].decode("utf-8", "replace")
    original = _render(rows)
    for k in range(len(rows)):
        start = f.line_starts[first + k]
        if original[k] != f.content[start : f.line_end(start)].decode("utf-8", "replace"):
            return []
    for row in rows:
        for c in row:
            c.text = _apply(f, c, edits)
    pads = _paddings(rows)
    out: list[Edit] = []
    for row, row_pads in zip(rows, pads, strict=True):
        for i, c in enumerate(row[:-1]):
            if c.start == c.end and not c.text:
                continue
            nxt = _next_text_cell(row, i)
            if nxt is None:
                continue
            gap_start, gap_end = c.end, nxt.start
            new = row_pads[i]
            if f.content[gap_start:gap_end].decode() != new and _is_blank(f.content[gap_start:gap_end]):
                out.append(Edit(f.path, gap_start, gap_end, new.encode()))
    return out


def _next_text_cell(row: Row, i: int) -> Cell | None:
    for c in row[i + 1 :]:
        if c.start != c.end or c.text:
            return c
    return None


def _is_blank(b: bytes) -> bool:
    return b.strip(b" ") == b""


def _apply(f: FileContext, cell: Cell, edits: list[Edit]) -> str:
    data = f.content[cell.start : cell.end]
    for e in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        if e.path == f.path and cell.start <= e.start and e.end <= cell.end and (cell.start != cell.end):
            data = data[: e.start - cell.start] + e.text + data[e.end - cell.start :]
    return data.decode("utf-8", "replace")


# -- a port of text/tabwriter's column layout (minwidth 0, padding 1, DiscardEmptyColumns, TabIndent) -----


def _widths(rows: list[Row]) -> list[list[int]]:
    """The column width tabwriter gives every terminated cell of every row."""
    out: list[list[int]] = [[0] * len(r) for r in rows]
    _format(rows, [], 0, len(rows), out)
    return out


def _format(rows: list[Row], widths: list[int], line0: int, line1: int, out: list[list[int]]) -> None:
    """tabwriter.Writer.format: find column blocks left to right, recursively."""
    column = len(widths)
    this = line0
    while this < line1:
        if column >= len(rows[this]) - 1:
            this += 1
            continue
        _assign(rows, widths, line0, this, out)
        line0 = this
        width, discardable = 0, True
        while this < line1 and column < len(rows[this]) - 1:
            c = rows[this][column]
            width = max(width, len(c.text) + 1)
            if c.text or c.term == _HTAB:
                discardable = False
            this += 1
        _format(rows, [*widths, 0 if discardable else width], line0, this, out)
        line0 = this
        this += 1
    _assign(rows, widths, line0, line1, out)


def _assign(rows: list[Row], widths: list[int], line0: int, line1: int, out: list[list[int]]) -> None:
    for i in range(line0, line1):
        for j in range(min(len(widths), len(rows[i]) - 1)):
            out[i][j] = widths[j]


def _pads(row: Row, widths: list[int]) -> list[str]:
    """tabwriter.Writer.writeLines for one row: the padding written after each cell."""
    pads: list[str] = []
    use_tabs = True
    for j, c in enumerate(row):
        if j == len(row) - 1:
            pads.append("")
            break
        if c.text:
            use_tabs = False
            pads.append(" " * max(0, widths[j] - len(c.text)))
        elif use_tabs:
            cellw = (widths[j] + _TABWIDTH - 1) // _TABWIDTH * _TABWIDTH
            pads.append("\t" * ((cellw + _TABWIDTH - 1) // _TABWIDTH))
        else:
            pads.append(" " * widths[j])
    return pads


def _render(rows: list[Row]) -> list[str]:
    """The lines tabwriter writes for rows (to check the model against the source)."""
    return [
        "".join(c.text + p for c, p in zip(r, _pads(r, w), strict=True))
        for r, w in zip(rows, _widths(rows), strict=True)
    ]


def _paddings(rows: list[Row]) -> list[list[str]]:
    """For every row, the whitespace between each text cell and the next text cell."""
    out: list[list[str]] = []
    for r, w in zip(rows, _widths(rows), strict=True):
        pads = _pads(r, w)
        gaps: list[str] = []
        for i in range(len(r)):
            gap = pads[i]
            j = i + 1
            while j < len(r) - 1 and not r[j].text and r[j].start == r[j].end:
                gap += pads[j]
                j += 1
            gaps.append(gap)
        out.append(gaps)
    return out
