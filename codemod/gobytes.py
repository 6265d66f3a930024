"""Reading Go source from its bytes, without parsing: necessary conditions checked first.

Parsing is what a run pays for. A byte scan that tells code from comments and
literals rules most files out: only files that may import "C" can call C,
only a `go` keyword in code can start a goroutine. Callers confirm what the
scan lets through with the parse (FileContext.is_cgo, the syntax tree).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator


def may_import_c(content: bytes) -> bool:
    """False when Go source provably has no import spec with the path "C" (`import "C"`),
    read from the bytes without parsing; True when it may have one.

    Every import declaration starts with the keyword `import` outside comments and
    string literals, before the file's first other declaration: the specs after each such
    word are read, up to the first `func`, `type`, `var` or `const` that starts a line of code.
    """
    end = imports_end(content)
    if content.find(b'"C"', 0, end) < 0 and content.find(b"`C`", 0, end) < 0:
        return False
    candidates = (
        m.start() for m in _IMPORT.finditer(content, 0, end) if b"C" in _import_paths(content, m.end())
    )
    return next(in_code(content, candidates), None) is not None


def imports_end(content: bytes) -> int:
    """An offset no import declaration of Go source goes past: the first `func`, `type`, `var`
    or `const` keyword at the start of a line of code (Go declares imports before anything
    else), or the end."""
    first = _DECLARATION_LINE.search(content)
    if first is None:
        return len(content)
    if content.find(b"/*", 0, first.start()) < 0 and content.find(b"`", 0, first.start()) < 0:
        return first.start() + 1  # only a block comment or a raw string goes on over a line
    starts = (m.start() + 1 for m in _DECLARATION_LINE.finditer(content))
    return next(in_code(content, starts), len(content))


_DECLARATION_LINE = re.compile(rb"\n(?:func|type|var|const)(?![\w\x80-\xff])")


@functools.lru_cache(maxsize=64)
def any_identifier(names: frozenset[bytes]) -> re.Pattern[bytes]:
    """A pattern matching any of names as a whole identifier (none when names is empty)."""
    alternatives = b"|".join(re.escape(n) for n in sorted(names, key=lambda n: (-len(n), n)))
    return re.compile(rb"(?<![\w\x80-\xff])(?:" + (alternatives or rb"(?!)") + rb")(?![\w\x80-\xff])")


def may_hand_out_locked_maps(content: bytes) -> bool:
    """False when Go source provably declares no exported function that could return a map
    read under a lock (no `Lock()`, no `map[`, or no exported func declaration); True when
    it may. deepcopy judges such a function's fix by its callers in other packages of the
    module, so its package's result depends on those packages."""
    return b"Lock()" in content and b"map[" in content and _EXPORTED_FUNC.search(content) is not None


_EXPORTED_FUNC = re.compile(rb"(?m)^func\s*(?:\([^)]*\)\s*)?[A-Z]")


LEXEMES = re.compile(rb"""//[^\n]*+|/\*.*?\*/|"(?:[^"\\\n]++|\\.)*+"|`[^`]*+`|'(?:[^'\\\n]|\\.)*+'""", re.S)
"""Comments and string and rune literals, found left to right as Go's scanner finds them
(possessively: a literal's characters are read once)."""


def blanked(content: bytes) -> bytes:
    """Go source with comments and string and rune literals each replaced by one blank: what
    byte scans that must not see them read (offsets move; the tokens of the code stay apart)."""
    return LEXEMES.sub(b" ", content)


def in_code(content: bytes, offsets: Iterable[int]) -> Iterator[int]:
    """The offsets (ascending) that are outside comments, string and rune literals."""
    lexemes = LEXEMES.finditer(content)
    lexeme = next(lexemes, None)
    for offset in offsets:
        while lexeme is not None and lexeme.end() <= offset:
            lexeme = next(lexemes, None)
        if lexeme is None or lexeme.start() > offset:
            yield offset


ASSIGN_OP = rb"(?:(?:[-+*/%&|^]|<<|>>|&\^)?=(?!=)|\+\+|--)"
"""What follows the target of an assignment or an inc/dec statement: `=`, `op=`, `++`, `--`."""


UNICODE_SPACE = (
    rb"\xc2[\x85\xa0]|\xe1\x9a\x80|\xe2\x80[\x80-\x8a\xa8\xa9\xaf]|\xe2\x81\x9f|\xe3\x80\x80|\xef\xbb\xbf"
)
"""The UTF-8 bytes of the Unicode white space tree-sitter-go skips between tokens besides
ASCII's (its extras are JavaScript's \\s): NEL, NBSP, the U+2000 block, U+3000, BOM."""

BLANK = rb"[ \t\r\n\f\v]++|" + UNICODE_SPACE + rb"|//[^\n]*+|/\*.*?\*/"
"""One blank between two tokens: white space or a comment (compile with re.S)."""

BLANKS = rb"(?:" + BLANK + rb")*+"
"""What may separate two tokens of Go source, possessively (no backtracking into a comment):
the one definition every byte scan of gomapfix uses (compile with re.S)."""

IDENT = rb"(?:[A-Za-z0-9_]|(?!" + UNICODE_SPACE + rb")[\x80-\xff])++"
"""The bytes of an identifier (or of a number: callers know which follows a keyword): ASCII
letters, digits and underscores, and non-ASCII bytes that do not start Unicode white space."""

_IMPORT = re.compile(rb"\bimport\b")
# Between import specs: blanks and the semicolons that may separate specs.
_BLANK = re.compile(rb"(?:" + BLANK + rb"|;)*", re.S)
_WORD = re.compile(IDENT)
_PATH = re.compile(rb'"((?:[^"\\\n]|\\.)*)"|`([^`]*)`')


def _import_paths(content: bytes, i: int) -> list[bytes]:
    """The paths of the import specs after the keyword `import` that ends at offset i: one
    spec or a parenthesized group; [] when the bytes there are not import specs."""
    i = _BLANK.match(content, i).end()
    if not content.startswith(b"(", i):
        spec = _import_spec(content, i)
        return [spec[0]] if spec is not None else []
    paths: list[bytes] = []
    i = _BLANK.match(content, i + 1).end()
    while not content.startswith(b")", i):
        spec = _import_spec(content, i)
        if spec is None:
            return []
        paths.append(spec[0])
        i = _BLANK.match(content, spec[1]).end()
    return paths


def _import_spec(content: bytes, i: int) -> tuple[bytes, int] | None:
    """(path, end offset) of the import spec `[name] "path"` at offset i, else None."""
    if content.startswith(b".", i):
        i = _BLANK.match(content, i + 1).end()
    else:
        name = _WORD.match(content, i)
        if name is not None:
            i = _BLANK.match(content, name.end()).end()
    path = _PATH.match(content, i)
    if path is None:
        return None
    return path.group(1) if path.group(1) is not None else path.group(2), path.end()
