"""Naming, placing and declaring the wrapper type (wrap-inner-map, layer 4).

Naming rule: the wrapper of a group is `<base>Inner`, where base is, in this
order of preference, the name of the group's first named type or alias, else
the name declared by the group's first spelling (a variable, a struct field,
a parameter or, for an unnamed parameter or result, its function; for a
`make` or literal, the variable it initialises or else the enclosing
function), turned lower-camel so the wrapper is unexported (`ByRegion` ->
`byRegionInner`, `URLMap` -> `urlMapInner`). "First" means first in source
order, non-test files before test files, files by path. When that name is
already declared or used anywhere in the package (or by another group in the
same run) the suffix 2, 3, ... is added. The name depends only on the
package's source, so every pass and every run derive the same one.

Placement: the wrapper is declared right after the top-level declaration
holding that first spelling, in a file that has no build constraint (it must
exist in every build of the package); a test file holds it only when the
package's non-test files do not use the type.
"""

from __future__ import annotations

import keyword
import re

from tree_sitter import Node

from codemod import golines, syntax
from codemod.context import FileContext, PackageContext
from codemod.imports import plan_imports
from codemod.model import Edit
from transforms.wrap_inner_map.groups import Group, Spelling

_GOOS_ARCH = re.compile(
    r"_(aix|android|darwin|dragonfly|freebsd|hurd|illumos|ios|js|linux|nacl|netbsd|openbsd|plan9|solaris"
    r"|wasip1|windows|zos|386|amd64|amd64p32|arm|armbe|arm64|arm64be|loong64|mips|mipsle|mips64|mips64le"
    r"|mips64p32|mips64p32le|ppc|ppc64|ppc64le|riscv|riscv64|s390|s390x|sparc|sparc64|wasm)(_test)?\.go$"
)
_CONSTRAINT = re.compile(rb"^//(go:build|\s*\+build)\s", re.M)
_GO_KEYWORDS = frozenset(
    "break case chan const continue default defer else fallthrough for func go goto if import interface map"
    " package range return select struct switch type var".split()
)


def spelling_order(s: Spelling) -> tuple[bool, str, int]:
    """Sort key of spellings: non-test files first, then by path and position."""
    return (s.file.is_test, str(s.file.path), s.node.start_byte)


def declared_name(s: Spelling) -> tuple[str, bool]:
    """(name, names a declaration): what a spelling declares or initialises, else its function.

    The flag is False only for the fallback to the enclosing function's name.
    """
    node = s.node
    parent = node.parent
    if parent is None:
        return "", False
    if parent.type in ("var_spec", "field_declaration", "parameter_declaration"):
        names = [syntax.text(n) for n in parent.children_by_field_name("name") if syntax.text(n) != "_"]
        if names:
            return names[0], True
    if parent.type in ("type_spec", "type_alias"):
        name = parent.child_by_field_name("name")
        return (syntax.text(name), True) if name is not None else ("", False)
    target = _initialised(node)
    if target:
        return target, True
    func = syntax.enclosing_function(node)
    while func is not None and func.type == "func_literal":
        func = syntax.enclosing_function(func)
    name = func.child_by_field_name("name") if func is not None else None
    is_signature = parent.type in ("parameter_declaration", "function_declaration", "method_declaration")
    return (syntax.text(name), is_signature) if name is not None else ("", False)


def _initialised(node: Node) -> str:
    """For `x := make(...)` / `var x = T{}` / `s.f = ...`, the name x or f."""
    expr = node
    while expr.parent is not None and expr.parent.type not in (
        "expression_list",
        "statement_list",
        "source_file",
    ):
        expr = expr.parent
    lst = expr.parent
    holder = lst.parent if lst is not None and lst.type == "expression_list" else None
    if holder is None:
        return ""
    values = lst.named_children  # type: ignore[union-attr]
    if holder.type == "var_spec":
        names = holder.children_by_field_name("name")
    elif holder.type in ("short_var_declaration", "assignment_statement"):
        left = holder.child_by_field_name("left")
        names = left.named_children if left is not None and left != lst else []
    else:
        return ""
    if len(names) != len(values) or expr not in values:
        return ""
    target = names[values.index(expr)]
    if target.type == "selector_expression":
        target = target.child_by_field_name("field") or target
    text = syntax.text(target)
    return text if text.isidentifier() and text != "_" else ""


def lower_camel(name: str) -> str:
    """`ByRegion` -> `byRegion`, `URLMap` -> `urlMap`, `ID` -> `id`, `users` -> `users`."""
    run = 0
    while run < len(name) and name[run].isupper():
        run += 1
    if run == 0:
        return name
    if run == 1 or run == len(name) or not name[run].isalpha():
        return name[:run].lower() + name[run:]
    return name[: run - 1].lower() + name[run - 1 :]


def base_name(group: Group) -> str:
    """The declaration name the wrapper is named after (see the module docstring)."""
    if group.named:
        first = min(
            group.named.items(), key=lambda kv: (kv[1][0].is_test, str(kv[1][0].path), kv[1][1].start_byte)
        )
        return first[0]
    for s in sorted(group.spellings, key=spelling_order):
        name, _ = declared_name(s)
        if name:
            return name
    return "nested"


def wrapper_name(group: Group, pkg: PackageContext, taken: set[str]) -> str:
    """An unexported identifier for the group's wrapper, free in the whole package."""
    stem = lower_camel(base_name(group)).strip("_") or "nested"
    stem = stem + "Inner"
    for i in range(1, 1000):
        candidate = stem if i == 1 else f"{stem}{i}"
        if candidate in taken or candidate in _GO_KEYWORDS or keyword.iskeyword(candidate):
            continue
        if candidate in pkg.top_level_names or pkg.identifier_used(candidate):
            continue
        return candidate
    raise RuntimeError(f"no free name for the wrapper of {group.key}")


def unconstrained(f: FileContext) -> bool:
    """True if f is compiled in every build of its package (tests aside).

    Reads the lines before the package clause itself: FileContext.build_constraint
    looks only before the first node, which is the constraint comment itself.
    """
    clause = next((c for c in f.root.named_children if c.type == "package_clause"), None)
    head = f.content[: clause.start_byte] if clause is not None else f.content
    return not _CONSTRAINT.search(head) and not _GOOS_ARCH.search(f.path.name)


def anchor(group: Group, pkg: PackageContext) -> tuple[FileContext, Node | None] | None:
    """Where to declare the wrapper: (file, top-level declaration to follow, or None for end of file)."""
    spellings = sorted(group.spellings, key=spelling_order)
    any_non_test = any(not s.file.is_test for s in spellings)
    for s in spellings:
        if s.file.editable and unconstrained(s.file) and (not s.file.is_test or not any_non_test):
            return s.file, top_level(s.node)
    for f in pkg.files:
        if f.editable and unconstrained(f) and (not f.is_test or not any_non_test):
            return f, None
    return None


def top_level(node: Node) -> Node:
    while node.parent is not None and node.parent.type != "source_file":
        node = node.parent
    return node


MARKER = "wrapped by gomapfix (wrap-inner-map)"
TAB = "\t"


def _past_wrappers(after: Node) -> Node:
    """The last of the wrapper declarations (and their methods) that directly follow after.

    Wrappers of several groups anchored at one declaration are added in
    successive passes; following the earlier ones keeps them in group order.
    """
    while True:
        node = after.next_named_sibling
        doc = ""
        while node is not None and node.type == "comment":
            doc += syntax.text(node)
            node = node.next_named_sibling
        if node is None or node.type != "type_declaration" or MARKER not in doc:
            return after
        spec = node.named_children[0] if node.named_children else None
        name = spec.child_by_field_name("name") if spec is not None else None
        after = node
        wrapper = syntax.text(name) if name is not None else ""
        while True:
            node = after.next_named_sibling
            while node is not None and node.type == "comment":
                node = node.next_named_sibling
            receiver = node.child_by_field_name("receiver") if node is not None else None
            if node is None or node.type != "method_declaration" or receiver is None:
                break
            if syntax.text(receiver).replace("*", " ").split()[-1].rstrip(")") != wrapper:
                break
            after = node


def declaration(
    f: FileContext,
    pkg: PackageContext,
    after: Node | None,
    name: str,
    key: str,
    inner: str,
    with_json: bool,
) -> tuple[Edit, ...]:
    """Edits declaring the wrapper (and its JSON methods, with the encoding/json import) in f."""
    plan = plan_imports(f, pkg, ["encoding/json"]) if with_json else None
    lines = [
        f"// {name} is one inner map of {key}, {MARKER}.",
        f"type {name} struct {{",
        f"\tdata {golines.reindent(inner, TAB)}",
        "}",
    ]
    if plan is not None:
        json = plan.qualify("encoding/json", "")[:-1] or ""
        marshal = f"{json}.Marshal" if json else "Marshal"
        unmarshal = f"{json}.Unmarshal" if json else "Unmarshal"
        lines += [
            "",
            "// MarshalJSON encodes w exactly as its inner map was encoded before it was wrapped.",
            f"func (w {name}) MarshalJSON() ([]byte, error) {{",
            f"\treturn {marshal}(w.data)",
            "}",
            "",
            "// UnmarshalJSON decodes into w's inner map, as into the map before it was wrapped.",
            f"func (w *{name}) UnmarshalJSON(b []byte) error {{",
            f"\treturn {unmarshal}(b, &w.data)",
            "}",
        ]
    nl = f.newline
    body = nl.join(line.encode() for line in lines)
    after = _past_wrappers(after) if after is not None else None
    if after is not None:
        at = f.line_end(after.end_byte)
        following = f.content[at + len(nl) : f.line_end(at + len(nl))] if at < len(f.content) else b""
        text = nl + nl + body + (nl if following.strip() else b"")
    else:
        at = len(f.content)
        text = (b"" if f.content.endswith(b"\n") else nl) + nl + body + nl
    return (f.edit(at, at, text), *(plan.edits if plan is not None else ()))
