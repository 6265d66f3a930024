"""`gomapfix batch` on a real monorepo: dry run, branches, pushes, pull requests, resume, shards.

The monorepo (test_git_fixtures) has three modules and four hazard packages
owned by four CODEOWNERS owner sets; `origin` is a bare repository and `gh`
is a fake that records its arguments and remembers the pull requests it
opened. Every test checks that the user's checkout is byte-identical
afterwards.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
from pathlib import Path

import pytest
from conftest import GoToolchain
from test_git_fixtures import Mono, assert_builds, branches, copy_monorepo, export, make_monorepo, user_state

PREFIX = "gomapfix/module/keepalive"
UNITS = {
    f"{PREFIX}/root": ("internal/buf", ["org/platform"]),
    f"{PREFIX}/services-billing": ("services/billing/meter", ["alice", "org/payments"]),
    f"{PREFIX}/services-render": ("services/render/canvas services/render/font", ["carol", "org/gfx"]),
}
STATES = ("planned", "verified", "pushed", "pr-opened")
RUN = ("batch", "--select", "keepalive", "--push", "origin", "--open-prs", "--pr-interval", "0")
# Where verification is not what a test is about, it is left out to keep the suite fast.
QUICK = (*RUN, "--no-verify")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, go: GoToolchain) -> Mono:
    """One monorepo for this module; every test works on a copy."""
    return make_monorepo(tmp_path_factory.mktemp("template"), go)


@pytest.fixture
def mono(template: Mono, tmp_path: Path, go: GoToolchain) -> Mono:
    return copy_monorepo(template, tmp_path / "copy", go)


def output(repo: Mono) -> Path:
    return repo.path / ".git" / "gomapfix" / "batch"


def journal(repo: Mono, name: str = "journal.jsonl") -> list[dict]:
    path = output(repo) / name
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def unit_dir(repo: Mono, unit: str) -> Path:
    return output(repo) / "units" / unit.replace("/", "--")


def creates(repo: Mono) -> list[list[str]]:
    return [c for c in repo.gh_calls if c[:2] == ["pr", "create"]]


def flag(call: list[str], name: str) -> list[str]:
    return [call[i + 1] for i, a in enumerate(call) if a == name]


def test_walkthrough_from_dry_run_to_pull_requests(mono: Mono, go: GoToolchain, tmp_path: Path) -> None:
    before = user_state(mono.path, mono.env)
    head = mono.git("rev-parse", "HEAD").strip()

    # 1. Dry run: every unit planned and verified, PR texts written, no branch.
    dry = mono.gomapfix("batch", "--select", "keepalive", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert branches(mono) == {}
    assert [line.split()[:2] for line in dry.stdout.splitlines()[:-1]] == [["dry-run", u] for u in UNITS]
    assert all(line.endswith("verified (build); no branch created") for line in dry.stdout.splitlines()[:-1])
    records = journal(mono)
    assert [(r["unit"], r["state"]) for r in records] == [
        (u, s) for u in UNITS for s in ("planned", "verified")
    ]
    summary = (output(mono) / "summary.md").read_text()
    assert all(f"`{u}`" in summary for u in UNITS)
    tree = export(mono, "HEAD", tmp_path / "base")
    for unit, (dirs, _) in UNITS.items():
        d = unit_dir(mono, unit)
        manifest = json.loads((d / "manifest.json").read_text())
        patch = (d / "changes.patch").read_bytes()
        assert manifest["patch_hash"] == "sha256:" + hashlib.sha256(patch).hexdigest()
        assert manifest["base"] == head and manifest["branch"] == unit
        assert [p["directory"] for p in manifest["packages"]] == dirs.split()
        assert {p["status"] for p in manifest["packages"]} == {"ok"}
        assert manifest["fixes"] == 2 * len(dirs.split())
        body = (d / "pr-body.md").read_text()
        for part in (
            "### Findings",
            "### Changes",
            "### Verification",
            "### Reproduce",
            head,
            manifest["patch_hash"],
        ):
            assert part in body
        assert "| pass | pass | pass | ok |" in body
        assert f"gomapfix --select keepalive --write {dirs.split()[0]}/*.go" in body
        assert (
            (d / "pr-title.txt")
            .read_text()
            .startswith(f"gomapfix(keepalive): {manifest['fixes']} fix(es) in ")
        )
        subprocess.run(["git", "apply", "--check", str(d / "changes.patch")], cwd=tree, check=True)
    assert user_state(mono.path, mono.env) == before

    # 2. The real run resumes from the dry run's verified commits: branches, pushes, pull requests.
    real = mono.gomapfix(*RUN)
    assert real.returncode == 0, real.stderr
    made = branches(mono)
    assert set(made) == set(UNITS)
    verified = {r["unit"]: r["commit"] for r in records if r["state"] == "verified"}
    assert made == verified
    assert [r["state"] for r in journal(mono)[len(records) :]] == ["pushed", "pr-opened"] * len(UNITS)
    remote = dict(
        reversed(line.split())
        for line in mono.git("ls-remote", "origin", "refs/heads/gomapfix/*/*/*").splitlines()
    )
    assert remote == {f"refs/heads/{u}": sha for u, sha in made.items()}
    calls = creates(mono)
    assert [flag(c, "--head")[0] for c in calls] == list(UNITS)
    for call, (unit, (_, reviewers)) in zip(calls, UNITS.items(), strict=True):
        assert flag(call, "--base") == ["main"]
        assert flag(call, "--reviewer") == reviewers
        assert Path(flag(call, "--body-file")[0]) == unit_dir(mono, unit) / "pr-body.md"
    for unit in UNITS:
        assert mono.git("rev-parse", f"{unit}^").strip() == head
        assert_builds(go, export(mono, unit, tmp_path / unit.replace("/", "-")))

    # 3. A re-run with nothing new does nothing.
    count, gh_count = len(journal(mono)), len(mono.gh_calls)
    again = mono.gomapfix(*RUN)
    assert again.returncode == 0, again.stderr
    assert [line.split()[0] for line in again.stdout.splitlines()[:-1]] == ["unchanged"] * len(UNITS)
    assert len(journal(mono)) == count and len(mono.gh_calls) == gh_count
    assert branches(mono) == made

    # 4. `batch status` merges the journal(s).
    status = mono.gomapfix("batch", "status")
    assert status.returncode == 0, status.stderr
    assert [line.split()[:2] for line in status.stdout.splitlines()[:-1]] == [["pr-opened", u] for u in UNITS]
    assert user_state(mono.path, mono.env) == before


def test_a_crashed_run_resumes_without_duplicating_work(mono: Mono) -> None:
    before = user_state(mono.path, mono.env)
    # gh kills gomapfix right after GitHub "made" the second pull request.
    crashed = mono.gomapfix(*QUICK, env=dict(mono.env, FAKE_GH_KILL_AT="2"))
    assert crashed.returncode == -signal.SIGKILL
    last = {r["unit"]: r["state"] for r in journal(mono)}
    units = list(UNITS)
    assert last == {units[0]: "pr-opened", units[1]: "pushed"}
    assert "gomapfix-worktree-" in mono.git("worktree", "list")  # left behind by the crash
    crash_records = len(journal(mono))

    resumed = mono.gomapfix(*QUICK)
    assert resumed.returncode == 0, resumed.stderr
    assert {r["unit"]: r["state"] for r in journal(mono)} == dict.fromkeys(units, "pr-opened")
    assert [flag(c, "--head")[0] for c in creates(mono)] == units  # each pull request made once
    edits = [c for c in mono.gh_calls if c[:2] == ["pr", "edit"]]
    assert [e[2] for e in edits] == ["https://github.com/example/mono/pull/2"]  # found, then updated
    resumed_states = [(r["unit"], r["state"]) for r in journal(mono)][crash_records:]
    assert resumed_states == [(units[1], "pr-opened"), *((units[2], s) for s in STATES)]
    assert json.loads((mono.home / "gh.json").read_text())["creates"] == 3
    assert user_state(mono.path, mono.env) == before  # the stale worktree is gone too


def test_rate_limited_gh_calls_are_retried(mono: Mono) -> None:
    marker = mono.home / "rate-limit-once"
    marker.write_text("")
    proc = mono.gomapfix(
        *QUICK, "--rate-limit-wait", "0.05", env=dict(mono.env, FAKE_GH_RATE_LIMIT_ONCE=str(marker))
    )
    assert proc.returncode == 0, proc.stderr
    assert "GitHub rate limit reached; retrying gh pr create in 0.05s" in proc.stderr
    heads = [flag(c, "--head")[0] for c in creates(mono)]
    assert heads == [list(UNITS)[0], *UNITS]  # the first create was answered "rate limited", then retried
    assert json.loads((mono.home / "gh.json").read_text())["creates"] == len(UNITS)


def test_shards_partition_the_units_and_status_merges_their_journals(mono: Mono) -> None:
    base = ("batch", "--select", "keepalive", "--split", "owner", "--dry-run", "--no-verify")
    whole = mono.gomapfix(*base, "--output", str(mono.home / "whole"))
    assert whole.returncode == 0, whole.stderr
    everything = [line.split()[1] for line in whole.stdout.splitlines()[:-1]]
    assert len(everything) == 4
    shards = []
    for i in (1, 2, 3):
        proc = mono.gomapfix(*base, "--shard", f"{i}/3", "--output", str(mono.home / "sharded"))
        assert proc.returncode == 0, proc.stderr
        shards.append([line.split()[1] for line in proc.stdout.splitlines()[:-1]])
    assert sorted(u for s in shards for u in s) == sorted(everything)  # each unit in exactly one shard
    journals = sorted(p.name for p in (mono.home / "sharded").glob("journal*.jsonl"))
    assert journals == [f"journal-{i}-of-3.jsonl" for i in (1, 2, 3) if shards[i - 1]]
    status = mono.gomapfix("batch", "status", str(mono.home / "sharded"), "--format", "json")
    assert status.returncode == 0, status.stderr
    merged = json.loads(status.stdout)["units"]
    assert sorted(merged) == sorted(everything)
    assert {r["state"] for r in merged.values()} == {"verified"}


def test_a_foreign_branch_fails_its_unit_and_the_others_go_on(mono: Mono) -> None:
    billing = f"{PREFIX}/services-billing"
    hand = mono.git("commit-tree", "HEAD^{tree}", "-p", "HEAD", "-m", "hand-made change").strip()
    mono.git("branch", billing, hand)
    before = user_state(mono.path, mono.env)

    proc = mono.gomapfix("batch", "--select", "keepalive", "--no-verify")

    assert proc.returncode == 1
    states = {line.split()[1]: line.split()[0] for line in proc.stdout.splitlines()[:-1]}
    assert states == {u: ("failed" if u == billing else "unverified") for u in UNITS}  # --no-verify
    assert "commits gomapfix did not make" in proc.stdout
    assert branches(mono)[billing] == hand
    assert journal(mono)[-1]["state"] == "verified" and any(r["state"] == "failed" for r in journal(mono))
    assert user_state(mono.path, mono.env) == before


def test_open_prs_needs_gh_and_a_push(mono: Mono) -> None:
    path = os.pathsep.join(p for p in mono.env["PATH"].split(os.pathsep) if p != str(mono.home / "bin"))
    no_gh = mono.gomapfix(*RUN, env=dict(mono.env, PATH=path))
    assert no_gh.returncode == 2
    assert len(no_gh.stderr.strip().splitlines()) == 1
    assert "`gh` is not on PATH" in no_gh.stderr and "https://cli.github.com/" in no_gh.stderr
    no_push = mono.gomapfix("batch", "--open-prs")
    assert no_push.returncode == 2
    assert "--open-prs needs --push REMOTE" in no_push.stderr
    assert branches(mono) == {} and not output(mono).exists()
