"""Verification inside `gomapfix branch` and `gomapfix batch`: revert what broke, report what was broken.

A small repository with three cgo packages, each with two keepalive hazards:

  kept/    an ordinary package: its fixes stay;
  pinned/  its test pins the exact bytes of pinned.go, so with --verify=test the
           package is green before and red after the fixes: they are reverted,
           and the report quotes the test's first lines;
  broken/  another file of the package does not compile, before and after: the
           package is reported as already failing, not blamed, and keeps its fixes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import GoToolchain
from test_git_fixtures import TEMPLATE, Mono, environment, git, user_state

PINNED_TEST = """package pinned

import (
	"crypto/sha256"
	"fmt"
	"os"
	"testing"
)

func TestSourceIsPinned(t *testing.T) {{
	data, err := os.ReadFile("pinned.go")
	if err != nil {{
		t.Fatal(err)
	}}
	if got := fmt.Sprintf("%x", sha256.Sum256(data)); got != "{digest}" {{
		t.Fatalf("pinned.go changed: sha256 %s", got)
	}}
}}
"""


@pytest.fixture
def repo(tmp_path: Path, go: GoToolchain) -> Mono:
    env = environment(tmp_path / "home", go)
    path = tmp_path / "rv"
    pinned = TEMPLATE.format(pkg="pinned", T="Pinned")
    files = {
        "go.mod": "module example.com/rv\n\ngo 1.22\n",
        "kept/kept.go": TEMPLATE.format(pkg="kept", T="Kept"),
        "pinned/pinned.go": pinned,
        "pinned/pinned_test.go": PINNED_TEST.format(digest=hashlib.sha256(pinned.encode()).hexdigest()),
        "broken/broken.go": TEMPLATE.format(pkg="broken", T="Broken"),
        "broken/oops.go": 'package broken\n\nvar oops int = "not an int"\n',
    }
    for rel, text in files.items():
        (path / rel).parent.mkdir(parents=True, exist_ok=True)
        (path / rel).write_text(text)
    git(path, "init", "-q", env=env)
    git(path, "add", "-A", env=env)
    git(path, "commit", "-q", "-m", "three packages", env=env)
    return Mono(path, tmp_path / "none.git", tmp_path / "home", env)


def test_branch_reverts_a_package_its_fixes_broke_and_keeps_the_rest(repo: Mono) -> None:
    before = user_state(repo.path, repo.env)
    proc = repo.gomapfix("branch", "--select", "keepalive", "--verify=test")

    assert proc.returncode == 0, proc.stderr
    assert "verified 3 package(s): 1 ok, 1 reverted, 1 already failing before gomapfix" in proc.stdout
    assert "  pinned: test failed after the fixes; fixes reverted" in proc.stdout
    assert "pinned.go changed: sha256" in proc.stdout  # the test's own words, quoted
    assert (
        "  broken: build, vet, test already failed at the base commit; not caused by gomapfix" in proc.stdout
    )
    assert 'cannot use "not an int"' in proc.stdout
    changed = repo.git("diff", "--name-only", "HEAD", "gomapfix/keepalive").split()
    assert changed == ["broken/broken.go", "kept/kept.go"]
    message = repo.git("log", "-1", "--format=%B", "gomapfix/keepalive")
    assert message.startswith("gomapfix: keepalive: 4 fix(es) in 2 file(s)\n")
    assert "pinned" not in message
    assert user_state(repo.path, repo.env) == before


def test_batch_reports_verification_in_the_pull_request(repo: Mono) -> None:
    proc = repo.gomapfix("batch", "--select", "keepalive", "--verify=test", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    unit = repo.path / ".git/gomapfix/batch/units/gomapfix--module--keepalive--root"
    manifest = json.loads((unit / "manifest.json").read_text())
    statuses = {p["directory"]: p["status"] for p in manifest["packages"]}
    assert statuses == {"broken": "already-red", "kept": "ok", "pinned": "reverted"}
    assert manifest["files"] == ["broken/broken.go", "kept/kept.go"]
    fixed = {(f["path"], f["status"]) for f in manifest["findings"]}
    assert fixed == {
        ("broken/broken.go", "fixed"),
        ("kept/kept.go", "fixed"),
        ("pinned/pinned.go", "reverted"),
    }
    body = (unit / "pr-body.md").read_text()
    assert (
        "| `pinned` | pass | pass | pass | pass → fail | **fixes reverted**: they broke this package |"
        in body
    )
    assert "| `broken` | pass | fail | fail | fail |" in body
    assert "`pinned` after the fixes:" in body and "pinned.go changed: sha256" in body
    assert "gomapfix --select keepalive --write broken/*.go kept/*.go" in body
