"""Atomic, careful writes of fixed files.

A file is replaced by writing a temporary file beside it, copying the
original's permission bits, syncing, and renaming over the original, so a
crash leaves either the old or the new file, never half of one. A file that
changed on disk since it was read is not overwritten; a file a fix creates
is never allowed to replace one that appeared in the meantime.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path


class StaleFile(Exception):
    """The file on disk is no longer what gomapfix read; nothing was written."""


def write_atomic(path: Path, data: bytes, expected: bytes | None) -> None:
    """Replace path's content with data; expected is the content it must still have
    (None: the file must not exist yet)."""
    if expected is None:
        if path.exists() or path.is_symlink():
            raise StaleFile(f"{path}: exists already; not overwritten")
        mode = 0o666 & ~_umask()
    else:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            raise StaleFile(f"{path}: is a symbolic link; not replaced")
        if path.read_bytes() != expected:
            raise StaleFile(f"{path}: changed on disk since it was read; not overwritten")
        mode = stat.S_IMODE(st.st_mode)
    import tempfile  # only --write needs it: a dry run does not pay for the import

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".gomapfix", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        if expected is None:
            os.link(tmp, path)  # fails if path appeared meanwhile
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
