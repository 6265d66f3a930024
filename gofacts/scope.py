"""Go block scoping over tree-sitter-go trees: the one scope lookup of gomapfix.

`declaration_of(ident)` answers the question a type checker's `Uses`/`Defs`
maps answer: which declaration does this identifier denote? It follows the
Go specification's scope rules for local names:

  - a variable or constant declared in a block is in scope from the end of
    its ValueSpec or ShortVarDecl to the end of the innermost block holding it
    (so in `x := x + 1` the right-hand `x` is the outer one);
  - `if`, `for` and `switch` statements and each case clause are implicit
    blocks; the initializer's names are visible in the rest of the statement,
    range variables declared with `:=` only in the body, a type switch's
    symbol and a select case's `:=` variables only in the clause;
  - parameters, results and the receiver belong to the function body's block,
    so `:=` at the top of the body re-assigns a parameter instead of declaring
    a new variable;
  - `:=` declares only the names not already declared in the same block.

Names not declared by any enclosing function are package-level, imported,
or predeclared; declaration_of returns None for them. lookup(name, at) asks
the same for a name at any node, and find_declaration classifies the answer
(a parameter, a `var`, a `:=`, a range variable, ...) for type resolution.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from codemod import syntax

_FUNCS = frozenset(syntax.FUNCTION_TYPES)
_DECLARING = frozenset({"var_spec", "const_spec", "parameter_declaration", "variadic_parameter_declaration"})
_CASES = syntax.CASE_TYPES


def node_key(path: object, node: Node) -> tuple[str, int, int]:
    """A stable identity for a node of one file (tree-sitter nodes are not hashable across walks)."""
    return (str(path), node.start_byte, node.end_byte)


def _idents(node: Node | None) -> list[Node]:
    if node is None:
        return []
    if node.type == "identifier":
        return [node]
    return [c for c in node.named_children if c.type == "identifier"]


def spec_names(spec: Node) -> list[Node]:
    """The identifiers a var_spec or const_spec declares."""
    return spec.children_by_field_name("name")


def statement_declarations(stmt: Node, before: int | None = None) -> Iterator[Node]:
    """Identifiers a statement declares in its enclosing block, in order.

    With before set, a grouped `var ( ... )` yields only the specs that end
    before that offset (the later ones are not yet in scope there).
    """
    while stmt.type == "labeled_statement" and stmt.named_children:
        stmt = stmt.named_children[-1]
    if stmt.type == "short_var_declaration":
        # only the new names: the others are re-assigned, declared earlier in the block
        yield from (i for i in _idents(stmt.child_by_field_name("left")) if _redeclared(stmt, i) is None)
    elif stmt.type in ("var_declaration", "const_declaration"):
        for spec in syntax.named_walk(stmt, prune=frozenset({"var_spec", "const_spec"})):
            if spec.type in ("var_spec", "const_spec") and (before is None or spec.end_byte <= before):
                yield from spec_names(spec)
    elif stmt.type == "type_declaration":
        for spec in stmt.named_children:
            if spec.type in ("type_spec", "type_alias"):
                name = spec.child_by_field_name("name")
                if name is not None:
                    yield name


def function_declarations(func: Node) -> Iterator[Node]:
    """Receiver, parameter and named result identifiers of a function node."""
    for field in ("receiver", "parameters", "result"):
        plist = func.child_by_field_name(field)
        if plist is None or plist.type != "parameter_list":
            continue
        for p in plist.named_children:
            yield from p.children_by_field_name("name")


def _first(decls: Iterator[Node], name: bytes) -> Node | None:
    for d in decls:
        if d.text == name:
            return d
    return None


def _list_declarations(stmts: Node, upto: int, name: bytes) -> Node | None:
    """First declaration of name in a statement list that is in scope at offset upto.

    Statements are scanned in order, so the first statement naming the name on the
    left of `:=` declares it, unless the list is a function body and the name is a
    parameter, which that `:=` merely re-assigns. (No recursion: a `:=` that
    re-assigns a name declared by an earlier statement is never reached.)
    """
    for stmt in stmts.named_children:
        if stmt.start_byte > upto:
            break
        if stmt.end_byte <= upto:
            found = _first(_scan_declarations(stmt), name)
        elif stmt.type in ("var_declaration", "const_declaration"):
            found = _first(statement_declarations(stmt, before=upto), name)
        else:
            found = None
        if found is not None:
            if _core(stmt).type == "short_var_declaration":
                block = stmts.parent
                owner = block.parent if block is not None and block.type == "block" else None
                if owner is not None and owner.type in _FUNCS and owner.child_by_field_name("body") == block:
                    return _first(function_declarations(owner), name) or found
            return found
    return None


def _core(stmt: Node) -> Node:
    while stmt.type == "labeled_statement" and stmt.named_children:
        stmt = stmt.named_children[-1]
    return stmt


def _scan_declarations(stmt: Node) -> Iterator[Node]:
    """Like statement_declarations, but every name left of `:=` (see _list_declarations)."""
    core = _core(stmt)
    if core.type == "short_var_declaration":
        return iter(_idents(core.child_by_field_name("left")))
    return statement_declarations(stmt)


def _header_declarations(scope: Node, child: Node, name: bytes) -> Node | None:
    """Declarations an if/for/switch header or clause makes visible to child."""
    t = scope.type
    if t in ("if_statement", "expression_switch_statement", "type_switch_statement"):
        init = scope.child_by_field_name("initializer")
        if init is not None and child.start_byte >= init.end_byte:
            found = _first(statement_declarations(init), name)
            if found is not None:
                return found
        return None
    if t == "for_clause":
        init = scope.child_by_field_name("initializer")
        if init is not None and child.start_byte >= init.end_byte:
            return _first(statement_declarations(init), name)
        return None
    if t == "for_statement":
        body = scope.child_by_field_name("body")
        if body is None or child != body:
            return None
        for clause in scope.named_children:
            if clause.type == "for_clause":
                init = clause.child_by_field_name("initializer")
                if init is not None:
                    return _first(statement_declarations(init), name)
            elif clause.type == "range_clause" and _is_define(clause):
                return _first(iter(_idents(clause.child_by_field_name("left"))), name)
        return None
    if t in ("type_case", "default_case") and scope.parent is not None:
        switch = scope.parent
        if switch.type != "type_switch_statement":
            return None
        alias = switch.child_by_field_name("alias") if switch is not None else None
        if alias is not None and child.type == "statement_list":
            return _first(iter(_idents(alias)), name)
        return None
    if t == "communication_case":
        comm = scope.child_by_field_name("communication")
        if comm is not None and comm.type == "receive_statement" and _is_define(comm) and child != comm:
            return _first(iter(_idents(comm.child_by_field_name("left"))), name)
        return None
    return None


def _is_define(node: Node) -> bool:
    return any(not c.is_named and c.type == ":=" for c in node.children)


def _scope_of_statement(stmt: Node) -> tuple[Node, Node | None]:
    """(statement_list or header node, function if the list is a function body) holding stmt."""
    parent = stmt.parent
    assert parent is not None
    func = None
    if parent.type == "statement_list":
        block = parent.parent
        owner = block.parent if block is not None and block.type == "block" else None
        if owner is not None and owner.type in _FUNCS and owner.child_by_field_name("body") == block:
            func = owner
    return parent, func


def declaration_of(ident: Node) -> Node | None:
    """The identifier node that declares ident, when a function declares it; else None.

    For a declaring occurrence (a var_spec name, a parameter, a new `:=` name,
    a range or type-switch variable) the result is ident itself; for a name
    that `:=` re-assigns, the earlier declaration in the same block.
    """
    parent = ident.parent
    if parent is None:
        return None
    if parent.type in _DECLARING and ident in parent.children_by_field_name("name"):
        return ident if _is_local(parent) else None
    if parent.type == "expression_list":
        holder = parent.parent
        if holder is not None and parent == holder.child_by_field_name("left"):
            if holder.type == "short_var_declaration":
                return _redeclared(holder, ident) or ident
            if holder.type in ("range_clause", "receive_statement") and _is_define(holder):
                return ident
        if (
            holder is not None
            and holder.type == "type_switch_statement"
            and parent == holder.child_by_field_name("alias")
        ):
            return ident
    return _lookup(ident, ident.text or b"")


def _is_local(node: Node) -> bool:
    return syntax.enclosing_function(node) is not None


def _redeclared(stmt: Node, ident: Node) -> Node | None:
    """For `:=`, the earlier declaration of ident's name in the same block, if any."""
    name = ident.text or b""
    scope, func = _scope_of_statement(stmt)
    if scope.type == "statement_list":
        found = _list_declarations(scope, stmt.start_byte - 1, name)
        if found is not None:
            return found
        if func is not None:
            return _first(function_declarations(func), name)
    return None


def _lookup(ident: Node, name: bytes) -> Node | None:
    child = ident
    scope = ident.parent
    while scope is not None:
        found: Node | None = None
        if scope.type == "statement_list":
            found = _list_declarations(scope, ident.start_byte, name)
        elif scope.type in _FUNCS:
            if child == scope.child_by_field_name("body"):
                found = _first(function_declarations(scope), name)
        elif scope.type in _CASES or scope.type in (
            "if_statement",
            "expression_switch_statement",
            "type_switch_statement",
            "for_clause",
            "for_statement",
        ):
            found = _header_declarations(scope, child, name)
        elif scope.type == "source_file":
            return None
        if found is not None:
            return found
        child, scope = scope, scope.parent
    return None


def lookup(name: str, at: Node) -> Node | None:
    """The identifier that declares name where node at is, when a function declares it (a
    local, a parameter, a receiver or a named result); None for a package-level, imported or
    predeclared name. The scope rules are declaration_of's: in `x := x + 1` the right-hand x
    is the outer one."""
    return _lookup(at, name.encode())


DeclKind = str
"""How a local name is declared: "param" (receiver, parameter or named result), "var_spec",
"const_spec", "short_var" (`:=`), "range" (`for k, v := range`), "receive" (`case v := <-ch`),
"type_switch" (`switch v := x.(type)`) or "type" (a local type declaration)."""


def classify(ident: Node) -> tuple[DeclKind, Node] | None:
    """(kind, node) for a declaring identifier: for "param" the parameter's type node, for
    the others the declaring node (var_spec, const_spec, short_var_declaration, range_clause,
    receive_statement, type_switch_statement, type_spec/type_alias); None if ident declares
    nothing."""
    parent = ident.parent
    if parent is None:
        return None
    if parent.type in ("parameter_declaration", "variadic_parameter_declaration"):
        typ = parent.child_by_field_name("type")
        return ("param", typ) if typ is not None else None
    if parent.type in ("var_spec", "const_spec"):
        return parent.type, parent
    if parent.type in ("type_spec", "type_alias"):
        return "type", parent
    if parent.type == "expression_list" and parent.parent is not None:
        holder = parent.parent
        kinds = {
            "short_var_declaration": "short_var",
            "range_clause": "range",
            "receive_statement": "receive",
            "type_switch_statement": "type_switch",
        }
        if holder.type in kinds:
            return kinds[holder.type], holder
    if parent.type == "type_switch_statement":
        return "type_switch", parent
    return None


def find_declaration(name: str, at: Node) -> tuple[DeclKind, Node] | None:
    """The local declaration of name in scope at node at, classified (see classify); None
    when no enclosing function declares it (a package-level name, an import, a builtin)."""
    ident = lookup(name, at)
    return classify(ident) if ident is not None else None


def declared_value(name: str, decl: Node) -> Node | None:
    """The value a short_var_declaration, var_spec or const_spec gives name, when it pairs
    names with values one to one (`a, b := x, y`); None otherwise (`v, ok := m[k]`, no value)."""
    if decl.type == "short_var_declaration":
        left, right = decl.child_by_field_name("left"), decl.child_by_field_name("right")
    else:
        left, right = None, decl.child_by_field_name("value")
    names = (
        [syntax.text(c) for c in left.named_children]
        if left is not None
        else [syntax.text(c) for c in decl.children_by_field_name("name")]
    )
    values = right.named_children if right is not None else []
    if name not in names or len(values) != len(names):
        return None
    return values[names.index(name)]


def declared_locally(name: str, at: Node, anywhere: bool = False) -> bool:
    """True if name denotes something declared inside the functions enclosing node at.

    With anywhere=True any declaration of name in those functions counts, in
    scope or not, before or after at: the conservative answer to "could a new
    use of name at this point be captured by a local declaration?".
    """
    if not anywhere:
        return lookup(name, at) is not None
    needle = name.encode()
    func = syntax.enclosing_function(at)
    while func is not None:
        if any(d.text == needle for d in function_declarations(func)):
            return True
        body = func.child_by_field_name("body")
        for n in syntax.named_walk(body) if body is not None else ():
            if n.type == "identifier" and n.text == needle and declaration_of(n) is n:
                return True
        func = syntax.enclosing_function(func)
    return False


_PRUNE_FUNCS = frozenset({"func_literal"})


def assigns_to(name: str, scope: Node, after: int = 0, before: int | None = None) -> bool:
    """True if name is assigned (=, :=, op=, ++/--, range) in scope between offsets (outside
    nested function literals)."""
    for n in syntax.named_walk(scope, prune=_PRUNE_FUNCS):
        if n.start_byte < after or (before is not None and n.start_byte >= before):
            continue
        left = None
        if n.type in ("assignment_statement", "short_var_declaration", "range_clause"):
            left = n.child_by_field_name("left")
        elif n.type in ("inc_statement", "dec_statement"):
            left = n
        if left is None:
            continue
        targets = left.named_children if left.type == "expression_list" else [left]
        if n.type in ("inc_statement", "dec_statement"):
            targets = n.named_children
        if any(t.type == "identifier" and syntax.text(t) == name for t in targets):
            return True
    return False
