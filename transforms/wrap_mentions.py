"""Which expressions may have given struct types, judged by the names they mention
(wrap-inner-map, layer 5: package blockers).

gomapfix infers the type of an expression from syntax alone, and in Go that
type is built from the names the expression mentions: a local variable's
type comes from its declaration (a declared type, `:=` of a composite
literal, of `new(T)`, of a call), a call's from the function's declared
results, a selector's from the field's declaration, a package variable's
from its specification. So an expression can only have one of the struct
types S when it mentions a name *leading to S*: S itself, or, to a fixed
point,

  - at package level: a function or method whose results (or type
    parameters) mention one, a variable or constant whose specification
    does, a type whose specification does, a field or interface method
    whose declaration does;
  - inside the top-level declaration holding the expression: a name
    declared (by `:=`, var, const, type, a parameter, range, a select
    receive or a type switch) where the declaring text mentions one.

Names are compared without regard to scope, which can only add names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext, PackageContext

_SIGNATURE = ("type_parameters", "result")
_SPECS = frozenset({"var_spec", "const_spec"})
_MEMBERS = "[(field_declaration) (method_elem)] @m"
_LOCAL_UNITS = (
    "[(short_var_declaration) (range_clause) (receive_statement) (var_spec) (const_spec)"
    " (parameter_declaration) (variadic_parameter_declaration) (type_spec) (type_alias)"
    " (type_switch_statement)] @u"
)
# Words, skipping string and rune literals and comments (group 1 is None for those).
_WORD = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|`[^`]*`|'(?:[^'\\\n]|\\.)*'|//[^\n]*|/\*.*?\*/|(\w+)", re.DOTALL)

Unit = tuple[list[str], frozenset[str]]
"""Names declared, and the words of the text their types come from."""


class Mentions:
    """Whether an expression of a package may have one of given struct types (see module docstring)."""

    def __init__(self, pkg: PackageContext, structs: set[str]) -> None:
        units = [unit for f in pkg.files for unit in _package_units(f)]
        self._leading = _closure(set(structs), units)
        self._local: dict[tuple[int, int], set[str]] = {}

    def may_hold(self, f: FileContext, expr: Node, top: Node) -> bool:
        """False when expr, inside the top-level declaration top of f, provably cannot have one of
        the struct types."""
        words = _words(syntax.text(expr))
        if not words.isdisjoint(self._leading):
            return True
        return not words.isdisjoint(self._local_names(f, top))

    def _local_names(self, f: FileContext, decl: Node) -> set[str]:
        """The names declared inside a top-level declaration that lead to the struct types."""
        key = (id(f), decl.start_byte)
        if key not in self._local:
            units = [_local_unit(n) for n in syntax.captures(_LOCAL_UNITS, decl).get("u", [])]
            self._local[key] = _closure(set(self._leading), units)
        return self._local[key]


def _words(text: str) -> frozenset[str]:
    """The identifiers and keywords of Go source text (and numbers: harmless)."""
    return frozenset(_WORD.findall(text)) - {""}


def _closure(names: set[str], units: list[Unit]) -> set[str]:
    """names, and the names of every unit whose words meet them, to a fixed point."""
    pending = units
    while pending:
        rest = [u for u in pending if u[1].isdisjoint(names)]
        if len(rest) == len(pending):
            break
        for declared, words in pending:
            if not words.isdisjoint(names):
                names.update(declared)
        pending = rest
    return names


def _local_unit(node: Node) -> Unit:
    """What a declaring node inside a function declares, with the words of its whole text."""
    t = node.type
    if t in ("short_var_declaration", "range_clause", "receive_statement"):
        left = node.child_by_field_name("left")
        declared = list(_words(syntax.text(left))) if left is not None else []
    elif t == "type_switch_statement":
        alias = node.child_by_field_name("alias")
        declared = list(_words(syntax.text(alias))) if alias is not None else []
    elif t in ("type_spec", "type_alias"):
        declared = list(_words(syntax.text(node)))
    else:
        declared = [syntax.text(n) for n in node.children_by_field_name("name")]
    return declared, _words(syntax.text(node))


def _package_units(f: FileContext) -> Iterator[Unit]:
    """The units of each package-level declaration of f.

    A function or method contributes its results (and type parameters), a
    variable or constant its whole specification, a type its specification
    for its name and each field or method declaration inside for the names
    it declares.
    """
    for decl in f.root.named_children:
        name = decl.child_by_field_name("name")
        if decl.type in ("function_declaration", "method_declaration") and name is not None:
            parts = [decl.child_by_field_name(p) for p in _SIGNATURE]
            yield [syntax.text(name)], _words(" ".join(syntax.text(p) for p in parts if p is not None))
        elif decl.type in ("var_declaration", "const_declaration"):
            for spec in syntax.named_walk(decl, prune=_SPECS):
                if spec.type in _SPECS:
                    names = [syntax.text(n) for n in spec.children_by_field_name("name")]
                    yield names, _words(syntax.text(spec))
        elif decl.type == "type_declaration":
            for spec in decl.named_children:
                n = spec.child_by_field_name("name")
                if spec.type in ("type_spec", "type_alias") and n is not None:
                    yield [syntax.text(n)], _words(syntax.text(spec))
                    for member in syntax.captures(_MEMBERS, spec).get("m", []):
                        names = [syntax.text(m) for m in member.children_by_field_name("name")]
                        yield names, _words(syntax.text(member))
