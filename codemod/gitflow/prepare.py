"""Running the engine in a worktree: planning, one commit per transform, verification, reverts.

`plan` runs the selected transforms together, in memory, over files of a
checked-out tree and returns the changes they propose; its `patch_hash`
identifies a unit's work cheaply (same base content, same options, same
hash). `prepare` then does the work for real on a temporary worktree at the
base commit: it runs the engine once per transform, in registry order, each
on the result of the one before, writing the fixed files atomically and
committing after each transform with a message that lists its findings. It
verifies every touched package before (at the base commit) and after (at
the last commit); a package whose gofmt/build/vet/test step passed before
and fails after is excluded and the transforms are replayed without it, so
the commits never contain a fix that broke its package. Commits carry
trailers (`Gomapfix-Version`, `Gomapfix-Transform`, `Gomapfix-Base`,
`Gomapfix-Plan`) that mark them as gomapfix's.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import git

from codemod import __version__, registry
from codemod.api import collect
from codemod.diff import unified_diff
from codemod.discovery import discover
from codemod.gitflow import verify
from codemod.gitflow.gitutil import identity_environment, top
from codemod.gitflow.worktree import reset
from codemod.model import RunReport, Safety
from codemod.runner import Options
from codemod.writer import write_atomic

Log = Callable[[str], None]

TRAILER_VERSION = "Gomapfix-Version"
TRAILER_TRANSFORM = "Gomapfix-Transform"
TRAILER_BASE = "Gomapfix-Base"
TRAILER_PLAN = "Gomapfix-Plan"
MAX_LISTED = 50


@dataclass(frozen=True)
class ConfigGroup:
    """The engine options and exclusions of the files one .gomapfix.toml governs."""

    options: Options
    exclude: tuple[str, ...] = ()
    exclude_root: Path | None = None

    def excluded(self, path: Path) -> bool:
        from codemod import config

        return bool(self.exclude) and config.excluded(path, self.exclude, self.exclude_root or Path.cwd())


@dataclass(frozen=True)
class Settings:
    """What every git command shares: the engine's options, exclusions and the verification level.

    options come from the main command's settings (defaults, .gomapfix.toml,
    --select/--ignore/--unsafe-fixes/...), so the selection means exactly what
    it means for `gomapfix [PATH ...]`; exclude and exclude_root are the
    configuration's exclude globs and the directory they are relative to.

    When the paths are governed by several .gomapfix.toml files (a monorepo's
    modules, codemod.settings.resolve_groups), groups holds each one's options
    and exclusions and group_of maps every directory with Go files to its
    group; options.select is then the union of the groups' selections, and the
    engine runs once per group (run_groups). Without groups, options and
    exclude apply to every file.
    """

    options: Options
    verify: verify.Level = "build"
    toolchain: verify.Toolchain | None = None
    jobs: int = 1
    exclude: tuple[str, ...] = ()
    exclude_root: Path | None = None
    groups: tuple[ConfigGroup, ...] = ()
    group_of: Mapping[Path, int] = field(default_factory=dict)

    @property
    def transforms(self) -> tuple[str, ...]:
        """The selected transform names, in registry order."""
        return self.options.select

    @property
    def unsafe_fixes(self) -> bool:
        return self.options.unsafe_fixes

    @property
    def include_generated(self) -> bool:
        return self.options.include_generated

    def only(self, names: tuple[str, ...]) -> Settings:
        """These settings with only the transforms names selected (in each group, those of
        names the group selects)."""
        groups = tuple(
            dataclasses.replace(
                g,
                options=dataclasses.replace(
                    g.options, select=tuple(n for n in g.options.select if n in names)
                ),
            )
            for g in self.groups
        )
        return dataclasses.replace(
            self, options=dataclasses.replace(self.options, select=names), groups=groups
        )

    def group(self, path: Path) -> ConfigGroup:
        """The options and exclusions that govern path."""
        if not self.groups:
            return ConfigGroup(self.options, self.exclude, self.exclude_root)
        return self.groups[self.group_of.get(path.parent, 0)]

    def excluded(self, path: Path) -> bool:
        """Whether the exclude globs of the configuration that governs path skip it."""
        return self.group(path).excluded(path)

    def run_groups(self, files: Iterable[Path]) -> tuple[RunReport, list[str]]:
        """Run the engine over files, once per configuration group with its options (a group
        that selects no transform is not run); the merged report and error lines."""
        by_group: dict[int, list[Path]] = {}
        for p in files:
            by_group.setdefault(self.group_of.get(p.parent, 0) if self.groups else 0, []).append(p)
        report, errors = RunReport(), []
        for index in sorted(by_group):
            options = self.groups[index].options if self.groups else self.options
            if not options.select and not options.report_unused_ignores:
                continue
            part, part_errors = collect(discover(by_group[index]), options, self.jobs)
            report.extend(part)
            errors += part_errors
        report.findings.sort(key=lambda f: (str(f.path), f.start, f.end, f.rule))
        return report, errors


@dataclass(frozen=True)
class Change:
    """One file's content before and after (old None: created), path relative to the repository."""

    path: str
    old: bytes | None
    new: bytes

    @property
    def directory(self) -> str:
        return posix_dir(self.path)


@dataclass(frozen=True)
class Row:
    """One finding as reviewers see it: where, what, and what became of its fix.

    status is "fixed", "reverted" (its package failed verification after the
    fix), "suggested" (an unsafe fix; --unsafe-fixes applies it), "not applied"
    (a fix that did not apply cleanly) or "reported" (no automatic fix).
    """

    transform: str
    path: str
    line: int
    message: str
    status: str


@dataclass
class Plan:
    """What the selected transforms would change, computed in memory."""

    changes: dict[str, Change] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def hash(self) -> str:
        return patch_hash(self.changes.values())


@dataclass
class TransformCommit:
    """The commit one transform made: its hash, findings and changed files."""

    transform: str
    commit: str
    rows: list[Row]
    files: list[str]


@dataclass
class Prepared:
    """The result of prepare: commits on base, verification verdicts, the final changes."""

    base: str
    tip: str
    commits: list[TransformCommit] = field(default_factory=list)
    verdicts: list[verify.Verdict] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    changes: dict[str, Change] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    kept_dirs: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.tip == self.base

    @property
    def patch(self) -> bytes:
        return render_patch(self.changes.values())

    @property
    def patch_hash(self) -> str:
        return patch_hash(self.changes.values())

    @property
    def reverted(self) -> list[verify.Verdict]:
        return [v for v in self.verdicts if v.status == "reverted"]


def transforms_label(names: tuple[str, ...]) -> str:
    """How branch names spell a selection: "all" for every registered transform, else names joined by "+"."""
    return "all" if set(names) == set(registry.names()) else "+".join(names)


def posix_dir(rel: str) -> str:
    """The directory part of a /-separated relative path ("." for the top)."""
    head, _, _ = rel.rpartition("/")
    return head or "."


def render_patch(changes: Iterable[Change]) -> bytes:
    """A git-style patch of changes (sorted by path) that `git apply` accepts at the repository root."""
    return b"".join(unified_diff(Path(c.path), c.old, c.new, base=Path(".")) for c in sorted_changes(changes))


def patch_hash(changes: Iterable[Change]) -> str:
    """ "sha256:" and the hex SHA-256 of render_patch(changes): the identity of a unit's work."""
    return "sha256:" + hashlib.sha256(render_patch(changes)).hexdigest()


def sorted_changes(changes: Iterable[Change]) -> list[Change]:
    return sorted(changes, key=lambda c: c.path)


def targets(
    root: Path,
    paths: list[Path],
    settings: Settings,
    only_dirs: Iterable[str] | None = None,
    excluded: Iterable[str] = (),
) -> list[Path]:
    """The Go files under paths (inside root) that the engine should process.

    Files the configuration excludes are dropped, as the main command drops
    them. only_dirs, when given, keeps the files directly in those package
    directories (relative to root); files directly in excluded directories
    are dropped.
    """
    keep = None if only_dirs is None else set(only_dirs)
    skip = set(excluded)
    out = []
    for p in discover(paths).files:
        d = relative(p.parent, root)
        if d in skip or (keep is not None and d not in keep) or settings.excluded(p):
            continue
        out.append(p)
    return out


def relative(path: Path, root: Path) -> str:
    rel = os.path.relpath(path, root).replace(os.sep, "/")
    return "." if rel in ("", ".") else rel


def plan(
    root: Path,
    paths: list[Path],
    settings: Settings,
    names: tuple[str, ...] | None = None,
    only_dirs: Iterable[str] | None = None,
) -> Plan:
    """Run the transforms names (default: all selected) together over paths, in memory."""
    names = settings.transforms if names is None else names
    files = targets(root, paths, settings, only_dirs)
    out = Plan()
    if not files or not names:
        return out
    report, errors = settings.only(names).run_groups(files)
    out.errors = errors
    for outcome in report.changed_files():
        assert outcome.result is not None
        rel = relative(outcome.path, root)
        out.changes[rel] = Change(rel, outcome.original, outcome.result)
    out.rows = rows(report, root, settings)
    return out


def rows(report: RunReport, root: Path, settings: Settings) -> list[Row]:
    """The findings of report as Rows."""
    out = []
    for f in report.findings:
        if any(report.fix_applied(f, x) for x in f.fixes):
            status = "fixed"
        elif f.fixes and f.fixes[0].safety is Safety.UNSAFE and not settings.unsafe_fixes:
            status = "suggested"
        elif f.fixes:
            status = "not applied"
        else:
            status = "reported"
        out.append(Row(f.rule, relative(f.path, root), f.span.line, f.message, status))
    return out


def prepare(
    wt: git.Repo,
    base: str,
    paths: list[Path],
    settings: Settings,
    only_dirs: Iterable[str] | None = None,
    plan_hash: str | None = None,
    log: Log = lambda _: None,
) -> Prepared:
    """Commit the verified fixes for paths on top of base in the worktree wt.

    paths are absolute paths inside wt; only_dirs restricts the work to those
    package directories (relative to wt's root). The worktree is left at the
    last commit (detached HEAD); Prepared.tip == base when nothing changed.
    """
    root = top(wt)
    only = None if only_dirs is None else sorted(set(only_dirs))
    before: dict[str, verify.Health] = {}
    reverted: dict[str, verify.Verdict] = {}
    reverted_rows: list[Row] = []
    while True:
        reset(wt, base)
        result = _commit_transforms(wt, root, base, paths, settings, only, set(reverted), plan_hash)
        touched = sorted({c.directory for c in result.changes.values()})
        if settings.verify == "none" or not touched:
            break
        tool = settings.toolchain or verify.Toolchain.find()
        missing = [d for d in touched if d not in before]
        if missing:
            log(f"verifying {len(missing)} package(s) at the base commit")
            reset(wt, base)
            before.update(verify.check(tool, root, missing, settings.verify))
            reset(wt, result.tip)
        log(f"verifying {len(touched)} package(s) after the fixes")
        # Every step, also those that failed at the base: the fixes may repair them.
        after = verify.check(tool, root, touched, settings.verify)
        result.verdicts = verify.judge({d: before[d] for d in touched}, after)
        broken = [v for v in result.verdicts if v.regressions]
        if not broken:
            break
        for v in broken:
            log(f"{v.directory}: {', '.join(v.regressions)} failed after the fixes; reverting that package")
            reverted[v.directory] = v
            reverted_rows += [
                Row(r.transform, r.path, r.line, r.message, "reverted" if r.status == "fixed" else r.status)
                for r in result.rows
                if posix_dir(r.path) == v.directory
            ]
    result.verdicts = sorted([*result.verdicts, *reverted.values()], key=lambda v: v.directory)
    result.rows = sorted([*result.rows, *reverted_rows], key=lambda r: (r.path, r.line, r.transform))
    return result


def _commit_transforms(
    wt: git.Repo,
    root: Path,
    base: str,
    paths: list[Path],
    settings: Settings,
    only: list[str] | None,
    excluded: set[str],
    plan_hash: str | None,
) -> Prepared:
    """Run each transform in turn on the worktree, writing and committing its fixes."""
    result = Prepared(base, base)
    identity = identity_environment(wt)
    for name in settings.transforms:
        files = targets(root, paths, settings, only, excluded)
        if not files:
            break
        report, errors = settings.only((name,)).run_groups(files)
        result.errors += errors
        found = rows(report, root, settings)
        result.rows += found
        changed = report.changed_files()
        if not changed:
            continue
        for outcome in changed:
            assert outcome.result is not None
            write_atomic(outcome.path, outcome.result, outcome.original)
            rel = relative(outcome.path, root)
            first = result.changes.get(rel)
            result.changes[rel] = Change(rel, first.old if first else outcome.original, outcome.result)
        rels = sorted(relative(o.path, root) for o in changed)
        wt.git.add("--all", "--", *rels)
        message = commit_message(name, found, rels, base, plan_hash)
        wt.git.commit("--quiet", "--no-verify", "--cleanup=whitespace", "-m", message, env=identity)
        sha = wt.head.commit.hexsha
        result.commits.append(TransformCommit(name, sha, found, rels))
        result.tip = sha
    result.kept_dirs = sorted({c.directory for c in result.changes.values()})
    return result


def commit_message(name: str, found: list[Row], files: list[str], base: str, plan_hash: str | None) -> str:
    """The message of one transform's commit: a subject, the fixed findings, gomapfix's trailers."""
    fixed = [r for r in found if r.status == "fixed"]
    subject = f"gomapfix: {name}: {len(fixed)} fix(es) in {len(files)} file(s)"
    doc = registry.doc(name)
    summary = doc.summary if doc is not None else ""
    lines = [subject, ""]
    if summary:
        lines += [summary, ""]
    lines += [f"- {r.path}:{r.line}: {r.message}" for r in fixed[:MAX_LISTED]]
    if len(fixed) > MAX_LISTED:
        lines.append(f"- ... and {len(fixed) - MAX_LISTED} more")
    lines += ["", f"{TRAILER_VERSION}: {__version__}", f"{TRAILER_TRANSFORM}: {name}"]
    lines.append(f"{TRAILER_BASE}: {base}")
    if plan_hash:
        lines.append(f"{TRAILER_PLAN}: {plan_hash}")
    return "\n".join(lines) + "\n"


def trailers(message: str) -> dict[str, str]:
    """The `Key: value` trailers of a commit message's last paragraph."""
    paragraphs = [p for p in message.strip().split("\n\n") if p.strip()]
    out = {}
    for line in paragraphs[-1].splitlines() if paragraphs else []:
        key, sep, value = line.partition(": ")
        if sep and key and " " not in key:
            out[key] = value.strip()
    return out
