"""The pure parts of the git commands: CODEOWNERS, shards, modules, journals, trailers, gh pacing."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codemod.gitflow import journal
from codemod.gitflow.codeowners import CodeOwners, reviewer
from codemod.gitflow.gitutil import GitflowError
from codemod.gitflow.prepare import Change, patch_hash, render_patch, trailers
from codemod.gitflow.prs import GhError, GitHub, PullRequest
from codemod.gitflow.units import module_of, owners_slug, parse_shard, shard_of, slug

GITHUB_EXAMPLE = """
# Lines from GitHub's CODEOWNERS documentation.
*       @global-owner1 @global-owner2
*.js    @js-owner #This is an inline comment.
*.go docs@example.com
*.txt @octo-org/octocats
/build/logs/ @doctocat
docs/*  docs@example.com
apps/ @octocat
/docs/ @doctocat
/scripts/ @doctocat @octocat
**/logs @octocat
/apps/ @octocat
/apps/github
!negated @nobody
"""


@pytest.mark.parametrize(
    ("path", "owners"),
    [
        ("README.md", ("@global-owner1", "@global-owner2")),
        ("src/app.js", ("@js-owner",)),
        ("cmd/main.go", ("docs@example.com",)),
        ("notes/a.txt", ("@octo-org/octocats",)),
        ("build/logs/x.log", ("@octocat",)),  # **/logs comes later and wins
        ("build/other/x.log", ("@global-owner1", "@global-owner2")),
        ("docs/getting-started.md", ("@doctocat",)),  # /docs/ is later than docs/*
        ("deep/apps/x.md", ("@octocat",)),  # apps/ matches at any depth
        ("apps/github/x.md", ()),  # no owners: unowned
        ("apps/other/x.md", ("@octocat",)),
        ("scripts/run.sh", ("@doctocat", "@octocat")),
        ("a/b/logs/c.txt", ("@octocat",)),
    ],
)
def test_codeowners_last_matching_rule_wins(path: str, owners: tuple[str, ...]) -> None:
    assert CodeOwners.parse(GITHUB_EXAMPLE).owners(path) == owners


def test_codeowners_star_slash_owns_only_direct_files() -> None:
    rules = CodeOwners.parse("* @all\ndocs/* @writers\n")
    assert rules.owners("docs/a.md") == ("@writers",)
    assert rules.owners("docs/build/b.md") == ("@all",)


def test_codeowners_is_found_where_github_looks(tmp_path: Path) -> None:
    assert CodeOwners.load(tmp_path) is None
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "CODEOWNERS").write_text("* @docs\n")
    (tmp_path / "CODEOWNERS").write_text("* @root\n")
    found = CodeOwners.load(tmp_path)
    assert found is not None and found.source == "CODEOWNERS" and found.owners("x") == ("@root",)


def test_reviewers_are_users_and_teams_not_emails() -> None:
    assert [reviewer(o) for o in ("@alice", "@org/team", "a@example.com", "@")] == [
        "alice",
        "org/team",
        None,
        None,
    ]


@given(st.lists(st.text(min_size=1, max_size=20), unique=True, max_size=60), st.integers(1, 9))
def test_shards_partition_any_set_of_keys(keys: list[str], n: int) -> None:
    shards = [{k for k in keys if shard_of(k, n) == i} for i in range(1, n + 1)]
    assert sum(len(s) for s in shards) == len(keys)
    assert set().union(*shards) == set(keys)
    assert all(shard_of(k, n) == shard_of(k, n) for k in keys)  # deterministic


def test_parse_shard() -> None:
    assert parse_shard("2/8") == (2, 8)
    for bad in ("0/3", "4/3", "1", "a/b", "1/0"):
        with pytest.raises(GitflowError, match="--shard"):
            parse_shard(bad)


def test_module_of_is_the_nearest_module() -> None:
    modules = [".", "services/billing", "services/billing/tools"]
    assert module_of("internal/buf", modules) == "."
    assert module_of("services/billing", modules) == "services/billing"
    assert module_of("services/billing/meter", modules) == "services/billing"
    assert module_of("services/billing/tools/x", modules) == "services/billing/tools"
    assert module_of("services/billingx", modules) == "."
    assert module_of("a", ["b"]) is None


def test_branch_name_parts() -> None:
    assert slug("services/billing") == "services-billing"
    assert owners_slug(("@alice", "@org/payments")) == "alice+org-payments"
    assert owners_slug(()) == "unowned"
    long = slug("x/" * 60)
    assert len(long) <= 60 and long != slug("y/" * 60)


def test_journal_latest_and_torn_lines(tmp_path: Path) -> None:
    j = journal.Journal(tmp_path / "journal.jsonl")
    j.write("a", "planned", planned_hash="h1")
    j.write("a", "verified", planned_hash="h1", commit="c1")
    j.write("b", "planned", planned_hash="h2")
    with open(tmp_path / "journal.jsonl", "a") as f:
        f.write('{"unit": "b", "state": "verif')  # a crash in the middle of a write
    other = journal.Journal(tmp_path / "journal-2-of-2.jsonl")
    other.write("c", "failed", detail="boom")
    files = journal.journal_files([tmp_path])
    assert [f.name for f in files] == ["journal-2-of-2.jsonl", "journal.jsonl"]
    latest = journal.latest(journal.read(files))
    assert {u: r["state"] for u, r in latest.items()} == {"a": "verified", "b": "planned", "c": "failed"}
    assert latest["a"]["commit"] == "c1" and latest["a"]["run"] == j.run
    assert journal.reached(latest["a"], "planned") and not journal.reached(latest["a"], "pushed")
    assert not journal.reached(latest["c"], "planned") and not journal.reached(None, "planned")
    with pytest.raises(ValueError):
        j.write("a", "merged")


def test_trailers_of_a_commit_message() -> None:
    message = "subject\n\nbody: not a trailer line\n\nGomapfix-Version: 0.1.0\nGomapfix-Base: abc\n"
    assert trailers(message) == {"Gomapfix-Version": "0.1.0", "Gomapfix-Base": "abc"}
    assert trailers("subject only") == {}


def test_patch_hash_is_the_hash_of_the_patch_in_path_order() -> None:
    a = Change("b/x.go", b"package b\n", b"package b\n\nvar X int\n")
    b = Change("a/new.go", None, b"package a\n")
    patch = render_patch([a, b])
    assert patch.startswith(b"diff --git a/a/new.go b/a/new.go\nnew file mode 100644\n--- /dev/null\n")
    assert patch_hash([a, b]) == patch_hash([b, a]) != patch_hash([a])


FAKE = """#!{python}
import json, os, sys
state = json.load(open(os.environ["STATE"])) if os.path.exists(os.environ["STATE"]) else {{"n": 0}}
state["n"] += 1
json.dump(state, open(os.environ["STATE"], "w"))
with open(os.environ["LOG"], "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
if sys.argv[1:3] == ["pr", "list"]:
    print("[]")
elif state["n"] in (2, 3):
    sys.stderr.write("API rate limit exceeded for user ID 1.\\n")
    sys.exit(1)
elif sys.argv[1:3] == ["pr", "create"] and os.environ.get("BROKEN"):
    sys.stderr.write("pull request create failed: GraphQL: No commits between main and x\\n")
    sys.exit(1)
else:
    print("https://github.com/o/r/pull/%d" % state["n"])
"""


def test_github_spaces_mutations_and_backs_off_on_rate_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gh = tmp_path / "gh"
    gh.write_text(FAKE.format(python=sys.executable))
    gh.chmod(0o755)
    monkeypatch.setenv("STATE", str(tmp_path / "state.json"))
    monkeypatch.setenv("LOG", str(tmp_path / "log"))
    sleeps: list[float] = []
    client = GitHub(str(gh), tmp_path, interval=30.0, wait=5.0, sleep=sleeps.append)
    pr = PullRequest("u", "label", "gomapfix/x", "title", "body", ("alice", "org/team"))
    body = tmp_path / "body.md"

    url = client.open(pr, "main", body)  # list (1), create answered "rate limited" twice (2, 3), create (4)

    assert url == "https://github.com/o/r/pull/4"
    calls = [json.loads(line) for line in (tmp_path / "log").read_text().splitlines()]
    assert [c[:2] for c in calls] == [["pr", "list"]] + [["pr", "create"]] * 3
    assert calls[-1][calls[-1].index("--reviewer") :] == ["--reviewer", "alice", "--reviewer", "org/team"]
    # Back-off 5s then 10s; each retried mutation also keeps its distance from the previous one.
    assert [round(s) for s in sleeps] == [5, 30, 10, 30]
    sleeps.clear()
    client.open(pr, "main", body)
    assert len(sleeps) == 1 and 29 < sleeps[0] <= 30  # the next mutation waits for the interval

    monkeypatch.setenv("BROKEN", "1")
    with pytest.raises(GhError, match="No commits between main and x"):
        client.open(pr, "main", body)
