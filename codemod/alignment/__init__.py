"""Keeping gofmt's column alignment when a fix changes lines next to aligned ones.

gofmt aligns runs of consecutive lines with text/tabwriter: trailing comments,
struct field types and tags, the `=` of grouped declarations, the values of
key-value pairs, one-line function bodies. A fix that widens or narrows one
line of such a run, or inserts or removes a line in it (which can split one
run in two or join two), moves columns on lines it never touched.

realign(f, edits) returns the edits of one fix to file f completed with the
padding gofmt would write: it applies the edits, parses the result and models
the lines around every changed line as go/printer writes them (layout.py:
the cells of each line and which breaks end a tabwriter section), runs
tabwriter's column algorithm (tabwriter.py) and turns each changed padding
into an edit over the original bytes. A padding next to or inside an edit of
the fix is merged into that edit, so the fix stays a set of disjoint edits.

It never reformats what the fix does not touch: the model must first
reproduce, byte for byte, every section of the original file that the
changed lines belong to or border. When it cannot (a file that was not
gofmt-clean there, a layout the model does not know), the edits are returned
as they were. No gofmt binary is involved.
"""

from __future__ import annotations

from codemod import syntax
from codemod.alignment.layout import Layout, Row
from codemod.alignment.spans import HTAB
from codemod.alignment.tabwriter import Cell, paddings, render
from codemod.context import FileContext
from codemod.edits import apply_edits
from codemod.model import Edit

__all__ = ["realign"]


def realign(f: FileContext, edits: list[Edit]) -> list[Edit]:
    """edits (all of one fix, to f) completed with the padding edits that keep gofmt's
    alignment around the lines they change; edits unchanged when nothing moves or the
    layout cannot be told."""
    mine = sorted(dict.fromkeys(e for e in edits if e.path == f.path), key=lambda e: (e.start, e.end))
    if not mine:
        return edits
    before = _layout_of(f)
    if _cannot_move_columns(before, mine):
        return edits
    try:
        content = apply_edits(f.content, mine)
    except ValueError:
        return edits
    tree = syntax.parse(content)
    if tree.root_node.has_error:
        return edits
    after = Layout(content, tree.root_node)
    spans = _Spans(mine)
    sections = _sections(after, spans)
    if sections is None or not _verified(before, after, spans, mine, sections):
        return edits
    gaps: list[tuple[int, int, bytes]] = []
    for rows in sections:
        found = _gaps(after, rows)
        if found is None:
            return edits
        gaps += found
    if not gaps:
        return edits
    merged = spans.merge(gaps, content, f)
    if merged is None:
        return edits
    return [e for e in edits if e.path != f.path] + merged


# Rows whose plain text no other row's cells or breaks depend on (unlike a field, a spec of
# a group or a literal element: the sizes and shapes of those decide their neighbours').
_INDEPENDENT = frozenset(
    {
        "stmt",
        "label",
        "labeled",
        "case",
        "close",
        "cont",
        "binary",
        "selector",
        "decl",
        "import",
        "fflist",
        "method",
    }
)


_LAYOUTS: dict[int, tuple[FileContext, Layout]] = {}
"""The layouts of the files realigned last (by id, with the file they describe), so that the
fixes of one file share the rows they read: a file with a thousand fixes is modelled once.
Emptied after each package with the node caches: a file holds its syntax tree, which is
large (a megabyte for a 40 KB file), and a worker must not keep the last package's."""
syntax.holds_nodes(_LAYOUTS.clear)


def _layout_of(f: FileContext) -> Layout:
    known = _LAYOUTS.get(id(f))
    if known is not None and known[0] is f:
        return known[1]
    if len(_LAYOUTS) >= 8:
        _LAYOUTS.pop(next(iter(_LAYOUTS)))
    layout = Layout(f.content, f.root, f.line_starts)
    _LAYOUTS[id(f)] = (f, layout)
    return layout


def _cannot_move_columns(before: Layout, edits: list[Edit]) -> bool:
    """True when every edit stays inside one line that has no column, keeps it so and is not
    an element whose size or shape its neighbours depend on, or inserts whole lines with no
    comment between two such lines (or blank ones): no padding can change."""
    for e in edits:
        if _inserts_plain_lines(before, e):
            continue
        line = before.line_of(e.start)
        if before.line_of(e.end) != line or b"\n" in e.text:
            return False
        if any(marker in e.text for marker in (b"//", b"/*", b"`")):
            return False
        if not _closes_columns(before.row(line)):
            return False
    return True


def _closes_columns(row: Row | None) -> bool:
    """row is one line with no column, of a kind no neighbour's size or shape depends on."""
    return row is not None and row.plain and row.kind in _INDEPENDENT and row.first == row.last


def _inserts_plain_lines(before: Layout, e: Edit) -> bool:
    """True if e inserts whole lines (at a line start, ending with a newline; or at a line end,
    starting with one) holding no comment, raw string or colon, between two lines that end
    every column and are of a kind no neighbour depends on (or are blank): such neighbours
    close every tabwriter section around the new lines, whose own cells end at the indentation."""
    if e.start != e.end or any(marker in e.text for marker in (b"//", b"/*", b"`")):
        return False
    if b":" in e.text.replace(b":=", b""):
        return False  # a case clause or a key: its body or value may be a column
    line = before.line_of(e.start)
    if e.text.endswith(b"\n") and before.starts[line] == e.start:
        neighbours = (line - 1, line)
    elif e.text.startswith((b"\n", b"\r\n")) and e.start == before.bounds(line)[1]:
        neighbours = (line, line + 1)
    else:
        return False
    for n in neighbours:
        if n < 0 or n >= before.lines:
            return False
        row = before.row(n)
        if not (row is None and before.blank(n)) and not _closes_columns(row):
            return False
    return True


def _sections(after: Layout, spans: _Spans) -> list[list[Row]] | None:
    """The sections of the new content around the lines the edits wrote, and the lines next
    to them, which an inserted or removed line may join or split (a row with no column is a
    section of its own: its blanks may have been columns before)."""
    seeds: set[int] = set()
    for a, b in spans.new_ranges():
        first, last = after.line_of(a), after.line_of(b)
        seeds.update(range(max(0, first - 1), min(after.lines, last + 2)))
    out: dict[int, list[Row]] = {}
    for line in sorted(seeds):
        rows = after.section(line)
        if rows is None:
            return None
        row = after.row(line)
        if not rows and row is not None and row.blanks:
            rows = [row]
        if rows:
            out[rows[0].first] = rows
    return list(out.values())


def _verified(
    before: Layout, after: Layout, spans: _Spans, edits: list[Edit], sections: list[list[Row]]
) -> bool:
    """True if the model reproduces every section of the original that holds a line of the
    new sections or a line the edits touch (so the original was gofmt-clean there)."""
    lines: set[int] = set()
    for e in edits:
        first, last = before.line_of(e.start), before.line_of(e.end)
        lines.update(range(max(0, first - 1), min(before.lines, last + 2)))
    for rows in sections:
        for row in rows:
            for line in range(row.first, row.last + 1):
                old = spans.old_line(before, after, line)
                if old is not None:
                    lines.add(old)
    checked: set[int] = set()
    for line in sorted(lines):
        if line in checked:
            continue
        rows = before.section(line)
        if rows is None:
            return False
        row = before.row(line)
        if not rows and row is not None and row.blanks:
            rows = [row]
        if not rows:
            continue
        if any(before.content[a:b] != b" " for row in rows for a, b in row.blanks):
            return False
        checked.update(r for row in rows for r in range(row.first, row.last + 1))
        texts = render([_tab_cells(before, row) for row in rows])
        for row, text in zip(rows, texts, strict=True):
            start = before.starts[row.first]
            end = before.bounds(row.last)[1]
            if before.content[start:end].decode("utf-8", "replace") != text:
                return False
    return True


def _tab_cells(layout: Layout, row: Row) -> list[Cell]:
    assert row.cells is not None
    return [
        Cell(layout.content[c.start : c.end].decode("utf-8", "replace"), c.term == HTAB) for c in row.cells
    ]


def _gaps(after: Layout, rows: list[Row]) -> list[tuple[int, int, bytes]] | None:
    """(start, end, padding) of every whitespace run between cells of rows (indentation
    included) whose padding gofmt would write differently; None if a run is not blank."""
    out: list[tuple[int, int, bytes]] = []
    texts = paddings([_tab_cells(after, r) for r in rows]) if len(rows) > 1 or not rows[0].plain else None
    for k, row in enumerate(rows):
        assert row.cells is not None
        runs = [(a, b, b" ") for a, b in row.blanks]
        if texts is not None:
            gap_start, pending = after.starts[row.first], ""
            for c, pad in zip(row.cells, texts[k], strict=True):
                if c.start == c.end:
                    pending += pad
                    continue
                runs.append((gap_start, c.start, pending.encode()))
                gap_start, pending = c.end, pad
        for a, b, new in runs:
            old = after.content[a:b]
            if old.strip(b" \t"):
                return None
            if old != new:
                out.append((a, b, new))
    return sorted(out)


class _Spans:
    """The edits of one fix, and where each lands in the new content."""

    def __init__(self, edits: list[Edit]) -> None:
        self.edits = edits
        self.new_start: list[int] = []
        shift = 0
        for e in edits:
            self.new_start.append(e.start + shift)
            shift += len(e.text) - (e.end - e.start)

    def new_ranges(self) -> list[tuple[int, int]]:
        return [(s, s + len(e.text)) for s, e in zip(self.new_start, self.edits, strict=True)]

    def to_old(self, at: int) -> int | None:
        """The original offset of a new offset (None strictly inside an edit's text)."""
        shift = 0
        for s, e in zip(self.new_start, self.edits, strict=True):
            if at < s:
                break
            if at == s:
                return e.start
            if at < s + len(e.text):
                return None
            if at == s + len(e.text):
                return e.end
            shift = s + len(e.text) - e.end
        return at - shift

    def old_line(self, before: Layout, after: Layout, line: int) -> int | None:
        """The original line of a new line that no edit wrote into, or None."""
        start, end = after.bounds(line)
        for a, b in self.new_ranges():
            if a <= end and start <= b:
                return None
        old = self.to_old(start)
        return None if old is None else before.line_of(old)

    def merge(self, gaps: list[tuple[int, int, bytes]], content: bytes, f: FileContext) -> list[Edit] | None:
        """The fix's edits with the new paddings: a padding apart from every edit is an edit
        of its own; one that touches an edit's text is merged into it."""
        items: list[tuple[int, int, int]] = []  # (new start, new end, index: edit >= 0, gap < 0)
        for i, (a, b) in enumerate(self.new_ranges()):
            items.append((a, b, i))
        for j, (a, b, _) in enumerate(gaps):
            items.append((a, b, -1 - j))
        items.sort()
        groups: list[list[tuple[int, int, int]]] = []
        for item in items:
            if groups and item[0] <= max(x[1] for x in groups[-1]):
                groups[-1].append(item)
            else:
                groups.append([item])
        out: list[Edit] = []
        for group in groups:
            a = min(x[0] for x in group)
            b = max(x[1] for x in group)
            members = [x[2] for x in group]
            if all(m >= 0 for m in members):
                out.extend(self.edits[m] for m in members)
                continue
            old_a = self._old_bound(a, members, start=True)
            old_b = self._old_bound(b, members, start=False)
            if old_a is None or old_b is None or old_a > old_b:
                return None
            text = bytearray()
            at = a
            for x in sorted((x for x in group if x[2] < 0), key=lambda x: x[0]):
                text += content[at : x[0]] + gaps[-1 - x[2]][2]
                at = x[1]
            text += content[at:b]
            out.append(f.edit(old_a, old_b, bytes(text)))
        return out

    def _old_bound(self, at: int, members: list[int], start: bool) -> int | None:
        """The original offset of a group's bound: an edit's own bound, or an offset outside
        every edit."""
        for m in members:
            if m < 0:
                continue
            s = self.new_start[m]
            e = self.edits[m]
            if start and at == s:
                return e.start
            if not start and at == s + len(e.text):
                return e.end
        return self.to_old(at)
