"""Lock shapes, and the Go types of the expressions read under them.

Shared by the transforms that must know whether a map access happens while a
mutex is held (deepcopy, safemap) or what a value passed to C contains
(map-to-c). gomapfix has no type checker: everything here is recovered from
the syntax of one package, and every question that syntax cannot answer
with certainty gets the answer None ("unknown"), which callers treat as "no
finding" or "no safe fix".

Locks. A lock call is a statement `X.Lock()`, `X.RLock()`, `X.Unlock()` or
`X.RUnlock()`, possibly deferred (`defer X.Unlock()`, or
`defer func() { X.Unlock() }()`), where X is an identifier or a selector
chain: `mu`, `c.mu`, `c` (a struct embedding sync.Mutex), `c.state.mu`. The
method name is what counts, so any Locker (sync.Mutex, sync.RWMutex, a
type embedding one, or a user lock with the same methods) is recognised.
held_at(node) answers which locks are held when node executes, for the
shapes Go code uses:

  - `X.Lock(); defer X.Unlock()`: held from the Lock to the end of the
    function, return values included (they are evaluated before deferred
    calls run);
  - `X.Lock(); ...; X.Unlock()`: held between the two statements;
  - an early exit `if cond { X.Unlock(); return }` does not end the region
    for the statements after the `if`, and an Unlock followed by a re-Lock
    in the same block (a loop that drops the lock for a while) neither;
  - any other Unlock in a preceding compound statement ends it (the lock
    may or may not be held: "not held" is the conservative answer).

A lock taken by an enclosing function is never held inside a function
literal: the literal may run later or on another goroutine.

Types. PackageTypes resolves the static type of identifiers, selector
chains, index expressions, composite literals and calls of the package's own
functions and methods, following the package's named types (struct fields,
promoted fields of embedded structs, map values, slice and array elements,
pointers). Types declared in other packages are opaque.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from tree_sitter import Node

from codemod import gobytes, syntax
from codemod.context import FileContext, PackageContext
from gofacts.declindex import DeclIndex

ACQUIRE = {"Lock": "Unlock", "RLock": "RUnlock"}
RELEASE = {"Unlock": "Lock", "RUnlock": "RLock"}
_PARENS_DEREF = re.compile(r"\(\*([A-Za-z_][A-Za-z0-9_]*)\)")
_UNICODE_SPACE = rb"\xc2[\x85\xa0]|\xe1\x9a\x80|\xe2\x80[\x80-\x8a\xa8\xa9\xaf]|\xe2\x81\x9f|\xe3\x80\x80"
# Blanks between two tokens: Go's white space and comments (and, to be safe, Unicode white
# space), matched possessively: no backtracking into a comment.
_B = rb"(?:\s|" + _UNICODE_SPACE + rb"|//[^\n]*|/\*.*?\*/)*+"


# --- lock calls ----------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class LockCall:
    """One lock or unlock statement.

    Attributes:
        stmt: the expression_statement or defer_statement.
        mutex: the receiver X as a canonical text: no spaces, `(*c).mu` written `c.mu`.
        method: "Lock", "RLock", "Unlock" or "RUnlock".
        deferred: True for `defer X.Unlock()` and `defer func() { X.Unlock() }()`.
    """

    stmt: Node
    mutex: str
    method: str
    deferred: bool

    @property
    def acquires(self) -> bool:
        return self.method in ACQUIRE

    @property
    def root(self) -> str:
        """The identifier the mutex expression starts from: "c" for `c.state.mu`."""
        return mutex_root(self.mutex)

    def releases(self, lock: LockCall) -> bool:
        """True if this call releases what lock acquired (Unlock pairs with Lock, RUnlock with RLock)."""
        return not self.acquires and self.mutex == lock.mutex and RELEASE[self.method] == lock.method


def mutex_root(mutex: str) -> str:
    """The leading identifier of a canonical mutex text ("c.mu" -> "c", "mu" -> "mu")."""
    return mutex.split(".", 1)[0]


def canonical(node: Node) -> str | None:
    """The canonical text of an identifier or selector chain (`(*c).mu` -> "c.mu"), else None."""
    node = syntax.unparen(node)
    if node.type == "identifier":
        return syntax.text(node)
    if node.type == "selector_expression":
        operand, fld = node.child_by_field_name("operand"), node.child_by_field_name("field")
        if operand is None or fld is None:
            return None
        operand = syntax.unparen(operand)
        if operand.type == "unary_expression" and syntax.text(operand.children[0]) == "*":
            inner = operand.child_by_field_name("operand")
            operand = syntax.unparen(inner) if inner is not None else operand
        base = canonical(operand)
        return f"{base}.{syntax.text(fld)}" if base else None
    return None


def _method_call(call: Node) -> tuple[str, str] | None:
    """(canonical receiver, method) for a call `X.M()` without arguments and with a lock method name."""
    if call.type != "call_expression":
        return None
    fn, args = call.child_by_field_name("function"), call.child_by_field_name("arguments")
    if fn is None or args is None or args.named_child_count or fn.type != "selector_expression":
        return None
    fld, operand = fn.child_by_field_name("field"), fn.child_by_field_name("operand")
    if fld is None or operand is None:
        return None
    method = syntax.text(fld)
    if method not in ACQUIRE and method not in RELEASE:
        return None
    receiver = canonical(operand)
    return (_PARENS_DEREF.sub(r"\1", receiver), method) if receiver else None


def lock_call(stmt: Node) -> LockCall | None:
    """The LockCall a statement is, or None.

    Recognised: `X.Lock()`, `X.RLock()`, `X.Unlock()`, `X.RUnlock()` as
    statements; `defer X.Unlock()`; `defer func() { X.Unlock() }()` (a
    deferred literal whose only statement releases X).
    """
    while stmt.type == "labeled_statement" and stmt.named_children:
        stmt = stmt.named_children[-1]
    if stmt.type == "expression_statement" and stmt.named_child_count == 1:
        found = _method_call(stmt.named_children[0])
        return LockCall(stmt, found[0], found[1], False) if found else None
    if stmt.type != "defer_statement" or not stmt.named_child_count:
        return None
    call = stmt.named_children[0]
    found = _method_call(call)
    if found is None and call.type == "call_expression":
        fn = call.child_by_field_name("function")
        args = call.child_by_field_name("arguments")
        if fn is not None and fn.type == "func_literal" and args is not None and not args.named_child_count:
            body = _statements(fn.child_by_field_name("body"))
            if len(body) == 1:
                inner = lock_call(body[0])
                found = (inner.mutex, inner.method) if inner is not None and not inner.deferred else None
    if found is None or found[1] in ACQUIRE:
        return None
    return LockCall(stmt, found[0], found[1], True)


def _statements(block: Node | None) -> list[Node]:
    if block is None:
        return []
    lst = next((c for c in block.named_children if c.type == "statement_list"), None)
    return [s for s in lst.named_children if s.type != "comment"] if lst is not None else []


def lock_calls(root: Node) -> Iterator[LockCall]:
    """Every lock call statement under root, in source order, function literals included."""
    for n in syntax.named_walk(root):
        if n.type in ("expression_statement", "defer_statement"):
            lc = lock_call(n)
            if lc is not None:
                yield lc


# The bytes of every acquiring lock call: `.`, the method name, then its arguments (or type arguments).
_ACQUIRE_CALL = re.compile(rb"\." + _B + rb"(R?Lock)" + _B + rb"[(\[]", re.S)


def may_acquire(content: bytes) -> bool:
    """False when Go source provably holds no acquiring lock call (`X.Lock()`, `X.RLock()`)."""
    return _ACQUIRE_CALL.search(content) is not None


def acquires(f: FileContext) -> list[LockCall]:
    """The acquiring lock calls of f (`X.Lock()`, `X.RLock()`), in source order: those
    lock_calls(f.root) yields, found at the bytes of their method names instead of by a walk."""
    out: list[LockCall] = []
    root = f.root
    for m in _ACQUIRE_CALL.finditer(f.content):
        node = root.named_descendant_for_byte_range(m.start(1), m.end(1))
        if node is None or node.type != "field_identifier" or node.start_byte != m.start(1):
            continue
        sel = node.parent
        call = sel.parent if sel is not None and sel.type == "selector_expression" else None
        stmt = call.parent if call is not None and call.type == "call_expression" else None
        if stmt is not None and stmt.type == "expression_statement":
            lc = lock_call(stmt)
            if lc is not None and lc.acquires:
                out.append(lc)
    return out


# --- which locks are held where -----------------------------------------------------


@dataclass(frozen=True, eq=False)
class Held:
    """A lock held at some point of a function.

    Attributes:
        lock: the acquiring call.
        deferred_unlock: the `defer X.Unlock()` registered after it, if any: the
            lock is then held until the function returns.
    """

    lock: LockCall
    deferred_unlock: LockCall | None = None

    @property
    def mutex(self) -> str:
        return self.lock.mutex


def held_at(node: Node) -> list[Held]:
    """The locks held when node executes, in the order they were acquired.

    Only lock calls of node's innermost function count (see the module doc
    for the shapes and the conservative answers).
    """
    n = node
    while n.parent is not None and n.type not in syntax.FUNCTION_TYPES:
        if n.parent.type == "statement_list":
            return list(_held_before(n))  # the same for everything inside the statement n
        n = n.parent
    return []


@syntax.node_cache(maxsize=256)
def _held_before(stmt: Node) -> tuple[Held, ...]:
    """held_at for the statement stmt of a statement list. Cached: the cache holds the node,
    so its tree stays alive and node identity cannot be reused."""
    chain: list[tuple[Node, Node]] = []
    n = stmt
    while n.parent is not None and n.type not in syntax.FUNCTION_TYPES:
        if n.parent.type == "statement_list":
            chain.append((n.parent, n))
        n = n.parent
    held: dict[str, Held] = {}
    for stmt_list, current in reversed(chain):
        for sibling in stmt_list.named_children:
            if sibling.start_byte >= current.start_byte:
                break
            _apply(sibling, held)
    return tuple(held.values())


def _apply(stmt: Node, held: dict[str, Held]) -> None:
    """Update held for the execution of one earlier statement."""
    lc = lock_call(stmt)
    if lc is not None:
        current = held.get(lc.mutex)
        if lc.acquires:
            held[lc.mutex] = Held(lc)
        elif current is not None and lc.releases(current.lock):
            if lc.deferred:
                held[lc.mutex] = Held(current.lock, lc)
            else:
                del held[lc.mutex]
        return
    if not held or stmt.type == "comment" or b"Unlock" not in (stmt.text or b""):
        return  # only a nested Unlock() or RUnlock() can change held
    for nested in _nested_lock_calls(stmt):
        current = held.get(nested.mutex)
        if current is None or nested.acquires or nested.deferred or not nested.releases(current.lock):
            continue
        if not _exits_or_relocks(nested, current.lock):
            del held[nested.mutex]


def _nested_lock_calls(stmt: Node) -> Iterator[LockCall]:
    """Lock calls inside a compound statement, outside function literals."""
    for n in syntax.named_walk(stmt, prune=frozenset({"func_literal"})):
        if n is not stmt and n.type in ("expression_statement", "defer_statement"):
            lc = lock_call(n)
            if lc is not None:
                yield lc


_TERMINATING = frozenset({"return_statement", "goto_statement"})


def _exits_or_relocks(release: LockCall, lock: LockCall) -> bool:
    """True if, in release's own block, a return (or panic) or a re-acquire of the lock follows it."""
    stmt = release.stmt
    while stmt.parent is not None and stmt.parent.type == "labeled_statement":
        stmt = stmt.parent
    sibling = stmt.next_named_sibling
    while sibling is not None:
        if sibling.type in _TERMINATING or _is_panic(sibling):
            return True
        again = lock_call(sibling)
        if again is not None and again.acquires and again.mutex == lock.mutex and again.method == lock.method:
            return True
        sibling = sibling.next_named_sibling
    return False


def _is_panic(stmt: Node) -> bool:
    if stmt.type != "expression_statement" or not stmt.named_child_count:
        return False
    call = stmt.named_children[0]
    fn = call.child_by_field_name("function") if call.type == "call_expression" else None
    return fn is not None and syntax.text(fn) in ("panic", "os.Exit", "log.Fatal", "log.Fatalf", "log.Panicf")


# --- types ----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class GoType:
    """A Go type as written somewhere in the package (or synthesized as *T for &x).

    Attributes:
        node: the type syntax (map_type, pointer_type, type_identifier, ...);
            None for a synthesized pointer.
        file: the file whose imports qualify the names in node.
        elem: for a synthesized pointer, the pointed-to type.
    """

    node: Node | None
    file: FileContext | None
    elem: GoType | None = None

    @property
    def text(self) -> str:
        if self.node is None:
            return "*" + (self.elem.text if self.elem is not None else "?")
        return syntax.text(self.node)

    @property
    def kind(self) -> str:
        """The syntax kind: "map_type", "type_identifier", ...; "pointer_type" when synthesized."""
        return "pointer_type" if self.node is None else self.node.type


BASIC_TYPES = frozenset(
    "bool string int int8 int16 int32 int64 uint uint8 uint16 uint32 uint64 uintptr byte rune "
    "float32 float64 complex64 complex128 error any comparable".split()
)


@dataclass
class _Decl:
    name: str
    spec: Node
    type_node: Node
    file: FileContext
    generic: bool


def _declarations(f: FileContext) -> Iterator[tuple[str, object, object]]:
    """The entries of one file for PackageTypes' tables: decls, vars, funcs and methods."""
    for decl in f.root.named_children:
        if decl.type == "type_declaration":
            for spec in decl.named_children:
                name, typ = spec.child_by_field_name("name"), spec.child_by_field_name("type")
                if spec.type in ("type_spec", "type_alias") and name is not None and typ is not None:
                    generic = spec.child_by_field_name("type_parameters") is not None
                    text = syntax.text(name)
                    yield "decls", text, _Decl(text, spec, typ, f, generic)
        elif decl.type == "var_declaration":
            for spec in syntax.named_walk(decl, prune=frozenset({"func_literal", "var_spec"})):
                if spec.type == "var_spec":
                    for n in spec.children_by_field_name("name"):
                        yield "vars", syntax.text(n), (spec, f)
        elif decl.type == "function_declaration":
            name = decl.child_by_field_name("name")
            if name is not None:
                yield "funcs", syntax.text(name), (decl, f)
        elif decl.type == "method_declaration":
            name = decl.child_by_field_name("name")
            recv = receiver_type_name(decl)
            if name is not None and recv:
                yield "methods", (recv, syntax.text(name)), (decl, f)


def _needle(key: object) -> bytes:
    return (key[1] if isinstance(key, tuple) else str(key)).encode()


# --- which files may declare a name, read from the bytes ------------------------------------

_ID = rb"(?:[A-Za-z0-9_]|(?!" + _UNICODE_SPACE + rb")[\x80-\xff])++"
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
    "vars": re.compile(rb"var(?<![A-Za-z0-9_]var)" + _B + rb"\(", re.S),
    "decls": re.compile(rb"type(?<![A-Za-z0-9_]type)" + _B + rb"\(", re.S),
}
_SPEC_START = re.compile(rb"[\n;,\x01\x02](?=" + _B + rb"(" + _ID + rb"))", re.S)
_GROUP_TEXT = {"vars": re.compile(rb"\x02[^)]*"), "decls": re.compile(rb"\x01[^)]*")}
_IDENT = re.compile(_ID)
_BRACES = re.compile(rb"\{[^{}]*\}")
_PARENS = re.compile(rb"\([^()]*\)")


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


class Declarable:
    """The names that one Go source may declare at package level, for each table of
    PackageTypes, read from the bytes: a superset of what the parse finds, so a name
    missing here is not declared by the file. Each table is read on first use.

    Functions and methods are read from `func f(` and `) m(`, which only a declaration
    spells. A `var`/`type` keyword may also open a local declaration, so when the name
    follows one, or the file has a `var (...)`/`type (...)` group, variables and types are
    read from the package-level skeleton (function bodies removed): names after
    `var`/`type`, and at the start of each spec (or after a comma) of a group.
    """

    _RAW = {"funcs": _FUNC_DECL, "methods": _METHOD_DECL, "vars": _VAR_DECL, "decls": _TYPE_DECL}

    def __init__(self, content: bytes) -> None:
        self.content = content
        self._raw: dict[str, set[bytes]] = {}
        self._grouped: dict[str, bool] = {}
        self._package_level: dict[str, set[bytes]] | None = None

    def may_declare(self, table: str, name: bytes) -> bool:
        raw = self._raw.get(table)
        if raw is None:
            raw = self._raw[table] = _names(self._RAW[table], self.content)
        if table in ("funcs", "methods"):
            return name in raw
        grouped = self._grouped.get(table)
        if grouped is None:
            grouped = self._grouped[table] = _OPENS[table].search(self.content) is not None
        if name not in raw and not grouped:
            return False
        return name in self._skeleton_names()[table]

    def _skeleton_names(self) -> dict[str, set[bytes]]:
        if self._package_level is None:
            skeleton = _skeleton(self.content)
            self._package_level = {}
            for table, pattern in (("vars", _VAR_DECL), ("decls", _TYPE_DECL)):
                names = _names(pattern, skeleton)
                for group in _GROUP_TEXT[table].finditer(skeleton):
                    names |= _names(_SPEC_START, group.group())
                self._package_level[table] = names
        return self._package_level


_MISSING = object()


class _Lookups:
    """Answers lookups of one name in PackageTypes' tables, parsing only the files that may declare it.

    The answer is the full index's: the declaration in the first file, in the package's
    order, that declares the name. A file not parsed yet is skipped when its bytes show
    that it cannot declare the name (Declarable); a parsed file is simply read.
    """

    def __init__(self, pkg: PackageContext) -> None:
        self.pkg = pkg
        self._answers: dict[tuple[str, object], object] = {}
        self._entries: dict[int, dict[str, dict[object, object]]] = {}
        self._declarable: dict[int, Declarable] = {}
        self._blob: bytes | None = None
        self._starts: list[int] = []

    def get(self, table: str, key: object) -> object:
        """The value of key in table, or _MISSING."""
        found = self._answers.get((table, key))
        if found is None:
            found = self._find(table, key)
            self._answers[(table, key)] = found
        return found

    def _find(self, table: str, key: object) -> object:
        needle = _needle(key)
        for i in self._holding(needle):
            f = self.pkg.sources[i]
            if not (f.parsed or self._bytes(i, f).may_declare(table, needle)) or f.broken:
                continue
            found = self._file_entries(i, f).get(table, {}).get(key, _MISSING)
            if found is not _MISSING:
                return found
        return _MISSING

    def _holding(self, needle: bytes) -> Iterator[int]:
        """The indexes of the files whose bytes contain needle (which holds no NUL), in order."""
        if self._blob is None:
            self._blob = b"\0".join(f.content for f in self.pkg.sources)
            self._starts = list(
                itertools.accumulate((len(f.content) + 1 for f in self.pkg.sources), initial=0)
            )
        at = self._blob.find(needle)
        while at >= 0:
            i = bisect.bisect_right(self._starts, at) - 1
            yield i
            at = self._blob.find(needle, self._starts[i + 1])

    def _bytes(self, i: int, f: FileContext) -> Declarable:
        found = self._declarable.get(i)
        if found is None:
            found = self._declarable[i] = Declarable(f.content)
        return found

    def _file_entries(self, i: int, f: FileContext) -> dict[str, dict[object, object]]:
        entries = self._entries.get(i)
        if entries is None:
            entries = self._entries[i] = {}
            for table, key, value in _declarations(f):
                entries.setdefault(table, {}).setdefault(key, value)
        return entries


class _Table(Mapping):
    """One table of PackageTypes: lookups through _Lookups, iteration through the full index."""

    def __init__(self, lookups: _Lookups, name: str, full: Mapping) -> None:
        self._lookups, self._name, self._full = lookups, name, full

    def __getitem__(self, key: object) -> object:
        found = self._lookups.get(self._name, key)
        if found is _MISSING:
            raise KeyError(key)
        return found

    def __iter__(self) -> Iterator:
        return iter(self._full)

    def __len__(self) -> int:
        return len(self._full)


class PackageTypes:
    """Type resolution over one package (built once per run of a transform).

    Attributes:
        pkg: the package.
        decls: type name -> its declaration.
        vars: package-level variable name -> (var_spec, file).
        funcs: function name -> (function_declaration, file).
        methods: (receiver type name, method name) -> (method_declaration, file).

    The tables fill on demand: a lookup parses only the files whose bytes may
    declare the name (they contain it where a declaration would put it);
    iterating a table parses the whole package (gofacts.declindex).
    """

    def __init__(self, pkg: PackageContext) -> None:
        self.pkg = pkg
        index = DeclIndex(pkg, _declarations, _needle)
        lookups = _Lookups(pkg)
        self.decls: Mapping[str, _Decl] = _Table(lookups, "decls", index.table("decls"))
        self.vars: Mapping[str, tuple[Node, FileContext]] = _Table(lookups, "vars", index.table("vars"))
        self.funcs: Mapping[str, tuple[Node, FileContext]] = _Table(lookups, "funcs", index.table("funcs"))
        self.methods: Mapping[tuple[str, str], tuple[Node, FileContext]] = _Table(
            lookups, "methods", index.table("methods")
        )
        self._fields: dict[Node, list[tuple[str, GoType, bool]]] = {}

    # -- named types and their structure ------------------------------------

    def declaration(self, t: GoType) -> _Decl | None:
        """The package's declaration of t when t names a type of this package."""
        if t.node is None:
            return None
        node = t.node
        if node.type == "generic_type":
            node = node.child_by_field_name("type") or node
        if node.type not in ("type_identifier", "identifier"):
            return None
        return self.decls.get(syntax.text(node))

    def underlying(self, t: GoType | None, depth: int = 0) -> GoType | None:
        """t with the package's named types resolved to their definitions; None when opaque.

        A type of another package, a type parameter or a builtin name resolve
        to themselves only if they are builtin; otherwise None.
        """
        if t is None or depth > 16:
            return None
        if t.node is None:
            return t
        node = t.node
        if node.type == "parenthesized_type" and node.named_child_count == 1:
            return self.underlying(GoType(node.named_children[0], t.file), depth + 1)
        if node.type in ("type_identifier", "identifier", "generic_type"):
            decl = self.declaration(t)
            if decl is not None:
                return self.underlying(GoType(decl.type_node, decl.file), depth + 1)
            return t if syntax.text(node) in BASIC_TYPES else None
        if node.type == "qualified_type":
            return None
        return t

    def is_named_here(self, t: GoType) -> bool:
        """True when t is a (non-alias) named type declared in this package."""
        decl = self.declaration(t)
        return decl is not None and decl.spec.type == "type_spec"

    def map_parts(self, t: GoType | None) -> tuple[GoType, GoType] | None:
        """(key, value) when t is a map type (possibly named); else None."""
        u = self.underlying(t)
        if u is None or u.node is None or u.node.type != "map_type":
            return None
        key, value = u.node.child_by_field_name("key"), u.node.child_by_field_name("value")
        if key is None or value is None:
            return None
        return GoType(key, u.file), GoType(value, u.file)

    def pointee(self, t: GoType | None) -> GoType | None:
        """The element type when t is a pointer type; else None."""
        if t is None:
            return None
        if t.node is None:
            return t.elem
        u = self.underlying(t)
        if u is None or u.node is None or u.node.type != "pointer_type" or not u.node.named_child_count:
            return None
        return GoType(u.node.named_children[0], u.file)

    def element(self, t: GoType | None) -> GoType | None:
        """The element type of a slice, array or pointer-to-array type; else None."""
        u = self.underlying(t)
        if u is not None and u.kind == "pointer_type":
            u = self.underlying(self.pointee(u))
        if u is None or u.node is None or u.node.type not in ("slice_type", "array_type"):
            return None
        elem = u.node.child_by_field_name("element")
        return GoType(elem, u.file) if elem is not None else None

    def fields(self, t: GoType | None) -> list[tuple[str, GoType, bool]]:
        """(name, type, embedded) for each field of a struct type t (not through pointers)."""
        u = self.underlying(t)
        if u is None or u.node is None or u.node.type != "struct_type":
            return []
        known = self._fields.get(u.node)
        if known is None:
            known = self._fields[u.node] = self._struct_fields(u)
        return list(known)

    def _struct_fields(self, u: GoType) -> list[tuple[str, GoType, bool]]:
        assert u.node is not None
        out: list[tuple[str, GoType, bool]] = []
        for lst in u.node.named_children:
            if lst.type != "field_declaration_list":
                continue
            for decl in lst.named_children:
                typ = decl.child_by_field_name("type")
                if decl.type != "field_declaration" or typ is None:
                    continue
                names = decl.children_by_field_name("name")
                if names:
                    out.extend((syntax.text(n), GoType(typ, u.file), False) for n in names)
                else:
                    out.append((embedded_name(typ), GoType(typ, u.file), True))
        return out

    def field(self, t: GoType | None, name: str, depth: int = 0) -> GoType | None:
        """The type of field name of t (or of *t), promoted fields of embedded structs included."""
        if t is None or depth > 4:
            return None
        base = self.pointee(t) or t
        own = self.fields(base)
        for fname, ftype, _ in own:
            if fname == name:
                return ftype
        for _, ftype, embedded in own:
            if embedded:
                found = self.field(ftype, name, depth + 1)
                if found is not None:
                    return found
        return None

    # -- expressions ---------------------------------------------------------------

    def type_of(self, expr: Node, f: FileContext, depth: int = 0) -> GoType | None:
        """The static type of expr as written in f, or None when it is not certain."""
        if depth > 12:
            return None
        expr = syntax.unparen(expr)
        t = expr.type
        if t == "identifier":
            return self.identifier_type(syntax.text(expr), expr, f, depth)
        if t == "selector_expression":
            operand, fld = expr.child_by_field_name("operand"), expr.child_by_field_name("field")
            if operand is None or fld is None or self._is_package(operand, f):
                return None
            return self.field(self.type_of(operand, f, depth + 1), syntax.text(fld))
        if t == "index_expression":
            operand = expr.child_by_field_name("operand")
            base = self.type_of(operand, f, depth + 1) if operand is not None else None
            parts = self.map_parts(base)
            return parts[1] if parts is not None else self.element(base)
        if t == "unary_expression":
            op, operand = syntax.text(expr.children[0]), expr.child_by_field_name("operand")
            inner = self.type_of(operand, f, depth + 1) if operand is not None else None
            if op == "&":
                if operand is not None and syntax.unparen(operand).type == "composite_literal":
                    inner = self.type_of(operand, f, depth + 1)
                return GoType(None, f, inner) if inner is not None else None
            return self.pointee(inner) if op == "*" else None
        if t == "composite_literal":
            typ = expr.child_by_field_name("type")
            return GoType(typ, f) if typ is not None and typ.type != "implicit_length_array_type" else None
        if t == "call_expression":
            return self._call_type(expr, f)
        if t == "type_conversion_expression":
            typ = expr.child_by_field_name("type")
            return GoType(typ, f) if typ is not None else None
        return None

    def _is_package(self, operand: Node, f: FileContext) -> bool:
        operand = syntax.unparen(operand)
        if operand.type != "identifier":
            return False
        name = syntax.text(operand)
        return name in f.imported_names and find_declaration(name, operand) is None and name not in self.vars

    def _call_type(self, call: Node, f: FileContext) -> GoType | None:
        fn, args = call.child_by_field_name("function"), call.child_by_field_name("arguments")
        if fn is None:
            return None
        fn = syntax.unparen(fn)
        first = args.named_children[0] if args is not None and args.named_child_count else None
        if fn.type == "identifier":
            name = syntax.text(fn)
            if find_declaration(name, fn) is not None:
                return None
            if name in ("new", "make") and first is not None:
                typ = GoType(first, f)
                return GoType(None, f, typ) if name == "new" else typ
            if name in self.decls and args is not None and args.named_child_count == 1:
                return GoType(fn, f)  # a conversion T(x), parsed as a call
            if name in self.funcs:
                decl, df = self.funcs[name]
                if first is not None and _returns_first_type_parameter(decl):
                    return self.type_of(first, f)  # func clone[M ~map[K]V, ...](m M) M
                return _first_result(decl, df)
            return None
        if fn.type == "parenthesized_expression":
            inner = syntax.unparen(fn)
            if inner.type == "unary_expression" and syntax.text(inner.children[0]) == "*":
                target = inner.child_by_field_name("operand")
                if target is not None and target.type in (
                    "identifier",
                    "qualified_type",
                    "selector_expression",
                ):
                    return GoType(None, f, GoType(target, f))  # a conversion (*T)(x)
            return None
        if fn.type == "selector_expression":
            operand, fld = fn.child_by_field_name("operand"), fn.child_by_field_name("field")
            if operand is None or fld is None:
                return None
            if self._is_package(operand, f):
                # maps.Clone(m) has m's type.
                clone = f.import_name("maps") == syntax.text(operand) and syntax.text(fld) == "Clone"
                return self.type_of(first, f) if clone and first is not None else None
            recv = self.type_of(operand, f)
            base = self.pointee(recv) or recv
            name = named_type_name(base)
            found = self.methods.get((name, syntax.text(fld))) if name else None
            return _first_result(*found) if found is not None else None
        return None

    def identifier_type(self, name: str, at: Node, f: FileContext, depth: int = 0) -> GoType | None:
        """The declared type of identifier name as seen at node at."""
        decl = find_declaration(name, at)
        if decl is None:
            if name in self.vars:
                spec, vf = self.vars[name]
                return self._spec_type(spec, name, vf, depth)
            return None
        kind, node = decl
        if kind == "param":
            return GoType(node, f)
        if kind == "var_spec":
            return self._spec_type(node, name, f, depth)
        if kind == "short_var":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            names = [syntax.text(c) for c in left.named_children] if left is not None else []
            values = right.named_children if right is not None else []
            i = names.index(name)
            if len(values) == len(names):
                return self.type_of(values[i], f, depth + 1)
            if len(values) == 1 and i == 0 and syntax.unparen(values[0]).type == "index_expression":
                return self.type_of(values[0], f, depth + 1)  # v, ok := m[k]
            return None
        if kind == "range":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            names = [syntax.text(c) for c in left.named_children] if left is not None else []
            ranged = self.type_of(right, f, depth + 1) if right is not None else None
            parts = self.map_parts(ranged)
            i = names.index(name)
            if parts is not None:
                return parts[i]
            elem = self.element(ranged)
            return elem if elem is not None and i == 1 else None
        return None

    def _spec_type(self, spec: Node, name: str, f: FileContext, depth: int) -> GoType | None:
        typ = spec.child_by_field_name("type")
        if typ is not None:
            return GoType(typ, f)
        names = [syntax.text(c) for c in spec.children_by_field_name("name")]
        value = spec.child_by_field_name("value")
        if value is not None and len(value.named_children) == len(names):
            return self.type_of(value.named_children[names.index(name)], f, depth + 1)
        return None


def _first_result(decl: Node, f: FileContext) -> GoType | None:
    result = decl.child_by_field_name("result")
    if result is None:
        return None
    if result.type != "parameter_list":
        return GoType(result, f)
    params = result.named_children
    if not params:
        return None
    typ = params[0].child_by_field_name("type")
    return GoType(typ, f) if typ is not None else None


def _returns_first_type_parameter(decl: Node) -> bool:
    """True for `func f[M ...](m M, ...) M`: the result has the first argument's type."""
    tparams = decl.child_by_field_name("type_parameters")
    result, params = decl.child_by_field_name("result"), decl.child_by_field_name("parameters")
    if tparams is None or result is None or params is None or not params.named_children:
        return False
    names = {syntax.text(n) for p in tparams.named_children for n in p.children_by_field_name("name")}
    first = params.named_children[0].child_by_field_name("type")
    rtext = syntax.text(result)
    return rtext in names and first is not None and syntax.text(first) == rtext


def embedded_name(typ: Node) -> str:
    """The field name an embedded field of type typ gets (`*sync.Mutex` -> "Mutex")."""
    t = syntax.text(typ).lstrip("*").strip()
    t = t.split("[", 1)[0]
    return t.rsplit(".", 1)[-1]


def named_type_name(t: GoType | None) -> str | None:
    """ "T" when t is written as T or T[...] (a name of this package or a type parameter)."""
    if t is None or t.node is None:
        return None
    node = t.node
    if node.type == "generic_type":
        node = node.child_by_field_name("type") or node
    return syntax.text(node) if node.type == "type_identifier" else None


def receiver_type_name(method: Node) -> str | None:
    """ "T" for a method declared on T or *T (or T[K], *T[K])."""
    recv = method.child_by_field_name("receiver")
    if recv is None or not recv.named_child_count:
        return None
    typ = recv.named_children[0].child_by_field_name("type")
    if typ is None:
        return None
    text = syntax.text(typ).lstrip("*").strip().split("[", 1)[0].strip()
    return text if text.isidentifier() else None


# --- declarations in scope ---------------------------------------------------------

_SCOPES = syntax.SCOPE_TYPES


def find_declaration(name: str, at: Node) -> tuple[str, Node] | None:
    """The declaration of name that is in scope at node at, inside the functions enclosing it.

    Returns ("param", type node) for a receiver, parameter or named result;
    ("var_spec", spec), ("short_var", declaration) or ("range", range_clause)
    for a local; None when name is not declared in an enclosing function
    (a package-level name, an import, a builtin). A declaration is in scope
    after it ends (`x := f(x)` reads an outer x) and within its block.
    """
    func = syntax.enclosing_function(at)
    while func is not None:
        body = func.child_by_field_name("body")
        found: tuple[str, Node] | None = None
        for kind, n in _local_declarations(body).get(name, ()) if body is not None else ():
            if n.end_byte > at.start_byte:
                break
            if _visible(n, at):
                found = (kind, n)
        if found is not None:
            return found
        param = _parameter(func, name)
        if param is not None:
            return ("param", param)
        func = syntax.enclosing_function(func)
    return None


@syntax.node_cache(maxsize=1024)
def _local_declarations(body: Node) -> dict[str, list[tuple[str, Node]]]:
    """name -> (kind, declaring node) for the declarations directly in a function body
    (not in nested function literals), in source order. Cached: the cache holds the
    node, so its tree stays alive and node identity cannot be reused."""
    out: dict[str, list[tuple[str, Node]]] = {}
    found = syntax.captures(_DECLARING, body).get("d", [])
    literal_end = -1
    for n in sorted(found, key=lambda n: (n.start_byte, -n.end_byte)):
        if n.start_byte < literal_end:
            continue
        if n.type == "func_literal":
            literal_end = n.end_byte
            continue
        kind, names = _declares(n)
        for name in names:
            out.setdefault(name, []).append((kind, n))
    return out


_DECLARING = "[(short_var_declaration) (range_clause) (var_spec) (func_literal)] @d"


def _declares(n: Node) -> tuple[str, list[str]]:
    """(kind, names) of the locals node n declares; names is empty for other nodes."""
    if n.type == "short_var_declaration" or (
        n.type == "range_clause" and any(c.type == ":=" for c in n.children)
    ):
        left = n.child_by_field_name("left")
        names = [syntax.text(c) for c in left.named_children if c.type == "identifier"] if left else []
        return ("short_var" if n.type == "short_var_declaration" else "range"), names
    if n.type == "var_spec":
        return "var_spec", [syntax.text(c) for c in n.children_by_field_name("name")]
    return "", []


def _visible(decl: Node, at: Node) -> bool:
    scope = syntax.enclosing(decl, *_SCOPES)
    if decl.type == "range_clause":
        scope = decl.parent
    return scope is None or scope.start_byte <= at.start_byte < scope.end_byte


def _parameter(func: Node, name: str) -> Node | None:
    for fld in ("receiver", "parameters", "result"):
        plist = func.child_by_field_name(fld)
        if plist is None or plist.type != "parameter_list":
            continue
        for p in plist.named_children:
            typ = p.child_by_field_name("type")
            if typ is not None and any(syntax.text(n) == name for n in p.children_by_field_name("name")):
                return typ
    return None
