"""`gomapfix batch`: one verified branch (and pull request) per unit of a monorepo.

Modules are the directories of the go.mod files git tracks at the base
commit (vendor/, testdata/ and hidden directories excepted); a package
belongs to the nearest module above it. A unit is, by --split:

  module     every changed package of one module;
  owner      the changed packages of one module with the same CODEOWNERS
             owners (a package's owners are those of its changed files,
             together: a package is never split, so every unit builds);
  transform  every package one transform changes, across all modules.

Each unit's branch is `<prefix>/<unit>`, where the prefix defaults to
`gomapfix/<split>/<transforms>` (`gomapfix/transform` for --split transform)
and <unit> is the module path with "/" replaced by "-" ("root" for the
repository root), followed for --split owner by the owners (`@org/team`
becomes `org-team`, joined by "+"; "unowned" when none). The branch name is
also the unit's id in the journal.

--shard I/N keeps the units whose shard key hashes to I (SHA-256 modulo N,
1-based): the module path for the module and owner splits, the transform
name for the transform split. Every unit lands in exactly one shard, a
unit stays in its shard as other units come and go, and a shard plans only
its own modules, so N machines share the work of planning too.

The run plans every unit in one temporary worktree at the base commit, then
for each unit: writes a `planned` journal record, commits and verifies the
fixes (prepare), writes its pull-request files, points its branch at the
result (a compare-and-swap; a branch with commits gomapfix did not make is
refused), pushes it with a lease, and opens or updates its pull request,
recording `verified`, `pushed` and `pr-opened` as it goes. A unit whose
planned patch hash equals the one its journal records, and which already
reached the state this run asks for, is skipped; one that got part of the
way resumes where it stopped.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import git

from codemod import __version__
from codemod.gitflow import journal as journal_mod
from codemod.gitflow.branch import Refused, check_name, inspect, publish, push
from codemod.gitflow.codeowners import CodeOwners
from codemod.gitflow.gitutil import GitflowError, branch_of, resolve, top, uncommitted
from codemod.gitflow.journal import Journal, journal_name, reached
from codemod.gitflow.prepare import (
    Log,
    Prepared,
    Settings,
    prepare,
    render_patch,
)
from codemod.gitflow.prs import GhError, GitHub, PullRequest, body, reproduce_commands, title, write_unit
from codemod.gitflow.units import UNSAFE_REF_CHARS, Unit, plan_units
from codemod.gitflow.worktree import temporary_worktree


@dataclass(frozen=True)
class BatchRequest:
    """The `gomapfix batch` command's arguments, resolved."""

    paths: tuple[Path, ...]
    configure: Callable[[Path, list[Path]], Settings]
    """Settings for (worktree root, paths in it): configuration is read at the base commit."""
    split: str = "module"
    base: str = "HEAD"
    prefix: str | None = None
    output: Path | None = None
    dry_run: bool = False
    remote: str | None = None
    open_prs: bool = False
    pr_base: str | None = None
    draft: bool = False
    shard: tuple[int, int] | None = None
    pr_interval: float = 1.0
    rate_limit_wait: float = 60.0
    command: tuple[str, ...] = ()
    """The command line that plans these units (for pull-request bodies), without run-mode flags."""

    @property
    def goal(self) -> str:
        """The journal state this run takes each unit to."""
        if self.open_prs:
            return "pr-opened"
        return "pushed" if self.remote else "verified"


VERIFY_RANK = {"none": 0, "build": 1, "test": 2}


@dataclass
class UnitResult:
    """What the run did with one unit.

    state is what the run printed for it: "dry-run" (planned, and verified unless
    --no-verify, but no branch made), "unverified" (its branch made with --no-verify),
    "verified", "pushed", "pr-opened", "pr-updated" (an open pull request was updated),
    "unchanged", "empty" or "failed". The journal records the underlying states
    (codemod.gitflow.journal).
    """

    unit: Unit
    state: str
    detail: str = ""
    record: dict[str, Any] = field(default_factory=dict)


@dataclass
class BatchResult:
    output: Path
    base: str
    units: list[UnitResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[UnitResult]:
        return [u for u in self.units if u.state == "failed"]


def default_output(repo: git.Repo) -> Path:
    """<git common dir>/gomapfix/batch: beside the repository's data, outside its working tree."""
    return Path(repo.common_dir).resolve() / "gomapfix" / "batch"


def run_batch(repo: git.Repo, request: BatchRequest, log: Log, warn: Log | None = None) -> BatchResult:
    """Plan, verify, branch, push and open pull requests for every unit; see the module doc.

    log receives progress messages, warn warnings (as soon as they arise; also kept in the result).
    """
    root = top(repo)
    base = resolve(repo, request.base)
    out = (request.output or default_output(repo)).resolve()
    if out.exists() and not out.is_dir():
        raise GitflowError(
            f"--output {request.output or out}: exists and is not a directory (name a directory)"
        )
    if request.dry_run and (request.remote or request.open_prs):
        flags = " and ".join(
            f for f, on in (("--push", request.remote), ("--open-prs", request.open_prs)) if on
        )
        raise GitflowError(f"--dry-run creates no branch, so it cannot be combined with {flags}")
    result = BatchResult(out, base)
    github = None
    pr_base = request.pr_base
    if request.open_prs:
        if not request.remote:
            raise GitflowError("--open-prs needs --push REMOTE: a pull request's branch must be on GitHub")
        pr_base = pr_base or branch_of(repo, request.base)
        if not pr_base:
            raise GitflowError(
                "--open-prs: the base is not a branch; name the pull requests' base with --pr-base"
            )
        github = GitHub.find(root, interval=request.pr_interval, wait=request.rate_limit_wait, log=log)
    if request.remote and request.remote not in {r.name for r in repo.remotes}:
        raise GitflowError(f"--push {request.remote}: no such remote (see `git remote -v`)")
    if request.prefix:
        check_name(repo, request.prefix + "/x")
    dirty = uncommitted(repo)
    if dirty:
        result.warnings.append(
            f"{len(dirty)} uncommitted change(s) in your checkout are not part of the branches "
            f"(they are made from {request.base}, {base[:10]})"
        )
        (warn or log)(result.warnings[-1])
    previous = journal_mod.latest(journal_mod.read(journal_mod.journal_files([out])))
    journal = Journal(out / journal_name(request.shard))
    rels = [_inside(root, p) for p in request.paths] or [Path(".")]
    with temporary_worktree(repo, base) as wt:
        wt_root = top(wt)
        paths = [wt_root / rel for rel in rels]
        for rel, p in zip(rels, paths, strict=True):
            if not p.exists():
                raise GitflowError(
                    f"{rel}: not in the base commit {base[:10]} (uncommitted files are not used)"
                )
        settings = request.configure(wt_root, paths)
        owners = CodeOwners.load(wt_root)
        units, result.errors = plan_units(
            wt_root, paths, settings, request.split, owners, request.prefix, request.shard
        )
        log(
            f"{len(units)} unit(s) to consider"
            + (f" in shard {request.shard[0]}/{request.shard[1]}" if request.shard else "")
        )
        for unit in units:
            check_name(repo, unit.branch)
            runner = _UnitRun(repo, wt, base, request, settings, journal, out, github, pr_base, log)
            result.units.append(runner.run(unit, previous.get(unit.id)))
    (out / _summary_name(request.shard, "md")).write_text(summary_markdown(result), encoding="utf-8")
    (out / _summary_name(request.shard, "json")).write_text(json.dumps(summary_data(result), indent=2) + "\n")
    return result


def _summary_name(shard: tuple[int, int] | None, ext: str) -> str:
    return f"summary.{ext}" if shard is None else f"summary-{shard[0]}-of-{shard[1]}.{ext}"


def _inside(root: Path, path: Path) -> Path:
    try:
        return path.resolve().relative_to(root.resolve())
    except ValueError:
        raise GitflowError(f"{path}: outside the repository at {root}") from None


def unit_directory(out: Path, unit: Unit) -> Path:
    """<out>/units/<the branch name with "/" spelled "--">."""
    name = UNSAFE_REF_CHARS.sub("-", unit.id.replace("/", "--"))
    if len(name) > 150:
        name = name[:140] + "-" + hashlib.sha256(unit.id.encode()).hexdigest()[:8]
    return out / "units" / name


class _UnitRun:
    """Takes one unit from wherever its journal says it is to the run's goal."""

    def __init__(
        self,
        repo: git.Repo,
        wt: git.Repo,
        base: str,
        request: BatchRequest,
        settings: Settings,
        journal: Journal,
        out: Path,
        github: GitHub | None,
        pr_base: str | None,
        log: Log,
    ) -> None:
        self.repo, self.wt, self.base, self.request, self.settings = repo, wt, base, request, settings
        self.journal, self.out, self.github, self.pr_base, self.log = journal, out, github, pr_base, log

    def run(self, unit: Unit, previous: dict[str, Any] | None) -> UnitResult:
        try:
            return self._run(unit, previous)
        except KeyboardInterrupt:
            self.journal.write(unit.id, "failed", detail="interrupted", planned_hash=unit.planned_hash)
            raise
        except (Refused, GhError, git.GitCommandError, OSError) as e:
            detail = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            self.log(f"{unit.id}: failed: {detail}")
            record = self.journal.write(unit.id, "failed", detail=detail, planned_hash=unit.planned_hash)
            return UnitResult(unit, "failed", detail, record)

    def _run(self, unit: Unit, previous: dict[str, Any] | None) -> UnitResult:
        request = self.request
        udir = unit_directory(self.out, unit)
        level = self.settings.verify
        same = (
            previous is not None
            and previous.get("planned_hash") == unit.planned_hash
            # a unit verified at a lower level (build, or none) than this run asks for is verified again
            and VERIFY_RANK.get(previous.get("verify", "none"), 0) >= VERIFY_RANK[level]
            and ((udir / "manifest.json").is_file() or bool(previous.get("empty")))
            and self._commit_exists(previous.get("commit"))
        )
        record = previous if same and reached(previous, "verified") else None
        if record is not None and record.get("empty"):
            return UnitResult(unit, "unchanged", "every fix was reverted by verification", record)
        in_place = request.dry_run or (record is not None and self._branch_at(unit.branch, record["commit"]))
        if record is not None and reached(record, request.goal) and in_place:
            self.log(f"{unit.id}: unchanged since the last run; skipped")
            return UnitResult(unit, "unchanged", "", record)
        if record is None:
            record = self._verify(unit, udir)
            if record.get("empty"):
                return UnitResult(unit, "empty", "every fix was reverted by verification", record)
        if request.dry_run:
            what = "not verified (--no-verify)" if level == "none" else f"verified ({level})"
            return UnitResult(unit, "dry-run", f"{what}; no branch created", record)
        if not self._branch_at(unit.branch, record["commit"]):
            info = inspect(self.repo, unit.branch)
            if info.foreign:
                raise Refused(f"branch {unit.branch} has commits gomapfix did not make ({info.foreign[0]})")
            publish(self.repo, unit.branch, record["commit"], info.tip)
        if request.remote and not reached(record, "pushed"):
            self.log(f"{unit.id}: pushing to {request.remote}")
            push(self.repo, request.remote, unit.branch)
            record = self.journal.write(unit.id, "pushed", **_carry(record), remote=request.remote)
        updated = False
        if self.github is not None and not reached(record, "pr-opened"):
            assert self.pr_base is not None
            pr = _load_pr(udir, unit)
            url, updated = self.github.open_or_update(pr, self.pr_base, udir / "pr-body.md", request.draft)
            self.log(f"{unit.id}: pull request {url} {'updated' if updated else 'opened'}")
            record = self.journal.write(unit.id, "pr-opened", **_carry(record), pr=url, pr_updated=updated)
        state = record["state"]
        if state == "pr-opened" and updated:
            state = "pr-updated"
        elif state == "verified" and record.get("verify") == "none":
            state = "unverified"
        return UnitResult(unit, state, "", record)

    def _verify(self, unit: Unit, udir: Path) -> dict[str, Any]:
        request = self.request
        self.journal.write(
            unit.id, "planned", planned_hash=unit.planned_hash, base=self.base, branch=unit.branch
        )
        info = inspect(self.repo, unit.branch)
        if info.foreign and not request.dry_run:
            raise Refused(f"branch {unit.branch} has commits gomapfix did not make ({info.foreign[0]})")
        self.log(f"{unit.id}: preparing {len(unit.dirs)} package(s)")
        settings = self.settings.only(unit.transforms)
        wt_root = top(self.wt)
        prepared = prepare(
            self.wt,
            self.base,
            [wt_root],
            settings,
            only_dirs=unit.dirs,
            plan_hash=unit.planned_hash,
            log=self.log,
        )
        fields = {
            "planned_hash": unit.planned_hash,
            "base": self.base,
            "branch": unit.branch,
            "verify": settings.verify,
        }
        if prepared.empty:
            return self.journal.write(
                unit.id, "verified", **fields, commit=self.base, empty=True, patch_hash=None
            )
        diffstat = self.repo.git.diff("--stat=100", self.base, prepared.tip)
        pr = pull_request(unit, prepared, diffstat, settings, request.command)
        manifest = manifest_data(unit, prepared, settings, pr, request.command)
        write_unit(udir, pr, manifest, render_patch(prepared.changes.values()))
        reverted = [v.directory for v in prepared.reverted]
        return self.journal.write(
            unit.id,
            "verified",
            **fields,
            commit=prepared.tip,
            patch_hash=prepared.patch_hash,
            reverted=reverted,
            fixes=manifest["fixes"],
        )

    def _commit_exists(self, sha: Any) -> bool:
        if not isinstance(sha, str) or not sha:
            return False
        try:
            self.repo.git.cat_file("-e", f"{sha}^{{commit}}")
        except git.GitCommandError:
            return False
        return True

    def _branch_at(self, name: str, sha: str) -> bool:
        try:
            return self.repo.git.rev_parse("--verify", "--quiet", f"refs/heads/{name}").strip() == sha
        except git.GitCommandError:
            return False


def _carry(record: dict[str, Any]) -> dict[str, Any]:
    skip = {"unit", "state", "time", "run"}
    return {k: v for k, v in record.items() if k not in skip}


def _load_pr(udir: Path, unit: Unit) -> PullRequest:
    text = (udir / "pr-title.txt").read_text(encoding="utf-8").strip()
    return PullRequest(
        unit.id, unit.label, unit.branch, text, (udir / "pr-body.md").read_text(), unit.reviewers
    )


def pull_request(
    unit: Unit, prepared: Prepared, diffstat: str, settings: Settings, argv: tuple[str, ...]
) -> PullRequest:
    """The pull request of a prepared unit."""
    s = settings
    reproduce = reproduce_commands(unit.transforms, prepared.kept_dirs, s.unsafe_fixes, s.include_generated)
    generated_by = shlex.join(argv)
    text = body(unit.label, unit.transforms, prepared, diffstat, reproduce, generated_by, s.verify)
    heading = title(unit.label, unit.transforms, prepared)
    return PullRequest(unit.id, unit.label, unit.branch, heading, text, unit.reviewers)


def manifest_data(
    unit: Unit, prepared: Prepared, settings: Settings, pr: PullRequest, argv: tuple[str, ...]
) -> dict[str, Any]:
    """manifest.json of a prepared unit."""
    return {
        "schema": 1,
        "tool": {"name": "gomapfix", "version": __version__},
        "unit": unit.id,
        "label": unit.label,
        "split": unit.split,
        "module": unit.module,
        "branch": unit.branch,
        "owners": list(unit.owners),
        "reviewers": list(unit.reviewers),
        "transforms": list(unit.transforms),
        "unsafe_fixes": settings.unsafe_fixes,
        "verify": settings.verify,
        "base": prepared.base,
        "commit": prepared.tip,
        "commits": [
            {"transform": c.transform, "commit": c.commit, "files": c.files} for c in prepared.commits
        ],
        "planned_hash": unit.planned_hash,
        "patch_hash": prepared.patch_hash,
        "patch_file": "changes.patch",
        "title": pr.title,
        "title_file": "pr-title.txt",
        "body_file": "pr-body.md",
        "files": sorted(prepared.changes),
        "fixes": sum(1 for r in prepared.rows if r.status == "fixed"),
        "findings": [dataclasses.asdict(r) for r in prepared.rows],
        "packages": [
            {
                "directory": v.directory,
                "status": v.status,
                "before": {s: r.ok for s, r in v.before.items()},
                "after": {s: r.ok for s, r in v.after.items()},
                "output": v.quote(),
            }
            for v in prepared.verdicts
        ],
        "command": list(argv),
    }


def summary_data(result: BatchResult) -> dict[str, Any]:
    """summary.json: the run's base and every unit's state."""
    return {
        "tool": {"name": "gomapfix", "version": __version__},
        "base": result.base,
        "units": [
            {
                "unit": u.unit.id,
                "label": u.unit.label,
                "state": u.state,
                "detail": u.detail,
                "patch_hash": u.record.get("patch_hash"),
                "fixes": u.record.get("fixes"),
                "pr": u.record.get("pr"),
                "reverted": u.record.get("reverted", []),
            }
            for u in result.units
        ],
    }


def summary_markdown(result: BatchResult) -> str:
    """summary.md: one table row per unit."""
    lines = [
        f"# gomapfix batch at {result.base[:10]}",
        "",
        "| Unit | Branch | State | Fixes | Pull request |",
    ]
    lines.append("|---|---|---|---:|---|")
    for u in result.units:
        state = u.state + (f" ({u.detail})" if u.detail else "")
        fixes = u.record.get("fixes", "")
        lines.append(f"| {u.unit.label} | `{u.unit.branch}` | {state} | {fixes} | {u.record.get('pr', '')} |")
    if not result.units:
        lines.append("| (nothing to fix) | | | | |")
    return "\n".join(lines) + "\n"
