"""gomapfix end to end on examples/incident, with real git and the real Go toolchain.

The dry run's diff must apply with `git apply`, leave a module that is
gofmt-clean, builds, vets and runs, be idempotent (a second dry run prints
nothing), and equal what `--write` produces.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import GoToolchain
from conftest import gomapfix as run_gomapfix

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "incident"
# The binary `go build` leaves in the example directory, if someone built it there.
BINARY = shutil.ignore_patterns("incident")
GIT = ["git", "-c", "user.name=gomapfix test", "-c", "user.email=test@example.com"]
GIT += ["-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"]


def gomapfix(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the gomapfix command line from this checkout in cwd, with str output."""
    return run_gomapfix(*args, cwd=cwd, text=True, timeout=60)


def git(*args: str, cwd: Path, stdin: str | None = None) -> str:
    """Run git in cwd with a fixed identity; fail the test on a non-zero exit."""
    proc = subprocess.run(
        [*GIT, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, f"git {' '.join(args)}:\n{proc.stdout}{proc.stderr}"
    return proc.stdout


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root except .git, by relative path."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


@dataclass(frozen=True)
class Applied:
    """A git copy of the example after its dry-run diff was applied with git apply."""

    root: Path
    diff: str
    status_after_dry_run: str


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Applied:
    root = tmp_path_factory.mktemp("example") / "incident"
    shutil.copytree(EXAMPLE, root, ignore=BINARY)
    git("init", "-q", cwd=root)
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "example as shipped", cwd=root)
    proc = gomapfix(".", cwd=root)
    assert proc.returncode == 0, proc.stderr
    status = git("status", "--porcelain", cwd=root)
    git("apply", "--check", "-", cwd=root, stdin=proc.stdout)
    git("apply", "-", cwd=root, stdin=proc.stdout)
    return Applied(root, proc.stdout, status)


def test_dry_run_prints_keepalive_fixes_and_changes_nothing(applied: Applied) -> None:
    assert applied.status_after_dry_run == ""
    assert "diff --git a/widget_ops.go b/widget_ops.go" in applied.diff
    assert "+\truntime.KeepAlive(w)" in applied.diff
    assert "+\tdefer runtime.KeepAlive(w)" in applied.diff
    # Touch (statement), Hits (return) and Rename (if condition) each need one.
    assert (applied.root / "widget_ops.go").read_text().count("runtime.KeepAlive(w)") == 3


def test_fixed_module_is_gofmt_clean_builds_vets_and_runs(go: GoToolchain, applied: Applied) -> None:
    assert go.gofmt_list(applied.root) == []
    go.run("build", "-o", os.devnull, "./...", cwd=applied.root)
    go.run("vet", "./...", cwd=applied.root)
    go.run("run", ".", cwd=applied.root)


def test_second_dry_run_prints_nothing(applied: Applied) -> None:
    proc = gomapfix(".", cwd=applied.root)
    assert (proc.returncode, proc.stdout) == (0, ""), proc.stdout + proc.stderr


def test_write_equals_git_apply(applied: Applied, tmp_path: Path) -> None:
    root = tmp_path / "incident"
    shutil.copytree(EXAMPLE, root, ignore=BINARY)
    proc = gomapfix("--write", ".", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert snapshot(root) == snapshot(applied.root)
