"""The fix loop: from the files of one directory to findings and new contents.

For every directory holding target files, process_directory reads the
directory's .go files, groups them into packages by the package clause in
their bytes, prefilters each package by bytes, and for each candidate runs
the selected transforms (which parse only the files they need: see
PackageContext), merges the chosen fixes, applies them to the original bytes,
rejects any fix whose result does not parse, and repeats on the result until
nothing changes (at most MAX_PASSES times). It is a pure function of the
directory's contents and the options, so directories are processed in
parallel and their results cached by content hash.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import os
import signal
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codemod import alignment, cache, registry, suppress, syntax
from codemod.context import FileContext, PackageContext, find_module
from codemod.discovery import generated_by_gomapfix, is_generated, module_files
from codemod.edits import apply_fixes, merge
from codemod.gobytes import may_hand_out_locked_maps, may_import_c
from codemod.model import Edit, FileOutcome, Finding, Fix, RunReport, Safety, edits_by_path
from codemod.transform import Transform, matches_prefilter

MAX_PASSES = 8
MAX_FILE_BYTES = 16 * 1024 * 1024
COLLECT_AFTER_BYTES = 256 * 1024

FixFilter = Callable[[Finding, Fix], bool]


@dataclass(frozen=True)
class Options:
    """What a run does.

    Attributes:
        select: names of the transforms to run, in registry order.
        unsafe_fixes: also apply fixes marked UNSAFE.
        include_generated: treat generated files like hand-written ones.
        accepted: when not None, apply only fixes whose (finding key, fix message)
            is in this set (interactive review and its replay use it).
        accepted_fixes: with accepted, also apply these fixes, named by value (their
            edits over the original bytes): for findings whose key is shared by
            findings that must stay unfixed (--diff-base uses it).
        report_unused_ignores: report //gomapfix:ignore directives that suppress
            nothing, as findings of rule unused-ignore (codemod.suppress).
        transform_options: per-transform options from .gomapfix.toml, by transform
            name; handed to transforms as PackageContext.options.
    """

    select: tuple[str, ...]
    unsafe_fixes: bool = False
    include_generated: bool = False
    accepted: frozenset[tuple[str, str, str, str]] | None = None
    accepted_fixes: frozenset[Fix] = frozenset()
    report_unused_ignores: bool = False
    transform_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass
class DirTask:
    """One directory's work: the target files in it, the options, and where results are cached.

    run: the run the task belongs to; the directories of one run that a process handles
    share PackageContext.shared (a new run starts from an empty one).
    """

    directory: Path
    targets: list[Path]
    options: Options
    cache_dir: Path | None = None
    run: str = ""


_SHARED: dict[str, dict[str, Any]] = {}
"""The state the packages of the current run share in this process, under the run's id."""


def _shared(run: str) -> dict[str, Any]:
    if run not in _SHARED:
        _SHARED.clear()
        _SHARED[run] = {}
    return _SHARED[run]


@dataclass
class DirResult:
    directory: Path
    report: RunReport = field(default_factory=RunReport)
    errors: list[str] = field(default_factory=list)


def _transforms(options: Options) -> list[Transform]:
    known = registry.by_name()
    return [known[name] for name in options.select]


def wants(options: Options, finding: Finding, fix: Fix) -> bool:
    """Whether a run with these options applies fix for finding."""
    if options.accepted is not None:
        return (*finding.key, fix.message) in options.accepted or fix in options.accepted_fixes
    return fix.safety is Safety.SAFE or options.unsafe_fixes


def process_directory(task: DirTask) -> DirResult:
    """Find and fix hazards in the target files of one directory."""
    result = DirResult(task.directory)
    report = result.report
    transforms = _transforms(task.options)
    targets = set(task.targets)
    contents: dict[Path, bytes] = {}
    unreadable: list[Path] = []
    for path in sorted(_go_files(task.directory) | targets, key=lambda p: p.name):  # one directory
        is_target = path in targets
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                if is_target:
                    report.files[path] = FileOutcome(
                        path, None, None, skipped=f"larger than {MAX_FILE_BYTES >> 20} MiB"
                    )
                continue
            data = path.read_bytes()
        except OSError as e:
            unreadable.append(path)
            if is_target:
                report.files[path] = FileOutcome(path, None, None, failed=f"cannot read: {e.strerror or e}")
            continue
        contents[path] = data
        if is_target:
            report.scanned += 1
            report.files[path] = FileOutcome(path, None, None)
    active = [t for t in transforms if matches_prefilter(t, contents.values())]
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
        pkg_active = [t for t in active if matches_prefilter(t, [f.content for f in files])]
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
        gc.collect()
    return result


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


def _go_files(directory: Path) -> set[Path]:
    """The regular .go files of directory (symbolic links are never followed)."""
    try:
        with os.scandir(directory) as entries:
            return {
                directory / e.name
                for e in entries
                if e.name.endswith(".go") and e.is_file(follow_symlinks=False)
            }
    except OSError:
        return set()


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
            _shared(task.run),
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


def group_by_directory(files: Iterable[Path]) -> dict[Path, list[Path]]:
    groups: dict[Path, list[Path]] = {}
    for p in files:
        groups.setdefault(p.parent, []).append(p)
    return dict(sorted(groups.items()))


def run(
    files: list[Path],
    options: Options,
    jobs: int = 0,
    cache_dir: Path | None = None,
    on_done: Callable[[int], None] | None = None,
) -> Iterator[DirResult]:
    """Process files directory by directory; results come in sorted directory order.

    With cache_dir, results are served from (and stored in) the content-hash cache.
    In parallel, the largest directories are handed out first and small ones in
    batches, so that no worker is left with a big directory at the end; results
    are reordered, so the output does not depend on the number of jobs. on_done(n)
    is called as soon as n more directories are done, before they are yielded in
    order (a progress bar moves with the work, not with the order).

    Interrupted (Ctrl-C, or SIGTERM turned into KeyboardInterrupt), the directories
    not started are cancelled and the workers stopped at once, instead of the pool
    finishing every queued batch first; workers ignore SIGINT themselves, so the
    terminal's Ctrl-C reaches only this process and nothing prints a traceback.
    """
    run_id = uuid.uuid4().hex
    tasks = [
        DirTask(d, sorted(ps), options, cache_dir, run_id) for d, ps in group_by_directory(files).items()
    ]
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1 or len(tasks) < 4:
        for t in tasks:
            result = cached_process(t)
            if on_done is not None:
                on_done(1)
            yield result
        return
    order = {t.directory: i for i, t in enumerate(tasks)}
    done: dict[int, DirResult] = {}
    following = 0
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_ignore_sigint)
    try:
        futures = [pool.submit(_process_batch, batch) for batch in _batches(tasks, jobs)]
        for future in as_completed(futures):
            batch = future.result()
            for r in batch:
                done[order[r.directory]] = r
            if on_done is not None:
                on_done(len(batch))
            while following in done:
                yield done.pop(following)
                following += 1
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)


def _ignore_sigint() -> None:
    """Worker initializer: Ctrl-C is the main process's to handle (see run)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the workers now (an interrupted or failed run)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # shutdown forgets them
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=5)


def cached_process(task: DirTask) -> DirResult:
    """process_directory(task), served from the result cache under task.cache_dir when possible."""
    if task.cache_dir is None:
        return process_directory(task)
    names = sorted({p.name for p in _go_files(task.directory)} | {p.name for p in task.targets})
    return cache.cached(
        task.cache_dir,
        task.directory,
        names,
        lambda flags: cache_inputs(task, bool("".join(flags.values()))),
        lambda: process_directory(task),
        keep=lambda result: not result.errors,
        flags_of=_module_flags,
    )


def _module_flags(data: bytes) -> str:
    """Why a file makes its directory's result depend on the rest of the module: "c" for a
    cgo file (keepalive reads finalizers registered in other packages), "m" for a file
    that may hand out a locked map from an exported function (deepcopy reads its callers
    in other packages); "" when it does not."""
    return ("c" if may_import_c(data) else "") + ("m" if may_hand_out_locked_maps(data) else "")


def cache_inputs(task: DirTask, cgo: bool = False) -> tuple[str, ...]:
    """What a directory's result depends on besides gomapfix's code and the directory's files:
    the options, the module's go.mod (root and language version), the target files, and for
    a directory whose result reads other packages of the module (cgo: see _module_flags),
    the rest of the module."""
    module_root, go_version = find_module(task.directory)
    targets = "\0".join(sorted(str(p) for p in task.targets))
    out = (cache.canonical(task.options), str(module_root), repr(go_version), targets)
    if cgo and module_root is not None:
        out += (module_digest(module_root, task.run),)
    return out


def module_digest(root: Path, run: str = "") -> str:
    """A digest of every .go file of the module at root (path, size, modification time), as the
    go tool would see the module: vendor/, testdata/, hidden directories and nested modules
    left out. Computed once per run and process."""
    shared = _shared(run)
    found = shared.get(("module_digest", root))
    if found is None:
        h = hashlib.sha256()
        for path in module_files(root):
            try:
                st = path.stat()
            except OSError:
                continue
            h.update(f"{path.relative_to(root)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        found = shared[("module_digest", root)] = h.hexdigest()
    return found


def _process_batch(tasks: list[DirTask]) -> list[DirResult]:
    """A worker's unit of work: several small directories, or one large one."""
    return [cached_process(t) for t in tasks]


def _batches(tasks: list[DirTask], jobs: int) -> list[list[DirTask]]:
    """Tasks by decreasing size (bytes of their target files), grouped so that each batch
    holds about 1/(16*jobs) of the bytes: big directories alone, small ones together."""
    sizes = {id(t): sum(_size(p) for p in t.targets) for t in tasks}
    ranked = sorted(tasks, key=lambda t: -sizes[id(t)])
    quantum = max(1, sum(sizes.values()) // (16 * jobs))
    out: list[list[DirTask]] = []
    held = 0
    for t in ranked:
        if not out or held + sizes[id(t)] > quantum:
            out.append([])
            held = 0
        out[-1].append(t)
        held += sizes[id(t)]
    return out


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
