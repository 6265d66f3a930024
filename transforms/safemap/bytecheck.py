"""Whether safemap can report anything in a package, told from the bytes before parsing.

safemap reports a map (not marked) only when a use inside a goroutine region changes it in
place with no lock held (races.may_race: `m[k] = v`, `m[k] op= v`, `m[k]++`, `m[a][b] = v`,
`delete(m, k)`, `clear(m)`, as gofacts.mapops.mutates_in_place tells) and its name is that
of a map the package declares (find.declarations: `NAME map[`, `NAME = map[`, `NAME :=
make(map[`, ...). The goroutine regions are what safemap costs, and in most packages that
start goroutines none of them changes a declared map. may_report tells those packages from
the bytes. A package whose `go` words are all in comments and literals starts no region at
all (gofacts.goroutines.go_keywords finds them for the parse too), and nothing else is read
of it. In the others it reads gofacts.regionbytes' superset of the regions for such writes
of a name spelled as a map declaration (a package variable written by its name alone, a
field through a selector, a local only in the text of a go statement that follows it, where
a function literal can capture it), leaving out the writes a lock statement certainly
guards. False means the parse would find nothing either; True means it may, and the rule
runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from codemod import gobytes
from codemod.context import PackageContext
from gofacts.goroutines import go_keywords
from gofacts.regionbytes import RegionBytes, function_name

_ID = gobytes.IDENT
_START = rb"(?<![\w\x80-\xff])"

_MAP_TYPE = re.compile(rb"map\s*\[")
_DECLARED = re.compile(
    rb"(?:(?P<list>,|(?<=[\w\x80-\xff\]])(?<!var)\()\s*)?(?:(?P<kw>var|type)\s+)?(?P<name>" + _ID + rb")\s*"
    rb"(?:(?P<op>:?=)\s*(?:\(\s*)*(?:make\s*\(\s*)?)?\Z"
)
"""What may come before a map type that declares a variable or field of that type: `m map[`,
`var m = map[`, `m := make(map[`, ... (comments are blanked first); group list is set when the
name follows a comma or a parameter list's `(`, kw when a `type` declares a map type."""
_WINDOW = 48

_INDEX_WRITE = re.compile(_START + rb"(" + _ID + rb")\s*\[[^\n]*?\]\s*" + gobytes.ASSIGN_OP)
"""`m[k] = v`, `m[k] += v`, `m[k]++`, `m[a][b] = v`, with the index on one line (what
_index_writes finds, read from each identifier: the definition)."""
_INDEX_TAIL = re.compile(rb"\[[^\n]*?\]\s*" + gobytes.ASSIGN_OP)
"""_INDEX_WRITE from its `[` on (a search for a literal: `[` is rarer than a word)."""
_OPEN_LINE = re.compile(rb"^[^\n]*\[(?:[^\n]*[\[({,+\-*/%&|^<>=!:.])?[ \t]*$", re.M)
"""A line holding an index that ends where Go inserts no semicolon: where its brackets do not
balance, the index goes on below (in Go that parses), and every name indexed on it may be
written."""
_INDEXED = re.compile(_START + rb"(" + _ID + rb")\s*\[")
_DELETES = (
    re.compile(rb"delete(?<![\w\x80-\xff]delete)\s*\("),
    re.compile(rb"clear(?<![\w\x80-\xff]clear)\s*\("),
)
"""A call of delete or clear (each a search for its literal, the word's start checked after)."""
_PARENS = re.compile(rb"[()]")


def may_report(pkg: PackageContext) -> bool:
    """False when no goroutine region of pkg can change a map pkg declares in place (so
    safemap finds nothing to report but marked maps); True when one may."""
    if not any(go_keywords(f.content) for f in pkg.sources):
        return False  # no go statement: gofacts.goroutines starts its regions at these offsets
    regions = RegionBytes([f.code for f in pkg.sources])
    variables, fields, local = _map_names(regions.codes)
    if not variables and not fields and not local:
        return False
    started, called = regions.spans()
    for i, a, b in started:
        text = regions.text((i, a, b))
        since = regions.declaration_start(i, a)
        captured = {name for name, at in local if at[0] == i and since <= at[1] < a}
        # a name and a type inside braces may be a local of a `var (...)` group, too
        if _writes(text, variables | captured | fields, fields):
            return True
    return any(_writes(t, variables, fields) for t in map(regions.text, called) if not _locked_function(t))


def _map_names(
    codes: list[bytes],
) -> tuple[set[bytes], set[bytes], set[tuple[bytes, tuple[int, int]]]]:
    """The names the code may declare as a map: package variables (outside braces), fields
    (a name and a type inside braces: `m map[`), then the locals with where each is declared
    (file, offset), which only a function literal that follows in its function can share
    with a goroutine. Inside braces, a name given a value (`m := make(map[`, `var m =
    map[`, `m = map[`) is a local, or a variable declared elsewhere. A name after a comma
    (one of several declared together), in a parameter list, or declared as a map type is
    left out: find.declarations converts none of them."""
    variables: set[bytes] = set()
    fields: set[bytes] = set()
    local: set[tuple[bytes, tuple[int, int]]] = set()
    for i, code in enumerate(codes):
        depth, counted = 0, 0
        for m in _MAP_TYPE.finditer(code):
            d = _declared(code, m.start())
            if d is None or d.group("list") or d.group("kw") == b"type":
                continue
            depth += code.count(b"{", counted, d.start()) - code.count(b"}", counted, d.start())
            counted = d.start()
            if depth == 0:
                variables.add(d.group("name"))
            elif d.group("op") or d.group("kw"):
                local.add((d.group("name"), (i, d.start())))
            else:
                fields.add(d.group("name"))
    return variables, fields, local


def _declared(code: bytes, end: int) -> re.Match[bytes] | None:
    """_DECLARED's match ending at end, read in a window before it (wider while the match
    starts where the window does: the name may go on before it)."""
    window = _WINDOW
    while True:
        start = max(0, end - window)
        found = _DECLARED.search(code, start, end)
        if found is None or found.start() > start or start == 0:
            return found
        window *= 4


def _locked_function(text: bytes) -> bool:
    """A function whose name says its callers hold the lock (`addLocked`), with no function
    literal inside: safemap's LockView.held_at counts every write in it as locked. Its header
    is its first line when that line opens the body: a `func` there is a type."""
    name = function_name(text)
    if name is None or not name.endswith((b"Locked", b"locked")):
        return False
    header = text.find(b"\n")
    body = header if header > 0 and text[:header].rstrip().endswith(b"{") else 4
    return b"func" not in text[body:]


def _writes(text: bytes, bare: set[bytes], selected: set[bytes]) -> bool:
    """Whether text may change in place a map (a superset) at a point no lock statement is
    certainly held: a map written by its name alone called one of bare, or one selected
    (`x.m`) called one of selected."""
    found = list(_index_writes(text))
    for line in _OPEN_LINE.finditer(text):
        if line.group().count(b"[") > line.group().count(b"]"):
            found += [
                (m.group(1), m.start(1), m.start()) for m in _INDEXED.finditer(text, line.start(), line.end())
            ]
    for m in (m for call in _DELETES for m in call.finditer(text)):
        found += [
            (n.group(), n.start(), m.start()) for n in _NAME.finditer(text, m.end(), _closing(text, m.end()))
        ]
    return any(
        name in (selected if _selected(text, start) else bare) and not _held(text, at)
        for name, start, at in found
    )


_SPACE = frozenset(b" \t\n\r\f\v")
"""The bytes \\s matches in a bytes pattern."""
_WORD = frozenset(
    b"_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" + bytes(range(0x80, 0x100))
)
"""The bytes [\\w\\x80-\\xff] matches: a word, as _START reads it."""


def _index_writes(text: bytes) -> list[tuple[bytes, int, int]]:
    """(name, its offset, the write's offset) of each match of _INDEX_WRITE.finditer(text), found
    from the `[` of each: the only word that can end right before it (blanks between) is
    read back, and confirmed forward; a `[` with no such word starts no match."""
    out: list[tuple[bytes, int, int]] = []
    at = 0
    while (tail := _INDEX_TAIL.search(text, at)) is not None:
        bracket = start = tail.start()
        while start > 0 and text[start - 1] in _SPACE:
            start -= 1
        while start > 0 and text[start - 1] in _WORD:
            start -= 1
        name = _INDEXED.match(text, start)
        if name is None or name.end() != bracket + 1:
            at = bracket + 1
            continue
        out.append((name.group(1), start, start))
        at = tail.end()
    return out


_NAME = re.compile(_START + _ID)
_BEFORE = re.compile(rb"\.\s*\Z")


def _selected(text: bytes, start: int) -> bool:
    """Whether the name at start is selected from an operand (`x.m`): a field, not a variable."""
    return _BEFORE.search(text, max(0, start - 16), start) is not None


def _closing(text: bytes, start: int) -> int:
    """The offset of the `)` closing the parenthesis opened just before start."""
    depth = 1
    for m in _PARENS.finditer(text, start):
        depth += 1 if m.group() == b"(" else -1
        if depth == 0:
            return m.start()
    return len(text)


_LOCK_LINE = re.compile(rb"^[ \t]*" + _ID + rb"(?:\." + _ID + rb")*\.R?Lock\(\)[ \t]*$", re.M)
"""A line that is a lock statement `x.mu.Lock()` or `mu.RLock()` (gofacts.locks.lock_call)."""
_DEFERRED_UNLOCK = re.compile(rb"^[ \t]*defer\s+" + _ID + rb"(?:\." + _ID + rb")*\.R?Unlock\(\)[ \t]*$", re.M)
_BLOCK = re.compile(rb"[{}]|(?<![\w\x80-\xff])(?:func|case|default)(?![\w\x80-\xff])")
"""A brace, or a keyword that starts a function literal or a case clause."""
_BETWEEN = re.compile(_BLOCK.pattern + rb"|Unlock")
_UNLOCK_LINE = re.compile(rb"^[ \t]*" + _ID + rb"(?:\." + _ID + rb")*\.R?Unlock\(\)[ \t]*$", re.M)
_EXITS = re.compile(rb"^[ \t]*(?:(?:return|goto|continue|break)(?![\w\x80-\xff])|panic[ \t]*\()", re.M)
"""A line that starts a statement after which the rest of its block does not run
(gofacts.locks._TERMINATING, and a call of panic)."""


def _held(text: bytes, at: int) -> bool:
    """Whether a lock statement before offset at certainly holds its lock at at, as
    gofacts.locks.held_at reads the parse: it is a statement of a block that encloses at (no
    brace closes it, no case clause ends it), no function literal starts between them, and
    nothing between releases a lock, but deferred unlocks (which keep the lock held) and
    releases nested in a block that returns after them (_leaves_its_block)."""
    for lock in reversed(list(_LOCK_LINE.finditer(text, 0, at))):
        if _continued(text, lock.start()):
            continue  # `defer` or `go` on the line above: not a statement of its own
        if _encloses(text[lock.end() : at], lock.end(), text):
            return True
    return False


_LAST_WORD = re.compile(rb"[\w\x80-\xff]+\Z")


def _continued(text: bytes, start: int) -> bool:
    """Whether the code before the line at start goes on into it: it ends with a keyword that
    wants more (`defer`, `go`) or with an operator (no semicolon is inserted there)."""
    before = text[:start].rstrip()
    if not before or before[-1:] in b")]}{;:":
        return False
    word = _LAST_WORD.search(before)
    return word is None or word.group() in (b"defer", b"go")


def _encloses(between: bytes, offset: int, text: bytes) -> bool:
    for m, depth in _block_tokens(_BETWEEN, between, 0):
        token = m.group()
        if token == b"}" and depth == 0:
            return False
        if token == b"Unlock":
            line = _DEFERRED_UNLOCK.match(text, text.rfind(b"\n", 0, offset + m.start()) + 1)
            deferred = line is not None and line.start() <= offset + m.start() < line.end()
            if not (deferred or (depth > 0 and _leaves_its_block(between, m.start()))):
                return False
        elif token not in (b"{", b"}"):
            return False
    return True


def _leaves_its_block(between: bytes, at: int) -> bool:
    """Whether the Unlock at offset at is a release statement of its own line, nested in a
    block that closes before between ends, where a later statement of the same block (at its
    depth, before any case clause or function literal) is a return, goto, continue, break or
    panic: gofacts.locks counts such a nested release as leaving the lock held for what
    follows the block (the region it ends does not run on)."""
    line = _UNLOCK_LINE.match(between, between.rfind(b"\n", 0, at) + 1)
    if line is None or not (line.start() <= at < line.end()):
        return False
    exits, cursor = False, line.end()
    for m, depth in _block_tokens(_BLOCK, between, line.end()):
        if depth == 0 and not exits:
            exits = _EXITS.search(between, cursor, m.start()) is not None
        token = m.group()
        if token == b"}" and depth == 0:
            return exits
        if token not in (b"{", b"}"):
            return False
        cursor = m.end()
    return False


def _block_tokens(
    pattern: re.Pattern[bytes], text: bytes, start: int
) -> Iterator[tuple[re.Match[bytes], int]]:
    """The matches of pattern (which matches each brace) in text from start, each with the depth
    of the braces opened since start before it, up to the `}` that closes the block start is in
    (the last one yielded, at depth 0)."""
    depth = 0
    for m in pattern.finditer(text, start):
        yield m, depth
        if m.group() == b"{":
            depth += 1
        elif m.group() == b"}":
            if depth == 0:
                return
            depth -= 1
