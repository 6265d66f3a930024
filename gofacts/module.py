"""The other packages of the module being scanned, read on demand: gofacts' module-wide half.

A rule sometimes needs a fact that another package of the same module holds: the
finalizer registered (in package glib) for a type that package gtk embeds, the
fields of `glib.Object`, the method a finalizer expression names. Module answers
those questions from the module's files on disk, as they are when the run reads
them, and only inside the module: an import path outside it is opaque, and
nothing is assumed about it.

Files are read when a question needs them: a byte scan for a needle reads the
module's .go files once (test files left out: other packages cannot see them), and a
package is parsed when a lookup reaches it. The Module of a run is kept in
PackageContext.shared, so the packages of one run share it, and a new run reads
the module afresh. Of the packages read, a process keeps only the KEEP most recently
asked for (across every module of the run), and none read by a module-wide scan, so
that its memory is bounded by a few packages, not by the size of the modules it sees.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from pathlib import Path

from codemod.context import FileContext, PackageContext, find_module
from codemod.discovery import module_files, path_order
from codemod.readfile import read_file

KEEP = 4
"""How many packages read from disk a process keeps parsed (most recently asked first)."""

_PACKAGES = "gofacts.module.packages"
"""The key of the packages a process keeps parsed, in PackageContext.shared."""

_MODULE_LINE = re.compile(rb"^module\s+\"?([^\s\"/]+(?:/[^\s\"]+)*)\"?", re.M)


class Module:
    """One Go module: its root directory, its path, and its packages by directory."""

    def __init__(self, root: Path, path: str, shared: dict) -> None:
        self.root = root
        self.path = path
        self._shared = shared
        self._needles: dict[tuple[bytes, bool], list[Path]] = {}

    @staticmethod
    def of(pkg: PackageContext) -> Module | None:
        """The module pkg belongs to (None without a go.mod), shared by the packages of one run."""
        root = pkg.module_root
        return Module.at(root, pkg.shared) if root is not None else None

    @staticmethod
    def at(root: Path, shared: dict) -> Module:
        """The module whose go.mod is in root, shared by the packages of one run (shared:
        PackageContext.shared)."""
        key = ("gofacts.module", root)
        found = shared.get(key)
        if found is None:
            found = shared[key] = Module(root, _module_path(root), shared)
        return found

    def files(self) -> list[Path]:
        """The module's non-test .go files, in path order (listed once per run and process;
        the Paths are made on each call, so that a process does not keep one per file of
        every module it has seen)."""
        return [p for p in module_files(self.root, self._shared) if not p.name.endswith("_test.go")]

    def files_with(self, *needles: bytes, tests: bool = False) -> list[Path]:
        """The module's non-test .go files (test files too, with tests) whose bytes contain one
        of needles, in path order. Each file is read once for all the needles of one call."""
        missing = [n for n in needles if (n, tests) not in self._needles]
        if missing:
            found: dict[bytes, list[Path]] = {n: [] for n in missing}
            files = module_files(self.root, self._shared) if tests else self.files()
            for path in files:
                try:
                    data = read_file(path)
                except OSError:
                    continue
                for n in missing:
                    if n in data:
                        found[n].append(path)
            self._needles.update(((n, tests), paths) for n, paths in found.items())
        if len(needles) == 1:
            return self._needles[(needles[0], tests)]
        held = {p for n in needles for p in self._needles[(n, tests)]}
        return sorted(held, key=path_order)

    def import_path(self, directory: Path) -> str:
        """The import path of the package in directory, a directory of this module."""
        relative = directory.relative_to(self.root).as_posix()
        return self.path if relative == "." else f"{self.path}/{relative}"

    def directory_of(self, import_path: str) -> Path | None:
        """The directory of a package of this module, by import path (None outside the module)."""
        if import_path == self.path:
            return self.root
        if not self.path or not import_path.startswith(self.path + "/"):
            return None
        directory = self.root.joinpath(*import_path[len(self.path) + 1 :].split("/"))
        if not directory.is_dir() or find_module(directory)[0] != self.root:
            return None
        return directory

    def package(
        self, directory: Path, current: PackageContext | None = None, keep: bool = True
    ) -> PackageContext | None:
        """The importable package in directory (its non-test files, read-only), or current
        when it is the package of that directory (so its trees are shared). keep=False: a
        package asked for once (a module-wide scan), not kept unless it already was."""
        if current is not None and current.directory == directory and not current.name.endswith("_test"):
            return current
        kept: OrderedDict[Path, PackageContext | None] = self._shared.setdefault(_PACKAGES, OrderedDict())
        if directory in kept:
            kept.move_to_end(directory)
            return kept[directory]
        if not keep:
            return self._read(directory)
        found = kept[directory] = self._read(directory)
        while len(kept) > KEEP:
            kept.popitem(last=False)
        return found

    def package_of_import(
        self, f: FileContext, qualifier: str, current: PackageContext
    ) -> PackageContext | None:
        """The package of this module that f imports under qualifier (None: not imported, or
        outside the module)."""
        for name, path, _ in f.import_specs:
            if name in ("_", "."):
                continue
            if (name or path.rsplit("/", 1)[-1]) == qualifier:
                directory = self.directory_of(path)
                return self.package(directory, current) if directory is not None else None
        return None

    @staticmethod
    def source_files(directory: Path) -> list[Path]:
        """The files a package of the module is read from: the regular, non-test .go files of
        directory (symbolic links left out), in path order."""
        return [
            p
            for p in sorted(directory.glob("*.go"))
            if not p.name.endswith("_test.go") and p.is_file() and not p.is_symlink()
        ]

    def _read(self, directory: Path) -> PackageContext | None:
        sources: list[FileContext] = []
        for path in self.source_files(directory):
            try:
                sources.append(FileContext(path, path.read_bytes(), editable=False))
            except OSError:
                continue
        names = sorted({f.package_name for f in sources if f.package_name})
        name = next((n for n in names if n != "main"), names[0] if names else "")
        if not name:
            return None
        _, version = find_module(directory)
        files = [f for f in sources if f.package_name == name]
        return PackageContext(directory, name, files, version, self.root, shared=self._shared)


def _module_path(root: Path) -> str:
    """The module path of the go.mod at root ("" when it has none)."""
    try:
        m = _MODULE_LINE.search((root / "go.mod").read_bytes())
    except OSError:
        return ""
    return m.group(1).decode("utf-8", "replace") if m else ""
