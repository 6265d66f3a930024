"""Finding the maps the safemap transform may convert, and every use of each.

Three declaration kinds hold a map a SafeMap can replace, each with an
explicit `map[K]V` type (written, or given by `make(map[K]V)` or a
`map[K]V{...}` literal; named map types are left alone):

  - a package-level variable (`var hits = map[string]int{}`);
  - a field of a named struct type (`type cache struct{ m map[string]int }`);
  - a local variable (`seen := make(map[string]bool)`), which matters only
    when a function literal captures it.

A use is an expression denoting the map: an identifier that resolves to the
variable (shadowing respected), or a selector `x.m` whose operand's type is
the field's struct type (or embeds it). A selector whose operand type cannot
be told is reported as unresolved, which blocks a rewrite.

Goroutine regions are the bodies that run in a goroutine started by the
package: the function literal of a `go` statement, the function or method
it names, and (to a small depth) package functions and methods those call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

from codemod import gobytes, syntax
from codemod.context import FileContext, PackageContext
from gofacts import scope
from gofacts.declbytes import CALL, followed_by
from gofacts.goroutines import Regions
from gofacts.mapops import names_package, type_of
from gofacts.types import PackageTypes

MARKER = "//gomapfix:safemap"


_PRUNE = frozenset({"struct_type", "interface_type"})


# Byte patterns: necessary conditions on a file's bytes, checked before parsing it (gobytes.BLANKS
# separates two tokens).
_WS = gobytes.BLANKS


MAP_DECL = re.compile(
    _WS + rb"(?:=" + _WS + rb"(?:\(" + _WS + rb")*(?:make" + _WS + rb"\(" + _WS + rb")?)?map" + _WS + rb"\[",
    re.S,
)


"""What follows the name of a map declaration: `NAME map[`, `NAME = make(map[`, `NAME = map[`."""


def map_type_in(content: bytes) -> bool:
    """Whether Go source may spell a map type (`map[`)."""
    return any(_MAP_TYPE.match(content, m.end()) for m in _MAP_WORD.finditer(content))


_MAP_WORD = re.compile(rb"map(?<![\w\x80-\xff]map)")


_MAP_TYPE = re.compile(_WS + rb"\[", re.S)


def files_calling(pkg: PackageContext, name: str) -> list[FileContext]:
    """The files that parse and whose bytes may hold a call of name."""
    needle = name.encode()
    return [
        f for f in pkg.sources if needle in f.content and followed_by(f.content, name, CALL) and not f.broken
    ]


@dataclass
class MapDecl:
    """One declaration of a map variable or field.

    Attributes:
        kind: "package", "field" or "local".
        name: the variable or field name.
        file: the file holding the declaration.
        name_node: the declaring identifier.
        holder: the var_spec, field_declaration or short_var_declaration.
        map_type: the map_type node giving key and value types.
        owner: for a field, the name of its struct type.
        marked: the declaration carries a //gomapfix:safemap comment.
    """

    kind: str
    name: str
    file: FileContext
    name_node: Node
    holder: Node
    map_type: Node
    owner: str | None = None
    marked: bool = False

    @property
    def key(self) -> str:
        node = self.map_type.child_by_field_name("key")
        return syntax.text(node) if node is not None else ""

    @property
    def value(self) -> str:
        node = self.map_type.child_by_field_name("value")
        return syntax.text(node) if node is not None else ""

    @property
    def exported(self) -> bool:
        names = [self.name] + ([self.owner] if self.owner else [])
        return any(n[:1].isupper() for n in names)


@dataclass
class Use:
    """One expression denoting the map (identifier or selector), or an unresolved selector."""

    file: FileContext
    node: Node
    resolved: bool = True


def declarations(
    pkg: PackageContext, files: list[FileContext] | None = None, regions: Regions | None = None
) -> list[MapDecl]:
    """Every map declaration of the package that safemap could convert, in source order.

    With files set, only those files are read. With regions set, the locals of a function
    are read only if its file holds a marker or it holds a goroutine's function literal: a
    local is shared with a goroutine only when such a literal captures it.
    """
    out: list[MapDecl] = []
    marker = MARKER.encode()
    for f in pkg.files if files is None else files:
        spans = None if regions is None or marker in f.content else regions.literal_spans(f)
        for decl in f.root.named_children:
            if decl.type == "var_declaration":
                out.extend(_var_specs(f, decl, "package"))
            elif decl.type == "type_declaration":
                out.extend(_fields(f, decl))
            elif decl.type in ("function_declaration", "method_declaration") and _may_capture(decl, spans):
                out.extend(_locals(f, decl))
    return out


def _may_capture(func: Node, spans: list[tuple[int, int]] | None) -> bool:
    """Whether func mentions a map and holds one of spans (any span when spans is None)."""
    if b"map" not in (func.text or b""):
        return False
    return spans is None or any(func.start_byte <= a and b <= func.end_byte for a, b in spans)


def declaration_files(pkg: PackageContext, regions: Regions, written: set[str]) -> list[FileContext]:
    """The files that may declare a map safemap reports, in package order: a file holding a
    marker, or a goroutine's function literal (that may capture its locals), or the bytes of
    a map declaration of a name some region writes (a package variable or a field)."""
    literal_files = {str(r.file.path) for r in regions.regions if r.literal}
    names = [(n.encode(), n) for n in sorted(written)]
    marker = MARKER.encode()
    out = []
    for f in pkg.sources:
        c = f.content
        wanted = (
            marker in c
            or str(f.path) in literal_files
            or (names and map_type_in(c) and any(b in c and followed_by(c, n, MAP_DECL) for b, n in names))
        )
        if wanted and not f.broken:
            out.append(f)
    return out


def map_type_of(spec_type: Node | None, value: Node | None) -> Node | None:
    """The map_type of a declaration with this type and initial value, if it is a plain map."""
    if spec_type is not None:
        return spec_type if spec_type.type == "map_type" else None
    if value is None:
        return None
    value = syntax.unparen(value)
    if value.type == "composite_literal":
        t = value.child_by_field_name("type")
        return t if t is not None and t.type == "map_type" else None
    if value.type == "call_expression":
        fn = value.child_by_field_name("function")
        args = value.child_by_field_name("arguments")
        if fn is not None and syntax.text(fn) == "make" and args is not None and args.named_children:
            first = args.named_children[0]
            return first if first.type == "map_type" else None
    return None


def _single_value(holder: Node) -> Node | None:
    value = holder.child_by_field_name("value") or holder.child_by_field_name("right")
    if value is None:
        return None
    if value.type == "expression_list":
        return value.named_children[0] if value.named_child_count == 1 else None
    return value


def _var_specs(f: FileContext, decl: Node, kind: str) -> list[MapDecl]:
    out = []
    for spec in syntax.named_walk(decl, prune=frozenset({"var_spec"})):
        if spec.type != "var_spec":
            continue
        names = spec.children_by_field_name("name")
        mt = map_type_of(spec.child_by_field_name("type"), _single_value(spec))
        if mt is None or len(names) != 1 or syntax.text(names[0]) == "_":
            continue
        out.append(MapDecl(kind, syntax.text(names[0]), f, names[0], spec, mt, marked=_marked(f, spec, decl)))
    return out


def _fields(f: FileContext, decl: Node) -> list[MapDecl]:
    out = []
    for spec in decl.named_children:
        name = spec.child_by_field_name("name")
        typ = spec.child_by_field_name("type")
        if spec.type != "type_spec" or name is None or typ is None or typ.type != "struct_type":
            continue
        if spec.child_by_field_name("type_parameters") is not None:
            continue
        for fields in typ.named_children:
            for fd in fields.named_children if fields.type == "field_declaration_list" else ():
                t = fd.child_by_field_name("type")
                names = fd.children_by_field_name("name")
                if fd.type != "field_declaration" or t is None or t.type != "map_type" or len(names) != 1:
                    continue
                out.append(
                    MapDecl(
                        "field", syntax.text(names[0]), f, names[0], fd, t, syntax.text(name), _marked(f, fd)
                    )
                )
    return out


def _locals(f: FileContext, func: Node) -> list[MapDecl]:
    out = []
    for n in syntax.named_walk(func):
        if n.type == "var_declaration":
            out.extend(_var_specs(f, n, "local"))
        elif n.type == "short_var_declaration":
            left = n.child_by_field_name("left")
            names = left.named_children if left is not None else []
            mt = map_type_of(None, _single_value(n))
            if mt is None or len(names) != 1 or names[0].type != "identifier" or names[0].text == b"_":
                continue
            if scope.declaration_of(names[0]) != names[0]:
                continue  # `:=` that re-assigns an existing variable
            out.append(MapDecl("local", syntax.text(names[0]), f, names[0], n, mt, marked=_marked(f, n)))
    return out


def _marked(f: FileContext, node: Node, outer: Node | None = None) -> bool:
    """A //gomapfix:safemap comment ends the declaration's line or stands on the line above it
    (or above the single-spec `var` declaration holding it)."""
    for n in (node, outer):
        if n is None:
            continue
        line = f.line_index(n.start_byte)
        prev = f.content[f.line_starts[line - 1] : f.line_starts[line]] if line > 0 else b""
        if prev.strip().startswith(MARKER.encode()):
            return True
    end = f.content[node.end_byte : f.line_end(node.end_byte)]
    return MARKER.encode() in end


def uses(decl: MapDecl, pkg: PackageContext, types: PackageTypes) -> list[Use]:
    """Every expression of the package that denotes decl's map, in file order."""
    if decl.kind == "local":
        func = syntax.enclosing_function(decl.holder)
        return _uses_under(decl, decl.file, func if func is not None else decl.file.root, types)
    out = []
    for f in pkg.files_with(decl.name.encode()):
        out.extend(_uses_under(decl, f, f.root, types))
    return out


def region_uses(decl: MapDecl, pkg: PackageContext, regions: Regions, types: PackageTypes) -> list[Use]:
    """The uses of decl (those uses() finds) that lie inside a goroutine region."""
    if decl.kind == "local":
        return [u for u in uses(decl, pkg, types) if regions.containing(u.file, u.node)]
    needle = decl.name.encode()
    seen: set[tuple[str, int, int]] = set()
    out = []
    for r in regions.regions:
        if needle not in r.file.content[r.body.start_byte : r.body.end_byte]:
            continue
        for u in _uses_under(decl, r.file, r.body, types):
            key = (str(u.file.path), u.node.start_byte, u.node.end_byte)
            if key not in seen:
                seen.add(key)
                out.append(u)
    return out


def _uses_under(decl: MapDecl, f: FileContext, root: Node, types: PackageTypes) -> list[Use]:
    """The uses of decl under node root of file f, in source order."""
    if decl.kind == "field":
        return _field_uses(decl, f, root, types)
    found = syntax.captures(f'((identifier) @i (#eq? @i "{decl.name}"))', root).get("i", [])
    out = []
    for n in sorted(found, key=lambda n: n.start_byte):
        if n == decl.name_node or not _is_reference(n):
            continue
        declared = scope.declaration_of(n)
        if decl.kind == "local":
            if declared is not None and declared.start_byte == decl.name_node.start_byte:
                out.append(Use(f, n))
        elif declared is None:
            out.append(Use(f, n))
    return out


def _is_reference(n: Node) -> bool:
    """False for identifiers that name something other than a variable in scope:
    keyed-literal field names, parameter names of function types."""
    parent = n.parent
    if parent is None:
        return False
    if (
        parent.type == "literal_element"
        and parent.parent is not None
        and parent.parent.type == "keyed_element"
    ):
        return parent != parent.parent.child_by_field_name("value")
    return parent.type not in ("parameter_declaration", "variadic_parameter_declaration")


def _field_uses(decl: MapDecl, f: FileContext, root: Node, types: PackageTypes) -> list[Use]:
    query = f'((selector_expression field: (field_identifier) @f) @s (#eq? @f "{decl.name}"))'
    found = syntax.captures(query, root).get("s", [])
    out = []
    for n in sorted(found, key=lambda n: (n.start_byte, -n.end_byte)):
        operand = n.child_by_field_name("operand")
        if operand is None or names_package(operand, f):
            continue
        verdict = _is_field(decl, operand, f, types)
        if verdict is None:
            out.append(Use(f, n, resolved=False))
        elif verdict:
            out.append(Use(f, n))
    return out


def _is_field(decl: MapDecl, operand: Node, f: FileContext, types: PackageTypes) -> bool | None:
    """Whether operand.<name> is decl's field: None when the operand's type is unknown."""
    t = type_of(types, operand, f)
    if t is None:
        return None
    ft = types.field(t, decl.name)
    if ft is None or ft.node is None or ft.file is None:
        return False
    return ft.file.path == decl.file.path and ft.node.start_byte == decl.map_type.start_byte
