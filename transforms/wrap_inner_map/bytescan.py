"""Necessary conditions read from a file's bytes, before parsing it (wrap-inner-map, layer 1).

Each function answers from the bytes alone whether a file can hold a
construct, erring towards "maybe": tree-sitter-go skips white space (Unicode
spaces included) and comments between tokens, and comments or strings may
hold any bytes, so whenever those make the bytes ambiguous the answer is the
cautious one. Whether a file may declare a type is gofacts.declbytes' question.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from codemod import gobytes

# What tree-sitter skips between two tokens (possessive, to scan in linear time).
_EXTRAS = gobytes.BLANKS
_WORD_END = rb"(?![0-9A-Za-z_])"

# `]`, extras, then the keyword `map`: where a nested map type `map[K]map[K2]V` may be spelled.
_NESTED = re.compile(rb"\]" + _EXTRAS + rb"map" + _WORD_END, re.DOTALL)
_EXTRAS_AT = re.compile(_EXTRAS, re.DOTALL)
_NAME_AT = re.compile(rb"[A-Za-z_][0-9A-Za-z_]*")
# Bytes of a comment or string, which may hold brackets that are no tokens.
_OPAQUE = frozenset(b"\"'`/")
_WORD = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_KEYWORDS = frozenset(
    b"break case chan const continue default defer else fallthrough for func go goto if import"
    b" interface map package range return select struct switch type var".split()
)

QUALIFIED = ""
"""What nested_values reports for a value type of another package (`pkg.T`)."""


def nested_values(content: bytes) -> Iterator[str | None]:
    """For each place content may spell a nested map type `map[K]map[K2]V`: the name V when V is
    provably a plain type name, QUALIFIED when it is provably `pkg.T`, None when unsure."""
    if b"map" not in content:
        return
    for m in _NESTED.finditer(content):
        if _may_close_map_key(content, m.start()):
            yield _inner_value(content, m.end())


def _may_close_map_key(content: bytes, close: int) -> bool:
    """False when the `]` at offset close provably does not end the key of a map type `map[K]`.

    A key is a type: unless it holds a comment or a string (a struct tag), its
    brackets are balanced tokens, so the `[` matching close follows the
    keyword `map` and blanks. Whenever bytes are ambiguous, the answer is True.
    """
    depth = 0
    i = close
    while i >= 0:
        c = content[i]
        if c in _OPAQUE:
            return True
        if c == 0x5D:  # ]
            depth += 1
        elif c == 0x5B:  # [
            depth -= 1
            if depth == 0:
                break
        i -= 1
    if i < 0:
        return True
    i -= 1
    while i >= 0 and content[i] in b" \t\r\n\f\v":
        i -= 1
    if i >= 0 and (content[i] == 0x2F or content[i] >= 0x80):  # a comment or a Unicode blank
        return True
    if i < 2 or content[i - 2 : i + 1] != b"map":
        return False
    return i < 3 or content[i - 3] not in _WORD


def _inner_value(content: bytes, at: int) -> str | None:
    """After the keyword `map` ending at offset at, read `[K2]V` (see nested_values)."""
    at = _skip_extras(content, at)
    if content[at : at + 1] != b"[":
        return None
    close = _matching_bracket(content, at)
    if close is None:
        return None
    start = _skip_extras(content, close + 1)
    name = _NAME_AT.match(content, start)
    if name is None or name.group() in _KEYWORDS or _unicode(content, close + 1, start):
        return None
    if _unicode(content, name.end(), name.end() + 1):  # a longer, non-ASCII name
        return None
    after = _skip_extras(content, name.end())
    follows = content[after : after + 1]
    if follows == b".":
        return QUALIFIED if content[name.end() : after].strip(b" \t") == b"" else None
    if follows == b"[" or _unicode(content, name.end(), after):
        return None
    return name.group().decode()


def _unicode(content: bytes, start: int, end: int) -> bool:
    """Whether content[start:end] has a non-ASCII byte (a Unicode space, or part of a name)."""
    return any(c >= 0x80 for c in content[start:end])


def _skip_extras(content: bytes, at: int) -> int:
    m = _EXTRAS_AT.match(content, at)
    return m.end() if m is not None else at


def _matching_bracket(content: bytes, open_at: int) -> int | None:
    """The offset of the `]` closing the `[` at open_at, or None when comments or strings intervene."""
    depth = 0
    for i in range(open_at, len(content)):
        c = content[i]
        if c in _OPAQUE:
            return None
        if c == 0x5B:  # [
            depth += 1
        elif c == 0x5D:  # ]
            depth -= 1
            if depth == 0:
                return i
    return None
