"""--format rdjsonl: reviewdog's Diagnostic Format, one JSON object per line.

Each finding is one Diagnostic:

    {"message": ..., "location": {"path": "w.go", "range": {"start": {"line": 21, "column": 2},
     "end": {"line": 21, "column": 12}}}, "severity": "WARNING", "source": {"name": "gomapfix"},
     "code": {"value": "keepalive"}, "suggestions": [{"range": {...}, "text": "..."}]}

Columns count UTF-8 bytes and ranges end exclusively, as reviewdog's format
defines them. The suggestions are the edits of the fix gomapfix applies (or,
when none is applied, of its first fix), so `reviewdog -f=rdjsonl
-reporter=github-pr-review` shows them as suggested changes; an insertion is
a range whose start equals its end. Suggestions can only edit the
diagnostic's own file: the edits a fix makes in another existing file are a
further Diagnostic at that file (same code, message "part of the fix for
..."), and a file the fix creates is named in the message.
"""

from __future__ import annotations

import json

from codemod.diff import display_path
from codemod.formats.common import RenderContext, Sources, edits_in, fix_note, shown_fix, text
from codemod.model import Edit, Finding, RunReport

SEVERITIES = {"error": "ERROR", "warning": "WARNING", "info": "INFO"}


def _position(sources: Sources, path, offset: int) -> dict:  # noqa: ANN001
    line, column = sources.position(path, offset)
    return {"line": line, "column": column}


def _suggestion(sources: Sources, e: Edit) -> dict:
    return {
        "range": {"start": _position(sources, e.path, e.start), "end": _position(sources, e.path, e.end)},
        "text": text(e.text),
    }


def diagnostics(report: RunReport, f: Finding, sources: Sources, wrote: bool) -> list[dict]:
    """The Diagnostic objects for one finding (more than one when its fix spans files)."""
    fix = shown_fix(report, f)
    note = fix_note(report, f, wrote)
    message = f.message + (f"\n\n{note}" if note else "")
    if fix is not None and fix.new_files:
        message += "\n\nThe fix creates " + ", ".join(display_path(n.path) for n in fix.new_files) + "."
    head = {
        "message": message,
        "location": {
            "path": display_path(f.path),
            "range": {
                "start": {"line": f.span.line, "column": f.span.column},
                "end": {"line": f.span.end_line, "column": f.span.end_column},
            },
        },
        "severity": SEVERITIES[f.severity.value],
        "source": {"name": "gomapfix"},
        "code": {"value": f.rule},
    }
    if fix is None:
        return [head]
    head["suggestions"] = [_suggestion(sources, e) for e in edits_in(fix, f.path)]
    out = [head]
    for path in sorted({e.path for e in fix.edits} - {f.path}):
        edits = edits_in(fix, path)
        out.append(
            {
                "message": f"part of the fix for {f.rule} at {display_path(f.path)}:{f.span.line}: "
                f"{fix.message}",
                "location": {
                    "path": display_path(path),
                    "range": {"start": _position(sources, path, edits[0].start)},
                },
                "severity": SEVERITIES[f.severity.value],
                "source": {"name": "gomapfix"},
                "code": {"value": f.rule},
                "suggestions": [_suggestion(sources, e) for e in edits],
            }
        )
    return out


def render(report: RunReport, ctx: RenderContext) -> bytes:
    sources = Sources(report)
    lines = [
        json.dumps(d, ensure_ascii=False) + "\n"
        for f in report.findings
        for d in diagnostics(report, f, sources, ctx.wrote)
    ]
    return "".join(lines).encode()
