"""What declarations say, read from their syntax: parameters, receivers, results, struct fields.

Small questions about one declaration node, shared by every table and rule:
no lookups, no types resolved, nothing cached.
"""

from __future__ import annotations

from tree_sitter import Node

from codemod import syntax


def base_type_name(type_text: str | None) -> str | None:
    """ "*pkg.T[int]" -> None (qualified); "*T[int]" -> "T"; "T" -> "T"."""
    if not type_text:
        return None
    t = type_text.strip().lstrip("*").strip()
    t = t.split("[", 1)[0].strip()
    if not t.isidentifier():
        return None
    return t


def parameter_types(func: Node, *fields: str) -> dict[str, str]:
    """Receiver and parameter names of a function node -> their type texts.

    fields limits the lists read ("receiver", "parameters"); default both.
    """
    out: dict[str, str] = {}
    for field in fields or ("receiver", "parameters"):
        plist = func.child_by_field_name(field)
        if plist is None:
            continue
        for p in plist.named_children:
            t = p.child_by_field_name("type")
            for n in p.children_by_field_name("name"):
                if t is not None:
                    out[syntax.text(n)] = (
                        "..." if p.type == "variadic_parameter_declaration" else ""
                    ) + syntax.text(t)
    return out


def parameter_names(func: Node) -> list[str | None]:
    """The names of a function's parameters in order, None for unnamed ones."""
    plist = func.child_by_field_name("parameters")
    out: list[str | None] = []
    for p in plist.named_children if plist is not None else ():
        names = p.children_by_field_name("name")
        out.extend([syntax.text(n) for n in names] if names else [None])
    return out


def first_parameter(func: Node) -> str | None:
    """The name of a function's first parameter, if it has one."""
    names = parameter_names(func)
    return names[0] if names else None


def receiver_name(method: Node) -> str | None:
    """The receiver's name of a method declaration (None when unnamed or `_`)."""
    names = [n for n in parameter_types(method, "receiver") if n != "_"]
    return names[0] if names else None


def receiver_type_name(method: Node) -> str | None:
    """ "T" for a method declared on T or *T (or T[K], *T[K])."""
    recv = method.child_by_field_name("receiver")
    if recv is None or not recv.named_child_count:
        return None
    typ = recv.named_children[0].child_by_field_name("type")
    if typ is None:
        return None
    text = syntax.text(typ).lstrip("*").strip().split("[", 1)[0].strip()
    return text if text.isidentifier() else None


def result_names(func: Node) -> set[str]:
    """The names of a function's named results."""
    result = func.child_by_field_name("result")
    if result is None or result.type != "parameter_list":
        return set()
    return {syntax.text(n) for p in result.named_children for n in p.children_by_field_name("name")}


def result_types(func: Node) -> list[Node]:
    """The type nodes of a function's results, one per result (`(a, b int)` gives two)."""
    result = func.child_by_field_name("result")
    if result is None:
        return []
    if result.type != "parameter_list":
        return [result]
    out: list[Node] = []
    for p in result.named_children:
        t = p.child_by_field_name("type")
        if t is not None:
            out.extend([t] * max(1, len(p.children_by_field_name("name"))))
    return out


def returns_first_type_parameter(decl: Node) -> bool:
    """True for `func f[M ...](m M, ...) M`: the result has the first argument's type."""
    tparams = decl.child_by_field_name("type_parameters")
    result, params = decl.child_by_field_name("result"), decl.child_by_field_name("parameters")
    if tparams is None or result is None or params is None or not params.named_children:
        return False
    names = {syntax.text(n) for p in tparams.named_children for n in p.children_by_field_name("name")}
    first = params.named_children[0].child_by_field_name("type")
    rtext = syntax.text(result)
    return rtext in names and first is not None and syntax.text(first) == rtext


def struct_fields(struct: Node) -> dict[str, str]:
    """Named (non-embedded) field -> its type text, for a struct_type node."""
    out: dict[str, str] = {}
    for fields in struct.named_children:
        if fields.type != "field_declaration_list":
            continue
        for decl in fields.named_children:
            typ = decl.child_by_field_name("type")
            if decl.type != "field_declaration" or typ is None:
                continue
            for name in decl.children_by_field_name("name"):
                out[syntax.text(name)] = syntax.text(typ)
    return out


def embedded_fields(struct: Node) -> list[str]:
    """The type texts of the embedded fields of a struct_type node (`T`, `*T`, `pkg.T`)."""
    out: list[str] = []
    for fields in struct.named_children:
        if fields.type != "field_declaration_list":
            continue
        for decl in fields.named_children:
            typ = decl.child_by_field_name("type")
            if (
                decl.type == "field_declaration"
                and typ is not None
                and not decl.children_by_field_name("name")
            ):
                out.append(syntax.text(decl).split("`", 1)[0].strip())
    return out


def embedded_name(typ: Node) -> str:
    """The field name an embedded field of type typ gets (`*sync.Mutex` -> "Mutex")."""
    t = syntax.text(typ).lstrip("*").strip()
    t = t.split("[", 1)[0]
    return t.rsplit(".", 1)[-1]


def holder_name(node: Node) -> str:
    """The function or method declaration holding node (through function literals), named as a
    message names it: `f`, or `T.m` for a method; "a package-level initializer" outside any."""
    func = syntax.enclosing_function(node)
    while func is not None and func.type == "func_literal":
        func = syntax.enclosing_function(func)
    name = func.child_by_field_name("name") if func is not None else None
    if func is None or name is None:
        return "a package-level initializer"
    recv = receiver_type_name(func) if func.type == "method_declaration" else ""
    return f"{recv}.{syntax.text(name)}" if recv else syntax.text(name)
