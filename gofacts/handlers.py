"""Code that net/http runs once per request: HTTP handlers, and the package code they call.

A net/http Server serves each connection on a goroutine of its own, so a handler runs on
as many goroutines at once as there are requests in flight: the most common source of
concurrency in Go servers, started by the standard library rather than by a `go` statement
the package writes. A handler is a function, method or function literal with a parameter of
type http.ResponseWriter (`func(w http.ResponseWriter, r *http.Request)`, ServeHTTP, a
middleware's returned literal), or the per-request context of a web framework that serves
requests the same way (PER_REQUEST_PARAMETERS: gin, echo, fiber). serving_handler answers
which handler of the package runs a node: the node's own function, or a function or method
that calls it, followed up the package's calls by name (HANDLER_DEPTH levels). A method is
followed only when its name is declared once in the package, so a call `x.Inc()` resolves
to it alone; test files do not count (a test server serves what the test sends).
"""

from __future__ import annotations

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext, PackageContext
from gofacts import scope
from gofacts.decls import Declarations

HANDLER_DEPTH = 2


def serving_handler(node: Node, f: FileContext, pkg: PackageContext) -> Node | None:
    """The HTTP handler of the package that runs node (see the module doc), or None."""
    if f.is_test:
        return None
    func = syntax.enclosing_function(node)
    todo = [(f, func, 0)] if func is not None else []
    seen: set[int] = set()
    while todo:
        file, func, depth = todo.pop(0)
        if func.id in seen:
            continue
        seen.add(func.id)
        if is_handler(func, file):
            return func
        if depth < HANDLER_DEPTH:
            todo += [(cf, caller, depth + 1) for cf, caller in _calling_functions(func, pkg)]
    return None


PER_REQUEST_PARAMETERS = (
    ("net/http", "{}.ResponseWriter"),
    ("github.com/gin-gonic/gin", "*{}.Context"),
    ("github.com/labstack/echo/v4", "{}.Context"),
    ("github.com/gofiber/fiber/v2", "*{}.Ctx"),
)
"""(import path, parameter type with the package's name as {}) of the handlers that servers run
once per request, each on a goroutine of its own: net/http's, and those of the web frameworks
built on it or on fasthttp (gin, echo, fiber), which serve requests the same way."""


def is_handler(func: Node, f: FileContext) -> bool:
    """Whether func (a declaration or a literal) takes a per-request parameter of a server:
    an http.ResponseWriter, a *gin.Context, an echo.Context or a *fiber.Ctx."""
    params = func.child_by_field_name("parameters")
    if params is None:
        return False
    wanted = set()
    for path, spelled in PER_REQUEST_PARAMETERS:
        name = f.import_name(path)
        if name:
            wanted.add(spelled.format(name))
    return bool(wanted) and any(
        p.type == "parameter_declaration" and syntax.text(p.child_by_field_name("type") or p) in wanted
        for p in params.named_children
    )


def _calling_functions(func: Node, pkg: PackageContext) -> list[tuple[FileContext, Node]]:
    """The functions and literals of the package's non-test files holding a call of func, by
    name; none for a literal, or a method whose name the package declares more than once."""
    name_node = func.child_by_field_name("name")
    if name_node is None or func.type not in ("function_declaration", "method_declaration"):
        return []
    name = syntax.text(name_node)
    method = func.type == "method_declaration"
    if method and len(Declarations.of(pkg).methods_named(name)) != 1:
        return []
    out = []
    for f in pkg.sources:
        if f.is_test or name.encode() not in f.content or f.broken:
            continue
        for leaf in f.leaves_spelled(name):
            call = _call_of(leaf, method)
            caller = syntax.enclosing_function(call) if call is not None else None
            if caller is not None:
                out.append((f, caller))
    return out


def _call_of(leaf: Node, method: bool) -> Node | None:
    """The call `name(...)` (a package function's, not a local's) or `x.name(...)` that leaf
    is the name of."""
    fn = leaf.parent if method else leaf
    if fn is None:
        return None
    if method and (fn.type != "selector_expression" or fn.child_by_field_name("field") != leaf):
        return None
    if not method and (leaf.type != "identifier" or scope.declaration_of(leaf) is not None):
        return None
    call = fn.parent
    if call is None or call.type != "call_expression" or call.child_by_field_name("function") != fn:
        return None
    return call
