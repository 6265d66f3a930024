"""A quick run of benchmarks/run.py: the script works end to end (its figures are not judged here)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_benchmark_quick_run_on_a_subtree(go) -> None:  # noqa: ANN001
    subtree = go.root / "src" / "encoding" / "csv"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--tree", str(subtree)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    rows = dict(re.findall(r"^\| (gomapfix cold|gomapfix warm|ast-grep) \| ([\d.]+) \|", proc.stdout, re.M))
    assert set(rows) == {"gomapfix cold", "gomapfix warm", "ast-grep"}, proc.stdout
    assert all(float(v) > 0 for v in rows.values())
    ratio = r"^- (cold wall|cold CPU|warm wall) / ast-grep \w+: ([\d.]+) \(target"
    ratios = re.findall(ratio, proc.stdout, re.M)
    assert len(ratios) == 3, proc.stdout
    assert re.search(r"^- gomapfix peak memory: \d+ MB", proc.stdout, re.M), proc.stdout
