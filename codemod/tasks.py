"""What a run is made of: its options, one task per directory, and each directory's result.

These values cross process boundaries (a task goes to a worker, its result comes back)
and land in the result cache, so this module is light: it imports no parser and no rule.
The runner (codemod.runner) hands tasks out and merges results; the fix loop
(codemod.fixloop) turns a task into a result.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codemod.model import FileOutcome, Finding, Fix, RunReport, Safety


@dataclass(frozen=True)
class Options:
    """What a run does.

    Attributes:
        select: names of the transforms to run, in registry order.
        unsafe_fixes: also apply fixes marked UNSAFE.
        include_generated: treat generated files like hand-written ones.
        accepted: when not None, apply only fixes whose (finding key, fix message)
            is in this set (interactive review and its replay use it).
        accepted_fixes: with accepted, also apply these fixes, named by value (their
            edits over the original bytes): for findings whose key is shared by
            findings that must stay unfixed (--diff-base uses it).
        report_unused_ignores: report //gomapfix:ignore directives that suppress
            nothing, as findings of rule unused-ignore (codemod.suppress).
        transform_options: per-transform options from .gomapfix.toml, by transform
            name; handed to transforms as PackageContext.options.
    """

    select: tuple[str, ...]
    unsafe_fixes: bool = False
    include_generated: bool = False
    accepted: frozenset[tuple[str, str, str, str]] | None = None
    accepted_fixes: frozenset[Fix] = frozenset()
    report_unused_ignores: bool = False
    transform_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def wants(options: Options, finding: Finding, fix: Fix) -> bool:
    """Whether a run with these options applies fix for finding."""
    if options.accepted is not None:
        return (*finding.key, fix.message) in options.accepted or fix in options.accepted_fixes
    return fix.safety is Safety.SAFE or options.unsafe_fixes


@dataclass
class DirTask:
    """One directory's work: the target files in it, the options, and where results are cached.

    run: the run the task belongs to; the directories of one run that a process handles
    share PackageContext.shared (a new run starts from an empty one).
    """

    directory: Path
    targets: list[Path]
    options: Options
    cache_dir: Path | None = None
    run: str = ""


class DirResult:
    """What the fix loop found and changed in one directory: report and internal-error lines.

    Pickled compactly (to and from workers, and into the cache): a file of the directory
    that was only scanned travels as its name, not as a Path and an empty outcome. Those
    names become Paths when the report is first read, or earlier through adopt(), which
    reuses the Paths the run already holds.
    """

    def __init__(self, directory: Path, report: RunReport | None = None, errors: list[str] | None = None):
        self.directory = directory
        self._report = report if report is not None else RunReport()
        self.errors: list[str] = errors if errors is not None else []
        self._pending: list[str | FileOutcome] | None = None

    @property
    def report(self) -> RunReport:
        if self._pending is not None:
            self.adopt({})
        return self._report

    def adopt(self, known: Mapping[str, Path]) -> DirResult:
        """Complete the report of an unpickled result, using these Paths (the directory's
        targets, by name) for the files it names; returns self."""
        if self._pending is not None:
            files = self._report.files
            for item in self._pending:
                if isinstance(item, str):
                    path = known.get(item) or self.directory / item
                    files[path] = FileOutcome(path, None, None)
                else:
                    files[item.path] = item
            self._pending = None
        return self

    def __getstate__(self) -> dict[str, Any]:
        report = self._report
        compact = self._pending
        if compact is None:
            compact = []
            prefix = str(self.directory) + os.sep
            for path, outcome in report.files.items():
                text = str(path)
                plain = outcome.path is path and outcome.original is None and outcome.result is None
                if plain and not (outcome.skipped or outcome.failed) and text.startswith(prefix):
                    name = text[len(prefix) :]
                    if os.sep not in name:
                        compact.append(name)
                        continue
                compact.append(outcome)
        bare = dataclasses.replace(report, files={})
        return {"directory": self.directory, "report": bare, "files": compact, "errors": self.errors}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.directory = state["directory"]
        self._report = state["report"]
        self.errors = state["errors"]
        self._pending = state["files"]


_SHARED: dict[str, dict[str, Any]] = {}
"""The state the packages of the current run share in this process, under the run's id."""


def shared(run: str) -> dict[str, Any]:
    """What the directories of run share in this process (module-wide indexes); a new run
    starts from an empty one."""
    if run not in _SHARED:
        _SHARED.clear()
        _SHARED[run] = {}
    return _SHARED[run]
