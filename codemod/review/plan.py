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
import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from codemod.api import collect
from codemod.discovery import Discovery, discover
from codemod.edits import apply_fixes, conflicts
from codemod.model import Finding, Fix, RunReport
from codemod.review.decisions import DecisionStore, Fingerprint, fingerprints, scope_line
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
        base: None for a finding of the dry run, whose fixes apply to the original
            bytes. For a finding rebased onto the code that the fixes accepted before
            it produce (Plan.rebase), that code: every file its fixes touch.
        origin: the dry run's finding this item was made from (finding itself when
            not rebased); overlaps between fixes are judged on the dry run's fixes.
    """

    finding: Finding
    fingerprints: tuple[Fingerprint, ...]
    number: int
    file_number: int
    base: Mapping[Path, bytes] | None = field(default=None, compare=False)
    origin: Finding | None = field(default=None, compare=False)

    @property
    def path(self) -> Path:
        return self.finding.path


@dataclass
class Plan:
    """The candidates of one review and what is needed to preview and replay them.

    Attributes:
        groups: the run's files, by the configuration that governs them, each with its
            options (unsafe fixes allowed, no accepted set); the replay reuses them, so
            both runs see the same targets with the same settings.
        report: the dry run's report.
        errors: internal errors of the dry run, one line each.
        originals: the content, as read by the dry run, of every file a candidate touches.
        items: the findings to ask about, in report order (by path, then position).
        remembered: findings not asked about, because every fix was rejected before.
    """

    groups: list[tuple[Options, Discovery]]
    report: RunReport
    errors: list[str]
    originals: dict[Path, bytes]
    items: list[Item] = field(default_factory=list)
    remembered: list[Finding] = field(default_factory=list)
    jobs: int = 1
    store_root: Path = Path(".")
    by_value: set[Fix] = field(default_factory=set)
    """Fixes of rebased findings that must be named by value in a replay (their key is
    shared by another finding of the code they apply to)."""

    @property
    def files(self) -> int:
        return len({i.path for i in self.items})

    def changes(self, fix: Fix, base: Mapping[Path, bytes] | None = None) -> list[FileChange]:
        """Every file fix changes: (path, old, new), fix alone applied to base (default: the
        original bytes; a rebased item's base for its fixes)."""
        old = {**self.originals, **(base or {})}
        new = apply_fixes(old, [fix])
        return [(p, old.get(p), new[p]) for p in sorted(new) if new[p] != old.get(p)]

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
        by_value = [fix for f, fix in chosen if f.key in ambiguous or fix in self.by_value]
        keys = frozenset(accept_key(f, fix) for f, fix in chosen if fix not in by_value)
        return keys, frozenset(by_value)

    def replay(self, chosen: Iterable[Chosen], directory: Path | None = None) -> tuple[RunReport, list[str]]:
        """Run the engine applying exactly the chosen fixes (see acceptance).

        With directory, only that directory's targets are processed (the
        engine works directory by directory, so its results there are the
        same as in a full run).
        """
        keys, fixes = self.acceptance(chosen)
        return _collect_groups(
            [
                (dataclasses.replace(options, accepted=keys, accepted_fixes=fixes), found)
                for options, found in self.groups
            ],
            self.jobs,
            directory,
        )

    def proposed(self, path: Path, chosen: Iterable[Chosen]) -> bytes:
        """The content gomapfix would give path with the chosen fixes applied."""
        report, errors = self.replay(chosen, path.parent)
        if errors:
            raise RuntimeError("; ".join(errors))
        outcome = report.files.get(path)
        if outcome is not None and outcome.result is not None:
            return outcome.result
        return self.originals[path]

    def rebase(self, item: Item, chosen: Sequence[Chosen]) -> Item | None:
        """item as it is on the code the chosen fixes produce, or None when it is not found there.

        A fix that overlaps an accepted one cannot be applied to the original
        bytes together with it: the engine applies the accepted fix and looks
        again at the changed code, where the finding may read differently (after
        wrap-inner-map, deepcopy's c.m[k] is c.m[k].data). This runs the engine
        with the chosen fixes over item's directory, and takes, among the
        findings that remain on its result, the one of the same rule at the place
        item's finding moved to (the same top-level declaration first). Its fixes
        apply to that result (Item.base); accepting one makes the replay apply it
        in the pass after the chosen fixes (codemod.runner), so what the review
        shows is what is written.
        """
        origin = item.origin or item.finding
        report, errors = self.replay(chosen, item.path.parent)
        if errors:
            raise RuntimeError("; ".join(errors))

        def content(p: Path) -> bytes | None:
            o = report.files.get(p)
            if o is not None and o.result is not None:
                return o.result
            return self.originals.get(p)

        after = content(origin.path)
        before = self.originals[origin.path]
        if after is None:
            return None
        # Another item's finding that the accepted fixes left as it was is that item, not this one.
        others = {i.finding.key for i in self.items if (i.origin or i.finding) is not origin} - {origin.key}
        candidates = [
            f
            for f in report.remaining
            if f.rule == origin.rule and f.path == origin.path and f.fixes and f.key not in others
        ]
        found = _moved(origin, before, after, candidates)
        if found is None:
            return None
        touched = {found.path} | {e.path for fix in found.fixes for e in fix.edits}
        touched |= {n.path for fix in found.fixes for n in fix.new_files if n.path.exists()}
        base: dict[Path, bytes] = {}
        for p in sorted(touched):
            data = content(p)
            if data is None:
                try:
                    data = p.read_bytes()
                except OSError:
                    return None
            base[p] = data
        fps = tuple(fingerprints([(found, fix) for fix in found.fixes], base, self.store_root))
        if any(f is not found and f.key == found.key for f in report.remaining):
            self.by_value.update(found.fixes)
        return dataclasses.replace(item, finding=found, fingerprints=fps, base=base, origin=origin)


def _moved(origin: Finding, before: bytes, after: bytes, candidates: Sequence[Finding]) -> Finding | None:
    """The candidate (a finding on after) that is origin (a finding on before) moved by the
    edits between them: its lines map onto origin's lines; in the same top-level declaration
    when there is one; the nearest otherwise."""
    if not candidates:
        return None
    old = before.splitlines(keepends=True)
    new = after.splitlines(keepends=True)
    lo, hi = origin.span.line - 1, origin.span.end_line  # 0-based, end exclusive
    mapped: list[int] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        inside = lo < i1 < hi if i1 == i2 else i1 < hi and i2 > lo
        if not inside:
            continue
        if tag == "equal":
            mapped += [j1 + (i - i1) for i in range(max(i1, lo), min(i2, hi))]
        else:
            mapped += list(range(j1, max(j2, j1 + 1)))
    if not mapped:
        return None
    first, last = min(mapped) + 1, max(mapped) + 1  # 1-based lines on after
    near = [f for f in candidates if f.span.line <= last and f.span.end_line >= first]
    if not near:
        return None
    scope = scope_line(before, origin.start)
    same = [f for f in near if scope_line(after, f.start) == scope] or near
    return min(same, key=lambda f: abs(f.span.line - first))


def _collect_groups(
    groups: Sequence[tuple[Options, Discovery]], jobs: int, directory: Path | None = None
) -> tuple[RunReport, list[str]]:
    """One engine run per group (only directory's files, when given), merged."""
    report = RunReport()
    errors: list[str] = []
    for options, found in groups:
        if directory is not None:
            found = Discovery([p for p in found.files if p.parent == directory])
            if not found.files:
                continue
        part, part_errors = collect(found, options, jobs=jobs)
        report.extend(part)
        errors += part_errors
    if len(groups) > 1:
        report.findings.sort(key=lambda f: (str(f.path), f.start, f.end, f.rule))
        report.remaining.sort(key=lambda f: (str(f.path), f.start, f.end, f.rule))
    return report, errors


def make_plan(
    paths: Sequence[Path],
    options: Options,
    store: DecisionStore,
    jobs: int = 1,
    found: Discovery | None = None,
    groups: Sequence[tuple[Options, Discovery]] | None = None,
) -> Plan:
    """Run the dry run over paths (or the files found, or the groups of files each with its
    options: see Plan.groups) and list the findings to ask about.

    Findings all of whose fixes the store remembers as rejected are not
    asked about (Plan.remembered).
    """
    if groups is None:
        groups = [(options, found if found is not None else discover(list(paths)))]
    groups = [
        (dataclasses.replace(o, unsafe_fixes=True, accepted=None, accepted_fixes=frozenset()), f)
        for o, f in groups
    ]
    report, errors = _collect_groups(groups, jobs)
    plan = Plan(list(groups), report, errors, {}, jobs=jobs, store_root=store.root)
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
