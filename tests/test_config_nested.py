"""Hierarchical configuration (issue 15): the nearest .gomapfix.toml governs each file.

A repository with a root configuration and two modules, a/ and b/, each with a
keepalive hazard (the widget of test_interactive) and its own .gomapfix.toml:

    .gomapfix.toml         report-unused-ignores = true
    a/.gomapfix.toml       ignore = ["keepalive"]                (a alone)
    b/.gomapfix.toml       extend = "../.gomapfix.toml", select = ["keepalive", "map-to-c"]

Run from the root, a's hazards are not reported and b's are, as they would be
when running in each module; `--check a/x.go b/y.go` (what pre-commit passes)
works across them; `extend` inherits; `--show-settings FILE` says which file
governs FILE and what is in force.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import GoToolchain, gomapfix, write_module
from test_interactive import FILES

ROOT_TOML = "report-unused-ignores = true\n"
A_TOML = 'ignore = ["keepalive"]\n'
B_TOML = 'extend = "../.gomapfix.toml"\nselect = ["keepalive", "map-to-c"]\n'


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for name in ("a", "b"):
        write_module(root / name, FILES)
    (root / ".gomapfix.toml").write_text(ROOT_TOML)
    (root / "a" / ".gomapfix.toml").write_text(A_TOML)
    (root / "b" / ".gomapfix.toml").write_text(B_TOML)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def reported(stdout: str) -> set[str]:
    """The directories of the files a text-format run reports findings in."""
    return {line.split("/")[0] for line in stdout.splitlines() if ": keepalive:" in line}


def test_each_file_is_governed_by_its_nearest_configuration(repo: Path) -> None:
    proc = gomapfix("--format", "text", "--no-cache", cwd=repo, text=True)
    assert proc.returncode == 0, proc.stderr
    assert reported(proc.stdout) == {"b"}  # a ignores keepalive in its own file


def test_check_with_files_under_different_configurations(repo: Path) -> None:
    proc = gomapfix("--check", "--format", "text", "--no-cache", "a/ops.go", "b/ops.go", cwd=repo, text=True)
    assert proc.returncode == 1, proc.stderr  # b's hazards fail the check; not a usage error
    assert "different configuration files" not in proc.stderr
    assert reported(proc.stdout) == {"b"}
    only_a = gomapfix("--check", "--no-cache", "a/ops.go", "a/more.go", cwd=repo, text=True)
    assert only_a.returncode == 0, only_a.stderr


def test_write_applies_each_configuration_to_its_files(repo: Path, go: GoToolchain) -> None:
    before_a = {p: p.read_bytes() for p in (repo / "a").glob("*.go")}
    proc = gomapfix("--write", "--no-cache", ".", cwd=repo, text=True)
    assert proc.returncode == 0, proc.stderr
    assert {p: p.read_bytes() for p in (repo / "a").glob("*.go")} == before_a
    assert "runtime.KeepAlive(w)" in (repo / "b" / "ops.go").read_text()
    go.run("vet", ".", cwd=repo / "b")


def test_extend_inherits_and_show_settings_says_so(repo: Path) -> None:
    proc = gomapfix("--show-settings", "b/ops.go", cwd=repo, text=True)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert f"# configuration file: {repo / 'b' / '.gomapfix.toml'}" in out
    assert f"#   extends {repo / '.gomapfix.toml'}" in out
    assert 'select = ["keepalive", "map-to-c"]' in out  # b's own key
    assert "report-unused-ignores = true" in out  # inherited from the root
    a = gomapfix("--show-settings", "a/ops.go", cwd=repo, text=True).stdout
    assert f"# configuration file: {repo / 'a' / '.gomapfix.toml'}" in a and "extends" not in a
    assert (
        "report-unused-ignores = false" in a and '"keepalive"' not in a.split("select = ")[1].split("\n")[0]
    )
    flags = gomapfix("--show-settings", "a/ops.go", "--select", "map-to-c", cwd=repo, text=True).stdout
    assert 'select = ["map-to-c"]' in flags  # flags apply over the file
    none = gomapfix("--show-settings", "a/ops.go", "--no-config", cwd=repo, text=True).stdout
    assert "# configuration file: none (--no-config)" in none


def test_an_extend_cycle_is_a_configuration_error(repo: Path) -> None:
    (repo / ".gomapfix.toml").write_text('extend = "b/.gomapfix.toml"\n')
    proc = gomapfix("--no-cache", "b", cwd=repo, text=True)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"gomapfix: {repo / '.gomapfix.toml'}: extend: b/.gomapfix.toml extends this file again (a cycle)"
    ]


NESTED = """\
package dc

import "sync"

// C holds nested counts behind a lock.
type C struct {
	mu sync.Mutex
	m  map[string]map[string]int
}

// Put records one count.
func (c *C) Put(a, b string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m[a] == nil {
		c.m[a] = map[string]int{}
	}
	c.m[a][b]++
}

// All returns every count.
func (c *C) All() map[string]map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m
}

// Count records b under every a, each on a goroutine of its own.
func (c *C) Count(as []string, b string) {
	for _, a := range as {
		go c.Put(a, b)
	}
}
"""


def test_deepcopy_helper_file_names_the_generated_file(tmp_path: Path, go: GoToolchain) -> None:
    root = write_module(tmp_path / "dc", {"c.go": NESTED})
    (root / ".gomapfix.toml").write_text('[transforms.deepcopy]\nhelper-file = "clone_helpers.go"\n')
    proc = gomapfix("--write", "--no-cache", "--select", "deepcopy", ".", cwd=root, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (root / "clone_helpers.go").is_file() and not (root / "gomapfix_clone.go").exists()
    assert "gomapfixCloneNested(c.m)" in (root / "c.go").read_text()
    go.run("vet", ".", cwd=root)
    again = gomapfix("--check", "--no-cache", "--select", "deepcopy", ".", cwd=root, text=True)
    assert again.returncode == 0 and again.stdout == "", again.stdout + again.stderr
