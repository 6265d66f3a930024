"""Which expressions may have given struct types, judged by the names they mention
(wrap-inner-map, layer 5: package blockers).

wrap_typeof.expr_type infers the type of an expression from syntax alone,
as the text of a type written somewhere in the package: a local variable's
from its declaration (a declared type, `:=` of a composite literal, of
`new(T)`, of a call of a package function), a call's from the function's
declared results, a selector's (`x.f`) from the declaration of the field f
alone (unless f is a member of a generic type of the package: its type
arguments come from x), a package variable's from its specification, a
parameter's from the signature. Then its base name (`*S` -> S) is
compared, so type names are not followed (an alias of S is another name).
So an expression can only have one of the struct types S when it mentions
a name *leading to S*: S itself, or, to a fixed point,

  - at package level: a function or method whose results (or type
    parameters) mention one, a variable or constant whose specification
    does, a field or interface method whose declaration does;
  - inside the top-level declaration holding the expression: a name
    declared (by `:=`, var, const, type, a parameter, range, a select
    receive or a type switch) where the declaring text mentions one.

Names are compared without regard to scope, which can only add names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext, PackageContext

_SIGNATURE = ("type_parameters", "result")
_SPECS = frozenset({"var_spec", "const_spec"})
_PLAIN_WORD = re.compile(r"\w+")
_MEMBERS = "[(field_declaration) (method_elem)] @m"
_LOCAL_UNITS = (
    "[(short_var_declaration) (range_clause) (receive_statement) (var_spec) (const_spec)"
    " (parameter_declaration) (variadic_parameter_declaration) (type_spec) (type_alias)"
    " (type_switch_statement)] @u"
)
# Words, skipping string and rune literals and comments (group 1 is None for those); group 2 is
# the member a word is followed by, when it is the operand of a selector (`x.f`: x, then f).
_WORD = re.compile(
    r"\"(?:[^\"\\\n]|\\.)*\"|`[^`]*`|'(?:[^'\\\n]|\\.)*'|//[^\n]*|/\*.*?\*/|(\w+)(?=\s*\.\s*([^\W\d]\w*))?",
    re.DOTALL,
)

Unit = tuple[list[str], frozenset[str]]
"""Names declared, and the words of the text their types come from."""


class Mentions:
    """Whether an expression of a package may have one of given struct types (see module docstring)."""

    def __init__(self, pkg: PackageContext, structs: set[str]) -> None:
        self._generic = frozenset(n for f in pkg.files for n in _generic_members(f))
        units = [unit for f in pkg.files for unit in _package_units(f, self._words)]
        self._leading = _closure(set(structs), units)
        self._local: dict[tuple[int, int], set[str]] = {}

    def may_hold(self, f: FileContext, expr: Node, top: Node) -> bool:
        """False when expr, inside the top-level declaration top of f, provably cannot have one of
        the struct types."""
        words = self._words(syntax.text(expr))
        if not words.isdisjoint(self._leading):
            return True
        return not words.isdisjoint(self._local_names(f, top))

    def _local_names(self, f: FileContext, decl: Node) -> set[str]:
        """The names declared inside a top-level declaration that lead to the struct types."""
        key = (id(f), decl.start_byte)
        if key not in self._local:
            if self._leading.isdisjoint(_PLAIN_WORD.findall(syntax.text(decl))):
                self._local[key] = set()  # no declaration inside can mention a leading name
            else:
                found = syntax.captures(_LOCAL_UNITS, decl).get("u", [])
                self._local[key] = _closure(set(self._leading), [self._local_unit(n) for n in found])
        return self._local[key]

    def _words(self, text: str) -> frozenset[str]:
        """The words of Go source text its type may come from: identifiers and keywords (numbers:
        harmless), except the operands of selectors of members of no generic type."""
        out = set()
        for m in _WORD.finditer(text):
            word, member = m.group(1, 2)
            if word is not None and (member is None or member in self._generic):
                out.add(word)
        return frozenset(out)

    def _local_unit(self, node: Node) -> Unit:
        """What a declaring node inside a function declares, with the words of its whole text."""
        t = node.type
        if t in ("short_var_declaration", "range_clause", "receive_statement"):
            declared = _names(node.child_by_field_name("left"))
        elif t == "type_switch_statement":
            declared = _names(node.child_by_field_name("alias"))
        elif t in ("type_spec", "type_alias"):
            declared = _names(node)
        else:
            declared = [syntax.text(n) for n in node.children_by_field_name("name")]
        return declared, self._words(syntax.text(node))


def _names(node: Node | None) -> list[str]:
    """Every word of node's text (a superset of the names it declares)."""
    return _PLAIN_WORD.findall(syntax.text(node)) if node is not None else []


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


def _generic_members(f: FileContext) -> Iterator[str]:
    """Names of the fields and methods of f's generic types, whose types depend on type arguments."""
    for decl in f.root.named_children:
        if decl.type == "method_declaration":
            receiver = decl.child_by_field_name("receiver")
            name = decl.child_by_field_name("name")
            if receiver is not None and name is not None and "[" in syntax.text(receiver):
                yield syntax.text(name)
        elif decl.type == "type_declaration":
            for spec in decl.named_children:
                if spec.child_by_field_name("type_parameters") is not None:
                    for member in syntax.captures(_MEMBERS, spec).get("m", []):
                        yield from (syntax.text(n) for n in member.children_by_field_name("name"))


def _package_units(f: FileContext, words: Callable[[str], frozenset[str]]) -> Iterator[Unit]:
    """The units of each package-level declaration of f.

    A function or method contributes its results (and type parameters), a
    variable or constant its whole specification, a type each field or
    method declaration inside it, for the names it declares.
    """
    for decl in f.root.named_children:
        name = decl.child_by_field_name("name")
        if decl.type in ("function_declaration", "method_declaration") and name is not None:
            parts = [decl.child_by_field_name(p) for p in _SIGNATURE]
            yield [syntax.text(name)], words(" ".join(syntax.text(p) for p in parts if p is not None))
        elif decl.type in ("var_declaration", "const_declaration"):
            for spec in syntax.named_walk(decl, prune=_SPECS):
                if spec.type in _SPECS:
                    names = [syntax.text(n) for n in spec.children_by_field_name("name")]
                    yield names, words(syntax.text(spec))
        elif decl.type == "type_declaration":
            for spec in decl.named_children:
                n = spec.child_by_field_name("name")
                if spec.type in ("type_spec", "type_alias") and n is not None:
                    for member in syntax.captures(_MEMBERS, spec).get("m", []):
                        names = [syntax.text(m) for m in member.children_by_field_name("name")]
                        yield names, words(syntax.text(member))
