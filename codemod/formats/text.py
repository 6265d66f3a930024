"""--format text: one line per finding, `path:line:col: rule: message`, like a compiler."""

from __future__ import annotations

from codemod.diff import display_path
from codemod.formats.common import RenderContext
from codemod.model import Finding, RunReport


def line(f: Finding) -> str:
    """`path:line:col: rule: message` (columns count bytes, as Go's do; one line always)."""
    message = " ".join(f.message.split())
    return f"{display_path(f.path)}:{f.span.line}:{f.span.column}: {f.rule}: {message}\n"


def render(report: RunReport, ctx: RenderContext) -> bytes:
    return "".join(line(f) for f in report.findings).encode()
