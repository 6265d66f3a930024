"""--format diff: a git-style unified diff of every changed file (the default)."""

from __future__ import annotations

from collections.abc import Iterator

from codemod.diff import unified_diff
from codemod.formats.common import RenderContext
from codemod.model import RunReport


def diff_chunks(report: RunReport) -> Iterator[bytes]:
    """One `diff --git` section per changed or created file, in path order."""
    for outcome in report.changed_files():
        assert outcome.result is not None
        yield unified_diff(outcome.path, outcome.original, outcome.result)


def render(report: RunReport, ctx: RenderContext) -> bytes:
    """The patch `git apply` and `patch -p1` accept; empty after --write (nothing is pending)."""
    return b"" if ctx.wrote else b"".join(diff_chunks(report))
