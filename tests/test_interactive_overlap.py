"""The interactive review of a fix that overlaps one the user already accepted.

On examples/incident, wrap-inner-map rewrites `return c.m[team]` in cache.go into
`return c.m[team].data`, and deepcopy's fix of the same line copies it. After
accepting the wrap, the deepcopy fix must be shown, edited and written on the code
the wrap produces: the race it fixes must not be lost (issue 15). Keys go through
a prompt_toolkit pipe into the real questionary prompts (see test_interactive).
"""

from __future__ import annotations

import io
import re
import shutil
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from conftest import REPO, GoToolchain, fake_doc, register, write_module
from prompt_toolkit.input import PipeInput, create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from codemod import registry
from codemod.model import Edit, Fix
from codemod.review.interactive import ReviewResult, run_review
from codemod.review.prompt import questionary_prompt
from codemod.runner import Options
from codemod.transform import finding

SELECT = (*registry.defaults(), "wrap-inner-map")
WRAPPED_RETURN = "\treturn c.m[team].data\n"
COPIED_RETURN = "\treturn maps.Clone(c.m[team].data)\n"


class Keys:
    """A Prompt that sends one scripted key into the pipe before each real prompt."""

    def __init__(self, pipe: PipeInput, keys: Sequence[str]) -> None:
        self.pipe = pipe
        self.keys = list(keys)
        self._ask = questionary_prompt(input=pipe, output=DummyOutput())

    def __call__(self, message: str, keys: Sequence[str]) -> str:
        assert self.keys, f"unexpected question {message!r}"
        self.pipe.send_text(self.keys.pop(0))
        return self._ask(message, keys)


@pytest.fixture
def pipe() -> Iterator[PipeInput]:
    with create_pipe_input() as p:
        yield p


@pytest.fixture
def incident(tmp_path: Path) -> Path:
    root = tmp_path / "incident"
    shutil.copytree(REPO / "examples" / "incident", root)
    return root


def review(root: Path, pipe: PipeInput, keys: Sequence[str]) -> tuple[ReviewResult, str]:
    prompt = Keys(pipe, keys)
    buf = io.StringIO()
    console = Console(file=buf, width=400, force_terminal=False, color_system=None)
    result = run_review([root], Options(select=SELECT), prompt, console, jobs=1)
    assert not prompt.keys, f"keys left over: {prompt.keys}"
    return result, buf.getvalue()


def fix_screen(screen: str, n: int) -> str:
    """The part of the screen that shows fix n."""
    start = screen.index(f"fix {n}/")
    end = screen.find("Apply this fix", start)
    nxt = screen.find(f"fix {n + 1}/", start)
    return screen[start : min(x for x in (end, nxt, len(screen)) if x >= 0)]


def test_the_overlapping_fix_is_shown_and_written_on_the_accepted_code(
    incident: Path, pipe: PipeInput, go: GoToolchain
) -> None:
    result, screen = review(incident, pipe, ["y", "y", "q"])
    shown = fix_screen(screen, 2)
    assert shown.splitlines()[1].startswith("deepcopy  safe  cache.go:")
    # The diff is against what will be written (the wrap applied), not the original.
    diff = {(line[0], line[1:].strip()) for line in shown.splitlines() if line[:1] in "+-"}
    assert ("-", WRAPPED_RETURN.strip()) in diff and ("+", COPIED_RETURN.strip()) in diff
    assert ("-", "return c.m[team]") not in diff
    assert "fix 1 (wrap-inner-map at cache.go:8), which you accepted, changes this code" in shown
    cache = (incident / "cache.go").read_text()
    assert COPIED_RETURN in cache and WRAPPED_RETURN not in cache
    assert result.status == 0 and not result.unapplied
    assert "accepted 2, rejected 0" in screen and "not applied" not in screen
    go.run("vet", ".", cwd=incident)


APPEND_COMMENT = 'open(sys.argv[1], "a").write("// Reviewed by hand.\\n")\n'


def test_editing_the_overlapping_fix_keeps_the_race_fix(
    incident: Path, pipe: PipeInput, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, go: GoToolchain
) -> None:
    editor = tmp_path / "editor.py"
    seen = tmp_path / "seen.go"
    editor.write_text(f"import shutil, sys\nshutil.copy(sys.argv[1], {str(seen)!r})\n{APPEND_COMMENT}")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)
    # y: the wrap; e: edit deepcopy's fix; y: use the edit; q: quit.
    result, screen = review(incident, pipe, ["y", "e", "y", "q"])
    # The editor opened on the code that will be written: the wrap and the copy.
    opened = seen.read_text()
    assert COPIED_RETURN in opened and "type mInner struct" in opened
    cache = (incident / "cache.go").read_text()
    assert cache == opened + "// Reviewed by hand.\n"
    assert result.outcome is not None and list(result.outcome.edited) == [incident / "cache.go"]
    assert "accepted 2 (1 edited by hand)" in screen
    go.run("vet", ".", cwd=incident)


def test_rejecting_the_overlapping_fix_is_remembered_on_the_written_code(
    incident: Path, pipe: PipeInput
) -> None:
    # Accept the wrap, reject deepcopy's fix as shown on the wrapped code: the next
    # review, which runs on the written (wrapped) code, does not ask about it again.
    review(incident, pipe, ["y", "n", "q"])
    result, screen = review(incident, pipe, ["q"])
    assert "1 fix(es) rejected in an earlier review are not asked again" in screen
    assert "deepcopy  safe  cache.go" not in screen


class MarkTransform:
    """A test rule: every `// TODO word` comment is a finding named by its word; the fix marks it done."""

    doc = fake_doc("mark", "test transform: TODO comments")
    name = "mark"
    prefilter = ((b"TODO",),)

    def run(self, pkg):  # type: ignore[no-untyped-def]
        for f in pkg.files:
            for m in re.finditer(rb"// TODO +(\w+)", f.content):
                edit = Edit(f.path, m.start(), m.start() + 7, b"// DONE")
                yield finding(
                    self.name, f, m.span(), f"TODO {m.group(1).decode()}", [Fix("mark it done", (edit,))]
                )


BLOCK = b"// TODO first\n// TODO second\n"


class StripTransform:
    """A test rule reported on `// header`, whose fix rewrites the two comment lines below it."""

    doc = fake_doc("strip", "test transform: rewrite the TODO block")
    name = "strip"
    prefilter = ((b"// header",),)

    def run(self, pkg):  # type: ignore[no-untyped-def]
        for f in pkg.files:
            at = f.content.find(b"// header")
            block = f.content.find(BLOCK)
            if at >= 0 and block >= 0:
                edit = Edit(f.path, block, block + len(BLOCK), b"// NOTE first\n// TODO  second\n")
                yield finding(self.name, f, (at, at + 9), "the block", [Fix("rewrite it", (edit,))])


def test_an_overlapping_finding_is_never_taken_for_another_one(
    tmp_path: Path, pipe: PipeInput, monkeypatch: pytest.MonkeyPatch
) -> None:
    register(monkeypatch, MarkTransform(), StripTransform())
    src = "package a\n\n// header\n// TODO first\n// TODO second\nfunc F() {}\n"
    root = write_module(tmp_path / "m", {"a.go": src})
    prompt = Keys(pipe, ["y", "n"])
    buf = io.StringIO()
    console = Console(file=buf, width=400, force_terminal=False, color_system=None)
    result = run_review([root], Options(select=("mark", "strip")), prompt, console, jobs=1)
    screen = buf.getvalue()
    assert not prompt.keys
    # fix 1: strip (accepted); fix 2: "TODO first", gone once strip is applied: skipped with a
    # note, not shown as "TODO second" (which the rewrite moved into the same changed lines).
    assert "fix 2/3 (mark at a.go:4) is skipped: the fixes you accepted change its code" in screen
    assert screen.count("mark  safe  a.go:5") == 1  # fix 3, asked once, as itself
    assert result.outcome is not None and [i.number for i in result.outcome.skipped] == [2]
    assert (
        root / "a.go"
    ).read_text() == "package a\n\n// header\n// NOTE first\n// TODO  second\nfunc F() {}\n"
