"""Finalizers and cleanups registered in a module: which types have one, and what it releases.

A call `runtime.SetFinalizer(x, fin)` or `runtime.AddCleanup(x, fn, arg)` anywhere in
the module (its non-test files, and the test files of the package being analysed)
registers one for the type x points to. Without any registration for a type (or for
a type it embeds), collecting an object of that type frees nothing: there is no
finalizer race to report.

What a finalizer releases is read from the function it runs, followed through the
forms real code uses: a function literal (`func(w *T) { C.free(w.c) }`), a method
expression (`(*T).Close`, also of a method promoted from an embedded type), a method
value (`w.free`, or a method value handed to a helper: `strategy(v.free)`), and a
package function (`destroy`). The fields of the object it touches are what it
releases; None means it cannot be told (the object is handed on whole, a function
of another package runs, or a literal ignores its argument and captures another
object). A cleanup with an empty body releases nothing (it only ties lifetimes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext, PackageContext
from codemod.readfile import read_file
from gofacts.decls import Declarations
from gofacts.module import Module
from gofacts.signatures import first_parameter, parameter_names, receiver_name
from gofacts.types import GoType, PackageTypes

QualifiedType = tuple[Path, str]
"""A named type: the directory of the package declaring it, and its name."""

_NEEDLES = (b"SetFinalizer", b"AddCleanup")
_CALLS = (
    "(call_expression function: (selector_expression field: (field_identifier) @name"
    ' (#any-of? @name "SetFinalizer" "AddCleanup"))) @c'
)
_MAX_DEPTH = 3


@dataclass(frozen=True)
class Registration:
    """One runtime.SetFinalizer or runtime.AddCleanup call.

    Attributes:
        type: the type registered for.
        call: "SetFinalizer" or "AddCleanup".
        file: the file holding the call.
        function: the finalizer as written ("(*Stmt).Close", "destroyBPF", "a function literal").
        fields: the fields of the object it uses (what it releases); None when unknown.
            Fields the registering function sets from the same pointer as one of those
            (`&Commit{Object: Object{ptr: (*C.git_object)(p)}, cast_ptr: p}`) are included.
        aliases: for each such aliasing field, the released field it points with.
        freed: the fields the finalizer's own body only ever hands to `C.free` (which frees
            that one block and nothing it points to).
    """

    type: QualifiedType
    call: str
    file: Path
    function: str
    fields: frozenset[str] | None
    aliases: tuple[tuple[str, str], ...] = ()
    freed: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Evidence:
    """Why a type is known to be finalized: its registrations merged.

    call, file and function describe the first registration; fields is the union of what they
    release, None when some registration cannot be followed.
    """

    type: QualifiedType
    call: str
    file: Path
    function: str
    fields: frozenset[str] | None
    aliases: tuple[tuple[str, str], ...] = ()
    freed: frozenset[str] = frozenset()
    """The released fields every registration frees only with `C.free` (Registration.freed)."""

    def where(self, seen_from: Path, module_root: Path | None) -> str:
        """ "runtime.SetFinalizer in w.go", the file named relative to the module root when it is
        not in directory seen_from."""
        name = self.file.name
        if self.file.parent != seen_from and module_root is not None:
            name = self.file.relative_to(module_root).as_posix()
        return f"runtime.{self.call} in {name}"


class Finalizers:
    """The finalizers and cleanups of the module of one package (see the module doc), read
    for each type when it is first asked about."""

    def __init__(self, pkg: PackageContext) -> None:
        self.pkg = pkg
        self.module = Module.of(pkg)
        self._own = list(_package_registrations(pkg, pkg.files_with(*_NEEDLES), self.module))
        self._evidence: dict[QualifiedType, Evidence | None] = {}

    @staticmethod
    def of(pkg: PackageContext) -> Finalizers:
        """The finalizers of pkg's module, seen from pkg (computed once per package)."""
        return pkg.derived("gofacts.finalizers", lambda: Finalizers(pkg))

    def evidence(self, t: QualifiedType) -> Evidence | None:
        """The evidence that type t is finalized, or None when nothing registers one for it:
        the registrations of the package (first) and of the other packages of the module that
        may register one for t (registering)."""
        if t not in self._evidence:
            regs = [r for r in self._own if r.type == t]
            if self.module is not None:
                for directory in registering(self.module, self.pkg.shared, t[0]):
                    if directory != self.pkg.directory:
                        found = _registrations_in(self.module, directory, self.pkg.shared)
                        regs.extend(r for r in found if r.type == t)
            self._evidence[t] = _merged(regs)
        return self._evidence[t]


def _merged(regs: list[Registration]) -> Evidence | None:
    """The evidence of one type's registrations, in order (None without any)."""
    if not regs:
        return None
    a = regs[0]
    out = Evidence(a.type, a.call, a.file, a.function, a.fields, a.aliases, a.freed)
    for r in regs[1:]:
        fields = None if out.fields is None or r.fields is None else out.fields | r.fields
        aliases = tuple(sorted(set(out.aliases) | set(r.aliases)))
        # freed plainly by every registration that releases the field at all
        freed = (
            (out.freed | r.freed)
            - ((out.fields or frozenset()) - out.freed)
            - ((r.fields or frozenset()) - r.freed)
        )
        freed = freed if fields is not None else frozenset()
        out = Evidence(out.type, out.call, out.file, out.function, fields, aliases, frozenset(freed))
    return out


def registering(module: Module, shared: dict[Any, Any], directory: Path) -> list[Path]:
    """The directories of the module (sorted) whose non-test files may register a
    finalizer or cleanup for a type of the package in directory: that package's own, if its
    files name one, and those of the packages that name one and import a package of the
    module. A package can name another package's type only through an import of the module
    (gofacts.types resolves no other), so a package importing none registers only types of
    its own. Read from the bytes of the module's files, once per run and process."""
    key = ("gofacts.finalizers.registering", module.root)
    found = shared.get(key)
    if found is None:
        needing = sorted({p.parent for p in module.files_with(*_NEEDLES)})
        imports = _import_needles(module.path)
        importing = [
            d for d in needing if imports and any(_holds_any(p, imports) for p in module.source_files(d))
        ]
        found = shared[key] = (importing, set(needing))
    importers, needing = found
    if directory not in needing or directory in importers:
        return importers
    return sorted([*importers, directory])


def _holds_any(path: Path, needles: tuple[bytes, ...]) -> bool:
    try:
        data = read_file(path)
    except OSError:
        return False
    return any(n in data for n in needles)


def _import_needles(module_path: str) -> tuple[bytes, ...]:
    """The bytes an import spec of a package of the module at module_path starts with (none
    for a module without a path: gofacts.module resolves no import of it)."""
    if not module_path:
        return ()
    path = module_path.encode()
    return tuple(q + path + end for q in (b'"', b"`") for end in (q, b"/"))


def _registrations_in(module: Module, directory: Path, shared: dict[Any, Any]) -> list[Registration]:
    """The registrations of the package in directory, read from disk (once per run and
    process; the package being analysed reads its own, possibly edited, files instead)."""
    key = ("gofacts.finalizers", module.root, directory)
    found = shared.get(key)
    if found is None:
        other = module.package(directory, keep=False)
        found = list(_package_registrations(other, other.files_with(*_NEEDLES), module)) if other else []
        shared[key] = found
    return found


def _package_registrations(
    pkg: PackageContext, files: list[FileContext], module: Module | None
) -> list[Registration]:
    out = []
    for f in files:
        runtime = f.import_name("runtime")
        if not runtime:
            continue
        found = syntax.captures(_CALLS, f.root).get("c", [])
        for call in sorted(found, key=lambda n: n.start_byte):
            reg = _registration(call, f, pkg, runtime, module)
            if reg is not None:
                out.append(reg)
    return out


def _registration(
    call: Node, f: FileContext, pkg: PackageContext, runtime: str, module: Module | None
) -> Registration | None:
    fn = call.child_by_field_name("function")
    operand = fn.child_by_field_name("operand") if fn is not None else None
    member = fn.child_by_field_name("field") if fn is not None else None
    if operand is None or member is None or syntax.text(operand) != runtime:
        return None
    kind = syntax.text(member)
    args = call.child_by_field_name("arguments")
    given = [a for a in args.named_children if a.type != "comment"] if args is not None else []
    if len(given) < 2 or syntax.text(given[1]) == "nil":
        return None  # SetFinalizer(x, nil) removes a finalizer
    found = _finalized_type(given, f, pkg, kind)
    if found is None:
        return None
    types, name = found
    function, fields = _released(kind, given, name, types, f)
    aliases = _aliases(given[0], fields) if fields else ()
    if fields and aliases:
        fields = fields | {alias for alias, _ in aliases}
    freed = _freed_plainly(syntax.unparen(given[1])) if kind == "SetFinalizer" and fields else frozenset()
    return Registration((types.pkg.directory, name), kind, f.path, function, fields, aliases, freed)


def _freed_plainly(fin: Node) -> frozenset[str]:
    """For a function literal finalizer: the fields of its parameter p that its body uses only
    as `C.free(p.f)` or `C.free(unsafe.Pointer(p.f))`; empty when p is used any other way."""
    param = first_parameter(fin) if fin.type == "func_literal" else None
    body = fin.child_by_field_name("body")
    if param in (None, "_") or body is None:
        return frozenset()
    out: set[str] = set()
    for n in syntax.named_walk(body):
        if n.type != "identifier" or syntax.text(n) != param:
            continue
        sel = n.parent
        field = (
            sel.child_by_field_name("field")
            if sel is not None and sel.type == "selector_expression"
            else None
        )
        if field is None or sel.child_by_field_name("operand") != n or not _freed_by_free(sel):  # type: ignore[union-attr]
            return frozenset()
        out.add(syntax.text(field))
    return frozenset(out)


def _freed_by_free(expr: Node) -> bool:
    """expr is the one argument of `C.free`, directly or through `unsafe.Pointer(...)`."""
    node = expr
    while True:
        args = node.parent
        call = args.parent if args is not None and args.type == "argument_list" else None
        if call is None or call.type != "call_expression" or args.named_child_count != 1:  # type: ignore[union-attr]
            return False
        fn = syntax.text(call.child_by_field_name("function") or call).replace(" ", "")
        if fn == "C.free":
            return True
        if not fn.endswith(".Pointer"):
            return False
        node = call


def _aliases(obj: Node, fields: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """The fields that the composite literal building obj (`o := &T{ptr: (*C.obj)(p),
    cast: p}` in the registering function) sets from the same variable as one of fields:
    they point at the same C memory, so the finalizer releases what they point to too."""
    obj = syntax.unparen(obj)
    if obj.type != "identifier":
        return ()
    func = syntax.enclosing_function(obj)
    literal = _built_by(syntax.text(obj), func, obj.start_byte) if func is not None else None
    if literal is None:
        return ()
    sources: dict[str, set[str]] = {}
    for field, value in _literal_fields(literal):
        sources.setdefault(value, set()).add(field)
    out: set[tuple[str, str]] = set()
    for group in sources.values():
        released = sorted(group & fields)
        out |= {(alias, released[0]) for alias in group - fields} if released else set()
    return tuple(sorted(out))


def _built_by(name: str, func: Node, before: int) -> Node | None:
    """The composite literal of the last `name := &T{...}` / `name := T{...}` before offset."""
    found = None
    for n in syntax.named_walk(func):
        if n.start_byte >= before:
            break
        if n.type != "short_var_declaration":
            continue
        left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
        if left is None or right is None or syntax.text(left) != name or right.named_child_count != 1:
            continue
        value = syntax.unparen(right.named_children[0])
        if value.type == "unary_expression" and value.named_child_count == 1:
            value = syntax.unparen(value.named_children[0])
        found = value if value.type == "composite_literal" else None
    return found


def _literal_fields(literal: Node) -> list[tuple[str, str]]:
    """(field, the variable its value converts) for the keyed elements of a struct literal,
    nested literals of embedded structs included: `ptr: (*C.git_object)(p)` gives (ptr, p)."""
    body = literal.child_by_field_name("body")
    out = []
    for element in body.named_children if body is not None else []:
        if element.type != "keyed_element" or element.named_child_count != 2:
            continue
        key, value = (
            syntax.unparen(c.named_children[0]) if c.named_children else c for c in element.named_children
        )
        if value.type == "composite_literal":
            out += _literal_fields(value)
            continue
        root = _converted(value)
        if key.type in ("identifier", "field_identifier") and root is not None:
            out.append((syntax.text(key), root))
    return out


def _converted(value: Node) -> str | None:
    """The variable value names, through conversions (`(*C.T)(p)`, `unsafe.Pointer(p)`)."""
    value = syntax.unparen(value)
    while value.type in ("call_expression", "type_conversion_expression"):
        args = value.child_by_field_name("arguments")
        fn = value.child_by_field_name("function")
        if args is None or args.named_child_count != 1 or fn is None:
            if value.type == "type_conversion_expression":
                operand = value.child_by_field_name("operand")
                return syntax.text(operand) if operand is not None and operand.type == "identifier" else None
            return None
        text = syntax.text(fn)
        if not (text.startswith("(") or text.startswith("C.") or text == "unsafe.Pointer"):
            return None
        value = syntax.unparen(args.named_children[0])
    return syntax.text(value) if value.type == "identifier" else None


def _finalized_type(
    args: list[Node], f: FileContext, pkg: PackageContext, kind: str
) -> tuple[PackageTypes, str] | None:
    """The type a registration is for, with the resolver of its package."""
    types = PackageTypes.of(pkg)
    named = types.named(types.type_of(args[0], f))
    if named is not None:
        return named[0], named[1].name
    fin = syntax.unparen(args[1])
    if kind == "SetFinalizer" and fin.type == "func_literal":
        params = fin.child_by_field_name("parameters")
        first = params.named_children[0] if params is not None and params.named_children else None
        typ = first.child_by_field_name("type") if first is not None else None
        if typ is not None:
            text = syntax.text(typ).lstrip("*").strip()
            if text.isidentifier() and text in types.decls:
                return types, text
    if kind == "SetFinalizer" and fin.type == "selector_expression":
        recv = syntax.unparen(fin.child_by_field_name("operand") or fin)
        text = syntax.text(recv).strip("()").lstrip("*").strip()
        if text.isidentifier() and text in types.decls:
            return types, text
    return None


def _released(
    kind: str, args: list[Node], type_name: str, types: PackageTypes, f: FileContext
) -> tuple[str, frozenset[str] | None]:
    """(the finalizer as written, the fields of the object it uses)."""
    obj = syntax.unparen(args[0])
    fin = syntax.unparen(args[1])
    callables = Declarations.of(types.pkg).callables
    if kind == "AddCleanup":
        if fin.type == "func_literal" and _empty(fin):
            return "an empty function literal", frozenset()
        arg = syntax.unparen(args[2]) if len(args) > 2 else None
        if arg is not None and arg.type == "selector_expression" and obj.type == "identifier":
            base = syntax.unparen(arg.child_by_field_name("operand") or arg)
            field = arg.child_by_field_name("field")
            if field is not None and syntax.text(base) == syntax.text(obj):
                return syntax.text(fin), frozenset({syntax.text(field)})
        return syntax.text(fin), None
    if fin.type == "func_literal":
        param = first_parameter(fin)
        body = fin.child_by_field_name("body")
        if body is None:
            return "a function literal", None
        if param in (None, "_"):
            return "a function literal", frozenset() if _empty(fin) else None
        return "a function literal", fields_used(param, body, type_name, callables)
    method = _method_of(fin, obj, type_name, types)
    if method is not None:
        decl, owner = method
        body = decl.child_by_field_name("body")
        recv = receiver_name(decl)
        if body is None:
            return syntax.text(fin), None
        if recv is None:
            return syntax.text(fin), frozenset()
        return syntax.text(fin), fields_used(recv, body, owner, Declarations.of(types.pkg).callables)
    if fin.type == "identifier" and (None, syntax.text(fin)) in callables:
        decl = callables[(None, syntax.text(fin))]
        body = decl.child_by_field_name("body")
        param = first_parameter(decl)
        if body is None or param is None:
            return syntax.text(fin), None if body is None else frozenset()
        return syntax.text(fin), fields_used(param, body, type_name, callables)
    return syntax.text(fin), None


def _method_of(fin: Node, obj: Node, type_name: str, types: PackageTypes) -> tuple[Node, str] | None:
    """The method a method expression `(*T).m` / `T.m`, or a method value `obj.m`, names:
    its declaration and the type declaring it (an embedded type when m is promoted)."""
    if fin.type != "selector_expression":
        return None
    operand, field = fin.child_by_field_name("operand"), fin.child_by_field_name("field")
    if operand is None or field is None:
        return None
    text = syntax.text(syntax.unparen(operand)).strip("()").lstrip("*").strip()
    if text != type_name and syntax.text(syntax.unparen(operand)) != syntax.text(obj):
        return None
    return _find_method(type_name, syntax.text(field), types, 0)


def _find_method(type_name: str, name: str, types: PackageTypes, depth: int) -> tuple[Node, str] | None:
    callables = Declarations.of(types.pkg).callables
    if (type_name, name) in callables:
        return callables[(type_name, name)], type_name
    decl = types.decls.get(type_name)
    if decl is None or decl.type_node.type != "struct_type" or depth > 3:
        return None
    for _, ftype, embedded in types.fields(GoType(decl.type_node, decl.file)):
        if embedded and ftype.node is not None:
            inner = syntax.text(ftype.node).lstrip("*").strip()
            if inner.isidentifier():
                found = _find_method(inner, name, types, depth + 1)
                if found is not None:
                    return found
    return None


def _empty(func: Node) -> bool:
    """Whether a function literal's body holds no statement."""
    body = func.child_by_field_name("body")
    if body is None:
        return False
    return all(n.type in ("block", "statement_list", "comment") for n in syntax.named_walk(body))


def fields_used(
    name: str, body: Node, type_name: str, funcs: Mapping[tuple[str | None, str], Node], depth: int = 0
) -> frozenset[str] | None:
    """The fields of variable name (of struct type type_name) that body uses, following calls
    of type_name's methods on it, method values of it (`strategy(v.free)`), and package
    functions it is passed to.

    None when name is used in any other way (stored, passed elsewhere, converted): then
    what body does with the object cannot be told. Uses as an argument of a runtime
    function (runtime.SetFinalizer(x, nil), runtime.KeepAlive(x)) are ignored.
    """
    out: set[str] = set()
    for n in syntax.named_walk(body):
        if n.type != "identifier" or syntax.text(n) != name:
            continue
        parent = n.parent
        if parent is None or parent.type == "parameter_declaration":
            continue
        if parent.type == "selector_expression" and parent.child_by_field_name("operand") == n:
            field = syntax.text(parent.child_by_field_name("field") or parent)
            method = funcs.get((type_name, field))
            if method is not None:
                inner = _followed(method, receiver_name(method), type_name, funcs, depth)
                if inner is None:
                    return None
                out |= inner
            else:
                out.add(field)
            continue
        call = parent.parent if parent.type == "argument_list" else None
        fn = call.child_by_field_name("function") if call is not None else None
        if fn is None:
            return None
        if syntax.text(fn).startswith("runtime."):
            continue
        callee = funcs.get((None, syntax.text(fn))) if fn.type == "identifier" else None
        if callee is None:
            return None
        index = [c.id for c in parent.named_children].index(n.id)
        params = parameter_names(callee)
        inner = _followed(callee, params[index] if index < len(params) else None, type_name, funcs, depth)
        if inner is None:
            return None
        out |= inner
    return frozenset(out)


def _followed(
    func: Node, name: str | None, type_name: str, funcs: Mapping[tuple[str | None, str], Node], depth: int
) -> frozenset[str] | None:
    body = func.child_by_field_name("body")
    if name is None or body is None:
        return frozenset() if name is None and body is not None else None
    if depth >= _MAX_DEPTH:
        return None
    return fields_used(name, body, type_name, funcs, depth + 1)
