"""--format json: the report as one JSON object (shape documented in the README)."""

from __future__ import annotations

import json

from codemod import __version__
from codemod.diff import display_path
from codemod.formats.common import RenderContext
from codemod.model import Finding, RunReport


def finding_dict(report: RunReport, f: Finding) -> dict:
    return {
        "rule": f.rule,
        "path": display_path(f.path),
        "line": f.span.line,
        "column": f.span.column,
        "end_line": f.span.end_line,
        "end_column": f.span.end_column,
        "severity": f.severity.value,
        "message": f.message,
        "fixes": [
            {"message": fix.message, "safety": fix.safety.value, "applied": report.fix_applied(f, fix)}
            for fix in f.fixes
        ],
    }


def render_json(report: RunReport) -> str:
    doc = {
        "version": __version__,
        "findings": [finding_dict(report, f) for f in report.findings],
        "files": {
            "scanned": report.scanned,
            "changed": len(report.changed_files()),
            "skipped": len(report.skipped_files()),
            "failed": len(report.failed_files()),
            "skipped_files": [
                {"path": display_path(o.path), "reason": o.skipped} for o in report.skipped_files()
            ],
            "failed_files": [
                {"path": display_path(o.path), "reason": o.failed} for o in report.failed_files()
            ],
        },
    }
    return json.dumps(doc, indent=2) + "\n"


def render(report: RunReport, ctx: RenderContext) -> bytes:
    return render_json(report).encode()
