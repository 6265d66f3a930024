"""What every output format shares: the render context, source positions, fingerprints."""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from codemod.diff import display_path
from codemod.model import Edit, Finding, Fix, RunReport

FINGERPRINT_KEY = "gomapfix/v1"
"""The SARIF partialFingerprints key under which fingerprint() values are published."""


@dataclass(frozen=True)
class RenderContext:
    """What a format needs beyond the report.

    Attributes:
        rules: the rule names the run selected, in registry order (SARIF lists
            them as the run's rules even when they reported nothing).
        wrote: whether the fixes were written (--write): the diff format then
            prints nothing, and "applied" means written.
        errors: internal-error lines of the run (SARIF marks the run unsuccessful).
    """

    rules: tuple[str, ...] = ()
    wrote: bool = False
    errors: tuple[str, ...] = ()


class Sources:
    """The original bytes of reported files, and position conversions over them.

    A changed file's original bytes are in the report; an unchanged file's are
    read from disk (it was not written). Positions are 1-based; "byte columns"
    count UTF-8 bytes like Go's, "char columns" count Unicode code points.
    """

    def __init__(self, report: RunReport) -> None:
        self._report = report
        self._content: dict[Path, bytes] = {}
        self._starts: dict[Path, list[int]] = {}

    def content(self, path: Path) -> bytes:
        if path not in self._content:
            outcome = self._report.files.get(path)
            data = outcome.original if outcome is not None else None
            if data is None:
                try:
                    data = path.read_bytes()
                except OSError:
                    data = b""
            self._content[path] = data
        return self._content[path]

    def _line_starts(self, path: Path) -> list[int]:
        if path not in self._starts:
            data = self.content(path)
            starts = [0]
            starts.extend(i + 1 for i, b in enumerate(data) if b == 0x0A)
            self._starts[path] = starts
        return self._starts[path]

    def position(self, path: Path, offset: int) -> tuple[int, int]:
        """(line, byte column) of a byte offset."""
        starts = self._line_starts(path)
        index = bisect.bisect_right(starts, offset) - 1
        return index + 1, offset - starts[index] + 1

    def line(self, path: Path, line: int) -> bytes:
        """The bytes of a 1-based line without its terminator (b"" past the end)."""
        starts = self._line_starts(path)
        if not 1 <= line <= len(starts):
            return b""
        data = self.content(path)
        end = starts[line] - 1 if line < len(starts) else len(data)
        return data[starts[line - 1] : end].rstrip(b"\r")

    def char_column(self, path: Path, line: int, byte_column: int) -> int:
        """The code-point column of a byte column on a line."""
        prefix = self.line(path, line)[: byte_column - 1]
        return len(prefix.decode("utf-8", "replace")) + 1 + max(0, byte_column - 1 - len(prefix))


def fingerprint(finding: Finding, sources: Sources, path: str | None = None) -> str:
    """A digest that identifies a finding across unrelated edits of its file.

    It hashes the rule, the file's path (display_path unless given), the
    finding's message and the source text of the finding's lines with all
    whitespace runs collapsed, never line numbers: inserting or deleting lines
    elsewhere, or re-indenting, keeps it; editing the flagged code changes it.
    Two identical findings in one file share a digest; callers that need
    uniqueness add an occurrence counter (see occurrences()).
    """
    lines = [sources.line(finding.path, n) for n in range(finding.span.line, finding.span.end_line + 1)]
    text = "\n".join(" ".join(x.decode("utf-8", "replace").split()) for x in lines)
    h = hashlib.sha256()
    for part in (
        finding.rule,
        path if path is not None else display_path(finding.path),
        finding.message,
        text,
    ):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()[:32]


def occurrences(findings: Iterable[Finding], sources: Sources) -> list[str]:
    """fingerprint() of each finding with ":N" appended, N counting equal digests from 1
    in report order, so that every value in one run is unique."""
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        digest = fingerprint(f, sources)
        seen[digest] = seen.get(digest, 0) + 1
        out.append(f"{digest}:{seen[digest]}")
    return out


def shown_fix(report: RunReport, finding: Finding) -> Fix | None:
    """The fix a review tool should suggest: the applied one, else the first offered."""
    for fix in finding.fixes:
        if report.fix_applied(finding, fix):
            return fix
    return finding.fixes[0] if finding.fixes else None


def fix_note(report: RunReport, finding: Finding, wrote: bool) -> str:
    """One sentence on the finding's fix for review comments ("" when it has none)."""
    fix = shown_fix(report, finding)
    if fix is None:
        return ""
    if report.fix_applied(finding, fix):
        how = "applied" if wrote else "safe; gomapfix --write applies it"
        if fix.safety.value == "unsafe":
            how = "unsafe; applied" if wrote else "unsafe; gomapfix --write --unsafe-fixes applies it"
        return f"Fix ({how}): {fix.message}."
    if fix.safety.value == "unsafe":
        return f"Suggested fix (unsafe; needs --unsafe-fixes): {fix.message}."
    return f"Fix (not applied in this run): {fix.message}."


def edits_in(fix: Fix, path: Path) -> list[Edit]:
    return sorted((e for e in fix.edits if e.path == path), key=lambda e: (e.start, e.end))


def text(data: bytes) -> str:
    return data.decode("utf-8", "replace")
