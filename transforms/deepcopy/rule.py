"""The deepcopy transform: maps that leave a locked region, and a copy taken under the lock.

What the rule finds and how it fixes it is documented once, in doc.py. The
work is split by question: leaks.py finds the map values read under a lock
that leave the locked region (and how), guarded.py the writes under the same
lock that make the read a race, chains.py answers syntax questions about the
chains followed, fixer.py plans each copy, its helper and its safety,
copyable.py answers the type questions of the copy, and clone_go.py renders
the generated gomapfix_clone.go.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from codemod.context import FileContext, PackageContext
from codemod.model import Finding
from gofacts.locks import LockCall, acquires
from gofacts.types import PackageTypes
from transforms.deepcopy.audience import called_only_by_other_tests, starts_goroutines, test_helper
from transforms.deepcopy.bytecheck import may_write_under_lock
from transforms.deepcopy.doc import DOC
from transforms.deepcopy.evidence import concurrency
from transforms.deepcopy.fixer import Fixer
from transforms.deepcopy.guarded import guarded_writes, may_take_locks, written_names
from transforms.deepcopy.initonly import InitOnly
from transforms.deepcopy.leaks import Finder, Leak


class DeepCopy:
    doc = DOC
    name = DOC.name
    prefilter = ((b"Lock()", b"map["),)

    def run(self, pkg: PackageContext) -> Iterator[Finding]:
        locking = [f for f in pkg.sources if may_take_locks(f.content)]
        if not any(_may_leak_from(f) for f in locking):
            return  # leaks are looked for only there: nothing to report, and nothing to parse
        writing = [f for f in locking if may_write_under_lock(f)]
        if not writing:
            return  # no map written under a lock: no leak can race a writer
        acquired: dict[Path, list[LockCall]] = {}

        def calls(f: FileContext) -> list[LockCall]:
            if f.path not in acquired:
                acquired[f.path] = acquires(f)
            return acquired[f.path]

        writes = guarded_writes([(f, calls(f)) for f in writing if not f.broken], InitOnly(pkg))
        if not writes:
            return
        types = PackageTypes.of(pkg)
        spelled = written_names(writes)  # a read a writer races spells one: files without any have none
        leaks: list[Leak] = []
        for f in locking:
            if _may_leak_from(f) and (spelled is None or spelled.search(f.content)) and not f.broken:
                leaks.extend(Finder(f, pkg, types, writes).leaks(calls(f)))
        leaks = [replace(leak, concurrency=concurrency(leak, writes, pkg, types)) for leak in leaks]
        if not pkg.option(DOC.name, "exported-callers", False):
            leaks = [leak for leak in leaks if _reported(leak, pkg, types)]
        if leaks:
            yield from Fixer(pkg, types).findings(leaks)


def _reported(leak: Leak, pkg: PackageContext, types: PackageTypes) -> bool:
    """Whether a leak is reported by default (audience.py): a goroutine of the package takes
    part, or the package starts none, is not a test helper, and more than other packages'
    tests call the function."""
    if leak.concurrency:
        return True
    if starts_goroutines(pkg, types) or test_helper(pkg):
        return False
    return not called_only_by_other_tests(leak, pkg)


def _may_leak_from(f: FileContext) -> bool:
    """Whether a leak may be found in f, a file that may take a lock (guarded.may_take_locks):
    an editable file that is not a test (tests read maps after the writers are done)."""
    return f.editable and not f.is_test


TRANSFORM = DeepCopy()
"""The rule's transform, as the registry (transforms.PACKAGES) lists it."""
