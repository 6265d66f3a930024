"""safemap's fan-out-and-return fix, proven by behaviour with the real Go toolchain.

tests/behaviour/safemap_fanout counts words with one goroutine per line writing a
local map that the function returns after wg.Wait(). Before gomapfix `go test -race`
fails; after `gomapfix --write --select safemap` (a local mutex held around the
goroutines' writes) it passes, vet- and gofmt-clean, and a second run changes nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import GoToolchain, gomapfix

SOURCES = Path(__file__).resolve().parent / "behaviour" / "safemap_fanout"


def test_race_before_and_none_after(go: GoToolchain, tmp_path: Path) -> None:
    module = tmp_path / "fanout"
    shutil.copytree(SOURCES, module)
    before = go.run("test", "-race", "-count=1", ".", cwd=module, check=False)
    assert before.returncode != 0
    assert "DATA RACE" in before.stdout + before.stderr or "concurrent map" in before.stdout + before.stderr

    proc = gomapfix("--write", "--no-cache", "--select", "safemap", ".", cwd=module)
    assert proc.returncode == 0, proc.stderr.decode()
    source = (module / "fanout.go").read_text()
    assert "var countsMu sync.Mutex" in source
    assert "countsMu.Lock()\n\t\t\t\tcounts[word]++\n\t\t\t\tcountsMu.Unlock()" in source
    assert "return counts" in source, "the function still returns an ordinary map"

    assert go.gofmt_list(module) == []
    go.run("vet", ".", cwd=module)
    go.run("test", "-race", "-count=1", ".", cwd=module)
    again = gomapfix("--no-cache", "--select", "safemap", ".", cwd=module)
    assert again.returncode == 0 and again.stdout == b"", "a second run changes nothing"


def test_the_goroutines_own_mutex_is_taken_where_it_was_forgotten(go: GoToolchain, tmp_path: Path) -> None:
    """tests/behaviour/safemap_fanout_mutex: the goroutines hold mu around every write but the
    local node's. The fix takes mu there too (no second mutex), and `go test -race` passes."""
    module = tmp_path / "owners"
    shutil.copytree(SOURCES.parent / "safemap_fanout_mutex", module)
    before = go.run("test", "-race", "-count=1", ".", cwd=module, check=False)
    assert before.returncode != 0
    assert "DATA RACE" in before.stdout + before.stderr or "concurrent map" in before.stdout + before.stderr

    proc = gomapfix("--write", "--no-cache", "--select", "safemap", ".", cwd=module)
    assert proc.returncode == 0, proc.stderr.decode()
    source = (module / "owners.go").read_text()
    assert '\t\t\t\tmu.Lock()\n\t\t\t\tout[n] = "self"\n\t\t\t\tmu.Unlock()\n\t\t\t\treturn' in source
    assert source.count("sync.Mutex") == 1, "no second mutex"

    assert go.gofmt_list(module) == []
    go.run("vet", ".", cwd=module)
    go.run("test", "-race", "-count=1", ".", cwd=module)
    again = gomapfix("--no-cache", "--select", "safemap", ".", cwd=module)
    assert again.returncode == 0 and again.stdout == b"", "a second run changes nothing"


def test_a_fan_out_through_waitgroup_go_is_fixed_with_the_option(go: GoToolchain, tmp_path: Path) -> None:
    """golden safemap/launchers_fan_out: Sizes fills a map from wg.Go goroutines. With
    `launchers = true` the fix guards the write; `go test -race` fails before and passes after."""
    module = tmp_path / "launchers"
    shutil.copytree(SOURCES.parent.parent.parent / "golden" / "safemap" / "launchers_fan_out" / "in", module)
    (module / "sizes_test.go").write_text(
        'package sizes\n\nimport (\n\t"fmt"\n\t"testing"\n)\n\n'
        "func TestSizes(t *testing.T) {\n\tids := make([]string, 64)\n\tfor i := range ids {\n"
        '\t\tids[i] = fmt.Sprint("id", i)\n\t}\n'
        "\tfor round := 0; round < 20; round++ {\n"
        "\t\tif got := Sizes(ids, func(s string) int { return len(s) }); len(got) != len(ids) {\n"
        '\t\t\tt.Fatalf("%d sizes", len(got))\n\t\t}\n\t}\n}\n'
    )
    before = go.run("test", "-race", "-count=1", ".", cwd=module, check=False)
    assert before.returncode != 0
    assert "DATA RACE" in before.stdout + before.stderr or "concurrent map" in before.stdout + before.stderr

    (module / ".gomapfix.toml").write_text("[transforms.safemap]\nlaunchers = true\n")
    proc = gomapfix("--write", "--no-cache", "--select", "safemap", ".", cwd=module)
    assert proc.returncode == 0, proc.stderr.decode()
    assert "outMu.Lock()\n\t\t\tout[id] = n\n\t\t\toutMu.Unlock()" in (module / "sizes.go").read_text()
    go.run("vet", ".", cwd=module)
    go.run("test", "-race", "-count=1", ".", cwd=module)
