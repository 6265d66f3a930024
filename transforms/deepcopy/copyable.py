"""Type questions of the fix: which keys and values can be copied, and helper names."""

from __future__ import annotations

import hashlib
import re

from codemod import syntax
from gofacts.types import GoType, PackageTypes
from transforms.deepcopy.chains import squash

OPAQUE_OK = frozenset({"time.Time", "time.Duration", "time.Month", "time.Weekday", "big.Int", "json.Number"})


def key_types(t: GoType, types: PackageTypes) -> list[GoType]:
    out = []
    parts = types.map_parts(t)
    while parts is not None and len(out) < 3:
        out.append(parts[0])
        parts = types.map_parts(parts[1])
    return out


def strictly_comparable(t: GoType, types: PackageTypes, depth: int = 0) -> bool:
    """True when t is comparable and holds no interface (what `comparable` accepts below go 1.20)."""
    if depth > 8:
        return False
    if t.node is None:
        return True
    u = types.underlying(t)
    if u is None or u.node is None:
        return False
    kind = u.node.type
    if kind in ("type_identifier", "identifier"):
        return syntax.text(u.node) not in ("any", "error", "comparable")
    if kind in ("pointer_type", "channel_type"):
        return True
    if kind == "array_type":
        elem = u.node.child_by_field_name("element")
        return elem is not None and strictly_comparable(GoType(elem, u.file), types, depth + 1)
    if kind == "struct_type":
        return all(strictly_comparable(ft, types, depth + 1) for _, ft, _ in types.fields(u))
    return False


def holds_maps(t: GoType, types: PackageTypes, depth: int = 0) -> bool | None:
    """True if a value of type t holds a map by value (struct fields, arrays); None when unknown."""
    if depth > 8 or t.node is None:
        return False if t.node is None else None
    if squash(t.text) in OPAQUE_OK:
        return False
    u = types.underlying(t)
    if u is None or u.node is None:
        return None
    kind = u.node.type
    if kind == "map_type":
        return True
    if kind == "interface_type" or (kind == "type_identifier" and syntax.text(u.node) == "any"):
        return None
    if kind == "array_type":
        elem = u.node.child_by_field_name("element")
        return holds_maps(GoType(elem, u.file), types, depth + 1) if elem is not None else None
    if kind == "struct_type":
        answers = [holds_maps(ft, types, depth + 1) for _, ft, _ in types.fields(u)]
        if any(a is True for a in answers):
            return True
        return None if any(a is None for a in answers) else False
    return False


def copyable(t: GoType, types: PackageTypes, depth: int = 0) -> bool:
    """True when `copied := *p` of a *t is allowed by vet's copylocks check for certain (no locks inside)."""
    if depth > 8:
        return False
    if squash(t.text) in OPAQUE_OK:
        return True
    u = types.underlying(t)
    if u is None or u.node is None:
        return u is not None
    kind = u.node.type
    if kind in ("type_identifier", "identifier", "pointer_type", "slice_type", "map_type", "channel_type"):
        return True
    if kind in ("function_type", "interface_type"):
        return True
    if kind == "array_type":
        elem = u.node.child_by_field_name("element")
        return elem is not None and copyable(GoType(elem, u.file), types, depth + 1)
    if kind == "struct_type":
        return all(copyable(ft, types, depth + 1) for _, ft, _ in types.fields(u))
    return False


def map_literal(t: GoType, types: PackageTypes) -> GoType | None:
    u = types.underlying(t)
    return u if u is not None and u.kind == "map_type" else None


_GOOS_GOARCH = frozenset(
    "aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 solaris "
    "wasip1 windows zos 386 amd64 arm arm64 loong64 mips mips64 mips64le mipsle ppc64 ppc64le riscv64 "
    "s390x wasm".split()
)


def has_build_suffix(filename: str) -> bool:
    parts = filename.removesuffix(".go").removesuffix("_test").split("_")
    return len(parts) > 1 and parts[-1] in _GOOS_GOARCH


def camel(type_text: str) -> str:
    """A deterministic identifier part for a type text: map[string]*User -> MapStringPtrUser."""
    out: list[str] = []
    for m in re.finditer(r"map\[|\[\]|\*|\[(\d+)\]|[A-Za-z_]\w*", type_text):
        tok = m.group(0)
        if tok == "map[":
            out.append("Map")
        elif tok == "[]":
            out.append("Slice")
        elif tok == "*":
            out.append("Ptr")
        elif m.group(1):
            out.append("Array" + m.group(1))
        else:
            out.append(tok[:1].upper() + tok[1:])
    name = "".join(out).replace("_", "")
    if len(name) > 48 or not name:
        name = name[:32] + hashlib.sha256(type_text.encode()).hexdigest()[:8]
    return name
