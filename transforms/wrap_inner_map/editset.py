"""An ordered set of byte edits for one rewrite that may touch many files (wrap-inner-map).

Several rules of the rewrite insert text at the same offset (a `.data`
selector and the `}` closing a wrapper literal); the engine applies edits
sorted by position only, so insertions at one offset are joined here in a
declared order. Overlapping replacements mean the rewrite misunderstood the
code: build() raises Overlap and the caller offers no fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from codemod.model import Edit

DATA = 0
"""Order of a `.data` selector inserted after an expression."""
OPEN = 1
"""Order of the text opening a wrapper literal (`T{data: `)."""
CLOSE = 2
"""Order of the `}` closing a wrapper literal."""


class Overlap(Exception):
    """Two edits of one rewrite overlap; the rewrite is not certain."""


@dataclass
class EditSet:
    """Edits of one fix, keyed by file; duplicates collapse, same-offset insertions join in order."""

    _items: dict[tuple[Path, int, int, int, bytes], None] = field(default_factory=dict)

    def replace(self, path: Path, start: int, end: int, text: str) -> None:
        self._items[(path, start, end, -1, text.encode())] = None

    def insert(self, path: Path, offset: int, text: str, order: int) -> None:
        self._items[(path, offset, offset, order, text.encode())] = None

    def __bool__(self) -> bool:
        return bool(self._items)

    def paths(self) -> set[Path]:
        return {k[0] for k in self._items}

    def build(self) -> tuple[Edit, ...]:
        """The edits, insertions at one offset joined by order; raises Overlap on conflicts."""
        joined: dict[tuple[Path, int, int], list[tuple[int, bytes]]] = {}
        for path, start, end, order, text in self._items:
            joined.setdefault((path, start, end), []).append((order, text))
        edits: list[Edit] = []
        for (path, start, end), parts in sorted(joined.items()):
            if start != end and len(parts) > 1:
                raise Overlap(f"{path.name}: two replacements of bytes {start}..{end}")
            edits.append(Edit(path, start, end, b"".join(t for _, t in sorted(parts, key=lambda p: p[0]))))
        by_path: dict[Path, list[Edit]] = {}
        for e in edits:
            by_path.setdefault(e.path, []).append(e)
        for path_edits in by_path.values():
            for a, b in zip(path_edits, path_edits[1:], strict=False):
                if b.start < a.end or (a.start == b.start and a.start != a.end):
                    raise Overlap(f"{a.path.name}: edits overlap at byte {b.start}")
        return tuple(edits)
