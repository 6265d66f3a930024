"""Suppression directives: //gomapfix:ignore comments.

A line comment

    //gomapfix:ignore                        every rule
    //gomapfix:ignore keepalive              one rule
    //gomapfix:ignore keepalive,deepcopy -- the caller keeps w alive

suppresses the findings of the named rules (all rules when none is named)
that start on the comment's own line or on the line below it, so it can
trail the flagged line or stand on the line above. Like Go's own directives
it is written without a space after `//`, but `// gomapfix:ignore` (what
gofmt-minded editors and people type) is honoured the same way, as ruff
honours `# noqa` however it is spaced. Rule names are separated by commas,
and the reason after ` -- ` is free text. A suppressed finding is not
reported and its fixes are not applied.

With --report-unused-ignores every directive, or rule named in one, that
suppressed nothing in the run is reported as a finding of rule
"unused-ignore", whose fix removes the directive (the whole line when it
stands alone) or only the names that suppressed nothing; so are rule names
that are not gomapfix rules (a misspelt name is never "fixed" by deleting the
directive and its reason: the finding has no safe fix, and an unsafe one that
corrects the spelling when a rule's name is close), and malformed directives
(without a fix). A name
of a rule that was not selected for the run is never reported, and a
directive without names only when every registered transform was run.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from codemod.context import FileContext
from codemod.model import Finding, Fix, Safety, Severity
from codemod.ruledoc import RuleDoc
from codemod.transform import finding

NEEDLE = b"gomapfix:ignore"
"""Bytes every directive contains (`//gomapfix:ignore` and `// gomapfix:ignore`): files
without them have no directive."""
UNUSED_IGNORE = "unused-ignore"
"""The rule under which --report-unused-ignores reports suppressions that suppressed nothing."""

UNUSED_IGNORE_DOC = RuleDoc(
    name=UNUSED_IGNORE,
    summary="a //gomapfix:ignore directive that suppressed nothing",
    severity="warning",
    fixes="safe",
    safety="safe: removes the directive or its unused rule names",
    finds="With --report-unused-ignores: a //gomapfix:ignore directive, or a rule named in "
    "one, that suppressed no finding in this run, and rule names in a directive that are "
    "not gomapfix rules. A directive naming only rules that were not run is not reported; "
    "a directive without rule names is reported only when every rule was run.",
    why="A stale suppression hides the next real finding on its line without anyone "
    "deciding to, and a misspelt rule name suppresses nothing at all.",
    fix="Remove the directive (the whole comment line when it stands alone), or only the "
    "rule names in it that suppressed nothing, keeping the reason.",
    before="""
        C.widget_touch(w.c) //gomapfix:ignore keepalive,safemap -- owner kept alive by caller
    """,
    after="""
        C.widget_touch(w.c) //gomapfix:ignore keepalive -- owner kept alive by caller
    """,
)
"""The documentation of unused-ignore, the engine's own rule (codemod.registry serves it)."""
_DIRECTIVE = re.compile(rb"(//[ \t]*gomapfix:ignore)(?=[ \t\r\n]|$)([^\r\n]*)", re.M)
_NAMES = re.compile(r"[A-Za-z0-9_-]+(?:[ \t]*,[ \t]*[A-Za-z0-9_-]+)*")


@dataclass(frozen=True)
class Directive:
    """One //gomapfix:ignore comment.

    Attributes:
        line: the 1-based line the comment is on.
        start, end: the comment's byte range.
        rules: the rule names, in order; () means every rule.
        reason: the text after ` -- `, or "".
        malformed: the text after the directive is not `[rules] [-- reason]`.
        head: the directive's own spelling, `//gomapfix:ignore` or `// gomapfix:ignore`.
    """

    line: int
    start: int
    end: int
    rules: tuple[str, ...]
    reason: str
    malformed: bool = False
    head: str = "//gomapfix:ignore"

    def covers(self, f: Finding) -> bool:
        """Whether this directive suppresses finding f."""
        return (
            not self.malformed
            and f.span.line in (self.line, self.line + 1)
            and (not self.rules or f.rule in self.rules)
        )

    def render(self, rules: Sequence[str]) -> str:
        """The directive's text with the given rule names and its reason."""
        text = self.head + (" " + ",".join(rules) if rules else "")
        return text + (f" -- {self.reason}" if self.reason else "")


def directives(f: FileContext) -> list[Directive]:
    """The //gomapfix:ignore line comments of a file (not text in strings or other comments)."""
    if NEEDLE not in f.content:
        return []
    out = []
    for m in _DIRECTIVE.finditer(f.content):
        node = f.root.descendant_for_byte_range(m.start(), m.start() + 2)
        if node is None or node.type != "comment" or node.start_byte != m.start():
            continue
        rest = m.group(2).decode("utf-8", "replace").strip()
        names, sep, reason = rest.partition("--")
        names = names.strip()
        malformed = bool(names) and _NAMES.fullmatch(names) is None
        rules = () if malformed or not names else tuple(n.strip() for n in names.split(","))
        end = min(node.end_byte, f.line_end(m.start()))
        head = m.group(1).decode()
        line = f.line_index(m.start()) + 1
        out.append(Directive(line, m.start(), end, rules, reason.strip(), malformed, head))
    return out


def apply(
    findings: Iterable[Finding],
    files: Iterable[FileContext],
    selected: Sequence[str],
    registered: Sequence[str],
    report_unused: bool = False,
) -> list[Finding]:
    """Drop the findings a directive suppresses; with report_unused, add the unused-ignore
    findings of the editable files (selected: the rules run; registered: every transform)."""
    by_path = {f.path: f for f in files if f.editable}
    table = {path: directives(f) for path, f in by_path.items()}
    used: dict[tuple[object, int], set[str]] = {}
    kept = []
    for fd in findings:
        hits = [d for d in table.get(fd.path, ()) if d.covers(fd)]
        for d in hits:
            used.setdefault((fd.path, d.start), set()).add(fd.rule)
        if not hits:
            kept.append(fd)
    if report_unused:
        for path, ds in table.items():
            for d in ds:
                unused = _unused(by_path[path], d, used.get((path, d.start), set()), selected, registered)
                if unused is not None:
                    kept.append(unused)
        kept.sort(key=lambda x: (str(x.path), x.start, x.end, x.rule))
    return kept


def _unused(
    f: FileContext, d: Directive, used: set[str], selected: Sequence[str], registered: Sequence[str]
) -> Finding | None:
    rule = UNUSED_IGNORE
    here = (d.start, d.end)
    if d.malformed:
        message = "malformed //gomapfix:ignore directive (expected //gomapfix:ignore [rule,...] [-- reason])"
        return finding(rule, f, here, message, severity=Severity.WARNING)
    if not d.rules:
        if used or not set(registered) <= set(selected):
            return None
        return finding(rule, f, here, "//gomapfix:ignore suppressed nothing", [_remove(f, d)])
    known = {UNUSED_IGNORE, *registered}
    unknown = [r for r in d.rules if r not in known]
    idle = [r for r in d.rules if r in selected and r not in used and r not in unknown]
    if not unknown and not idle:
        return None
    close = {r: _closest(r, known) for r in unknown}
    problems = [
        f"unknown rule {r!r}" + (f" (did you mean {close[r]!r}?)" if close[r] else "") for r in unknown
    ] + [f"{r} suppressed nothing" for r in idle]
    message = f"{d.head} {','.join(d.rules)}: " + "; ".join(problems)
    if unknown:
        # A misspelt name is a suppression that was meant: never delete it (and its reason)
        # as unused. Correcting the spelling makes it suppress, which a person decides.
        if not all(close.values()):
            return finding(rule, f, here, message, severity=Severity.WARNING)
        names = list(dict.fromkeys(close.get(r) or r for r in d.rules))
        spelled = ", ".join(f"{r} -> {close[r]}" for r in unknown)
        fix = Fix(
            f"correct the rule name ({spelled})", (f.edit(d.start, d.end, d.render(names)),), Safety.UNSAFE
        )
        return finding(rule, f, here, message, [fix], severity=Severity.WARNING)
    keep = [r for r in d.rules if r not in idle]
    if not keep:
        return finding(rule, f, here, message, [_remove(f, d)])
    dropped = ", ".join(r for r in d.rules if r not in keep)
    fix = Fix(f"remove {dropped} from the directive", (f.edit(d.start, d.end, d.render(keep)),))
    return finding(rule, f, here, message, [fix])


def _closest(name: str, known: Iterable[str]) -> str | None:
    """The rule name name most likely misspells, if one is close enough."""
    found = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.75)
    return found[0] if found else None


def _remove(f: FileContext, d: Directive) -> Fix:
    """Delete the directive: its whole line when it stands alone, else it and the blanks before it."""
    line_start = f.line_start(d.start)
    if not f.content[line_start : d.start].strip() and f.line_end(d.start) == d.end:
        end = _next_line(f.content, d.end)
        previous = f.content[f.line_start(line_start - 1) : line_start].strip() if line_start else b""
        following = f.content[end : _next_line(f.content, end)].strip()
        if not previous and end < len(f.content) and not following:
            end = _next_line(f.content, end)  # do not leave two blank lines (gofmt keeps one)
        elif previous == b"//" and not following.startswith(b"//"):
            line_start = f.line_start(line_start - 1)  # the `//` that set it apart from a doc comment
        return Fix("remove the unused directive", (f.edit(line_start, end, b""),))
    start = d.start
    while start > line_start and f.content[start - 1 : start] in (b" ", b"\t"):
        start -= 1
    return Fix("remove the unused directive", (f.edit(start, d.end, b""),))


def _next_line(content: bytes, offset: int) -> int:
    nl = content.find(b"\n", offset)
    return len(content) if nl < 0 else nl + 1
