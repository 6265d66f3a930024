"""Package-level declarations indexed by name, one file at a time, on demand.

A type resolver asks for a handful of names (the type of `c`, the method
`m` of `T`), while indexing every declaration of a package means parsing
every file. A file can declare a name only if it contains the name's bytes,
so a lookup parses and indexes just the files holding those bytes; asking
for the whole table (iterating it) indexes everything. Answers are those of
a full index: when several files declare a name (build-tagged variants),
the first file in the package's order wins.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from typing import Generic, TypeVar

from codemod.context import FileContext, PackageContext

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

Entries = Iterable[tuple[str, Hashable, object]]
"""What indexing one file gives: (table name, key, value) triples."""


class DeclIndex:
    """Tables of a package's declarations, filled file by file as lookups need them.

    extract(file) yields (table, key, value) for every declaration of a parsed
    file; needle(key) gives the bytes a file declaring key must contain.
    Files with syntax errors are skipped, as PackageContext.files skips them.
    """

    def __init__(
        self,
        pkg: PackageContext,
        extract: Callable[[FileContext], Entries],
        needle: Callable[[Hashable], bytes],
    ) -> None:
        self._pkg = pkg
        self._extract = extract
        self._needle = needle
        self._done: set[int] = set()
        self._scanned: set[bytes] = set()
        self._tables: dict[str, dict[Hashable, list[tuple[int, object]]]] = {}

    def table(self, name: str) -> Mapping:
        """The table called name, as a read-only mapping."""
        return _Table(self, self._tables.setdefault(name, {}))

    def scan(self, needle: bytes) -> None:
        """Index every file not yet indexed that contains needle (b"": every file)."""
        if needle in self._scanned or b"" in self._scanned:
            return
        self._scanned.add(needle)
        for i, f in enumerate(self._pkg.sources):
            if i in self._done or needle not in f.content:
                continue
            self._done.add(i)
            if f.broken:
                continue
            for table, key, value in self._extract(f):
                self._tables.setdefault(table, {}).setdefault(key, []).append((i, value))


class _Table(Mapping[K, V], Generic[K, V]):
    def __init__(self, index: DeclIndex, entries: dict[K, list[tuple[int, V]]]) -> None:
        self._index = index
        self._entries = entries

    def __getitem__(self, key: K) -> V:
        self._index.scan(self._index._needle(key))
        found = self._entries.get(key)
        if not found:
            raise KeyError(key)
        return min(found, key=lambda e: e[0])[1]

    def __iter__(self) -> Iterator[K]:
        self._index.scan(b"")
        return iter(list(self._entries))

    def __len__(self) -> int:
        self._index.scan(b"")
        return len(self._entries)
