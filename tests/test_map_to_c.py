"""map-to-c, checked through gomapfix's JSON output against the golden cases' `// want:` lines.

map-to-c has no fix, so its golden cases (golden/map-to-c/*.in.go) are
"unchanged" for the golden harness, which compiles and vets them. Here each
line carrying `// want: TEXT` must get exactly one map-to-c finding (severity
error, no fix) whose message contains TEXT, and no other line may get one.
The golden shapes are the ones go vet's cgocall check misses (go vet passes
on them); the simple forms vet does see are checked to be reported too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import GoToolchain, gomapfix, write_module

from golden import GOLDEN, load_cases, materialise

WANT = re.compile(r"// want: (.*)$", re.M)
CASES = [c for c in load_cases() if c.transform == "map-to-c"]


def wanted(module: Path) -> dict[tuple[str, int], str]:
    """(path relative to module, line) -> the text the finding's message must contain."""
    out: dict[tuple[str, int], str] = {}
    for path in sorted(module.rglob("*.go")):
        for i, line in enumerate(path.read_text().splitlines(), 1):
            m = WANT.search(line)
            if m:
                out[(path.relative_to(module).as_posix(), i)] = m.group(1).strip()
    return out


def findings(module: Path, *paths: str) -> tuple[int, list[dict]]:
    proc = gomapfix("--select", "map-to-c", "--format", "json", "--check", "--no-cache", *paths, cwd=module)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    return proc.returncode, json.loads(proc.stdout)["findings"]


@pytest.fixture(scope="module")
def module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("maptoc")
    (root / "go.mod").write_text("module example.com/golden\n\ngo 1.22\n")
    for case in CASES:
        materialise(case, root)
    return root


def test_there_are_enough_cases() -> None:
    positive = [c for c in CASES if any(WANT.search(d.decode()) for d in c.inputs.values())]
    assert len(CASES) >= 10 and len(positive) >= 6 and len(CASES) - len(positive) >= 4
    assert all(c.expected is None for c in CASES), "map-to-c has no fix: its cases must stay unchanged"
    assert (GOLDEN / "map-to-c").is_dir()


def test_findings_are_exactly_the_wanted_lines(module: Path) -> None:
    code, found = findings(module, ".")
    want = wanted(module)
    got: dict[tuple[str, int], str] = {}
    for f in found:
        assert f["rule"] == "map-to-c" and f["severity"] == "error" and f["fixes"] == []
        key = (f["path"], f["line"])
        assert key not in got, f"two findings at {key}"
        got[key] = f["message"]
    assert sorted(got) == sorted(want)
    for key, text in want.items():
        assert text in got[key], (key, got[key])
        assert "cgo.Handle" in got[key] and "C.malloc" in got[key]
        assert "Go pointer to unpinned Go pointer" in got[key]
    assert code == 1  # --check: findings were reported


def test_wrappers_and_copies_are_called_out(module: Path) -> None:
    _, found = findings(module, "map_to_c/wrapper", "map_to_c/copy", "map_to_c/handle")
    by_path = {f["path"].split("/")[1]: f["message"] for f in found}
    assert set(by_path) == {"wrapper", "copy"}
    assert "Wrapping the map in a struct" in by_path["wrapper"]


def test_go_vet_misses_every_golden_shape(go: GoToolchain, module: Path) -> None:
    """The golden positives are exactly what vet's cgocall check does not see."""
    go.run("vet", "./...", cwd=module)


SIMPLE = """package simple

/*
static void consume(void *p) { (void)p; }
*/
import "C"

import "unsafe"

type entry struct {
	data map[string]int
}

func direct(m map[string]int, e *entry, s entry) {
	C.consume(unsafe.Pointer(&m))
	C.consume(unsafe.Pointer(e))
	C.consume(unsafe.Pointer(&s))
	C.consume(*(*unsafe.Pointer)(unsafe.Pointer(&m)))
}
"""


def test_the_forms_vet_sees_are_reported_too(go: GoToolchain, tmp_path: Path) -> None:
    root = write_module(tmp_path / "simple", {"simple.go": SIMPLE})
    vet = go.run("vet", ".", cwd=root, check=False)
    assert vet.returncode != 0
    vet_lines = {int(m.group(1)) for m in re.finditer(r"simple\.go:(\d+):\d+: possibly passing", vet.stderr)}
    code, found = findings(root, ".")
    assert code == 1
    lines = [f["line"] for f in found]
    assert lines == [15, 16, 17, 18]
    assert vet_lines <= set(lines)
    messages = [f["message"].split(" reaches ")[0] for f in found]
    assert messages == [
        "m map[string]int",
        "e.data map[string]int",
        "s.data map[string]int",
        "m map[string]int",
    ]
