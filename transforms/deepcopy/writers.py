"""Callers that write through the map a function returns: a copy would take those writes.

When a locked function returns the map itself (`return c.m`), handing out a copy is safe
only if no caller writes through what it gets: `tokens := r.Tokens(); tokens[k] = nil`
means to change the shared map, and after the fix would change the copy. The callers are
looked at in the package, and, for an exported function, in the other packages of the
module (gofacts.module; other modules cannot be seen). A caller writes through the result
when it indexes it as an assignment target, deletes from or clears it, hands it to
`maps.Copy`/`maps.DeleteFunc`/`maps.Insert` as the destination, passes it to a function of
its package whose parameter is written through that way, or returns it from a function
whose own callers do (one wrapper level). A result passed straight into another call is
taken to be written (the callee is not followed).
"""

from __future__ import annotations

from pathlib import Path

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext, PackageContext
from gofacts.decls import Declarations
from gofacts.module import Module
from gofacts.signatures import parameter_names
from transforms.deepcopy.chains import (
    WRITING_CALLS,
    declaration_holding,
    in_order,
    is_assigned,
    is_write_target,
    uses,
    writes_through,
)


def writer_of_result(pkg: PackageContext, decl: Node, name: str) -> str:
    """The function that writes through the map decl (named name) returns, "in path" added
    when it is in another package of the module; "" when no caller does."""
    method = decl.type == "method_declaration"
    found = _writer_in(pkg, pkg.files_with(name.encode()), name, method, 0)
    if found or not name[:1].isupper():
        return found
    module = Module.of(pkg)
    if module is None:
        return ""
    for path in module.files_with(name.encode()):
        other = module.package(path.parent) if path.parent != pkg.directory else None
        files = [f for f in other.sources if f.path == path] if other is not None else []
        found = _writer_in(other, files, name, method, 0) if other is not None else ""
        if found:
            return f"{found} in {_relative(path, module.root)}"
    return ""


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def _writer_in(pkg: PackageContext, files: list[FileContext], name: str, method: bool, depth: int) -> str:
    for f in files:
        if f.broken:
            continue
        for call in in_order(syntax.captures("(call_expression) @call", f.root).get("call", [])):
            if not _calls(call, name, method):
                continue
            caller = declaration_holding(call)
            caller_name = caller.child_by_field_name("name") if caller is not None else None
            label = syntax.text(caller_name) if caller_name is not None else "a caller"
            through = _wrapper_writer(call, pkg) if depth == 0 else ""
            if through:
                return f"{through} (through {label})"
            if _result_written(call, pkg):
                return label
    return ""


def _calls(call: Node, name: str, method: bool) -> bool:
    fn = call.child_by_field_name("function")
    if fn is None:
        return False
    if method or fn.type == "selector_expression":
        fld = fn.child_by_field_name("field") if fn.type == "selector_expression" else None
        return fld is not None and syntax.text(fld) == name
    return fn.type == "identifier" and syntax.text(fn) == name


def _result_written(call: Node, pkg: PackageContext) -> bool:
    """True when the map a call returns is written through (see the module doc)."""
    if writes_through(call):
        return True
    parent = call.parent
    if parent is None:
        return False
    if parent.type != "expression_list" or parent.parent is None:
        return False
    owner = parent.parent
    if (
        owner.type not in ("short_var_declaration", "assignment_statement")
        or owner.child_by_field_name("right") != parent
    ):
        return False
    left = owner.child_by_field_name("left")
    targets = left.named_children if left is not None else []
    i = next(k for k, c in enumerate(parent.named_children) if c == call)
    if i >= len(targets) or targets[i].type != "identifier":
        return False
    func = syntax.enclosing_function(call)
    body = func.child_by_field_name("body") if func is not None else None
    return body is not None and _local_written(
        body, syntax.text(targets[i]), owner.end_byte, pkg, follow=True
    )


def _local_written(body: Node, name: str, after: int, pkg: PackageContext, follow: bool) -> bool:
    """Whether the local name, from offset after in body, is written through; with follow,
    passing it to a function of pkg whose parameter is written through counts too."""
    for use in uses(body, name, after):
        if is_assigned(use):
            break
        parent = use.parent
        if parent is None:
            continue
        if (
            parent.type == "index_expression"
            and parent.child_by_field_name("operand") == use
            and is_write_target(parent)
        ):
            return True
        if parent.type != "argument_list" or parent.parent is None:
            continue
        fn = parent.parent.child_by_field_name("function")
        text = syntax.text(fn) if fn is not None else ""
        index = [c.id for c in parent.named_children].index(use.id)
        if text in WRITING_CALLS and index == 0:
            return True
        if follow and fn is not None and _parameter_written(fn, index, pkg):
            return True
    return False


def _parameter_written(fn: Node, index: int, pkg: PackageContext) -> bool:
    """Whether the package function or method fn names writes through its parameter index."""
    declarations = Declarations.of(pkg)
    if fn.type == "identifier":
        decls = [declarations.callables.get((None, syntax.text(fn)))]
    elif fn.type == "selector_expression":
        field = fn.child_by_field_name("field")
        decls = [d[0] for d in declarations.methods_named(syntax.text(field))] if field is not None else []
    else:
        return False
    for decl in decls:
        body = decl.child_by_field_name("body") if decl is not None else None
        names = parameter_names(decl) if decl is not None else []
        if (
            body is not None
            and index < len(names)
            and _local_written(body, names[index], body.start_byte, pkg, False)
        ):
            return True
    return False


def _wrapper_writer(call: Node, pkg: PackageContext) -> str:
    """For `return x.Get()` alone in a function, the caller in pkg that writes through what
    that function returns ("" if none, or call is not returned so)."""
    parent = call.parent
    statement = parent.parent if parent is not None and parent.type == "expression_list" else None
    if statement is None or statement.type != "return_statement" or parent.named_child_count != 1:  # type: ignore[union-attr]
        return ""
    wrapper = declaration_holding(call)
    name = wrapper.child_by_field_name("name") if wrapper is not None else None
    if wrapper is None or name is None:
        return ""
    method = wrapper.type == "method_declaration"
    return _writer_in(pkg, pkg.files_with(syntax.text(name).encode()), syntax.text(name), method, 1)
