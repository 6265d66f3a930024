"""The fixes an interactive review asks about, and the engine runs behind it.

A review runs the engine twice over the same paths. The first run, in dry-run
mode with unsafe fixes allowed, yields the candidates: every finding that has
fixes, with the original bytes of every file they touch. The second run
(replay) is an ordinary run restricted to the accepted fixes
(Options.accepted and accepted_fixes, see codemod.runner.wants), so the bytes written are
exactly the bytes gomapfix itself produces for that subset of fixes, with
its conflict handling, re-passes and parse checks; hunks are never applied
by hand.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from codemod.api import collect
from codemod.discovery import Discovery, discover
from codemod.edits import apply_fixes, conflicts
from codemod.model import Finding, Fix, RunReport
from codemod.review.decisions import DecisionStore, Fingerprint, fingerprints
from codemod.review.render import FileChange
from codemod.runner import Options

AcceptKey = tuple[str, str, str, str]
"""(rule, path, finding message, fix message): how Options.accepted names a fix."""


Chosen = tuple[Finding, Fix]
"""A finding and the one of its fixes the user accepted."""


def accept_key(finding: Finding, fix: Fix) -> AcceptKey:
    return (*finding.key, fix.message)


def overlaps(a: Fix, b: Fix) -> bool:
    """Whether the engine cannot apply a and b in one pass (codemod.edits.conflicts).

    Identical edits (a shared import) coalesce and do not count.
    """
    if any(conflicts(x, y) for x in a.edits for y in b.edits):
        return True
    created = {n.path: n.content for n in a.new_files}
    return any(created.get(n.path, n.content) != n.content for n in b.new_files)


@dataclass(frozen=True)
class Item:
    """One finding to decide on.

    Attributes:
        finding: the finding; its fixes are the alternatives, best first.
        fingerprints: one per fix, for the decisions file.
        number: 1-based position among the items of the review.
        file_number: 1-based position of the finding's file among the files with items.
    """

    finding: Finding
    fingerprints: tuple[Fingerprint, ...]
    number: int
    file_number: int

    @property
    def path(self) -> Path:
        return self.finding.path


@dataclass
class Plan:
    """The candidates of one review and what is needed to preview and replay them.

    Attributes:
        options: the run's options with unsafe fixes allowed and no accepted set.
        found: the discovered files (reused by the replay, so both runs see the same targets).
        report: the dry run's report.
        errors: internal errors of the dry run, one line each.
        originals: the content, as read by the dry run, of every file a candidate touches.
        items: the findings to ask about, in report order (by path, then position).
        remembered: findings not asked about, because every fix was rejected before.
    """

    options: Options
    found: Discovery
    report: RunReport
    errors: list[str]
    originals: dict[Path, bytes]
    items: list[Item] = field(default_factory=list)
    remembered: list[Finding] = field(default_factory=list)
    jobs: int = 1

    @property
    def files(self) -> int:
        return len({i.path for i in self.items})

    def changes(self, fix: Fix) -> list[FileChange]:
        """Every file fix changes: (path, old, new), fix alone applied to the original bytes."""
        new = apply_fixes(self.originals, [fix])
        return [(p, self.originals.get(p), new[p]) for p in sorted(new) if new[p] != self.originals.get(p)]

    def acceptance(self, chosen: Iterable[Chosen]) -> tuple[frozenset[AcceptKey], frozenset[Fix]]:
        """(Options.accepted, Options.accepted_fixes) that apply exactly the chosen fixes.

        A fix is named by its key (rule, path, finding message, fix message),
        which also matches it in the engine's later passes, unless another
        finding of the dry run has the same (rule, path, message) and a
        different decision (the same call in two functions, one accepted and
        one not): those fixes are named by value, which matches them in the
        first pass only.
        """
        chosen = list(chosen)
        by_id = {id(f): fix.message for f, fix in chosen}
        decisions: dict[tuple[str, str, str], set[str | None]] = {}
        for f in self.report.findings:
            if f.fixes:
                decisions.setdefault(f.key, set()).add(by_id.get(id(f)))
        ambiguous = {k for k, d in decisions.items() if len(d) > 1}
        keys = frozenset(accept_key(f, fix) for f, fix in chosen if f.key not in ambiguous)
        fixes = frozenset(fix for f, fix in chosen if f.key in ambiguous)
        return keys, fixes

    def replay(self, chosen: Iterable[Chosen], directory: Path | None = None) -> tuple[RunReport, list[str]]:
        """Run the engine applying exactly the chosen fixes (see acceptance).

        With directory, only that directory's targets are processed (the
        engine works directory by directory, so its results there are the
        same as in a full run).
        """
        keys, fixes = self.acceptance(chosen)
        options = dataclasses.replace(self.options, accepted=keys, accepted_fixes=fixes)
        found = self.found
        if directory is not None:
            found = Discovery([p for p in found.files if p.parent == directory])
        return collect(found, options, jobs=self.jobs)

    def proposed(self, path: Path, chosen: Iterable[Chosen]) -> bytes:
        """The content gomapfix would give path with the chosen fixes applied."""
        report, errors = self.replay(chosen, path.parent)
        if errors:
            raise RuntimeError("; ".join(errors))
        outcome = report.files.get(path)
        if outcome is not None and outcome.result is not None:
            return outcome.result
        return self.originals[path]


def make_plan(
    paths: Sequence[Path],
    options: Options,
    store: DecisionStore,
    jobs: int = 1,
    found: Discovery | None = None,
) -> Plan:
    """Run the dry run over paths (or the files found) and list the findings to ask about.

    Findings all of whose fixes the store remembers as rejected are not
    asked about (Plan.remembered).
    """
    options = dataclasses.replace(options, unsafe_fixes=True, accepted=None, accepted_fixes=frozenset())
    found = found if found is not None else discover(list(paths))
    report, errors = collect(found, options, jobs=jobs)
    plan = Plan(options, found, report, errors, {}, jobs=jobs)
    findings = [f for f in report.findings if f.fixes and _read_originals(plan, f)]
    flat = fingerprints([(f, fix) for f in findings for fix in f.fixes], plan.originals, store.root)
    candidates: list[tuple[Finding, tuple[Fingerprint, ...]]] = []
    for finding in findings:
        fps = tuple(flat[: len(finding.fixes)])
        del flat[: len(finding.fixes)]
        if all(store.rejected(fp) for fp in fps):
            plan.remembered.append(finding)
        else:
            candidates.append((finding, fps))
    files: dict[Path, int] = {}
    for n, (finding, fps) in enumerate(candidates, 1):
        number = files.setdefault(finding.path, len(files) + 1)
        plan.items.append(Item(finding, fps, n, number))
    return plan


def _read_originals(plan: Plan, finding: Finding) -> bool:
    """Record the original bytes of the files finding's fixes touch; False if one is unreadable."""
    paths = {finding.path} | {e.path for fix in finding.fixes for e in fix.edits}
    paths |= {n.path for fix in finding.fixes for n in fix.new_files if n.path.exists()}
    for p in paths - plan.originals.keys():
        outcome = plan.report.files.get(p)
        if outcome is not None and outcome.original is not None:
            plan.originals[p] = outcome.original
            continue
        try:
            plan.originals[p] = p.read_bytes()
        except OSError:
            return False
    return True
