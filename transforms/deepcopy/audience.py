"""Who can read what a leak hands out, and so whether its race can happen.

deepcopy reports a leak by default when one of these holds:

  - a goroutine of the package takes part (evidence.concurrency): the package shows where it
    runs concurrently, and runs one side of the race there;
  - the package starts no goroutine running its own code (outside its tests): its concurrency is its
    callers', and the lock it takes says they may call from several goroutines.

It does not report a leak in a package that starts goroutines when none of them takes part:
there the package's own goroutines are known, and none of them reads or writes the map, so
the race would need callers that the package does not expect (exported-callers reports it).
Nor does it report a leak in a package that only test files import (a test helper such as an
in-memory fake of a store), or one in an exported function that only test files of other
packages call (a hook for tests), as it does not report leaks in `_test.go` files: what it
hands out reaches tests only.
"""

from __future__ import annotations

import re
from pathlib import Path

from codemod import syntax
from codemod.context import PackageContext
from codemod.discovery import module_files
from codemod.gobytes import may_hand_out_locked_maps
from gofacts.goroutines import regions_of
from gofacts.module import Module
from gofacts.types import PackageTypes
from transforms.deepcopy.leaks import Leak


def starts_goroutines(pkg: PackageContext, types: PackageTypes) -> bool:
    """Whether a go statement of a non-test file of the package starts a goroutine that runs code
    of the package (a goroutine region of gofacts.goroutines)."""
    return any(
        not path.endswith("_test.go") for region in regions_of(pkg, types).regions for path, _ in region.roots
    )


def test_helper(pkg: PackageContext) -> bool:
    """Whether pkg is a test helper: test files of other packages of the module import it, and
    no other file does. The module is read only for a package whose cached result already
    depends on it (one that may hand a locked map out of an exported function: codemod.gobytes),
    which is the only kind another package can read a leak through."""
    if not any(may_hand_out_locked_maps(f.content) for f in pkg.sources if not f.is_test):
        return False
    return pkg.derived("deepcopy.test_helper", lambda: _imported_only_by_tests(pkg))


def called_only_by_other_tests(leak: Leak, pkg: PackageContext) -> bool:
    """Whether leak's function is exported, and every call of it in the module (by name, at
    least one) is in a test file of another package: the map it hands out reaches tests only.
    Like test_helper, read only for a package whose cached result depends on the module."""
    name = leak.func.child_by_field_name("name") if leak.func.type != "func_literal" else None
    text = syntax.text(name) if name is not None else ""
    if not text[:1].isupper() or not any(
        may_hand_out_locked_maps(f.content) for f in pkg.sources if not f.is_test
    ):
        return False
    method = leak.func.type == "method_declaration"
    call = re.compile((r"\." if method else r"(?<![\w])(?:\w+\.)?") + re.escape(text) + r"\s*\(")
    declared = re.compile(r"\bfunc\s+" + re.escape(text) + r"\s*[\[(]")  # `Name(` of a function
    in_tests = False
    for path in _module_go_files(pkg):
        try:
            data = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
        if text not in data:
            continue
        calls = len(call.findall(data)) - (0 if method else len(declared.findall(data)))
        if calls <= 0:
            continue
        if path.parent == pkg.directory or not path.name.endswith("_test.go"):
            return False
        in_tests = True
    return in_tests


def _imported_only_by_tests(pkg: PackageContext) -> bool:
    module = Module.of(pkg)
    if module is None or not module.path or pkg.module_root is None:
        return False
    rel = pkg.directory.relative_to(pkg.module_root).as_posix()
    quoted = f'"{module.path}/{rel}"' if rel != "." else f'"{module.path}"'
    in_tests = False
    for path in _module_go_files(pkg):
        if path.parent == pkg.directory:
            continue
        try:
            data = path.read_bytes()
        except OSError:
            return False
        if quoted.encode() not in data:
            continue
        if not path.name.endswith("_test.go"):
            return False
        in_tests = True
    return in_tests


def _module_go_files(pkg: PackageContext) -> list[Path]:
    """Every .go file of pkg's module, test files included (pkg's own files if no module)."""
    if pkg.module_root is None:
        return [f.path for f in pkg.sources]
    return module_files(pkg.module_root, pkg.shared)
