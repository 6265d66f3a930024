"""Module-wide facts read on demand, parallel runs, and the prefilter's shared needles.

keepalive asks for the finalizers registered in the module only when a C call hands on a
field of a local owner of a struct type of the package, and only for the types on the way;
each process that needs them reads the module once per run (PackageContext.shared) and
parses only the packages that may register one for those types; a parallel run must print
what a serial run prints.
"""

from __future__ import annotations

from pathlib import Path

from conftest import gomapfix, write_module
from test_inputs import OWNER

from codemod.context import FileContext, PackageContext
from codemod.transform import Needles
from transforms.keepalive.rule import KeepAlive

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


def test_keepalive_reads_the_module_only_for_a_call_that_hands_on_a_local_owners_field(
    tmp_path: Path,
) -> None:
    """The module-wide finalizer scan (gofacts.finalizers) reads every file of the module: a
    cgo package whose C calls hand on no field of a local owner does not ask for it."""
    plain = 'package q\n\n// #include <stdlib.h>\nimport "C"\n\nfunc f() { C.free(nil) }\n'
    root = write_module(tmp_path, {"reg/reg.go": REGISTERS, "w/w.go": OWNER, "q/q.go": plain})
    for name, asked in (("q", False), ("w", True)):
        directory = root / name
        files = [FileContext(p, p.read_bytes()) for p in sorted(directory.glob("*.go"))]
        state: dict = {}
        pkg = PackageContext(directory, files[0].package_name, files, (1, 22), root, shared=state)
        findings = list(KeepAlive().run(pkg))
        assert (("gofacts.finalizers.registering", root) in state) is asked
        assert bool(findings) is asked


# A cgo package whose exported type another package of the module finalizes.
EXPORTED_OWNER = """package w

// #include <stdlib.h>
// static int use(char *p) { return p != 0; }
import "C"

import "unsafe"

type Widget struct{ c *C.char }

func New() *Widget { return &Widget{c: (*C.char)(C.malloc(8))} }

func (w *Widget) Free() { C.free(unsafe.Pointer(w.c)) }

func Use() {
	w := New()
	C.use(w.c)
}
"""

# Registers a finalizer for w.Widget: a package that imports the type's package.
TRACKS = """package track

import (
	"runtime"

	"example.com/m/w"
)

func Track(x *w.Widget) { runtime.SetFinalizer(x, func(x *w.Widget) { x.Free() }) }
"""


def test_only_packages_that_may_register_the_owners_type_are_parsed(tmp_path: Path) -> None:
    """A package that imports no package of the module can name no type of another package:
    reg, which finalizes its own handle, is not parsed when w's owner is asked about, and
    track, which imports w, is: its finalizer is the evidence of the finding."""
    root = write_module(
        tmp_path, {"reg/reg.go": REGISTERS, "w/w.go": EXPORTED_OWNER, "track/track.go": TRACKS}
    )
    directory = root / "w"
    files = [FileContext(p, p.read_bytes()) for p in sorted(directory.glob("*.go"))]
    state: dict = {}
    pkg = PackageContext(directory, "w", files, (1, 22), root, shared=state)
    findings = list(KeepAlive().run(pkg))
    assert [f.path.name for f in findings] == ["w.go"]
    assert "runtime.SetFinalizer in track/track.go" in findings[0].message
    assert ("gofacts.finalizers", root, root / "track") in state
    assert ("gofacts.finalizers", root, root / "reg") not in state


def test_parallel_run_with_module_finalizers_prints_what_a_serial_run_prints(tmp_path: Path) -> None:
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
