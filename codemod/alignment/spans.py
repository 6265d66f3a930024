"""The cells of a row as byte spans of a file."""

from __future__ import annotations

from dataclasses import dataclass

VTAB, HTAB, JOINED = "v", "t", "b"


@dataclass
class Span:
    """A cell as bytes [start, end) of the file, and what ends it: a hard tab (HTAB), a soft
    tab (VTAB), a blank that joins it to the next part of one cell (JOINED), or None for the
    last cell of a row."""

    start: int
    end: int
    term: str | None
