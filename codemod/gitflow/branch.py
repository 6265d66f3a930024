"""Branches gomapfix owns, and `gomapfix branch`.

A branch is gomapfix's when every commit on it since the base commit it
records (trailer `Gomapfix-Base` of its tip) carries the `Gomapfix-Version`
trailer. gomapfix creates a branch with a compare-and-swap ref update (it
must not exist yet), updates one only with --update and only when it is
gomapfix's (compare-and-swap against the tip it inspected), never moves a
branch that is checked out in any worktree, and pushes with
`--force-with-lease` against the remote-tracking ref it knows (or "must not
exist yet" when it knows none), so a commit someone else pushed meanwhile
is never overwritten.

`run_branch` is the whole `gomapfix branch` command: plan in a temporary
worktree at the base; nothing to do when the existing branch was made from
the same plan; otherwise commit, verify, and create or update the branch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import git

from codemod.gitflow.gitutil import GitflowError, first_line, resolve, top, uncommitted
from codemod.gitflow.prepare import (
    TRAILER_BASE,
    TRAILER_PLAN,
    TRAILER_VERSION,
    Log,
    Prepared,
    Settings,
    plan,
    prepare,
    trailers,
    transforms_label,
)
from codemod.gitflow.worktree import temporary_worktree

ZERO = "0" * 40


class Refused(Exception):
    """gomapfix will not do what was asked, to protect someone's work (exit status 1)."""


@dataclass
class BranchInfo:
    """What is known about a branch before gomapfix changes it."""

    name: str
    tip: str | None = None
    trailers: dict[str, str] = field(default_factory=dict)
    foreign: list[str] = field(default_factory=list)
    """Each commit gomapfix did not make, as "<short hash> <subject>"."""
    checked_out: str | None = None
    """The worktree that has the branch checked out, if any."""

    @property
    def exists(self) -> bool:
        return self.tip is not None

    @property
    def ours(self) -> bool:
        return self.exists and not self.foreign


def default_name(transforms: tuple[str, ...]) -> str:
    """gomapfix/<transforms joined by "+">, or gomapfix/all when every transform is selected."""
    return "gomapfix/" + transforms_label(transforms)


def check_name(repo: git.Repo, name: str) -> str:
    """name if it is a valid branch name; GitflowError otherwise."""
    try:
        repo.git.check_ref_format("--branch", name)
    except git.GitCommandError:
        raise GitflowError(f"{name!r} is not a valid branch name") from None
    return name


def inspect(repo: git.Repo, name: str) -> BranchInfo:
    """The state of branch name: its tip, tip trailers, foreign commits, where it is checked out."""
    info = BranchInfo(name, checked_out=checked_out_in(repo, name))
    try:
        info.tip = repo.git.rev_parse("--verify", "--quiet", f"refs/heads/{name}").strip() or None
    except git.GitCommandError:
        return info
    assert info.tip is not None
    info.trailers = trailers(repo.commit(info.tip).message)
    base = info.trailers.get(TRAILER_BASE)
    if TRAILER_VERSION not in info.trailers or not base:
        info.foreign.append(_describe(repo, info.tip))
        return info
    try:
        log = repo.git.log("--format=%h %s%x00%B%x01", info.tip, "--not", base)
    except git.GitCommandError:  # the recorded base is gone: the branch cannot be told apart
        info.foreign.append(_describe(repo, info.tip))
        return info
    for entry in log.split("\x01"):
        subject, sep, message = entry.strip("\n").partition("\x00")
        if sep and TRAILER_VERSION not in trailers(message):
            info.foreign.append(subject)
    return info


def checked_out_in(repo: git.Repo, name: str) -> str | None:
    """The path of a worktree (the main one included) that has branch name checked out."""
    path = None
    for line in repo.git.worktree("list", "--porcelain").splitlines():
        if line.startswith("worktree "):
            path = line[len("worktree ") :]
        elif line == f"branch refs/heads/{name}":
            return path
    return None


def publish(repo: git.Repo, name: str, new: str, expected: str | None) -> None:
    """Point branch name at new, if it still points at expected (None: it must not exist).

    Raises Refused when the branch is checked out somewhere or moved meanwhile.
    """
    where = checked_out_in(repo, name)
    if where is not None:
        raise Refused(f"branch {name} is checked out in {where}; gomapfix does not move a checked-out branch")
    try:
        repo.git.update_ref("-m", "gomapfix", f"refs/heads/{name}", new, expected or ZERO)
    except git.GitCommandError as e:
        raise Refused(f"branch {name} changed while gomapfix worked; not updated ({first_line(e)})") from None


def push(repo: git.Repo, remote: str, name: str) -> str:
    """Push branch name to remote with a lease; returns the lease's expected value ("" for new).

    The lease expects the remote branch to be where the remote-tracking ref
    says, or absent when there is no remote-tracking ref. Raises Refused when
    the remote rejects the push (someone else pushed to that branch).
    """
    ref = f"refs/heads/{name}"
    try:
        expected = repo.git.rev_parse("--verify", "--quiet", f"refs/remotes/{remote}/{name}").strip()
    except git.GitCommandError:
        expected = ""
    try:
        repo.git.push("--porcelain", f"--force-with-lease={ref}:{expected}", remote, f"{ref}:{ref}")
    except git.GitCommandError as e:
        detail = first_line(e)
        out = e.stdout if isinstance(e.stdout, str) else ""
        for line in out.splitlines():
            if line.startswith("!"):
                detail = line.split("\t")[-1].strip()
        raise Refused(f"push of {name} to {remote} rejected: {detail}") from None
    return expected


def _describe(repo: git.Repo, sha: str) -> str:
    c = repo.commit(sha)
    return f"{c.hexsha[:10]} {c.summary}"


@dataclass(frozen=True)
class BranchRequest:
    """The `gomapfix branch` command's arguments, resolved."""

    paths: tuple[Path, ...]
    configure: Callable[[Path, list[Path]], Settings]
    """Settings for (worktree root, paths in it): configuration is read at the base commit."""
    base: str = "HEAD"
    name: str | None = None
    update: bool = False
    remote: str | None = None


@dataclass
class BranchResult:
    """What `gomapfix branch` did: action is created, updated, up-to-date or nothing-to-fix."""

    name: str
    action: str
    base: str
    prepared: Prepared | None = None
    pushed: bool = False
    warnings: list[str] = field(default_factory=list)


def run_branch(repo: git.Repo, request: BranchRequest, log: Log, warn: Log | None = None) -> BranchResult:
    """Create or update the review branch for request; see the module doc.

    log receives progress messages, warn warnings (as soon as they arise; also kept in the result).

    Raises Refused when the branch exists and may not be replaced.
    """
    root = top(repo)
    base = resolve(repo, request.base)
    if request.name:
        check_name(repo, request.name)
    if request.remote and request.remote not in {r.name for r in repo.remotes}:
        raise GitflowError(f"--push {request.remote}: no such remote (see `git remote -v`)")
    result = BranchResult(request.name or "", "nothing-to-fix", base)
    dirty = uncommitted(repo)
    if dirty:
        result.warnings.append(
            f"{len(dirty)} uncommitted change(s) in your checkout are not part of the branch "
            f"(it is made from {request.base}, {base[:10]})"
        )
        (warn or log)(result.warnings[-1])
    rels = [_inside(root, p) for p in request.paths] or [Path(".")]
    with temporary_worktree(repo, base) as wt:
        wt_root = top(wt)
        paths = [_existing(wt_root / rel, rel, base) for rel in rels]
        settings = request.configure(wt_root, paths)
        name = result.name = check_name(repo, request.name or default_name(settings.transforms))
        info = inspect(repo, name)
        planned = plan(wt_root, paths, settings)
        if not planned.changes:
            return result
        same_plan = info.ours and info.trailers.get(TRAILER_PLAN) == planned.hash
        if same_plan and (not request.update or info.trailers.get(TRAILER_BASE) == base):
            result.action = "up-to-date"
            return _maybe_push(repo, request, result)
        if info.exists and info.foreign:
            raise Refused(
                f"branch {name} has {len(info.foreign)} commit(s) gomapfix did not make "
                f"({info.foreign[0]}); not updating it. Merge or move them, or choose another --name"
            )
        if info.exists and not request.update:
            raise Refused(
                f"branch {name} exists with other changes; rerun with --update to regenerate it "
                f"from {request.base}, or choose another name with --name"
            )
        log(f"preparing {name} from {base[:10]}")
        prepared = prepare(wt, base, paths, settings, plan_hash=planned.hash, log=log)
        result.prepared = prepared
        if prepared.empty:
            return result
        publish(repo, name, prepared.tip, info.tip)
        result.action = "updated" if info.exists else "created"
    return _maybe_push(repo, request, result)


def _maybe_push(repo: git.Repo, request: BranchRequest, result: BranchResult) -> BranchResult:
    if request.remote:
        push(repo, request.remote, result.name)
        result.pushed = True
    return result


def _inside(root: Path, path: Path) -> Path:
    absolute = path.resolve()
    try:
        return absolute.relative_to(root.resolve())
    except ValueError:
        raise GitflowError(f"{path}: outside the repository at {root}") from None


def _existing(path: Path, rel: Path, base: str) -> Path:
    if not path.exists():
        raise GitflowError(f"{rel}: not in the base commit {base[:10]} (uncommitted files are not used)")
    return path
