"""The values that flow through gomapfix: edits, fixes and findings.

The model follows golang.org/x/tools/go/analysis. A transform reports a
Finding (what is wrong and where); a finding may carry Fixes; a Fix is a
list of byte-range Edits over the *original* bytes of one or more files,
plus any files it creates. Edits never re-print a file: every byte outside
an edit is left exactly as it was (CRLF, BOM, trailing whitespace).

All values are immutable and hashable so that identical edits proposed by
different findings can be coalesced by plain equality.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


class Safety(enum.Enum):
    """Whether a fix may be applied without the user opting in.

    SAFE fixes preserve the program's behaviour by Go's rules and are applied
    by default. UNSAFE fixes are probably right but rest on an assumption the
    tool cannot check (an ownership guess, an API break); they are applied
    only with --unsafe-fixes.
    """

    SAFE = "safe"
    UNSAFE = "unsafe"


class Severity(enum.Enum):
    """How serious a finding is; "error" findings describe a run-time panic or crash."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Edit:
    """Replace bytes [start, end) of the original content of path with text.

    start == end is an insertion. Offsets are byte offsets into the file as
    read from disk (BOM included), never character offsets.
    """

    path: Path
    start: int
    end: int
    text: bytes

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad edit range {self.start}..{self.end}")


@dataclass(frozen=True)
class NewFile:
    """A file a fix creates, such as a generated helper.

    If the file already exists with exactly this content the NewFile is a
    no-op; the runner refuses to overwrite a different existing file.
    """

    path: Path
    content: bytes


@dataclass(frozen=True)
class Fix:
    """One all-or-nothing change that resolves a finding.

    A fix is applied entirely or not at all: when one of its edits conflicts
    with an edit already accepted in the same pass, the whole fix is set aside
    and retried on the next pass against the updated source. A fix whose
    result does not parse is rejected and never written.

    Attributes:
        message: what the fix does, as a short imperative sentence.
        edits: byte-range edits over the original contents of existing files.
        new_files: files created by the fix.
        safety: SAFE fixes apply by default, UNSAFE ones only with --unsafe-fixes.
    """

    message: str
    edits: tuple[Edit, ...]
    safety: Safety = Safety.SAFE
    new_files: tuple[NewFile, ...] = ()

    @property
    def paths(self) -> set[Path]:
        return {e.path for e in self.edits} | {n.path for n in self.new_files}


@dataclass(frozen=True)
class Span:
    """A source range: 1-based lines and columns (columns count bytes), as Go reports them."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Finding:
    """A hazard a rule found at one place in one file.

    Attributes:
        rule: the name of the transform or rule that reported it, e.g. "keepalive".
        path: the file the finding is in.
        span: where in the file, 1-based.
        start, end: the same range as byte offsets (for suppressions and diff-base filtering).
        message: one or two sentences: what is wrong, and why it matters.
        severity: how serious the hazard is.
        fixes: candidate fixes, best first; may be empty for detection-only rules.
    """

    rule: str
    path: Path
    span: Span
    start: int
    end: int
    message: str
    severity: Severity = Severity.WARNING
    fixes: tuple[Fix, ...] = ()

    @property
    def key(self) -> tuple[str, str, str]:
        """Identity that survives re-parsing of edited source (positions may shift)."""
        return (self.rule, str(self.path), self.message)

    def fails_check(self, unsafe_fixes: bool) -> bool:
        """Whether this finding makes `--check` fail: a hazard the run would fix, or one only a
        person can fix.

        A finding with a safe fix fails; one whose fixes are all unsafe is a suggestion and
        fails only when unsafe fixes are applied (--unsafe-fixes); one with no fix fails
        unless it is only information (severity info).
        """
        if not self.fixes:
            return self.severity is not Severity.INFO
        return unsafe_fixes or any(fix.safety is Safety.SAFE for fix in self.fixes)


@dataclass
class FileOutcome:
    """What happened to one file in a run: its old and new bytes and any skip reason."""

    path: Path
    original: bytes | None
    result: bytes | None
    skipped: str | None = None
    failed: str | None = None

    @property
    def changed(self) -> bool:
        return self.result is not None and self.result != self.original

    @property
    def created(self) -> bool:
        return self.original is None and self.result is not None


@dataclass
class RunReport:
    """Everything a run produced, in deterministic order (by path, then position)."""

    findings: list[Finding] = field(default_factory=list)
    applied_keys: set[tuple[str, str, str, str]] = field(default_factory=set)
    """(rule, path, finding message, fix message) of every fix that was applied."""
    files: dict[Path, FileOutcome] = field(default_factory=dict)
    scanned: int = 0
    remaining: list[Finding] = field(default_factory=list)
    """The findings on the code as the run leaves it (after its fixes), in the same order as
    findings; the interactive review shows a fix that an accepted one changed on this code."""

    def extend(self, other: RunReport) -> None:
        self.findings.extend(other.findings)
        self.remaining.extend(other.remaining)
        self.applied_keys |= other.applied_keys
        self.files.update(other.files)
        self.scanned += other.scanned

    def fix_applied(self, finding: Finding, fix: Fix) -> bool:
        return (*finding.key, fix.message) in self.applied_keys

    def changed_files(self) -> list[FileOutcome]:
        return [f for _, f in sorted((p, f) for p, f in self.files.items() if f.changed)]

    def skipped_files(self) -> list[FileOutcome]:
        return [f for _, f in sorted((p, f) for p, f in self.files.items() if f.skipped)]

    def failed_files(self) -> list[FileOutcome]:
        return [f for _, f in sorted((p, f) for p, f in self.files.items() if f.failed)]


def edits_by_path(edits: Iterable[Edit]) -> dict[Path, list[Edit]]:
    out: dict[Path, list[Edit]] = {}
    for e in edits:
        out.setdefault(e.path, []).append(e)
    for v in out.values():
        v.sort(key=lambda e: (e.start, e.end))
    return out
