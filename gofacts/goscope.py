"""Light name and type resolution over tree-sitter-go trees.

gomapfix has no type checker; these helpers recover the declared type of a
local name from the syntax the way a reader would (parameters, receivers,
`var x T`, `x := &T{}`, `x := NewT()` with a declared result, package-level
vars) and answer None whenever that is not certain. Callers treat None as
"unknown", which lowers a fix to unsafe or drops it.

The package-level tables (types, functions and methods, package vars) are
filled on demand: looking a name up parses only the files that can declare it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from typing import Generic, TypeVar

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext, PackageContext

_PRUNE_FUNCS = frozenset({"func_literal"})


def base_type_name(type_text: str | None) -> str | None:
    """ "*pkg.T[int]" -> None (qualified); "*T[int]" -> "T"; "T" -> "T"."""
    if not type_text:
        return None
    t = type_text.strip().lstrip("*").strip()
    t = t.split("[", 1)[0].strip()
    if not t.isidentifier():
        return None
    return t


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


Probe = tuple[tuple[bytes, ...], re.Pattern[bytes] | None]
"""What a file declaring a key must hold: all these bytes, and a match of the pattern if any."""

_EVERY: Probe = ((), None)


class _Index(Mapping[K, V], Generic[K, V]):
    """One table of a package's declarations, filled file by file as lookups need them.

    A file can declare a name only if it contains the name's bytes (and the
    shape of its declaration), so a lookup indexes just the files that match
    probe(key); iterating indexes every file. extract(file) gives (key, value)
    for each declaration of a parsed file, in source order. When several
    declarations share a key, the first in the package's file order wins, or
    the last with last=True: the answers of a table built by one pass over
    pkg.files. Files with syntax errors are skipped.
    """

    def __init__(
        self,
        pkg: PackageContext,
        extract: Callable[[FileContext], Iterable[tuple[K, V]]],
        probe: Callable[[K], Probe],
        last: bool = False,
    ) -> None:
        self._pkg = pkg
        self._extract = extract
        self._probe = probe
        self._last = last
        self._done: set[int] = set()
        self._scanned: set[Probe] = set()
        self._entries: dict[K, list[tuple[int, int, V]]] = {}

    def _scan(self, probe: Probe) -> None:
        """Index every file not yet indexed that matches probe (_EVERY: every file)."""
        if probe in self._scanned or _EVERY in self._scanned:
            return
        self._scanned.add(probe)
        needles, pattern = probe
        for i, f in enumerate(self._pkg.sources):
            if i in self._done or not all(n in f.content for n in needles):
                continue
            if pattern is not None and not pattern.search(f.content):
                continue
            self._done.add(i)
            if f.broken:
                continue
            for seq, (key, value) in enumerate(self._extract(f)):
                self._entries.setdefault(key, []).append((i, seq, value))

    def __getitem__(self, key: K) -> V:
        self._scan(self._probe(key))
        found = self._entries.get(key)
        if not found:
            raise KeyError(key)
        pick = max if self._last else min
        return pick(found, key=lambda e: (e[0], e[1]))[2]

    def __iter__(self) -> Iterator[K]:
        self._scan(_EVERY)
        first = {k: min((e[0], e[1]) for e in entries) for k, entries in self._entries.items()}
        return iter(sorted(first, key=first.__getitem__))

    def __len__(self) -> int:
        self._scan(_EVERY)
        return len(self._entries)


# Go's extras (whitespace, comments) as tree-sitter-go reads them; any non-ASCII byte may be space.
_EXTRAS = rb"(?:[\s\x00\x80-\xff]|//[^\n]*|/\*(?:[^*]|\*(?!/))*\*/)*"


@functools.lru_cache(maxsize=1024)
def _declared_after(before: bytes, name: str) -> re.Pattern[bytes]:
    """A pattern for name declared right after the regex before (`func`, a receiver's `)`)."""
    return re.compile(before + _EXTRAS + re.escape(name.encode()) + rb"(?![A-Za-z0-9_])")


def _name_probe(name: str) -> Probe:
    return (name.encode(),), None


def _function_probe(name: str) -> Probe:
    return (name.encode(),), _declared_after(rb"\bfunc", name)


def _method_probe(key: tuple[str | None, str]) -> Probe:
    receiver, name = key
    if receiver is None:
        return _function_probe(name)
    return (name.encode(), receiver.encode()), _declared_after(rb"\)", name)


class _Tables:
    """The lazy declaration tables of one package."""

    def __init__(self, pkg: PackageContext) -> None:
        self.pkg = pkg
        self.types: Mapping[str, Node] = _Index(pkg, _type_entries, _name_probe)
        self.results: Mapping[str, list[str]] = _Index(pkg, _result_entries, _function_probe, last=True)
        self.funcs: Mapping[tuple[str | None, str], Node] = _Index(pkg, _func_entries, _method_probe)
        self.vars: Mapping[str, Node] = _Index(pkg, _var_entries, _name_probe)


def _tables(pkg: PackageContext) -> _Tables:
    """The tables of pkg, built once per package (a PackageContext is not changed while
    transforms read it)."""
    return pkg.derived("goscope.tables", lambda: _Tables(pkg))


def type_declarations(pkg: PackageContext) -> Mapping[str, Node]:
    """Top-level type name -> the type node it is declared as (struct_type, map_type, ...).

    Filled on demand: a lookup parses only the files that contain the name.
    """
    return _tables(pkg).types


def _type_entries(f: FileContext) -> Iterator[tuple[str, Node]]:
    for decl in f.root.named_children:
        if decl.type != "type_declaration":
            continue
        for spec in decl.named_children:
            if spec.type not in ("type_spec", "type_alias"):
                continue
            name = spec.child_by_field_name("name")
            typ = spec.child_by_field_name("type")
            if name is not None and typ is not None:
                yield syntax.text(name), typ


def struct_fields(struct: Node) -> dict[str, str]:
    """Named (non-embedded) field -> its type text, for a struct_type node."""
    out: dict[str, str] = {}
    for fields in struct.named_children:
        if fields.type != "field_declaration_list":
            continue
        for decl in fields.named_children:
            typ = decl.child_by_field_name("type")
            if decl.type != "field_declaration" or typ is None:
                continue
            for name in decl.children_by_field_name("name"):
                out[syntax.text(name)] = syntax.text(typ)
    return out


def embedded_fields(struct: Node) -> list[str]:
    """The type texts of the embedded fields of a struct_type node (`T`, `*T`, `pkg.T`)."""
    out: list[str] = []
    for fields in struct.named_children:
        if fields.type != "field_declaration_list":
            continue
        for decl in fields.named_children:
            typ = decl.child_by_field_name("type")
            if (
                decl.type == "field_declaration"
                and typ is not None
                and not decl.children_by_field_name("name")
            ):
                out.append(syntax.text(decl).split("`", 1)[0].strip())
    return out


def function_results(pkg: PackageContext) -> Mapping[str, list[str]]:
    """Top-level function name -> its result types (texts), for functions of the package.

    Filled on demand (a lookup parses only the files that contain the name) and
    kept for the most recent package, since every local_type call needs it.
    """
    return _tables(pkg).results


def _result_entries(f: FileContext) -> Iterator[tuple[str, list[str]]]:
    for decl in f.root.named_children:
        if decl.type != "function_declaration":
            continue
        name = decl.child_by_field_name("name")
        result = decl.child_by_field_name("result")
        if name is None or result is None:
            continue
        if result.type == "parameter_list":
            types = []
            for p in result.named_children:
                t = p.child_by_field_name("type")
                n = max(1, len(p.children_by_field_name("name")))
                types.extend([syntax.text(t)] * n if t is not None else [])
            yield syntax.text(name), types
        else:
            yield syntax.text(name), [syntax.text(result)]


def parameter_types(func: Node, *fields: str) -> dict[str, str]:
    """Receiver and parameter names of a function node -> their type texts.

    fields limits the lists read ("receiver", "parameters"); default both.
    """
    out: dict[str, str] = {}
    for field in fields or ("receiver", "parameters"):
        plist = func.child_by_field_name(field)
        if plist is None:
            continue
        for p in plist.named_children:
            t = p.child_by_field_name("type")
            for n in p.children_by_field_name("name"):
                if t is not None:
                    out[syntax.text(n)] = (
                        "..." if p.type == "variadic_parameter_declaration" else ""
                    ) + syntax.text(t)
    return out


def expression_type(
    expr: Node, pkg: PackageContext, results: Mapping[str, list[str]], index: int = 0
) -> str | None:
    """The type of a few self-describing expressions: &T{}, T{}, new(T), NewT() (declared result)."""
    expr = syntax.unparen(expr)
    if expr.type == "unary_expression" and syntax.text(expr.children[0]) == "&":
        inner = expr.child_by_field_name("operand")
        if inner is not None and inner.type == "composite_literal":
            t = inner.child_by_field_name("type")
            return "*" + syntax.text(t) if t is not None else None
        return None
    if expr.type == "composite_literal":
        t = expr.child_by_field_name("type")
        return syntax.text(t) if t is not None else None
    if expr.type == "call_expression":
        fn = expr.child_by_field_name("function")
        args = expr.child_by_field_name("arguments")
        if fn is None:
            return None
        if (
            fn.type == "identifier"
            and syntax.text(fn) == "new"
            and args is not None
            and args.named_child_count == 1
        ):
            return "*" + syntax.text(args.named_children[0])
        if fn.type == "identifier" and syntax.text(fn) in results:
            types = results[syntax.text(fn)]
            return types[index] if index < len(types) else None
    return None


def first_parameter(func: Node) -> str | None:
    """The name of a function's first parameter, if it has one."""
    names = parameter_names(func)
    return names[0] if names else None


def local_type(name: str, at: Node, f: FileContext, pkg: PackageContext) -> str | None:
    """The declared type of identifier name as seen at node at, or None if not certain."""
    results = function_results(pkg)
    func = syntax.enclosing_function(at)
    while func is not None:
        body = func.child_by_field_name("body")
        found = _declared_in(name, body, at, pkg, results) if body is not None else None
        if found is not None:
            return found or None
        params = parameter_types(func)
        if name in params:
            return params[name]
        func = syntax.enclosing_function(func)
    return _package_var_type(name, pkg, results)


_SCOPES = syntax.SCOPE_TYPES


def _visible_at(decl: Node, at: Node) -> bool:
    """True if a declaration made by node decl is in scope at node at (Go's block rules)."""
    if decl.start_byte >= at.start_byte:
        return False
    scope = syntax.enclosing(decl, *_SCOPES)
    return scope is None or scope.start_byte <= at.start_byte < scope.end_byte


def _declared_names(n: Node) -> list[str]:
    """Identifiers a declaring node introduces (short var decl, var/const spec, := range, type spec)."""
    if n.type == "short_var_declaration" or (
        n.type == "range_clause" and any(c.type == ":=" for c in n.children)
    ):
        left = n.child_by_field_name("left")
        targets = left.named_children if left is not None and left.type == "expression_list" else [left]
        return [syntax.text(c) for c in targets if c is not None and c.type == "identifier"]
    if n.type in ("var_spec", "const_spec"):
        return [syntax.text(c) for c in n.children_by_field_name("name")]
    if n.type in ("type_spec", "type_alias"):
        name = n.child_by_field_name("name")
        return [syntax.text(name)] if name is not None else []
    return []


def _declared_in(
    name: str, body: Node, at: Node, pkg: PackageContext, results: Mapping[str, list[str]]
) -> str | None:
    """Type of the declaration of name in body that is in scope at node at ("" when its
    type is unknown), or None when no declaration in body is."""
    found: str | None = None
    for n in syntax.named_walk(body, prune=_PRUNE_FUNCS):
        if n.start_byte >= at.start_byte:
            break
        if name not in _declared_names(n) or not _visible_at(n, at):
            continue
        if n.type == "short_var_declaration":
            left = n.child_by_field_name("left")
            right = n.child_by_field_name("right")
            names = [syntax.text(c) for c in left.named_children] if left is not None else []
            values = right.named_children if right is not None else []
            idx = names.index(name)
            if len(values) == len(names):
                found = expression_type(values[idx], pkg, results) or ""
            elif len(values) == 1:
                found = expression_type(values[0], pkg, results, idx) or ""
            else:
                found = ""
        elif n.type == "var_spec":
            names = [syntax.text(c) for c in n.children_by_field_name("name")]
            t = n.child_by_field_name("type")
            value = n.child_by_field_name("value")
            if t is not None:
                found = syntax.text(t)
            elif value is not None and len(value.named_children) == len(names):
                found = expression_type(value.named_children[names.index(name)], pkg, results) or ""
            else:
                found = ""
        else:
            found = ""
    return found


def declared_locally(name: str, at: Node, anywhere: bool = False) -> bool:
    """True if name denotes something declared inside the functions enclosing node at:
    a receiver, parameter or named result, or a local declaration in scope at at.

    With anywhere=True any declaration of name in those functions counts, in
    scope or not, before or after at: the conservative answer to "could a new
    use of name at this point be captured by a local declaration?".
    """
    func = syntax.enclosing_function(at)
    while func is not None:
        if name in parameter_types(func) or name in _result_names(func):
            return True
        body = func.child_by_field_name("body")
        for n in syntax.named_walk(body, prune=frozenset() if anywhere else _PRUNE_FUNCS) if body else ():
            if name in _declared_names(n) and (anywhere or _visible_at(n, at)):
                return True
        func = syntax.enclosing_function(func)
    return False


def _result_names(func: Node) -> set[str]:
    result = func.child_by_field_name("result")
    if result is None or result.type != "parameter_list":
        return set()
    return {syntax.text(n) for p in result.named_children for n in p.children_by_field_name("name")}


def _package_var_type(name: str, pkg: PackageContext, results: Mapping[str, list[str]]) -> str | None:
    spec = _tables(pkg).vars.get(name)
    if spec is None:
        return None
    names = [syntax.text(c) for c in spec.children_by_field_name("name")]
    t = spec.child_by_field_name("type")
    if t is not None:
        return syntax.text(t)
    value = spec.child_by_field_name("value")
    if value is not None and len(value.named_children) == len(names):
        return expression_type(value.named_children[names.index(name)], pkg, results)
    return None


def _var_entries(f: FileContext) -> Iterator[tuple[str, Node]]:
    """(name, var_spec) for the package-level variables of a file."""
    for decl in f.root.named_children:
        if decl.type != "var_declaration":
            continue
        for spec in syntax.named_walk(decl, prune=_PRUNE_FUNCS):
            if spec.type == "var_spec":
                for c in spec.children_by_field_name("name"):
                    yield syntax.text(c), spec


def assigns_to(name: str, scope: Node, after: int = 0, before: int | None = None) -> bool:
    """True if name is assigned (=, :=, op=, ++/--, range) in scope between offsets."""
    for n in syntax.named_walk(scope, prune=_PRUNE_FUNCS):
        if n.start_byte < after or (before is not None and n.start_byte >= before):
            continue
        left = None
        if n.type in ("assignment_statement", "short_var_declaration", "range_clause"):
            left = n.child_by_field_name("left")
        elif n.type in ("inc_statement", "dec_statement"):
            left = n
        if left is None:
            continue
        targets = left.named_children if left.type == "expression_list" else [left]
        if n.type in ("inc_statement", "dec_statement"):
            targets = n.named_children
        if any(t.type == "identifier" and syntax.text(t) == name for t in targets):
            return True
    return False


def methods(pkg: PackageContext) -> Mapping[tuple[str | None, str], Node]:
    """(receiver base type, method name) -> method declaration, and (None, name) -> top-level
    function declaration, for the functions of the package.

    Filled on demand: a lookup parses only the files that contain the method's name.
    """
    return _tables(pkg).funcs


def _func_entries(f: FileContext) -> Iterator[tuple[tuple[str | None, str], Node]]:
    for decl in f.root.named_children:
        name = decl.child_by_field_name("name")
        if name is None:
            continue
        if decl.type == "function_declaration":
            yield (None, syntax.text(name)), decl
        elif decl.type == "method_declaration":
            for t in parameter_types(decl, "receiver").values():
                base = base_type_name(t)
                if base:
                    yield (base, syntax.text(name)), decl


def receiver_name(method: Node) -> str | None:
    """The receiver's name of a method declaration (None when unnamed or `_`)."""
    names = [n for n in parameter_types(method, "receiver") if n != "_"]
    return names[0] if names else None


def parameter_names(func: Node) -> list[str | None]:
    """The names of a function's parameters in order, None for unnamed ones."""
    plist = func.child_by_field_name("parameters")
    out: list[str | None] = []
    for p in plist.named_children if plist is not None else ():
        names = p.children_by_field_name("name")
        out.extend([syntax.text(n) for n in names] if names else [None])
    return out


def fields_used(
    name: str,
    body: Node,
    type_name: str,
    funcs: Mapping[tuple[str | None, str], Node],
    depth: int = 0,
) -> frozenset[str] | None:
    """The fields of variable name (of struct type type_name) that body uses, following
    calls of type_name's methods on it and of package functions it is passed to.

    None when name is used in any other way (stored, passed elsewhere, converted):
    then what body does with the object cannot be told. Uses as an argument of a
    runtime function (runtime.SetFinalizer(x, nil), runtime.KeepAlive(x)) are ignored.
    """
    out: set[str] = set()
    for n in syntax.named_walk(body):
        if n.type != "identifier" or syntax.text(n) != name:
            continue
        parent = n.parent
        if parent is None or parent.type == "parameter_declaration":
            continue
        if parent.type == "selector_expression" and parent.child_by_field_name("operand") == n:
            field = syntax.text(parent.child_by_field_name("field") or parent)
            call = parent.parent
            called = call is not None and call.type == "call_expression"
            method = funcs.get((type_name, field)) if called else None
            if method is not None and call is not None:
                inner = _followed(method, receiver_name(method), type_name, funcs, depth)
                if inner is None:
                    return None
                out |= inner
            else:
                out.add(field)
            continue
        call = parent.parent if parent.type == "argument_list" else None
        fn = call.child_by_field_name("function") if call is not None else None
        if fn is None:
            return None
        if syntax.text(fn).startswith("runtime."):
            continue
        callee = funcs.get((None, syntax.text(fn))) if fn.type == "identifier" else None
        if callee is None:
            return None
        index = [c.id for c in parent.named_children].index(n.id)
        params = parameter_names(callee)
        inner = _followed(callee, params[index] if index < len(params) else None, type_name, funcs, depth)
        if inner is None:
            return None
        out |= inner
    return frozenset(out)


def _followed(
    func: Node, name: str | None, type_name: str, funcs: Mapping[tuple[str | None, str], Node], depth: int
) -> frozenset[str] | None:
    body = func.child_by_field_name("body")
    if name is None or body is None:
        return frozenset() if name is None and body is not None else None
    if depth >= 3:
        return None
    return fields_used(name, body, type_name, funcs, depth + 1)
