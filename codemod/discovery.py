"""Finding the Go files a run should look at.

In a git work tree: the .go files git tracks plus the untracked ones it does
not ignore. Elsewhere: a directory walk. Either way vendor/, testdata/ and
directories whose names start with "." or "_" are skipped (the go tool
ignores them too), as are symbolic links, which gomapfix never follows or
replaces. Files named explicitly on the command line are always honoured.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

SKIP_DIRS = ("vendor", "testdata")
GENERATED = re.compile(rb"^// Code generated .* DO NOT EDIT\.\r?$", re.M)
_PACKAGE = re.compile(rb"^package[ \t]", re.M)


class UsageError(Exception):
    """A mistake in how gomapfix was called; reported in one line with exit status 2."""


@dataclass
class Discovery:
    """The files to process, and the ones passed over with the reason why."""

    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def skipped_dir(name: str) -> bool:
    return name in SKIP_DIRS or name.startswith((".", "_"))


def is_generated(content: bytes) -> bool:
    """True if a `// Code generated ... DO NOT EDIT.` line precedes the package clause."""
    m = _PACKAGE.search(content)
    head = content[: m.start()] if m else content
    return GENERATED.search(head) is not None


def discover(paths: list[Path]) -> Discovery:
    """Expand command-line paths into Go files. Raises UsageError for a missing path."""
    found = Discovery()
    seen: set[Path] = set()

    def add(p: Path) -> None:
        if p not in seen:
            seen.add(p)
            found.files.append(p)

    for raw in paths:
        if not raw.exists() and not raw.is_symlink():
            raise UsageError(f"{raw}: no such file or directory")
        path = Path(os.path.abspath(raw))
        if raw.is_symlink() and raw.is_file():
            found.skipped.append((path, "symbolic link (gomapfix does not follow or replace links)"))
        elif path.is_file():
            if path.suffix != ".go":
                found.skipped.append((path, "not a .go file"))
            else:
                add(path)
        else:
            for p in _git_files(path) or _walk(path):
                if p.is_symlink():
                    found.skipped.append((p, "symbolic link (gomapfix does not follow or replace links)"))
                else:
                    add(p)
    found.files.sort()
    return found


def _relevant(rel: Path) -> bool:
    return rel.suffix == ".go" and not any(skipped_dir(part) for part in rel.parts[:-1])


def _git_files(directory: Path) -> list[Path] | None:
    try:
        proc = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
            cwd=directory,
            capture_output=True,
            timeout=120,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    out = []
    for name in proc.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if not name:
            continue
        rel = Path(name)
        p = directory / rel
        if _relevant(rel) and (p.is_file() or p.is_symlink()):
            out.append(p)
    return out


def _walk(directory: Path) -> list[Path]:
    out = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not skipped_dir(d))
        for name in files:
            if name.endswith(".go"):
                out.append(Path(root) / name)
    return out
