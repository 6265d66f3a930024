"""Whether a mutex is held at a point of a function, as the safemap transform asks it.

Lock shapes are recognised in one place, transforms.locking (shared with
deepcopy): `mu.Lock(); defer mu.Unlock()`, explicit Lock ... Unlock regions,
embedded mutexes (`s.Lock()`), RLock. This adapter adds one convention of
Go code that a per-function view cannot see: a function or method whose
name ends in "Locked" or "locked" runs with its caller's lock held.
"""

from __future__ import annotations

from tree_sitter import Node

from codemod import syntax
from transforms import locking


def held_at(node: Node) -> bool:
    """Report whether some mutex is held where node is evaluated (see the module doc)."""
    if locking.held_at(node):
        return True
    func = syntax.enclosing_function(node)
    name = func.child_by_field_name("name") if func is not None else None
    return name is not None and syntax.text(name).endswith(("Locked", "locked"))
