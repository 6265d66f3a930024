"""A port of the column layout of Go's text/tabwriter, as gofmt configures it.

gofmt writes through a tabwriter with minwidth 0, tabwidth 8, padding 1,
padchar ' ' and the flags DiscardEmptyColumns and TabIndent
(go/printer.Config.Fprint). The printer terminates cells with '\\t' (a "hard"
tab: indentation, the tab before a trailing comment) or '\\v' (a "soft" tab:
the columns of struct fields, grouped declarations, key-value pairs and
one-line function bodies); the text after the last tab of a line is not part
of any column. A column block is a run of consecutive lines that all have a
cell in that column; its width is the widest cell plus the padding. A
formfeed, a blank line or a line with fewer cells ends a block.

The functions here take rows of cells (the last cell of a row is the
unterminated text) and return the padding tabwriter writes after each cell:
Writer.format and Writer.writeLines of src/text/tabwriter/tabwriter.go.
"""

from __future__ import annotations

from dataclasses import dataclass

TABWIDTH = 8


@dataclass
class Cell:
    """One tabwriter cell: its text and how the printer terminated it.

    htab is True for a cell ended by '\\t' (indentation, the tab before a
    trailing comment), False for one ended by '\\v' and for the last cell of a
    row, which no tab ends.
    """

    text: str
    htab: bool = False


def widths(rows: list[list[Cell]]) -> list[list[int]]:
    """The column width tabwriter gives every terminated cell of every row."""
    out: list[list[int]] = [[0] * len(r) for r in rows]
    _format(rows, [], 0, len(rows), out)
    return out


def _format(rows: list[list[Cell]], cols: list[int], line0: int, line1: int, out: list[list[int]]) -> None:
    """tabwriter.Writer.format: find the column blocks left to right, recursively."""
    column = len(cols)
    this = line0
    while this < line1:
        if column >= len(rows[this]) - 1:
            this += 1
            continue
        _assign(rows, cols, line0, this, out)
        line0 = this
        width, discardable = 0, True
        while this < line1 and column < len(rows[this]) - 1:
            c = rows[this][column]
            width = max(width, len(c.text) + 1)
            if c.text or c.htab:
                discardable = False
            this += 1
        _format(rows, [*cols, 0 if discardable else width], line0, this, out)
        line0 = this
        this += 1
    _assign(rows, cols, line0, line1, out)


def _assign(rows: list[list[Cell]], cols: list[int], line0: int, line1: int, out: list[list[int]]) -> None:
    for i in range(line0, line1):
        for j in range(min(len(cols), len(rows[i]) - 1)):
            out[i][j] = cols[j]


def paddings(rows: list[list[Cell]]) -> list[list[str]]:
    """For every row, the padding written after each cell (tabwriter.Writer.writeLines):
    tabs for the empty cells that start a line (indentation), spaces after text."""
    out: list[list[str]] = []
    for row, ws in zip(rows, widths(rows), strict=True):
        pads: list[str] = []
        use_tabs = True
        for j, c in enumerate(row[:-1]):
            if c.text:
                use_tabs = False
                pads.append(" " * max(0, ws[j] - len(c.text)))
            elif use_tabs:
                cellw = (ws[j] + TABWIDTH - 1) // TABWIDTH * TABWIDTH
                pads.append("\t" * (cellw // TABWIDTH))
            else:
                pads.append(" " * ws[j])
        pads.append("")
        out.append(pads)
    return out


def render(rows: list[list[Cell]]) -> list[str]:
    """The text tabwriter writes for rows, one string per row, with the trailing blanks
    go/printer's trimmer removes from each line."""
    out = []
    for row, pads in zip(rows, paddings(rows), strict=True):
        text = "".join(c.text + p for c, p in zip(row, pads, strict=True))
        out.append("\n".join(line.rstrip(" \t") for line in text.split("\n")))
    return out
