"""A per-package index of names for the wrap-inner-map transform (layer 2: finding uses).

Built once per package (only for packages that hold a nested map group), it
lists every identifier by name, every selector by its field name, every
keyed composite-literal element by its key, the package's functions and
methods, and how many members (struct fields, methods, interface methods)
share each name. Everything else in the transform asks it, never the trees.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext, PackageContext
from transforms import wrap_scope

_DECLARING_PARENTS = frozenset(
    {"var_spec", "const_spec", "parameter_declaration", "variadic_parameter_declaration"}
)
BUILTINS = frozenset(
    "append cap clear close complex copy delete imag len make max min new panic print println real recover"
    " nil true false iota".split()
)


@dataclass
class FileIndex:
    """Names of one file: identifier and type_identifier nodes, selectors, literal keys, and
    the literal_value nodes with positional (unkeyed) elements."""

    file: FileContext
    idents: dict[str, list[Node]] = field(default_factory=lambda: defaultdict(list))
    selectors: dict[str, list[Node]] = field(default_factory=lambda: defaultdict(list))
    keys: dict[str, list[Node]] = field(default_factory=lambda: defaultdict(list))
    positional: list[Node] = field(default_factory=list)


@dataclass
class PackageIndex:
    """Where every name of a package occurs, and what the package declares at top level.

    Attributes:
        files: one FileIndex per file, in package file order.
        functions: top-level function name -> (file, function_declaration).
        methods: method name -> every (file, method_declaration) with that name.
        members: field or method name -> how many struct fields, methods and interface
            methods of the package are called so.
        types: top-level type name -> (file, type_spec or type_alias).
        vars: package-level variable name -> (file, var_spec).
    """

    pkg: PackageContext
    files: list[FileIndex]
    functions: dict[str, tuple[FileContext, Node]]
    methods: dict[str, list[tuple[FileContext, Node]]]
    members: dict[str, int]
    types: dict[str, tuple[FileContext, Node]]
    vars: dict[str, tuple[FileContext, Node]]

    def is_builtin(self, ident: Node) -> bool:
        """True if ident denotes a predeclared identifier (len, make, nil, ...), not a shadowing one."""
        name = syntax.text(ident)
        return (
            name in BUILTINS
            and name not in self.pkg.top_level_names
            and wrap_scope.declaration_of(ident) is None
        )

    def is_nil(self, node: Node) -> bool:
        node = syntax.unparen(node)
        return node.type == "nil" or (
            node.type == "identifier" and syntax.text(node) == "nil" and self.is_builtin(node)
        )


def build(pkg: PackageContext) -> PackageIndex:
    """Index every file of pkg."""
    files = [_index_file(f) for f in pkg.files]
    functions: dict[str, tuple[FileContext, Node]] = {}
    methods: dict[str, list[tuple[FileContext, Node]]] = defaultdict(list)
    members: dict[str, int] = defaultdict(int)
    types: dict[str, tuple[FileContext, Node]] = {}
    variables: dict[str, tuple[FileContext, Node]] = {}
    for f in pkg.files:
        for decl in f.root.named_children:
            name = decl.child_by_field_name("name")
            if decl.type == "function_declaration" and name is not None:
                functions.setdefault(syntax.text(name), (f, decl))
            elif decl.type == "method_declaration" and name is not None:
                methods[syntax.text(name)].append((f, decl))
            elif decl.type == "type_declaration":
                for spec in decl.named_children:
                    n = spec.child_by_field_name("name")
                    if spec.type in ("type_spec", "type_alias") and n is not None:
                        types.setdefault(syntax.text(n), (f, spec))
            elif decl.type == "var_declaration":
                for spec in syntax.named_walk(decl, prune=frozenset({"var_spec"})):
                    if spec.type == "var_spec":
                        for n in wrap_scope.spec_names(spec):
                            variables.setdefault(syntax.text(n), (f, spec))
        _count_members(f.root, members)
    return PackageIndex(pkg, files, functions, dict(methods), dict(members), types, variables)


def _embedded_name(typ: Node) -> str:
    text = syntax.text(typ).lstrip("*").split("[", 1)[0]
    return text.rsplit(".", 1)[-1].strip()


# Member declarations (counted by name) and the nodes a FileIndex lists, each by capture name.
_MEMBERS = "(field_declaration) @field (method_declaration) @method (method_elem) @method"
_NAMES = (
    "[(identifier) (type_identifier)] @ident (selector_expression) @selector"
    " (keyed_element) @keyed (literal_value) @literal"
)


def _in_order(nodes: list[Node]) -> list[Node]:
    """Nodes in the order of a pre-order walk: by start, enclosing ones first."""
    return sorted(nodes, key=lambda n: (n.start_byte, -n.end_byte))


def _count_members(root: Node, members: dict[str, int]) -> None:
    """Add the struct fields, methods and interface methods declared under root, by name."""
    found = syntax.captures(_MEMBERS, root)
    for node in found.get("field", ()):
        names = node.children_by_field_name("name")
        if names:
            for n in names:
                members[syntax.text(n)] += 1
        else:
            typ = node.child_by_field_name("type")
            if typ is not None:
                members[_embedded_name(typ)] += 1
    for node in found.get("method", ()):
        n = node.child_by_field_name("name")
        if n is not None:
            members[syntax.text(n)] += 1


def _index_file(f: FileContext) -> FileIndex:
    idx = FileIndex(f)
    found = syntax.captures(_NAMES, f.root)
    for node in _in_order(found.get("ident", [])):
        idx.idents[syntax.text(node)].append(node)
    for node in _in_order(found.get("selector", [])):
        fld = node.child_by_field_name("field")
        if fld is not None:
            idx.selectors[syntax.text(fld)].append(node)
    for node in _in_order(found.get("keyed", [])):
        key = node.child_by_field_name("key")
        inner = key.named_children[0] if key is not None and key.named_child_count == 1 else None
        if inner is not None and inner.type == "identifier":
            idx.keys[syntax.text(inner)].append(node)
    for node in _in_order(found.get("literal", [])):
        if any(c.type == "literal_element" for c in node.named_children):
            idx.positional.append(node)
    return idx


def is_reference(ident: Node) -> bool:
    """True if an identifier node uses a name rather than declaring it or naming a field."""
    parent = ident.parent
    if parent is None:
        return False
    t = parent.type
    if t in _DECLARING_PARENTS:
        return False
    if t in ("function_declaration", "method_declaration", "type_spec", "type_alias"):
        return parent.child_by_field_name("name") != ident
    if t == "literal_element":
        grand = parent.parent
        if grand is not None and grand.type == "keyed_element" and grand.child_by_field_name("key") == parent:
            return False
    if t in ("package_clause", "import_spec", "label_name"):
        return False
    if t == "expression_list":
        holder = parent.parent
        if holder is not None and holder.child_by_field_name("left") == parent:
            if holder.type in ("range_clause", "receive_statement") and any(
                c.type == ":=" for c in holder.children
            ):
                return False
            if holder.type == "short_var_declaration":
                return wrap_scope.declaration_of(ident) != ident
        if (
            holder is not None
            and holder.type == "type_switch_statement"
            and holder.child_by_field_name("alias") == parent
        ):
            return False
    return syntax.text(ident) != "_"
