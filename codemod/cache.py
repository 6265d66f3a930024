"""A content-addressed cache of per-directory results.

A directory's result is a pure function of: gomapfix's own code, the run's
options, the module's go.mod, the directory, which files are targets, and the
bytes of every .go file in the directory. The cache key hashes exactly those,
so an edit, a configuration change or a new go.mod version can never be served
a stale result.

Hashing every byte of a large tree on every run would cost as much as the
prefilter it saves, so, like git's index, a per-directory stat index remembers
(size, mtime, inode, ctime) -> content digest. A file whose stat still matches,
and whose mtime is older than the index entry by more than the file system's
timestamp granularity ("racy" entries are re-hashed), reuses its digest.

Each directory has one entry file, `dirs/<digest of its path>`: its stat index and
the results of its last few keys (RESULTS; other options, or the contents before an
edit that was undone), so that a run reads and writes one file per directory.
Entries are written to a temporary file and renamed into place, so concurrent
runs never see half an entry (the last writer wins; what it drops is a miss later,
never a stale result); a corrupt or unreadable entry is a miss. Workers write their
entries a few dozen at a time (deferred_writes).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import pickle
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from codemod import __version__
from codemod.readfile import read_file

T = TypeVar("T")

RACY_SECONDS = 2.0
FORMAT = 2
RESULTS = 4
"""How many results (keys) a directory's entry keeps, the most recent."""


def default_dir() -> Path:
    """$GOMAPFIX_CACHE_DIR, else $XDG_CACHE_HOME/gomapfix, else ~/.cache/gomapfix."""
    env = os.environ.get("GOMAPFIX_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "gomapfix"


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """Digest of gomapfix's version and its own source files: new code, new cache."""
    h = hashlib.sha256(f"{FORMAT}:{__version__}".encode())
    root = Path(__file__).resolve().parent.parent
    for pkg in ("codemod", "gofacts", "transforms"):
        for p in sorted((root / pkg).rglob("*")):
            if p.suffix in (".py", ".go", ".tmpl") and p.is_file():
                h.update(str(p.relative_to(root)).encode())
                h.update(p.read_bytes())
    return h.hexdigest()


def _atomic_write(path: str, data: bytes) -> None:
    """Write data to path through a file of this process's own beside it, renamed over path
    (a name made from the path and the process id: creating it costs a third of a random
    temporary name's, and no other process writes it)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _entry_path(root: Path, directory: Path) -> str:
    return os.path.join(root, "dirs", hashlib.sha256(str(directory).encode()).hexdigest())


def _read_entry(path: str) -> dict[str, Any]:
    """A directory's entry: {"files": stat index by name, "results": pickled result by key};
    empty when missing, unreadable, corrupt or of another format."""
    try:
        with open(path, "rb", buffering=0) as f:
            entry = pickle.loads(f.read())
    except _UNREADABLE:
        return {}
    if not isinstance(entry, dict) or entry.get("format") != FORMAT:
        return {}
    return entry


def _write_entry(path: str, files: dict[str, list], results: dict[str, bytes]) -> None:
    entry = {"format": FORMAT, "files": files, "results": results}
    data = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
    if _pending is not None:
        _pending.append((path, data))
        if len(_pending) >= DEFERRED:
            _flush()
        return
    with contextlib.suppress(OSError):
        _atomic_write(path, data)


DEFERRED = 64
"""How many entries deferred_writes keeps before it writes them."""

_pending: list[tuple[str, bytes]] | None = None


@contextlib.contextmanager
def deferred_writes() -> Iterator[None]:
    """Entries cached() stores inside are written a few dozen at a time, on leaving and each
    time DEFERRED are waiting, instead of one between every two directories' analyses: a
    file system creates files in a row several times faster (the kernel's paths stay warm;
    one at a time, each creation cost about 0.2 ms more on the benchmark machine). Entries
    not written yet are lost if the process dies, which costs a later run a miss, no more."""
    global _pending
    if _pending is not None:
        yield  # an enclosing deferral writes them
        return
    _pending = []
    try:
        yield
    finally:
        try:
            _flush()
        finally:
            _pending = None


def _flush() -> None:
    assert _pending is not None
    waiting = list(_pending)
    _pending.clear()
    for path, data in waiting:
        with contextlib.suppress(OSError):
            _atomic_write(path, data)


def _stamp(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns]


def _trusted(entry: list | None, st: os.stat_result) -> bool:
    """Whether a stat index entry vouches for a file whose stat is st: same stat, and the
    file last modified well before the entry was made (not "racy")."""
    if not entry or len(entry) != 7 or entry[:4] != _stamp(st):
        return False
    return st.st_mtime < entry[5] - RACY_SECONDS


def _digests(
    directory: Path, index: dict[str, list], names: list[str], flags_of: Callable[[bytes], str]
) -> tuple[dict[str, str], dict[str, str], dict[str, bytes], dict[str, list]] | None:
    """Content digest of each named file, reusing the stat index where it is safe, the
    flags flags_of gives for its bytes (computed when the file is read, kept in the index),
    the bytes of the files it had to read, and the stat index of the named files now."""
    now = time.time()
    out: dict[str, str] = {}
    flags: dict[str, str] = {}
    read: dict[str, bytes] = {}
    fresh: dict[str, list] = {}
    prefix = os.path.join(directory, "")
    for name in names:
        try:
            st = os.stat(prefix + name)
        except OSError:
            return None
        entry = index.get(name)
        if _trusted(entry, st):
            assert entry is not None
            out[name], flags[name] = entry[4], entry[6]
            fresh[name] = entry
            continue
        try:
            data = read_file(prefix + name, st.st_size)
        except OSError:
            return None
        out[name], flags[name] = hashlib.sha256(data).hexdigest(), flags_of(data)
        read[name] = data
        fresh[name] = [*_stamp(st), out[name], now, flags[name]]
    return out, flags, read, fresh


def key(directory: Path, digests: dict[str, str], inputs: Sequence[str]) -> str:
    """The cache key of a directory's result: gomapfix's code, the directory, the digests of
    its files and the other inputs the result depends on (options, go.mod, targets)."""
    files = "".join(f"{name}\0{digests[name]}\n" for name in sorted(digests))
    return hashlib.sha256("\0".join((code_digest(), str(directory), *inputs, files)).encode()).hexdigest()


def canonical(options: object) -> str:
    """A deterministic rendering of the options (sets sorted: hash order varies by process)."""
    fields = {}
    for name in sorted(vars(options)):
        value = getattr(options, name)
        if isinstance(value, (set, frozenset)):
            value = sorted(map(repr, value))
        fields[name] = repr(value)
    return json.dumps(fields, sort_keys=True)


def cached(
    root: Path,
    directory: Path,
    names: Sequence[str],
    inputs: Callable[[dict[str, str]], Sequence[str]],
    compute: Callable[[Mapping[str, bytes]], T],
    keep: Callable[[T], bool],
    flags_of: Callable[[bytes], str] = lambda data: "",
) -> T:
    """compute(read), served from the cache under root when an entry for the same code, files
    (the .go files names of directory) and inputs exists; stored there when keep(result).
    read holds the bytes of the files the digests had to read (by name), so that compute
    need not read them again.

    inputs(flags) gives what else the result depends on, from the flags flags_of gave
    each file's bytes (so that a warm run need not read the files again to tell)."""
    path = _entry_path(root, directory)
    entry = _read_entry(path)
    index: dict[str, list] = entry.get("files", {})
    results: dict[str, bytes] = entry.get("results", {})
    found = _digests(directory, index, list(names), flags_of)
    if found is None:
        return compute({})
    digests, flags, read, fresh = found
    k = key(directory, digests, inputs(flags))
    hit = _loads(results.get(k))
    if hit is not None:
        if fresh != index:
            _write_entry(path, fresh, results)
        return hit
    result = compute(read)
    if keep(result):
        results = {old: data for old, data in results.items() if old != k}
        results[k] = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        results = dict(list(results.items())[-RESULTS:])
    if fresh != index or k in results:
        _write_entry(path, fresh, results)
    return result


def lookup(
    root: Path,
    directory: Path,
    names: Callable[[], Sequence[str]],
    inputs: Callable[[dict[str, str]], Sequence[str]],
    stat: Callable[[str], os.stat_result] = os.stat,
) -> Any:
    """The result cached() would serve, when the stat index vouches for every file names()
    lists (as stat sees it); None otherwise (a file changed, is new or racy, or no result is
    stored). Reads no file of directory, writes nothing: a miss is left to cached()."""
    entry = _read_entry(_entry_path(root, directory))
    if not entry:
        return None
    index: dict[str, list] = entry["files"]
    digests: dict[str, str] = {}
    flags: dict[str, str] = {}
    prefix = os.path.join(directory, "")
    for name in names():
        found = index.get(name)
        if found is None:
            return None
        try:
            st = stat(prefix + name)
        except OSError:
            return None
        if not _trusted(found, st):
            return None
        digests[name], flags[name] = found[4], found[6]
    k = key(directory, digests, inputs(flags))
    return _loads(entry["results"].get(k))


_UNREADABLE = (
    OSError,
    pickle.UnpicklingError,
    EOFError,
    ImportError,
    AttributeError,
    LookupError,
    TypeError,
    ValueError,
)
"""What loading a missing, truncated or stale (older code's) entry may raise: a miss."""


def _loads(data: bytes | None) -> Any:
    """The result pickled in data, or None (none stored, or corrupt: a miss)."""
    if data is None:
        return None
    try:
        return pickle.loads(data)
    except _UNREADABLE:
        return None
