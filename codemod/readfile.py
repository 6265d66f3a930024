"""Reading a whole file in the fewest system calls.

A run reads every .go file of the tree once (to hash it, then to scan and parse it), so the
calls per file count: pathlib's read_bytes opens, asks the size, reads, reads again to see
the end and closes. When the caller has the size already (it stat'ed the file), read_file
opens, reads one byte more than that size (a short read of a regular file is its end) and
closes.
"""

from __future__ import annotations

import os

_CHUNK = 1 << 20


def read_file(path: str | os.PathLike[str], size: int | None = None) -> bytes:
    """The bytes of the file at path (symbolic links followed); size: its size as a stat just
    made gave it, when known (a file that has grown since is still read to its end). Raises
    the OSError opening or reading raises."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        if size is None:
            size = os.fstat(fd).st_size
        data = os.read(fd, size + 1)
        if len(data) <= size:
            return data
        chunks = [data]
        while chunk := os.read(fd, _CHUNK):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
