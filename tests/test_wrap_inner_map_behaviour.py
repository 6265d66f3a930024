"""The wrap-inner-map transform, proven by behaviour with the real Go toolchain.

tests/behaviour/wrap_inner_map is a package whose nested maps are spread over
several files (a package variable, a struct field behind a mutex, a named
type with methods and an alias, function parameters and results, exported
JSON documents) and whose test file drives every use-site form through the
package's own functions: lazy initialisation, nested writes and reads,
comma-ok, nil checks, len/range/delete/clear, assigning and returning inner
maps, aliasing of handed-out inner maps, composite literals, `%v` of an inner
map, concurrent use under -race, and exact json.Marshal/MarshalIndent/
Encoder/Unmarshal/Decoder bytes.

The tests pass before the rewrite, after `gomapfix --write --select
wrap-inner-map` (safe fixes only: exported JSON documents stay as they are),
and after the same with --unsafe-fixes; a second run changes nothing.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO, GoToolchain, gomapfix

SOURCES = REPO / "tests" / "behaviour" / "wrap_inner_map"
SELECT = ("--select", "wrap-inner-map")


def _copy(dest: Path) -> Path:
    shutil.copytree(SOURCES, dest)
    return dest


def _go_sources(module: Path) -> str:
    return "\n".join(p.read_text() for p in sorted(module.glob("*.go")))


def _code(module: Path) -> str:
    """The package's Go sources without line comments (wrapper docs name the old type)."""
    return re.sub(r"//[^\n]*", "", _go_sources(module))


def _fixed(tmp: Path, *flags: str) -> Path:
    module = _copy(tmp)
    proc = gomapfix("--write", *SELECT, *flags, ".", cwd=module)
    assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()
    return module


@pytest.fixture(scope="module")
def safe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _fixed(tmp_path_factory.mktemp("wrap") / "safe")


@pytest.fixture(scope="module")
def unsafe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _fixed(tmp_path_factory.mktemp("wrap") / "unsafe", "--unsafe-fixes")


def test_package_tests_pass_before_the_rewrite(go: GoToolchain, tmp_path: Path) -> None:
    module = _copy(tmp_path / "before")
    go.run("vet", "./...", cwd=module)
    go.run("test", "-race", "-count=1", "./...", cwd=module)


def test_safe_rewrite_wraps_unexported_maps_only(safe: Path) -> None:
    src = _code(safe)
    assert "map[string]map[string]*User" not in src
    assert "map[string]map[string]member" not in src
    for wrapper in ("byRegionInner", "rosterInner"):
        assert f"type {wrapper} struct {{\n\tdata " in src
    assert "func (w byRegionInner) MarshalJSON() ([]byte, error)" in src
    assert "registry[region] = byRegionInner{data: make(map[string]*User)}" in src
    assert "registry[region].data[u.Name] = u" in src
    # exported API is an unsafe fix: left alone without --unsafe-fixes
    assert "Regions map[string]map[string]User" in src
    assert "Extra   map[string]map[string][]interface{}" in src


def test_package_tests_pass_after_the_safe_rewrite(go: GoToolchain, safe: Path) -> None:
    assert go.gofmt_list(safe) == []
    go.run("vet", "./...", cwd=safe)
    go.run("test", "-race", "-count=1", "./...", cwd=safe)


def test_unsafe_rewrite_keeps_the_exported_json_identical(go: GoToolchain, unsafe: Path) -> None:
    src = _go_sources(unsafe)
    assert "Regions map[string]regionsInner" in src and "Extra   map[string]extraInner" in src
    assert go.gofmt_list(unsafe) == []
    go.run("vet", "./...", cwd=unsafe)
    go.run("test", "-race", "-count=1", "./...", cwd=unsafe)


@pytest.mark.parametrize("flags", [(), ("--unsafe-fixes",)], ids=["safe", "unsafe"])
def test_second_run_changes_nothing(flags: tuple[str, ...], safe: Path, unsafe: Path) -> None:
    module = unsafe if flags else safe
    before = _go_sources(module)
    proc = gomapfix("--write", *SELECT, *flags, ".", cwd=module)
    assert proc.returncode == 0, proc.stderr.decode()
    assert _go_sources(module) == before
