"""Writes made only while the package initialises: no goroutine of the program can race them.

`func init() { Register("x", ...) }` with `func Register(...) { mu.Lock(); catalog[id] = r }`
fills a registry before main starts; a getter handing that map out later races with no
writer. A write counts as initialisation-only when the function holding it is `init`, or a
package function every call of which is made from such a function (followed up to
MAX_DEPTH levels), never used as a value, and, when exported, named by no other package of
the module that imports this one (gofacts.module; other modules cannot be seen, and an
exported function of a library may be called by them at any time: the module's own
packages are what gomapfix can vouch for). Test files do not count as callers.
"""

from __future__ import annotations

from tree_sitter import Node

from codemod import syntax
from codemod.context import PackageContext
from gofacts import scope
from gofacts.module import Module

MAX_DEPTH = 3


class InitOnly:
    """Tells whether a write statement runs only during package initialisation (see the module doc)."""

    def __init__(self, pkg: PackageContext) -> None:
        self.pkg = pkg
        self._verdicts: dict[tuple[str, int], bool] = {}

    def __call__(self, write: Node) -> bool:
        func = syntax.enclosing_function(write)
        return func is not None and self._only_from_init(func, 0)

    def _only_from_init(self, func: Node, depth: int) -> bool:
        if func.type != "function_declaration":
            return False  # a literal or a method: may be called through a value
        name = syntax.text(func.child_by_field_name("name") or func)
        if name == "init":
            return True
        key = (name, depth)
        if key not in self._verdicts:
            self._verdicts[key] = depth < MAX_DEPTH and self._callers_init_only(func, name, depth)
        return self._verdicts[key]

    def _callers_init_only(self, func: Node, name: str, depth: int) -> bool:
        callers = []
        needle = name.encode()
        # Files are parsed one at a time, as the loop reaches them: a reference that rules the
        # function out ends the search before the files after it are parsed.
        for f in self.pkg.sources:
            if needle not in f.content or f.is_test or f.broken:
                continue
            for ident in f.leaves_spelled(name):
                if ident.type != "identifier" or ident == func.child_by_field_name("name"):
                    continue
                if scope.declaration_of(ident) is not None:
                    continue  # a local of that name
                call = ident.parent
                if call is None or call.type != "call_expression":
                    return False  # a function value: it may run at any time
                if call.child_by_field_name("function") != ident:
                    return False
                caller = syntax.enclosing_function(call)
                if caller is None:
                    return False
                callers.append(caller)
        if not callers or not all(self._only_from_init(c, depth + 1) for c in callers):
            return False
        return not name[:1].isupper() or not self._named_elsewhere(name)

    def _named_elsewhere(self, name: str) -> bool:
        """Whether a file of another package of the module imports this package and names name
        (the module is scanned once per package for its importers, not once per name)."""
        module = Module.of(self.pkg)
        if module is None or not module.path:
            return True
        needle = f"{name}(".encode()
        for path in module.files_with(f'"{module.import_path(self.pkg.directory)}"'.encode()):
            if path.parent == self.pkg.directory:
                continue
            try:
                if needle in path.read_bytes():
                    return True
            except OSError:
                return True
        return False
