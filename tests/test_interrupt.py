"""Ctrl-C and the progress bar on a large tree (issue 15, defect 6).

Ctrl-C used to take as long as the queued work: the process pool finished
every batch already submitted before the interrupt could end the run. The
progress callback used to fire only when results could be yielded in
directory order, so a slow first directory held the bar at 0.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import REPO, write_module
from test_interactive import FILES

from codemod import registry
from codemod.discovery import discover
from codemod.runner import Options, run


def tree(root: Path, directories: int, functions: dict[int, int] | None = None) -> Path:
    """A module with directories widget packages; package i has functions[i] (default 60) extra uses."""
    files: dict[str, str] = {}
    for i in range(directories):
        n = (functions or {}).get(i, 60)
        extra = "".join(
            f"\n// F{k} uses the widget.\nfunc (w *Widget) F{k}() {{\n\tC.widget_touch(w.c)\n}}\n"
            for k in range(n)
        )
        for name, text in FILES.items():
            files[f"p{i:03d}/{name}"] = text + extra if name == "ops.go" else text
    return write_module(root, files)


def children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return out


def test_ctrl_c_stops_a_large_run_at_once(tmp_path: Path) -> None:
    root = tree(tmp_path / "big", 150)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen(
        [sys.executable, "-m", "codemod", "--no-cache", "-j", "2", "."],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    try:
        deadline = time.monotonic() + 120
        while len(children(proc.pid)) < 2:  # the workers are running
            assert proc.poll() is None and time.monotonic() < deadline, "gomapfix never started its workers"
            time.sleep(0.05)
        workers = children(proc.pid)
        time.sleep(0.5)
        start = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        _, err = proc.communicate(timeout=120)
        elapsed = time.monotonic() - start
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130
    assert err.decode().splitlines() == ["gomapfix: interrupted; files not yet written were left unchanged"]
    assert elapsed < 3, f"took {elapsed:.1f}s to stop"
    assert not [w for w in workers if Path(f"/proc/{w}").exists()], "a worker outlived the run"


def test_progress_moves_as_directories_finish(tmp_path: Path) -> None:
    # p000 (first in order) is slow; the 40 small ones finish long before it.
    root = tree(tmp_path / "slow-first", 41, {0: 3000, **{i: 0 for i in range(1, 41)}})
    done: list[int] = []
    seen_at_first_result: list[int] = []
    options = Options(select=registry.defaults())
    for result in run(discover([root]).files, options, jobs=2, on_done=done.append):
        if not seen_at_first_result:
            seen_at_first_result.append(sum(done))
            assert result.directory.name == "p000"
    assert sum(done) == 41
    assert seen_at_first_result[0] >= 20, "the progress waited for the first directory in order"
