"""--format diff: a git-style unified diff of every changed file (the default).

Paths are relative to the current directory, except inside a git work tree:
there they are relative to its top-level directory, as `git diff` writes them,
because that is how `git apply` reads a patch from any directory of the work
tree (from a subdirectory it would otherwise skip every file, silently). So
`gomapfix | git apply` works wherever it is run; `patch -p1` takes the patch
at the top of the work tree, or anywhere outside git.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from codemod.diff import unified_diff
from codemod.formats.common import RenderContext
from codemod.model import RunReport


def patch_base(cwd: Path | None = None) -> Path | None:
    """The directory the diff's paths are relative to when it is not the current directory:
    the top of the git work tree around cwd (a directory holding .git), if there is one."""
    here = Path(os.path.abspath(cwd or Path.cwd()))
    for d in (here, *here.parents):
        if (d / ".git").exists():
            return d if d != here else None
    return None


def diff_chunks(report: RunReport, base: Path | None = None) -> Iterator[bytes]:
    """One `diff --git` section per changed or created file, in path order."""
    for outcome in report.changed_files():
        assert outcome.result is not None
        yield unified_diff(outcome.path, outcome.original, outcome.result, base=base)


def render(report: RunReport, ctx: RenderContext) -> bytes:
    """The patch `git apply` and `patch -p1` accept; empty after --write (nothing is pending)."""
    return b"" if ctx.wrote else b"".join(diff_chunks(report, patch_base()))
