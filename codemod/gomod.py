"""The Go module a directory belongs to: the nearest go.mod and its language version.

Read from the file system without parsing Go, so the runner can key cached results by it
without importing the parser.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

GoVersion = tuple[int, int]

_GO_LINE = re.compile(rb"^go\s+(\d+)\.(\d+)", re.M)


@functools.lru_cache(maxsize=4096)
def find_module(directory: Path) -> tuple[Path | None, GoVersion | None]:
    """The nearest go.mod at or above directory and its language version."""
    gomod = directory / "go.mod"
    if gomod.is_file():
        try:
            data = gomod.read_bytes()
        except OSError:
            return directory, None
        m = _GO_LINE.search(data)
        return directory, ((int(m.group(1)), int(m.group(2))) if m else (1, 16))
    parent = directory.parent
    return (None, None) if parent == directory else find_module(parent)
