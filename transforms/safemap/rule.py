"""safemap: replace a map written from several goroutines with a generated SafeMap.

A Go map written by one goroutine while another reads or writes it crashes
the program ("fatal error: concurrent map writes" / "concurrent map read and
map write"). The transform finds a map (package-level variable, struct
field, or local variable captured by a closure) that is written inside a
goroutine the package starts (`go func(){...}()`, `go f()`, `go x.m()`, and
package functions those call) and used elsewhere, where no mutex is held at
either site (transforms.safemap.races decides, with the locks of
transforms.safemap.locks); a declaration marked with a
`//gomapfix:safemap` comment is converted regardless.

The fix declares the map as a SafeMap (a mutex-guarded map generated into
the package by transforms.safemap.shim_go: generic for go.mod >= 1.18, one
concrete type per key/value pair below) and rewrites every use
(transforms.safemap.rewrite, transforms.safemap.decl). A use it cannot
rewrite with certainty (address taken, passed to a function, copied to
another variable, returned, a range loop that returns...) blocks the whole
fix, and the finding names it. The fix is safe unless the map, or the struct
holding it, is exported (other packages may use it as a map or copy the
struct) or the field becomes a pointer (a zero struct made elsewhere holds a
nil SafeMap), in which case it is unsafe.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from codemod.context import PackageContext
from codemod.model import Finding, Fix, Safety, Severity
from codemod.transform import finding
from gofacts.goroutines import Regions, regions_of, written_names
from gofacts.types import PackageTypes
from transforms.safemap import files
from transforms.safemap.bytecheck import may_report
from transforms.safemap.decl import copied_by_value, declaration_edits
from transforms.safemap.doc import DOC
from transforms.safemap.find import MARKER, MapDecl, Use, declaration_files, declarations, uses
from transforms.safemap.guard import local_mutex_fix
from transforms.safemap.locks import LockView
from transforms.safemap.races import concurrent, describe, may_race
from transforms.safemap.rewrite import Rewriter
from transforms.safemap.shape import Blocked, Shape


@dataclass
class _Candidate:
    decl: MapDecl
    uses: list[Use]
    fix: Fix | None = None
    blocked: str | None = None
    entry: str = ""
    """The exported function holding the only racing uses found, when every race found needs
    a caller outside the package (whose goroutine gomapfix cannot see): reported only with the
    option exported-callers, as a suggestion."""
    where: str = ""
    """What the race is and where it happens (races.describe), for the message."""


_GO_STATEMENT = re.compile(rb"go (?<=\tgo )|go (?<=[{;:] go )")
"""A go statement, as gofmt lays it out: indented, or after `{ `, `; ` or `: ` on one line (one
search for `go `, the preceding bytes checked where it occurs)."""


class SafeMapTransform:
    doc = DOC
    name = DOC.name
    prefilter = (
        (b"map[", _GO_STATEMENT),
        (b"map[", b".Go(func"),  # a launch statement: wg.Go(func() {...})
        (b"gomapfix:safemap",),
    )

    def run(self, pkg: PackageContext) -> Iterator[Finding]:
        marked = any(MARKER.encode() in f.content and not f.broken for f in pkg.sources)
        launchers = pkg.option(DOC.name, "launchers", False)
        if not (marked or launchers or may_report(pkg)):
            return
        types = PackageTypes.of(pkg)
        regions = regions_of(pkg, types, launchers)
        if not marked and (not regions.regions or not _mentions_go(pkg)):
            return
        locks = LockView(pkg, types)
        written = written_names(regions)
        exported_callers = pkg.option(DOC.name, "exported-callers", False)
        candidates = []
        for decl in declarations(pkg, declaration_files(pkg, regions, written), regions):
            if decl.marked:
                candidates.append(_Candidate(decl, uses(decl, pkg, types)))
            elif (decl.kind == "local" or decl.name in written) and _mentioned_in(decl, regions):
                if not may_race(decl, pkg, regions, locks, types):
                    continue
                found = uses(decl, pkg, types)
                race = concurrent(decl, found, regions, locks, pkg)
                if race is not None and (race.entry == "" or exported_callers):
                    where = describe(race, pkg, locks)
                    candidates.append(_Candidate(decl, found, entry=race.entry, where=where))
        if not candidates:
            return
        _plan(pkg, candidates)
        for c in candidates:
            if c.fix is None and c.decl.kind == "local" and not c.decl.marked:
                guarded = local_mutex_fix(c.decl, c.uses, regions, pkg)
                if isinstance(guarded, Fix):
                    c.fix, c.blocked = guarded, None
            yield _finding(c)


def _mentions_go(pkg: PackageContext) -> bool:
    """Some file that parses holds `go ` or a launch statement's `.Go(` (the files parsed
    already are looked at first)."""
    return any(
        (b"go " in f.content or b".Go(" in f.content) and not f.broken
        for f in sorted(pkg.sources, key=lambda f: not f.parsed)
    )


def _mentioned_in(decl: MapDecl, regions: Regions) -> bool:
    needle = decl.name.encode()
    return any(needle in (r.body.text or b"") for r in regions.regions)


def _plan(pkg: PackageContext, candidates: list[_Candidate]) -> None:
    """Give each candidate its fix, or the reason it has none."""
    shim = files.plan(pkg)
    shapes: dict[int, Shape] = {}
    needed = []
    for i, c in enumerate(candidates):
        try:
            shapes[i] = _shape(c.decl, pkg, shim)
            if not shim.generic:
                needed.append(files.concrete_map(c.decl.key, c.decl.value, c.decl.file))
        except (Blocked, files.ShimError) as e:
            c.blocked = str(e)
    try:
        if pkg.name.endswith("_test"):
            raise files.ShimError("the map is in an external test package")
        if pkg.broken:
            raise files.ShimError(f"{pkg.broken[0].name} does not parse, so not every use can be seen")
        files.check_names(pkg, files.shared_names(shim, needed))
        new_files, shim_edits = files.changes(pkg, shim, needed)
    except files.ShimError as e:
        for c in candidates:
            c.blocked = c.blocked or str(e)
        return
    for i, c in enumerate(candidates):
        if c.blocked is not None:
            continue
        try:
            edits = Rewriter(c.decl, shapes[i], c.uses).run()
            edits += declaration_edits(c.decl, shapes[i], pkg)
            _check_overlaps(c, edits)
        except Blocked as e:
            c.blocked = str(e)
            continue
        safety = Safety.UNSAFE if c.decl.exported or shapes[i].pointer or c.entry else Safety.SAFE
        c.fix = Fix(
            f"Replace {_label(c.decl)} with a safeMap and rewrite its uses",
            tuple(sorted(edits + shim_edits)),
            safety,
            tuple(new_files),
        )


def _shape(decl: MapDecl, pkg: PackageContext, shim: files.ShimPlan) -> Shape:
    if not decl.key or not decl.value:
        raise Blocked(decl.file, decl.holder, "has an incomplete map type")
    for q in files.qualifiers(f"{decl.key} {decl.value}"):
        path = next((p for n, p, _ in decl.file.import_specs if (n or p.rsplit("/", 1)[-1]) == q), None)
        if path is None:
            raise Blocked(decl.file, decl.map_type, f"uses a type of package {q} that cannot be resolved")
    pointer = decl.kind == "field" and copied_by_value(decl.owner or "", pkg)
    value_node = decl.map_type.child_by_field_name("value")
    return Shape(
        type_text=shim.type_text(decl.key, decl.value),
        pointer=pointer,
        key=decl.key,
        value=decl.value,
        value_is_map=value_node is not None and value_node.type == "map_type",
        clone=files.CLONE_HELPER if shim.generic else "",
    )


def _check_overlaps(c: _Candidate, edits: list) -> None:  # noqa: ANN001
    by_path: dict = {}
    for e in edits:
        by_path.setdefault(e.path, []).append(e)
    for path, es in by_path.items():
        es.sort(key=lambda e: (e.start, e.end))
        for a, b in zip(es, es[1:], strict=False):
            if b.start < a.end or (a.start == b.start and a != b):
                f = c.decl.file
                raise Blocked(f, c.decl.holder, f"needs two overlapping rewrites in {path.name}")


def _label(decl: MapDecl) -> str:
    return f"{decl.owner}.{decl.name}" if decl.kind == "field" else decl.name


def _finding(c: _Candidate) -> Finding:
    label = _label(c.decl)
    message = f"map {label} is marked {MARKER}" if c.decl.marked else f"map {label} is {c.where}"
    if c.blocked:
        message += f"; not rewritten: {c.blocked}"
    return finding(
        "safemap",
        c.decl.file,
        c.decl.name_node,
        message,
        [c.fix] if c.fix is not None else [],
        Severity.ERROR if not (c.decl.marked or c.entry) else Severity.WARNING,
    )


TRANSFORM = SafeMapTransform()
"""The rule's transform, as the registry (transforms.PACKAGES) lists it."""
