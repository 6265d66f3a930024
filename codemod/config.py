"""Project configuration: the .gomapfix.toml file.

Each Go file is governed by the nearest .gomapfix.toml: in its own directory
or the closest one above it, up to and including the repository root (the
first directory that contains .git) or, outside a repository, the file system
root. So a monorepo's modules can each have their own file, and one run from
the root applies each file's settings to its own files (codemod.settings
groups the files by the file that governs them). A file is not merged with
the files further up unless it says so with `extend`:

    extend = "../.gomapfix.toml"         # inherit that file's settings (a path relative to this file)

then every key this file sets replaces the inherited one (a [transforms.NAME]
table key by key), and the inherited exclude globs stay relative to the
directory of the file that set them. Every key is optional:

    select = ["keepalive", "deepcopy"]   # rules to run (default: the rules on by default)
    extend-select = ["wrap-inner-map"]   # rules to run besides those (an opt-in rule, say)
    ignore = ["safemap"]                 # rules to skip
    exclude = ["internal/gen/**", "*_mock.go"]   # globs, relative to this file's directory
    unsafe-fixes = false                 # also apply fixes marked unsafe
    include-generated = false            # also edit `// Code generated ... DO NOT EDIT.` files
    report-unused-ignores = false        # report //gomapfix:ignore directives that suppress nothing

    [transforms.wrap-inner-map]
    wrapper-suffix = "Set"

    [transforms.deepcopy]
    helper-file = "gomapfix_clone.go"

Command-line flags override the file key by key (--select replaces select,
--exclude replaces exclude, --no-unsafe-fixes turns a true unsafe-fixes off).
An unknown key, a value of the wrong type, or an option the transform does
not have is an error naming the key and the file.

Exclude globs use gitignore-like rules on /-separated paths relative to the
configuration file's directory (or the current directory without one): a
pattern without a slash matches a file or directory name at any depth
(`*.pb.go`, `testdata2`); a pattern with a slash is anchored (`internal/gen/**`,
`cmd/*/main.go`, a leading / is allowed); `*` and `?` do not cross a slash,
`**` matches any number of directories, and excluding a directory excludes
everything below it. Excluded files are not processed even when named on
the command line (so pre-commit's file lists honour them), but they are
still read as context for the rest of their package.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codemod import registry
from codemod.discovery import UsageError

FILE_NAME = ".gomapfix.toml"
_BOOLEAN_KEYS = ("unsafe-fixes", "include-generated", "report-unused-ignores")
_LIST_KEYS = ("select", "extend-select", "ignore", "exclude")
KEYS = ("extend", *_LIST_KEYS, *_BOOLEAN_KEYS, "transforms")


class ConfigError(UsageError):
    """A configuration file that cannot be used; reported in one line with exit status 2."""


@dataclass(frozen=True)
class Config:
    """The settings of one .gomapfix.toml (None: the key is absent).

    Attributes:
        path: the file they came from (None for the empty configuration).
        root: the directory exclude globs are relative to (that of the file that set them).
        extends: the files path inherits from through `extend`, nearest first.
        select, extend_select, ignore: rule names.
        exclude: glob patterns.
        unsafe_fixes, include_generated, report_unused_ignores: booleans.
        transforms: per-transform option tables, {"deepcopy": {"helper-file": "x.go"}}.
    """

    path: Path | None = None
    root: Path = field(default_factory=Path.cwd)
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    exclude: tuple[str, ...] | None = None
    unsafe_fixes: bool | None = None
    include_generated: bool | None = None
    report_unused_ignores: bool | None = None
    transforms: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    extends: tuple[Path, ...] = ()


def find_config(target: Path) -> Path | None:
    """The .gomapfix.toml that applies to target (a file or directory), or None.

    Searches target's directory and its parents, stopping after the first
    directory that contains .git.
    """
    start = Path(os.path.abspath(target))
    directory = start if start.is_dir() else start.parent
    for d in (directory, *directory.parents):
        candidate = d / FILE_NAME
        if candidate.is_file():
            return candidate
        if (d / ".git").exists():
            return None
    return None


def config_of_directory(directory: Path, memo: dict[Path, Path | None]) -> Path | None:
    """find_config(directory) for an absolute directory, remembering in memo the answer for
    it and every directory looked at above it (the directories of a run share parents)."""
    if directory in memo:
        return memo[directory]
    candidate = directory / FILE_NAME
    if candidate.is_file():
        found: Path | None = candidate
    elif (directory / ".git").exists() or directory.parent == directory:
        found = None
    else:
        found = config_of_directory(directory.parent, memo)
    memo[directory] = found
    return found


def find_common_config(targets: Iterable[Path]) -> Path | None:
    """The one configuration file that applies to all targets.

    Raises ConfigError when targets fall under different configuration files.
    """
    found = {find_config(t) for t in targets}
    if len(found) > 1:
        names = ", ".join(sorted(str(p) if p else "(none)" for p in found))
        raise ConfigError(
            f"the paths are governed by different configuration files ({names}); run once per project"
        )
    return found.pop() if found else None


def load_config(path: Path, _chain: tuple[Path, ...] = ()) -> Config:
    """Read and validate one configuration file, and the files it extends. Raises ConfigError."""
    import tomllib  # only a run with a configuration file reads TOML

    path = Path(os.path.abspath(path))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        where = f" (extended by {_chain[-1]})" if _chain else ""
        raise ConfigError(f"{path}: cannot read{where}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid UTF-8") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML: {e}") from None
    own = parse_config(data, path)
    if "extend" not in data:
        return own
    extend = data["extend"]
    if not isinstance(extend, str) or not extend:
        raise ConfigError(f"{path}: extend must be the path of another configuration file")
    parent_path = Path(os.path.normpath(path.parent / extend))
    if parent_path in (*_chain, path):
        raise ConfigError(f"{path}: extend: {extend} extends this file again (a cycle)")
    parent = load_config(parent_path, (*_chain, path))
    return merge(parent, own)


def merge(parent: Config, child: Config) -> Config:
    """child's settings over parent's: each key child sets replaces parent's; a
    [transforms.NAME] table is merged key by key; exclude globs keep their own root."""
    values: dict[str, Any] = {}
    for f in (
        "select",
        "extend_select",
        "ignore",
        "unsafe_fixes",
        "include_generated",
        "report_unused_ignores",
    ):
        mine = getattr(child, f)
        values[f] = mine if mine is not None else getattr(parent, f)
    if child.exclude is not None:
        values["exclude"], values["root"] = child.exclude, child.root
    else:
        values["exclude"], values["root"] = parent.exclude, parent.root
    names = sorted(set(parent.transforms) | set(child.transforms))
    tables = {n: {**parent.transforms.get(n, {}), **child.transforms.get(n, {})} for n in names}
    assert child.path is not None and parent.path is not None
    return Config(path=child.path, transforms=tables, extends=(parent.path, *parent.extends), **values)


def parse_config(data: Mapping[str, Any], path: Path) -> Config:
    """Validate a parsed configuration table that came from path. Raises ConfigError."""
    for key in data:
        if key not in KEYS:
            raise ConfigError(f"{path}: unknown key {key!r} (known: {', '.join(KEYS)})")
    values: dict[str, Any] = {}
    for key in _LIST_KEYS:
        if key in data:
            value = data[key]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{path}: {key} must be a list of strings")
            values[key.replace("-", "_")] = tuple(value)
    for key in _BOOLEAN_KEYS:
        if key in data:
            if not isinstance(data[key], bool):
                raise ConfigError(f"{path}: {key} must be true or false")
            values[key.replace("-", "_")] = data[key]
    _check_rules(path, "select", values.get("select", ()), allow_catalogued=False)
    _check_rules(path, "extend-select", values.get("extend_select", ()), allow_catalogued=False)
    _check_rules(path, "ignore", values.get("ignore", ()), allow_catalogued=True)
    for pattern in values.get("exclude", ()):
        try:
            compile_glob(pattern)
        except re.error as e:
            raise ConfigError(f"{path}: exclude: bad glob {pattern!r}: {e}") from None
    return Config(
        path=path,
        root=path.parent,
        select=values.get("select"),
        extend_select=values.get("extend_select"),
        ignore=values.get("ignore"),
        exclude=values.get("exclude"),
        unsafe_fixes=values.get("unsafe_fixes"),
        include_generated=values.get("include_generated"),
        report_unused_ignores=values.get("report_unused_ignores"),
        transforms=_transform_options(path, data.get("transforms", {})),
    )


def _check_rules(path: Path, key: str, names: Iterable[str], allow_catalogued: bool) -> None:
    known = set(registry.names())
    if allow_catalogued:
        known |= set(registry.docs())
    for name in names:
        if name not in known:
            raise ConfigError(
                f"{path}: {key}: unknown transform or rule {name!r} (known: {', '.join(sorted(known))})"
            )


def _transform_options(path: Path, table: object) -> dict[str, dict[str, Any]]:
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: transforms must be a table of [transforms.NAME] tables")
    out: dict[str, dict[str, Any]] = {}
    for name in sorted(table):
        rule = next((d for d in registry.rule_docs() if d.name == name), None)
        if rule is None:
            raise ConfigError(f"{path}: unknown key 'transforms.{name}' (no such transform)")
        options = table[name]
        if not isinstance(options, dict):
            raise ConfigError(f"{path}: transforms.{name} must be a table")
        for key in sorted(options):
            option = rule.option(key)
            if option is None:
                known = ", ".join(o.name for o in rule.options) or "none"
                raise ConfigError(
                    f"{path}: unknown key 'transforms.{name}.{key}' (options of {name}: {known})"
                )
            if not option.accepts(options[key]):
                why = "must be true or false" if option.boolean else f"is not valid ({option.description})"
                raise ConfigError(f"{path}: transforms.{name}.{key}: {options[key]!r} {why}")
        out[name] = {k: options[k] for k in sorted(options)}
    return out


@functools.lru_cache(maxsize=256)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """A regular expression for an anchored exclude glob (see the module docs)."""
    return re.compile(glob_to_regex(pattern.strip("/")) + r"\Z")


def glob_to_regex(glob: str, brackets: bool = True) -> str:
    """The regular expression (unanchored text) of a slash-separated glob: `*` and `?` stay in
    one path segment, `**/` matches any number of directories, `**` anything; with brackets,
    `[abc]` and `[!abc]` are character classes (CODEOWNERS has none: brackets=False)."""
    out = []
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "[" and brackets and glob.find("]", i + 2) >= 0:
            close = glob.find("]", i + 2)
            body = glob[i + 1 : close]
            out.append("[^" + body[1:] + "]" if body.startswith("!") else "[" + body + "]")
            i = close + 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return "".join(out)


def excluded(path: Path, patterns: Iterable[str], root: Path) -> bool:
    """Whether an exclude glob matches path or one of its directories (relative to root)."""
    try:
        rel = Path(os.path.relpath(path, root)).as_posix()
    except ValueError:
        rel = path.as_posix()
    anchored_ok = not rel.startswith("../")
    parts = rel.split("/")
    for pattern in patterns:
        directory_only = pattern.endswith("/")
        bare = pattern.strip("/")
        if "/" not in bare and not pattern.startswith("/"):
            names = parts[:-1] if directory_only else parts
            regex = compile_glob(bare)
            if any(regex.match(n) for n in names):
                return True
        elif anchored_ok:
            regex = compile_glob(bare)
            upto = len(parts) - 1 if directory_only else len(parts)
            if any(regex.match("/".join(parts[: i + 1])) for i in range(upto)):
                return True
    return False
