"""Settings of a run: the defaults, .gomapfix.toml and the selection flags, merged.

The selection flags are defined once (add_selection_arguments) and shared by
every command that runs the engine (gomapfix itself, branch, batch); later
sources win: the defaults, then the nearest .gomapfix.toml (codemod.config),
then the flags.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from codemod import config, registry
from codemod.discovery import Discovery, UsageError, discover
from codemod.runner import Options


def add_selection_arguments(p: argparse.ArgumentParser) -> None:
    """Flags that choose what runs and what is fixed; each overrides its .gomapfix.toml key."""
    sel = p.add_argument_group("selection (each flag overrides its .gomapfix.toml key)")
    sel.add_argument(
        "--select",
        metavar="NAMES",
        help="comma-separated rules to run (default: the rules on by default; see --list-transforms)",
    )
    sel.add_argument(
        "--extend-select", metavar="NAMES", help="comma-separated rules to run besides the selected ones"
    )
    sel.add_argument("--ignore", metavar="NAMES", help="comma-separated transforms/rules to skip")
    sel.add_argument(
        "--exclude",
        metavar="GLOB",
        action="append",
        help="skip files matching this glob (repeatable; replaces the file's exclude list)",
    )
    sel.add_argument(
        "--unsafe-fixes",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also apply fixes marked unsafe",
    )
    sel.add_argument(
        "--include-generated",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also process files marked `// Code generated ... DO NOT EDIT.`",
    )
    sel.add_argument(
        "--report-unused-ignores",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="report //gomapfix:ignore directives that suppress nothing (rule unused-ignore)",
    )
    sel.add_argument("--config", metavar="FILE", type=Path, help="use this configuration file")
    sel.add_argument("--no-config", action="store_true", help="ignore every .gomapfix.toml")


def _names(value: str | Sequence[str] | None) -> list[str]:
    items = value.split(",") if isinstance(value, str) else list(value or ())
    return [n.strip() for n in items if n.strip()]


def selected_transforms(
    select: str | Sequence[str] | None,
    ignore: str | Sequence[str] | None,
    extend_select: str | Sequence[str] | None = None,
) -> tuple[str, ...]:
    """The registered transforms to run, in registry order.

    select and ignore are comma-separated strings or sequences of names. A
    selected name must be a registered transform; an ignored one may also be
    a catalogued rule this version does not have. Raises UsageError otherwise.
    """
    known = list(registry.names())
    chosen = (_names(select) or list(registry.defaults())) + _names(extend_select)
    ignored = _names(ignore)
    for name in chosen:
        if name not in known:
            raise UsageError(f"unknown transform or rule {name!r} (known: {', '.join(known)})")
    for name in ignored:
        if name not in known and registry.doc(name) is None:
            raise UsageError(f"unknown transform or rule {name!r} (known: {', '.join(known)})")
    return tuple(n for n in known if n in chosen and n not in ignored)


@dataclass(frozen=True)
class Settings:
    """Defaults, .gomapfix.toml and flags, merged.

    Attributes:
        options: what the engine runs.
        config: the configuration file's settings (empty when there is none).
        exclude: the exclude globs in force, relative to config.root.
    """

    options: Options
    config: config.Config
    exclude: tuple[str, ...] = field(default=())


def _pick(flag: object, from_file: object, default: object) -> object:
    if flag is not None:
        return flag
    return default if from_file is None else from_file


def resolve_settings(args: argparse.Namespace, targets: Sequence[Path]) -> Settings:
    """Merge the configuration file that governs targets with the selection flags.

    args must come from a parser that add_selection_arguments() was applied
    to. Raises UsageError (ConfigError) for a bad file, conflicting files or
    unknown rule names.
    """
    if args.no_config:
        cfg = config.Config()
    elif args.config is not None:
        if not args.config.is_file():
            raise UsageError(f"--config {args.config}: no such file")
        cfg = config.load_config(Path(os.path.abspath(args.config)))
    else:
        found = config.find_common_config(targets)
        cfg = config.load_config(found) if found is not None else config.Config()
    select = args.select if args.select is not None else cfg.select
    extend = args.extend_select if args.extend_select is not None else cfg.extend_select
    ignore = args.ignore if args.ignore is not None else cfg.ignore
    options = Options(
        select=selected_transforms(select, ignore, extend),
        unsafe_fixes=bool(_pick(args.unsafe_fixes, cfg.unsafe_fixes, False)),
        include_generated=bool(_pick(args.include_generated, cfg.include_generated, False)),
        report_unused_ignores=bool(_pick(args.report_unused_ignores, cfg.report_unused_ignores, False)),
        transform_options=cfg.transforms,
    )
    exclude = tuple(args.exclude) if args.exclude is not None else (cfg.exclude or ())
    return Settings(options, cfg, exclude)


def discover_targets(targets: Sequence[Path], settings: Settings) -> Discovery:
    """discover(targets) without the files the exclude globs match."""
    found = discover(list(targets))
    if settings.exclude:
        found.files = [
            p for p in found.files if not config.excluded(p, settings.exclude, settings.config.root)
        ]
    return found
