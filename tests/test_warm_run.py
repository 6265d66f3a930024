"""A run where nothing changed is decided in the main process from the cache's stat index:
it starts no worker process and imports neither the parser nor a rule's code. (How fast
that is, is measured by benchmarks/run.py, not asserted here.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO, write_module
from test_inputs import OWNER

OLD = 1_600_000_000
"""A modification time well before the run (entries for files modified just before the
index was written are "racy" and re-hashed, like git's)."""


def gomapfix(root: Path, cache: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GOMAPFIX_CACHE_DIR": str(cache), "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, *flags, "-m", "codemod", "--format", "json", "-q", "--jobs", "2", str(root)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def imported(stderr: str) -> set[str]:
    """The modules `python -X importtime` reports (those imported by an import statement:
    importlib.import_module, with which the registry imports a rule's rule.py, is not
    reported, so the tests look for the modules rule.py imports)."""
    return {line.rsplit("|", 1)[1].strip() for line in stderr.splitlines() if line.startswith("import time:")}


def test_a_warm_run_starts_no_worker_and_imports_no_rule(tmp_path: Path) -> None:
    files = {f"p{i}/w.go": OWNER for i in range(6)} | {"q/q.go": "package q\n"}
    root = write_module(tmp_path / "m", files)
    for p in root.rglob("*.go"):
        os.utime(p, (OLD, OLD))
    cache = tmp_path / "cache"
    cold = gomapfix(root, cache, "-X", "importtime")
    assert cold.returncode == 0, cold.stderr
    analysed = {"tree_sitter", "transforms.keepalive.callers", "concurrent.futures.process"}
    assert analysed <= imported(cold.stderr)

    warm = gomapfix(root, cache, "-X", "importtime")
    assert warm.returncode == 0, warm.stderr
    assert warm.stdout == cold.stdout
    loaded = imported(warm.stderr)
    assert not {m for m in loaded if m.startswith(("tree_sitter", "transforms.", "gofacts"))}, loaded
    assert not {m for m in loaded if m.startswith(("concurrent.futures", "multiprocessing"))}, loaded


LEAK = (REPO / "golden" / "deepcopy" / "goroutine_reader.in.go").read_text().replace("Join", "join")
"""A package with a deepcopy finding, no cgo and no exported function (the result of a cgo
directory, or of one that may hand a locked map out of an exported function, depends on the
whole module: an edit anywhere in it invalidates them all)."""


def test_an_edit_is_analysed_again_and_the_rest_is_served(tmp_path: Path) -> None:
    files = {f"p{i}/w.go": LEAK for i in range(6)}
    root = write_module(tmp_path / "m", files)
    for p in root.rglob("*.go"):
        os.utime(p, (OLD, OLD))
    cache = tmp_path / "cache"
    assert gomapfix(root, cache).returncode == 0
    edited = root / "p3" / "w.go"
    edited.write_text("package p\n")
    run = gomapfix(root, cache, "-X", "importtime")
    assert run.returncode == 0, run.stderr
    assert 'p3/w.go"' not in run.stdout and 'p2/w.go"' in run.stdout
    loaded = imported(run.stderr)
    assert "transforms.deepcopy.leaks" in loaded  # one directory analysed...
    assert "concurrent.futures.process" not in loaded  # ...in the main process
