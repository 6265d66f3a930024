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

from codemod import syntax
from codemod.context import PackageContext
from codemod.gobytes import may_hand_out_locked_maps
from gofacts.goroutines import regions_of
from gofacts.module import Module
from gofacts.types import PackageTypes
from transforms.deepcopy.leaks import Leak


def starts_goroutines(pkg: PackageContext, types: PackageTypes) -> bool:
    """Whether a go statement of a non-test file of the package starts a goroutine that runs code
    of the package (a goroutine region of gofacts.goroutines)."""
    return any(region.started_outside_tests for region in regions_of(pkg, types).regions)


def test_helper(pkg: PackageContext) -> bool:
    """Whether pkg is a test helper: test files of other packages of the module import it, and
    no other file does. The module is read only for a package whose cached result already
    depends on it (_module_keyed), which is the only kind another package can read a leak
    through."""
    if not _module_keyed(pkg):
        return False
    return pkg.derived("deepcopy.test_helper", lambda: _imported_only_by_tests(pkg))


def called_only_by_other_tests(leak: Leak, pkg: PackageContext) -> bool:
    """Whether leak's function is exported, and every call of it in the module (by name, at
    least one) is in a test file of another package: the map it hands out reaches tests only.
    Like test_helper, read only for a package whose cached result depends on the module."""
    name = leak.func.child_by_field_name("name") if leak.func.type != "func_literal" else None
    text = syntax.text(name) if name is not None else ""
    module = Module.of(pkg)
    if not text[:1].isupper() or module is None or not _module_keyed(pkg):
        return False
    method = leak.func.type == "method_declaration"
    call = re.compile((r"\." if method else r"(?<![\w])(?:\w+\.)?") + re.escape(text) + r"\s*\(")
    declared = re.compile(r"\bfunc\s+" + re.escape(text) + r"\s*[\[(]")  # `Name(` of a function
    in_tests = False
    for path in module.files_with(text.encode(), tests=True):
        try:
            data = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
        calls = len(call.findall(data)) - (0 if method else len(declared.findall(data)))
        if calls <= 0:
            continue
        if path.parent == pkg.directory or not path.name.endswith("_test.go"):
            return False
        in_tests = True
    return in_tests


def _module_keyed(pkg: PackageContext) -> bool:
    """Whether pkg's cached result depends on the whole module: a file of it may hand a locked
    map out of an exported function (codemod.gobytes, read by the runner's cache key)."""
    return any(may_hand_out_locked_maps(f.content) for f in pkg.sources if not f.is_test)


def _imported_only_by_tests(pkg: PackageContext) -> bool:
    module = Module.of(pkg)
    if module is None or not module.path:
        return False
    quoted = f'"{module.import_path(pkg.directory)}"'.encode()
    importers = [p for p in module.files_with(quoted, tests=True) if p.parent != pkg.directory]
    return bool(importers) and all(p.name.endswith("_test.go") for p in importers)
