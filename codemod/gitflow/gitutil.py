"""Opening the user's repository, and running git the way gomapfix needs it.

Every git command gomapfix runs goes through a GitPython `Repo` configured by
`configure`: optional index locks are off (GIT_OPTIONAL_LOCKS=0, so even
`git status` never rewrites the user's index), hooks are off (gomapfix's
commits are machine-made and verified by gomapfix itself; a user's
post-checkout or pre-commit hook must not run in its temporary worktree),
and automatic garbage collection and maintenance are off (they could repack
the user's refs in the middle of a run).
"""

from __future__ import annotations

import os
from pathlib import Path

import git

from codemod.discovery import UsageError

# Settings passed to every git command through GIT_CONFIG_COUNT (git >= 2.31).
GIT_SETTINGS = {
    "core.hooksPath": os.devnull,
    "gc.auto": "0",
    "maintenance.auto": "false",
    "advice.detachedHead": "false",
    "core.quotePath": "false",
}
FALLBACK_IDENTITY = {"name": "gomapfix", "email": "gomapfix@users.noreply.github.com"}


class GitflowError(UsageError):
    """A problem gomapfix reports in one line (exit status 2): not a repository, no Go, a bad flag."""


def git_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment variables that give a git command gomapfix's settings.

    Settings the caller already passes through GIT_CONFIG_COUNT are kept; ours
    are appended (later ones win).
    """
    env = dict(os.environ if base is None else base)
    count = int(env.get("GIT_CONFIG_COUNT", "0") or "0")
    extra = {"GIT_OPTIONAL_LOCKS": "0"}
    for i, (key, value) in enumerate(GIT_SETTINGS.items(), start=count):
        extra[f"GIT_CONFIG_KEY_{i}"] = key
        extra[f"GIT_CONFIG_VALUE_{i}"] = value
    extra["GIT_CONFIG_COUNT"] = str(count + len(GIT_SETTINGS))
    return extra


def configure(repo: git.Repo) -> git.Repo:
    """Give every later command run through repo.git gomapfix's settings; returns repo."""
    repo.git.update_environment(**git_environment())
    return repo


def open_repository(start: Path) -> git.Repo:
    """The non-bare repository whose working tree contains start.

    Raises GitflowError when start is not inside one.
    """
    try:
        repo = git.Repo(start, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise GitflowError(f"{start}: not inside a git repository") from None
    if repo.bare or repo.working_tree_dir is None:
        raise GitflowError(f"{start}: a bare repository has no working tree to read from")
    return configure(repo)


def top(repo: git.Repo) -> Path:
    """The root directory of repo's working tree."""
    assert repo.working_tree_dir is not None
    return Path(repo.working_tree_dir)


def resolve(repo: git.Repo, rev: str) -> str:
    """The full hash of the commit rev names; GitflowError if there is none."""
    try:
        return repo.git.rev_parse("--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}").strip()
    except git.GitCommandError:
        raise GitflowError(f"--base {rev}: not a commit in this repository") from None


def branch_of(repo: git.Repo, rev: str) -> str | None:
    """The branch name rev stands for, as a pull request's base would name it.

    HEAD gives the checked-out branch (None when HEAD is detached); a local
    branch gives its name; a remote-tracking branch (`origin/main`) gives the
    branch on the remote (`main`); anything else gives None.
    """
    if rev.startswith("-"):
        return None
    try:
        full = repo.git.rev_parse("--symbolic-full-name", rev).strip()
    except git.GitCommandError:
        return None
    if full.startswith("refs/heads/"):
        return full[len("refs/heads/") :]
    if full.startswith("refs/remotes/"):
        _remote, _, name = full[len("refs/remotes/") :].partition("/")
        return name or None
    return None


def uncommitted(repo: git.Repo) -> list[str]:
    """Paths with uncommitted changes in the user's checkout (tracked or untracked, not ignored).

    Reads only: optional locks are off, so the index is not refreshed or rewritten.
    """
    out = repo.git.status("--porcelain=v1", "-z", "--untracked-files=normal")
    return [entry[3:] for entry in out.split("\0") if len(entry) > 3]


def identity_environment(repo: git.Repo) -> dict[str, str]:
    """Author and committer variables for gomapfix's commits.

    The user's configured identity (or GIT_AUTHOR_*/GIT_COMMITTER_* variables) is used when
    present; otherwise commits are made as "gomapfix", so a CI machine without
    a configured identity can still run.
    """
    env: dict[str, str] = {}
    for key in ("name", "email"):
        try:
            configured = repo.git.config("--get", f"user.{key}").strip()
        except git.GitCommandError:
            configured = ""
        for role in ("AUTHOR", "COMMITTER"):
            var = f"GIT_{role}_{key.upper()}"
            if not os.environ.get(var) and not configured:
                env[var] = FALLBACK_IDENTITY[key]
    return env


def first_line(error: git.GitCommandError) -> str:
    """The first meaningful line of a failed git command's stderr."""
    stderr = error.stderr if isinstance(error.stderr, str) else str(error.stderr or "")
    for line in stderr.splitlines():
        line = line.strip().removeprefix("stderr:").strip().strip("'").strip()
        if line:
            return line
    return f"git exited with status {error.status}"
