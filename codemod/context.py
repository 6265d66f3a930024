"""What a transform sees: one parsed Go file, and the package it belongs to.

A PackageContext groups the files of one directory that share a package
clause (so `p` and `p_test` are two packages), together with the language
version from the nearest go.mod. Transforms are pure functions of a
PackageContext: they read it and return findings, never mutate it.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from tree_sitter import Node, Tree

from codemod import syntax
from codemod.gobytes import blanked, may_import_c
from codemod.gomod import GoVersion
from codemod.gomod import find_module as find_module  # re-exported: codemod.gomod holds it
from codemod.model import Edit, Span

T = TypeVar("T")

_BUILD_LINE = re.compile(rb"^//go:build (.+?)\s*$", re.M)
_PACKAGE = re.compile(rb"package[ \t]+([^\s;/(){}]+)")


@dataclass
class FileContext:
    """One Go source file: its bytes, syntax tree and position helpers.

    Attributes:
        path: absolute path of the file.
        content: the bytes as read from disk (or as produced by an earlier pass).
        editable: False for files that are read only for context (generated
            files, files outside the requested paths); no finding is reported
            in them and no fix may edit them.
    """

    path: Path
    content: bytes
    editable: bool = True
    _tree: Tree | None = field(default=None, repr=False)

    @property
    def tree(self) -> Tree:
        if self._tree is None:
            self._tree = syntax.parse(self.content)
        return self._tree

    @property
    def root(self) -> Node:
        return self.tree.root_node

    @property
    def parsed(self) -> bool:
        """Whether the file has been parsed yet (files are parsed on first use)."""
        return self._tree is not None

    @functools.cached_property
    def broken(self) -> bool:
        """Whether the file has syntax errors (parses it)."""
        return self.root.has_error

    @functools.cached_property
    def line_starts(self) -> list[int]:
        starts = [0]
        starts.extend(m.end() for m in re.finditer(b"\n", self.content))
        return starts

    @functools.cached_property
    def newline(self) -> bytes:
        """The file's line ending: CRLF when most lines end so, else LF."""
        crlf = self.content.count(b"\r\n")
        return b"\r\n" if crlf and crlf * 2 >= self.content.count(b"\n") else b"\n"

    @property
    def is_test(self) -> bool:
        return self.path.name.endswith("_test.go")

    @functools.cached_property
    def code(self) -> bytes:
        """The bytes blanked of comments and literals (gobytes.blanked), made once per file."""
        return blanked(self.content)

    @functools.cached_property
    def package_name(self) -> str:
        """The name in the package clause, read from the bytes without parsing ("" if none)."""
        return package_clause(self.content)

    @functools.cached_property
    def build_constraint(self) -> str | None:
        """The //go:build expression before the package clause, if any."""
        package = next((c for c in self.root.named_children if c.type == "package_clause"), None)
        head = self.content[: package.start_byte] if package is not None else b""
        m = _BUILD_LINE.search(head)
        return m.group(1).decode() if m else None

    @functools.cached_property
    def import_specs(self) -> list[tuple[str | None, str, Node]]:
        """(explicit name or None, import path, import_spec node) for every import."""
        out: list[tuple[str | None, str, Node]] = []
        for decl in self.root.named_children:
            if decl.type != "import_declaration":
                continue
            for spec in syntax.named_walk(decl):
                if spec.type != "import_spec":
                    continue
                path_node = spec.child_by_field_name("path")
                name_node = spec.child_by_field_name("name")
                value = syntax.string_value(path_node) if path_node is not None else None
                if value is None:
                    continue
                out.append((syntax.text(name_node) if name_node is not None else None, value, spec))
        return out

    def import_name(self, import_path: str) -> str | None:
        """The identifier under which import_path is usable in this file ("" for a dot import)."""
        for name, path, _ in self.import_specs:
            if path != import_path or name == "_":
                continue
            if name == ".":
                return ""
            return name or import_path.rsplit("/", 1)[-1]
        return None

    @functools.cached_property
    def imported_names(self) -> set[str]:
        """Identifiers that name imported packages in this file."""
        names = set()
        for name, path, _ in self.import_specs:
            if name in ("_", "."):
                continue
            names.add(name or path.rsplit("/", 1)[-1])
        return names

    @property
    def is_cgo(self) -> bool:
        return any(path == "C" for _, path, _ in self.import_specs)

    @functools.cached_property
    def may_import_c(self) -> bool:
        """gobytes.may_import_c of the bytes, read once per file (several rules ask)."""
        return may_import_c(self.content)

    # -- positions -----------------------------------------------------------

    def line_index(self, offset: int) -> int:
        """0-based line number of a byte offset."""
        return bisect.bisect_right(self.line_starts, offset) - 1

    def line_start(self, offset: int) -> int:
        return self.line_starts[self.line_index(offset)]

    def line_end(self, offset: int) -> int:
        """Offset of the line terminator (\\r\\n or \\n) ending offset's line, or EOF."""
        nl = self.content.find(b"\n", offset)
        if nl < 0:
            return len(self.content)
        return nl - 1 if nl > 0 and self.content[nl - 1 : nl] == b"\r" else nl

    def indent(self, offset: int) -> bytes:
        """The leading whitespace of offset's line."""
        start = self.line_start(offset)
        end = start
        while end < len(self.content) and self.content[end] in b" \t":
            end += 1
        return self.content[start:end]

    def span(self, start: int, end: int) -> Span:
        line = self.line_index(start)
        end_line = self.line_index(end)
        return Span(
            line + 1,
            start - self.line_starts[line] + 1,
            end_line + 1,
            end - self.line_starts[end_line] + 1,
        )

    def text(self, node: Node) -> str:
        return syntax.text(node)

    def leaves_spelled(self, name: str) -> list[Node]:
        """The leaves of the tree whose text is name, in source order: found from the bytes,
        each occurrence asked of the tree (so one inside a comment or string is no leaf)."""
        needle = name.encode()
        if not needle:
            return []
        out = []
        at = self.content.find(needle)
        while at >= 0:
            end = at + len(needle)
            node = self.root.descendant_for_byte_range(at, end)
            if node is not None and node.start_byte == at and node.end_byte == end and node.child_count == 0:
                out.append(node)
            at = self.content.find(needle, at + 1)
        return out

    def edit(self, start: int, end: int, text: str | bytes) -> Edit:
        data = text.encode() if isinstance(text, str) else text
        return Edit(self.path, start, end, data)

    def lines(self, text: str, indent: bytes) -> bytes:
        """Render text (lines joined by \\n) with the given indent and this file's newline."""
        out = []
        for line in text.split("\n"):
            out.append(indent + line.encode() if line else b"")
        return self.newline.join(out)


@dataclass
class PackageContext:
    """All files of one Go package (one directory, one package clause).

    Files are parsed on first use, so a transform pays only for the files it
    touches: it should narrow by bytes first (files_with, cgo_files) and reach for
    files, broken or top_level_names, which parse every file, only when it
    needs the whole package (to see every use of a name before a rewrite).

    Attributes:
        directory: the package directory.
        name: the package clause shared by the files.
        sources: every file of the package, sorted by path, parsed or not, with
            or without syntax errors; some may be read-only context.
        go_version: the `go` line of the nearest go.mod as (major, minor); (1, 16)
            when go.mod has no go line; None when no go.mod was found.
        module_root: the directory holding that go.mod.
        unreadable: files of the directory that could not be read; they may
            belong to the package, so they count as broken.
        options: per-transform options from .gomapfix.toml, by transform name
            ({"deepcopy": {"helper-file": "clone.go"}}); read them with option().
        shared: what the packages of one run share in one process (the semantic layer
            keeps its module-wide index there: the other packages of the module, read
            from disk as they are). Empty for a package analysed on its own.
    """

    directory: Path
    name: str
    sources: list[FileContext]
    go_version: GoVersion | None = None
    module_root: Path | None = None
    unreadable: list[Path] = field(default_factory=list)
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    shared: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _derived: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def derived(self, key: str, build: Callable[[], T]) -> T:
        """What build() computes from this package, computed once: indexes that several
        transforms (or several calls of one) share, kept with the package they describe."""
        if key not in self._derived:
            self._derived[key] = build()
        return self._derived[key]

    @functools.cached_property
    def files(self) -> list[FileContext]:
        """The files that parse without syntax errors (parses every file)."""
        return [f for f in self.sources if not f.broken]

    @functools.cached_property
    def broken(self) -> list[Path]:
        """Files that could not be read or parsed (parses every file); package-wide
        transforms must not assume they have seen every use of a name."""
        return [f.path for f in self.sources if f.broken] + list(self.unreadable)

    def files_with(self, *needles: bytes) -> list[FileContext]:
        """The files that parse and contain at least one of needles, parsing only those."""
        return [f for f in self.sources if any(n in f.content for n in needles) and not f.broken]

    def cgo_files(self) -> list[FileContext]:
        """The files that parse and import "C", parsing only those whose bytes may."""
        return [f for f in self.sources if f.may_import_c and not f.broken and f.is_cgo]

    def option(self, transform: str, key: str, default: Any = None) -> Any:
        """The value of option key of transform (a [transforms.NAME] key), or default.

        The keys a transform accepts are declared in codemod.catalogue and
        validated when the configuration is loaded.
        """
        return self.options.get(transform, {}).get(key, default)

    def editable_files(self) -> Iterator[FileContext]:
        return (f for f in self.files if f.editable)

    def file(self, path: Path) -> FileContext | None:
        for f in self.files:
            if f.path == path:
                return f
        return None

    def at_least(self, major: int, minor: int) -> bool:
        """True when go.mod's language version is known to be at least major.minor."""
        return self.go_version is not None and self.go_version >= (major, minor)

    @functools.cached_property
    def top_level_names(self) -> set[str]:
        """Identifiers declared at package level in any file of the package."""
        names: set[str] = set()
        for f in self.files:
            for decl in f.root.named_children:
                names.update(declared_names(decl))
        return names

    def identifier_used(self, name: str) -> bool:
        """True if name appears as an identifier anywhere in the package, except as a
        package qualifier (the operand of a selector naming an import)."""
        return self.derived(f"identifier_used:{name}", lambda: self._identifier_used(name))

    def _identifier_used(self, name: str) -> bool:
        needle = name.encode()
        for f in self.files:
            if needle not in f.content:
                continue
            for n in syntax.walk(f.root):
                if n.type not in ("identifier", "type_identifier", "package_identifier"):
                    continue
                if n.text != needle:
                    continue
                parent = n.parent
                if (
                    n.type == "identifier"
                    and parent is not None
                    and parent.type == "selector_expression"
                    and parent.child_by_field_name("operand") == n
                    and name in f.imported_names
                ):
                    continue
                if parent is not None and parent.type == "import_spec":
                    continue
                if n.type == "package_identifier" and parent is not None and parent.type == "package_clause":
                    continue
                return True
        return False


def package_clause(content: bytes) -> str:
    """The package name of Go source, read after the comments that may precede the clause."""
    i = 3 if content.startswith(b"\xef\xbb\xbf") else 0
    n = len(content)
    while i < n:
        if content[i] in b" \t\r\n\f":
            i += 1
        elif content.startswith(b"//", i):
            j = content.find(b"\n", i)
            i = n if j < 0 else j + 1
        elif content.startswith(b"/*", i):
            j = content.find(b"*/", i + 2)
            if j < 0:
                return ""
            i = j + 2
        else:
            break
    m = _PACKAGE.match(content, i)
    return m.group(1).decode("utf-8", "replace") if m else ""


def declared_names(decl: Node) -> list[str]:
    """Names declared by one top-level declaration node."""
    out: list[str] = []
    if decl.type in ("function_declaration",):
        name = decl.child_by_field_name("name")
        if name is not None:
            out.append(syntax.text(name))
    elif decl.type in ("var_declaration", "const_declaration", "type_declaration"):
        for spec in syntax.named_walk(
            decl, prune=frozenset({"struct_type", "interface_type", "func_literal"})
        ):
            if spec.type in ("var_spec", "const_spec"):
                out.extend(syntax.text(n) for n in spec.children_by_field_name("name"))
            elif spec.type in ("type_spec", "type_alias"):
                name = spec.child_by_field_name("name")
                if name is not None:
                    out.append(syntax.text(name))
    return out
