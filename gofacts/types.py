"""The Go types of expressions, recovered from the syntax of one package: the one type resolver.

gomapfix has no type checker. PackageTypes resolves the static type of
identifiers, selector chains, index expressions, composite literals,
conversions and calls of the package's own functions and methods, following
the package's named types (struct fields, promoted fields of embedded
structs, map values, slice and array elements, pointers). Types declared in
other packages are opaque. Every question the syntax cannot answer with
certainty gets None ("unknown"), which callers treat as "no finding" or "no
safe fix".

Names are resolved with gofacts.scope (locals) and gofacts.decls (the package's
declarations: the first declaration in package order wins). Resolution is
bounded: a chain of declarations deeper than MAX_DEPTH, or one that refers
back to itself (an initialization cycle such as `var a = b.next(); var b =
a.next()`, which the Go compiler rejects), resolves to None; it never raises.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext, PackageContext
from gofacts.decls import Declarations, TypeDecl
from gofacts.module import Module
from gofacts.scope import find_declaration
from gofacts.signatures import embedded_name, result_types, returns_first_type_parameter

MAX_DEPTH = 12
"""How many declarations and expressions deep a resolution may go before it answers None."""


@dataclass(frozen=True, eq=False)
class GoType:
    """A Go type as written somewhere in the package (or synthesized as *T for &x).

    Attributes:
        node: the type syntax (map_type, pointer_type, type_identifier, ...);
            None for a synthesized pointer.
        file: the file whose imports qualify the names in node.
        elem: for a synthesized pointer, the pointed-to type.
    """

    node: Node | None
    file: FileContext | None
    elem: GoType | None = None

    @property
    def text(self) -> str:
        if self.node is None:
            return "*" + (self.elem.text if self.elem is not None else "?")
        return syntax.text(self.node)

    @property
    def kind(self) -> str:
        """The syntax kind: "map_type", "type_identifier", ...; "pointer_type" when synthesized."""
        return "pointer_type" if self.node is None else self.node.type


BASIC_TYPES = frozenset(
    "bool string int int8 int16 int32 int64 uint uint8 uint16 uint32 uint64 uintptr byte rune "
    "float32 float64 complex64 complex128 error any comparable".split()
)


@dataclass
class PackageTypes:
    """Type resolution over one package (built once per run of a transform).

    Attributes:
        pkg: the package.
        decls: type name -> its declaration.
        vars: package-level variable name -> (var_spec, file).
        funcs: function name -> (function_declaration, file).
        methods: (receiver type name, method name) -> (method_declaration, file).

    The tables fill on demand: a lookup parses only the files whose bytes may
    declare the name (they contain it where a declaration would put it);
    iterating a table parses the whole package (gofacts.declindex).
    """

    def __init__(self, pkg: PackageContext) -> None:
        self.pkg = pkg
        table = Declarations.of(pkg)
        self.decls = table.types
        self.vars = table.vars
        self.funcs = table.funcs
        self.methods = table.methods
        self._fields: dict[Node, list[tuple[str, GoType, bool]]] = {}
        self._resolving: set[tuple[str, int]] = set()

    @staticmethod
    def of(pkg: PackageContext) -> PackageTypes:
        """The resolver of pkg, built once per package and shared by every rule."""
        return pkg.derived("gofacts.types", lambda: PackageTypes(pkg))

    # -- named types and their structure ------------------------------------

    def declaration(self, t: GoType) -> TypeDecl | None:
        """The package's declaration of t when t names a type of this package."""
        if t.node is None:
            return None
        node = t.node
        if node.type == "generic_type":
            node = node.child_by_field_name("type") or node
        if node.type not in ("type_identifier", "identifier"):
            return None
        return self.decls.get(syntax.text(node))

    def underlying(self, t: GoType | None, depth: int = 0) -> GoType | None:
        """t with the package's named types resolved to their definitions; None when opaque.

        A type of another package, a type parameter or a builtin name resolve
        to themselves only if they are builtin; otherwise None.
        """
        if t is None or depth > 16:
            return None
        if t.node is None:
            return t
        node = t.node
        if node.type == "parenthesized_type" and node.named_child_count == 1:
            return self.underlying(GoType(node.named_children[0], t.file), depth + 1)
        if node.type in ("type_identifier", "identifier", "generic_type"):
            decl = self.declaration(t)
            if decl is not None:
                return self.underlying(GoType(decl.type_node, decl.file), depth + 1)
            return t if syntax.text(node) in BASIC_TYPES else None
        if node.type == "qualified_type":
            return None
        return t

    def is_named_here(self, t: GoType) -> bool:
        """True when t is a (non-alias) named type declared in this package."""
        decl = self.declaration(t)
        return decl is not None and decl.spec.type == "type_spec"

    def map_parts(self, t: GoType | None) -> tuple[GoType, GoType] | None:
        """(key, value) when t is a map type (possibly named); else None."""
        u = self.underlying(t)
        if u is None or u.node is None or u.node.type != "map_type":
            return None
        key, value = u.node.child_by_field_name("key"), u.node.child_by_field_name("value")
        if key is None or value is None:
            return None
        return GoType(key, u.file), GoType(value, u.file)

    def pointee(self, t: GoType | None) -> GoType | None:
        """The element type when t is a pointer type; else None."""
        if t is None:
            return None
        if t.node is None:
            return t.elem
        u = self.underlying(t)
        if u is None or u.node is None or u.node.type != "pointer_type" or not u.node.named_child_count:
            return None
        return GoType(u.node.named_children[0], u.file)

    def element(self, t: GoType | None) -> GoType | None:
        """The element type of a slice, array or pointer-to-array type; else None."""
        u = self.underlying(t)
        if u is not None and u.kind == "pointer_type":
            u = self.underlying(self.pointee(u))
        if u is None or u.node is None or u.node.type not in ("slice_type", "array_type"):
            return None
        elem = u.node.child_by_field_name("element")
        return GoType(elem, u.file) if elem is not None else None

    def fields(self, t: GoType | None) -> list[tuple[str, GoType, bool]]:
        """(name, type, embedded) for each field of a struct type t (not through pointers)."""
        u = self.underlying(t)
        if u is None or u.node is None or u.node.type != "struct_type":
            return []
        known = self._fields.get(u.node)
        if known is None:
            known = self._fields[u.node] = self._struct_fields(u)
        return list(known)

    def _struct_fields(self, u: GoType) -> list[tuple[str, GoType, bool]]:
        assert u.node is not None
        out: list[tuple[str, GoType, bool]] = []
        for lst in u.node.named_children:
            if lst.type != "field_declaration_list":
                continue
            for decl in lst.named_children:
                typ = decl.child_by_field_name("type")
                if decl.type != "field_declaration" or typ is None:
                    continue
                names = decl.children_by_field_name("name")
                if names:
                    out.extend((syntax.text(n), GoType(typ, u.file), False) for n in names)
                else:
                    embedded = GoType(typ, u.file)
                    if any(c.type == "*" for c in decl.children):  # `*T` embeds a pointer
                        embedded = GoType(None, u.file, embedded)
                    out.append((embedded_name(typ), embedded, True))
        return out

    def field(self, t: GoType | None, name: str, depth: int = 0) -> GoType | None:
        """The type of field name of t (or of *t), promoted fields of embedded structs included."""
        if t is None or depth > 4:
            return None
        base = self.pointee(t) or t
        own = self.fields(base)
        for fname, ftype, _ in own:
            if fname == name:
                return ftype
        for _, ftype, embedded in own:
            if embedded:
                found = self.field(ftype, name, depth + 1)
                if found is not None:
                    return found
        return None

    # -- across the packages of the module -------------------------------------------

    def named(self, t: GoType | None) -> tuple[PackageTypes, TypeDecl] | None:
        """The declaration t names (through a pointer), with the resolver of its package: a
        type of this package, or `pkg.T` of another package of the same module (gofacts.module).
        t must be written in a file of this package."""
        if t is None:
            return None
        t = self.pointee(t) or t
        node = t.node
        if node is None:
            return None
        if node.type == "generic_type":
            node = node.child_by_field_name("type") or node
        if node.type in ("type_identifier", "identifier"):
            decl = self.decls.get(syntax.text(node))
            return (self, decl) if decl is not None else None
        if node.type != "qualified_type" or t.file is None:
            return None
        qualifier, name = node.child_by_field_name("package"), node.child_by_field_name("name")
        module = Module.of(self.pkg)
        if qualifier is None or name is None or module is None:
            return None
        other = module.package_of_import(t.file, syntax.text(qualifier), self.pkg)
        if other is None:
            return None
        types = PackageTypes.of(other)
        decl = types.decls.get(syntax.text(name))
        return (types, decl) if decl is not None else None

    def member(self, t: GoType | None, name: str, depth: int = 0) -> Member | None:
        """Field name of struct type t (or *t), promoted fields included, across the packages
        of the module: its type, the resolver of the package that declares it, and the embedded
        fields it is promoted through."""
        found = self.named(t)
        if found is None or depth > 4:
            return None
        types, decl = found
        if decl.type_node.type != "struct_type":
            return None
        own = types.fields(GoType(decl.type_node, decl.file))
        for fname, ftype, _ in own:
            if fname == name:
                return Member(ftype, types, ())
        for _, ftype, embedded in own:
            if not embedded:
                continue
            inner = types.member(ftype, name, depth + 1)
            if inner is not None:
                via = Embedded(types, ftype, ftype.kind == "pointer_type")
                return Member(inner.type, inner.types, (via, *inner.via))
        return None

    def method(
        self, t: GoType | None, name: str, depth: int = 0
    ) -> tuple[Node, FileContext, PackageTypes] | None:
        """Method name of t's named type (or of *t), promoted from embedded fields too, across
        the packages of the module: its declaration, file, and the resolver of its package."""
        found = self.named(t)
        if found is None or depth > 4:
            return None
        types, decl = found
        own = types.methods.get((decl.name, name))
        if own is not None:
            return own[0], own[1], types
        if decl.type_node.type != "struct_type":
            return None
        for _, ftype, embedded in types.fields(GoType(decl.type_node, decl.file)):
            inner = types.method(ftype, name, depth + 1) if embedded else None
            if inner is not None:
                return inner
        return None

    # -- expressions ---------------------------------------------------------------

    def type_of(self, expr: Node, f: FileContext, depth: int = 0) -> GoType | None:
        """The static type of expr as written in f, or None when it is not certain."""
        if depth > MAX_DEPTH:
            return None
        expr = syntax.unparen(expr)
        t = expr.type
        if t == "identifier":
            return self.identifier_type(syntax.text(expr), expr, f, depth)
        if t == "selector_expression":
            operand, fld = expr.child_by_field_name("operand"), expr.child_by_field_name("field")
            if operand is None or fld is None or self._is_package(operand, f):
                return None
            return self.field(self.type_of(operand, f, depth + 1), syntax.text(fld))
        if t == "index_expression":
            operand = expr.child_by_field_name("operand")
            base = self.type_of(operand, f, depth + 1) if operand is not None else None
            parts = self.map_parts(base)
            return parts[1] if parts is not None else self.element(base)
        if t == "unary_expression":
            op, operand = syntax.text(expr.children[0]), expr.child_by_field_name("operand")
            inner = self.type_of(operand, f, depth + 1) if operand is not None else None
            if op == "&":
                if operand is not None and syntax.unparen(operand).type == "composite_literal":
                    inner = self.type_of(operand, f, depth + 1)
                return GoType(None, f, inner) if inner is not None else None
            return self.pointee(inner) if op == "*" else None
        if t == "composite_literal":
            typ = expr.child_by_field_name("type")
            return GoType(typ, f) if typ is not None and typ.type != "implicit_length_array_type" else None
        if t == "call_expression":
            return self._call_type(expr, f, depth + 1)
        if t == "type_conversion_expression":
            typ = expr.child_by_field_name("type")
            return GoType(typ, f) if typ is not None else None
        return None

    def _is_package(self, operand: Node, f: FileContext) -> bool:
        operand = syntax.unparen(operand)
        if operand.type != "identifier":
            return False
        name = syntax.text(operand)
        return name in f.imported_names and find_declaration(name, operand) is None and name not in self.vars

    def _call_type(self, call: Node, f: FileContext, depth: int, index: int = 0) -> GoType | None:
        """The type of result index of a call (a conversion or builtin has one result)."""
        fn, args = call.child_by_field_name("function"), call.child_by_field_name("arguments")
        if fn is None:
            return None
        fn = syntax.unparen(fn)
        if index:
            callee = self._callee(fn, f, depth)
            return _result(*callee, index) if callee is not None else None
        first = args.named_children[0] if args is not None and args.named_child_count else None
        if fn.type == "identifier":
            name = syntax.text(fn)
            if find_declaration(name, fn) is not None:
                return None
            if name in ("new", "make") and first is not None:
                typ = GoType(first, f)
                return GoType(None, f, typ) if name == "new" else typ
            if name in self.decls and args is not None and args.named_child_count == 1:
                return GoType(fn, f)  # a conversion T(x), parsed as a call
            callee = self._callee(fn, f, depth)
            if callee is not None and first is not None and returns_first_type_parameter(callee[0]):
                return self.type_of(first, f, depth + 1)  # func clone[M ~map[K]V, ...](m M) M
            return _result(*callee, 0) if callee is not None else None
        if fn.type == "unary_expression":  # (*T)(x), unparenthesized above
            target = fn.child_by_field_name("operand")
            if (
                syntax.text(fn.children[0]) == "*"
                and target is not None
                and target.type
                in (
                    "identifier",
                    "qualified_type",
                    "selector_expression",
                )
            ):
                return GoType(None, f, GoType(target, f))  # a conversion (*T)(x)
            return None
        if fn.type == "selector_expression":
            operand, fld = fn.child_by_field_name("operand"), fn.child_by_field_name("field")
            if operand is not None and fld is not None and self._is_package(operand, f):
                # maps.Clone(m) has m's type.
                clone = f.import_name("maps") == syntax.text(operand) and syntax.text(fld) == "Clone"
                return self.type_of(first, f, depth + 1) if clone and first is not None else None
            callee = self._callee(fn, f, depth)
            return _result(*callee, 0) if callee is not None else None
        return None

    def _callee(self, fn: Node, f: FileContext, depth: int) -> tuple[Node, FileContext] | None:
        """The declaration (and its file) of the package function or method a call's function
        expression (unparenthesized) names: `f` not shadowed by a local, or `x.m` on a value
        of a package type."""
        if fn.type == "identifier":
            name = syntax.text(fn)
            if find_declaration(name, fn) is not None:
                return None
            return self.funcs.get(name)
        if fn.type != "selector_expression":
            return None
        operand, fld = fn.child_by_field_name("operand"), fn.child_by_field_name("field")
        if operand is None or fld is None or self._is_package(operand, f):
            return None
        recv = self.type_of(operand, f, depth + 1)
        name = named_type_name(self.pointee(recv) or recv)
        return self.methods.get((name, syntax.text(fld))) if name else None

    def identifier_type(self, name: str, at: Node, f: FileContext, depth: int = 0) -> GoType | None:
        """The declared type of identifier name as seen at node at."""
        decl = find_declaration(name, at)
        if decl is None:
            if name not in self.vars:
                return None
            spec, vf = self.vars[name]
            key = (str(vf.path), spec.start_byte)
            if key in self._resolving:
                return None  # an initialization cycle: Go rejects it, the type stays unknown
            self._resolving.add(key)
            try:
                return self._spec_type(spec, name, vf, depth)
            finally:
                self._resolving.discard(key)
        kind, node = decl
        if kind == "param":
            return GoType(node, f)
        if kind in ("var_spec", "const_spec"):
            return self._spec_type(node, name, f, depth)
        if kind == "short_var":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            names = [syntax.text(c) for c in left.named_children] if left is not None else []
            values = right.named_children if right is not None else []
            i = names.index(name)
            if len(values) == len(names):
                return self.type_of(values[i], f, depth + 1)
            if len(values) == 1:
                return self._multi_value(values[0], i, f, depth)
            return None
        if kind == "range":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            names = [syntax.text(c) for c in left.named_children] if left is not None else []
            ranged = self.type_of(right, f, depth + 1) if right is not None else None
            parts = self.map_parts(ranged)
            i = names.index(name)
            if parts is not None:
                return parts[i]
            elem = self.element(ranged)
            return elem if elem is not None and i == 1 else None
        return None

    def text_of(self, name: str, at: Node, f: FileContext) -> str | None:
        """The type of identifier name at node at, as it is written (None when unknown)."""
        t = self.identifier_type(name, at, f)
        return t.text if t is not None else None

    def expression_text(self, expr: Node, f: FileContext) -> str | None:
        """The type of expr, as it is written (None when unknown)."""
        t = self.type_of(expr, f)
        return t.text if t is not None else None

    def _spec_type(self, spec: Node, name: str, f: FileContext, depth: int) -> GoType | None:
        typ = spec.child_by_field_name("type")
        if typ is not None:
            return GoType(typ, f)
        names = [syntax.text(c) for c in spec.children_by_field_name("name")]
        value = spec.child_by_field_name("value")
        if value is not None and len(value.named_children) == len(names):
            return self.type_of(value.named_children[names.index(name)], f, depth + 1)
        if value is not None and len(value.named_children) == 1:
            return self._multi_value(value.named_children[0], names.index(name), f, depth)
        return None

    def _multi_value(self, value: Node, i: int, f: FileContext, depth: int) -> GoType | None:
        """The type of the i-th name assigned from one multi-valued expression: `v, ok := m[k]`
        (the value), `a, err := f()` (a result of a package function or method)."""
        value = syntax.unparen(value)
        if value.type == "index_expression":
            return self.type_of(value, f, depth + 1) if i == 0 else None
        if value.type == "call_expression":
            return self._call_type(value, f, depth + 1, i)
        return None


@dataclass(frozen=True)
class Embedded:
    """An embedded field a promoted member is reached through: its type, as written in the
    package of types, and whether it is embedded as a pointer (a separate allocation)."""

    types: PackageTypes
    type: GoType
    pointer: bool


@dataclass(frozen=True)
class Member:
    """A struct member found by PackageTypes.member: its type (written in the package of types)
    and the embedded fields, outermost first, it is promoted through."""

    type: GoType
    types: PackageTypes
    via: tuple[Embedded, ...]


def _result(decl: Node, f: FileContext, index: int) -> GoType | None:
    """The type of result index of a function or method declaration."""
    types = result_types(decl)
    return GoType(types[index], f) if index < len(types) else None


def named_type_name(t: GoType | None) -> str | None:
    """ "T" when t is written as T or T[...] (a name of this package or a type parameter)."""
    if t is None or t.node is None:
        return None
    node = t.node
    if node.type == "generic_type":
        node = node.child_by_field_name("type") or node
    return syntax.text(node) if node.type == "type_identifier" else None
