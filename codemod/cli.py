"""The gomapfix command line.

Exit status: 0 success (dry run, or fixes written); 1 with --check when a fix
would apply or a finding is reported; 2 for usage errors and internal errors
(one line on stderr, never a traceback for anything a user can cause).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from codemod import __version__
from codemod.api import collect
from codemod.cache import default_dir as default_cache_dir
from codemod.diff import display_path
from codemod.discovery import UsageError, discover
from codemod.formats import FORMATS, diff_chunks, render_json, summary_lines
from codemod.model import RunReport
from codemod.progress import Progress
from codemod.runner import Options, group_by_directory
from codemod.writer import StaleFile, write_atomic


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="gomapfix",
        description="Find and safely rewrite hazards where Go maps meet cgo and concurrency. "
        "By default prints a unified diff of every safe fix and changes nothing.",
    )
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or directories (default: .)")
    mode = p.add_argument_group("mode")
    mode.add_argument("--write", action="store_true", help="apply the fixes in place (atomically)")
    mode.add_argument(
        "--check", action="store_true", help="exit 1 if any finding is reported or any fix would apply"
    )
    sel = p.add_argument_group("selection")
    sel.add_argument(
        "--select", metavar="NAMES", help="comma-separated transforms/rules to run (default: all)"
    )
    sel.add_argument("--ignore", metavar="NAMES", help="comma-separated transforms/rules to skip")
    sel.add_argument("--unsafe-fixes", action="store_true", help="also apply fixes marked unsafe")
    sel.add_argument(
        "--include-generated",
        action="store_true",
        help="also process files marked `// Code generated ... DO NOT EDIT.`",
    )
    out = p.add_argument_group("output")
    out.add_argument("--format", choices=FORMATS, default="diff", help="output format (default: diff)")
    out.add_argument("--quiet", "-q", action="store_true", help="no summary on stderr")
    out.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    p.add_argument(
        "--jobs", "-j", type=int, default=0, metavar="N", help="worker processes (default: all cores)"
    )
    p.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the result cache"
    )
    p.add_argument("--list-transforms", action="store_true", help="list transforms and rules, then exit")
    p.add_argument("--version", action="version", version=f"gomapfix {__version__}")
    return p


def _names(value: str | None) -> list[str]:
    return [n.strip() for n in (value or "").split(",") if n.strip()]


def selected_transforms(select: str | None, ignore: str | None) -> tuple[str, ...]:
    from transforms import ALL

    known = [t.name for t in ALL]
    chosen = _names(select) or known
    ignored = _names(ignore)
    for name in chosen + ignored:
        if name not in known:
            raise UsageError(f"unknown transform or rule {name!r} (known: {', '.join(known)})")
    return tuple(n for n in known if n in chosen and n not in ignored)


def list_transforms() -> str:
    from transforms import ALL

    width = max(len(t.name) for t in ALL)
    return "".join(f"{t.name:<{width}}  {t.default_safety:<6}  {t.summary}\n" for t in ALL)


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
    args = build_parser().parse_args(argv)
    if args.list_transforms:
        sys.stdout.write(list_transforms())
        return 0
    if args.jobs < 0:
        raise UsageError("--jobs must be 0 (all cores) or a positive number")
    options = Options(
        select=selected_transforms(args.select, args.ignore),
        unsafe_fixes=args.unsafe_fixes,
        include_generated=args.include_generated,
    )
    found = discover(args.paths or [Path(".")])
    directories = len(group_by_directory(found.files))
    with Progress(directories, enabled=not (args.quiet or args.no_progress)) as progress:
        cache_dir = None if args.no_cache else default_cache_dir()
        report, errors = collect(found, options, args.jobs, progress.advance, cache_dir)

    if args.write:
        _write(report, errors)
    elif args.format == "diff":
        out = sys.stdout.buffer
        for chunk in diff_chunks(report):
            out.write(chunk)
        out.flush()
    if args.format == "json":
        sys.stdout.write(render_json(report))
        sys.stdout.flush()
    if not args.quiet:
        for line in summary_lines(report, wrote=args.write):
            print(line, file=sys.stderr)
    for line in errors:
        print(f"gomapfix: {line}", file=sys.stderr)
    if errors:
        return 2
    if args.check and (report.findings or report.changed_files()):
        return 1
    return 0


def _write(report: RunReport, errors: list[str]) -> None:
    for outcome in report.changed_files():
        assert outcome.result is not None
        try:
            write_atomic(outcome.path, outcome.result, outcome.original)
        except (StaleFile, OSError) as e:
            outcome.failed = f"not written: {e}"
            outcome.result = outcome.original
            errors.append(f"{display_path(outcome.path)}: not written: {e}")


if __name__ == "__main__":
    sys.exit(main())
