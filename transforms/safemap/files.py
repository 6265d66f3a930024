"""The SafeMap shim files a safemap fix creates or extends, and the names it may use.

The variant follows the package: a shim already present keeps its variant
(generic or concrete); otherwise go.mod decides (transforms.safemap.shim_go).
The generic files never change once written. The concrete SAFEMAP_FILE holds
one type per key/value pair; when a fix needs a pair it lacks, the fix
rewrites the file with the union, read back from the file itself, so a
second run finds it complete and changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from codemod import syntax
from codemod.context import FileContext, PackageContext, declared_names
from codemod.discovery import generated_by_gomapfix
from codemod.model import Edit, NewFile
from transforms.safemap.shim_go import (
    GENERIC_FILES,
    HELPERS,
    MIN_GENERIC_VERSION,
    SAFEMAP_FILE,
    SAFEMAP_TYPE,
    ConcreteMap,
    safemap_files,
    uses_generics,
)

CLONE_HELPER = "gomapfixClone"
_QUALIFIER = re.compile(r"\b([A-Za-z_]\w*)\.[A-Za-z_]")


@dataclass(frozen=True)
class ShimPlan:
    """How a package spells SafeMap types, and the file changes that provide them."""

    generic: bool
    existing: tuple[ConcreteMap, ...]

    def type_text(self, key: str, value: str) -> str:
        if self.generic:
            return f"{SAFEMAP_TYPE}[{key}, {value}]"
        return concrete_name(key, value)


class ShimError(Exception):
    """The package cannot receive the shim (a name clash, a foreign file in the way)."""


def plan(pkg: PackageContext) -> ShimPlan:
    """The variant to use in pkg and the concrete types its shim already declares."""
    shim = pkg.file(pkg.directory / SAFEMAP_FILE)
    if shim is not None and generated_by_gomapfix(shim.content):
        existing = read_concrete(shim)
        generic = not existing and _declares_generic(shim)
        if generic or existing:
            return ShimPlan(generic, tuple(existing))
    return ShimPlan(uses_generics(pkg.go_version), ())


def check_names(pkg: PackageContext, names: set[str]) -> None:
    """Raise ShimError if the package already declares one of names outside gomapfix's files."""
    owned = {pkg.directory / n for n in GENERIC_FILES}
    for f in pkg.files:
        if f.path in owned and generated_by_gomapfix(f.content):
            continue
        for decl in f.root.named_children:
            clash = names.intersection(declared_names(decl))
            if clash:
                raise ShimError(f"the package already declares {sorted(clash)[0]} in {f.path.name}")


def shared_names(shim: ShimPlan, concrete: list[ConcreteMap]) -> set[str]:
    if shim.generic:
        return {SAFEMAP_TYPE, *HELPERS}
    return {c.type_name for c in concrete}


def changes(
    pkg: PackageContext, shim: ShimPlan, needed: list[ConcreteMap]
) -> tuple[list[NewFile], list[Edit]]:
    """The NewFiles and whole-file Edits that make pkg's shim provide needed (raises ShimError)."""
    by_name = {c.type_name: c for c in shim.existing}
    for c in needed:
        if by_name.setdefault(c.type_name, c) != c:
            raise ShimError(f"type name {c.type_name} would be used for two different maps")
    version = MIN_GENERIC_VERSION if shim.generic else None
    try:
        rendered = safemap_files(pkg.name, version, sorted(by_name.values(), key=lambda c: c.type_name))
    except ValueError as e:
        raise ShimError(str(e)) from e
    new_files: list[NewFile] = []
    edits: list[Edit] = []
    for name, content in sorted(rendered.items()):
        path = pkg.directory / name
        current = pkg.file(path)
        if current is None:
            new_files.append(NewFile(path, content))
        elif current.content != content:
            if not (current.editable and generated_by_gomapfix(current.content)):
                raise ShimError(f"{name} exists and is not a file gomapfix may rewrite")
            edits.append(Edit(path, 0, len(current.content), content))
    return new_files, edits


def concrete_map(key: str, value: str, f: FileContext) -> ConcreteMap:
    """The non-generic shim type for map[key]value, with the imports its types need in f."""
    paths = []
    for q in sorted(set(_QUALIFIER.findall(f"{key} {value}"))):
        path = next((p for n, p, _ in f.import_specs if (n or p.rsplit("/", 1)[-1]) == q), None)
        if path is None or path.rsplit("/", 1)[-1] != q:
            raise ShimError(f"cannot tell which package {q} is")
        paths.append(path)
    return ConcreteMap(concrete_name(key, value), key, value, tuple(paths))


def qualifiers(type_text: str) -> set[str]:
    """Package names a type refers to (`time` in `map[string]time.Time`)."""
    return set(_QUALIFIER.findall(type_text))


def concrete_name(key: str, value: str) -> str:
    """A readable, deterministic type name for a concrete shim: SafeMapStringPtrUser."""
    return SAFEMAP_TYPE + _camel(key) + _camel(value)


def _camel(type_text: str) -> str:
    t = type_text.replace("interface{}", " Any ").replace("struct{}", " Struct ")
    t = t.replace("map[", " Map ").replace("[]", " Slice ").replace("*", " Ptr ").replace("chan ", " Chan ")
    words = re.findall(r"[A-Za-z0-9]+", t)
    return "".join(w[:1].upper() + w[1:] for w in words)


def read_concrete(shim: FileContext) -> list[ConcreteMap]:
    """The concrete shim types a generated SAFEMAP_FILE declares (empty for the generic one)."""
    out = []
    for decl in shim.root.named_children:
        if decl.type != "type_declaration":
            continue
        for spec in decl.named_children:
            name = spec.child_by_field_name("name")
            typ = spec.child_by_field_name("type")
            if spec.type != "type_spec" or name is None or typ is None or typ.type != "struct_type":
                continue
            if spec.child_by_field_name("type_parameters") is not None:
                continue
            for fd in syntax.named_walk(typ):
                t = fd.child_by_field_name("type") if fd.type == "field_declaration" else None
                if t is None or t.type != "map_type":
                    continue
                key, value = t.child_by_field_name("key"), t.child_by_field_name("value")
                if key is None or value is None:
                    continue
                k, v = syntax.text(key), syntax.text(value)
                wanted = qualifiers(f"{k} {v}")
                paths = tuple(p for n, p, _ in shim.import_specs if (n or p.rsplit("/", 1)[-1]) in wanted)
                out.append(ConcreteMap(syntax.text(name), k, v, paths))
    return out


def _declares_generic(shim: FileContext) -> bool:
    for decl in shim.root.named_children:
        if decl.type != "type_declaration":
            continue
        for spec in decl.named_children:
            name = spec.child_by_field_name("name")
            if name is not None and syntax.text(name) == SAFEMAP_TYPE:
                return spec.child_by_field_name("type_parameters") is not None
    return False
