"""Goroutine regions read from the bytes: a superset of gofacts.goroutines, without parsing.

gofacts.goroutines finds the bodies that run in a goroutine the package starts by parsing
every file that holds a go statement and resolving each call by the type of its receiver,
CALL_DEPTH levels down. That is most of what safemap costs, and in most packages it ends
with no map written there. RegionBytes answers "which bytes may belong to a region?" from
the bytes alone, with a superset of the truth, so that a rule can tell the packages where
the parse cannot find what it looks for:

  - the code, comments and string and rune literals blanked (gobytes.blanked);
  - a go statement's text runs from the keyword to the end of the statement: a `;`, or a
    newline after which Go inserts one, outside its brackets, or a bracket that closes one
    opened before it (a function literal's body included);
  - a top-level function or method is the text from its `func` at the start of a line to
    the next one (a method is known by its name only, whatever its receiver); a cut is kept
    only where the braces balance, and a file that may declare a function elsewhere than at
    the start of a line is one text for every name it declares; a function whose header is
    not read counts as if a go statement started it; a file is cut only when a name its
    headers declare is reached (at once when some header is not read);
  - what a text calls is every identifier followed by `(` or `[`: the texts of the
    functions of those names are the next level, CALL_DEPTH + 1 levels below the go
    statements (a go statement naming a function is one level above its region).

Launch statements (`wg.Go(func() {...})`) are not read: a rule that counts them as
goroutines must not ask this module.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from codemod import gobytes
from gofacts.declbytes import DeclBytes
from gofacts.goroutines import CALL_DEPTH, go_words

_ID = gobytes.IDENT
_B = rb"\s*"  # comments are blanked before these patterns run

_FUNC_AT_LINE_START = re.compile(rb"func(?<=\nfunc)(?![\w\x80-\xff])")
_RECEIVER = rb"(?:\((?:[^()]|\([^()]*\))*\)" + _B + rb")?"
_HEADER = re.compile(rb"func" + _B + _RECEIVER + rb"(" + _ID + rb")" + _B + rb"[(\[]")
_HEADER_AT_LINE_START = re.compile(
    rb"func(?<=\nfunc)" + _B + _RECEIVER + rb"(" + _ID + rb")" + _B + rb"[(\[]"
)
"""_HEADER, for the functions at the start of a line (findall: their names)."""
_STRAY_DECL = re.compile(rb"func(?<=[^\n]func)(?<![\w\x80-\xff]func)\s+" + _RECEIVER + _ID + rb"\s*[(\[]")
"""A `func` that names a function, not at the start of a line: a file gofmt did not lay out."""
_CALLED = re.compile(rb"(?<![\w\x80-\xff])(" + _ID + rb")[\s)]*[(\[]")
Span = tuple[int, int, int]
"""A text of a file: (index of the file, start offset, end offset)."""


class RegionBytes:
    """The texts that may run in a goroutine a package's go statements start (see the
    module doc), from the package's files' bytes."""

    def __init__(self, codes: list[bytes]) -> None:
        """codes: the package's files, blanked (gobytes.blanked, FileContext.code)."""
        self.codes = codes
        self._funcs: dict[bytes, list[Span]] = {}
        self._everywhere: list[Span] = []
        self._starts: dict[int, list[int]] = {}
        self._declaring: dict[bytes, list[int]] = {}
        for i, code in enumerate(self.codes):
            names = _HEADER_AT_LINE_START.findall(code)
            if code.count(b"\nfunc") != len(names) or _STRAY_DECL.search(code):
                self._index(i, code)  # a function whose name is not read here: read it now
                continue
            for name in set(names):
                self._declaring.setdefault(name, []).append(i)

    def _functions(self, name: bytes) -> list[Span]:
        """The texts of the functions and methods called name."""
        for i in self._declaring.pop(name, ()):
            if i not in self._starts:
                self._index(i, self.codes[i])
        return self._funcs.get(name, [])

    def _index(self, i: int, code: bytes) -> None:
        """Record the texts of file i's top-level functions by name."""
        chunks = functions(code)
        if chunks is None:
            whole = (i, 0, len(code))
            decls = DeclBytes(code)
            for name in decls.names("func") | decls.names("method"):
                self._funcs.setdefault(name, []).append(whole)
            self._starts[i] = [0]
            return
        self._starts[i] = [0]
        for start, end, names in chunks:
            self._starts[i].append(start)
            for name in names:
                if name is None:
                    self._everywhere.append((i, start, end))
                else:
                    self._funcs.setdefault(name, []).append((i, start, end))

    def go_statements(self) -> Iterator[Span]:
        """(file, start, end) of the text of every go statement."""
        for i, code in enumerate(self.codes):
            for start in go_words(code):
                yield i, start, _statement_end(code, start)

    def spans(self) -> tuple[list[Span], list[Span]]:
        """The texts that may be (or hold) the body of a goroutine region, as (file, start,
        end): the go statements' (with the functions whose name is not read), then the
        functions they reach."""
        started = set(self.go_statements()) | set(self._everywhere)
        called: set[Span] = set()
        level = {n for i, a, b in started for n in _CALLED.findall(self.codes[i], a, b)}
        seen: set[bytes] = set()
        for depth in range(CALL_DEPTH + 1):
            fresh = level - seen
            seen |= fresh
            found = {s for n in fresh for s in self._functions(n)} - called - started
            if depth < CALL_DEPTH:  # the last level's calls lead nowhere that counts
                level = {n for i, a, b in found for n in _CALLED.findall(self.codes[i], a, b)}
            called |= found
        return sorted(started), sorted(called)

    def declaration_start(self, i: int, offset: int) -> int:
        """Where the top-level declaration holding offset of file i starts, or an earlier
        offset."""
        if i not in self._starts:
            self._index(i, self.codes[i])
        starts = self._starts[i]
        return starts[bisect.bisect_right(starts, offset) - 1]

    def text(self, span: Span) -> bytes:
        i, a, b = span
        return self.codes[i][a:b]


def functions(code: bytes) -> list[tuple[int, int, list[bytes | None]]] | None:
    """The texts of the top-level functions of blanked code (gobytes.blanked), as (start, end, names
    declared there, None for a name not read): from a `func` at the start of a line to the
    next one, the cuts kept where the braces balance. None when the cuts cannot be trusted: a
    function may be declared elsewhere than at the start of a line, or the code before the
    first one does not balance."""
    starts = [m.start() for m in _FUNC_AT_LINE_START.finditer(code)]
    preamble = starts[0] if starts else len(code)
    if _STRAY_DECL.search(code) or code.count(b"{", 0, preamble) != code.count(b"}", 0, preamble):
        return None
    out = []
    k = 0
    while k < len(starts):
        start, names = starts[k], []
        while True:
            header = _HEADER.match(code, starts[k])
            names.append(header.group(1) if header is not None else None)
            k += 1
            end = starts[k] if k < len(starts) else len(code)
            if k >= len(starts) or code.count(b"{", start, end) == code.count(b"}", start, end):
                break
        out.append((start, end, names))
    return out


def function_name(text: bytes) -> bytes | None:
    """The name a function's text declares, read from its header."""
    header = _HEADER.match(text)
    return header.group(1) if header is not None else None


_ENDS = re.compile(rb"[(){}\[\]\n;]")
_ENDS_LINE = re.compile(rb"[\w\x80-\xff)\]}]\s*\Z")
"""What may end a line where Go inserts a semicolon, blanked literals aside."""


def _statement_end(code: bytes, start: int) -> int:
    """Where the go statement at start ends: a `;`, or a newline after which Go inserts one,
    outside its brackets, or a bracket that closes one opened before it."""
    keyword_end = start + 2
    while keyword_end < len(code) and code[keyword_end] in b" \t\r\n":
        keyword_end += 1
    depth = 0
    for m in _ENDS.finditer(code, keyword_end):
        c = m.group()
        if c in b"({[":
            depth += 1
        elif c in b")}]":
            depth -= 1
            if depth < 0:
                return m.start()
        elif depth == 0 and (c == b";" or _ENDS_LINE.search(code, max(0, m.start() - 80), m.start())):
            return m.start()
    return len(code)
