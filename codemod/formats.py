"""Rendering a RunReport: the unified diff, JSON, and the stderr summary."""

from __future__ import annotations

import json
from collections.abc import Iterator

from codemod import __version__
from codemod.diff import display_path, unified_diff
from codemod.model import Finding, RunReport

FORMATS = ("diff", "json")
MAX_LISTED = 25


def diff_chunks(report: RunReport) -> Iterator[bytes]:
    for outcome in report.changed_files():
        assert outcome.result is not None
        yield unified_diff(outcome.path, outcome.original, outcome.result)


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


def summary_lines(report: RunReport, wrote: bool) -> list[str]:
    """Human summary for stderr: counts, then each skipped or failed file with its reason."""
    changed = report.changed_files()
    fixable = sum(1 for f in report.findings if any(report.fix_applied(f, x) for x in f.fixes))
    lines = [
        f"gomapfix: {len(report.findings)} finding(s), {fixable} fixed; "
        f"{len(changed)} file(s) {'changed' if wrote else 'would change'}; "
        f"{report.scanned} scanned"
    ]
    unapplied_unsafe = sum(
        1
        for f in report.findings
        if f.fixes
        and not any(report.fix_applied(f, x) for x in f.fixes)
        and f.fixes[0].safety.value == "unsafe"
    )
    if unapplied_unsafe:
        lines.append(
            f"gomapfix: {unapplied_unsafe} unsafe fix(es) not applied (use --unsafe-fixes to apply them)"
        )
    generated = [o for o in report.skipped_files() if (o.skipped or "").startswith("generated file")]
    if generated:
        lines.append(f"skipped {len(generated)} generated file(s) (use --include-generated to process them)")
    others = [o for o in report.skipped_files() if o not in generated]
    for o in others[:MAX_LISTED]:
        lines.append(f"skipped {display_path(o.path)}: {o.skipped}")
    if len(others) > MAX_LISTED:
        lines.append(f"... and {len(others) - MAX_LISTED} more skipped file(s) (see --format json)")
    for o in report.failed_files():
        lines.append(f"failed {display_path(o.path)}: {o.failed}")
    return lines
