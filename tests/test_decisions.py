"""The decisions file: fingerprints that survive unrelated edits, the store's format and errors."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from pathlib import Path

import pytest
from conftest import write_module
from test_interactive import FILES, dry_run

from codemod.model import Finding
from codemod.review.decisions import (
    DIRECTORY,
    FILENAME,
    DecisionsError,
    DecisionStore,
    Fingerprint,
    fingerprints,
    repository_root,
    scope_line,
    touched_lines,
)


def prints(root: Path) -> list[tuple[Finding, Fingerprint]]:
    found = dry_run(root)
    originals = {p: p.read_bytes() for p in root.glob("*.go")}
    return list(zip(found, fingerprints([(f, f.fixes[0]) for f in found], originals, root), strict=True))


@pytest.mark.parametrize(
    "start, end, lines",
    [
        (4, 4, b"aaa\nbbb\n"),  # insertion at a line start: the line before and the line after
        (5, 5, b"bbb\n"),  # insertion inside a line: that line
        (0, 0, b"aaa\n"),
        (5, 9, b"bbb\nccc"),  # a replacement spanning two lines
        (9, 9, b"ccc"),  # at end of file without a final newline
        (8, 8, b"bbb\nccc"),
    ],
)
def test_touched_lines(start: int, end: int, lines: bytes) -> None:
    assert touched_lines(b"aaa\nbbb\nccc", start, end) == lines


def test_fingerprint_survives_unrelated_edits_and_notices_related_ones(tmp_path: Path) -> None:
    root = write_module(tmp_path / "m", FILES)
    before = [fp for _, fp in prints(root)]
    assert len({fp.key for fp in before}) == len(before) == 5
    ops = root / "ops.go"
    # Unrelated: a new function before the findings shifts every offset and line.
    text = ops.read_text()
    ops.write_text(
        text.replace(
            "// Touch records", "// Unrelated does nothing.\nfunc Unrelated() {}\n\n// Touch records"
        )
    )
    after = [fp for _, fp in prints(root)]
    assert [fp.key for fp in after] == [fp.key for fp in before]
    # Related: the line Touch's fix is inserted on, or Touch's signature, changes:
    # a new question for that fix only.
    for old, new in [
        ("\tC.widget_touch(w.c)\n}", "\tC.widget_touch(w.c) // counted\n}"),
        ("func (w *Widget) Touch() {", "func (w *Widget) Touch() (_ struct{}) {"),
    ]:
        ops.write_text(text.replace(old, new))
        changed = [fp for _, fp in prints(root)]
        same = [a.key == b.key for a, b in zip(before, changed, strict=True)]
        assert same == [True, True, False, True, True]
    assert before[2].path == "ops.go" and before[2].rule == "keepalive"


def test_store_round_trip_and_format(tmp_path: Path) -> None:
    root = write_module(tmp_path / "m", FILES)
    fps = prints(root)
    store = DecisionStore.load(root)
    assert store.records == {} and not store.save()  # nothing to do, nothing written
    assert not (root / DIRECTORY).exists()
    store.reject(fps[3][1])
    store.reject(fps[0][1])
    assert store.save()
    raw = (root / DIRECTORY / FILENAME).read_text()
    doc = json.loads(raw)
    assert raw == json.dumps(doc, indent=2, sort_keys=True) + "\n"
    assert doc["version"] == 1 and sorted(doc["decisions"]) == sorted([fps[3][1].key, fps[0][1].key])
    rec = doc["decisions"][fps[3][1].key]
    assert rec == {
        "decision": "rejected",
        "edits": sorted(fps[3][1].edits),
        "finding": fps[3][0].message,
        "fix": fps[3][0].fixes[0].message,
        "path": "ops.go",
        "rule": "keepalive",
        "scope": "func (w *Widget) Reset() {",
    }
    again = DecisionStore.load(root)
    assert [again.rejected(fp) for _, fp in fps] == [True, False, False, True, False]
    again.reject(fps[3][1])
    assert not again.save()  # unchanged: the file is not rewritten
    again.forget()
    assert again.save()
    assert not (root / DIRECTORY).exists()


def test_subset_of_a_rejected_fix_is_rejected(tmp_path: Path) -> None:
    root = write_module(tmp_path / "m", FILES)
    fp = prints(root)[3][1]  # ops.go's Reset: KeepAlive line + import edit
    assert len(fp.edits) == 2
    store = DecisionStore(root)
    store.reject(fp)
    part = dataclasses.replace(fp, key="other", edits=frozenset(sorted(fp.edits)[:1]))
    assert store.rejected(part)
    assert not store.rejected(dataclasses.replace(part, fix="another fix"))
    assert not store.rejected(dataclasses.replace(part, scope="func (w *Widget) Other() {"))
    assert not store.rejected(dataclasses.replace(part, occurrence=1))
    assert not store.rejected(dataclasses.replace(part, edits=fp.edits | {"0123456789abcdef"}))


def test_scope_and_occurrence(tmp_path: Path) -> None:
    root = write_module(tmp_path / "m", FILES)
    pairs = prints(root)
    assert [fp.scope for _, fp in pairs] == [
        "func (w *Widget) Hits() int {",
        "func ResetAll(ws []*Widget) {",
        "func (w *Widget) Touch() {",
        "func (w *Widget) Reset() {",
        "func (w *Widget) Describe() string {",
    ]
    assert scope_line(b"package a\n\nvar x = 1\n", 10) == ""
    assert scope_line(b"package a\n\nvar x = 1\n", 15) == "var x = 1"
    # The same finding twice (identical code in one function): told apart by occurrence.
    f = pairs[2][0]
    originals = {p: p.read_bytes() for p in root.glob("*.go")}
    a, b = fingerprints([(f, f.fixes[0]), (f, f.fixes[0])], originals, root)
    assert (a.occurrence, b.occurrence) == (0, 1) and a.key != b.key
    assert "occurrence" not in a.record() and b.record()["occurrence"] == 1


@pytest.mark.parametrize(
    "content, message",
    [
        (b"{not json", "not valid JSON"),
        (b"[]\n", "not a gomapfix decisions file"),
        (b'{"decisions": {}, "version": 99}\n', "unsupported version 99"),
    ],
)
def test_bad_decisions_file(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / DIRECTORY).mkdir()
    (tmp_path / DIRECTORY / FILENAME).write_bytes(content)
    with pytest.raises(DecisionsError, match=message):
        DecisionStore.load(tmp_path)


def test_repository_root(tmp_path: Path) -> None:
    outside = tmp_path / "plain"
    (outside / "a" / "b").mkdir(parents=True)
    (outside / "a" / "c").mkdir()
    (outside / "a" / "c" / "x.go").write_text("package c\n")
    assert repository_root([outside / "a" / "b", outside / "a" / "c" / "x.go"]) == outside / "a"
    repo = tmp_path / "repo"
    (repo / "pkg" / "sub").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    assert repository_root([repo / "pkg" / "sub"]) == repo
    assert repository_root([repo / "pkg", outside]) == tmp_path
