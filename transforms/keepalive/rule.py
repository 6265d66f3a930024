"""The keepalive transform: C calls that may outlive their owner, and runtime.KeepAlive after them.

What the rule finds and how it fixes it is documented once, in doc.py. The
work is split by question: cgo.py reads the shapes of C calls and their
arguments, evidence.py what the package finalizes and what its finalizers
release, owners.py which calls put an owner at risk (and how safe the fix
is), placement.py where the KeepAlive goes so that it is on every path after
the call and a second run changes nothing; this module ties them together
into findings and fixes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from codemod.context import FileContext, PackageContext
from codemod.imports import plan_imports
from codemod.model import Finding, Fix
from codemod.transform import finding
from gofacts.types import PackageTypes
from transforms.keepalive.callers import kept_by_callers
from transforms.keepalive.doc import DOC
from transforms.keepalive.evidence import finalizer_functions
from transforms.keepalive.owners import Site, inside_finalizer, sites_in
from transforms.keepalive.placement import Placement, plan_keepers, unkept


class KeepAlive:
    doc = DOC
    name = DOC.name
    prefilter = ((b'"C"', b"C."),)

    def run(self, pkg: PackageContext) -> Iterator[Finding]:
        cgo = pkg.cgo_files()
        if not any(f.editable for f in cgo):
            return  # every finding is a C call in an editable cgo file
        finalizers: set[tuple[str | None, str]] | None = None
        for f in cgo:
            if not f.editable:
                continue
            found = list(sites_in(f, pkg))
            if found and finalizers is None:
                finalizers = finalizer_functions(pkg)
            yield from _findings(f, pkg, [s for s in found if not inside_finalizer(s, finalizers or set())])


def _findings(f: FileContext, pkg: PackageContext, sites: list[Site]) -> Iterable[Finding]:
    types = PackageTypes.of(pkg)
    pending = [s for s in unkept(f, sites, types) if not kept_by_callers(s, pkg, types)]
    if not pending:
        return
    plan = plan_imports(f, pkg, ["runtime"])
    qualified = plan.qualify("runtime", "KeepAlive")
    for site, placed in zip(pending, plan_keepers(pending, plan.names["runtime"]), strict=True):
        msg = (
            f"{site.subject or site.owner} may be finalized while C.{site.func_name} runs: "
            f"the call receives only {f.text(site.arg)}, which does not keep it alive; {site.reason}"
        )
        fixes: list[Fix] = []
        edit = placed.edit(f, qualified) if isinstance(placed, Placement) else None
        if isinstance(placed, Placement) and edit is not None:
            message = f"{placed.line(qualified, site.owner)} {placed.where}"
            if placed.how in ("after", "expand"):
                message = f"insert {message}"
            fixes.append(Fix(message, (edit, *plan.edits), site.safety))
        elif isinstance(placed, str) and placed:
            msg += (
                f". Add runtime.KeepAlive({site.owner}) on a path after the call (no automatic fix: {placed})"
            )
        yield finding("keepalive", f, site.call, msg, fixes)


TRANSFORM = KeepAlive()
"""The rule's transform, as the registry (transforms.PACKAGES) lists it."""
