"""`gomapfix --interactive` end to end, in a real terminal.

tmux runs `python -m codemod --interactive` on a git copy of
examples/incident; keys go in with `tmux send-keys`, the screen comes back
with `tmux capture-pane`. The test works with whatever findings the
registered transforms report there: it accepts the first fix, rejects the
second, and accepts the rest of each file with "a", and computes the
expected bytes from the same choices with the engine (Options.accepted, and
Options.accepted_fixes for a fix whose finding key an unaccepted finding shares).
Each test has its own tmux server (a private socket), a fixed window size,
and kills the server when done.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import REPO, GoToolchain

from codemod import registry
from codemod.api import collect
from codemod.discovery import discover
from codemod.model import Finding, Fix
from codemod.review.decisions import DIRECTORY, FILENAME, DecisionStore
from codemod.review.plan import make_plan
from codemod.runner import Options

TMUX = shutil.which("tmux") or "/usr/bin/tmux"
TIMEOUT = 30.0
WIDTH, HEIGHT = 160, 50

pytestmark = pytest.mark.skipif(not Path(TMUX).exists(), reason="tmux is not installed")


class Tmux:
    """One private tmux server with one window running a command."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.socket = f"gomapfix-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.cwd = cwd
        self.env = env

    def tmux(self, *args: str) -> str:
        proc = subprocess.run(
            [TMUX, "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=30,
        )
        assert proc.returncode == 0, f"tmux {args}: {proc.stderr}"
        return proc.stdout

    def start(self, command: str) -> None:
        """Run command in a new window; the shell prints its exit status and stays open."""
        shell = f'{command}; echo "gomapfix exited with $?"; sleep 600'
        size = ("-x", str(WIDTH), "-y", str(HEIGHT))
        self.tmux("new-session", "-d", *size, "-c", str(self.cwd), "sh", "-c", shell)

    def screen(self) -> str:
        """Everything the window shows, scrollback included, wrapped lines joined."""
        return self.tmux("capture-pane", "-p", "-J", "-S", "-")

    def wait(self, what: str, ready: Callable[[str], bool]) -> str:
        deadline = time.monotonic() + TIMEOUT
        while True:
            text = self.screen()
            if ready(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; the screen:\n{text}")
            time.sleep(0.05)

    def send(self, key: str) -> None:
        if key in ("Enter", "C-c"):
            self.tmux("send-keys", "-t", "0", key)
        else:
            self.tmux("send-keys", "-t", "0", "-l", key)

    def kill(self) -> None:
        subprocess.run([TMUX, "-L", self.socket, "kill-server"], capture_output=True, timeout=30)


def pending(text: str, question: str) -> bool:
    """Whether the last line on screen is question, still unanswered."""
    lines = [line for line in text.splitlines() if line.strip()]
    return bool(lines) and lines[-1].startswith(f"? {question}") and lines[-1].rstrip().endswith("?")


def flat(text: str) -> str:
    """text with every run of white space made one space (rich wraps long lines at spaces)."""
    return " ".join(text.split())


def exited(text: str) -> int | None:
    for line in text.splitlines():
        if line.startswith("gomapfix exited with "):
            return int(line.split()[-1])
    return None


@pytest.fixture
def incident(tmp_path: Path) -> Path:
    root = tmp_path / "incident"
    shutil.copytree(REPO / "examples" / "incident", root)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


@pytest.fixture
def term(incident: Path) -> Iterator[Tmux]:
    # A short private socket directory: a Unix socket path must fit in 108 bytes,
    # and pytest's tmp_path under xdist can be longer than that.
    sockets = tempfile.mkdtemp(prefix="gmf-tmux-", dir="/tmp")
    env = dict(os.environ)
    env.update(PYTHONPATH=str(REPO), LANG="C.UTF-8", LC_ALL="C.UTF-8", TMUX_TMPDIR=sockets)
    env.pop("TMUX", None)
    t = Tmux(incident, env)
    try:
        yield t
    finally:
        t.kill()
        shutil.rmtree(sockets, ignore_errors=True)


def options(
    accepted: frozenset[tuple[str, str, str, str]] | None = None, by_value: frozenset[Fix] = frozenset()
) -> Options:
    return Options(select=registry.defaults(), unsafe_fixes=True, accepted=accepted, accepted_fixes=by_value)


def reviewable(root: Path) -> list[Finding]:
    report, errors = collect(discover([root]), options(), jobs=1)
    assert not errors
    return [f for f in report.findings if f.fixes]


def engine_result(root: Path, findings: list[Finding], chosen: list[Finding]) -> dict[Path, bytes]:
    """The engine's result with the first fix of each chosen finding, and no other fix.

    A fix is named by key, or by value where an unchosen finding has the same key.
    """
    shared = {f.key for f in findings if f not in chosen} & {f.key for f in chosen}
    keys = frozenset((*f.key, f.fixes[0].message) for f in chosen if f.key not in shared)
    by_value = frozenset(f.fixes[0] for f in chosen if f.key in shared)
    report, errors = collect(discover([root]), options(keys, by_value), jobs=1)
    assert not errors
    out = {p: p.read_bytes() for p in sorted(root.glob("*")) if p.is_file()}
    for o in report.changed_files():
        assert o.result is not None
        out[o.path] = o.result
    return out


def gomapfix_command(*args: str) -> str:
    return shlex.join([sys.executable, "-m", "codemod", "--interactive", *args])


def test_review_in_a_real_terminal(incident: Path, term: Tmux, go: GoToolchain) -> None:
    findings = reviewable(incident)
    assert len(findings) >= 2, "examples/incident should yield at least two fixes to review"
    # The plan: accept the first, reject the second, "a" (accept the rest of
    # the file) at every later question; questions are the ones not covered
    # by an earlier "a".
    script: list[tuple[int, str]] = []
    accepted: list[Finding] = []
    rejected: list[Finding] = []
    rest_of_file: set[Path] = set()
    for n, f in enumerate(findings, 1):
        if f.path in rest_of_file:
            accepted.append(f)
            continue
        key = "y" if n == 1 else "n" if n == 2 else "a"
        script.append((n, key))
        if key == "n":
            rejected.append(f)
            continue
        accepted.append(f)
        if key == "a":
            rest_of_file.add(f.path)
    expected = engine_result(incident, findings, accepted)
    files = list(dict.fromkeys(f.path for f in findings))

    term.start(gomapfix_command("."))
    for n, key in script:
        f = findings[n - 1]
        header = f"fix {n}/{len(findings)} · file {files.index(f.path) + 1}/{len(files)}"
        screen = term.wait(header, lambda s, h=header: h in s and pending(s, "Apply this fix"))
        shown = flat(screen[screen.rindex(header) :])
        assert f"{f.rule} " in shown and f":{f.span.line}" in shown
        assert flat(f.message) in shown and flat(f.fixes[0].message) in shown
        assert "y accept · n reject · a accept rest of file · d skip rest of file · A accept all" in shown
        term.send(key)
    screen = term.wait("the end of the review", lambda s: exited(s) is not None)
    assert exited(screen) == 0, screen
    assert f"accepted {len(accepted)}, rejected 1, skipped 0" in screen

    for path, content in expected.items():
        assert path.read_bytes() == content, f"{path.name} differs from the engine's result"
    decisions = json.loads((incident / DIRECTORY / FILENAME).read_text())["decisions"]
    assert {r["finding"] for r in decisions.values()} == {rejected[0].message}
    go.run("vet", ".", cwd=incident)

    # A second review asks only about fixes that are not remembered as
    # rejected. (A rejected fix whose code an accepted fix has since changed
    # is a new question: here, when it happens, deepcopy's fix of a line that
    # wrap-inner-map rewrote.)
    again = make_plan([incident], options(), DecisionStore.load(incident), jobs=1)
    term.kill()
    term.start(gomapfix_command("."))
    if again.items:
        term.wait("the second review", lambda s: pending(s, "Apply this fix"))
        term.send("q")
    screen = term.wait("the end of the second review", lambda s: exited(s) is not None)
    assert exited(screen) == 0, screen
    intro = f"{len(again.items)} fix(es) to review" if again.items else "no fixes to review"
    assert intro in screen
    if again.remembered:
        assert f"{len(again.remembered)} fix(es) rejected in an earlier review are not asked" in screen
    assert [f.message for f in again.remembered] in ([], [rejected[0].message])


def test_ctrl_c_in_a_real_terminal_writes_nothing(incident: Path, term: Tmux) -> None:
    findings = reviewable(incident)
    assert len(findings) >= 2
    before = {p: p.read_bytes() for p in incident.rglob("*") if p.is_file() and ".git" not in p.parts}
    term.start(gomapfix_command("."))
    term.wait("the first question", lambda s: "fix 1/" in s and pending(s, "Apply this fix"))
    term.send("n")
    term.wait("the second question", lambda s: "fix 2/" in s and pending(s, "Apply this fix"))
    term.send("C-c")
    screen = term.wait("the abort", lambda s: exited(s) is not None)
    assert exited(screen) == 130, screen
    assert "review aborted; nothing was written" in screen
    after = {p: p.read_bytes() for p in incident.rglob("*") if p.is_file() and ".git" not in p.parts}
    assert after == before  # no source change, no decisions file


def test_editor_gets_the_terminal(incident: Path, term: Tmux, tmp_path: Path) -> None:
    """$EDITOR runs on the terminal: a fake editor reads a line typed into the window."""
    editor = tmp_path / "editor.sh"
    editor.write_text(
        '#!/bin/sh\nprintf "fake editor> "\nread -r line </dev/tty\nprintf "// %s\\n" "$line" >>"$1"\n'
    )
    editor.chmod(0o755)
    findings = reviewable(incident)
    f = findings[0]
    proposed = engine_result(incident, findings, [f])[f.path]
    term.start(f"EDITOR={shlex.quote(str(editor))} {gomapfix_command('.')}")
    term.wait("the first question", lambda s: "fix 1/" in s and pending(s, "Apply this fix"))
    term.send("e")
    term.wait("the editor", lambda s: s.rstrip().endswith("fake editor>"))
    term.send("checked by hand")
    term.send("Enter")
    screen = term.wait("the edited diff", lambda s: pending(s, "Use the edited file"))
    assert "+// checked by hand" in screen
    term.send("y")

    def next_question_or_end(s: str) -> bool:
        asked = pending(s, "Apply this fix") and s.rfind("Apply this fix") > s.rfind("Use the edited file")
        return asked or exited(s) is not None

    if exited(term.wait("the next question or the end", next_question_or_end)) is None:
        term.send("q")
    screen = term.wait("the end", lambda s: exited(s) is not None)
    assert exited(screen) == 0, screen
    assert f.path.read_bytes() == proposed + b"// checked by hand\n"


def test_editing_a_fix_that_overlaps_an_accepted_one(incident: Path, term: Tmux, tmp_path: Path) -> None:
    """Issue 15: accept wrap-inner-map, then `e` on deepcopy's overlapping fix in cache.go.

    The editor opens on the code that will be written (the wrap and the copy), and the
    file written keeps the copy: the race it fixes is not lost.
    """
    editor = tmp_path / "editor.sh"
    seen = tmp_path / "seen.go"
    editor.write_text(f'#!/bin/sh\ncp "$1" {shlex.quote(str(seen))}\nprintf "// edited\\n" >>"$1"\n')
    editor.chmod(0o755)
    command = gomapfix_command(".", "--extend-select", "wrap-inner-map")
    term.start(f"EDITOR={shlex.quote(str(editor))} {command}")
    screen = term.wait("the wrap", lambda s: "fix 1/" in s and pending(s, "Apply this fix"))
    assert "wrap-inner-map safe cache.go:8" in flat(screen)
    term.send("y")
    screen = term.wait("deepcopy's fix", lambda s: "fix 2/" in s and pending(s, "Apply this fix"))
    shown = screen[screen.rindex("fix 2/") :]
    assert "deepcopy  safe  cache.go:" in shown
    # Shown against the code that will be written: the wrapped return is what changes.
    assert "- return c.m[team].data + return maps.Clone(c.m[team].data)" in flat(shown)
    term.send("e")
    screen = term.wait("the edited diff", lambda s: pending(s, "Use the edited file"))
    term.send("y")
    term.wait("the next question", lambda s: "fix 3/" in s and pending(s, "Apply this fix"))
    term.send("q")
    screen = term.wait("the end", lambda s: exited(s) is not None)
    assert exited(screen) == 0, screen
    assert "accepted 2 (1 edited by hand)" in screen
    opened = seen.read_text()
    assert "\treturn maps.Clone(c.m[team].data)\n" in opened and "type mInner struct" in opened
    assert (incident / "cache.go").read_text() == opened + "// edited\n"


def test_color_auto_in_a_real_terminal_and_no_color(incident: Path, term: Tmux) -> None:
    """--color auto colours the diff on a terminal, and NO_COLOR turns it off (issue 15)."""
    plain = shlex.join([sys.executable, "-m", "codemod", "--no-cache", "--no-progress", "."])
    term.start(f"{plain}; NO_COLOR=1 {plain}")
    screen = term.wait("both runs", lambda s: exited(s) is not None and s.count("scanned") == 2)
    coloured = term.tmux("capture-pane", "-p", "-e", "-J", "-S", "-")  # with the escape sequences
    first, second = coloured.split("8 scanned", 1)
    assert "\x1b[32m+" in first and "runtime.KeepAlive(w)" in first  # auto: a terminal
    assert "runtime.KeepAlive(w)" in second and "\x1b[32m+" not in second and "\x1b[31m" not in second
    assert "[no fix]" in screen
