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

Entries are written to a temporary file and renamed into place, so concurrent
runs never see half an entry; a corrupt or unreadable entry is a miss.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import pickle
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from codemod import __version__

T = TypeVar("T")

RACY_SECONDS = 2.0
FORMAT = 1


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


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _digests(
    root: Path, directory: Path, names: list[str], flags_of: Callable[[bytes], str]
) -> tuple[dict[str, str], dict[str, str]] | None:
    """Content digest of each named file, reusing the stat index where it is safe, and the
    flags flags_of gives for its bytes (computed when the file is read, kept in the index)."""
    index_path = root / "stat" / (hashlib.sha256(str(directory).encode()).hexdigest() + ".json")
    try:
        index = json.loads(index_path.read_bytes())
    except (OSError, ValueError):
        index = {}
    now = time.time()
    out: dict[str, str] = {}
    flags: dict[str, str] = {}
    fresh: dict[str, list] = {}
    changed = False
    for name in names:
        try:
            st = os.stat(directory / name)
        except OSError:
            return None
        stamp = [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns]
        entry = index.get(name)
        if entry and len(entry) == 7 and entry[:4] == stamp and st.st_mtime < entry[5] - RACY_SECONDS:
            out[name], flags[name] = entry[4], entry[6]
            fresh[name] = entry
            continue
        try:
            data = (directory / name).read_bytes()
        except OSError:
            return None
        out[name], flags[name] = hashlib.sha256(data).hexdigest(), flags_of(data)
        fresh[name] = [*stamp, out[name], now, flags[name]]
        changed = True
    if changed or len(fresh) != len(index):
        with contextlib.suppress(OSError):
            _atomic_write(index_path, json.dumps(fresh, sort_keys=True).encode())
    return out, flags


def key(directory: Path, digests: dict[str, str], inputs: Sequence[str]) -> str:
    """The cache key of a directory's result: gomapfix's code, the directory, the digests of
    its files and the other inputs the result depends on (options, go.mod, targets)."""
    h = hashlib.sha256()
    for part in (code_digest(), str(directory), *inputs, json.dumps(sorted(digests.items()))):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


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
    compute: Callable[[], T],
    keep: Callable[[T], bool],
    flags_of: Callable[[bytes], str] = lambda data: "",
) -> T:
    """compute(), served from the cache under root when an entry for the same code, files
    (the .go files names of directory) and inputs exists; stored there when keep(result).

    inputs(flags) gives what else the result depends on, from the flags flags_of gave
    each file's bytes (so that a warm run need not read the files again to tell)."""
    found = _digests(root, directory, list(names), flags_of)
    if found is None:
        return compute()
    digests, flags = found
    k = key(directory, digests, inputs(flags))
    entry = root / "results" / k[:2] / k
    try:
        return pickle.loads(entry.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        pass
    result = compute()
    if keep(result):
        with contextlib.suppress(OSError):
            _atomic_write(entry, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    return result
