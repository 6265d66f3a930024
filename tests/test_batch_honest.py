"""`gomapfix batch` says what it did (issue 15): verification levels, repaired packages, states.

A small repository with two cgo packages, each with two keepalive hazards:

  kept/      an ordinary package;
  repaired/  its test fails unless repaired.go keeps its owner alive
             (runtime.KeepAlive): red at the base commit, green after the fixes.

The monorepo of test_git_fixtures (with its bare remote and fake gh) serves the
tests of pushes and pull requests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import GoToolchain
from test_git_fixtures import TEMPLATE, Mono, branches, copy_monorepo, environment, git, make_monorepo

REPAIRED_TEST = """package repaired

import (
	"os"
	"strings"
	"testing"
)

func TestKeptAlive(t *testing.T) {
	data, err := os.ReadFile("repaired.go")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "runtime.KeepAlive(") {
		t.Fatal("repaired.go: the widget may be finalized while C uses it")
	}
}
"""

UNIT = "gomapfix/module/keepalive/root"


@pytest.fixture
def repo(tmp_path: Path, go: GoToolchain) -> Mono:
    env = environment(tmp_path / "home", go)
    path = tmp_path / "hv"
    files = {
        "go.mod": "module example.com/hv\n\ngo 1.22\n",
        "kept/kept.go": TEMPLATE.format(pkg="kept", T="Kept"),
        "repaired/repaired.go": TEMPLATE.format(pkg="repaired", T="Repaired"),
        "repaired/repaired_test.go": REPAIRED_TEST,
    }
    for rel, text in files.items():
        (path / rel).parent.mkdir(parents=True, exist_ok=True)
        (path / rel).write_text(text)
    git(path, "init", "-q", "-b", "main", env=env)
    git(path, "add", "-A", env=env)
    git(path, "commit", "-q", "-m", "two packages", env=env)
    return Mono(path, tmp_path / "none.git", tmp_path / "home", env)


def out_dir(repo: Mono) -> Path:
    return repo.path / ".git" / "gomapfix" / "batch"


def journal(repo: Mono) -> list[dict]:
    return [json.loads(line) for line in (out_dir(repo) / "journal.jsonl").read_text().splitlines()]


def unit_dir(repo: Mono, unit: str = UNIT) -> Path:
    return out_dir(repo) / "units" / unit.replace("/", "--")


def test_verify_test_after_a_build_run_runs_the_tests_and_reports_a_repair(repo: Mono) -> None:
    build = repo.gomapfix("batch", "--select", "keepalive", "--dry-run")
    assert build.returncode == 0, build.stderr
    assert build.stdout.splitlines()[0].split() == [
        "dry-run",
        UNIT,
        "verified",
        "(build);",
        "no",
        "branch",
        "created",
    ]

    test = repo.gomapfix("batch", "--select", "keepalive", "--dry-run", "--verify=test")
    assert test.returncode == 0, test.stderr
    assert "unchanged" not in test.stdout and "skipped" not in test.stderr
    assert test.stdout.splitlines()[0].endswith("verified (test); no branch created")
    verified = [r for r in journal(repo) if r["state"] == "verified"]
    assert [r["verify"] for r in verified] == ["build", "test"]

    manifest = json.loads((unit_dir(repo) / "manifest.json").read_text())
    packages = {p["directory"]: p for p in manifest["packages"]}
    # The test failed at the base and passes after the fixes: run again, and credited.
    assert packages["repaired"]["before"]["test"] is False and packages["repaired"]["after"]["test"] is True
    assert packages["repaired"]["status"] == "repaired" and packages["kept"]["status"] == "ok"
    body = (unit_dir(repo) / "pr-body.md").read_text()
    assert "| `repaired` | pass | pass | pass | fail → pass | failing before gomapfix, **passes after" in body
    assert "already failing before gomapfix" not in body

    # A third run at the test level has nothing new to verify.
    again = repo.gomapfix("batch", "--select", "keepalive", "--dry-run", "--verify=test")
    assert again.returncode == 0 and again.stdout.split()[0] == "unchanged"


def test_branch_reports_a_repaired_package(repo: Mono) -> None:
    proc = repo.gomapfix("branch", "--select", "keepalive", "--verify=test")
    assert proc.returncode == 0, proc.stderr
    assert (
        "verified 2 package(s): 1 ok, 0 reverted, 0 already failing before gomapfix, 1 repaired"
        in proc.stdout
    )
    assert "  repaired: test failed at the base commit and passes after the fixes" in proc.stdout


def test_dry_run_with_push_is_refused(repo: Mono) -> None:
    for flags in (["--push", "origin"], ["--push", "origin", "--open-prs"]):
        proc = repo.gomapfix("batch", "--dry-run", *flags)
        assert proc.returncode == 2
        assert proc.stderr.startswith(
            "gomapfix: --dry-run creates no branch, so it cannot be combined with --push"
        )
        assert len(proc.stderr.splitlines()) == 1
    assert not out_dir(repo).exists()


def test_output_on_an_existing_file_is_a_usage_error(repo: Mono) -> None:
    target = repo.home / "report.txt"
    target.write_text("keep me\n")
    proc = repo.gomapfix("batch", "--select", "keepalive", "--no-verify", "--output", str(target))
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"gomapfix: --output {target}: exists and is not a directory (name a directory)"
    ]
    assert target.read_text() == "keep me\n" and branches(repo) == {}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, go: GoToolchain) -> Mono:
    return make_monorepo(tmp_path_factory.mktemp("template"), go)


@pytest.fixture
def mono(template: Mono, tmp_path: Path, go: GoToolchain) -> Mono:
    return copy_monorepo(template, tmp_path / "copy", go)


PRS = ("batch", "--no-verify", "--push", "origin", "--open-prs", "--pr-interval", "0")


def test_a_logged_out_gh_is_found_before_anything_is_pushed(mono: Mono) -> None:
    proc = mono.gomapfix(*PRS, "--select", "keepalive", env=dict(mono.env, FAKE_GH_LOGGED_OUT="1"))
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1
    assert "gh is not logged in to GitHub" in proc.stderr and "gh auth login" in proc.stderr
    assert branches(mono) == {} and "gomapfix/" not in mono.git("ls-remote", "origin")
    assert mono.gh_calls == []  # no pull request call either


def test_updated_pull_requests_are_reported_as_updated(mono: Mono) -> None:
    first = mono.gomapfix(*PRS, "--select", "keepalive")
    assert first.returncode == 0, first.stderr
    assert {line.split()[0] for line in first.stdout.splitlines()[:-1]} == {"pr-opened"}
    # Forget the journal: the next run finds each pull request open on GitHub and updates it.
    (mono.path / ".git" / "gomapfix" / "batch" / "journal.jsonl").unlink()
    second = mono.gomapfix(*PRS, "--select", "keepalive")
    assert second.returncode == 0, second.stderr
    assert {line.split()[0] for line in second.stdout.splitlines()[:-1]} == {"pr-updated"}
    assert "updated" in second.stderr


def test_titles_name_the_rules_that_changed_something(mono: Mono) -> None:
    proc = mono.gomapfix("batch", "--select", "keepalive,deepcopy,safemap", "--dry-run", "--no-verify")
    assert proc.returncode == 0, proc.stderr
    titles = [p.read_text() for p in (mono.path / ".git/gomapfix/batch/units").glob("*/pr-title.txt")]
    assert titles and all(t.startswith("gomapfix(keepalive): ") for t in titles), titles


def test_batch_and_branch_apply_each_modules_own_configuration(mono: Mono) -> None:
    (mono.path / "services" / "billing" / ".gomapfix.toml").write_text('ignore = ["keepalive"]\n')
    (mono.path / "services" / "render" / ".gomapfix.toml").write_text('exclude = ["font"]\n')
    mono.git("add", "services/billing/.gomapfix.toml", "services/render/.gomapfix.toml")
    mono.git("commit", "-q", "-m", "billing: no keepalive fixes here")
    proc = mono.gomapfix("batch", "--select", "keepalive", "--dry-run", "--no-verify")
    assert proc.returncode == 0, proc.stderr
    units = [line.split()[1] for line in proc.stdout.splitlines()[:-1]]
    assert units == ["gomapfix/module/keepalive/root", "gomapfix/module/keepalive/services-render"]
    manifest = json.loads(
        (unit_dir(mono, "gomapfix/module/keepalive/services-render") / "manifest.json").read_text()
    )
    assert manifest["files"] == ["services/render/canvas/canvas.go"]  # font excluded by render's own file
    branch = mono.gomapfix("branch", "--select", "keepalive", "--no-verify")
    assert branch.returncode == 0, branch.stderr
    changed = mono.git("diff", "--name-only", "HEAD", "gomapfix/keepalive").split()
    assert changed and not [
        c for c in changed if c.startswith(("services/billing/", "services/render/font/"))
    ]
