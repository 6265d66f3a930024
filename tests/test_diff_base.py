"""--diff-base REV on real temporary git repositories: only what the change touches."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import gomapfix, write_module
from test_inputs import OWNER

from codemod.diffbase import changed_lines

USE2 = "\nfunc (w *widget) use2() {\n\tC.use(w.c)\n}\n"


def git(root: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=root, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def commit_all(root: Path, message: str = "base") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose base commit already has two findings (w.go, old/o.go)."""
    root = write_module(tmp_path, {"w.go": OWNER, "old/o.go": OWNER.replace("package p", "package old")})
    git(root, "init", "-q", "-b", "main")
    commit_all(root)
    return root


def run(root: Path, *args: str) -> tuple[list[tuple[str, int]], str]:
    proc = gomapfix("--no-cache", "--format", "json", "--diff-base", "HEAD", *args, cwd=root)
    assert proc.returncode == 0, proc.stderr
    return [(f["path"], f["line"]) for f in json.loads(proc.stdout)["findings"]], proc.stderr.decode()


def test_only_findings_on_changed_lines_are_reported(repo: Path) -> None:
    (repo / "w.go").write_text(OWNER + USE2)
    write_module(repo, {"n/n.go": OWNER.replace("package p", "package n")})  # untracked: all new
    found, stderr = run(repo)
    new_call = OWNER.count("\n") + 3
    assert found == [("n/n.go", 21), ("w.go", new_call)]
    assert "--diff-base HEAD: 1 finding(s) outside the changed lines left out; " in stderr
    assert "1 file(s) in unchanged directories not checked" in stderr
    assert "2 finding(s), 2 would be fixed; 2 file(s) would change" in stderr


def test_the_diff_holds_exactly_the_kept_fixes(repo: Path, tmp_path: Path) -> None:
    (repo / "w.go").write_text(OWNER + USE2)
    proc = gomapfix("--no-cache", "--diff-base", "HEAD", cwd=repo)
    patch = proc.stdout.decode()
    assert patch.count("+\truntime.KeepAlive(w)") == 1
    assert "func (w *widget) use2() {\n \tC.use(w.c)\n+\truntime.KeepAlive(w)\n" in patch
    (tmp_path / "p.patch").write_text(patch)
    git(repo, "apply", "--check", str(tmp_path / "p.patch"))
    assert gomapfix("--no-cache", "--diff-base", "HEAD", "--write", cwd=repo).returncode == 0
    text = (repo / "w.go").read_text()
    assert text == OWNER + USE2.replace("C.use(w.c)\n", "C.use(w.c)\n\truntime.KeepAlive(w)\n")
    assert run(repo) == ([], run(repo)[1])
    assert gomapfix("--no-cache", "--diff-base", "HEAD", "--check", cwd=repo).returncode == 0
    assert gomapfix("--no-cache", "--check", cwd=repo).returncode == 1, "the old finding is still there"


def test_staged_changes_and_deleted_lines_count(repo: Path) -> None:
    fixed = OWNER.replace("\tC.use(w.c)\n", "\tC.use(w.c)\n\truntime.KeepAlive(w)\n")
    (repo / "w.go").write_text(fixed)
    commit_all(repo, "fixed")
    assert run(repo)[0] == []
    (repo / "w.go").write_text(OWNER)  # the KeepAlive line is deleted again
    git(repo, "add", "w.go")
    assert run(repo)[0] == [("w.go", 21)], "a deletion touches the line before it"


def test_a_pure_rename_is_not_a_change(repo: Path) -> None:
    git(repo, "mv", "old/o.go", "old/renamed.go")
    found, stderr = run(repo)
    assert found == []
    assert "0 finding(s) outside the changed lines left out; 2 file(s) in unchanged directories" in stderr


def test_bad_revision_and_no_repository(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    proc = gomapfix("--diff-base", "no-such-rev", cwd=repo)
    assert proc.returncode == 2
    assert proc.stderr == b"gomapfix: --diff-base no-such-rev: not a commit in this repository\n"
    proc = gomapfix("--diff-base", "HEAD", "--interactive", cwd=repo)
    assert (proc.returncode, proc.stderr) == (
        2,
        b"gomapfix: --diff-base cannot be combined with --interactive\n",
    )
    outside = write_module(tmp_path_factory.mktemp("plain"), {"w.go": OWNER})
    proc = gomapfix("--diff-base", "HEAD", cwd=outside)
    assert proc.returncode == 2 and b"needs a git work tree" in proc.stderr


def test_changed_lines_parses_quoted_paths_and_hunks(repo: Path) -> None:
    weird = repo / "dir" / 'q"t\u00fc.go'
    weird.parent.mkdir()
    weird.write_text("package dir\n\nvar a = 1\nvar b = 2\nvar c = 3\n")
    commit_all(repo, "weird")
    weird.write_text("package dir\n\nvar a = 1\nvar B = 2\nvar c = 3\nvar d = 4\n")
    changed = changed_lines("HEAD", repo)
    assert changed.files[changed.root / "dir" / 'q"t\u00fc.go'] == frozenset({4, 6})
    assert changed.root == repo.resolve()
