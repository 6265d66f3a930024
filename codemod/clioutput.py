"""Where the main command's output goes, and how it looks: formats, files, colour, statistics.

- Outputs: `--format FORMAT[:FILE]` (repeatable) and `--output-file FILE` name
  the outputs of one run: at most one goes to stdout, each other one to its
  file (a CI job writes SARIF for code scanning and prints the diff in one
  run). Every file is written atomically once the run is done.
- Colour: `--color auto` (the default) colours the diff on stdout and the
  finding list on stderr only on a terminal, and not when NO_COLOR is set to
  anything non-empty (https://no-color.org); `always` and `never` decide
  regardless. Outputs written to files are never coloured.
- The finding list: after a diff, every finding is listed on stderr, one line
  each, with what happens to it: `[fixed]` / `[would fix]`, `[unsafe fix:
  --unsafe-fixes]`, or `[no fix]`, so a finding without a fix (a map-to-c
  error, say) is never only a count.
- `--statistics`: one line per rule with findings: how many, and how many
  this run fixes (or would fix).
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from codemod.diff import display_path
from codemod.discovery import UsageError
from codemod.formats import FORMATS
from codemod.model import Finding, RunReport, Safety, Severity
from codemod.writer import write_atomic

_RESET = "\x1b[0m"
_DIFF_COLORS = (
    (b"diff --git", "\x1b[1m"),
    (b"new file", "\x1b[1m"),
    (b"---", "\x1b[1m"),
    (b"+++", "\x1b[1m"),
    (b"@@", "\x1b[36m"),
    (b"+", "\x1b[32m"),
    (b"-", "\x1b[31m"),
)
_MARK_COLORS = {"fixed": "\x1b[32m", "would fix": "\x1b[32m", "no fix": "\x1b[33m"}


@dataclass(frozen=True)
class Output:
    """One output of a run: a format, and the file it goes to (None: stdout)."""

    format: str
    path: Path | None = None


def outputs(args: argparse.Namespace) -> list[Output]:
    """The run's outputs from --format (repeatable, FORMAT[:FILE]) and --output-file.

    Raises UsageError for an unknown format (naming the closest one) and when
    more than one output would go to stdout.
    """
    specs = args.format or ["diff"]
    out: list[Output] = []
    for spec in specs:
        name, sep, file = spec.partition(":")
        if name not in FORMATS:
            close = difflib.get_close_matches(name, FORMATS, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise UsageError(f"--format {spec}: unknown format {name!r}{hint} (known: {', '.join(FORMATS)})")
        if sep and not file:
            raise UsageError(f"--format {spec}: no file name after ':'")
        out.append(Output(name, Path(file) if file else None))
    to_stdout = [o for o in out if o.path is None]
    if len(to_stdout) > 1:
        names = ", ".join(o.format for o in to_stdout)
        raise UsageError(f"--format: {names} would all go to stdout; give all but one a file (FORMAT:FILE)")
    if args.output_file is not None:
        if not to_stdout:
            raise UsageError("--output-file: every --format already names its file")
        out[out.index(to_stdout[0])] = Output(to_stdout[0].format, args.output_file)
    return out


def use_color(choice: str, stream: TextIO) -> bool:
    """Whether to colour what goes to stream: --color always/never, or auto: a terminal, and
    NO_COLOR unset or empty (and TERM not "dumb")."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def color_diff(data: bytes) -> bytes:
    """A unified diff with each line coloured as git colours it (headers bold, hunks cyan,
    additions green, deletions red)."""
    out = []
    for line in data.splitlines(keepends=True):
        body = line.rstrip(b"\r\n")
        end = line[len(body) :]
        code = next((c for prefix, c in _DIFF_COLORS if body.startswith(prefix)), None)
        out.append(line if code is None else code.encode() + body + _RESET.encode() + end)
    return b"".join(out)


def mark(report: RunReport, f: Finding, wrote: bool, unsafe_fixes: bool) -> str:
    """What the run does about f: "fixed", "would fix", "unsafe fix: --unsafe-fixes", "not
    applied" (it overlaps another fix; a later run applies it) or "no fix"."""
    if any(report.fix_applied(f, x) for x in f.fixes):
        return "fixed" if wrote else "would fix"
    if not f.fixes:
        return "no fix"
    if all(x.safety is Safety.UNSAFE for x in f.fixes) and not unsafe_fixes:
        return "unsafe fix: --unsafe-fixes"
    return "not applied"


def finding_lines(report: RunReport, wrote: bool, unsafe_fixes: bool, color: bool) -> list[str]:
    """Every finding, one line each for stderr: `path:line:col: rule: [severity: ]message [mark]`."""
    lines = []
    for f in report.findings:
        what = mark(report, f, wrote, unsafe_fixes)
        severity = f"{f.severity.value}: " if f.severity is Severity.ERROR else ""
        message = " ".join(f.message.split())
        tag = f"[{what}]"
        if color:
            tag = f"{_MARK_COLORS.get(what, '')}{tag}{_RESET}"
        where = f"{display_path(f.path)}:{f.span.line}:{f.span.column}"
        lines.append(f"{where}: {f.rule}: {severity}{message} {tag}")
    return lines


def statistics(report: RunReport, wrote: bool) -> str:
    """--statistics: per rule (most findings first), the count and how many are fixed/would be."""
    counts: dict[str, list[int]] = {}
    for f in report.findings:
        c = counts.setdefault(f.rule, [0, 0])
        c[0] += 1
        c[1] += any(report.fix_applied(f, x) for x in f.fixes)
    if not counts:
        return "no findings\n"
    width = max(len(str(c[0])) for c in counts.values())
    rule_width = max(len(r) for r in counts)
    verb = "fixed" if wrote else "would fix"
    rows = sorted(counts.items(), key=lambda kv: (-kv[1][0], kv[0]))
    lines = [f"{n:>{width}}  {rule:<{rule_width}}  {fixed} {verb}" for rule, (n, fixed) in rows]
    total, fixed = sum(c[0] for c in counts.values()), sum(c[1] for c in counts.values())
    lines.append(f"{total:>{width}}  {'total':<{rule_width}}  {fixed} {verb}")
    return "\n".join(lines) + "\n"


def write_outputs(items: Sequence[tuple[Output, bytes]], stdout_color: bool) -> None:
    """Send each output's bytes where it goes; files are written atomically."""
    for output, data in items:
        if output.path is None:
            sys.stdout.buffer.write(color_diff(data) if stdout_color and output.format == "diff" else data)
            sys.stdout.buffer.flush()
            continue
        try:
            old = output.path.read_bytes() if output.path.is_file() else None
            output.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(output.path, data, old)
        except OSError as e:
            raise UsageError(
                f"{output.path}: cannot write the {output.format} output: {e.strerror or e}"
            ) from e
