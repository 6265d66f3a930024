"""map-to-c, proven by behaviour: the call it reports really panics, the legal ones do not.

tests/behaviour/map_to_c is a cgo program that hands a C library a team
snapshot in three ways: a pointer to a Go struct holding a Go map, through
an unsafe.Pointer variable (`p := unsafe.Pointer(s); C.store_snapshot(p)`),
a cgo.Handle, and the member names copied into C memory. Under the default
cgo check the first panics ("Go pointer to unpinned Go pointer"), and the
panic's traceback names the line of the C call; `go vet` passes; and
`gomapfix --check --select map-to-c` reports exactly that line, and nothing
for the other two.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, GoToolchain, gomapfix

SOURCES = REPO / "tests" / "behaviour" / "map_to_c"


@pytest.fixture(scope="module")
def program(go: GoToolchain, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(module copy, built binary)."""
    module = tmp_path_factory.mktemp("maptoc") / "maptoc"
    shutil.copytree(SOURCES, module)
    exe = module / "maptoc.bin"
    go.run("build", "-o", str(exe), ".", cwd=module)
    return module, exe


def run(exe: Path, mode: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(exe), mode], capture_output=True, text=True, timeout=60)


def test_map_in_struct_panics_under_the_default_cgo_check(program: tuple[Path, Path]) -> None:
    _, exe = program
    proc = run(exe, "struct")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Go pointer to unpinned Go pointer" in proc.stderr
    for mode in ("handle", "copy"):
        legal = run(exe, mode)
        assert legal.returncode == 0 and legal.stdout.startswith(f"ok {mode}"), legal.stderr


def test_go_vet_does_not_see_it(go: GoToolchain, program: tuple[Path, Path]) -> None:
    module, _ = program
    go.run("vet", ".", cwd=module)


def test_gomapfix_check_reports_the_line_that_panics(program: tuple[Path, Path]) -> None:
    module, exe = program
    panic = run(exe, "struct").stderr
    frame = re.search(r"main\.viaStruct\([^)]*\)\n\t\S*main\.go:(\d+)", panic)
    assert frame, panic
    proc = gomapfix("--check", "--select", "map-to-c", "--format", "json", "--no-cache", ".", cwd=module)
    assert proc.returncode == 1, proc.stderr.decode()
    findings = json.loads(proc.stdout)["findings"]
    assert [(f["path"], f["line"], f["severity"]) for f in findings] == [
        ("main.go", int(frame.group(1)), "error")
    ]
    message = findings[0]["message"]
    assert message.startswith(
        "s.members map[string]int reaches C.store_snapshot through p := unsafe.Pointer(s)"
    )
    assert findings[0]["fixes"] == []
