"""The main command's parser, and the argument conventions every gomapfix parser follows.

Parser is the argparse.ArgumentParser of every gomapfix command line (the main
command, explain, branch, batch): it never takes an abbreviation of a flag
(`--unsafe-fix` is not `--unsafe-fixes`; allow_abbrev=False), and a flag it
does not know is a usage error that names the closest known flag, or the one
meant by a common name from other tools (`--fix` is `--write`). Errors are
raised as UsageError, so the caller prints one line and exits 2.

build_parser() defines every flag of `gomapfix [PATH ...]`; check_args()
rejects the combinations that contradict each other.
"""

from __future__ import annotations

import argparse
import difflib
import re
from pathlib import Path
from typing import Any, NoReturn

from codemod import __version__
from codemod.discovery import UsageError
from codemod.formats import FORMATS

ALIASES = {
    "--fix": "--write",
    "--apply": "--write",
    "--in-place": "--write",
    "-w": "--write",
    "--dry-run": "(no flag: a dry run is the default)",
    "--diff": "(no flag: the diff is the default output)",
    "--rules": "--select",
    "--enable": "--select",
    "--disable": "--ignore",
    "--noqa": "--add-ignore",
    "--add-noqa": "--add-ignore",
    "--output-format": "--format",
    "--out-format": "--format",
    "--no-color": "--color never",
    "--no-colour": "--color never",
    "--colour": "--color",
    "--unsafe": "--unsafe-fixes",
    "--list-rules": "--list-transforms",
    "--show-config": "--show-settings",
}
"""Flags of other tools (ruff, golangci-lint, ast-grep, gofmt) and what gomapfix calls them."""

COLOR_CHOICES = ("auto", "always", "never")
_UNRECOGNIZED = re.compile(r"^unrecognized arguments: (.*)$")


class Parser(argparse.ArgumentParser):
    """An ArgumentParser without abbreviations whose errors are UsageErrors with a suggestion."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        m = _UNRECOGNIZED.match(message)
        if m:
            unknown = m.group(1).split()
            flags = [u for u in unknown if u.startswith("-")]
            if flags:
                raise UsageError(unknown_flag(flags[0], self.known_flags(), self.prog))
        raise UsageError(message)

    def known_flags(self) -> list[str]:
        return [s for action in self._actions for s in action.option_strings]


def unknown_flag(flag: str, known: list[str], prog: str = "gomapfix") -> str:
    """The message for an unknown flag: what gomapfix calls it, or the closest known flag."""
    name = flag.split("=", 1)[0]
    alias = ALIASES.get(name)
    hint = ""
    if alias is not None and alias.startswith("(") and prog == "gomapfix":
        hint = f" {alias}"
    elif alias is not None and alias.split()[0] in known:
        hint = f" (did you mean {alias}?)"
    else:
        prefixed = [k for k in known if k.startswith(name) and len(name) > 2]  # an abbreviation
        close = (
            prefixed[:1] if len(prefixed) == 1 else difflib.get_close_matches(name, known, n=1, cutoff=0.75)
        )
        hint = f" (did you mean {close[0]}?)" if close else ""
    return f"unrecognized argument {flag}{hint}; see {prog} --help"


def did_you_mean_command(path: Path, commands: list[str]) -> str | None:
    """For a PATH that does not exist and looks like a misspelt subcommand: the subcommand."""
    if path.exists() or len(path.parts) != 1 or path.suffix:
        return None
    close = difflib.get_close_matches(str(path), commands, n=1, cutoff=0.6)
    return close[0] if close else None


def build_parser(epilog: str = "") -> argparse.ArgumentParser:
    """The main command's parser: every flag of `gomapfix [PATH ...]`, documented here only."""
    from codemod.settings import add_selection_arguments

    p = Parser(
        prog="gomapfix",
        description="Find and safely rewrite hazards where Go maps meet cgo and concurrency. "
        "By default prints a unified diff of every safe fix and changes nothing.",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or directories (default: .)")
    mode = p.add_argument_group("mode")
    mode.add_argument("--write", action="store_true", help="apply the fixes in place (atomically)")
    mode.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if a finding has a fix that would apply, or no fix and severity error or warning "
        "(a suggestion that needs --unsafe-fixes fails only with it); with --write: fix, then exit 1 "
        "if anything was found",
    )
    mode.add_argument(
        "--diff-base",
        metavar="REV",
        help="report only findings (and apply only fixes) on lines changed since git revision REV",
    )
    mode.add_argument(
        "--interactive",
        action="store_true",
        help="review each fix in the terminal, one key per decision, then write the accepted ones",
    )
    mode.add_argument(
        "--forget-decisions",
        action="store_true",
        help="forget the fixes rejected in earlier --interactive reviews (.gomapfix/decisions.json)",
    )
    mode.add_argument(
        "--add-ignore",
        action="store_true",
        help="write `//gomapfix:ignore RULE` above every current finding (adopt gomapfix on a large "
        "codebase today, burn the list down later); see --reason",
    )
    mode.add_argument(
        "--reason",
        metavar="TEXT",
        help="with --add-ignore: the reason written after ` -- ` in each directive",
    )
    add_selection_arguments(p)
    out = p.add_argument_group("output")
    out.add_argument(
        "--format",
        action="append",
        metavar="FORMAT[:FILE]",
        help=f"output format: {', '.join(FORMATS)} (default: diff); repeat for several outputs in one "
        "run, each with :FILE to write it to a file (e.g. --format diff --format sarif:gomapfix.sarif)",
    )
    out.add_argument(
        "--output-file", "-o", metavar="FILE", type=Path, help="write the output to FILE instead of stdout"
    )
    out.add_argument(
        "--statistics",
        action="store_true",
        help="print how many findings each rule reported (and how many it can fix) instead of the output",
    )
    out.add_argument(
        "--exit-zero",
        action="store_true",
        help="exit 0 even when --check finds something (usage and internal errors still exit 2)",
    )
    out.add_argument(
        "--color",
        choices=COLOR_CHOICES,
        default="auto",
        help="colour the diff and the findings on a terminal (auto, the default; NO_COLOR=1 turns it "
        "off), always, or never",
    )
    out.add_argument("--quiet", "-q", action="store_true", help="no finding list or summary on stderr")
    out.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    run = p.add_argument_group("performance")
    run.add_argument(
        "--jobs", "-j", type=int, default=0, metavar="N", help="worker processes (default: all cores)"
    )
    run.add_argument("--no-cache", action="store_true", help="neither read nor write the result cache")
    info = p.add_argument_group("information")
    info.add_argument("--list-transforms", action="store_true", help="list transforms and rules, then exit")
    info.add_argument(
        "--show-settings",
        metavar="FILE",
        type=Path,
        help="print the configuration that governs FILE and the settings in force for it, then exit",
    )
    info.add_argument("--version", action="version", version=f"gomapfix {__version__}")
    return p


_MODES = (
    ("--write", "write"),
    ("--check", "check"),
    ("--diff-base", "diff_base"),
    ("--interactive", "interactive"),
    ("--forget-decisions", "forget_decisions"),
    ("--add-ignore", "add_ignore"),
    ("--statistics", "statistics"),
    ("--output-file", "output_file"),
    ("--format", "format"),
    ("--exit-zero", "exit_zero"),
)


def check_args(args: argparse.Namespace) -> None:
    """Reject flags that contradict each other (UsageError), before any work is done.

    `--write --check` is not a contradiction: it fixes, then exits 1 if anything was found
    (as ruff's `check --fix` does).
    """
    if args.config is not None and args.no_config:
        raise UsageError("--config and --no-config cannot be combined")
    for info in ("--list-transforms", "--show-settings"):
        if getattr(args, info.lstrip("-").replace("-", "_")):
            on = [flag for flag, name in _MODES if getattr(args, name)]
            if args.paths:
                on.append("PATH")
            if on:
                raise UsageError(f"{info} prints information and exits; it cannot be combined with {on[0]}")
    if args.jobs < 0:
        raise UsageError("--jobs must be 0 (all cores) or a positive number")
    if args.diff_base is not None and args.interactive:
        raise UsageError("--diff-base cannot be combined with --interactive")
    if args.reason is not None and not args.add_ignore:
        raise UsageError("--reason goes with --add-ignore")
    if args.add_ignore:
        on = [
            f for f, n in _MODES if n in ("write", "check", "interactive", "statistics") and getattr(args, n)
        ]
        if on:
            raise UsageError(f"--add-ignore cannot be combined with {on[0]}")
        if args.reason is not None and ("\n" in args.reason or "\r" in args.reason):
            raise UsageError("--reason must be one line")
