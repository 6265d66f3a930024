"""The safemap transform, proven by behaviour with the real Go toolchain.

tests/behaviour/safemap is a package whose maps (a counter map and a map of
inner sets) are written by one goroutine per document without a lock; its Go
tests index documents from many goroutines while others read. Before gomapfix
`go test -race` fails (the race detector reports the map accesses, and counts
go missing); after `gomapfix --write --select safemap .` it passes, on both
sides of the shim's build-tagged maps layer, vet- and gofmt-clean, and a
second run of gomapfix changes nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import GoToolchain, gomapfix

REPO = Path(__file__).resolve().parent.parent
SOURCES = REPO / "tests" / "behaviour" / "safemap"


def copy_package(dest: Path) -> Path:
    shutil.copytree(SOURCES, dest)
    return dest


@pytest.fixture(scope="module")
def fixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    module = copy_package(tmp_path_factory.mktemp("safemap") / "after")
    proc = gomapfix("--write", "--no-cache", "--select", "safemap", ".", cwd=module)
    assert proc.returncode == 0, proc.stderr.decode()
    return module


def test_race_detected_before_fix(go: GoToolchain, tmp_path: Path) -> None:
    module = copy_package(tmp_path / "before")
    proc = go.run("test", "-race", "-count=1", ".", cwd=module, check=False)
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert "DATA RACE" in out or "concurrent map" in out, out


def test_fix_rewrites_both_maps(fixed: Path) -> None:
    source = (fixed / "index.go").read_text()
    assert "counts = safeMap[string, int]{}" in source
    assert "words  = safeMap[string, map[string]bool]{}" in source
    assert "map[string]int{}" not in source.replace("safeMap", "")
    assert sorted(p.name for p in fixed.glob("gomapfix_*.go")) == [
        "gomapfix_maps_fallback.go",
        "gomapfix_maps_go123.go",
        "gomapfix_safemap.go",
    ]


@pytest.mark.parametrize("tags", [(), ("-tags", "gomapfix_fallback")], ids=["go123", "fallback"])
def test_race_free_after_fix(go: GoToolchain, fixed: Path, tags: tuple[str, ...]) -> None:
    go.run("test", "-race", "-count=1", *tags, ".", cwd=fixed)


def test_fixed_package_is_clean_and_stable(go: GoToolchain, fixed: Path) -> None:
    assert go.gofmt_list(fixed) == []
    go.run("vet", ".", cwd=fixed)
    before = {p.name: p.read_bytes() for p in fixed.glob("*.go")}
    proc = gomapfix("--write", "--no-cache", "--select", "safemap", ".", cwd=fixed)
    assert proc.returncode == 0, proc.stderr.decode()
    assert {p.name: p.read_bytes() for p in fixed.glob("*.go")} == before
