"""The units of a batch: one per module, owner or transform, each with its branch, and shards of them."""

from __future__ import annotations

import functools
import hashlib
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from codemod.discovery import skipped_dir
from codemod.gitflow.codeowners import CodeOwners, reviewer
from codemod.gitflow.gitutil import GitflowError
from codemod.gitflow.prepare import (
    Change,
    Row,
    Settings,
    patch_hash,
    plan,
    posix_dir,
    relative,
    targets,
    transforms_label,
)

SPLITS = ("module", "owner", "transform")


UNSAFE_REF_CHARS = re.compile(r"[^A-Za-z0-9._+-]+")


@dataclass(frozen=True)
class Unit:
    """One branch's worth of work."""

    id: str
    """The branch name; also the unit's key in the journal."""
    label: str
    """Where, for titles: "services/billing", "services/render for @org/gfx", "all modules"."""
    split: str
    shard_key: str
    transforms: tuple[str, ...]
    dirs: tuple[str, ...]
    owners: tuple[str, ...]
    changes: tuple[Change, ...]
    rows: tuple[Row, ...]
    module: str | None = None

    @property
    def branch(self) -> str:
        return self.id

    @functools.cached_property
    def planned_hash(self) -> str:
        return patch_hash(self.changes)

    @property
    def reviewers(self) -> tuple[str, ...]:
        return tuple(r for r in (reviewer(o) for o in self.owners) if r)


def parse_shard(text: str) -> tuple[int, int]:
    """ "I/N" as (I, N) with 1 <= I <= N; GitflowError otherwise."""
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise GitflowError(f"--shard {text}: expected I/N with 1 <= I <= N, e.g. 2/8")
    return int(m.group(1)), int(m.group(2))


def shard_of(key: str, count: int) -> int:
    """The 1-based shard of count that key belongs to."""
    return int(hashlib.sha256(key.encode()).hexdigest()[:16], 16) % count + 1


def find_modules(root: Path) -> list[str]:
    """The directories (relative, "/"-separated, "." for the top) of the go.mod files git tracks."""
    proc = subprocess.run(
        ["git", "ls-files", "-z", "--", "go.mod", "**/go.mod"], cwd=root, capture_output=True, timeout=120
    )
    found = set()
    for name in proc.stdout.decode("utf-8", "surrogateescape").split("\0"):
        parts = name.split("/")[:-1]
        if name and not any(skipped_dir(p) for p in parts):
            found.add("/".join(parts) or ".")
    return sorted(found)


def module_of(directory: str, modules: Iterable[str]) -> str | None:
    """The nearest module at or above directory (both relative to the repository)."""
    above = [m for m in modules if m == "." or directory == m or directory.startswith(m + "/")]
    return max(above, key=lambda m: -1 if m == "." else len(m)) if above else None


def slug(text: str) -> str:
    """text as one branch-name component."""
    s = UNSAFE_REF_CHARS.sub("-", text.replace("/", "-")).strip("-.") or "x"
    if len(s) > 60:
        s = s[:50] + "-" + hashlib.sha256(text.encode()).hexdigest()[:8]
    return s


def owners_slug(owners: tuple[str, ...]) -> str:
    return slug("+".join(o.lstrip("@") for o in owners)) if owners else "unowned"


def default_prefix(split: str, transforms: tuple[str, ...]) -> str:
    """gomapfix/<split>/<transforms> ("all" when every transform is selected); gomapfix/transform."""
    return (
        "gomapfix/transform" if split == "transform" else f"gomapfix/{split}/{transforms_label(transforms)}"
    )


def plan_units(
    root: Path,
    paths: list[Path],
    settings: Settings,
    split: str,
    owners: CodeOwners | None,
    prefix: str | None = None,
    shard: tuple[int, int] | None = None,
) -> tuple[list[Unit], list[str]]:
    """The units of work under paths in the tree at root, and any engine error lines."""
    prefix = prefix or default_prefix(split, settings.transforms)
    modules = find_modules(root)

    def owners_of(changes: Iterable[Change]) -> tuple[str, ...]:
        return tuple(sorted({o for c in changes for o in (owners.owners(c.path) if owners else ())}))

    units: list[Unit] = []
    errors: list[str] = []
    if split == "transform":
        for name in settings.transforms:
            if shard and shard_of(name, shard[1]) != shard[0]:
                continue
            p = plan(root, paths, settings, names=(name,))
            errors += p.errors
            if p.changes:
                changes = tuple(p.changes.values())
                dirs = tuple(sorted({c.directory for c in changes}))
                unit_rows = tuple(p.rows)
                unit = Unit(
                    id=f"{prefix}/{name}",
                    label="all modules",
                    split=split,
                    shard_key=name,
                    transforms=(name,),
                    dirs=dirs,
                    owners=owners_of(changes),
                    changes=changes,
                    rows=unit_rows,
                )
                units.append(unit)
        return units, errors

    only = None
    if shard:
        every = {relative(p.parent, root) for p in targets(root, paths, settings)}
        only = {d for d in every if (m := module_of(d, modules)) and shard_of(m, shard[1]) == shard[0]}
    p = plan(root, paths, settings, only_dirs=only)
    errors += p.errors
    by_dir: dict[str, list[Change]] = {}
    for c in p.changes.values():
        by_dir.setdefault(c.directory, []).append(c)
    groups: dict[tuple[str, tuple[str, ...]], list[Change]] = {}
    for directory, package in by_dir.items():
        module = module_of(directory, modules)
        if module is not None:
            key = (module, owners_of(package) if split == "owner" else ())
            groups.setdefault(key, []).extend(package)
    names = _unique_slugs(modules)  # over every module, so a module's name never depends on the others
    for (module, owner_set), changes in sorted(groups.items()):
        dirs = tuple(sorted({c.directory for c in changes}))
        where = "the root module" if module == "." else module
        if split == "owner":
            who = " ".join(owner_set) or "unowned code"
            unit_id, label = f"{prefix}/{names[module]}/{owners_slug(owner_set)}", f"{where} for {who}"
        else:
            unit_id, label = f"{prefix}/{names[module]}", where
        unit_rows = tuple(r for r in p.rows if posix_dir(r.path) in dirs)
        unit = Unit(
            id=unit_id,
            label=label,
            split=split,
            shard_key=module,
            transforms=settings.transforms,
            dirs=dirs,
            owners=owner_set if split == "owner" else owners_of(changes),
            changes=tuple(sorted(changes, key=lambda c: c.path)),
            rows=unit_rows,
            module=module,
        )
        units.append(unit)
    return sorted(units, key=lambda u: u.id), errors


def _unique_slugs(modules: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    taken: set[str] = set()
    for m in modules:
        s = "root" if m == "." else slug(m)
        if s in taken:
            s = f"{s}-{hashlib.sha256(m.encode()).hexdigest()[:6]}"
        taken.add(s)
        out[m] = s
    return out
