"""--format github: GitHub Actions workflow commands, one annotation per finding.

    ::warning file=w.go,line=21,col=2,endLine=21,endColumn=12,title=gomapfix keepalive::message

Severity error, warning and info map to ::error, ::warning and ::notice.
Values are escaped as the Actions runner unescapes them: in the message
`%`, CR and LF become %25, %0D and %0A; in properties also `:` and `,`
become %3A and %2C. Paths are relative to the current directory, so run
gomapfix from the repository root (GitHub resolves them against it).
Columns count Unicode code points.
"""

from __future__ import annotations

from codemod.diff import display_path
from codemod.formats.common import RenderContext, Sources, fix_note
from codemod.model import Finding, RunReport

LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(s: str) -> str:
    """Escape a command's message."""
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s: str) -> str:
    """Escape a command property's value."""
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **props: object) -> str:
    """One workflow command line, e.g. command("error", "boom", file="a.go", line=3)."""
    rendered = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items() if v is not None)
    return (
        f"::{level} {rendered}::{escape_data(message)}\n"
        if rendered
        else f"::{level}::{escape_data(message)}\n"
    )


def annotation(report: RunReport, f: Finding, sources: Sources, wrote: bool) -> str:
    span = f.span
    note = fix_note(report, f, wrote)
    return command(
        LEVELS[f.severity.value],
        f.message + (f"\n\n{note}" if note else "") + f"\n\n(gomapfix explain {f.rule})",
        file=display_path(f.path),
        line=span.line,
        col=sources.char_column(f.path, span.line, span.column),
        endLine=span.end_line,
        endColumn=sources.char_column(f.path, span.end_line, span.end_column),
        title=f"gomapfix {f.rule}",
    )


def render(report: RunReport, ctx: RenderContext) -> bytes:
    sources = Sources(report)
    out = [annotation(report, f, sources, ctx.wrote) for f in report.findings]
    out += [
        command("warning", f"gomapfix could not process this file: {o.failed}", file=display_path(o.path))
        for o in report.failed_files()
    ]
    return "".join(out).encode()
