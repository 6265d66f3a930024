"""The runner: one task per directory, served from the cache or handed to the fix loop.

A directory's result is a pure function of its contents and the options
(codemod.fixloop), so directories are processed in parallel and their results
cached by content hash (codemod.cache). The main process first serves every
directory whose files the cache's stat index still vouches for, reading no
source file; only the directories left go to the fix loop, on worker processes
when there are enough of them. A run where nothing changed therefore starts no
worker and imports neither the parser nor the rules.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from codemod import cache
from codemod.discovery import FsView, go_file_names, module_listing, path_order
from codemod.gobytes import may_hand_out_locked_maps, may_import_c
from codemod.gomod import find_module
from codemod.tasks import DirResult, DirTask, Options, shared, wants

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

__all__ = ["DirResult", "DirTask", "Options", "cache_inputs", "group_by_directory", "run", "wants"]

MIN_PARALLEL = 4
"""Fewer directories than this to analyse are analysed in the main process."""


def group_by_directory(files: Iterable[Path]) -> dict[Path, list[Path]]:
    """files by directory, in directory order (a file's parent is computed once per directory)."""
    by_name: dict[str, list[Path]] = {}
    for p in files:
        by_name.setdefault(str(p).rpartition(os.sep)[0], []).append(p)
    groups = {ps[0].parent: ps for ps in by_name.values()}
    return dict(sorted(groups.items(), key=lambda item: path_order(item[0])))


def run(
    files: list[Path],
    options: Options,
    jobs: int = 0,
    cache_dir: Path | None = None,
    on_done: Callable[[int], None] | None = None,
    view: FsView | None = None,
) -> Iterator[DirResult]:
    """Process files directory by directory; results come in sorted directory order.

    With cache_dir, results are served from (and stored in) the content-hash cache: first,
    in this process, those whose files' stat index entries all still hold; the rest are
    analysed. In parallel, the largest directories are handed out first and small ones in
    batches, so that no worker is left with a big directory at the end; results are
    reordered, so the output does not depend on the number of jobs. on_done(n) is called
    as soon as n more directories are done, before they are yielded in order (a progress
    bar moves with the work, not with the order). view: what discovery's walk listed
    (discovery.FsView), which the cache lookups reuse.

    Interrupted (Ctrl-C, or SIGTERM turned into KeyboardInterrupt), the directories not
    started are cancelled and the workers stopped at once, instead of the pool finishing
    every queued batch first; workers ignore SIGINT themselves, so the terminal's Ctrl-C
    reaches only this process and nothing prints a traceback.
    """
    run_id = os.urandom(16).hex()
    tasks = [
        DirTask(d, sorted(ps), options, cache_dir, run_id) for d, ps in group_by_directory(files).items()
    ]
    served: dict[Path, DirResult] = {}
    if cache_dir is not None:
        if view is not None:
            shared(run_id)[FsView.KEY] = view
        for t in tasks:
            found = lookup(t)
            if found is not None:
                served[t.directory] = found
        FsView.of(shared(run_id)).forget()  # its stats served the lookups; memory stays flat
        shared(run_id).pop(FsView.KEY, None)
        if served and on_done is not None:
            on_done(len(served))
    todo = [t for t in tasks if t.directory not in served]
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1 or len(todo) < MIN_PARALLEL:
        with _Analysis() as analysis, cache.deferred_writes():
            for t in tasks:
                if t.directory in served:
                    yield served.pop(t.directory)
                    continue
                result = _adopted(cached_process(t, analysis.begin), t)
                if on_done is not None:
                    on_done(1)
                yield result
        return
    order = {t.directory: i for i, t in enumerate(tasks)}
    done: dict[int, DirResult] = {order[d]: r for d, r in served.items()}
    following = 0
    pool = _pool(jobs)
    try:
        from concurrent.futures import as_completed

        futures = [pool.submit(_process_batch, batch) for batch in _batches(todo, jobs)]
        for future in as_completed(futures):
            batch = future.result()
            for r in batch:
                done[order[r.directory]] = _adopted(r, tasks[order[r.directory]])
            if on_done is not None:
                on_done(len(batch))
            while following in done:
                yield done.pop(following)
                following += 1
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)
    while following in done:
        yield done.pop(following)
        following += 1


def _pool(jobs: int) -> ProcessPoolExecutor:
    """Worker processes for the fix loop. The rules are imported first, so that forked workers
    start with them."""
    from concurrent.futures import ProcessPoolExecutor

    from codemod import fixloop

    fixloop.preload()
    return ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init)


def _worker_init() -> None:
    """Worker initializer: Ctrl-C is the main process's to handle (see run); then the fix
    loop's own set-up (fixloop.worker_init)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from codemod import fixloop

    fixloop.worker_init()


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the workers now (an interrupted or failed run)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # shutdown forgets them
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=5)


def lookup(task: DirTask) -> DirResult | None:
    """task's cached result, when the stat index vouches for every file of its directory
    (no source file is read); None when the directory must go through cached_process."""
    if task.cache_dir is None:
        return None
    view = FsView.of(shared(task.run))
    named = {p.name: p for p in task.targets}
    found: DirResult | None = cache.lookup(
        task.cache_dir,
        task.directory,
        lambda: sorted(go_file_names(task.directory, view) | named.keys()),
        lambda flags: cache_inputs(task, bool("".join(flags.values()))),
        view.stat,
    )
    return found.adopt(named) if found is not None else None


class _Analysis:
    """fixloop.analysing() around the directories a run analyses in this process, entered at
    the first one (a run the cache serves imports no rule, even after re-hashing files)."""

    def __init__(self) -> None:
        self._stack = contextlib.ExitStack()
        self._begun = False

    def begin(self) -> None:
        if not self._begun:
            self._begun = True
            from codemod.fixloop import analysing

            self._stack.enter_context(analysing())

    def __enter__(self) -> _Analysis:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()


def cached_process(task: DirTask, begin: Callable[[], None] | None = None) -> DirResult:
    """process_directory(task), served from the result cache under task.cache_dir when possible;
    begin() is called before a directory is analysed."""

    def compute(read: Mapping[str, bytes]) -> DirResult:
        from codemod.fixloop import process_directory

        if begin is not None:
            begin()
        return process_directory(task, read)

    if task.cache_dir is None:
        return compute({})
    return cache.cached(
        task.cache_dir,
        task.directory,
        _names(task),
        lambda flags: cache_inputs(task, bool("".join(flags.values()))),
        compute,
        keep=lambda result: not result.errors,
        flags_of=_module_flags,
    )


def _module_flags(data: bytes) -> str:
    """Why a file makes its directory's result depend on the rest of the module: "c" for a
    cgo file (keepalive reads finalizers registered in other packages), "m" for a file
    that may hand out a locked map from an exported function (deepcopy reads its callers
    in other packages); "" when it does not."""
    return ("c" if may_import_c(data) else "") + ("m" if may_hand_out_locked_maps(data) else "")


def _names(task: DirTask) -> list[str]:
    return sorted(go_file_names(task.directory) | {p.name for p in task.targets})


def _adopted(result: DirResult, task: DirTask) -> DirResult:
    """result with its report completed with task's Paths (see DirResult.adopt)."""
    return result.adopt({p.name: p for p in task.targets})


def cache_inputs(task: DirTask, cgo: bool = False) -> tuple[str, ...]:
    """What a directory's result depends on besides gomapfix's code and the directory's files:
    the options, the module's go.mod (root and language version), the target files, and for
    a directory whose result reads other packages of the module (cgo: see _module_flags),
    the rest of the module."""
    module_root, go_version = find_module(task.directory)
    targets = "\0".join(sorted(p.name for p in task.targets))  # the directory is in the key
    state = shared(task.run)
    options = state.get(("runner.options", id(task.options)))
    if options is None or options[0] is not task.options:
        options = state[("runner.options", id(task.options))] = (task.options, cache.canonical(task.options))
    out = (options[1], str(module_root), repr(go_version), targets)
    if cgo and module_root is not None:
        out += (module_digest(module_root, task.run),)
    return out


def module_digest(root: Path, run: str = "") -> str:
    """A digest of every .go file of the module at root (path, size, modification time), as the
    go tool would see the module: vendor/, testdata/, hidden directories and nested modules
    left out. Computed once per run and process."""
    state = shared(run)
    found = state.get(("module_digest", root))
    if found is None:
        stat = FsView.of(state, keep=False).stat
        prefix = os.path.join(root, "")
        lines = []
        for rel in module_listing(root, state):
            try:
                st = stat(prefix + rel)
            except OSError:
                continue
            lines.append(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n")
        found = state[("module_digest", root)] = hashlib.sha256("".join(lines).encode()).hexdigest()
    return found


def _process_batch(tasks: list[DirTask]) -> list[DirResult]:
    """A worker's unit of work: several small directories, or one large one (their cache
    entries written together: cache.deferred_writes); the memory they leave is handed back
    after (fixloop.release_memory), so that a worker's peak does not grow with the tree."""
    with cache.deferred_writes():
        out = [cached_process(t) for t in tasks]
    from codemod.fixloop import release_memory

    release_memory()
    return out


DIRECTORY_COST = 16384
"""What a directory costs besides its bytes (reading it, its cache entry, its result), in bytes
of source: small directories batched by bytes alone left one worker a last batch of hundreds."""


def _batches(tasks: list[DirTask], jobs: int) -> list[list[DirTask]]:
    """Tasks by decreasing size (bytes of their target files, and DIRECTORY_COST each), grouped
    so that each batch holds about 1/(16*jobs) of the total: big directories alone, small
    ones together."""
    sizes = {id(t): DIRECTORY_COST + sum(_size(p) for p in t.targets) for t in tasks}
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
