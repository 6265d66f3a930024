"""//gomapfix:ignore: what it silences, what it does not, and --report-unused-ignores."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import gomapfix, write_module

from codemod.context import FileContext
from codemod.suppress import directives

HEAD = """package p

// #include <stdlib.h>
// static int use(char *p) { return p != 0; }
import "C"

import (
	"runtime"
	"unsafe"
)

type widget struct{ c *C.char }

func newWidget() *widget {
	w := &widget{c: (*C.char)(C.malloc(8))}
	runtime.SetFinalizer(w, func(w *widget) { C.free(unsafe.Pointer(w.c)) })
	return w
}
"""
BODY = """
func (w *widget) trailing() {
	C.use(w.c) //gomapfix:ignore keepalive -- the caller keeps w alive
}

func (w *widget) above() {
	//gomapfix:ignore
	C.use(w.c)
}

func (w *widget) otherRule() {
	//gomapfix:ignore safemap -- not this rule
	C.use(w.c)
}

func (w *widget) tooFar() {
	//gomapfix:ignore keepalive

	C.use(w.c)
}

func (w *widget) malformed() {
	C.use(w.c) //gomapfix:ignore keepalive because reasons
}

func (w *widget) typo() {
	C.use(w.c) //gomapfix:ignore keepalive,keepalve -- typo
}

func (w *widget) inString() {
	_ = "//gomapfix:ignore"
	C.use(w.c)
}
"""
PLAIN = """package plain

// X is one.
//
//gomapfix:ignore keepalive
var X = 1
"""
FILES = {"w.go": HEAD + BODY, "plain/plain.go": PLAIN}
KEEPALIVE = ("--no-cache", "--select", "keepalive")


def line_of(source: str, needle: str, after: str = "") -> int:
    start = source.index(after) if after else 0
    return source[: source.index(needle, start)].count("\n") + 1


def findings(root: Path, *args: str) -> list[tuple[str, str, int]]:
    proc = gomapfix(*KEEPALIVE, "--format", "json", *args, cwd=root)
    assert proc.returncode == 0, proc.stderr
    return [(f["rule"], f["path"], f["line"]) for f in json.loads(proc.stdout)["findings"]]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_module(tmp_path_factory.mktemp("suppress"), FILES)


def test_directives_silence_their_line_and_the_next(root: Path) -> None:
    src = FILES["w.go"]
    reported = findings(root)
    assert reported == [
        ("keepalive", "w.go", line_of(src, "C.use(w.c)", "otherRule")),
        ("keepalive", "w.go", line_of(src, "C.use(w.c)", "tooFar")),
        ("keepalive", "w.go", line_of(src, "C.use(w.c)", "malformed")),
        ("keepalive", "w.go", line_of(src, "C.use(w.c)", "inString")),
    ]


def test_a_suppressed_finding_is_not_fixed(root: Path, tmp_path: Path) -> None:
    copy = tmp_path / "m"
    shutil.copytree(root, copy)
    assert gomapfix(*KEEPALIVE, "--write", cwd=copy).returncode == 0
    fixed = (copy / "w.go").read_text()
    assert fixed.count("runtime.KeepAlive(w)") == 4
    for name in ("trailing", "above", "typo"):
        body = fixed[fixed.index(f") {name}()") :].split("\n}\n")[0]
        assert "KeepAlive" not in body, name


def test_unused_ignores_are_reported_only_on_request(root: Path) -> None:
    assert all(rule == "keepalive" for rule, _, _ in findings(root))
    proc = gomapfix(*KEEPALIVE, "--format", "json", "--report-unused-ignores", cwd=root)
    unused = [f for f in json.loads(proc.stdout)["findings"] if f["rule"] == "unused-ignore"]
    src = FILES["w.go"]
    assert [(f["path"], f["line"], f["message"]) for f in unused] == [
        ("plain/plain.go", 5, "//gomapfix:ignore keepalive: keepalive suppressed nothing"),
        (
            "w.go",
            line_of(src, "//gomapfix:ignore keepalive\n"),
            "//gomapfix:ignore keepalive: keepalive suppressed nothing",
        ),
        (
            "w.go",
            line_of(src, "because reasons"),
            "malformed //gomapfix:ignore directive (expected //gomapfix:ignore [rule,...] [-- reason])",
        ),
        (
            "w.go",
            line_of(src, "keepalve"),
            "//gomapfix:ignore keepalive,keepalve: unknown rule 'keepalve' (did you mean 'keepalive'?)",
        ),
    ]
    assert [(x["message"], x["safety"]) for f in unused for x in f["fixes"]] == [
        ("remove the unused directive", "safe"),
        ("remove the unused directive", "safe"),
        ("correct the rule name (keepalve -> keepalive)", "unsafe"),
    ]
    # safemap was not run: its directive is not reported; the blanket one suppressed something
    assert gomapfix(*KEEPALIVE, "--check", "--report-unused-ignores", "plain", cwd=root).returncode == 1


def test_blanket_directive_is_unused_only_when_every_rule_ran(tmp_path: Path) -> None:
    src = HEAD + "\nfunc (w *widget) idle() {\n\t//gomapfix:ignore\n\truntime.KeepAlive(w)\n}\n"
    root = write_module(tmp_path, {"w.go": src})
    every = ("--extend-select", "wrap-inner-map")  # on by default or not: every rule
    proc = gomapfix("--no-cache", "--format", "json", "--report-unused-ignores", *every, cwd=root)
    (f,) = json.loads(proc.stdout)["findings"]
    assert (f["rule"], f["message"]) == ("unused-ignore", "//gomapfix:ignore suppressed nothing")
    proc = gomapfix("--no-cache", "--format", "json", "--report-unused-ignores", cwd=root)
    assert json.loads(proc.stdout)["findings"] == [], "an opt-in rule did not run: it may be the one meant"
    proc = gomapfix(
        "--no-cache", "--format", "json", "--report-unused-ignores", "--ignore", "keepalive", cwd=root
    )
    assert json.loads(proc.stdout)["findings"] == []


def test_writing_unused_ignore_fixes_is_clean_and_idempotent(root: Path, tmp_path: Path, go) -> None:  # noqa: ANN001
    copy = tmp_path / "m"
    shutil.copytree(root, copy)
    proc = gomapfix(*KEEPALIVE, "--write", "--report-unused-ignores", cwd=copy)
    assert proc.returncode == 0, proc.stderr
    w = (copy / "w.go").read_text()
    assert "//gomapfix:ignore keepalive\n" not in w
    assert "C.use(w.c) //gomapfix:ignore keepalive,keepalve -- typo\n" in w  # a misspelling is kept
    assert (copy / "plain/plain.go").read_text() == "package plain\n\n// X is one.\nvar X = 1\n"
    assert go.gofmt_list(copy) == []
    go.run("vet", "./...", cwd=copy)
    again = gomapfix(*KEEPALIVE, "--report-unused-ignores", "--format", "json", cwd=copy)
    left = json.loads(again.stdout)["findings"]
    assert left[0]["message"].startswith("malformed //gomapfix:ignore directive")
    assert "unknown rule 'keepalve'" in left[1]["message"] and len(left) == 2
    assert gomapfix(*KEEPALIVE, "--report-unused-ignores", cwd=copy).stdout == b""
    unsafe = gomapfix(*KEEPALIVE, "--write", "--report-unused-ignores", "--unsafe-fixes", cwd=copy)
    assert unsafe.returncode == 0, unsafe.stderr
    assert "C.use(w.c) //gomapfix:ignore keepalive -- typo\n" in (copy / "w.go").read_text()


def test_removing_a_directive_between_blank_lines_keeps_gofmt_happy(tmp_path: Path, go) -> None:  # noqa: ANN001
    src = "package plain\n\nvar X = 1\n\n//gomapfix:ignore keepalive\n\nvar Y = 2\n"
    root = write_module(tmp_path, {"plain.go": src})
    assert gomapfix("--no-cache", "--write", "--report-unused-ignores", cwd=root).returncode == 0
    assert (root / "plain.go").read_text() == "package plain\n\nvar X = 1\n\nvar Y = 2\n"
    assert go.gofmt_list(root) == []


def parse(src: bytes) -> list[tuple[int, tuple[str, ...], str, bool]]:
    return [(d.line, d.rules, d.reason, d.malformed) for d in directives(FileContext(Path("x.go"), src))]


def test_directive_grammar() -> None:
    src = (
        b"package p\r\n"
        b"//gomapfix:ignore a, b -- reason -- with dashes\r\n"
        b"var x = 1 //gomapfix:ignore\r\n"
        b"// prose mentions //gomapfix:ignore a\r\n"
        b'var s = "//gomapfix:ignore"\r\n'
        b"/*gomapfix:ignore*/ //gomapfix:ignorefoo\r\n"
        b"//gomapfix:ignore -- only a reason\r\n"
        b"//gomapfix:ignore a b\r\n"
    )
    assert parse(src) == [
        (2, ("a", "b"), "reason -- with dashes", False),
        (3, (), "", False),
        (7, (), "only a reason", False),
        (8, (), "", True),
    ]
    d = directives(FileContext(Path("x.go"), src))[0]
    assert src[d.end : d.end + 2] == b"\r\n", "the directive ends before CRLF"
    assert d.render(["a"]) == "//gomapfix:ignore a -- reason -- with dashes"


def test_the_api_honours_directives(root: Path) -> None:
    from codemod.api import fix_paths

    plain = root / "plain"
    assert fix_paths([plain], select=["keepalive"]).findings == []
    (unused,) = fix_paths([plain], select=["keepalive"], report_unused_ignores=True).findings
    assert (unused.rule, unused.span.line) == ("unused-ignore", 5)


SPACED = """
func (w *widget) spaced() {
	C.use(w.c) // gomapfix:ignore keepalive -- the caller keeps w alive
}

func (w *widget) spacedAbove() {
	//  gomapfix:ignore keepalive
	C.use(w.c)
}

func (w *widget) spacedIdle() {
	// gomapfix:ignore keepalive -- nothing here any more
	runtime.KeepAlive(w)
}
"""


def test_a_directive_with_a_space_after_the_slashes_is_honoured(tmp_path: Path) -> None:
    root = write_module(tmp_path, {"w.go": HEAD + SPACED})
    proc = gomapfix(*KEEPALIVE, "--format", "json", "--report-unused-ignores", cwd=root)
    assert proc.returncode == 0, proc.stderr
    reported = [(f["rule"], f["message"]) for f in json.loads(proc.stdout)["findings"]]
    assert reported == [("unused-ignore", "// gomapfix:ignore keepalive: keepalive suppressed nothing")]
    assert gomapfix(*KEEPALIVE, "--write", "--report-unused-ignores", cwd=root).returncode == 0
    text = (root / "w.go").read_text()
    assert "func (w *widget) spacedIdle() {\n\truntime.KeepAlive(w)\n}" in text  # the idle one removed
    assert "\tC.use(w.c) // gomapfix:ignore keepalive -- the caller keeps w alive\n}" in text
    assert "\t//  gomapfix:ignore keepalive\n\tC.use(w.c)\n}" in text  # suppressed: no KeepAlive added


MISSPELT = """
func (w *widget) misspelt() {
	//gomapfix:ignore keepalve -- the caller keeps w alive (see #12)
	C.use(w.c)
}
"""


def test_a_misspelt_rule_name_is_reported_not_deleted(tmp_path: Path) -> None:
    root = write_module(tmp_path, {"w.go": HEAD + MISSPELT})
    proc = gomapfix(*KEEPALIVE, "--write", "--report-unused-ignores", cwd=root)
    assert proc.returncode == 0, proc.stderr
    text = (root / "w.go").read_text()
    assert (
        "//gomapfix:ignore keepalve -- the caller keeps w alive (see #12)" in text
    )  # comment and reason kept
    check = gomapfix(*KEEPALIVE, "--format", "json", "--report-unused-ignores", cwd=root)
    messages = [f["message"] for f in json.loads(check.stdout)["findings"] if f["rule"] == "unused-ignore"]
    assert messages == ["//gomapfix:ignore keepalve: unknown rule 'keepalve' (did you mean 'keepalive'?)"]
    far = HEAD + MISSPELT.replace("keepalve", "nosuchrule")
    (root / "w.go").write_text(far)
    proc = gomapfix(*KEEPALIVE, "--write", "--report-unused-ignores", "--unsafe-fixes", cwd=root)
    assert (
        proc.returncode == 0 and "//gomapfix:ignore nosuchrule -- the caller" in (root / "w.go").read_text()
    )
