"""The shapes of cgo calls keepalive reads: which calls call C, what their arguments carry.

A C call is `C.f(...)` where f is not a C type (a conversion such as `C.uint32_t(x)`) nor
a cgo helper that copies Go memory (`C.CString`, `C.CBytes`); an argument is unwrapped from
the conversions that keep its value (`(*C.char)(x)`, `unsafe.Pointer(x)`, `uintptr(x)`,
`C.size_t(x)`) to find the owner it was read from (`w.c` -> w and c).
"""

from __future__ import annotations

import re

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext
from gofacts import cgo

# cgo helpers that copy Go values into C memory: what they receive is a Go value, not a handle
# (C.GoString(w.c) reads the C memory, and counts as a use of the handle).
_GO_VALUE_COPIES = frozenset({"CString", "CBytes"})


C_CALLS = '(call_expression function: (selector_expression operand: (identifier) @op (#eq? @op "C"))) @c'


RELEASE = re.compile(r"(?i)free|destroy|release|delete|close|cleanup|dispose|unref|finali[sz]e|dealloc")


def calls_matching(root: Node, query: str) -> list[Node]:
    """The call_expression nodes the query captures as @c under root, in source order
    (an enclosing call before the calls inside it)."""
    found = syntax.captures(query, root).get("c", [])
    return sorted(found, key=lambda n: (n.start_byte, -n.end_byte))


def cgo_typedefs(f: FileContext) -> set[str]:
    return cgo.typedefs(f)


def c_function(call: Node, f: FileContext, typedefs: set[str]) -> str | None:
    """The C function a call `C.f(...)` calls (None for conversions and Go-value copies)."""
    return cgo.c_function(call, typedefs, _GO_VALUE_COPIES)


def strip_conversions(arg: Node, f: FileContext | None, typedefs: set[str]) -> Node:
    """(*C.char)(x), unsafe.Pointer(x), uintptr(x), C.size_t(x) -> x (f None: assume `unsafe`)."""
    unsafe_name = f.import_name("unsafe") if f is not None else "unsafe"
    while True:
        arg = syntax.unparen(arg)
        if arg.type != "call_expression":
            return arg
        fn = arg.child_by_field_name("function")
        args = arg.child_by_field_name("arguments")
        if fn is None or args is None or args.named_child_count != 1:
            return arg
        conversion = False
        if fn.type == "parenthesized_expression":
            inner = syntax.unparen(fn)
            conversion = inner.type in ("unary_expression", "pointer_type") and syntax.text(inner).startswith(
                "*"
            )
        elif fn.type == "identifier":
            conversion = syntax.text(fn) in ("uintptr",)
        elif fn.type == "selector_expression":
            operand, field = fn.child_by_field_name("operand"), fn.child_by_field_name("field")
            if operand is not None and field is not None:
                qual, member = syntax.text(operand), syntax.text(field)
                conversion = (qual == unsafe_name and member == "Pointer") or (
                    qual == "C" and cgo.is_c_type_name(member, typedefs)
                )
        if not conversion:
            return arg
        arg = args.named_children[0]


def owner_of(expr: Node, f: FileContext | None) -> tuple[str, tuple[str, ...]] | None:
    """For a selector chain w.a.b, (w, ("a", "b")); None for anything else (or an import of f)."""
    if expr.type != "selector_expression":
        return None
    chain = expr
    fields: list[str] = []
    while chain.type == "selector_expression":
        field = chain.child_by_field_name("field")
        operand = chain.child_by_field_name("operand")
        if field is None or operand is None:
            return None
        fields.append(syntax.text(field))
        chain = syntax.unparen(operand)
    if chain.type != "identifier":
        return None
    name = syntax.text(chain)
    if name in ("C", "_") or (f is not None and name in f.imported_names):
        return None
    return name, tuple(reversed(fields))
