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

C_SCALARS = frozenset(
    (
        "char schar uchar short ushort int uint long ulong longlong ulonglong float double"
        " complexfloat complexdouble size_t ssize_t intptr_t uintptr_t ptrdiff_t _Bool bool"
    ).split()
)


# cgo helpers that copy Go values into C memory or read C memory into Go.
_GO_VALUE_COPIES = frozenset({"CString", "CBytes"})


_TYPEDEF = re.compile(rb"typedef\b[^;{]*(?:\{[^}]*\}[^;]*)?\b(\w+)\s*;")


C_CALLS = '(call_expression function: (selector_expression operand: (identifier) @op (#eq? @op "C"))) @c'


RELEASE = re.compile(r"(?i)free|destroy|release|delete|close|cleanup|dispose|unref|finali[sz]e|dealloc")


def calls_matching(root: Node, query: str) -> list[Node]:
    """The call_expression nodes the query captures as @c under root, in source order
    (an enclosing call before the calls inside it)."""
    found = syntax.captures(query, root).get("c", [])
    return sorted(found, key=lambda n: (n.start_byte, -n.end_byte))


def cgo_typedefs(f: FileContext) -> set[str]:
    names: set[str] = set()
    for m in _TYPEDEF.finditer(f.content):
        names.add(m.group(1).decode())
    return names


def _is_c_type_name(name: str, typedefs: set[str]) -> bool:
    return (
        name in C_SCALARS
        or name in typedefs
        or name.endswith("_t")
        or name.startswith(("struct_", "union_", "enum_"))
    )


def c_function(call: Node, f: FileContext, typedefs: set[str]) -> str | None:
    fn = call.child_by_field_name("function")
    if fn is None or fn.type != "selector_expression":
        return None
    operand, field = fn.child_by_field_name("operand"), fn.child_by_field_name("field")
    if operand is None or field is None or operand.type != "identifier" or f.text(operand) != "C":
        return None
    name = f.text(field)
    if _is_c_type_name(name, typedefs) or name in _GO_VALUE_COPIES:
        return None
    return name


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
                    qual == "C" and _is_c_type_name(member, typedefs)
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
