"""`gomapfix --interactive`: review every proposed fix in a terminal, then write the accepted ones.

The review (codemod.review.session) asks about one finding at a time, showing
its fix as a coloured diff; the keys are listed in that module and on screen.
When it ends (or the user quits with q), the accepted fixes are applied by a
second engine run restricted to exactly those fixes (codemod.review.plan), so
the files written are byte for byte what `gomapfix --write` would write for
that subset, and are written atomically (codemod.writer). Rejections are
remembered in `.gomapfix/decisions.json` (codemod.review.decisions).

Aborting (x, Ctrl-C, Ctrl-D) writes nothing: no source file and no
decisions. A file that changed on disk during the review is not overwritten.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from codemod import registry, ruledoc
from codemod.diff import display_path
from codemod.discovery import Discovery, UsageError
from codemod.model import Finding, Fix, Safety
from codemod.review.decisions import DecisionsError, DecisionStore, repository_root
from codemod.review.plan import Item, Plan, make_plan
from codemod.review.prompt import Prompt, questionary_prompt
from codemod.review.render import View
from codemod.review.session import Aborted, Outcome, Session
from codemod.runner import Options
from codemod.settings import Group
from codemod.writer import StaleFile, write_atomic

NO_TERMINAL = "gomapfix: --interactive needs a terminal on stdin (run it in a terminal, or use --write)"


@dataclass
class ReviewResult:
    """What a review did.

    Attributes:
        outcome: the decisions (None when there was nothing to ask about).
        written: files written, in order.
        errors: one line per internal error or file not written.
        unapplied: accepted fixes the engine did not apply (they overlap a fix
            applied before them, or break parsing); a later run proposes them again.
    """

    outcome: Outcome | None
    written: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    unapplied: list[tuple[Item, Fix]] = field(default_factory=list)

    @property
    def status(self) -> int:
        return 2 if self.errors else 0


_EXCLUSIVE = (
    ("--write", "write"),
    ("--check", "check"),
    ("--diff-base", "diff_base"),
    ("--add-ignore", "add_ignore"),
    ("--statistics", "statistics"),
    ("--output-file", "output_file"),
    ("--exit-zero", "exit_zero"),
)


def cli_main(args: argparse.Namespace, groups: Sequence[Group]) -> int:
    """`gomapfix --interactive` / `--forget-decisions`, called by codemod.cli with its parsed
    arguments and the discovered (and not excluded) files grouped by the configuration that
    governs them (codemod.settings.resolve_groups), each with its options."""
    on = [flag for flag, name in _EXCLUSIVE if getattr(args, name, None)]
    if getattr(args, "format", None) not in (None, ["diff"]):
        on.append("--format")
    if on:
        mode = "--interactive" if args.interactive else "--forget-decisions"
        raise UsageError(f"{mode} cannot be combined with {', '.join(on)}")
    paths = args.paths or [Path(".")]
    parts = [(g.settings.options, g.found) for g in groups]
    return main(paths, parts[0][0], args.interactive, args.forget_decisions, getattr(args, "jobs", 0), parts)


def main(
    paths: Sequence[Path],
    options: Options,
    review: bool = True,
    forget: bool = False,
    jobs: int = 0,
    groups: Sequence[tuple[Options, Discovery]] | None = None,
) -> int:
    """The command-line entry: `--interactive` (review) and/or `--forget-decisions` (forget).

    Returns the exit status: 0 done; 1 aborted with x; 130 aborted with
    Ctrl-C; 2 no terminal on stdin, unreadable decisions file, an internal
    error, or a file that could not be written.
    """
    try:
        if not review:
            return _forget_only(paths)
        if not sys.stdin.isatty():
            print(NO_TERMINAL, file=sys.stderr)
            return 2
        prompt = questionary_prompt()
        result = run_review(paths, options, prompt, Console(), forget=forget, jobs=jobs, groups=groups)
    except DecisionsError as e:
        print(f"gomapfix: {e}; fix or delete it, or pass --forget-decisions", file=sys.stderr)
        return 2
    except Aborted as e:
        print("gomapfix: review aborted; nothing was written", file=sys.stderr)
        return e.status
    for line in result.errors:
        print(f"gomapfix: {line}", file=sys.stderr)
    return result.status


def _forget_only(paths: Sequence[Path]) -> int:
    store = DecisionStore(repository_root(paths))
    store.forget()
    if store.save():
        print(f"gomapfix: forgot the decisions in {display_path(store.path)}", file=sys.stderr)
    else:
        print("gomapfix: no remembered decisions", file=sys.stderr)
    return 0


def run_review(
    paths: Sequence[Path],
    options: Options,
    prompt: Prompt,
    console: Console,
    forget: bool = False,
    jobs: int = 1,
    groups: Sequence[tuple[Options, Discovery]] | None = None,
) -> ReviewResult:
    """Review the fixes for paths, then write the accepted ones and save the decisions.

    prompt reads the keys (codemod.review.prompt); console receives the
    screen; groups, when given, replace (options, discover(paths)): the
    files to review, split by the configuration that governs them (the
    CLI's excludes applied), each with its options. Raises Aborted (nothing written) when the user aborts, and
    DecisionsError for an unreadable decisions file (unless forget).
    """
    root = repository_root(paths)
    store = DecisionStore(root) if forget else DecisionStore.load(root)
    if forget:
        store.forget()
    view = View(console, root)
    plan = make_plan(paths, options, store, jobs, groups=groups)
    result = ReviewResult(None, errors=list(plan.errors))
    view.lines(_intro(plan))
    if plan.items:
        result.outcome = Session(plan, prompt, view, store, explanation).run()
        _write(plan, result)
        view.lines(summary(view, result))
    if store.save():
        view.lines([f"gomapfix: decisions saved in {view.path(store.path)}"])
    return result


def _intro(plan: Plan) -> list[str]:
    if plan.items:
        lines = [f"gomapfix: {len(plan.items)} fix(es) to review in {plan.files} file(s)"]
    else:
        lines = ["gomapfix: no fixes to review"]
    if plan.remembered:
        lines.append(
            f"gomapfix: {len(plan.remembered)} fix(es) rejected in an earlier review are not asked "
            "again (--forget-decisions asks again)"
        )
    return lines


def _write(plan: Plan, result: ReviewResult) -> None:
    """Apply the accepted fixes with the engine and write every changed file atomically."""
    outcome = result.outcome
    assert outcome is not None
    if not outcome.accepted:
        return
    report, errors = plan.replay(outcome.chosen)
    result.errors.extend(errors)
    writes: dict[Path, tuple[bytes, bytes | None]] = {}
    for o in report.changed_files():
        assert o.result is not None
        if o.path in outcome.edited:
            continue
        if o.original is not None and plan.originals.get(o.path, o.original) != o.original:
            result.errors.append(f"{display_path(o.path)}: changed on disk during the review; not written")
            continue
        writes[o.path] = (o.result, o.original)
    for path, data in outcome.edited.items():
        writes[path] = (data, plan.originals[path])
    for path in sorted(writes):
        data, expected = writes[path]
        try:
            write_atomic(path, data, expected)
        except (StaleFile, OSError) as e:
            result.errors.append(f"{display_path(path)}: not written: {e}")
            continue
        result.written.append(path)
    result.unapplied = [
        (item, fix)
        for item, fix in outcome.accepted
        if item.path not in outcome.edited and not report.fix_applied(item.finding, fix)
    ]


def summary(view: View, result: ReviewResult) -> list[str]:
    """The closing lines: what was accepted, rejected, skipped and written."""
    out = result.outcome
    assert out is not None
    unsafe = sum(1 for _, fix in out.accepted if fix.safety is Safety.UNSAFE)
    details = [f"{unsafe} unsafe"] if unsafe else []
    if out.edited:
        details.append(f"{len(out.edited)} edited by hand")
    accepted = f"accepted {len(out.accepted)}" + (f" ({', '.join(details)})" if details else "")
    lines = [f"gomapfix: {accepted}, rejected {len(out.rejected)}, skipped {len(out.skipped)}"]
    if out.quit:
        lines[0] += " (quit early)"
    if result.written:
        names = ", ".join(view.path(p) for p in result.written)
        lines.append(f"gomapfix: wrote {len(result.written)} file(s): {names}")
    else:
        lines.append("gomapfix: no file written")
    for item, fix in result.unapplied:
        lines.append(
            f"gomapfix: not applied: fix {item.number} ({item.finding.rule} at "
            f"{view.path(item.path)}:{item.finding.span.line}: {fix.message}): it overlaps a fix "
            "applied before it, or breaks parsing; run gomapfix again to review it on the new code"
        )
    return lines


def explanation(finding: Finding) -> str:
    """Why the finding is reported: its message, then the rule's `gomapfix explain` text."""
    doc = registry.doc(finding.rule)
    if doc is None:
        text = f"no explanation is available for rule {finding.rule!r}"
    else:
        text = ruledoc.explain(doc, suppressible=finding.rule in registry.names())
    return f"{finding.message}\n\n{text}".rstrip() + "\n"
