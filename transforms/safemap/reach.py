"""Which goroutines run a function: its callers followed up the package's call graph.

A use of a map outside every goroutine region may still run only in goroutines the package
starts: `func (a *agg) count() int { return len(a.dirs) }` called only from methods a
goroutine runs. reached_only_from walks the callers of the function holding the use,
and their callers, until each path ends in a goroutine region; the roots of those regions
are the goroutines that run the use. Recursion adds no entry point (a cycle is entered
only from outside it), and a function handed on as a value (`Subscribe(topic, onRebalance)`,
`x.handler = s.handle`) counts as run by the goroutines of the regions it is handed on in,
and as run anywhere when it is handed on elsewhere.

The answer is empty, meaning "any goroutine may run it", when some path leaves the
package's sight: an exported function (other packages may call it), a function literal
that is not itself a region, a function with no caller at all, or a walk longer than
MAX_FUNCTIONS functions.
"""

from __future__ import annotations

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext, PackageContext
from gofacts import scope
from gofacts.goroutines import Regions
from transforms.safemap.locks import LockView

MAX_FUNCTIONS = 40


"""How many functions a walk up the callers may visit before it gives up (empty answer)."""


Root = tuple[str, int]


def reached_only_from(node: Node, regions: Regions, locks: LockView, production: bool) -> set[Root]:
    """The go statements whose goroutines are the only ones that run node (see the module
    doc); empty when some other goroutine may run it. With production, calls and references
    in test files are left out."""
    start = syntax.enclosing_function(node)
    if start is None:
        return set()
    roots: set[Root] = set()
    seen = {_key(start)}
    todo = [start]
    while todo:
        func = todo.pop()
        name = func.child_by_field_name("name")
        if func.type == "func_literal" or name is None or syntax.text(name)[:1].isupper():
            return set()
        sites = [(f, c) for f, c in locks.callers(func) if not (production and f.is_test)]
        sites += handed_on(func, locks.pkg, production)
        if not sites:
            return set()
        for f, site in sites:
            containing = regions.containing(f, site)
            if containing:
                roots |= set().union(*(r.roots for r in containing))
                continue
            caller = syntax.enclosing_function(site)
            if caller is None:
                return set()
            if _key(caller) not in seen:
                if len(seen) >= MAX_FUNCTIONS:
                    return set()
                seen.add(_key(caller))
                todo.append(caller)
    return roots


def _key(func: Node) -> tuple[int, int, int]:
    return (func.start_byte, func.end_byte, hash(func.text))


def handed_on(func: Node, pkg: PackageContext, production: bool) -> list[tuple[FileContext, Node]]:
    """The places that name func (a function or method declaration) without calling it: `f`
    for a function, `x.m` or `(*T).m` for a method (any receiver: a value of another type
    naming m counts too)."""
    name_node = func.child_by_field_name("name")
    if name_node is None:
        return []
    name = syntax.text(name_node)
    method = func.type == "method_declaration"
    out = []
    for f in pkg.files_with(name.encode()):
        if production and f.is_test:
            continue
        for ref in _references(f, name, method):
            if _called(ref):
                continue
            if not method and (ref == func.child_by_field_name("name") or _local(ref)):
                continue
            out.append((f, ref))
    return out


def _references(f: FileContext, name: str, method: bool) -> list[Node]:
    if method:
        query = f'((selector_expression field: (field_identifier) @n) @s (#eq? @n "{name}"))'
        return syntax.captures(query, f.root).get("s", [])
    query = f'((identifier) @n (#eq? @n "{name}"))'
    return [n for n in syntax.captures(query, f.root).get("n", []) if _is_value(n)]


def _is_value(ident: Node) -> bool:
    """An identifier in an expression (not a declared name, a label or a key of a literal)."""
    parent = ident.parent
    if parent is None:
        return False
    if parent.type in ("function_declaration", "labeled_statement", "break_statement", "continue_statement"):
        return False
    keyed = parent.parent
    is_key = keyed is not None and keyed.type == "keyed_element" and keyed.named_children[0] == parent
    return not (parent.type == "literal_element" and is_key)


def _called(ref: Node) -> bool:
    parent = ref.parent
    if parent is None or parent.type != "call_expression":
        return False
    return parent.child_by_field_name("function") == ref


def _local(ident: Node) -> bool:
    return scope.declaration_of(ident) is not None
