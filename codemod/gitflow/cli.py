"""The command lines of `gomapfix branch`, `gomapfix batch` and `gomapfix batch status`.

    gomapfix branch [PATH ...] [--base REV] [--name NAME] [--update] [--push REMOTE] [FLAGS]
    gomapfix batch [PATH ...] [--split module|owner|transform] [--dry-run] [--push REMOTE]
                   [--open-prs] [--shard I/N] [--output DIR] [FLAGS]
    gomapfix batch status [DIR|JOURNAL ...] [--format text|json]

PATH defaults to the root of the repository the current directory is in.
The selection flags (--select, --extend-select, --ignore, --exclude, --unsafe-fixes,
--include-generated, --config, --no-config) are the main command's own
(codemod.settings.add_selection_arguments) and are merged with the
.gomapfix.toml of the base commit by the main command's resolve_settings,
so they select exactly what `gomapfix [PATH ...]` would.

Exit status: 0 success (including "nothing to fix" and "up to date"); 1 when
gomapfix refused to change a branch or a unit failed; 2 for usage and
environment errors (one line on stderr: no git repository, no Go toolchain,
no gh); 130 when interrupted. SIGTERM is treated like Ctrl-C, so the
temporary worktree is removed when a CI job is cancelled too.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

from codemod import registry, settings
from codemod.cliparse import Parser
from codemod.discovery import UsageError
from codemod.gitflow import journal
from codemod.gitflow.batch import BatchRequest, BatchResult, default_output, run_batch
from codemod.gitflow.branch import BranchRequest, BranchResult, Refused, run_branch
from codemod.gitflow.gitutil import open_repository, top
from codemod.gitflow.prepare import ConfigGroup, Settings
from codemod.gitflow.units import SPLITS, parse_shard
from codemod.gitflow.verify import LEVELS, Toolchain, Verdict


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="files or directories (default: the repository)"
    )
    settings.add_selection_arguments(p)
    g = p.add_argument_group("git")
    g.add_argument(
        "--base", default="HEAD", metavar="REV", help="commit the branches start from (default: HEAD)"
    )
    v = p.add_argument_group("verification")
    v.add_argument(
        "--verify",
        nargs="?",
        const="build",
        default="build",
        choices=LEVELS,
        metavar="LEVEL",
        help="per changed package, before and after: gofmt -l, go build, go vet (build, the default); "
        "also go test [-race] (test); nothing (none). Write --verify=LEVEL",
    )
    v.add_argument(
        "--no-verify", dest="verify", action="store_const", const="none", help="same as --verify=none"
    )
    o = p.add_argument_group("output")
    o.add_argument("--quiet", "-q", action="store_true", help="no progress messages on stderr")
    o.add_argument(
        "--jobs", "-j", type=int, default=0, metavar="N", help="worker processes (default: all cores)"
    )


def branch_parser() -> argparse.ArgumentParser:
    """The parser of `gomapfix branch`."""
    p = Parser(
        prog="gomapfix branch",
        description="Commit the verified fixes for PATHs to a review branch, one commit per transform, "
        "without touching your checkout (the work happens in a temporary git worktree).",
    )
    _common(p)
    g = p.add_argument_group("branch")
    g.add_argument("--name", metavar="NAME", help="branch name (default: gomapfix/<transforms>)")
    g.add_argument(
        "--update",
        action="store_true",
        help="regenerate an existing gomapfix branch from the current base (refused if it has other commits)",
    )
    g.add_argument("--push", metavar="REMOTE", help="push the branch to REMOTE with --force-with-lease")
    return p


def batch_parser() -> argparse.ArgumentParser:
    """The parser of `gomapfix batch`."""
    p = Parser(
        prog="gomapfix batch",
        description="One verified branch (and pull request) per module, owner or transform of a monorepo. "
        "`gomapfix batch status [DIR ...]` shows the state of every unit from the journals.",
    )
    _common(p)
    g = p.add_argument_group("batch")
    g.add_argument(
        "--split", choices=SPLITS, default="module", help="what one branch covers (default: module)"
    )
    g.add_argument(
        "--name", metavar="PREFIX", help="branch name prefix (default: gomapfix/<split>/<transforms>)"
    )
    g.add_argument(
        "--output",
        type=Path,
        metavar="DIR",
        help="where PR texts, manifests, journal and summary go (default: .git/gomapfix/batch)",
    )
    g.add_argument(
        "--dry-run", action="store_true", help="plan, verify and write the PR texts; create no branch"
    )
    g.add_argument("--push", metavar="REMOTE", help="push each branch to REMOTE with --force-with-lease")
    g.add_argument("--open-prs", action="store_true", help="open or update a pull request per branch with gh")
    g.add_argument(
        "--pr-base", metavar="BRANCH", help="the pull requests' base branch (default: --base's branch)"
    )
    g.add_argument("--draft", action="store_true", help="open the pull requests as drafts")
    g.add_argument("--shard", metavar="I/N", help="take only shard I of N of the units (for CI matrices)")
    g.add_argument(
        "--pr-interval",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="pause between gh calls that change something (default: 1)",
    )
    g.add_argument(
        "--rate-limit-wait",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="first wait before retrying a rate-limited gh call; doubles each retry (default: 60)",
    )
    return p


def status_parser() -> argparse.ArgumentParser:
    """The parser of `gomapfix batch status`."""
    p = Parser(prog="gomapfix batch status", description="Merge batch journals and print every unit's state.")
    p.add_argument(
        "locations",
        nargs="*",
        type=Path,
        metavar="DIR|JOURNAL",
        help="output directories or journal files (default: the repository's .git/gomapfix/batch)",
    )
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    return p


def branch_main(argv: list[str]) -> int:
    """`gomapfix branch`: returns the exit status."""
    args = branch_parser().parse_args(argv)
    log = _logger(args.quiet)
    repo = open_repository(Path.cwd())
    request = BranchRequest(
        paths=tuple(args.paths),
        configure=_configure(args, repo),
        base=args.base,
        name=args.name,
        update=args.update,
        remote=args.push,
    )
    with _sigterm_interrupts():
        try:
            result = run_branch(repo, request, log, _warn)
        except Refused as e:
            print(f"gomapfix: {e}", file=sys.stderr)
            return 1
    _print_branch(result)
    return 0


def batch_main(argv: list[str]) -> int:
    """`gomapfix batch` (and `gomapfix batch status`): returns the exit status."""
    if argv and argv[0] == "status":
        return status_main(argv[1:])
    args = batch_parser().parse_args(argv)
    log = _logger(args.quiet)
    repo = open_repository(Path.cwd())
    request = BatchRequest(
        paths=tuple(args.paths),
        configure=_configure(args, repo),
        split=args.split,
        base=args.base,
        prefix=args.name,
        output=args.output,
        dry_run=args.dry_run,
        remote=args.push,
        open_prs=args.open_prs,
        pr_base=args.pr_base,
        draft=args.draft,
        shard=parse_shard(args.shard) if args.shard else None,
        pr_interval=args.pr_interval,
        rate_limit_wait=args.rate_limit_wait,
        command=planning_command(args),
    )
    with _sigterm_interrupts():
        result = run_batch(repo, request, log, _warn)
    _print_batch(result)
    return 1 if result.failed or result.errors else 0


def status_main(argv: list[str]) -> int:
    """`gomapfix batch status`: print the merged state of every unit; exit 0."""
    args = status_parser().parse_args(argv)
    locations = args.locations or [default_output(open_repository(Path.cwd()))]
    files = journal.journal_files(locations)
    if not files:
        raise UsageError(f"no batch journal in {', '.join(map(str, locations))}")
    units = journal.latest(journal.read(files))
    if args.format == "json":
        sys.stdout.write(json.dumps({"journals": [str(f) for f in files], "units": units}, indent=2) + "\n")
        return 0
    counts: dict[str, int] = {}
    for unit, r in units.items():
        counts[r["state"]] = counts.get(r["state"], 0) + 1
        extra = r.get("pr") or r.get("detail") or (r.get("patch_hash") or "")[:19]
        print(f"{r['state']:<10} {unit}  {extra}".rstrip())
    print(
        f"{len(units)} unit(s) in {len(files)} journal(s): "
        + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    )
    return 0


def planning_command(args: argparse.Namespace) -> tuple[str, ...]:
    """The `gomapfix batch` command line that plans the same units as args, without run-mode flags.

    Pull-request bodies quote it; --dry-run, --push, --open-prs, --output and
    the like change what a run does with the units, not what they contain.
    """
    out = ["gomapfix", "batch", "--split", args.split]
    if args.base != "HEAD":
        out += ["--base", args.base]
    if args.name:
        out += ["--name", args.name]
    for flag in ("select", "extend_select", "ignore", "config"):
        if getattr(args, flag) is not None:
            out += [f"--{flag.replace('_', '-')}", str(getattr(args, flag))]
    for pattern in args.exclude or ():
        out += ["--exclude", pattern]
    for flag in ("unsafe_fixes", "include_generated", "report_unused_ignores"):
        value = getattr(args, flag)
        if value is not None:
            out.append(f"--{'' if value else 'no-'}{flag.replace('_', '-')}")
    if args.no_config:
        out.append("--no-config")
    if args.verify != "build":
        out.append(f"--verify={args.verify}")
    return (*out, *map(str, args.paths))


def _configure(args: argparse.Namespace, repo: object) -> Callable[[Path, list[Path]], Settings]:
    """Settings from the main command's resolve_settings, read in the worktree; Go is looked up first."""
    if args.jobs < 0:
        raise UsageError("--jobs must be 0 (all cores) or a positive number")
    settings.selected_transforms(args.select, args.ignore, args.extend_select)  # fail now, before any work
    tool = Toolchain.find() if args.verify != "none" else None
    cwd_rel = os.path.relpath(Path.cwd(), top(repo))  # type: ignore[arg-type]

    def configure(wt_root: Path, paths: list[Path]) -> Settings:
        groups = settings.resolve_groups(args, paths)
        parts = []
        group_of: dict[Path, int] = {}
        for index, g in enumerate(groups):
            cfg = g.settings.config
            root = cfg.root if cfg.path is not None else wt_root / cwd_rel
            parts.append(ConfigGroup(g.settings.options, tuple(g.settings.exclude), root))
            for d in g.directories:
                group_of.setdefault(d, index)
        selected = {n for p in parts for n in p.options.select}
        first = parts[0]
        options = dataclasses.replace(
            first.options, select=tuple(n for n in registry.names() if n in selected)
        )
        return Settings(
            options,
            verify=args.verify,
            toolchain=tool,
            jobs=args.jobs,
            exclude=first.exclude,
            exclude_root=first.exclude_root,
            groups=tuple(parts) if len(parts) > 1 else (),
            group_of=group_of if len(parts) > 1 else {},
        )

    return configure


def _warn(message: str) -> None:
    print(f"gomapfix: warning: {message}", file=sys.stderr, flush=True)


def _logger(quiet: bool) -> Callable[[str], None]:
    def log(message: str) -> None:
        if not quiet:
            print(f"gomapfix: {message}", file=sys.stderr, flush=True)

    return log


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C for the duration of the block (cleanup runs either way)."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    try:
        old = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def _print_branch(result: BranchResult) -> None:
    p = result.prepared
    if result.action == "nothing-to-fix":
        reverted = f" ({len(p.reverted)} package(s) reverted by verification)" if p and p.reverted else ""
        print(f"nothing to fix; no branch {'created' if not p else 'changed'}{reverted}")
    elif result.action == "up-to-date":
        print(f"branch {result.name} is up to date; nothing to do")
    else:
        assert p is not None
        fixes = sum(1 for r in p.rows if r.status == "fixed")
        print(
            f"{result.action} branch {result.name}: {len(p.commits)} commit(s), {fixes} fix(es), "
            f"{len(p.changes)} file(s), based on {p.base[:10]}"
        )
        for c in p.commits:
            print(f"  {c.commit[:10]} {c.transform}: {len(c.files)} file(s)")
    if p is not None:
        _print_verdicts(p.verdicts)
    for line in p.errors if p else []:
        print(f"gomapfix: {line}", file=sys.stderr)
    if result.pushed:
        print(f"pushed {result.name}")


def _print_verdicts(verdicts: list[Verdict]) -> None:
    if not verdicts:
        return
    by = {s: [v for v in verdicts if v.status == s] for s in ("ok", "reverted", "already-red", "repaired")}
    repaired = f", {len(by['repaired'])} repaired by the fixes" if by["repaired"] else ""
    print(
        f"verified {len(verdicts)} package(s): {len(by['ok'])} ok, {len(by['reverted'])} reverted, "
        f"{len(by['already-red'])} already failing before gomapfix{repaired}"
    )
    for v in by["reverted"] + by["already-red"] + by["repaired"]:
        if v.status == "reverted":
            what = f"{', '.join(v.regressions)} failed after the fixes; fixes reverted"
        elif v.status == "repaired":
            what = f"{', '.join(v.repaired)} failed at the base commit and passes after the fixes"
        else:
            what = f"{', '.join(v.already_red)} already failed at the base commit; not caused by gomapfix"
        print(f"  {v.directory}: {what}")
        for line in v.quote().splitlines():
            print(f"    {line}")


def _print_batch(result: BatchResult) -> None:
    for line in result.errors:
        print(f"gomapfix: {line}", file=sys.stderr)
    for u in result.units:
        extra = u.record.get("pr") or u.detail or ""
        print(f"{u.state:<10} {u.unit.branch}  {extra}".rstrip())
    print(f"{len(result.units)} unit(s); wrote {result.output}")
