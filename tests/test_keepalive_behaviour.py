"""The keepalive transform, proven by behaviour with the real Go toolchain.

tests/behaviour/keepalive is a cgo program whose Widget owns a C buffer and
poisons it in its finalizer. Each Widget method passes only w.buf to a C
function that calls back into Go (which collects garbage and waits for the
Widget's finalizer) and then re-reads the buffer. For each call form the
program prints "<form> premature=<true|false>": true means the Widget was
finalized while C was still using its buffer.

Before gomapfix every form is finalized prematurely, on every run; after
`gomapfix --write --select keepalive .` none is.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import GoToolchain
from conftest import gomapfix as run_gomapfix

REPO = Path(__file__).resolve().parent.parent
SOURCES = REPO / "tests" / "behaviour" / "keepalive"
FORMS = ("statement", "assign", "return", "condition")


def copy_program(dest: Path) -> Path:
    """Copy the behaviour program (with its go.mod) to dest and return dest."""
    shutil.copytree(SOURCES, dest, ignore=shutil.ignore_patterns("keepalivebehaviour"))
    return dest


def gomapfix(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the gomapfix command line from this checkout in cwd, with str output."""
    return run_gomapfix(*args, cwd=cwd, text=True, timeout=60)


def build(go: GoToolchain, module: Path) -> Path:
    """Build the program in module and return the path of the binary."""
    exe = module / "keepalivebehaviour"
    go.run("build", "-o", str(exe), ".", cwd=module)
    return exe


def premature(exe: Path) -> dict[str, bool]:
    """Run the program once; map each call form to whether premature finalization was seen."""
    proc = subprocess.run([str(exe)], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    seen: dict[str, bool] = {}
    for line in proc.stdout.splitlines():
        form, _, value = line.partition(" premature=")
        assert value in ("true", "false"), line
        seen[form] = value == "true"
    assert tuple(seen) == FORMS, proc.stdout
    return seen


@pytest.fixture(scope="module")
def unfixed(go: GoToolchain, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(go, copy_program(tmp_path_factory.mktemp("keepalive") / "before"))


@pytest.fixture(scope="module")
def fixed(go: GoToolchain, tmp_path_factory: pytest.TempPathFactory) -> Path:
    module = copy_program(tmp_path_factory.mktemp("keepalive") / "after")
    proc = gomapfix("--write", "--select", "keepalive", ".", cwd=module)
    assert proc.returncode == 0, proc.stderr
    return module


def test_premature_finalization_detected_without_keepalive(unfixed: Path) -> None:
    for _ in range(5):
        assert premature(unfixed) == dict.fromkeys(FORMS, True)


def test_keepalive_inserted_for_every_form(fixed: Path) -> None:
    source = (fixed / "widget.go").read_text()
    assert source.count("runtime.KeepAlive(w)") == len(FORMS), source
    assert "KeepAlive(w.buf)" not in source


def test_fixed_program_is_clean(go: GoToolchain, fixed: Path) -> None:
    assert go.gofmt_list(fixed) == []
    go.run("vet", ".", cwd=fixed)
    proc = gomapfix("--select", "keepalive", ".", cwd=fixed)
    assert (proc.returncode, proc.stdout) == (0, ""), proc.stdout + proc.stderr


def test_no_premature_finalization_after_fix(go: GoToolchain, fixed: Path) -> None:
    exe = build(go, fixed)
    for _ in range(2):
        assert premature(exe) == dict.fromkeys(FORMS, False)
