"""go/printer's exprList decisions for a list whose elements stand on separate lines.

Composite literal elements, call arguments, type arguments and case lists are
printed by printer.exprList (src/go/printer/nodes.go). Between two elements
on different lines it writes a newline, which keeps the two lines in one
tabwriter section, or a formfeed, which ends the section: a formfeed when
either element does not fit on one line, when the element before the break
shared its line with another, or when the size of the element (the key's size
for a key-value pair) is too far from the geometric mean of the sizes before
it (the ratio heuristic, for sizes over 40 bytes). A key-value pair that fits
on one line and starts a line is printed `key:` vtab `value`, so that the
values of consecutive pairs align.

plan() replays that loop over the elements of one list and tells, for each
element, the break before it and whether its key is a column.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from tree_sitter import Node

NL, FF, BLANK, UNKNOWN = "nl", "ff", "blank", "?"
_SMALL = 40  # smallSize
_RATIO = 2.5  # r


@dataclass(frozen=True)
class Step:
    """What exprList does at one element: the break before it (NL, FF, BLANK, or None when it
    shares the line of the element before) and whether `key:` ends a vtab cell."""

    brk: str | None
    vtab: bool


def log2ish(x: float) -> float:
    """go/printer's log2ish: a crude log2, identical on every architecture."""
    f, e = math.frexp(x)
    return float(e) + 2 * (f - 1)


def exp2ish(x: float) -> float:
    """go/printer's exp2ish: a crude 2**x."""
    n = math.floor(x)
    return math.ldexp(1 + (x - n), int(n))


def plan(
    opening_line: int,
    elements: list[Node],
    line_of: Callable[[int], int],
    size_of: Callable[[Node], int],
) -> list[Step]:
    """The Step of each element. opening_line is the line of the token before the list ("{",
    "(", "case"); line_of(offset) gives a line; size_of(node) the size exprList measures (0:
    does not fit on one line)."""
    out: list[Step] = []
    size = 0
    log2sum, count = 0.0, 0
    prev_break = -1
    prev_line = opening_line
    if elements and opening_line < line_of(elements[0].start_byte):
        prev_break = 0
    for i, x in enumerate(elements):
        line = line_of(x.start_byte)
        prev_size = size
        size = size_of(x)
        use_ff = True
        if prev_size > 0 and size > 0:
            if count == 0 or prev_size <= _SMALL and size <= _SMALL:
                use_ff = False
            else:
                ratio = size / exp2ish(log2sum / count)
                use_ff = _RATIO * ratio <= 1 or ratio >= _RATIO
        needs_break = 0 < prev_line < line
        brk: str | None = FF if i == 0 and needs_break else None
        if i > 0 and needs_break:
            newlines = min(line - line_of(elements[i - 1].end_byte), 2)
            ff = use_ff or prev_break + 1 < i
            nbreaks = 2 + newlines - 1 if ff else newlines
            if nbreaks > 0:
                prev_break = i
            if nbreaks > 1:
                log2sum, count = 0.0, 0
            brk = FF if ff else NL if newlines == 1 else BLANK
        pair = x.type == "keyed_element"
        out.append(Step(brk, len(elements) > 1 and pair and size > 0 and needs_break))
        if size > 0:
            log2sum += log2ish(size)
            count += 1
        prev_line = line
    return out
