"""The command-line contract: dry-run diff, --write, --check, JSON, selection, git apply."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import unidiff
from conftest import gomapfix, write_module
from test_inputs import OWNER, SUGGESTION, snapshot


def git(*args: str, cwd: Path) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def init_repo(root: Path) -> None:
    git("init", "-q", "-b", "main", cwd=root)
    git("add", "-A", cwd=root)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init", cwd=root)


def test_dry_run_prints_a_diff_that_git_applies(tmp_path: Path, go) -> None:  # noqa: ANN001
    write_module(tmp_path, {"w.go": OWNER, "sub/x.go": OWNER.replace("package p", "package sub")})
    init_repo(tmp_path)
    before = snapshot(tmp_path)
    proc = gomapfix(cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert snapshot(tmp_path) == before, "a dry run must change nothing"
    patch = proc.stdout.decode()
    assert "--- a/sub/x.go\n+++ b/sub/x.go\n" in patch
    assert "+\truntime.KeepAlive(w)\n" in patch
    assert len(unidiff.PatchSet(patch)) == 2
    assert b"2 finding(s), 2 would be fixed; 2 file(s) would change" in proc.stderr
    (tmp_path / "fix.patch").write_text(patch)
    git("apply", "--check", "fix.patch", cwd=tmp_path)
    git("apply", "fix.patch", cwd=tmp_path)
    (tmp_path / "fix.patch").unlink()
    assert go.gofmt_list(tmp_path) == []
    go.run("vet", "./...", cwd=tmp_path)
    again = gomapfix(cwd=tmp_path)
    assert again.stdout == b""


def test_diff_paths_are_relative_to_the_current_directory(tmp_path: Path) -> None:
    write_module(tmp_path, {"pkg/w.go": OWNER})
    proc = gomapfix("pkg", cwd=tmp_path)
    assert b"--- a/pkg/w.go" in proc.stdout
    proc = gomapfix(".", cwd=tmp_path / "pkg")
    assert b"--- a/w.go" in proc.stdout


def test_write_then_clean(tmp_path: Path) -> None:
    write_module(tmp_path, {"w.go": OWNER})
    assert gomapfix("--check", ".", cwd=tmp_path).returncode == 1
    proc = gomapfix("--write", ".", cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout == b""
    assert b"1 file(s) changed" in proc.stderr
    assert gomapfix("--check", ".", cwd=tmp_path).returncode == 0


def test_check_prints_the_diff_and_fails(tmp_path: Path) -> None:
    write_module(tmp_path, {"w.go": OWNER})
    proc = gomapfix("--check", cwd=tmp_path)
    assert proc.returncode == 1
    assert b"+\truntime.KeepAlive(w)" in proc.stdout


def test_json_shape(tmp_path: Path) -> None:
    write_module(tmp_path, {"w.go": OWNER, "bad.go": "package p\nfunc (\n"})
    proc = gomapfix("--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert set(doc) >= {"version", "findings", "files"}
    (f,) = doc["findings"]
    assert f["rule"] == "keepalive"
    assert f["path"] == "w.go"
    assert (f["line"], f["column"], f["end_line"], f["end_column"]) == (21, 2, 21, 12)
    assert f["severity"] in ("error", "warning", "info")
    assert f["fixes"] == [
        {"message": "insert runtime.KeepAlive(w) after the call", "safety": "safe", "applied": True}
    ]
    assert doc["files"]["scanned"] == 2
    assert doc["files"]["changed"] == 1
    assert doc["files"]["skipped"] == 1
    assert doc["files"]["failed"] == 0
    assert doc["files"]["skipped_files"] == [{"path": "bad.go", "reason": "syntax error at line 2, column 1"}]


def test_unsafe_fixes_need_the_flag(tmp_path: Path) -> None:
    write_module(tmp_path, {"w.go": SUGGESTION})
    proc = gomapfix("--format", "json", cwd=tmp_path)
    doc = json.loads(proc.stdout)
    assert [x["safety"] for f in doc["findings"] for x in f["fixes"]] == ["unsafe"]
    assert doc["files"]["changed"] == 0
    assert b"unsafe fix(es) not applied" in proc.stderr
    proc = gomapfix("--unsafe-fixes", cwd=tmp_path)
    assert b"+\truntime.KeepAlive(w)" in proc.stdout


def test_select_and_ignore(tmp_path: Path) -> None:
    write_module(tmp_path, {"w.go": OWNER})
    assert gomapfix("--ignore", "keepalive", "--check", cwd=tmp_path).returncode == 0
    assert gomapfix("--select", "keepalive", "--check", cwd=tmp_path).returncode == 1


def test_list_transforms_and_version(tmp_path: Path) -> None:
    proc = gomapfix("--list-transforms", cwd=tmp_path)
    assert proc.returncode == 0
    assert b"keepalive" in proc.stdout
    proc = gomapfix("--version", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.startswith(b"gomapfix ")


def test_git_discovery_respects_gitignore(tmp_path: Path) -> None:
    write_module(tmp_path, {"w.go": OWNER, "ignored/w.go": OWNER, ".gitignore": "ignored/\n"})
    init_repo(tmp_path)
    write_module(tmp_path, {"untracked/w.go": OWNER})
    proc = gomapfix("--format", "json", cwd=tmp_path)
    paths = sorted(f["path"] for f in json.loads(proc.stdout)["findings"])
    assert paths == ["untracked/w.go", "w.go"]


def test_jobs_do_not_change_output(tmp_path: Path) -> None:
    # Directories of different sizes: parallel runs hand out the largest first and reorder.
    files = {f"p{i}/w.go": OWNER for i in range(6)}
    files.update({f"p{i}/pad.go": "package p\n\n" + "// padding\n" * (2000 * i) for i in range(6)})
    write_module(tmp_path, files)
    for fmt in ("diff", "json"):
        one = gomapfix("--no-cache", "--format", fmt, "--jobs", "1", cwd=tmp_path)
        two = gomapfix("--no-cache", "--format", fmt, "--jobs", "2", cwd=tmp_path)
        assert one.returncode == two.returncode == 0
        assert one.stdout == two.stdout and one.stdout.count(b"w.go") >= 6


# An exported getter whose doc comment promises the map itself: deepcopy's copy is only a suggestion.
PROMISED = """package p

import "sync"

type Cache struct {
	mu sync.RWMutex
	m  map[string]map[string]*int
}

func (c *Cache) Put(k, k2 string, v *int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m[k] == nil {
		c.m[k] = map[string]*int{}
	}
	c.m[k][k2] = v
}

// Inner returns the underlying map, not a copy.
func (c *Cache) Inner(k string) map[string]*int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[k]
}

// Fill stores v under each key, on goroutines of its own: they write the inner maps.
func (c *Cache) Fill(ks []string, v *int) {
	for _, k := range ks {
		go c.Put(k, "x", v)
	}
}
"""


def test_check_fails_on_suggestions_only_with_unsafe_fixes(tmp_path: Path) -> None:
    root = write_module(tmp_path, {"c.go": PROMISED})
    proc = gomapfix("--no-cache", "--format", "json", "--select", "deepcopy", cwd=root)
    (f,) = json.loads(proc.stdout)["findings"]
    assert [x["safety"] for x in f["fixes"]] == ["unsafe", "unsafe"]
    assert gomapfix("--no-cache", "--check", "--select", "deepcopy", cwd=root).returncode == 0
    proc = gomapfix("--no-cache", "--check", "--unsafe-fixes", "--select", "deepcopy", cwd=root)
    assert proc.returncode == 1


def test_check_fails_on_a_finding_without_a_fix(tmp_path: Path) -> None:
    src = (
        'package p\n\n// static void use(void *p) { (void)p; }\nimport "C"\n\nimport "unsafe"\n\n'
        "func f(m map[string]int) {\n\tC.use(unsafe.Pointer(&m))\n}\n"
    )
    root = write_module(tmp_path, {"m.go": src})
    proc = gomapfix("--no-cache", "--check", "--format", "text", cwd=root)
    assert proc.returncode == 1 and b"map-to-c:" in proc.stdout


def test_wrap_inner_map_runs_only_when_selected(tmp_path: Path) -> None:
    src = (
        "package p\n\nvar byRegion = map[string]map[string]*int{}\n\nfunc n() int { return len(byRegion) }\n"
    )
    root = write_module(tmp_path, {"w.go": src})
    listing = gomapfix("--list-transforms", cwd=root).stdout.decode().splitlines()
    assert [line.split()[:3] for line in listing if line.startswith("wrap-inner-map")] == [
        ["wrap-inner-map", "safe", "off"]
    ]
    assert all(line.split()[2] == "on" for line in listing if not line.startswith("wrap-inner-map"))

    def rules(*args: str) -> set[str]:
        proc = gomapfix("--no-cache", "--format", "json", *args, cwd=root)
        assert proc.returncode == 0, proc.stderr
        return {f["rule"] for f in json.loads(proc.stdout)["findings"]}

    assert rules() == set()
    assert rules("--select", "wrap-inner-map") == {"wrap-inner-map"}
    assert rules("--extend-select", "wrap-inner-map") == {"wrap-inner-map"}
    (root / ".gomapfix.toml").write_text('extend-select = ["wrap-inner-map"]\n')
    assert rules() == {"wrap-inner-map"}
    assert rules("--ignore", "wrap-inner-map") == set()
