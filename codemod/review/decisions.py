"""Remembered review decisions: `.gomapfix/decisions.json` at the repository root.

An interactive review (`gomapfix --interactive`) records every fix the user
rejects, so that a later review does not ask about it again. Accepted fixes
are not recorded: they are written, and a written fix no longer appears.

The repository root is the git top-level directory of the reviewed paths, or,
outside git (or when the paths lie in different repositories), their deepest
common parent directory.

A decision is keyed by a fingerprint that survives unrelated edits of the
file. It hashes:

  - the rule, the file's path relative to the root, the finding's message
    and the fix's message;
  - the scope: the first line of the top-level declaration the finding is
    in (`func (w *Widget) Touch() {`), empty at top level;
  - one digest per edit of the fix: the edited file's relative path, the
    whole source lines the edit touches (for an insertion at a line start,
    the line before and the line after it) and the text it inserts; a file
    the fix creates is hashed with its content;
  - the occurrence: 0, or n when n earlier findings of the same run have
    an otherwise identical fingerprint (the same call twice in a function).

Line numbers and byte offsets are never part of it, so moving the code, or
editing other parts of the file, keeps the decision; changing the lines the
fix touches, the enclosing declaration's first line, or the fix itself,
asks again.

A fix also counts as rejected when a remembered rejection with the same
rule, path, finding message, fix message, scope and occurrence contains
all of its edit digests: the fix now does a part of what was rejected,
typically because another, accepted fix added the import the rejected one
also proposed.

The file is JSON, written with sorted keys, two-space indentation and a
final newline, so it diffs well and is safe to commit::

    {
      "decisions": {
        "0b6f1c0a8e0d9d0f2a5c3e7b9d1f4a6c": {
          "decision": "rejected",
          "edits": ["3f9a0c1d2e4b5a69", "a1b2c3d4e5f60718"],
          "finding": "w may be finalized while C.widget_touch runs: ...",
          "fix": "insert runtime.KeepAlive(w) after the call",
          "path": "widget_ops.go",
          "rule": "keepalive",
          "scope": "func (w *Widget) Touch() {"
        }
      },
      "version": 1
    }

`decisions` maps each fingerprint to its record; `decision` is "rejected"
(readers ignore records with other values, reserved for later versions);
`edits` are the sorted edit digests; `path` is relative to the root, with
forward slashes; `occurrence` is present only when it is not 0. Deleting
the file, or running with `--forget-decisions`, forgets every decision.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tree_sitter import Tree

from codemod import syntax
from codemod.diff import display_path
from codemod.model import Edit, Finding, Fix
from codemod.writer import write_atomic

DIRECTORY = ".gomapfix"
FILENAME = "decisions.json"
VERSION = 1
REJECTED = "rejected"


class DecisionsError(Exception):
    """The decisions file exists but cannot be read or is not in a known format."""


@dataclass(frozen=True)
class Fingerprint:
    """The identity of one fix of one finding, as remembered across runs.

    Attributes:
        key: hex digest of all the other fields; the key in the decisions file.
        rule, path, finding, fix: the rule, root-relative path, finding message and fix message.
        scope: the first line of the enclosing top-level declaration.
        edits: one digest per edit and created file (see the module documentation).
        occurrence: how many earlier findings had an otherwise equal fingerprint.
    """

    key: str
    rule: str
    path: str
    finding: str
    fix: str
    scope: str
    edits: frozenset[str]
    occurrence: int = 0

    @property
    def head(self) -> list[object]:
        """The fields a remembered rejection must equal for a subset of its edits to match."""
        return [self.rule, self.path, self.finding, self.fix, self.scope, self.occurrence]

    def record(self) -> dict[str, object]:
        rec: dict[str, object] = {
            "decision": REJECTED,
            "edits": sorted(self.edits),
            "finding": self.finding,
            "fix": self.fix,
            "path": self.path,
            "rule": self.rule,
            "scope": self.scope,
        }
        if self.occurrence:
            rec["occurrence"] = self.occurrence
        return rec


def fingerprint(
    finding: Finding, fix: Fix, originals: Mapping[Path, bytes], root: Path, occurrence: int = 0
) -> Fingerprint:
    """The fingerprint of fix (one of finding's fixes).

    originals must hold the original content of finding's file and of every
    file fix edits; root is the repository root that paths are made relative
    to. occurrence disambiguates findings whose fingerprints are otherwise
    equal (see fingerprints).
    """
    edits = frozenset(_edit_digest(e, originals[e.path], root) for e in fix.edits) | frozenset(
        _digest(b"new", _rel(n.path, root).encode(), n.content) for n in fix.new_files
    )
    path = _rel(finding.path, root)
    scope = scope_line(originals[finding.path], finding.start)
    head = [finding.rule, path, finding.message, fix.message, scope, sorted(edits), occurrence]
    key = hashlib.sha256(json.dumps(head).encode()).hexdigest()[:32]
    return Fingerprint(key, finding.rule, path, finding.message, fix.message, scope, edits, occurrence)


def fingerprints(
    pairs: Iterable[tuple[Finding, Fix]], originals: Mapping[Path, bytes], root: Path
) -> list[Fingerprint]:
    """Fingerprints of (finding, fix) pairs given in report order, with occurrences numbered."""
    seen: dict[str, int] = {}
    out = []
    for finding, fix in pairs:
        fp = fingerprint(finding, fix, originals, root)
        n = seen.get(fp.key, 0)
        seen[fp.key] = n + 1
        out.append(fingerprint(finding, fix, originals, root, n) if n else fp)
    return out


def scope_line(content: bytes, offset: int) -> str:
    """The first line, stripped, of the top-level declaration around offset ("" if none)."""
    node = _tree(content).root_node.descendant_for_byte_range(offset, offset)
    while node is not None and node.parent is not None and node.parent.parent is not None:
        node = node.parent
    if node is None or node.parent is None:
        return ""
    line = content[node.start_byte : node.end_byte].split(b"\n", 1)[0]
    return line.decode("utf-8", "replace").strip()


@functools.lru_cache(maxsize=4)
def _tree(content: bytes) -> Tree:
    return syntax.parse(content)


def _rel(path: Path, root: Path) -> str:
    return display_path(path, root)


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(len(p).to_bytes(8, "big"))
        h.update(p)
    return h.hexdigest()[:16]


def _edit_digest(e: Edit, content: bytes, root: Path) -> str:
    return _digest(b"edit", _rel(e.path, root).encode(), touched_lines(content, e.start, e.end), e.text)


def touched_lines(content: bytes, start: int, end: int) -> bytes:
    """The whole lines of content that bytes [start, end) lie on.

    An insertion (start == end) touches the line before and the line after
    the insertion point, which anchor it.
    """
    lo, hi = start, end
    if lo == hi:
        lo, hi = max(lo - 1, 0), min(hi + 1, len(content))
    lo = content.rfind(b"\n", 0, lo) + 1
    nl = content.find(b"\n", max(hi - 1, lo))
    hi = len(content) if nl < 0 else nl + 1
    return content[lo:hi]


def repository_root(paths: Iterable[Path]) -> Path:
    """Where `.gomapfix/` lives for a run over paths.

    The git top-level directory shared by all paths; else the deepest common
    parent directory of the paths (a file counts as its directory).
    """
    dirs = [p if p.is_dir() else p.parent for p in (Path(os.path.abspath(p)) for p in paths)]
    if not dirs:
        dirs = [Path.cwd()]
    tops = {_git_toplevel(d) for d in dirs}
    if len(tops) == 1 and None not in tops:
        top = tops.pop()
        assert top is not None
        return top
    return Path(os.path.commonpath([str(d) for d in dirs]))


def _git_toplevel(directory: Path) -> Path | None:
    try:
        proc = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=directory, capture_output=True, timeout=60
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    return Path(os.fsdecode(proc.stdout.rstrip(b"\r\n")))


@dataclass
class DecisionStore:
    """The remembered decisions of one repository.

    Load with DecisionStore.load(root); change with reject() and forget();
    nothing reaches the disk until save().
    """

    root: Path
    records: dict[str, dict[str, object]] = field(default_factory=dict)
    dirty: bool = False

    @property
    def path(self) -> Path:
        return self.root / DIRECTORY / FILENAME

    @classmethod
    def load(cls, root: Path) -> DecisionStore:
        """The decisions stored under root (none if the file does not exist).

        Raises DecisionsError if the file is unreadable, not JSON, or not a
        version this gomapfix understands.
        """
        store = cls(root)
        try:
            raw = store.path.read_bytes()
        except FileNotFoundError:
            return store
        except OSError as e:
            raise DecisionsError(f"{store.path}: cannot read: {e.strerror or e}") from None
        try:
            doc = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as e:
            raise DecisionsError(f"{store.path}: not valid JSON ({e})") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("decisions"), dict):
            raise DecisionsError(f"{store.path}: not a gomapfix decisions file")
        if doc.get("version") != VERSION:
            raise DecisionsError(
                f"{store.path}: unsupported version {doc.get('version')!r} (this gomapfix reads {VERSION})"
            )
        store.records = {k: v for k, v in doc["decisions"].items() if isinstance(v, dict)}
        return store

    def rejected(self, fp: Fingerprint) -> bool:
        """Whether fp was rejected in an earlier review (see the module documentation)."""
        rec = self.records.get(fp.key)
        if rec is not None and rec.get("decision") == REJECTED:
            return True
        for rec in self.records.values():
            if rec.get("decision") != REJECTED:
                continue
            fields = ("rule", "path", "finding", "fix", "scope")
            if [*(rec.get(k) for k in fields), rec.get("occurrence", 0)] != fp.head:
                continue
            edits = rec.get("edits")
            if isinstance(edits, list) and fp.edits and fp.edits <= set(edits):
                return True
        return False

    def reject(self, fp: Fingerprint) -> None:
        """Remember that the user rejected fp."""
        if self.records.get(fp.key) != fp.record():
            self.records[fp.key] = fp.record()
            self.dirty = True

    def forget(self) -> None:
        """Forget every decision (the file is emptied on save)."""
        if self.records:
            self.dirty = True
        self.records = {}
        if self.path.exists():
            self.dirty = True

    def render(self) -> bytes:
        """The file's content: sorted keys, two-space indent, final newline."""
        doc = {"decisions": self.records, "version": VERSION}
        return (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()

    def save(self) -> bool:
        """Write the decisions if they changed; returns whether the disk changed.

        With no decisions left the file is removed (and `.gomapfix/`, if
        that leaves it empty). The write is atomic (codemod.writer).
        """
        if not self.dirty:
            return False
        self.dirty = False
        try:
            old: bytes | None = self.path.read_bytes()
        except FileNotFoundError:
            old = None
        if not self.records:
            if old is None:
                return False
            self.path.unlink()
            with contextlib.suppress(OSError):
                self.path.parent.rmdir()
            return True
        new = self.render()
        if new == old:
            return False
        self.path.parent.mkdir(exist_ok=True)
        write_atomic(self.path, new, old)
        return True
