"""A progress bar for long runs: on stderr, only on a terminal, never in CI or pipes."""

from __future__ import annotations

import os
import sys
from types import TracebackType

MIN_UNITS = 50


class Progress:
    """Counts processed directories; draws a rich bar only when a person is watching."""

    def __init__(self, total: int, enabled: bool = True) -> None:
        self.total = total
        self.enabled = enabled and total >= MIN_UNITS and sys.stderr.isatty() and not os.environ.get("CI")
        self._bar = None
        self._task = None
        self.done = 0

    def __enter__(self) -> Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TimeElapsedColumn
            from rich.progress import Progress as Bar

            self._bar = Bar(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._bar.__enter__()
            self._task = self._bar.add_task("gomapfix: packages", total=self.total)
        return self

    def advance(self, n: int = 1) -> None:
        """n more directories are done (called as each result arrives, in any order)."""
        self.done += n
        if self._bar is not None:
            self._bar.advance(self._task, n)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.__exit__(exc_type, exc, tb)
