"""Which names a Go file may declare at package level, read from its bytes without parsing.

Parsing is what a run pays for, and a lookup of one name (the type of `c`, the
method `m` of `T`) needs only the files that can declare it. DeclBytes answers
"may this file declare NAME as a KIND?" with a superset of the truth: a name
it rules out is certainly not declared there, so the file need not be parsed;
a name it lets through is confirmed by the parse. It is the one byte test of
its kind in gomapfix; every table of gofacts.decls asks it.

Functions and methods are read from `func f(` / `func f[` and `) m(`, which
only a declaration spells. `var` and `type` may also open a local declaration,
so when the name follows one, or the file has a `var (...)`/`type (...)`
group, variables and types are read from the package-level skeleton
(comments, literals and every {...} removed): names after `var`/`type`, and
at the start of each spec (or after a comma) of a group.
"""

from __future__ import annotations

import functools
import re

from codemod import gobytes

KINDS = ("func", "method", "var", "type")
"""What DeclBytes can tell: top-level functions, methods, package variables, types."""

_B = gobytes.BLANKS
_ID = gobytes.IDENT
# Declaration shapes: a keyword (or the `)` ending a receiver), then, in a lookahead so that
# matches may overlap (`type` in a comment must not swallow the `type` keyword after it), the
# name or names it declares in group 1.
_VAR_DECL = re.compile(
    rb"var(?<![A-Za-z0-9_]var)(?=" + _B + rb"((?:" + _ID + _B + rb"," + _B + rb")*" + _ID + rb"))", re.S
)
_TYPE_DECL = re.compile(rb"type(?<![A-Za-z0-9_]type)(?=" + _B + rb"(" + _ID + rb"))", re.S)
_FUNC_DECL = re.compile(rb"func(?<![A-Za-z0-9_]func)(?=" + _B + rb"(" + _ID + rb")" + _B + rb"[(\[])", re.S)
_METHOD_DECL = re.compile(rb"\)(?=" + _B + rb"(" + _ID + rb")" + _B + rb"\()", re.S)
_OPENS_GROUP = re.compile(rb"(?<![A-Za-z0-9_])(var|type)(" + _B + rb")\(", re.S)
_OPENS = {
    "var": re.compile(rb"var(?<![A-Za-z0-9_]var)" + _B + rb"\(", re.S),
    "type": re.compile(rb"type(?<![A-Za-z0-9_]type)" + _B + rb"\(", re.S),
}
_SPEC_START = re.compile(rb"[\n;,\x01\x02](?=" + _B + rb"(" + _ID + rb"))", re.S)
_GROUP_TEXT = {"var": re.compile(rb"\x02[^)]*"), "type": re.compile(rb"\x01[^)]*")}
_IDENT = re.compile(_ID)
_BRACES = re.compile(rb"\{[^{}]*\}")
_PARENS = re.compile(rb"\([^()]*\)")
_RAW = {"func": _FUNC_DECL, "method": _METHOD_DECL, "var": _VAR_DECL, "type": _TYPE_DECL}
CALL = re.compile(_B + rb"[(\[]", re.S)
"""What follows the name of a called function (`NAME(`, `x.NAME(`, `NAME[T](`)."""


def _names(pattern: re.Pattern[bytes], text: bytes) -> set[bytes]:
    """The identifiers in group 1 of pattern's matches in text."""
    out: set[bytes] = set()
    for m in pattern.finditer(text):
        out.update(_IDENT.findall(m.group(1)))
    return out


def _skeleton(content: bytes) -> bytes:
    """Go source at package level only: comments, literals and every {...} and (...) removed,
    except that `var (` and `type (` groups are kept, opened by \x02 and \x01 instead of `(`."""
    text = gobytes.LEXEMES.sub(b" ", content)
    count = 1
    while count:
        text, count = _BRACES.subn(b" ", text)
    text = _OPENS_GROUP.sub(_mark_group, text)
    count = 1
    while count:
        text, count = _PARENS.subn(b" ", text)
    return text


def _mark_group(m: re.Match[bytes]) -> bytes:
    return m.group(1) + m.group(2) + (b"\x02" if m.group(1) == b"var" else b"\x01")


class DeclBytes:
    """The names one Go source may declare at package level, by kind (see the module doc).

    Each kind is read on first use; the answers are a superset of what the parse finds.
    """

    def __init__(self, content: bytes) -> None:
        self.content = content
        self._raw: dict[str, set[bytes]] = {}
        self._grouped: dict[str, bool] = {}
        self._package_level: dict[str, set[bytes]] | None = None

    def names(self, kind: str) -> set[bytes]:
        """Every name the file may declare as kind "func" or "method" (for "var" and "type",
        the names after the keyword, before the package-level check may_declare makes)."""
        raw = self._raw.get(kind)
        if raw is None:
            raw = self._raw[kind] = _names(_RAW[kind], self.content)
        return raw

    def may_declare(self, kind: str, name: bytes) -> bool:
        """False when the file certainly declares no kind called name at package level."""
        raw = self.names(kind)
        if kind in ("func", "method"):
            return name in raw
        grouped = self._grouped.get(kind)
        if grouped is None:
            grouped = self._grouped[kind] = _OPENS[kind].search(self.content) is not None
        if name not in raw and not grouped:
            return False
        return name in self._skeleton_names()[kind]

    def _skeleton_names(self) -> dict[str, set[bytes]]:
        if self._package_level is None:
            skeleton = _skeleton(self.content)
            self._package_level = {}
            for kind, pattern in (("var", _VAR_DECL), ("type", _TYPE_DECL)):
                names = _names(pattern, skeleton)
                for group in _GROUP_TEXT[kind].finditer(skeleton):
                    names |= _names(_SPEC_START, group.group())
                self._package_level[kind] = names
        return self._package_level


@functools.lru_cache(maxsize=4096)
def identifier(name: str) -> re.Pattern[bytes]:
    """The bytes of identifier name, not inside a longer identifier."""
    n = re.escape(name.encode())
    return re.compile(n + rb"(?<![\w\x80-\xff]" + n + rb")(?![\w\x80-\xff])")


def followed_by(content: bytes, name: str, after: re.Pattern[bytes]) -> bool:
    """Whether content holds identifier name followed by what after matches (e.g. CALL)."""
    return any(after.match(content, m.end()) for m in identifier(name).finditer(content))
