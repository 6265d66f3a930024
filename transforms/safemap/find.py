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
from dataclasses import dataclass, field

from tree_sitter import Node

from codemod import gobytes, syntax
from codemod.context import FileContext, PackageContext
from gofacts import scope
from gofacts.declbytes import CALL, followed_by
from gofacts.decls import Declarations
from gofacts.signatures import parameter_types
from gofacts.types import GoType, PackageTypes, named_type_name
from transforms.safemap.ops import is_write

MARKER = "//gomapfix:safemap"
CALL_DEPTH = 2
"""How many call levels below a `go` statement's function still count as the goroutine."""

_PRUNE = frozenset({"struct_type", "interface_type"})

# Byte patterns: necessary conditions on a file's bytes, checked before parsing it (gobytes.BLANKS
# separates two tokens).
_WS = gobytes.BLANKS
_GO_WORD = re.compile(rb"go(?<![\w\x80-\xff]go)(?![\w\x80-\xff:])")
_BLANKS = frozenset(b" \t\r\f\v")


def go_keywords(content: bytes) -> list[int]:
    """The offsets where Go source may hold the keyword of a go statement: the word `go`
    where a statement may start (after a newline, `;`, `{`, `:` or a comment), outside
    comments and literals."""
    starts = [m.start() for m in _GO_WORD.finditer(content) if _statement_start(content, m.start())]
    return list(gobytes.in_code(content, starts)) if starts else starts


def _statement_start(content: bytes, offset: int) -> bool:
    """Whether the bytes before offset, blanks skipped, end a statement or open a block."""
    j = offset - 1
    while j >= 0 and content[j] in _BLANKS:
        j -= 1
    return j < 0 or content[j] in b"\n;{:\x00" or (j > 0 and content[j - 1 : j + 1] == b"*/")


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


@dataclass
class Region:
    """A function body that runs in a goroutine the package starts.

    Attributes:
        file, body: where the body is.
        roots: the go statements (file, offset) whose goroutine runs it.
        many: it may run in several goroutines at once (a go statement in a
            loop, or several go statements reaching it).
        shared: receiver and parameter names bound to values the spawning
            goroutine holds too (`go s.loop()` shares s, `go f(c)` shares c).
    """

    file: FileContext
    body: Node
    roots: set[tuple[str, int]]
    many: bool
    shared: set[str]

    @property
    def literal(self) -> bool:
        """The body is a function literal's (one started by `go func() {...}()`)."""
        return self.body.parent is not None and self.body.parent.type == "func_literal"

    def shares(self, root: Node) -> bool:
        """True if identifier root, used inside the body, denotes something the spawner
        can reach too: a package-level name, a captured variable, or a shared parameter."""
        if syntax.text(root) in self.shared:
            return True
        decl = scope.declaration_of(root)
        func = self.body.parent or self.body
        return decl is None or not (func.start_byte <= decl.start_byte < func.end_byte)


@dataclass
class Regions:
    """All goroutine regions of a package, looked up by position."""

    regions: list[Region] = field(default_factory=list)

    def literal_spans(self, f: FileContext) -> list[tuple[int, int]]:
        """The byte spans of the function literal bodies that are regions of file f."""
        return [
            (r.body.start_byte, r.body.end_byte) for r in self.regions if r.literal and r.file.path == f.path
        ]

    def containing(self, f: FileContext, node: Node) -> list[Region]:
        return [
            r
            for r in self.regions
            if r.file.path == f.path
            and r.body.start_byte <= node.start_byte
            and node.end_byte <= r.body.end_byte
        ]


def root_identifier(expr: Node) -> Node | None:
    """The identifier an operand chain starts from: s in s.a.b[i].m, *p, (x)."""
    node: Node | None = expr
    while node is not None and node.type != "identifier":
        if node.type in ("selector_expression", "index_expression", "unary_expression"):
            node = node.child_by_field_name("operand")
        elif node.type == "parenthesized_expression" and node.named_child_count == 1:
            node = node.named_children[0]
        else:
            return None
    return node


# -- declarations -------------------------------------------------------------


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


# -- uses ---------------------------------------------------------------------


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
        if operand is None or _names_package(operand, f):
            continue
        verdict = _is_field(decl, operand, f, types)
        if verdict is None:
            out.append(Use(f, n, resolved=False))
        elif verdict:
            out.append(Use(f, n))
    return out


def _names_package(operand: Node, f: FileContext) -> bool:
    """True for an identifier naming an imported package (not shadowed by a local)."""
    return (
        operand.type == "identifier"
        and syntax.text(operand) in f.imported_names
        and scope.declaration_of(operand) is None
    )


def _is_field(decl: MapDecl, operand: Node, f: FileContext, types: PackageTypes) -> bool | None:
    """Whether operand.<name> is decl's field: None when the operand's type is unknown."""
    t = type_of(types, operand, f)
    if t is None:
        return None
    ft = types.field(t, decl.name)
    if ft is None or ft.node is None or ft.file is None:
        return False
    return ft.file.path == decl.file.path and ft.node.start_byte == decl.map_type.start_byte


def type_name(expr: Node, f: FileContext, types: PackageTypes) -> str | None:
    """The name of the package type of expr, pointers stripped, or None if not certain."""
    t = type_of(types, expr, f)
    return named_type_name(types.pointee(t) or t)


def type_of(types: PackageTypes, expr: Node, f: FileContext) -> GoType | None:
    """types.type_of, with None for the self-referential declarations it cannot bound
    (`x := x.next()` recurses without limit in PackageTypes._call_type)."""
    try:
        return types.type_of(expr, f)
    except RecursionError:
        return None


# -- goroutines ----------------------------------------------------------------


def goroutine_regions(pkg: PackageContext, types: PackageTypes) -> Regions:
    """The bodies that run in goroutines started by go statements of the package."""
    functions = _Functions(pkg)
    found: dict[tuple[str, int], Region] = {}
    frontier: list[tuple[Region, int]] = []

    def add(
        f: FileContext, func: Node, root: tuple[str, int], many: bool, shared: set[str], depth: int
    ) -> None:
        body = func.child_by_field_name("body")
        if body is None:
            return
        key = (str(f.path), body.start_byte)
        region = found.get(key)
        if region is not None:
            region.many = region.many or many or root not in region.roots
            region.roots.add(root)
            region.shared |= shared
            return
        region = Region(f, body, {root}, many, set(shared))
        found[key] = region
        frontier.append((region, depth))

    for f in pkg.sources:
        offsets = go_keywords(f.content)
        if not offsets or f.broken:
            continue
        for stmt in _go_statements(f, offsets):
            call = stmt.named_children[0]
            fn = call.child_by_field_name("function") if call.type == "call_expression" else None
            if fn is None:
                continue
            root = (str(f.path), stmt.start_byte)
            fn = syntax.unparen(fn)
            targets = [(f, fn)] if fn.type == "func_literal" else _callees(fn, f, functions, types)
            for target_file, target in targets:
                params = set(parameter_types(target))
                add(target_file, target, root, _in_loop(stmt), params, 0)
    while frontier:
        region, depth = frontier.pop()
        if depth >= CALL_DEPTH:
            continue
        for call in _sorted(syntax.captures("(call_expression) @c", region.body).get("c", [])):
            fn = call.child_by_field_name("function")
            if fn is None:
                continue
            fn = syntax.unparen(fn)
            operand = fn.child_by_field_name("operand") if fn.type == "selector_expression" else None
            base = root_identifier(operand) if operand is not None else None
            for target_file, target in _callees(fn, region.file, functions, types):
                shared = set(parameter_types(target, "receiver")) if base and region.shares(base) else set()
                for root in sorted(region.roots):
                    add(target_file, target, root, region.many, shared, depth + 1)
    return Regions(list(found.values()))


def _go_statements(f: FileContext, offsets: list[int]) -> list[Node]:
    """The go statements (with an expression) whose keyword is at one of offsets, in order."""
    out = []
    for offset in offsets:
        keyword = f.root.descendant_for_byte_range(offset, offset + 2)
        stmt = keyword.parent if keyword is not None and keyword.type == "go" else None
        if stmt is not None and stmt.type == "go_statement" and stmt.named_children:
            out.append(stmt)
    return out


def written_names(regions: Regions) -> set[str]:
    """Names of the package-level variables (identifiers declared in no enclosing function)
    and of the fields (selectors) written in some region (safemap_ops.is_write)."""
    names: set[str] = set()
    for r in regions.regions:
        for n in _written(r.body):
            if n.type == "selector_expression":
                fld = n.child_by_field_name("field")
                if fld is not None:
                    names.add(syntax.text(fld))
            elif scope.declaration_of(n) is None:
                names.add(syntax.text(n))
    return names


_WRITES = """
(assignment_statement left: (expression_list (_) @t))
(inc_statement (_) @t)
(dec_statement (_) @t)
((call_expression function: (identifier) @fn arguments: (argument_list (_) @t))
 (#any-of? @fn "delete" "clear"))
"""
"""The places where is_write holds of a use or of the index expression (or index of an
index expression) whose operand the use is."""


def _written(body: Node) -> list[Node]:
    """The identifiers and selectors under body that is_write holds of."""
    out = []
    for target in syntax.captures(_WRITES, body).get("t", []):
        node: Node | None = target
        for _ in range(3):
            if node is None:
                break
            if node.type in ("identifier", "selector_expression") and is_write(node):
                out.append(node)
            node = node.child_by_field_name("operand") if node.type == "index_expression" else None
    return out


def _sorted(nodes: list[Node]) -> list[Node]:
    """Nodes in the order of a walk of their tree (outer before inner at one offset)."""
    return sorted(nodes, key=lambda n: (n.start_byte, -n.end_byte))


class _Functions:
    """The package's functions by name and methods by (receiver base type, name), every
    build-tagged variant of each (a goroutine may run any of them): gofacts.decls' variants."""

    def __init__(self, pkg: PackageContext) -> None:
        self.decls = Declarations.of(pkg)

    def may_have_funcs(self, name: str) -> bool:
        """False when no file has the bytes of a function declaration called name."""
        return self.decls.may_declare("func", name)

    def funcs(self, name: str) -> list[tuple[FileContext, Node]]:
        return [(f, d) for d, f in self.decls.variants("func", name)]

    def may_have_methods(self, name: str) -> bool:
        """False when no file has the bytes of a method declaration called name."""
        return self.decls.may_declare("method", name)

    def methods(self, base: str, name: str) -> list[tuple[FileContext, Node]]:
        return [(f, d) for d, f in self.decls.variants("method", (base, name))]


def _callees(
    fn: Node, f: FileContext, functions: _Functions, types: PackageTypes
) -> list[tuple[FileContext, Node]]:
    """Package functions a call's function expression certainly names."""
    if fn.type == "identifier":
        name = syntax.text(fn)
        if not functions.may_have_funcs(name) or scope.declaration_of(fn) is not None:
            return []
        return functions.funcs(name)
    if fn.type == "selector_expression":
        operand, fld = fn.child_by_field_name("operand"), fn.child_by_field_name("field")
        if operand is None or fld is None:
            return []
        name = syntax.text(fld)
        if not functions.may_have_methods(name) or _names_package(operand, f):
            return []
        base = type_name(operand, f, types)
        return functions.methods(base, name) if base else []
    return []


def _in_loop(stmt: Node) -> bool:
    func = syntax.enclosing_function(stmt)
    for a in syntax.ancestors(stmt):
        if a == func:
            return False
        if a.type == "for_statement":
            return True
    return False
