"""`gomapfix --add-ignore`: silence every current finding with a //gomapfix:ignore directive.

Like ruff's `--add-noqa`, it lets a team turn `gomapfix --check` on in a large
codebase today and burn the list down later: each line a finding starts on
gets a directive naming its rules, on the line above, indented like it:

    //gomapfix:ignore keepalive -- adopted: see #123
    C.widget_touch(w.c)

(the reason is --reason's text; none by default). A rule is added to a
well-formed directive already there instead of writing a second one. Nothing
is inserted where the line above would not be a place for a comment: when the
finding's line starts inside a string or comment that began on an earlier
line. A file whose result would not parse is not written. Files are written
atomically, and only if unchanged since they were read. unused-ignore findings
are not silenced (remove or fix those directives instead).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from codemod import registry, suppress, syntax
from codemod.context import FileContext
from codemod.diff import display_path
from codemod.model import Finding, RunReport
from codemod.writer import StaleFile, write_atomic

_TEXT_NODES = {"comment", "raw_string_literal", "interpreted_string_literal"}


@dataclass
class Added:
    """What --add-ignore did: directives written per file, findings it could not silence (why)."""

    directives: dict[Path, int] = field(default_factory=dict)
    silenced: int = 0
    problems: list[str] = field(default_factory=list)


def add_ignores(report: RunReport, reason: str | None, write: bool = True) -> tuple[Added, dict[Path, bytes]]:
    """Insert directives for report's findings; returns what was done and each file's new bytes."""
    added = Added()
    by_path: dict[Path, list[Finding]] = {}
    for f in report.findings:
        if f.rule != suppress.UNUSED_IGNORE:
            by_path.setdefault(f.path, []).append(f)
    results: dict[Path, bytes] = {}
    for path in sorted(by_path):
        outcome = report.files.get(path)
        try:
            known = outcome.original if outcome is not None else None
            original = known if known is not None else path.read_bytes()
        except OSError as e:
            added.problems.append(f"{display_path(path)}: cannot read: {e.strerror or e}")
            continue
        new, count, problems = _insert(FileContext(path, original), by_path[path], reason)
        added.problems += problems
        if not count:
            continue
        if syntax.parse(new).root_node.has_error and not syntax.parse(original).root_node.has_error:
            added.problems.append(f"{display_path(path)}: the directives would break parsing; not written")
            continue
        if write:
            try:
                write_atomic(path, new, original)
            except (StaleFile, OSError) as e:
                added.problems.append(f"{display_path(path)}: not written: {e}")
                continue
        results[path] = new
        added.directives[path] = count
        added.silenced += len(by_path[path])
    return added, results


def _insert(f: FileContext, findings: Iterable[Finding], reason: str | None) -> tuple[bytes, int, list[str]]:
    """f's content with the directives for findings, the number written, and problems."""
    order = {name: i for i, name in enumerate(registry.names())}
    lines: dict[int, set[str]] = {}
    for fd in findings:
        lines.setdefault(fd.span.line, set()).add(fd.rule)
    existing = {d.line: d for d in suppress.directives(f) if not d.malformed and d.rules}
    content = f.content
    edits: list[tuple[int, int, bytes]] = []
    problems: list[str] = []
    for line, rules in sorted(lines.items()):
        names = sorted(rules, key=lambda r: (order.get(r, len(order)), r))
        start = _line_offset(content, line)
        here = existing.get(line) or existing.get(line - 1)
        if here is not None:
            merged = list(dict.fromkeys([*here.rules, *names]))
            edits.append((here.start, here.end, here.render(merged).encode()))
            continue
        body = content[start:]
        indent = body[: len(body) - len(body.lstrip(b" \t"))]
        first = start + len(indent)
        if _inside_text(f, first, start):
            where = f"{display_path(f.path)}:{line}: not silenced ({', '.join(names)})"
            problems.append(f"{where}: the line starts inside a string or comment")
            continue
        nl = content.find(b"\n", start)
        eol = b"\r\n" if nl > 0 and content[nl - 1 : nl] == b"\r" else b"\n"
        text = "//gomapfix:ignore " + ",".join(names) + (f" -- {reason}" if reason else "")
        edits.append((start, start, indent + text.encode() + eol))
    for s, e, text in sorted(edits, reverse=True):
        content = content[:s] + text + content[e:]
    return content, len(edits), problems


def _line_offset(content: bytes, line: int) -> int:
    """The byte offset where 1-based line starts."""
    offset = 0
    for _ in range(line - 1):
        nl = content.find(b"\n", offset)
        if nl < 0:
            return len(content)
        offset = nl + 1
    return offset


def _inside_text(f: FileContext, offset: int, line_start: int) -> bool:
    """Whether offset lies in a string or comment that starts before line_start."""
    node = f.root.descendant_for_byte_range(offset, offset)
    while node is not None:
        if node.type in _TEXT_NODES and node.start_byte < line_start:
            return True
        node = node.parent
    return False
