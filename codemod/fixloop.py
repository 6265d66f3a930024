"""The fix loop: from the files of one directory to findings and new contents.

process_directory reads the directory's .go files, groups them into packages by
the package clause in their bytes, prefilters each package by bytes, and for
each candidate runs the selected transforms (which parse only the files they
need: see PackageContext), merges the chosen fixes, applies them to the
original bytes, rejects any fix whose result does not parse, and repeats on
the result until nothing changes (at most MAX_PASSES times). It is a pure
function of the directory's contents and the options, so the runner
(codemod.runner) processes directories in parallel and caches their results by
content hash; it imports this module, the parser and the rules only when a
directory must be analysed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
import sys
import traceback
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from codemod import alignment, registry, suppress, syntax
from codemod.context import FileContext, PackageContext, find_module
from codemod.discovery import generated_by_gomapfix, go_file_names, is_generated
from codemod.edits import apply_fixes, merge
from codemod.model import Edit, FileOutcome, Finding, Fix, RunReport, edits_by_path
from codemod.readfile import read_file
from codemod.tasks import DirResult, DirTask, Options, shared, wants
from codemod.transform import Needles, Transform, matches_prefilter

MAX_PASSES = 8
MAX_FILE_BYTES = 16 * 1024 * 1024
COLLECT_AFTER_BYTES = 64 * 1024
"""A directory whose analysis parsed this many bytes of source is followed by a collection
(release_memory). At 256 KiB the cycles of the directories below it piled up between two
collections, and a worker's peak grew with the tree (82-90 MB at 4x against 60 MB at 1x);
at 64 KiB it is 73 MB at 4x, at no measurable cost in time."""


def _transforms(options: Options) -> list[Transform]:
    known = registry.by_name()
    return [known[name] for name in options.select]


def process_directory(task: DirTask, read: Mapping[str, bytes] | None = None) -> DirResult:
    """Find and fix hazards in the target files of one directory; read: the bytes of some of
    its files, by name, already read (by the cache, to hash them)."""
    result = DirResult(task.directory)
    report = result.report
    transforms = _transforms(task.options)
    targets = set(task.targets)
    contents: dict[Path, bytes] = {}
    unreadable: list[Path] = []
    named = {p.name: p for p in task.targets}
    for name in sorted(go_file_names(task.directory) | named.keys()):  # one directory
        path = named.get(name) or task.directory / name
        is_target = path in targets
        known = read.get(path.name) if read else None
        try:
            size = os.stat(path).st_size if known is None else len(known)
            if size > MAX_FILE_BYTES:
                if is_target:
                    report.files[path] = FileOutcome(
                        path, None, None, skipped=f"larger than {MAX_FILE_BYTES >> 20} MiB"
                    )
                continue
            data = read_file(path, size) if known is None else known
        except OSError as e:
            unreadable.append(path)
            if is_target:
                report.files[path] = FileOutcome(path, None, None, failed=f"cannot read: {e.strerror or e}")
            continue
        contents[path] = data
        if is_target:
            report.scanned += 1
            report.files[path] = FileOutcome(path, None, None)
    needles = Needles(contents.values())
    active = [t for t in transforms if matches_prefilter(t, needles)]
    directives = task.options.report_unused_ignores and any(
        suppress.NEEDLE in c for p, c in contents.items() if p in targets
    )
    if not (active or directives) or not any(p in targets for p in contents):
        return result
    module_root, go_version = find_module(task.directory)
    if module_root is None:
        for p in contents:
            if p in targets:
                report.files[p].skipped = "not in a Go module (no go.mod in its directory or above)"
        return result

    packages: dict[str, list[FileContext]] = {}
    for path, data in contents.items():
        is_target = path in targets
        editable = is_target
        try:
            if not data.isascii():  # ASCII is UTF-8; most Go source is ASCII, and this is cheap
                data.decode("utf-8")
        except UnicodeDecodeError as e:
            if is_target:
                line = data.count(b"\n", 0, e.start) + 1
                report.files[path].skipped = f"not valid UTF-8 (line {line})"
            continue
        if generated_by_gomapfix(data):
            pass  # gomapfix's own helper files: fixes may rewrite them; findings in them are dropped
        elif is_target and not task.options.include_generated and is_generated(data):
            report.files[path].skipped = "generated file (use --include-generated to process it)"
            editable = False
        f = FileContext(path, data, editable)
        packages.setdefault(f.package_name, []).append(f)

    for name in sorted(packages):
        files = packages[name]
        if not any(f.editable for f in files):
            continue
        here = needles if len(files) == len(contents) else Needles((f.content for f in files), needles)
        pkg_active = [t for t in active if matches_prefilter(t, here)]
        if not pkg_active and not (directives and any(suppress.NEEDLE in f.content for f in files)):
            continue
        try:
            found = _fix_package(task, name, files, unreadable, module_root, go_version, pkg_active, report)
        except Exception:  # noqa: BLE001 - a bug in one transform must not stop a sweep
            detail = traceback.format_exc(limit=-3).strip().splitlines()[-1]
            result.errors.append(f"{task.directory}: internal error in package {name}: {detail}")
            for f in files:
                if f.editable and f.path in report.files:
                    report.files[f.path].failed = f"internal error: {detail}"
            continue
        finally:
            syntax.clear_node_caches()
        _report_syntax_errors(files, found, report)
    # An analysed package leaves reference cycles (indexes pointing back at the package)
    # that hold its syntax trees, whose memory Python's collector does not see: after a
    # directory that parsed much, collect them, or memory would grow with the run.
    if sum(len(f.content) for fs in packages.values() for f in fs if f.parsed) >= COLLECT_AFTER_BYTES:
        release_memory()
    return result


def release_memory() -> None:
    """Collect the cycles analysed packages left and hand the memory freed back to the
    system (glibc keeps it otherwise, and the next large package would stack on top of it):
    after a directory that parsed much, and after each batch of a worker (the small
    directories of a batch add up)."""
    gc.collect()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _libc() -> Any:
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        return libc
    except (ImportError, OSError, AttributeError):
        return None


_LIBC = _libc() if sys.platform.startswith("linux") else None


def _report_syntax_errors(files: list[FileContext], found: bool, report: RunReport) -> None:
    """Mark target files with syntax errors as skipped: those the analysis parsed, and,
    when the package has findings, every target file (a finding's fix may depend on them)."""
    for f in files:
        outcome = report.files.get(f.path)
        if outcome is None or outcome.skipped or not (found or f.parsed) or not f.broken:
            continue
        error = syntax.first_error(f.tree)
        assert error is not None
        row, col = error.start_point
        outcome.skipped = f"syntax error at line {row + 1}, column {col + 1}"


def _fix_package(
    task: DirTask,
    name: str,
    files: list[FileContext],
    unreadable: list[Path],
    module_root: Path | None,
    go_version: tuple[int, int] | None,
    transforms: list[Transform],
    report: RunReport,
) -> bool:
    """Run the fix loop on one package; report whether it has findings."""
    editable = {f.path for f in files if f.editable}
    original = {f.path: f.content for f in files}
    contents = dict(original)
    first: list[Finding] | None = None
    parsed = {f.path: f for f in files}  # reused while a file's bytes are unchanged
    for _ in range(MAX_PASSES):
        for p in contents:
            known = parsed.get(p)
            if known is None or known.content is not contents[p] or known.editable != (p in editable):
                parsed[p] = FileContext(p, contents[p], p in editable)
        pkg = PackageContext(
            task.directory,
            name,
            [parsed[p] for p in sorted(contents)],
            go_version,
            module_root,
            list(unreadable),
            task.options.transform_options,
            shared(task.run),
        )
        findings = [
            f
            for t in transforms
            for f in t.run(pkg)
            if f.path in editable and not generated_by_gomapfix(contents[f.path])
        ]
        findings = [_aligned(f, parsed) for f in findings]
        findings.sort(key=lambda f: (str(f.path), f.start, f.end, f.rule))
        findings = _suppress(findings, pkg, task.options)
        if first is None:
            first = findings
        chosen = _choose(findings, task.options)
        accepted, _deferred = merge([fix for _, fix in chosen])
        valid = [fix for fix in accepted if _allowed(fix, contents, editable)]
        new = apply_fixes(contents, valid)
        if valid and not _parses_all(new):
            # Rare: find the fixes that break parsing on their own, then re-check the rest.
            valid = [fix for fix in valid if _parses_all(apply_fixes(contents, [fix]))]
            new = apply_fixes(contents, valid)
            if valid and not _parses_all(new):
                valid = valid[:1]
                new = apply_fixes(contents, valid)
        new = {p: c for p, c in new.items() if contents.get(p) != c}
        if not new:
            report.remaining.extend(findings)  # the findings on the final contents
            break
        contents.update(new)
        editable |= set(new)
        chosen_ids = {id(fix) for fix in valid}
        report.applied_keys.update((*f.key, fix.message) for f, fix in chosen if id(fix) in chosen_ids)
    report.findings.extend(first or [])
    for path, data in contents.items():
        if data == original.get(path):
            continue
        outcome = report.files.get(path) or FileOutcome(path, None, None)
        outcome.original = original.get(path)
        outcome.result = data
        report.files[path] = outcome
    return bool(first)


def _aligned(finding: Finding, files: dict[Path, FileContext]) -> Finding:
    """finding with each fix completed by the padding edits that keep gofmt's column alignment
    of the lines around the lines it changes (codemod.alignment): part of the fix, so every
    output shows them and merging sees them."""
    fixes = []
    for fix in finding.fixes:
        edits: list[Edit] = []
        for path, mine in edits_by_path(fix.edits).items():
            f = files.get(path)
            edits += alignment.realign(f, mine) if f is not None else mine
        changed = sorted(edits) != sorted(fix.edits)
        fixes.append(dataclasses.replace(fix, edits=tuple(edits)) if changed else fix)
    return dataclasses.replace(finding, fixes=tuple(fixes)) if fixes != list(finding.fixes) else finding


def _suppress(findings: list[Finding], pkg: PackageContext, options: Options) -> list[Finding]:
    """Drop findings silenced by //gomapfix:ignore; add unused-ignore findings when asked."""
    registered = registry.names()
    return suppress.apply(
        findings, pkg.files_with(suppress.NEEDLE), options.select, registered, options.report_unused_ignores
    )


def _choose(findings: Iterable[Finding], options: Options) -> list[tuple[Finding, Fix]]:
    out = []
    for f in findings:
        for fix in f.fixes:
            if wants(options, f, fix):
                out.append((f, fix))
                break
    return out


def _allowed(fix: Fix, contents: dict[Path, bytes], editable: set[Path]) -> bool:
    """A fix may edit only editable files and create only files that do not exist yet."""
    if any(e.path not in editable for e in fix.edits):
        return False
    for n in fix.new_files:
        if n.path in contents:
            if contents[n.path] != n.content:
                return False
        elif n.path.exists() or n.path.is_symlink():
            return False
    return True


def _parses_all(new: dict[Path, bytes]) -> bool:
    return all(not syntax.parse(data).root_node.has_error for data in new.values())


def preload() -> None:
    """Import the rules (in the main process before workers are forked, so that they
    inherit them instead of importing them each)."""
    registry.transforms()


def worker_init() -> None:
    """Set up a worker process for analysis (the pool's initializer): the rules imported, and
    what the process holds so far (modules, compiled queries) frozen out of the collector's
    reach, so that the collections after each package walk only what analysis made."""
    preload()
    gc.freeze()


@contextlib.contextmanager
def analysing() -> Iterator[None]:
    """worker_init() for the duration of an analysis in this process (a run that does not
    start workers); the collector is left as it was found."""
    preload()
    if gc.get_freeze_count():
        yield  # an enclosing analysis froze the heap already
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
