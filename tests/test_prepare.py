"""What the main process computes before it forks workers, and the prefilter's shared needles.

fixloop.prepare runs the selected rules' prepare hooks once per module (keepalive's: the
finalizers registered anywhere in the module), so that forked workers inherit the result
instead of each computing it; a parallel run must still print what a serial run prints.
"""

from __future__ import annotations

from pathlib import Path

from conftest import gomapfix, write_module
from test_inputs import OWNER

from codemod import fixloop
from codemod.context import FileContext, PackageContext
from codemod.tasks import DirTask, Options, shared
from codemod.transform import Needles
from gofacts.finalizers import Finalizers

# A pure-Go package of the module registering a finalizer: keepalive reads it from disk.
REGISTERS = """package reg

import "runtime"

type handle struct{ n int }

func open() *handle {
	h := &handle{}
	runtime.SetFinalizer(h, func(h *handle) { h.n = 0 })
	return h
}
"""


def _tasks(root: Path, select: tuple[str, ...], run: str) -> list[DirTask]:
    options = Options(select=select)
    dirs = sorted({p.parent for p in root.rglob("*.go")})
    return [DirTask(d, sorted(d.glob("*.go")), options, None, run) for d in dirs]


def test_prepare_reads_the_module_finalizers_once(tmp_path: Path) -> None:
    root = write_module(tmp_path, {"reg/reg.go": REGISTERS, "w/w.go": OWNER})
    fixloop.prepare(_tasks(root, ("keepalive",), "prepare-cgo"))
    state = shared("prepare-cgo")
    found = state[("gofacts.finalizers", root)]
    assert sorted(d.name for d in found) == ["reg", "w"]
    # A package analysed afterwards sees the same registrations as one that read them itself.
    pkg_dir = root / "reg"
    files = [FileContext(p, p.read_bytes()) for p in sorted(pkg_dir.glob("*.go"))]
    pkg = PackageContext(pkg_dir, "reg", files, (1, 22), root, shared=state)
    fresh = PackageContext(pkg_dir, "reg", files, (1, 22), root, shared={})
    assert [r.type for r in Finalizers.of(pkg).registrations] == [
        r.type for r in Finalizers.of(fresh).registrations
    ]


def test_prepare_reads_no_registration_in_a_module_without_cgo(tmp_path: Path) -> None:
    root = write_module(tmp_path, {"reg/reg.go": REGISTERS})
    fixloop.prepare(_tasks(root, ("keepalive",), "prepare-pure"))
    assert ("gofacts.finalizers", root) not in shared("prepare-pure")


def test_prepare_does_nothing_without_a_rule_that_asks(tmp_path: Path) -> None:
    root = write_module(tmp_path, {"reg/reg.go": REGISTERS, "w/w.go": OWNER})
    fixloop.prepare(_tasks(root, ("safemap", "deepcopy"), "prepare-none"))
    assert not shared("prepare-none")


def test_parallel_run_with_prepared_finalizers_prints_what_a_serial_run_prints(tmp_path: Path) -> None:
    # Enough directories for workers (runner.MIN_PARALLEL), a finalizer registered in another
    # package, cgo owners in several.
    files = {f"p{i}/w.go": OWNER.replace("package p", f"package p{i}") for i in range(5)}
    files["reg/reg.go"] = REGISTERS
    write_module(tmp_path, files)
    for fmt in ("diff", "json"):
        one = gomapfix("--no-cache", "--format", fmt, "--jobs", "1", cwd=tmp_path)
        two = gomapfix("--no-cache", "--format", fmt, "--jobs", "2", cwd=tmp_path)
        assert one.returncode == two.returncode == 0
        assert one.stdout == two.stdout and one.stdout.count(b"w.go") >= 5


def test_a_package_reuses_the_needles_its_directory_lacks() -> None:
    directory = Needles([b"package p\nvar m map[string]int\n", b"package p_test\n"])
    assert not directory.has(b"\tgo ")
    # Found absent in the directory: absent in any package of it, without a scan (the contents
    # given here break that contract on purpose, to show that no scan is made).
    assert not Needles([b"\tgo f()"], directory).has(b"\tgo ")
    # Not looked for yet, or found present: the package's own files are scanned.
    assert Needles([b"\tgo f()"], Needles([b"x"])).has(b"\tgo ")
    assert directory.has(b"map[") and not Needles([b"package p_test\n"], directory).has(b"map[")
