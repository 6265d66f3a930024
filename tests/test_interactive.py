"""The interactive review, driven key by key through prompt_toolkit's pipe input.

Every question of a session is a real questionary prompt reading from a
prompt_toolkit pipe (one key sent per question) and writing to DummyOutput;
the screen is a rich Console rendering into a string. Results are checked
byte for byte against the engine's own application of the same accepted
fixes (Options.accepted), and built with the real Go toolchain.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pytest
from conftest import GoToolchain, fake_doc, gomapfix, register, write_module
from prompt_toolkit.input import PipeInput, create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from codemod import cli, registry, ruledoc
from codemod.api import collect
from codemod.discovery import discover
from codemod.model import Edit, Finding, Fix, Safety
from codemod.review.decisions import DIRECTORY, FILENAME
from codemod.review.interactive import ReviewResult, run_review
from codemod.review.prompt import TAB, questionary_prompt
from codemod.review.session import Aborted
from codemod.runner import Options
from codemod.transform import finding

OPS_H = """\
typedef struct { int hits; } widget_state;
static inline void widget_touch(widget_state *s) { s->hits++; }
static inline int widget_hits(widget_state *s) { return s->hits; }
static inline void widget_reset(widget_state *s) { s->hits = 0; }
"""

WIDGET_GO = """\
package widget

/*
#include <stdlib.h>
#include "ops.h"
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// Widget owns C memory, released by its finalizer.
type Widget struct{ c *C.widget_state }

// New allocates a widget.
func New() *Widget {
	w := &Widget{c: (*C.widget_state)(C.calloc(1, C.sizeof_widget_state))}
	runtime.SetFinalizer(w, func(w *Widget) { C.free(unsafe.Pointer(w.c)) })
	return w
}
"""

OPS_GO = """\
package widget

// #include "ops.h"
import "C"

import "fmt"

// Touch records one use.
func (w *Widget) Touch() {
	C.widget_touch(w.c)
}

// Reset forgets every use.
func (w *Widget) Reset() {
	C.widget_reset(w.c)
}

// Describe formats the widget.
func (w *Widget) Describe() string {
	C.widget_touch(w.c)
	return fmt.Sprint("widget")
}
"""

MORE_GO = """\
package widget

// #include "ops.h"
import "C"

// Hits reports how often the widget was used.
func (w *Widget) Hits() int {
	return int(C.widget_hits(w.c))
}

// ResetAll resets every widget.
func ResetAll(ws []*Widget) {
	for _, w := range ws {
		C.widget_reset(w.c)
	}
}
"""

FILES = {"ops.h": OPS_H, "widget.go": WIDGET_GO, "ops.go": OPS_GO, "more.go": MORE_GO}
SELECT = ("keepalive",)

Key = tuple[str, str, str, str]


class ScriptedKeys:
    """A Prompt that sends one scripted key into a pipe, then runs the real questionary prompt."""

    def __init__(self, pipe: PipeInput, keys: Iterable[str]) -> None:
        self.pipe = pipe
        self.keys = list(keys)
        self.asked: list[str] = []
        self._ask = questionary_prompt(input=pipe, output=DummyOutput())

    def __call__(self, message: str, keys: Sequence[str]) -> str:
        assert self.keys, f"unexpected question {message!r} after the script ended"
        self.asked.append(message)
        self.pipe.send_text(self.keys.pop(0))
        return self._ask(message, keys)


@pytest.fixture
def pipe() -> Iterator[PipeInput]:
    with create_pipe_input() as p:
        yield p


@pytest.fixture
def module(tmp_path: Path) -> Path:
    root = write_module(tmp_path / "widget", FILES, go_version="1.22")
    return root


def dry_run(root: Path, select: tuple[str, ...] = SELECT) -> list[Finding]:
    report, errors = collect(discover([root]), Options(select=select, unsafe_fixes=True), jobs=1)
    assert not errors
    return [f for f in report.findings if f.fixes]


def engine_result(
    root: Path, accepted: Iterable[Key], select: tuple[str, ...] = SELECT, by_value: Iterable[Fix] = ()
) -> dict[Path, bytes]:
    """Every .go file's content after the engine applies exactly the accepted fixes (nothing written).

    accepted names fixes by key; by_value names fixes whose key another,
    unaccepted finding shares (Options.accepted_fixes).
    """
    options = Options(
        select=select, unsafe_fixes=True, accepted=frozenset(accepted), accepted_fixes=frozenset(by_value)
    )
    report, errors = collect(discover([root]), options, jobs=1)
    assert not errors
    out = {p: p.read_bytes() for p in sorted(root.rglob("*.go"))}
    for o in report.changed_files():
        assert o.result is not None
        out[o.path] = o.result
    return out


def key(f: Finding, n: int = 0) -> Key:
    return (*f.key, f.fixes[n].message)


def snapshot(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def review(
    root: Path, pipe: PipeInput, keys: Sequence[str], forget: bool = False, select: tuple[str, ...] = SELECT
) -> tuple[ReviewResult, str, ScriptedKeys]:
    prompt = ScriptedKeys(pipe, keys)
    buf = io.StringIO()
    console = Console(file=buf, width=400, force_terminal=False, color_system=None)  # no wrapping
    result = run_review([root], Options(select=select), prompt, console, forget=forget, jobs=1)
    assert not prompt.keys, f"keys left over: {prompt.keys}"
    return result, buf.getvalue(), prompt


def decisions(root: Path) -> Path:
    return root / DIRECTORY / FILENAME


def test_fixture_findings(module: Path) -> None:
    found = dry_run(module)
    # Touch and Describe: the same call, the same message, so one finding key.
    assert found[2].key == found[4].key
    assert [(f.path.name, f.span.line) for f in found] == [
        ("more.go", 8),
        ("more.go", 14),
        ("ops.go", 10),
        ("ops.go", 15),
        ("ops.go", 20),
    ]


def test_accept_reject_accept_rest_and_skip_rest(module: Path, pipe: PipeInput, go: GoToolchain) -> None:
    found = dry_run(module)
    # more.go: skip both (d); ops.go: reject, then accept this and the rest of the file (a).
    # Touch (rejected) and Describe (accepted) share a finding key, so
    # Describe's fix must be applied by value, and Touch's must not be applied.
    expected = engine_result(module, [key(found[3])], by_value=[found[4].fixes[0]])
    result, screen, prompt = review(module, pipe, ["d", "n", "a"])
    assert result.status == 0
    for path, content in expected.items():
        assert path.read_bytes() == content, path
    ops = (module / "ops.go").read_text()
    assert "func (w *Widget) Touch() {\n\tC.widget_touch(w.c)\n}\n" in ops
    assert "\tC.widget_reset(w.c)\n\truntime.KeepAlive(w)\n" in ops
    assert "\tC.widget_touch(w.c)\n\truntime.KeepAlive(w)\n\treturn fmt.Sprint" in ops
    assert (module / "more.go").read_text() == MORE_GO
    assert result.written == [module / "ops.go"]
    out = result.outcome
    assert out is not None
    assert [i.number for i, _ in out.accepted] == [4, 5]
    assert [i.number for i in out.rejected] == [3]
    assert [i.number for i in out.skipped] == [1, 2]
    assert len(prompt.asked) == 3
    # the screen: progress, rule, safety, place, messages, diff, help line, summary
    assert "fix 1/5 · file 1/2" in screen and "fix 3/5 · file 2/2" in screen
    assert "fix 5/5" not in screen  # accepted by "a", never shown
    assert "keepalive  safe  ops.go:10" in screen
    assert found[2].message in screen and f"fix: {found[2].fixes[0].message}" in screen
    assert re.search(r"^\+\s+runtime\.KeepAlive\(w\)$", screen, re.M)
    assert "y accept · n reject · a accept rest of file · d skip rest of file · A accept all" in screen
    assert "accepted 2, rejected 1, skipped 2" in screen
    assert "wrote 1 file(s): ops.go" in screen
    # only the rejection is remembered, in committable JSON
    text = decisions(module).read_text()
    assert text.endswith("}\n") and '"version": 1' in text and '"decision": "rejected"' in text
    assert found[2].message in text and found[3].message not in text
    go.run("vet", ".", cwd=module)


def test_accept_all_equals_write(module: Path, pipe: PipeInput, tmp_path: Path) -> None:
    twin = tmp_path / "twin"
    shutil.copytree(module, twin)
    result, screen, prompt = review(module, pipe, ["A"])
    assert len(prompt.asked) == 1
    assert result.outcome is not None and len(result.outcome.accepted) == 5
    proc = gomapfix("--write", "--unsafe-fixes", "--select", "keepalive", ".", cwd=twin)
    assert proc.returncode == 0, proc.stderr
    for p in sorted(twin.glob("*.go")):
        assert (module / p.name).read_bytes() == p.read_bytes(), p.name
    assert not decisions(module).exists()


def test_quit_writes_only_what_was_accepted(module: Path, pipe: PipeInput) -> None:
    found = dry_run(module)
    expected = engine_result(module, [key(found[0])])
    result, screen, _ = review(module, pipe, ["y", "q"])
    assert result.outcome is not None and result.outcome.quit
    assert [i.number for i in result.outcome.skipped] == [2, 3, 4, 5]
    for path, content in expected.items():
        assert path.read_bytes() == content
    assert (module / "ops.go").read_text() == OPS_GO
    assert "(quit early)" in screen
    assert not decisions(module).exists()


@pytest.mark.parametrize("abort_key, status", [("x", 1), ("\x03", 130), ("\x04", 130)])
def test_abort_writes_nothing(module: Path, pipe: PipeInput, abort_key: str, status: int) -> None:
    before = snapshot(module)
    with pytest.raises(Aborted) as info:
        review(module, pipe, ["y", "n", abort_key])
    assert info.value.status == status
    assert snapshot(module) == before  # no source file, no decisions file
    assert not (module / DIRECTORY).exists()


def test_explain_then_decide(module: Path, pipe: PipeInput) -> None:
    found = dry_run(module)
    result, screen, prompt = review(module, pipe, ["?", "d", "q"])
    assert prompt.asked[0] == prompt.asked[1]  # explain re-asks the same question
    assert screen.count("fix 1/5") == 1  # not re-rendered
    # the explanation: the finding's message again, then `gomapfix explain keepalive`
    assert screen.count(found[0].message) == 2
    explained = ruledoc.explain(registry.docs()["keepalive"])
    for line in ("What it finds", "Why it matters", "The fix", "//gomapfix:ignore keepalive -- reason"):
        assert line in explained and line in screen
    assert result.written == []


def test_rejections_are_remembered_and_forgotten(module: Path, pipe: PipeInput) -> None:
    found = dry_run(module)
    # Reject ops.go's second fix but accept the first and third: on disk, the
    # rejected fix then no longer carries the `import "runtime"` edit, and
    # must still count as rejected.
    review(module, pipe, ["d", "y", "n", "y"])
    left = dry_run(module)
    assert [f.path.name for f in left] == ["more.go", "more.go", "ops.go"]
    assert left[2].message == found[3].message
    assert not any(e.text == b'\n\t"runtime"' for e in left[2].fixes[0].edits)
    result, screen, prompt = review(module, pipe, ["d"])
    assert "1 fix(es) rejected in an earlier review are not asked again" in screen
    assert "fix 1/2 · file 1/1" in screen and found[3].message not in screen
    # --forget-decisions: asked again; quitting leaves no rejection, so the file goes away
    result, screen, prompt = review(module, pipe, ["d", "q"], forget=True)
    assert "fix 3/3 · file 2/2" in screen and found[3].message in screen
    assert not decisions(module).exists()


def test_no_fixes_to_review(tmp_path: Path, pipe: PipeInput) -> None:
    root = write_module(tmp_path / "plain", {"a.go": "package a\n\nfunc A() {}\n"})
    result, screen, prompt = review(root, pipe, [])
    assert result.outcome is None and result.status == 0
    assert "no fixes to review" in screen and prompt.asked == []


# --- $EDITOR ----------------------------------------------------------------


def fake_editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> Path:
    """Set $EDITOR to a Python script whose body edits the file named by sys.argv[1]."""
    script = tmp_path / "editor.py"
    script.write_text(f"import sys\npath = sys.argv[1]\n{body}\n")
    log = tmp_path / "editor.log"
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)
    return log


APPEND_COMMENT = """\
with open(path, "a") as f:
    f.write("\\n// Reviewed by hand.\\n")
"""


def test_editor_round_trip(
    module: Path, pipe: PipeInput, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, go: GoToolchain
) -> None:
    fake_editor(tmp_path, monkeypatch, APPEND_COMMENT)
    found = dry_run(module)
    # more.go: skip; ops.go: accept the first fix, edit the second (the editor
    # sees the file with both applied), use the edit: the third is then skipped.
    proposed = engine_result(module, [key(found[3])], by_value=[found[2].fixes[0]])[module / "ops.go"]
    assert "Touch() {\n\tC.widget_touch(w.c)\n\truntime.KeepAlive(w)\n}" in proposed.decode()
    assert "\tC.widget_touch(w.c)\n\treturn fmt.Sprint" in proposed.decode()  # not Describe
    result, screen, prompt = review(module, pipe, ["d", "y", "e", "y"])
    assert (module / "ops.go").read_bytes() == proposed + b"\n// Reviewed by hand.\n"
    assert (module / "more.go").read_text() == MORE_GO
    out = result.outcome
    assert out is not None and list(out.edited) == [module / "ops.go"]
    assert [i.number for i in out.skipped] == [1, 2, 5]
    assert "+// Reviewed by hand." in screen  # re-diffed against the original
    assert prompt.asked[-1] == "Use the edited file [y,n,e,x]?"
    assert "1 edited by hand" in screen
    go.run("vet", ".", cwd=module)


def test_editor_syntax_error_is_refused(
    module: Path, pipe: PipeInput, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_editor(tmp_path, monkeypatch, 'open(path, "a").write("func {\\n")')
    found = dry_run(module)
    expected = engine_result(module, [key(found[0])])
    # edit -> syntax error -> edit again (still broken) -> discard -> accept normally
    result, screen, prompt = review(module, pipe, ["e", "e", "n", "y", "q"])
    assert screen.count("the edited file has a syntax error at line") == 2
    assert prompt.asked[1:3] == ["Edit again [e,n,x]?", "Edit again [e,n,x]?"]
    assert screen.count("fix 1/5 · file 1/2") == 2  # shown again after the discarded edit
    for path, content in expected.items():
        assert path.read_bytes() == content
    assert result.outcome is not None and not result.outcome.edited


def test_ctrl_c_after_editing_writes_nothing(
    module: Path, pipe: PipeInput, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_editor(tmp_path, monkeypatch, APPEND_COMMENT)
    before = snapshot(module)
    with pytest.raises(Aborted):
        review(module, pipe, ["y", "e", "\x03"])
    assert snapshot(module) == before


def test_failing_editor_discards(
    module: Path, pipe: PipeInput, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_editor(tmp_path, monkeypatch, APPEND_COMMENT + "sys.exit(3)")
    result, screen, _ = review(module, pipe, ["e", "n", "q"])
    assert "exited with status 3; edit discarded" in screen
    assert result.outcome is not None and not result.outcome.edited


# --- alternatives -------------------------------------------------------------


class TodoTransform:
    """A test transform with two alternative fixes per `// TODO` comment."""

    doc = fake_doc("todo", "test transform: TODO comments")
    name = "todo"
    prefilter = ((b"// TODO",),)

    def run(self, pkg):  # type: ignore[no-untyped-def]
        for f in pkg.files:
            start = 0
            while (at := f.content.find(b"// TODO", start)) >= 0:
                end = f.content.index(b"\n", at)
                start = end
                text = f.content[at:end].decode()
                yield finding(
                    self.name,
                    f,
                    (at, end),
                    f"TODO comment: {text[8:].strip()}",
                    [
                        Fix("delete the comment", (Edit(f.path, at, end, b"// (removed)"),)),
                        Fix("mark it done", (Edit(f.path, at, at + 7, b"// DONE"),), Safety.UNSAFE),
                    ],
                )


@pytest.fixture
def todo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    register(monkeypatch, TodoTransform())
    funcs = "".join(f"\n// TODO {n}\nfunc {n.upper()}() {{}}\n" for n in ("first", "second", "third"))
    src = "package a\n" + funcs
    return write_module(tmp_path / "todo", {"a.go": src})


def test_alternatives(todo: Path, pipe: PipeInput) -> None:
    found = dry_run(todo, ("todo",))
    assert [len(f.fixes) for f in found] == [2, 2, 2]
    expected = engine_result(todo, [key(found[0], 1), key(found[1], 0), key(found[2], 1)], ("todo",))
    # 1: Tab to the second, y. 2: Tab, Tab (back to the first), y. 3: "2", then "a".
    result, screen, prompt = review(todo, pipe, [TAB, "y", TAB, TAB, "y", "2", "a"], select=("todo",))
    assert (todo / "a.go").read_bytes() == expected[todo / "a.go"]
    text = (todo / "a.go").read_text()
    assert "// DONE first" in text and "// (removed)\nfunc SECOND" in text and "// DONE third" in text
    assert screen.count("[alternative 2/2: Tab or 1-2]") == 3
    assert screen.count("UNSAFE") == 3
    assert "Tab next alternative · 1-2 pick alternative" in screen
    assert result.outcome is not None and "1 unsafe" not in screen and "2 unsafe" in screen


def test_rejecting_rejects_every_alternative(todo: Path, pipe: PipeInput) -> None:
    review(todo, pipe, [TAB, "n", "d"], select=("todo",))
    result, screen, prompt = review(todo, pipe, ["d"], select=("todo",))
    assert "fix 1/2" in screen and "1 fix(es) rejected in an earlier review" in screen


class ShoutTransform:
    """A test transform whose fix overlaps TodoTransform's: TODO -> FIXME."""

    doc = fake_doc("shout", "test transform: TODO to FIXME")
    name = "shout"
    prefilter = ((b"// TODO",),)

    def run(self, pkg):  # type: ignore[no-untyped-def]
        for f in pkg.files:
            at = f.content.find(b"// TODO first")
            if at >= 0:
                edit = Edit(f.path, at + 3, at + 7, b"FIXME")
                yield finding(self.name, f, (at + 3, at + 7), "TODO is too quiet", [Fix("shout it", (edit,))])


def test_overlapping_fixes(todo: Path, pipe: PipeInput, monkeypatch: pytest.MonkeyPatch) -> None:
    register(monkeypatch, ShoutTransform())
    select = ("todo", "shout")
    found = dry_run(todo, select)
    assert [f.rule for f in found] == ["todo", "shout", "todo", "todo"]
    # The first fix is shown with a note about the later one; after accepting it,
    # the later one is looked for on the changed code, where it is gone: it is
    # skipped with a note instead of being asked about (and then not applied).
    result, screen, prompt = review(todo, pipe, ["y", "y", "d"], select=select)
    assert "note: this fix overlaps fix 2 (shout at a.go:3): if you accept both, fix 2 is shown" in screen
    assert "fix 2/4 (shout at a.go:3) is skipped: the fixes you accepted change its code" in screen
    assert screen.count("Apply this fix") == 0 and len(prompt.asked) == 3
    expected = engine_result(todo, [key(found[0]), key(found[2])], select)
    assert (todo / "a.go").read_bytes() == expected[todo / "a.go"]
    assert b"// (removed)\nfunc FIRST" in expected[todo / "a.go"]
    assert b"// (removed)\nfunc SECOND" in expected[todo / "a.go"]
    assert result.status == 0 and not result.unapplied
    assert result.outcome is not None and [i.number for i in result.outcome.skipped] == [2, 4]


# --- the command line ---------------------------------------------------------


def test_interactive_needs_a_terminal(module: Path) -> None:
    before = snapshot(module)
    proc = subprocess.run(
        [sys.executable, "-m", "codemod", "--interactive", "."],
        cwd=module,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
        timeout=60,
    )
    assert proc.returncode == 2
    lines = proc.stderr.decode().splitlines()
    assert len(lines) == 1 and "terminal" in lines[0], proc.stderr
    assert snapshot(module) == before


def test_forget_decisions_alone(
    module: Path, pipe: PipeInput, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    review(module, pipe, ["n", "q"])
    assert decisions(module).exists()
    monkeypatch.chdir(module)
    assert cli.main(["--forget-decisions", "."]) == 0
    assert capsys.readouterr().err == "gomapfix: forgot the decisions in .gomapfix/decisions.json\n"
    assert not decisions(module).exists() and not (module / DIRECTORY).exists()
    assert cli.main(["--forget-decisions"]) == 0
    assert capsys.readouterr().err == "gomapfix: no remembered decisions\n"


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--interactive", "--check"], "--interactive cannot be combined with --check"),
        (["--interactive", "--format", "json"], "--interactive cannot be combined with --format"),
        (["--forget-decisions", "--write"], "--forget-decisions cannot be combined with --write"),
    ],
)
def test_conflicting_flags(
    module: Path, flags: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main([*flags, str(module)]) == 2
    assert capsys.readouterr().err.splitlines() == [f"gomapfix: {message}"]
