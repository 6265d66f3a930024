"""Output formats: one module per format, selected with --format.

Every format is a function render(report, ctx) -> bytes that writes nothing
itself; the CLI sends the bytes to stdout. Formats:

  diff     a git-style unified diff of every pending fix (codemod.formats.unified)
  text     `path:line:col: rule: message`, one line per finding (codemod.formats.text)
  json     the report as one JSON object (codemod.formats.jsonout)
  sarif    SARIF 2.1.0 for code scanning (codemod.formats.sarif)
  github   GitHub Actions workflow commands (codemod.formats.github)
  rdjsonl  reviewdog's Diagnostic Format as JSON Lines (codemod.formats.rdjsonl)
"""

from __future__ import annotations

from collections.abc import Callable

from codemod.formats import github, jsonout, rdjsonl, sarif, text, unified
from codemod.formats.common import RenderContext, Sources, fingerprint
from codemod.formats.jsonout import finding_dict, render_json
from codemod.formats.summary import summary_lines
from codemod.formats.unified import diff_chunks
from codemod.model import RunReport

Renderer = Callable[[RunReport, RenderContext], bytes]

RENDERERS: dict[str, Renderer] = {
    "diff": unified.render,
    "text": text.render,
    "json": jsonout.render,
    "sarif": sarif.render,
    "github": github.render,
    "rdjsonl": rdjsonl.render,
}
FORMATS: tuple[str, ...] = tuple(RENDERERS)


def render(name: str, report: RunReport, ctx: RenderContext) -> bytes:
    """The output of format name for report. Raises KeyError for an unknown format."""
    return RENDERERS[name](report, ctx)


__all__ = [
    "FORMATS",
    "RENDERERS",
    "RenderContext",
    "Renderer",
    "Sources",
    "diff_chunks",
    "finding_dict",
    "fingerprint",
    "render",
    "render_json",
    "summary_lines",
]
