"""Settings of a run: the defaults, .gomapfix.toml and the selection flags, merged.

The selection flags are defined once (add_selection_arguments) and shared by
every command that runs the engine (gomapfix itself, branch, batch); later
sources win: the defaults, then the nearest .gomapfix.toml (codemod.config),
then the flags.

Each file is governed by its own nearest .gomapfix.toml, so one run can hold
files under several configuration files (a monorepo's modules, or pre-commit
passing `a/x.go b/y.go`): resolve_groups splits the discovered files into
Groups, one per configuration file, each with its merged Settings, and the
engine runs once per group. --config FILE and --no-config put every file in
one group.
"""

from __future__ import annotations

import argparse
import difflib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codemod import config, registry
from codemod.discovery import Discovery, UsageError, discover, parents
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
            raise UsageError(_unknown(name, known))
    for name in ignored:
        if name not in known and registry.doc(name) is None:
            raise UsageError(_unknown(name, known))
    return tuple(n for n in known if n in chosen and n not in ignored)


def _unknown(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown transform or rule {name!r}{hint} (known: {', '.join(known)})"


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
    return merged_settings(args, cfg)


def merged_settings(args: argparse.Namespace, cfg: config.Config) -> Settings:
    """The settings of one configuration (cfg) with the selection flags of args over it."""
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


@dataclass
class Group:
    """The files one configuration governs in a run, and the settings they are processed with.

    directories: every directory with a Go file this configuration governs, also one
    whose files it all excludes (found holds the files left to process).
    """

    settings: Settings
    found: Discovery
    directories: frozenset[Path] = frozenset()


def resolve_groups(args: argparse.Namespace, targets: Sequence[Path]) -> list[Group]:
    """Discover the files under targets and group them by the configuration that governs them.

    Each file's nearest .gomapfix.toml (codemod.config.find_config) governs it,
    merged with the flags; --config and --no-config make one group. Excluded
    files are left out of their group. Groups come in the order of their
    configuration files (none first); files skipped by discovery are reported
    in the first group. Always returns at least one group (the settings of the
    first target, which are checked even when there is nothing to process).
    """
    found = discover(list(targets))
    if args.no_config or args.config is not None:
        single = resolve_settings(args, targets)
        directories = frozenset(parents(found.files))
        return [Group(single, _without_excluded(found, single), directories)]
    first = config.find_config(targets[0]) if targets else None
    loaded: dict[Path | None, Settings] = {first: _settings_of(args, first)}
    by_config: dict[Path | None, list[Path]] = {}
    in_directories: dict[Path | None, set[Path]] = {}
    nearest: dict[Path, Path | None] = {}
    for path, parent in zip(found.files, parents(found.files), strict=True):
        governing = config.config_of_directory(parent, nearest)
        by_config.setdefault(governing, []).append(path)
        in_directories.setdefault(governing, set()).add(parent)
    groups = []
    for cfg_path in sorted(by_config, key=lambda p: (p is not None, str(p))):
        if cfg_path not in loaded:
            loaded[cfg_path] = _settings_of(args, cfg_path)
        part = Discovery(by_config[cfg_path], view=found.view)
        directories = frozenset(in_directories[cfg_path])
        groups.append(Group(loaded[cfg_path], _without_excluded(part, loaded[cfg_path]), directories))
    if not groups:
        groups.append(Group(loaded[first], Discovery([])))
    groups[0].found.skipped = list(found.skipped)
    return groups


def _settings_of(args: argparse.Namespace, path: Path | None) -> Settings:
    return merged_settings(args, config.load_config(path) if path is not None else config.Config())


def _without_excluded(found: Discovery, settings: Settings) -> Discovery:
    if settings.exclude:
        found.files = [
            p for p in found.files if not config.excluded(p, settings.exclude, settings.config.root)
        ]
    return found


def show_settings(args: argparse.Namespace, target: Path) -> str:
    """`--show-settings FILE`: the configuration that governs target and the settings in force."""
    if args.no_config or args.config is not None:
        settings = resolve_settings(args, [target])
    else:
        settings = _settings_of(args, config.find_config(target))
    cfg = settings.config
    options = settings.options
    lines = [f"# the settings gomapfix uses for {target}"]
    if cfg.path is None:
        lines.append("# configuration file: none" + (" (--no-config)" if args.no_config else ""))
    else:
        lines.append(f"# configuration file: {cfg.path}")
        lines += [f"#   extends {p}" for p in cfg.extends]
    lines.append("# (flags on this command line are applied over it)")
    excluded = bool(settings.exclude) and config.excluded(
        Path(os.path.abspath(target)), settings.exclude, cfg.root
    )
    values: list[tuple[str, Any]] = [
        ("select", list(options.select)),
        ("unsafe-fixes", options.unsafe_fixes),
        ("include-generated", options.include_generated),
        ("report-unused-ignores", options.report_unused_ignores),
        ("exclude", list(settings.exclude)),
    ]
    lines += [f"{key} = {_toml(value)}" for key, value in values]
    lines.append(
        f"# exclude globs are relative to {cfg.root}; {target} is {'' if excluded else 'not '}excluded"
    )
    for name, table in sorted(options.transform_options.items()):
        lines += ["", f"[transforms.{name}]"] + [f"{k} = {_toml(v)}" for k, v in sorted(table.items())]
    return "\n".join(lines) + "\n"


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def discover_targets(targets: Sequence[Path], settings: Settings) -> Discovery:
    """discover(targets) without the files the exclude globs match."""
    found = discover(list(targets))
    if settings.exclude:
        found.files = [
            p for p in found.files if not config.excluded(p, settings.exclude, settings.config.root)
        ]
    return found
