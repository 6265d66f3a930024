"""cgo calls, read from the syntax: which `C.name(...)` calls a C function, and which converts.

A selector `C.name` names a C function, a C type or a cgo helper. Types are known
from C's scalar names, the `_t` suffix, the `struct_`/`union_`/`enum_` prefixes cgo
gives tagged types, and the typedefs the file's own cgo preamble declares; a call
of a type name is a conversion (`C.size_t(n)`), not a call of C. Typedefs that
come from included headers are not visible in the Go file's bytes.
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
"""The C scalar types cgo names `C.int`, `C.ulong`, ..."""

CGO_HELPERS = frozenset({"CString", "CBytes", "GoString", "GoStringN", "GoBytes"})
"""cgo's own functions: they copy Go strings and bytes into C memory, or read C memory."""

_TYPEDEF = re.compile(rb"typedef\b[^;{]*(?:\{[^}]*\}[^;]*)?\b(\w+)\s*;")


def typedefs(f: FileContext) -> set[str]:
    """The names the typedefs of f's bytes (its cgo preamble) declare."""
    return {m.group(1).decode() for m in _TYPEDEF.finditer(f.content)}


def is_c_type_name(name: str, declared: set[str]) -> bool:
    """Whether `C.name` is certainly a C type (declared: the preamble's typedefs)."""
    return (
        name in C_SCALARS
        or name in declared
        or name.endswith("_t")
        or name.startswith(("struct_", "union_", "enum_"))
    )


def c_member(call: Node) -> str | None:
    """ "name" for a call `C.name(...)`, else None."""
    fn = call.child_by_field_name("function")
    if fn is None or fn.type != "selector_expression":
        return None
    operand, field = fn.child_by_field_name("operand"), fn.child_by_field_name("field")
    if operand is None or field is None or operand.type != "identifier" or syntax.text(operand) != "C":
        return None
    return syntax.text(field)


def c_function(call: Node, declared: set[str], helpers: frozenset[str] = CGO_HELPERS) -> str | None:
    """ "f" for a call of a C function `C.f(...)`; None for other calls, C type conversions and
    the cgo helpers named in helpers."""
    name = c_member(call)
    if name is None or name in helpers or is_c_type_name(name, declared):
        return None
    return name
