"""The temporary `git worktree` every git command of gomapfix works in.

A worktree shares the repository's objects and refs but has its own
working tree, index and HEAD, so gomapfix can check out the base commit,
apply fixes, build and commit without touching the user's checkout. The
worktree lives in a fresh temporary directory and is locked with the
reason "gomapfix pid N on HOST"; it is removed when the `with` block ends,
however it ends (an error, Ctrl-C, SIGTERM). Signals are held back while a
worktree is being added or removed, so an interrupt cannot leave half of
one behind. If the process is killed outright, the next gomapfix run in the
repository removes worktrees whose recorded process is gone.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import git

from codemod.gitflow.gitutil import configure

PREFIX = "gomapfix-worktree-"
_REASON = re.compile(r"^gomapfix pid (\d+) on (\S+)$")


@contextlib.contextmanager
def temporary_worktree(repo: git.Repo, commit: str) -> Iterator[git.Repo]:
    """Yield a Repo for a new worktree with commit checked out on a detached HEAD.

    The worktree is removed, and its administrative files in the repository
    with it, when the block exits for any reason.
    """
    remove_stale_worktrees(repo)
    parent = Path(tempfile.mkdtemp(prefix=PREFIX))
    path = parent / "tree"
    reason = f"gomapfix pid {os.getpid()} on {socket.gethostname()}"
    try:
        with signals_held():
            repo.git.worktree("add", "--detach", "--lock", "--reason", reason, str(path), commit)
        yield configure(git.Repo(path))
    finally:
        with signals_held():
            _remove(repo, path)
            shutil.rmtree(parent, ignore_errors=True)


def reset(wt: git.Repo, commit: str) -> None:
    """Put the worktree back to exactly commit: tracked files restored, everything else deleted."""
    wt.git.checkout("--force", "--quiet", "--detach", commit)
    wt.git.clean("-ffdxq")


def remove_stale_worktrees(repo: git.Repo) -> list[Path]:
    """Remove the worktrees earlier gomapfix runs on this host left behind when they were killed.

    Only worktrees locked by gomapfix whose process no longer exists are
    removed; the user's own worktrees are never looked at further.
    """
    removed = []
    host = socket.gethostname()
    for path, reason in _locked_worktrees(repo):
        m = _REASON.match(reason)
        if not m or m.group(2) != host or _alive(int(m.group(1))):
            continue
        with signals_held():
            _remove(repo, path)
            if path.parent.name.startswith(PREFIX):
                shutil.rmtree(path.parent, ignore_errors=True)
        removed.append(path)
    return removed


def gomapfix_worktrees(repo: git.Repo) -> list[Path]:
    """The worktrees of repo that gomapfix created and has not removed (for tests and diagnostics)."""
    return [p for p, reason in _locked_worktrees(repo) if _REASON.match(reason)]


def _locked_worktrees(repo: git.Repo) -> list[tuple[Path, str]]:
    out = []
    path: Path | None = None
    for line in repo.git.worktree("list", "--porcelain").splitlines():
        if line.startswith("worktree "):
            path = Path(line[len("worktree ") :])
        elif line.startswith("locked ") and path is not None:
            out.append((path, line[len("locked ") :]))
    return out


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(repo: git.Repo, path: Path) -> None:
    """Remove the worktree at path and its administrative directory, whatever state it is in."""
    with contextlib.suppress(git.GitCommandError):
        repo.git.worktree("remove", "--force", "--force", str(path))
    shutil.rmtree(path, ignore_errors=True)
    admin = Path(repo.common_dir) / "worktrees"
    if not admin.is_dir():
        return
    for entry in admin.iterdir():
        gitdir = entry / "gitdir"
        try:
            target = Path(gitdir.read_text().strip()).parent
        except OSError:
            continue
        if target == path:
            shutil.rmtree(entry, ignore_errors=True)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold back SIGINT and SIGTERM for the duration of the block; they are delivered after it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
