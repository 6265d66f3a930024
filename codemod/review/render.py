"""What the interactive review prints: the fix under review, help, notes and the summary.

Everything goes through one rich Console, so a session on a terminal is
coloured and a test can render into a string. Diffs are the engine's own
unified diffs (codemod.diff), coloured line by line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.text import Text

from codemod.diff import display_path, unified_diff
from codemod.model import Finding, Fix, Safety

CONTEXT_LINES = 3

HELP = (
    ("y", "accept"),
    ("n", "reject"),
    ("a", "accept rest of file"),
    ("d", "skip rest of file"),
    ("A", "accept all"),
    ("e", "edit"),
    ("?", "explain"),
    ("q", "quit and write"),
    ("x", "abort"),
)

_DIFF_STYLES = (
    ("diff --git", "bold"),
    ("new file", "bold"),
    ("---", "bold"),
    ("+++", "bold"),
    ("@@", "cyan"),
    ("+", "green"),
    ("-", "red"),
    ("\\", "dim"),
)


@dataclass(frozen=True)
class Progress:
    """Where the review is: fix number of total, and file number of files."""

    fix: int
    fixes: int
    file: int
    files: int

    def __str__(self) -> str:
        return f"fix {self.fix}/{self.fixes} · file {self.file}/{self.files}"


FileChange = tuple[Path, bytes | None, bytes]
"""(path, old content or None for a created file, new content)."""


class View:
    """Prints the review to a console."""

    def __init__(self, console: Console, root: Path | None = None) -> None:
        self.console = console
        self.root = root

    def path(self, path: Path) -> str:
        """path relative to the current directory; relative to the root when outside it."""
        rel = display_path(path)
        if rel.startswith("../") and self.root is not None:
            return display_path(path, self.root)
        return rel

    def fix(
        self,
        finding: Finding,
        fix: Fix,
        alternative: int,
        progress: Progress,
        changes: Sequence[FileChange],
        note: str | None = None,
    ) -> None:
        """Show one fix: progress, rule, safety, place, messages, and the diff of all its hunks."""
        c = self.console
        c.rule(Text(str(progress), style="bold"))
        safety = (
            Text("safe", style="bold green")
            if fix.safety is Safety.SAFE
            else Text("UNSAFE", style="bold red")
        )
        head = Text.assemble(
            (finding.rule, "bold cyan"),
            "  ",
            safety,
            "  ",
            (f"{self.path(finding.path)}:{finding.span.line}", "bold"),
        )
        c.print(head)
        c.print(Text(finding.message))
        fix_line = Text.assemble(("fix: ", "bold"), fix.message)
        if len(finding.fixes) > 1:
            fix_line.append(
                f"   [alternative {alternative + 1}/{len(finding.fixes)}: Tab or 1-{len(finding.fixes)}]",
                style="magenta",
            )
        c.print(fix_line)
        if fix.safety is Safety.UNSAFE:
            c.print(Text("unsafe: this fix rests on an assumption gomapfix cannot check; review it", "red"))
        if note:
            c.print(Text(note, style="yellow"))
        for path, old, new in changes:
            self.diff(path, old, new)
        self.help(len(finding.fixes))

    def diff(self, path: Path, old: bytes | None, new: bytes) -> None:
        """A coloured unified diff of one file."""
        base = self.root if display_path(path).startswith("../") else None
        raw = unified_diff(path, old, new, context=CONTEXT_LINES, base=base)
        for line in raw.decode("utf-8", "replace").splitlines():
            style = next((s for prefix, s in _DIFF_STYLES if line.startswith(prefix)), "")
            self.console.print(Text(line, style=style), soft_wrap=True, highlight=False)

    def help(self, alternatives: int = 1) -> None:
        """The help line: every key and what it does."""
        pairs = list(HELP)
        if alternatives > 1:
            pairs.append(("Tab", "next alternative"))
            pairs.append((f"1-{alternatives}", "pick alternative"))
        text = Text()
        for i, (key, what) in enumerate(pairs):
            if i:
                text.append(" · ", style="dim")
            text.append(key, style="bold yellow")
            text.append(f" {what}")
        self.console.print(text)

    def explain(self, text: str) -> None:
        self.console.print(Text(text.rstrip("\n")), highlight=False)

    def note(self, text: str) -> None:
        self.console.print(Text(text, style="yellow"), highlight=False)

    def error(self, text: str) -> None:
        self.console.print(Text(text, style="bold red"), highlight=False)

    def lines(self, lines: Sequence[str]) -> None:
        for line in lines:
            self.console.print(Text(line), highlight=False)
