"""Applying edits to bytes and merging the fixes of many findings.

Merging follows x/tools' internal/diff: identical edits coalesce; a fix any
of whose edits overlaps a different edit already accepted is set aside whole,
to be proposed again on the next pass against the updated source.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from pathlib import Path

from codemod.model import Edit, Fix


def apply_edits(content: bytes, edits: Iterable[Edit]) -> bytes:
    """Apply non-overlapping edits (any order) to content."""
    out: list[bytes] = []
    pos = 0
    # Deduplicate keeping first-seen order; the stable sort keeps same-offset
    # insertions in the order they were given (deterministic across runs).
    for e in sorted(dict.fromkeys(edits), key=lambda e: (e.start, e.end)):
        if e.start < pos:
            raise ValueError(f"overlapping edits at byte {e.start}")
        if e.end > len(content):
            raise ValueError(f"edit past end of file at byte {e.end}")
        out.append(content[pos : e.start])
        out.append(e.text)
        pos = e.end
    out.append(content[pos:])
    return b"".join(out)


def conflicts(a: Edit, b: Edit) -> bool:
    """True when two different edits of one file cannot both be applied unambiguously."""
    if a == b or a.path != b.path:
        return False
    if a.start < b.end and b.start < a.end:
        return True
    # Two insertions at one point, or an insertion at either end of a replacement:
    # whether the insertion belongs inside or outside the new text would be a guess
    # (`maps.Clone(x)` + `.data` must not become `maps.Clone(x).data`).
    if a.start == a.end and b.start == b.end:
        return a.start == b.start
    if a.start == a.end:
        return a.start in (b.start, b.end)
    if b.start == b.end:
        return b.start in (a.start, a.end)
    return False


def merge(fixes: Sequence[Fix]) -> tuple[list[Fix], list[Fix]]:
    """Split fixes into (accepted, deferred): accepted fixes are mutually compatible.

    Accepted edits of one file never overlap, so each new edit is checked only
    against its neighbours in start order: O(n log n) for n edits.
    """
    accepted: list[Fix] = []
    deferred: list[Fix] = []
    taken: dict[Path, list[tuple[int, int, Edit]]] = {}
    created: dict[Path, bytes] = {}
    for fix in fixes:
        clash = any(_clashes(e, taken.get(e.path, ())) for e in fix.edits)
        clash = clash or any(created.get(n.path, n.content) != n.content for n in fix.new_files)
        if clash:
            deferred.append(fix)
            continue
        accepted.append(fix)
        for e in fix.edits:
            spans = taken.setdefault(e.path, [])
            i = bisect.bisect_left(spans, (e.start, e.end))
            if not (i < len(spans) and spans[i][2] == e):
                spans.insert(i, (e.start, e.end, e))
        for n in fix.new_files:
            created[n.path] = n.content
    return accepted, deferred


def _clashes(e: Edit, spans: Sequence[tuple[int, int, Edit]]) -> bool:
    i = bisect.bisect_left(spans, (e.start, -1))
    # Disjoint accepted spans: only the one before and those starting inside e can clash.
    j = max(0, i - 1)
    while j < len(spans) and spans[j][0] <= e.end:
        if conflicts(e, spans[j][2]):
            return True
        j += 1
    return False


def apply_fixes(contents: dict[Path, bytes], fixes: Iterable[Fix]) -> dict[Path, bytes]:
    """The new contents of every file the (compatible) fixes touch or create."""
    by_path: dict[Path, dict[Edit, None]] = {}
    out: dict[Path, bytes] = {}
    for fix in fixes:
        for e in fix.edits:
            by_path.setdefault(e.path, {})[e] = None
        for n in fix.new_files:
            out[n.path] = n.content
    for path, edits in by_path.items():
        out[path] = apply_edits(contents[path], edits)
    return out
