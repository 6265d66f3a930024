"""The gomapfix command line.

    gomapfix [PATH ...] [FLAGS]     find hazards, print the diff of every fix (or --write it)
    gomapfix explain RULE           what a rule finds, why it matters, the fix, an example

The main command's flags are defined once, in build_parser() and the
add_*_arguments helpers that subcommands share. A subcommand is an entry of
SUBCOMMANDS: the first argument names it, and the rest of the command line
goes to its entry point (a "module:function" taking the argument list and
returning the exit status), imported only when it runs. A path that happens
to be called like a subcommand can be given as ./explain.

Settings come from three places, later ones winning: the defaults, the
nearest .gomapfix.toml (codemod.config), and the flags. Each file is governed
by its own nearest .gomapfix.toml: resolve_groups() splits the files by the
configuration that governs them, and the engine runs once per group.

Exit status: 0 success (dry run, or fixes written); 1 with --check when a
finding fails it (model.Finding.fails_check: a fix would apply, or nothing but a
person can fix it); 2 for usage errors, configuration
errors and internal errors (one line on stderr, never a traceback for
anything a user can cause).
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from codemod import clioutput, cliparse, registry, ruledoc
from codemod.api import collect
from codemod.cache import default_dir as default_cache_dir
from codemod.diff import display_path
from codemod.discovery import Discovery, UsageError
from codemod.formats import RenderContext, render, summary_lines
from codemod.model import RunReport
from codemod.progress import Progress
from codemod.runner import Options
from codemod.settings import Group, resolve_groups, show_settings
from codemod.writer import StaleFile, write_atomic


@dataclass(frozen=True)
class Subcommand:
    """A `gomapfix NAME ...` subcommand: a one-line summary and a lazily imported entry point."""

    summary: str
    entry: str
    """"module:function"; the function takes the arguments after NAME and returns the exit status."""

    def load(self) -> Callable[[list[str]], int]:
        module, _, function = self.entry.partition(":")
        return getattr(importlib.import_module(module), function)


SUBCOMMANDS: dict[str, Subcommand] = {
    "explain": Subcommand(
        "explain a rule: what it finds, why it matters, the fix, a before/after example",
        "codemod.cli:explain_main",
    ),
    "branch": Subcommand(
        "commit the verified fixes to a review branch, without touching your checkout",
        "codemod.gitflow.cli:branch_main",
    ),
    "batch": Subcommand(
        "one verified branch and pull request per module, owner or transform; `batch status`",
        "codemod.gitflow.cli:batch_main",
    ),
}


def _epilog() -> str:
    lines = ["subcommands:"]
    lines += [f"  gomapfix {name:<9} {sub.summary}" for name, sub in SUBCOMMANDS.items()]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """The main command's parser (codemod.cliparse.build_parser, with the subcommands listed)."""
    return cliparse.build_parser(_epilog())


def list_transforms() -> str:
    """`--list-transforms`: one line per rule: name, how its fixes apply by default, whether it
    runs by default ("on", or "off": select it by name), summary."""
    docs = registry.rule_docs()
    width = max(len(d.name) for d in docs)
    return "".join(
        f"{d.name:<{width}}  {d.fixes:<6}  {'on' if d.default else 'off':<3}  {d.summary}\n" for d in docs
    )


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    except UsageError as e:
        print(f"gomapfix: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gomapfix: interrupted; files not yet written were left unchanged", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:  # noqa: BLE001 - last resort: one line, no traceback
        print(f"gomapfix: internal error: {type(e).__name__}: {e}", file=sys.stderr)
        if os.environ.get("GOMAPFIX_DEBUG"):
            raise
        return 2


def _main(argv: list[str]) -> int:
    if argv and argv[0] in SUBCOMMANDS:
        return SUBCOMMANDS[argv[0]].load()(argv[1:])
    args = build_parser().parse_args(argv)
    cliparse.check_args(args)
    if args.list_transforms:
        sys.stdout.write(list_transforms())
        return 0
    if args.show_settings is not None:
        sys.stdout.write(show_settings(args, args.show_settings))
        return 0
    for path in args.paths:
        command = cliparse.did_you_mean_command(path, list(SUBCOMMANDS))
        if command is not None:
            raise UsageError(f"{path}: no such file or directory (did you mean `gomapfix {command}`?)")
    outputs = clioutput.outputs(args) if not (args.interactive or args.forget_decisions) else []
    targets = args.paths or [Path(".")]
    groups = resolve_groups(args, targets)
    _warn_empty_selection(args, groups)
    if args.interactive or args.forget_decisions:
        from codemod.review import interactive

        return interactive.cli_main(args, groups)
    report, errors, notes, failing = _run_groups(args, groups, targets[0])
    if args.add_ignore:
        return _add_ignore(args, report, errors)
    if args.write:
        _write(report, errors)
    rules = {n for g in groups for n in g.settings.options.select}
    ctx = RenderContext(
        rules=tuple(n for n in registry.names() if n in rules), wrote=args.write, errors=tuple(errors)
    )
    if args.statistics:  # the statistics take the place of the output on stdout
        outputs = [o for o in outputs if o.path is not None]
        sys.stdout.write(clioutput.statistics(report, args.write))
        sys.stdout.flush()
    color = clioutput.use_color(args.color, sys.stdout)
    clioutput.write_outputs([(o, render(o.format, report, ctx)) for o in outputs], color)
    if not args.quiet:
        if not args.statistics and any(o.format == "diff" and o.path is None for o in outputs):
            unsafe = any(g.settings.options.unsafe_fixes for g in groups)
            color = clioutput.use_color(args.color, sys.stderr)
            for line in clioutput.finding_lines(report, args.write, unsafe, color):
                print(line, file=sys.stderr)
        for line in summary_lines(report, wrote=args.write, notes=notes):
            print(line, file=sys.stderr)
    for line in errors:
        print(f"gomapfix: {line}", file=sys.stderr)
    if errors:
        return 2
    if args.check and failing and not args.exit_zero:
        return 1
    return 0


def _warn_empty_selection(args: argparse.Namespace, groups: list[Group]) -> None:
    """Say when a selection selects no rule (`--select keepalive --ignore keepalive`): the files it
    governs are then not checked at all, which a passing --check would otherwise hide."""
    for g in groups:
        if g.settings.options.select:
            continue
        where = display_path(g.settings.config.path) if g.settings.config.path else "the flags"
        files = f" for {len(g.found.files)} file(s)" if len(groups) > 1 else ""
        print(
            f"gomapfix: warning: no rule is selected{files} (select, extend-select and ignore of "
            f"{where} leave none); nothing is checked",
            file=sys.stderr,
        )


def _add_ignore(args: argparse.Namespace, report: RunReport, errors: list[str]) -> int:
    """--add-ignore: write a //gomapfix:ignore directive at every current finding."""
    from codemod.addignore import add_ignores

    if errors:
        for line in errors:
            print(f"gomapfix: {line}", file=sys.stderr)
        print("gomapfix: --add-ignore: nothing written after an internal error", file=sys.stderr)
        return 2
    added, _ = add_ignores(report, args.reason)
    for line in added.problems:
        print(f"gomapfix: {line}", file=sys.stderr)
    count = sum(added.directives.values())
    print(
        f"gomapfix: added {count} //gomapfix:ignore directive(s) in {len(added.directives)} file(s), "
        f"silencing {added.silenced} finding(s)",
        file=sys.stderr,
    )
    return 2 if added.problems else 0


def _run_groups(
    args: argparse.Namespace, groups: list[Group], where: Path
) -> tuple[RunReport, list[str], list[str], bool]:
    """Run the engine on each group of files with its settings; the merged report, the
    internal errors, notes for the summary, and whether a finding fails --check (each
    finding judged with its own group's unsafe-fixes)."""
    report = RunReport()
    errors: list[str] = []
    notes: list[str] = []
    failing = False
    for group in groups:
        options = group.settings.options
        if args.diff_base is not None:
            part, part_errors, part_notes = _run_changed(args, group.found, options, where)
            notes += part_notes
        else:
            part, part_errors = _collect(args, group.found, options)
        failing = failing or any(f.fails_check(options.unsafe_fixes) for f in part.findings)
        report.extend(part)
        errors += part_errors
    if len(groups) > 1:
        report.findings.sort(key=lambda f: (str(f.path), f.start, f.end, f.rule))
    return report, errors, notes, failing


def _collect(args: argparse.Namespace, found: Discovery, options: Options) -> tuple[RunReport, list[str]]:
    directories = len({str(p).rpartition(os.sep)[0] for p in found.files})
    cache_dir = None if args.no_cache else default_cache_dir()
    with Progress(directories, enabled=not (args.quiet or args.no_progress)) as progress:
        return collect(found, options, args.jobs, progress.advance, cache_dir)


def _run_changed(
    args: argparse.Namespace, found: Discovery, options: Options, where: Path
) -> tuple[RunReport, list[str], list[str]]:
    """--diff-base: run on the changed directories, keep what touches changed lines, and
    re-run with exactly the kept fixes accepted so that the output holds nothing else."""
    from codemod import diffbase

    changed = diffbase.changed_lines(args.diff_base, where)
    total = len(found.files)
    found.files = diffbase.restrict(found.files, changed)
    report, errors = _collect(args, found, options)
    kept, left = diffbase.split(report, changed)
    if left:
        keys, fixes = diffbase.acceptance(report, kept, left)
        options = dataclasses.replace(options, accepted=keys, accepted_fixes=fixes)
        report, errors = _collect(args, found, options)
        report.findings = diffbase.split(report, changed)[0]
    notes = [
        f"--diff-base {args.diff_base}: {len(left)} finding(s) outside the changed lines left out; "
        f"{total - len(found.files)} file(s) in unchanged directories not checked"
    ]
    return report, errors, notes


def _write(report: RunReport, errors: list[str]) -> None:
    for outcome in report.changed_files():
        assert outcome.result is not None
        try:
            write_atomic(outcome.path, outcome.result, outcome.original)
        except (StaleFile, OSError) as e:
            outcome.failed = f"not written: {e}"
            outcome.result = outcome.original
            errors.append(f"{display_path(outcome.path)}: not written: {e}")


def explain_main(argv: list[str]) -> int:
    """`gomapfix explain RULE`: print the rule's explanation; exit 2 for an unknown rule."""
    docs = registry.docs()
    names = list(docs)
    p = cliparse.Parser(
        prog="gomapfix explain",
        description="Explain a rule: what it finds, why it matters, the fix, and an example.",
        epilog=f"rules: {', '.join(names)}",
    )
    p.add_argument("rule", metavar="RULE", nargs="?", help="a rule name")
    args = p.parse_args(argv)
    if args.rule is None:
        raise UsageError(f"explain needs a rule name (one of: {', '.join(names)})")
    if args.rule not in docs:
        close = difflib.get_close_matches(args.rule, names, n=1, cutoff=0.75)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise UsageError(f"unknown rule {args.rule!r}{hint} (known: {', '.join(names)})")
    doc = docs[args.rule]
    sys.stdout.write(ruledoc.explain(doc, suppressible=args.rule in registry.names()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
