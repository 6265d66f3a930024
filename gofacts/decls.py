"""The package-level declarations of one Go package, looked up by name, on demand.

One table per package (Declarations.of(pkg)) answers every rule's question
"what does the package declare under this name?" for four kinds: top-level
functions ("func", keyed by name), methods ("method", keyed by (receiver base
type name, method name)), package variables ("var") and types ("type").

A lookup parses only the files that may declare the name: the files holding
its bytes whose bytes may declare it (gofacts.declbytes); files already parsed
are simply read. Iterating a table parses the whole package. Files with
syntax errors are skipped, as PackageContext.files skips them.

Which declaration wins. When several declarations share a key (a function
declared in foo_linux.go and foo_windows.go, under exclusive build
constraints), lookups answer with the first one in the package's file order
(files sorted by path), and within a file the first in source order. Rules
that must see every build-tagged variant (a goroutine may run either) ask
variants(), which lists them all in that order.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext, PackageContext
from gofacts import scope
from gofacts.declbytes import DeclBytes
from gofacts.signatures import receiver_type_name


@dataclass(frozen=True, eq=False)
class TypeDecl:
    """A type declared at package level.

    Attributes:
        name: the type's name.
        spec: the type_spec (a defined type) or type_alias node.
        type_node: its type expression (struct_type, map_type, a type name, ...).
        file: the file declaring it.
        generic: whether it has type parameters.
    """

    name: str
    spec: Node
    type_node: Node
    file: FileContext
    generic: bool

    @property
    def is_alias(self) -> bool:
        return self.spec.type == "type_alias"


Decl = tuple[Node, FileContext]
"""A declaration node (function_declaration, method_declaration or var_spec) and its file."""


def _entries(f: FileContext) -> Iterator[tuple[str, object, object]]:
    """(kind, key, value) for every package-level declaration of a parsed file, in source order."""
    for decl in f.root.named_children:
        if decl.type == "type_declaration":
            for spec in decl.named_children:
                name, typ = spec.child_by_field_name("name"), spec.child_by_field_name("type")
                if spec.type in ("type_spec", "type_alias") and name is not None and typ is not None:
                    generic = spec.child_by_field_name("type_parameters") is not None
                    text = syntax.text(name)
                    yield "type", text, TypeDecl(text, spec, typ, f, generic)
        elif decl.type == "var_declaration":
            for spec in syntax.named_walk(decl, prune=frozenset({"func_literal", "var_spec"})):
                if spec.type == "var_spec":
                    for n in spec.children_by_field_name("name"):
                        yield "var", syntax.text(n), (spec, f)
        elif decl.type == "function_declaration":
            name = decl.child_by_field_name("name")
            if name is not None:
                yield "func", syntax.text(name), (decl, f)
        elif decl.type == "method_declaration":
            name = decl.child_by_field_name("name")
            recv = receiver_type_name(decl)
            if name is not None and recv:
                yield "method", (recv, syntax.text(name)), (decl, f)


_SPELLED = ("func", "method")
"""The kinds whose declarations only a declaration spells (DeclBytes.names is exact enough to
index every file of a package by them, in one read)."""


def _name_of(key: object) -> bytes:
    """The bytes a file declaring key must hold: the name (a method's own name)."""
    return (key[1] if isinstance(key, tuple) else str(key)).encode()


class Declarations:
    """The package-level declarations of one package, by kind and key (see the module doc)."""

    def __init__(self, pkg: PackageContext) -> None:
        self.pkg = pkg
        self._files: dict[int, dict[str, dict[object, list[object]]]] = {}
        self._bytes: dict[int, DeclBytes] = {}
        self._variants: dict[tuple[str, object], list[object]] = {}
        self._blob: bytes | None = None
        self._starts: list[int] = []
        self._named: dict[str, dict[bytes, list[int]]] = {}
        self._methods: dict[int, dict[str, list[Decl]]] = {}
        self._unparsed = list(range(len(pkg.sources)))
        self._parsed_index: dict[str, dict[str, set[int]]] = {k: {} for k in _SPELLED}
        self.types: Mapping[str, TypeDecl] = _Table(self, "type")
        self.vars: Mapping[str, Decl] = _Table(self, "var")
        self.funcs: Mapping[str, Decl] = _Table(self, "func")
        self.methods: Mapping[tuple[str, str], Decl] = _Table(self, "method")
        self.type_nodes: Mapping[str, Node] = _View(self.types, lambda d: d.type_node)
        """Type name -> the type expression it is declared as (struct_type, map_type, ...)."""
        self.callables: Mapping[tuple[str | None, str], Node] = _Callables(self)
        """(receiver base type, method) -> method_declaration, (None, name) -> function_declaration."""

    @staticmethod
    def of(pkg: PackageContext) -> Declarations:
        """The table of pkg, built once per package and shared by every rule."""
        return pkg.derived("gofacts.decls", lambda: Declarations(pkg))

    def get(self, kind: str, key: object) -> Any:
        """The winning declaration of key among kind, or None."""
        found = self.variants(kind, key)
        return found[0] if found else None

    def variants(self, kind: str, key: object) -> list[Any]:
        """Every declaration of key among kind, in package file order then source order."""
        found = self._variants.get((kind, key))
        if found is None:
            found = self._variants[(kind, key)] = self._find(kind, key)
        return found

    def may_declare(self, kind: str, name: str) -> bool:
        """False when no file of the package may declare name as kind (bytes only, no parse)."""
        needle = name.encode()
        if kind in _SPELLED:
            return needle in self._spelled(kind)
        return any(self._declbytes(i).may_declare(kind, needle) for i in self._holding(needle))

    def called_by_name(self, fn: Node) -> list[Decl]:
        """What a call's function expression may run, by name alone: the package function `f`
        names (when no enclosing function declares f), or every method of the name `x.m`
        selects, whatever x is (an imported package's function included, so the answer
        over-approximates)."""
        fn = syntax.unparen(fn)
        if fn.type == "identifier":
            found = self.get("func", syntax.text(fn)) if scope.declaration_of(fn) is None else None
            return [found] if found is not None else []
        field = fn.child_by_field_name("field") if fn.type == "selector_expression" else None
        return self.methods_named(syntax.text(field)) if field is not None else []

    def methods_named(self, name: str) -> list[Decl]:
        """Every method called name, whatever its receiver, in package order."""
        out: list[Decl] = []
        for i in self._candidates("method", name.encode()):
            f = self.pkg.sources[i]
            if not f.broken:
                out.extend(self._file_methods(i, f).get(name, ()))
        return out

    def every(self, kind: str) -> Iterator[tuple[object, Any]]:
        """(key, winning declaration) for every key of kind, parsing the whole package."""
        first: dict[object, object] = {}
        for i, f in enumerate(self.pkg.sources):
            if f.broken:
                continue
            for key, values in self._file_entries(i, f).get(kind, {}).items():
                first.setdefault(key, values[0])
        return iter(first.items())

    def _find(self, kind: str, key: object) -> list[object]:
        needle = _name_of(key)
        out: list[object] = []
        if kind in _SPELLED:
            for i in self._candidates(kind, needle):
                f = self.pkg.sources[i]
                if not f.broken:
                    out.extend(self._file_entries(i, f).get(kind, {}).get(key, ()))
            return out
        for i in self._holding(needle):
            f = self.pkg.sources[i]
            if not (f.parsed or self._declbytes(i).may_declare(kind, needle)) or f.broken:
                continue
            out.extend(self._file_entries(i, f).get(kind, {}).get(key, ()))
        return out

    def _spelled(self, kind: str) -> dict[bytes, list[int]]:
        """Name -> the indexes of the files whose bytes may declare it as kind ("func" or
        "method", which only a declaration spells: DeclBytes.names), read once per package."""
        found = self._named.get(kind)
        if found is None:
            found = self._named[kind] = {}
            for i in range(len(self.pkg.sources)):
                for name in self._declbytes(i).names(kind):
                    found.setdefault(name, []).append(i)
        return found

    def _candidates(self, kind: str, needle: bytes) -> list[int]:
        """The indexes, in order, of the files that may declare needle as kind ("func" or
        "method"): those whose bytes spell such a declaration, and the parsed files whose
        declarations (at hand) include it."""
        named = self._spelled(kind).get(needle, [])
        extra = [i for i in self._parsed_declaring(kind, needle.decode()) if i not in named]
        return sorted(named + extra) if extra else named

    def _parsed_declaring(self, kind: str, name: str) -> set[int]:
        """The parsed files that declare name as kind ("func" or "method"), from their
        declarations; files parsed since the last call are indexed first."""
        sources = self.pkg.sources
        newly = [i for i in self._unparsed if sources[i].parsed]
        if newly:
            self._unparsed = [i for i in self._unparsed if not sources[i].parsed]
            for i in newly:
                for k in _SPELLED:
                    for declared in self._file_names(i, sources[i], k):
                        self._parsed_index[k].setdefault(declared, set()).add(i)
        return self._parsed_index[kind].get(name, set())

    def _holding(self, needle: bytes) -> Iterator[int]:
        """The indexes of the files whose bytes contain needle (which holds no NUL), in order."""
        if not needle:
            return
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

    def _declbytes(self, i: int) -> DeclBytes:
        found = self._bytes.get(i)
        if found is None:
            found = self._bytes[i] = DeclBytes(self.pkg.sources[i].content)
        return found

    def _file_names(self, i: int, f: FileContext, kind: str) -> Mapping[str, object]:
        """The names the parsed file i declares as kind "func" or "method" (methods by their
        own name), as keys."""
        if kind == "method":
            return self._file_methods(i, f)
        return self._file_entries(i, f).get(kind, {})  # type: ignore[return-value]

    def _file_methods(self, i: int, f: FileContext) -> dict[str, list[Decl]]:
        """The methods file i declares, by method name, each list in source order."""
        found = self._methods.get(i)
        if found is None:
            found = self._methods[i] = {}
            for (_, method), values in self._file_entries(i, f).get("method", {}).items():
                found.setdefault(method, []).extend(values)  # type: ignore[arg-type]
            for values in found.values():
                values.sort(key=lambda d: d[0].start_byte)
        return found

    def _file_entries(self, i: int, f: FileContext) -> dict[str, dict[object, list[object]]]:
        entries = self._files.get(i)
        if entries is None:
            entries = self._files[i] = {}
            for kind, key, value in _entries(f):
                entries.setdefault(kind, {}).setdefault(key, []).append(value)
        return entries


class _Table(Mapping[Any, Any]):
    """One kind of Declarations as a mapping: lookups by key, iteration over the whole package."""

    def __init__(self, decls: Declarations, kind: str) -> None:
        self._decls, self._kind = decls, kind

    def __getitem__(self, key: object) -> Any:
        found = self._decls.variants(self._kind, key)
        if not found:
            raise KeyError(key)
        return found[0]

    def __contains__(self, key: object) -> bool:
        return bool(self._decls.variants(self._kind, key))

    def __iter__(self) -> Iterator[Any]:
        return (key for key, _ in self._decls.every(self._kind))

    def __len__(self) -> int:
        return sum(1 for _ in self._decls.every(self._kind))


class _View(Mapping[Any, Any]):
    """A mapping's values seen through a function."""

    def __init__(self, base: Mapping[Any, Any], see: Any) -> None:
        self._base, self._see = base, see

    def __getitem__(self, key: object) -> Any:
        return self._see(self._base[key])

    def __contains__(self, key: object) -> bool:
        return key in self._base

    def __iter__(self) -> Iterator[Any]:
        return iter(self._base)

    def __len__(self) -> int:
        return len(self._base)


class _Callables(Mapping[Any, Any]):
    """Functions keyed (None, name) and methods keyed (receiver base type, name): their nodes."""

    def __init__(self, decls: Declarations) -> None:
        self._decls = decls

    def __getitem__(self, key: tuple[str | None, str]) -> Node:
        receiver, name = key
        found = self._decls.get("func", name) if receiver is None else self._decls.get("method", key)
        if found is None:
            raise KeyError(key)
        return found[0]

    def __contains__(self, key: object) -> bool:
        try:
            self[key]  # type: ignore[index]
        except KeyError:
            return False
        return True

    def __iter__(self) -> Iterator[Any]:
        yield from ((None, name) for name, _ in self._decls.every("func"))
        yield from (key for key, _ in self._decls.every("method"))

    def __len__(self) -> int:
        return sum(1 for _ in self)
