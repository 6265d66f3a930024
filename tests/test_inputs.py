"""Bad and unusual input: every case gets a clear message and leaves every file as it was."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import gomapfix, write_module

OWNER = """package p

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

func (w *widget) use() {
	C.use(w.c)
}
"""


# The finalizer is a function value: what it releases cannot be told, so keepalive's fix is
# only a suggestion (unsafe).
SUGGESTION = OWNER.replace(
    "\truntime.SetFinalizer(w, func(w *widget) { C.free(unsafe.Pointer(w.c)) })\n",
    "\truntime.SetFinalizer(w, release)\n",
).replace(
    "func newWidget() *widget {",
    "var release = func(w *widget) { C.free(unsafe.Pointer(w.c)) }\n\nfunc newWidget() *widget {",
)


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def run_write(root: Path, *extra: str) -> subprocess.CompletedProcess[bytes]:
    return gomapfix("--write", *extra, ".", cwd=root)


def test_fixable_file_is_fixed_and_others_untouched(tmp_path: Path) -> None:
    write_module(tmp_path, {"w.go": OWNER})
    proc = run_write(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert b"runtime.KeepAlive(w)" in (tmp_path / "w.go").read_bytes()


def test_syntax_error_file_is_skipped_with_position(tmp_path: Path) -> None:
    broken = OWNER.replace("func (w *widget) use() {", "func (w *widget) use( {")
    write_module(tmp_path, {"w.go": broken})
    before = snapshot(tmp_path)
    proc = run_write(tmp_path)
    assert proc.returncode == 0
    assert b"skipped w.go: syntax error at line 20, column " in proc.stderr
    assert snapshot(tmp_path) == before


def test_a_syntax_error_only_a_missing_token_shows_is_reported_with_position(tmp_path: Path) -> None:
    """tree-sitter-go wants a newline inside `var( ... )` and marks it MISSING, but lists no
    child node for it: the group that holds it gives the position."""
    source = 'package p\n\nvar(hits map[string]int)\n\nfunc start() {\n\tgo func() { hits["a"] = 1 }()\n}\n'
    write_module(tmp_path, {"p.go": source})
    before = snapshot(tmp_path)
    proc = gomapfix("--select", "safemap", ".", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert b"skipped p.go: syntax error at line 3, column 4" in proc.stderr
    assert snapshot(tmp_path) == before


def test_non_utf8_file_is_skipped(tmp_path: Path) -> None:
    write_module(tmp_path, {"w.go": OWNER.encode() + b"// \xff\xfe latin-1 \xe9\n"})
    before = snapshot(tmp_path)
    proc = run_write(tmp_path)
    assert proc.returncode == 0
    assert b"skipped w.go: not valid UTF-8 (line 23)" in proc.stderr
    assert snapshot(tmp_path) == before


def test_crlf_and_bom_survive_a_fix(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + OWNER.replace("\n", "\r\n").encode()
    write_module(tmp_path, {"w.go": data})
    proc = run_write(tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = (tmp_path / "w.go").read_bytes()
    assert out.startswith(b"\xef\xbb\xbf")
    assert b"\tC.use(w.c)\r\n\truntime.KeepAlive(w)\r\n" in out
    assert out.count(b"\n") == out.count(b"\r\n")


def test_missing_final_newline_and_permissions_are_kept(tmp_path: Path) -> None:
    write_module(tmp_path, {"w.go": OWNER.rstrip("\n")})
    path = tmp_path / "w.go"
    path.chmod(0o640)
    assert run_write(tmp_path).returncode == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.read_bytes().endswith(b"runtime.KeepAlive(w)\n}")


def test_huge_file_is_skipped(tmp_path: Path) -> None:
    big = OWNER + "\n// " + "x" * (17 * 1024 * 1024) + "\n"
    write_module(tmp_path, {"w.go": big})
    before = snapshot(tmp_path)
    proc = run_write(tmp_path)
    assert proc.returncode == 0
    assert b"skipped w.go: larger than 16 MiB" in proc.stderr
    assert snapshot(tmp_path) == before


def test_symlink_is_not_followed_or_replaced(tmp_path: Path) -> None:
    write_module(tmp_path / "real", {"w.go": OWNER})
    (tmp_path / "mod").mkdir()
    shutil.copy(tmp_path / "real" / "go.mod", tmp_path / "mod" / "go.mod")
    os.symlink(tmp_path / "real" / "w.go", tmp_path / "mod" / "w.go")
    proc = run_write(tmp_path / "mod")
    assert proc.returncode == 0
    assert b"skipped w.go: symbolic link" in proc.stderr
    assert (tmp_path / "mod" / "w.go").is_symlink()
    assert (tmp_path / "real" / "w.go").read_text() == OWNER


def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    write_module(tmp_path, {"w.go": OWNER, "x.go": "package p\n"})
    (tmp_path / "x.go").chmod(0o000)
    before = (tmp_path / "w.go").read_bytes()
    # Tests run as root here, and root reads any file: drop the capabilities that allow it.
    drop = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else []
    proc = subprocess.run([*drop, *_python_cmd(), "--write", "."], cwd=tmp_path, capture_output=True)
    assert b"failed x.go: cannot read: Permission denied" in proc.stderr, proc.stderr
    (tmp_path / "x.go").chmod(0o644)
    assert (tmp_path / "x.go").read_bytes() == b"package p\n"
    assert b"runtime.KeepAlive(w)" in (tmp_path / "w.go").read_bytes() != before


def _python_cmd() -> list[str]:
    import sys

    from conftest import REPO

    return ["env", f"PYTHONPATH={REPO}", sys.executable, "-m", "codemod"]


def test_path_outside_a_module_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "w.go").write_text(OWNER)
    proc = run_write(tmp_path)
    assert proc.returncode == 0
    assert b"skipped w.go: not in a Go module" in proc.stderr
    assert (tmp_path / "w.go").read_text() == OWNER


def test_generated_vendor_testdata_and_dot_dirs_are_skipped(tmp_path: Path) -> None:
    generated = "// Code generated by stringer; DO NOT EDIT.\n\n" + OWNER
    write_module(
        tmp_path,
        {
            "gen/w.go": generated,
            "vendor/v/w.go": OWNER,
            "testdata/w.go": OWNER,
            ".hidden/w.go": OWNER,
            "_scratch/w.go": OWNER,
        },
    )
    before = snapshot(tmp_path)
    proc = run_write(tmp_path)
    assert proc.returncode == 0
    assert b"skipped 1 generated file(s)" in proc.stderr
    assert snapshot(tmp_path) == before
    proc = run_write(tmp_path, "--include-generated")
    assert b"runtime.KeepAlive(w)" in (tmp_path / "gen" / "w.go").read_bytes()
    assert (tmp_path / "vendor" / "v" / "w.go").read_text() == OWNER


def test_explicit_file_in_testdata_is_honoured(tmp_path: Path) -> None:
    write_module(tmp_path, {"testdata/w.go": OWNER})
    proc = gomapfix("--write", "testdata/w.go", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert b"runtime.KeepAlive(w)" in (tmp_path / "testdata" / "w.go").read_bytes()


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    proc = gomapfix("nope", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == b"gomapfix: nope: no such file or directory"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--select", "nosuch"], b"unknown transform or rule 'nosuch'"),
        (["--frobnicate"], b"unrecognized argument --frobnicate; see gomapfix --help"),
        (["--format", "xml"], b"--format xml: unknown format 'xml'"),
        (["--jobs", "-1"], b"--jobs must be 0"),
    ],
)
def test_usage_errors_are_one_line(tmp_path: Path, args: list[str], message: bytes) -> None:
    proc = gomapfix(*args, ".", cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert b"Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_file_changed_on_disk_is_not_overwritten(tmp_path: Path) -> None:
    from codemod.writer import StaleFile, write_atomic

    path = tmp_path / "w.go"
    path.write_text("package p\n")
    with pytest.raises(StaleFile):
        write_atomic(path, b"package q\n", b"package old\n")
    assert path.read_text() == "package p\n"
    with pytest.raises(StaleFile):
        write_atomic(path, b"package q\n", None)
    write_atomic(path, b"package q\n", b"package p\n")
    assert path.read_text() == "package q\n"
    assert [p.name for p in tmp_path.iterdir()] == ["w.go"]
