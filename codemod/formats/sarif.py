"""--format sarif: a SARIF 2.1.0 log for GitHub code scanning and other SARIF viewers.

One run. tool.driver.rules has an entry per selected rule (and per other rule
that reported, such as unused-ignore), with its catalogue text as help. Each
finding is a result with:

  - ruleId/ruleIndex, level (error, warning, note), message;
  - one physical location: uri relative to %SRCROOT% (the current directory,
    given in originalUriBaseIds), region with 1-based lines and columns that
    count Unicode code points (run.columnKind "unicodeCodePoints"), end exclusive;
  - partialFingerprints {"gomapfix/v1": "<digest>:<n>"}: codemod.formats.common.fingerprint,
    stable across edits elsewhere in the file (no line numbers);
  - fixes: every fix of the finding, each with its artifactChanges; a replacement's
    deletedRegion gives both byteOffset/byteLength and the line/column range, and a
    created file is one insertion at its start;
  - properties.fixes: [{"message", "safety", "applied"}] as in the JSON format.

Failed files are toolExecutionNotifications of level error, skipped ones of
level note; executionSuccessful is false when the run had internal errors.
"""

from __future__ import annotations

import json
from pathlib import Path

from codemod import __version__, registry, ruledoc
from codemod.diff import display_path
from codemod.formats.common import FINGERPRINT_KEY, RenderContext, Sources, occurrences, text
from codemod.model import Edit, Finding, Fix, RunReport

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
SRCROOT = "%SRCROOT%"


def _artifact(path: Path) -> dict:
    return {"uri": display_path(path), "uriBaseId": SRCROOT}


def _rule(name: str) -> dict:
    entry = registry.doc(name)
    if entry is None:
        return {"id": name, "shortDescription": {"text": name}}
    return {
        "id": name,
        "shortDescription": {"text": entry.summary},
        "fullDescription": {"text": entry.finds},
        "help": {
            "text": ruledoc.explain(entry, suppressible=name in registry.names()),
            "markdown": ruledoc.markdown(entry),
        },
        "defaultConfiguration": {"level": LEVELS[entry.severity]},
        "properties": {"safety": entry.safety, "tags": ["go", "gomapfix"]},
    }


def _region(sources: Sources, path: Path, start: int, end: int) -> dict:
    line, col = sources.position(path, start)
    end_line, end_col = sources.position(path, end)
    return {
        "startLine": line,
        "startColumn": sources.char_column(path, line, col),
        "endLine": end_line,
        "endColumn": sources.char_column(path, end_line, end_col),
        "byteOffset": start,
        "byteLength": end - start,
    }


def _replacement(sources: Sources, e: Edit) -> dict:
    return {
        "deletedRegion": _region(sources, e.path, e.start, e.end),
        "insertedContent": {"text": text(e.text)},
    }


def _fix(report: RunReport, f: Finding, fix: Fix, sources: Sources) -> dict:
    applied = report.fix_applied(f, fix)
    changes = [
        {
            "artifactLocation": _artifact(path),
            "replacements": [_replacement(sources, e) for e in sorted(fix.edits) if e.path == path],
        }
        for path in sorted({e.path for e in fix.edits})
    ]
    changes += [
        {
            "artifactLocation": _artifact(n.path),
            "replacements": [
                {
                    "deletedRegion": {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1},
                    "insertedContent": {"text": text(n.content)},
                }
            ],
        }
        for n in fix.new_files
    ]
    state = "applied" if applied else "not applied"
    return {
        "description": {"text": f"{fix.message} ({fix.safety.value}; {state})"},
        "artifactChanges": changes,
    }


def _result(report: RunReport, f: Finding, index: int, fp: str, sources: Sources) -> dict:
    span = f.span
    region = {
        "startLine": span.line,
        "startColumn": sources.char_column(f.path, span.line, span.column),
        "endLine": span.end_line,
        "endColumn": sources.char_column(f.path, span.end_line, span.end_column),
    }
    result = {
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": LEVELS[f.severity.value],
        "message": {"text": f.message},
        "locations": [{"physicalLocation": {"artifactLocation": _artifact(f.path), "region": region}}],
        "partialFingerprints": {FINGERPRINT_KEY: fp},
        "properties": {
            "fixes": [
                {"message": x.message, "safety": x.safety.value, "applied": report.fix_applied(f, x)}
                for x in f.fixes
            ]
        },
    }
    if f.fixes:
        result["fixes"] = [_fix(report, f, x, sources) for x in f.fixes]
    return result


def _directory_uri(directory: Path) -> str:
    uri = directory.as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _notification(level: str, message: str, path: Path) -> dict:
    return {
        "level": level,
        "message": {"text": message},
        "locations": [{"physicalLocation": {"artifactLocation": _artifact(path)}}],
    }


def sarif_log(report: RunReport, ctx: RenderContext) -> dict:
    """The SARIF log as a JSON-ready dict."""
    sources = Sources(report)
    names = list(ctx.rules)
    names += sorted({f.rule for f in report.findings} - set(names))
    index = {n: i for i, n in enumerate(names)}
    fingerprints = occurrences(report.findings, sources)
    notifications = [
        _notification("error", f"not processed: {o.failed}", o.path) for o in report.failed_files()
    ]
    notifications += [
        _notification("note", f"skipped: {o.skipped}", o.path)
        for o in report.skipped_files()
        if not (o.skipped or "").startswith("generated file")
    ]
    run = {
        "tool": {
            "driver": {
                "name": "gomapfix",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_rule(n) for n in names],
            }
        },
        "invocations": [{"executionSuccessful": not ctx.errors, "toolExecutionNotifications": notifications}],
        "originalUriBaseIds": {SRCROOT: {"uri": _directory_uri(Path.cwd())}},
        "columnKind": "unicodeCodePoints",
        "results": [
            _result(report, f, index[f.rule], fp, sources)
            for f, fp in zip(report.findings, fingerprints, strict=True)
        ],
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render(report: RunReport, ctx: RenderContext) -> bytes:
    return (json.dumps(sarif_log(report, ctx), indent=2, ensure_ascii=False) + "\n").encode()
