"""The command-line conventions users bring from ruff, golangci-lint and ast-grep (issue 15).

Runs the real command line on a copy of examples/incident: six findings, five
with a safe fix, and a map-to-c error that has none.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, GoToolchain, gomapfix

from codemod import clioutput


@pytest.fixture
def incident(tmp_path: Path) -> Path:
    root = tmp_path / "incident"
    shutil.copytree(REPO / "examples" / "incident", root)
    return root


def run(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return gomapfix("--no-cache", *args, cwd=root, text=True, env=env)


# --- never hide a finding -------------------------------------------------------


def test_every_finding_is_listed_on_stderr_after_the_diff(incident: Path) -> None:
    dry = run(incident)
    assert dry.returncode == 0, dry.stderr
    lines = dry.stderr.splitlines()
    no_fix = [line for line in lines if line.endswith("[no fix]")]
    assert len(no_fix) == 1 and no_fix[0].startswith("publish.go:25:21: map-to-c: error: s.members")
    assert sum(line.endswith("[would fix]") for line in lines) == 5
    assert lines[-1] == "gomapfix: 6 finding(s), 5 would be fixed; 3 file(s) would change; 8 scanned"
    assert "diff --git" in dry.stdout and "[would fix]" not in dry.stdout  # stdout stays a patch
    wrote = run(incident, "--write")
    assert sum(line.endswith("[fixed]") for line in wrote.stderr.splitlines()) == 5
    assert "5 fixed; 3 file(s) changed" in wrote.stderr
    assert run(incident, "--quiet").stderr == ""
    as_json = run(incident, "--format", "json")  # a format that lists the findings itself
    assert "[no fix]" not in as_json.stderr


# --- statistics, exit status, outputs -------------------------------------------


def test_statistics(incident: Path) -> None:
    proc = run(incident, "--statistics")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "3  keepalive  3 would fix",
        "1  deepcopy   1 would fix",
        "1  map-to-c   0 would fix",
        "1  safemap    1 would fix",
        "6  total      5 would fix",
    ]
    assert "diff --git" not in proc.stdout
    assert run(incident, "--statistics", "--check").returncode == 1
    with_file = run(incident, "--statistics", "--format", "diff", "--format", "json:findings.json")
    assert with_file.stdout == proc.stdout  # statistics in place of the diff; the file is written
    assert len(json.loads((incident / "findings.json").read_text())["findings"]) == 6


def test_exit_zero(incident: Path) -> None:
    assert run(incident, "--check", "-q").returncode == 1
    assert run(incident, "--check", "--exit-zero", "-q").returncode == 0
    assert run(incident, "--check", "--exit-zero", "--select", "nosuch").returncode == 2  # errors still 2


def test_several_formats_in_one_run(incident: Path) -> None:
    plain = run(incident)
    as_json = run(incident, "--format", "json")
    proc = run(
        incident, "--format", "diff", "--format", "sarif:out/gomapfix.sarif", "--format", "json:x.json"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == plain.stdout
    assert (incident / "x.json").read_text() == as_json.stdout
    sarif = json.loads((incident / "out" / "gomapfix.sarif").read_text())
    assert sarif["version"] == "2.1.0" and len(sarif["runs"][0]["results"]) == 6
    to_file = run(incident, "--format", "sarif", "--output-file", "only.sarif")
    assert to_file.stdout == "" and json.loads((incident / "only.sarif").read_text())["version"] == "2.1.0"
    both = run(incident, "--format", "text", "--format", "json")
    assert both.returncode == 2
    assert both.stderr.strip() == (
        "gomapfix: --format: text, json would all go to stdout; give all but one a file (FORMAT:FILE)"
    )
    typo = run(incident, "--format", "sarf")
    assert typo.returncode == 2 and "unknown format 'sarf' (did you mean sarif?)" in typo.stderr


def test_color(incident: Path) -> None:
    piped = run(incident)
    assert "\x1b[" not in piped.stdout + piped.stderr  # auto: not a terminal
    always = run(incident, "--color", "always")
    assert "\x1b[32m+\treturn maps.Clone(c.m[team])\x1b[0m" in always.stdout
    assert "\x1b[33m[no fix]\x1b[0m" in always.stderr
    applied = subprocess.run(["git", "apply", "--check", "-"], input=piped.stdout, cwd=incident, text=True)
    assert applied.returncode == 0
    assert "\x1b[" not in run(incident, "--color", "never").stdout


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_color_auto_follows_the_terminal_and_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert clioutput.use_color("auto", Terminal()) is True
    assert clioutput.use_color("auto", io.StringIO()) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert clioutput.use_color("auto", Terminal()) is False
    assert clioutput.use_color("always", io.StringIO()) is True  # the flag wins over NO_COLOR
    monkeypatch.setenv("NO_COLOR", "")
    assert clioutput.use_color("auto", Terminal()) is True  # set but empty: not honoured (no-color.org)
    assert clioutput.use_color("never", Terminal()) is False


# --- flags ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (["--unsafe-fix"], "unrecognized argument --unsafe-fix (did you mean --unsafe-fixes?)"),
        (["--fix"], "unrecognized argument --fix (did you mean --write?)"),
        (["--selct", "keepalive"], "unrecognized argument --selct (did you mean --select?)"),
        (["--no-colour"], "unrecognized argument --no-colour (did you mean --color never?)"),
        (["bach"], "bach: no such file or directory (did you mean `gomapfix batch`?)"),
        (["expain", "keepalive"], "expain: no such file or directory (did you mean `gomapfix explain`?)"),
        (["--config", "x.toml", "--no-config"], "--config and --no-config cannot be combined"),
        (["--list-transforms", "--write"], "--list-transforms prints information and exits; it cannot be"),
        (["--show-settings", "cache.go", "--check"], "--show-settings prints information and exits"),
        (["--reason", "x"], "--reason goes with --add-ignore"),
        (["--select", "keepalve"], "unknown transform or rule 'keepalve' (did you mean 'keepalive'?)"),
        (["--add-ignore", "--write"], "--add-ignore cannot be combined with --write"),
    ],
)
def test_flag_errors(incident: Path, args: list[str], message: str) -> None:
    before = {p: p.read_bytes() for p in incident.iterdir()}
    proc = run(incident, *args)
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1 and message in proc.stderr, proc.stderr
    assert {p: p.read_bytes() for p in incident.iterdir()} == before


def test_a_misspelt_rule_for_explain(incident: Path) -> None:
    proc = gomapfix("explain", "deepcoppy", cwd=incident, text=True)
    assert proc.returncode == 2
    assert proc.stderr.startswith("gomapfix: unknown rule 'deepcoppy' (did you mean 'deepcopy'?) (known: ")
    late = run(incident, "explain", "keepalive")  # a subcommand goes first: after a flag it is a path
    assert late.stderr == "gomapfix: explain: no such file or directory (did you mean `gomapfix explain`?)\n"


def test_no_abbreviations_in_subcommands(incident: Path) -> None:
    proc = gomapfix("batch", "--dry", cwd=incident, text=True)  # once an abbreviation of --dry-run
    assert proc.returncode == 2
    assert proc.stderr == (
        "gomapfix: unrecognized argument --dry (did you mean --dry-run?); see gomapfix batch --help\n"
    )


def test_write_check_fixes_then_fails(incident: Path) -> None:
    proc = run(incident, "--write", "--check")
    assert proc.returncode == 1  # fixed, and something was found
    assert "runtime.KeepAlive(w)" in (incident / "widget_ops.go").read_text()
    again = run(incident, "--write", "--check")
    assert again.returncode == 1  # the map-to-c error has no fix: it still fails
    assert run(incident, "--write", "--check", "--ignore", "map-to-c").returncode == 0


def test_an_empty_selection_says_so(incident: Path) -> None:
    proc = run(incident, "--check", "--select", "keepalive", "--ignore", "keepalive")
    assert proc.returncode == 0
    assert (
        "gomapfix: warning: no rule is selected (select, extend-select and ignore of the flags leave none); "
        "nothing is checked"
    ) in proc.stderr


# --- adoption ------------------------------------------------------------------


def test_add_ignore_silences_every_current_finding(incident: Path, go: GoToolchain) -> None:
    proc = run(incident, "--add-ignore", "--reason", "adopted in #42; burn down later")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines()[-1] == (
        "gomapfix: added 6 //gomapfix:ignore directive(s) in 4 file(s), silencing 6 finding(s)"
    )
    ops = (incident / "widget_ops.go").read_text()
    assert "\t//gomapfix:ignore keepalive -- adopted in #42; burn down later\n\tC.widget_touch(w.c)\n" in ops
    check = run(incident, "--check")
    assert check.returncode == 0 and check.stdout == "", check.stderr
    assert go.gofmt_list(incident) == []
    go.run("vet", ".", cwd=incident)
    again = run(incident, "--add-ignore")
    assert "added 0 //gomapfix:ignore directive(s)" in again.stderr
    assert run(incident, "--check", "--report-unused-ignores").returncode == 0  # none is unused


def test_add_ignore_adds_to_a_directive_already_there(incident: Path) -> None:
    ops = incident / "widget_ops.go"
    text = ops.read_text()
    ops.write_text(
        text.replace("\tC.widget_touch(w.c)\n", "\tC.widget_touch(w.c) //gomapfix:ignore safemap\n")
    )
    proc = run(incident, "--add-ignore", "--select", "keepalive")
    assert proc.returncode == 0, proc.stderr
    assert "\tC.widget_touch(w.c) //gomapfix:ignore safemap,keepalive\n" in ops.read_text()


def test_the_diff_applies_with_git_apply_from_a_subdirectory(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(REPO / "examples" / "incident", repo / "services" / "incident")
    for command in (["init", "-q"], ["add", "-A"]):
        subprocess.run(["git", *command], cwd=repo, check=True)
    sub = repo / "services" / "incident"
    proc = gomapfix("--no-cache", "-q", cwd=sub, text=True)
    assert "--- a/services/incident/widget_ops.go" in proc.stdout  # as `git diff` writes it
    applied = subprocess.run(
        ["git", "apply", "-v", "-"], input=proc.stdout, cwd=sub, text=True, capture_output=True
    )
    assert applied.returncode == 0 and "Skipped" not in applied.stderr, applied.stderr
    assert "runtime.KeepAlive(w)" in (sub / "widget_ops.go").read_text()
    assert gomapfix("--no-cache", "-q", cwd=sub, text=True).stdout == ""
