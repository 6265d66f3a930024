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

from dataclasses import dataclass, field

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext, PackageContext
from transforms import goscope, locking, wrap_scope

MARKER = "//gomapfix:safemap"
CALL_DEPTH = 2
"""How many call levels below a `go` statement's function still count as the goroutine."""

_PRUNE = frozenset({"struct_type", "interface_type"})


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

    def shares(self, root: Node) -> bool:
        """True if identifier root, used inside the body, denotes something the spawner
        can reach too: a package-level name, a captured variable, or a shared parameter."""
        if syntax.text(root) in self.shared:
            return True
        decl = wrap_scope.declaration_of(root)
        func = self.body.parent or self.body
        return decl is None or not (func.start_byte <= decl.start_byte < func.end_byte)


@dataclass
class Regions:
    """All goroutine regions of a package, looked up by position."""

    regions: list[Region] = field(default_factory=list)

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


def declarations(pkg: PackageContext) -> list[MapDecl]:
    """Every map declaration of the package that safemap could convert, in source order."""
    out: list[MapDecl] = []
    for f in pkg.files:
        for decl in f.root.named_children:
            if decl.type == "var_declaration":
                out.extend(_var_specs(f, decl, "package"))
            elif decl.type == "type_declaration":
                out.extend(_fields(f, decl))
            elif decl.type in ("function_declaration", "method_declaration") and b"map" in (decl.text or b""):
                out.extend(_locals(f, decl))
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
            if wrap_scope.declaration_of(names[0]) != names[0]:
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


def uses(decl: MapDecl, pkg: PackageContext, types: locking.PackageTypes) -> list[Use]:
    """Every expression of the package that denotes decl's map, in file order."""
    if decl.kind == "field":
        return _field_uses(decl, pkg, types)
    files = [decl.file] if decl.kind == "local" else pkg.files
    scope = syntax.enclosing_function(decl.holder) if decl.kind == "local" else None
    needle = decl.name.encode()
    out = []
    for f in files:
        if needle not in f.content:
            continue
        root = scope if scope is not None else f.root
        for n in syntax.walk(root):
            if n.type != "identifier" or n.text != needle or n == decl.name_node:
                continue
            if not _is_reference(n):
                continue
            declared = wrap_scope.declaration_of(n)
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


def _field_uses(decl: MapDecl, pkg: PackageContext, types: locking.PackageTypes) -> list[Use]:
    needle = decl.name.encode()
    out = []
    for f in pkg.files:
        if needle not in f.content:
            continue
        for n in syntax.walk(f.root):
            if n.type != "selector_expression":
                continue
            fld = n.child_by_field_name("field")
            operand = n.child_by_field_name("operand")
            if fld is None or operand is None or fld.text != needle:
                continue
            if _names_package(operand, f):
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
        and wrap_scope.declaration_of(operand) is None
    )


def _is_field(decl: MapDecl, operand: Node, f: FileContext, types: locking.PackageTypes) -> bool | None:
    """Whether operand.<name> is decl's field: None when the operand's type is unknown."""
    t = type_of(types, operand, f)
    if t is None:
        return None
    ft = types.field(t, decl.name)
    if ft is None or ft.node is None or ft.file is None:
        return False
    return ft.file.path == decl.file.path and ft.node.start_byte == decl.map_type.start_byte


def type_name(expr: Node, f: FileContext, types: locking.PackageTypes) -> str | None:
    """The name of the package type of expr, pointers stripped, or None if not certain."""
    t = type_of(types, expr, f)
    return locking.named_type_name(types.pointee(t) or t)


def type_of(types: locking.PackageTypes, expr: Node, f: FileContext) -> locking.GoType | None:
    """types.type_of, with None for the self-referential declarations it cannot bound
    (`x := x.next()` recurses without limit in PackageTypes._call_type)."""
    try:
        return types.type_of(expr, f)
    except RecursionError:
        return None


# -- goroutines ----------------------------------------------------------------


def goroutine_regions(pkg: PackageContext, types: locking.PackageTypes) -> Regions:
    """The bodies that run in goroutines started by go statements of the package."""
    funcs, methods = _function_index(pkg)
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

    for f in pkg.files:
        if b"go" not in f.content:
            continue
        for stmt in syntax.walk(f.root):
            if stmt.type != "go_statement" or not stmt.named_children:
                continue
            call = stmt.named_children[0]
            fn = call.child_by_field_name("function") if call.type == "call_expression" else None
            if fn is None:
                continue
            root = (str(f.path), stmt.start_byte)
            fn = syntax.unparen(fn)
            targets = [(f, fn)] if fn.type == "func_literal" else _callees(fn, f, pkg, funcs, methods, types)
            for target_file, target in targets:
                params = set(goscope.parameter_types(target))
                add(target_file, target, root, _in_loop(stmt), params, 0)
    while frontier:
        region, depth = frontier.pop()
        if depth >= CALL_DEPTH:
            continue
        for call in syntax.walk(region.body):
            fn = call.child_by_field_name("function") if call.type == "call_expression" else None
            if fn is None:
                continue
            fn = syntax.unparen(fn)
            operand = fn.child_by_field_name("operand") if fn.type == "selector_expression" else None
            base = root_identifier(operand) if operand is not None else None
            for target_file, target in _callees(fn, region.file, pkg, funcs, methods, types):
                shared = (
                    set(goscope.parameter_types(target, "receiver"))
                    if base and region.shares(base)
                    else set()
                )
                for root in sorted(region.roots):
                    add(target_file, target, root, region.many, shared, depth + 1)
    return Regions(list(found.values()))


def _function_index(
    pkg: PackageContext,
) -> tuple[dict[str, list[tuple[FileContext, Node]]], dict[tuple[str, str], list[tuple[FileContext, Node]]]]:
    funcs: dict[str, list[tuple[FileContext, Node]]] = {}
    methods: dict[tuple[str, str], list[tuple[FileContext, Node]]] = {}
    for f in pkg.files:
        for decl in f.root.named_children:
            name = decl.child_by_field_name("name")
            if name is None:
                continue
            if decl.type == "function_declaration":
                funcs.setdefault(syntax.text(name), []).append((f, decl))
            elif decl.type == "method_declaration":
                recv = goscope.parameter_types(decl, "receiver")
                base = goscope.base_type_name(next(iter(recv.values()), None))
                if base:
                    methods.setdefault((base, syntax.text(name)), []).append((f, decl))
    return funcs, methods


def _callees(
    fn: Node,
    f: FileContext,
    pkg: PackageContext,
    funcs: dict[str, list[tuple[FileContext, Node]]],
    methods: dict[tuple[str, str], list[tuple[FileContext, Node]]],
    types: locking.PackageTypes,
) -> list[tuple[FileContext, Node]]:
    """Package functions a call's function expression certainly names."""
    if fn.type == "identifier":
        name = syntax.text(fn)
        if name in funcs and wrap_scope.declaration_of(fn) is None:
            return funcs[name]
        return []
    if fn.type == "selector_expression":
        operand, fld = fn.child_by_field_name("operand"), fn.child_by_field_name("field")
        if operand is None or fld is None:
            return []
        if _names_package(operand, f):
            return []
        return methods.get((type_name(operand, f, types) or "", syntax.text(fld)), [])
    return []


def _in_loop(stmt: Node) -> bool:
    func = syntax.enclosing_function(stmt)
    for a in syntax.ancestors(stmt):
        if a == func:
            return False
        if a.type == "for_statement":
            return True
    return False
