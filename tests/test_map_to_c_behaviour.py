"""map-to-c, proven by behaviour: the calls it reports really panic, the others do not.

tests/behaviour/map_to_c is a cgo program that hands a C library a team
snapshot (a struct holding a Go map) in five ways, one per command-line mode:
a pointer to the struct through an unsafe.Pointer variable
(`p := unsafe.Pointer(s); C.store_snapshot(p)`), a pointer to one of its int
fields through a variable (the runtime checks the whole struct), the same
field pointer written at the call (cgo checks only the field), a cgo.Handle,
and the member names copied into C memory. Under the default cgo check
exactly the first two panic ("Go pointer to unpinned Go pointer"), each
traceback naming the line of its C call; `go vet` passes; and
`gomapfix --check --select map-to-c` reports exactly those two lines.
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
PANICS = {"struct": "viaStruct", "fieldvar": "viaFieldVariable"}
LEGAL = ("field", "handle", "copy")


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


def panic_line(exe: Path, mode: str, func: str) -> int:
    """Run a panicking mode; the main.go line of the C call in func, from the traceback."""
    proc = run(exe, mode)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Go pointer to unpinned Go pointer" in proc.stderr
    frame = re.search(rf"main\.{func}\([^)]*\)\n\t\S*main\.go:(\d+)", proc.stderr)
    assert frame, proc.stderr
    return int(frame.group(1))


def test_only_the_maps_in_go_memory_panic(program: tuple[Path, Path]) -> None:
    _, exe = program
    for mode, func in PANICS.items():
        panic_line(exe, mode, func)
    for mode in LEGAL:
        legal = run(exe, mode)
        assert legal.returncode == 0 and legal.stdout.startswith(f"ok {mode}"), legal.stderr


def test_go_vet_sees_neither(go: GoToolchain, program: tuple[Path, Path]) -> None:
    module, _ = program
    go.run("vet", ".", cwd=module)


def test_gomapfix_check_reports_the_lines_that_panic(program: tuple[Path, Path]) -> None:
    module, exe = program
    lines = {mode: panic_line(exe, mode, func) for mode, func in PANICS.items()}
    proc = gomapfix("--check", "--select", "map-to-c", "--format", "json", "--no-cache", ".", cwd=module)
    assert proc.returncode == 1, proc.stderr.decode()
    findings = json.loads(proc.stdout)["findings"]
    where = [(f["path"], f["line"], f["severity"], f["fixes"]) for f in findings]
    assert where == [("main.go", lines["struct"], "error", []), ("main.go", lines["fieldvar"], "error", [])]
    assert findings[0]["message"].startswith(
        "s.members map[string]int reaches C.store_snapshot through p := unsafe.Pointer(s):"
    )
    assert findings[1]["message"].startswith(
        "s.members map[string]int reaches C.store_snapshot through p := unsafe.Pointer(&s.version):"
    )
