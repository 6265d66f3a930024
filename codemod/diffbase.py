"""Code-review mode: --diff-base REV keeps only what touches lines changed since REV.

The changed lines are those of the working tree (staged or not) that
`git diff REV` shows as added or modified, with renames followed, plus every
line of untracked files that git does not ignore. Where lines were only
deleted, the lines on either side of the deletion count as changed, so that
deleting a `runtime.KeepAlive(w)` is reported at the call above it.

A finding is kept when any line of its span is a changed line; its fixes go
with it. Only directories that hold a changed .go file are processed at all
(their other files too: a fix may have to edit several files of a package).
The CLI then re-runs with Options.accepted (and accepted_fixes) naming exactly
the kept findings' fixes, so the diff holds those fixes and nothing else.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from codemod.discovery import UsageError
from codemod.model import Finding, Fix, RunReport

_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.M)
WHOLE_FILE = None


@dataclass(frozen=True)
class ChangedLines:
    """The lines changed since a revision.

    Attributes:
        rev: the revision as given.
        root: the repository's top-level directory.
        files: absolute path -> 1-based changed line numbers, or None when the
            whole file is new (untracked).
    """

    rev: str
    root: Path
    files: dict[Path, frozenset[int] | None]

    def touches(self, f: Finding) -> bool:
        """Whether finding f covers a changed line."""
        path = canonical(f.path)
        if path not in self.files:
            return False
        lines = self.files[path]
        return lines is None or any(n in lines for n in range(f.span.line, f.span.end_line + 1))


@functools.lru_cache(maxsize=4096)
def _real_directory(directory: Path) -> Path:
    return Path(os.path.realpath(directory))


def canonical(path: Path) -> Path:
    """path with its directory's symbolic links resolved, as git reports paths."""
    return _real_directory(path.parent) / path.name


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=300)
    except OSError as e:
        raise UsageError(f"--diff-base needs git: {e.strerror or e}") from None


def changed_lines(rev: str, where: Path) -> ChangedLines:
    """The lines of the working tree around where that changed since rev.

    Raises UsageError when where is not in a git work tree or rev is not a commit.
    """
    directory = where if where.is_dir() else where.parent
    top = _git(["rev-parse", "--show-toplevel"], directory)
    if top.returncode != 0:
        raise UsageError(f"--diff-base needs a git work tree; {directory} is not in one")
    root = Path(os.path.realpath(os.fsdecode(top.stdout.rstrip(b"\n"))))
    if (
        rev.startswith("-")
        or _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], root).returncode
    ):
        raise UsageError(f"--diff-base {rev}: not a commit in this repository")
    diff = _git(
        [
            "-c",
            "core.quotePath=false",
            "diff",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--unified=0",
            "--find-renames",
            "--diff-filter=d",
            rev,
            "--",
        ],
        root,
    )
    if diff.returncode != 0:
        raise UsageError(
            f"--diff-base {rev}: git diff failed: {diff.stderr.decode(errors='replace').strip()}"
        )
    files: dict[Path, frozenset[int] | None] = {
        root / name: frozenset(lines) for name, lines in parse_diff(diff.stdout).items()
    }
    untracked = _git(["ls-files", "-z", "--others", "--exclude-standard"], root)
    for name in untracked.stdout.split(b"\0"):
        if name:
            files[root / os.fsdecode(name)] = WHOLE_FILE
    return ChangedLines(rev, root, files)


def parse_diff(patch: bytes) -> dict[str, set[int]]:
    """New-side changed line numbers per file of a `git diff --unified=0` patch."""
    out: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in patch.split(b"\n"):
        if line.startswith(b"+++ "):
            name = _unquote(line[4:])
            current = None if name is None else out.setdefault(name, set())
        elif line.startswith(b"@@ ") and current is not None:
            m = _HUNK.match(line)
            if m is None:
                continue
            start, count = int(m.group(1)), int(m.group(2) or b"1")
            if count:
                current.update(range(start, start + count))
            else:  # lines deleted after line `start`: its neighbours are touched
                current.update(n for n in (start, start + 1) if n >= 1)
    return out


def _unquote(raw: bytes) -> str | None:
    """The path of a `+++ b/path` header line (None for /dev/null)."""
    raw = raw.rstrip(b"\r")
    if raw.startswith(b'"') and raw.endswith(b'"'):
        raw = _c_unescape(raw[1:-1])
    if raw == b"/dev/null" or not raw.startswith(b"b/"):
        return None
    return os.fsdecode(raw[2:])


def _c_unescape(s: bytes) -> bytes:
    out = bytearray()
    i = 0
    simple = {
        ord("n"): b"\n",
        ord("t"): b"\t",
        ord('"'): b'"',
        ord("\\"): b"\\",
        ord("a"): b"\a",
        ord("b"): b"\b",
    }
    simple |= {ord("f"): b"\f", ord("r"): b"\r", ord("v"): b"\v"}
    while i < len(s):
        if s[i] == 0x5C and i + 1 < len(s):
            nxt = s[i + 1]
            if nxt in simple:
                out += simple[nxt]
                i += 2
                continue
            if 0x30 <= nxt <= 0x37 and i + 3 < len(s):
                out.append(int(s[i + 1 : i + 4], 8))
                i += 4
                continue
        out.append(s[i])
        i += 1
    return bytes(out)


def restrict(files: Iterable[Path], changed: ChangedLines) -> list[Path]:
    """The files in directories that hold a changed .go file, in their order."""
    directories = {p.parent for p in changed.files if p.suffix == ".go"}
    return [p for p in files if canonical(p).parent in directories]


def split(report: RunReport, changed: ChangedLines) -> tuple[list[Finding], list[Finding]]:
    """(kept, left out): the report's findings that touch changed lines, and the others."""
    kept = [f for f in report.findings if changed.touches(f)]
    left = [f for f in report.findings if not changed.touches(f)]
    return kept, left


def acceptance(
    report: RunReport, kept: Iterable[Finding], left: Iterable[Finding]
) -> tuple[frozenset[tuple[str, str, str, str]], frozenset[Fix]]:
    """(Options.accepted, Options.accepted_fixes) that re-apply exactly the kept findings' fixes.

    A fix is named by its finding's key where that key is unique to kept
    findings; where a left-out finding shares the key (the same message for
    the same call in two functions), the kept findings' applied fixes are
    named by value instead, which matches them in the re-run's first pass.
    """
    kept = list(kept)
    ambiguous = {f.key for f in kept} & {f.key for f in left}
    unique = {f.key for f in kept} - ambiguous
    keys = frozenset(k for k in report.applied_keys if k[:3] in unique)
    fixes = frozenset(x for f in kept if f.key in ambiguous for x in f.fixes if report.fix_applied(f, x))
    return keys, fixes
