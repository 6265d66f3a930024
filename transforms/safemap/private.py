"""Calls made on an object that only the calling goroutine can reach.

A test or a set-up helper often drives a type directly, on an object of its own, with none
of the locks its production callers take:

    dc := newDataCache(5, nil, "")
    dc.addEntry(k, e) // no lock: the test's goroutine is the only one that sees dc

Such a call races with nothing, so it does not tell whether the method runs with a lock
held (locks.LockView asks every call of a method). A call is taken to be on a private object
when all of these hold:

  - its receiver is a local variable of the calling function, made there: a composite
    literal, `new(T)`, a `var` with no value, the result of a call to a package function
    (`pool, key := setupPool()`), or a field of such a local (`store := h.store`);
  - the function uses that variable only to select a field or call a method of it (or takes
    its address once, `pa := &paa`, into another local used the same way): the object is
    never handed on, stored, or captured by a function literal;
  - neither the function nor anything it calls in the package starts a goroutine, as far as
    spawn_free can tell; a constructor that starts one (`pool.Init` running `go pool.loop()`)
    makes the object shared from then on.

Calls are resolved by name (a method call by any method of that name in the package); calls
into other packages are taken not to start goroutines that reach the object, since it is
never handed to them, and a method that publishes its own receiver (stores it where a
goroutine already running finds it) is not looked for. When the search passes SPAWN_BUDGET
functions, the object is not private: the answer errs toward keeping the call.

The same facts order a map access with the goroutines that write the map (runs_unpublished):
a method reached only from calls on an object its caller has just made, before that caller
hands it on (`mgr := &Controller{...}; for _, mc := range mgr.mc { mc.init() }; return
mgr`, with init loading mc.store), runs before any goroutine can hold the object, whatever
the caller does with it afterwards. Objects reached from the new one (`mc`, `mc.store`) are
taken to be new too; one the constructor was given (`&Owner{st: sharedStore}`) is not told
apart, so such an access may be left out: the answer errs toward fewer findings.
"""

from __future__ import annotations

from collections.abc import Callable

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext, PackageContext
from gofacts import scope
from gofacts.decls import Declarations
from gofacts.mapops import root_identifier
from gofacts.signatures import receiver_name
from transforms.safemap.ordering import new_object

SPAWN_BUDGET = 80


class Privacy:
    """Answers on_private_object for the calls of one package, caching per function."""

    def __init__(self, pkg: PackageContext) -> None:
        self.pkg = pkg
        self._callees: dict[int, tuple[bool, list[Node]] | None] = {}
        self._free: dict[int, bool] = {}

    def on_private_object(self, call: Node) -> bool:
        """Whether the method call `x.m(...)` is made on an object only its goroutine can reach
        (see the module doc)."""
        fn = call.child_by_field_name("function")
        selects = fn is not None and fn.type == "selector_expression"
        operand = fn.child_by_field_name("operand") if selects else None  # type: ignore[union-attr]
        func = syntax.enclosing_function(call)
        if operand is None or operand.type != "identifier" or func is None:
            return False
        return _fresh_local(operand, func) and self.spawn_free(func)

    def spawn_free(self, func: Node) -> bool:
        """Whether neither func nor a package function or method it calls (followed by name,
        transitively, within SPAWN_BUDGET functions) holds a go statement."""
        if func.id in self._free:
            return self._free[func.id]
        todo, seen, free = [func], {func.id}, True
        while todo and free:
            facts = self._facts(todo.pop())
            if facts is None or facts[0] or len(seen) > SPAWN_BUDGET:
                free = False
                break
            for callee in facts[1]:
                if callee.id not in seen:
                    seen.add(callee.id)
                    todo.append(callee)
        self._free[func.id] = free
        return free

    def _facts(self, func: Node) -> tuple[bool, list[Node]] | None:
        """(whether func's body holds a go statement, the package functions and methods it
        may call); None when the body cannot be read."""
        if func.id in self._callees:
            return self._callees[func.id]
        body = func.child_by_field_name("body")
        facts: tuple[bool, list[Node]] | None = None
        if body is not None:
            decls = Declarations.of(self.pkg)
            spawns, callees = False, []
            for n in syntax.named_walk(body):
                if n.type == "go_statement":
                    spawns = True
                    break
                if n.type == "call_expression":
                    callees.extend(d for d, _ in decls.called_by_name(n.child_by_field_name("function") or n))
            facts = (spawns, callees)
        self._callees[func.id] = facts
        return facts


def runs_unpublished(
    node: Node, privacy: Privacy, callers: Callers, handed_on: Callers, production: bool
) -> bool:
    """Whether node, an access `r.f...` through the receiver r of its method, runs only on
    objects that no other goroutine can hold yet: every call of the method (followed up
    through callers that pass their own receiver on, `m.store.fetchAll()`, within
    MAX_CALLERS functions) ends in a call made on an object its calling function has just
    made and not yet handed on (unpublished_call), and the method is never used as a value
    (handed_on). With production, calls in test files are left out. An exported method,
    a function literal, or a function nothing in the package calls may run anywhere: False."""
    func = syntax.enclosing_function(node)
    if func is None or not _through_receiver(node, func):
        return False
    todo, seen = [func], {func.id}
    while todo:
        func = todo.pop()
        name = func.child_by_field_name("name")
        if func.type != "method_declaration" or name is None or syntax.text(name)[:1].isupper():
            return False
        sites = [(f, c) for f, c in callers(func) if not (production and f.is_test)]
        if not sites or handed_on(func):
            return False
        for _, call in sites:
            if unpublished_call(call, privacy):
                continue
            caller = syntax.enclosing_function(call)
            fn = call.child_by_field_name("function")
            if caller is None or fn is None or not _through_receiver(fn, caller):
                return False
            if caller.id not in seen:
                if len(seen) >= MAX_CALLERS:
                    return False
                seen.add(caller.id)
                todo.append(caller)
    return True


MAX_CALLERS = 12


Callers = Callable[[Node], list[tuple[FileContext, Node]]]


def unpublished_call(call: Node, privacy: Privacy) -> bool:
    """Whether the method call `x.m(...)` (or `x.f.m(...)`) is made on an object its function
    has just made: x is a local made there (see _made_here), or a field or range element of
    one (`for _, mc := range mgr.mc`), every mention of that local before the call selects from
    it (a field, or a method call of the package), nothing captures it in a function literal,
    and the function starts no goroutine (Privacy.spawn_free). Handing the object on after the
    call (`return mgr`) does not matter: the call has run by then."""
    fn = call.child_by_field_name("function")
    func = syntax.enclosing_function(call)
    if fn is None or fn.type != "selector_expression" or func is None:
        return False
    root = root_identifier(fn.child_by_field_name("operand") or fn)
    made = _made_local(root, func) if root is not None else None
    selected = made is not None and _only_selected(made, func, aliases=0, end=call.start_byte)
    return selected and privacy.spawn_free(func)


def _made_local(ident: Node, func: Node, depth: int = 1) -> Node | None:
    """The declaring identifier of the local of func that ident's object was made in: ident's
    own when func made it, else that of the local it is a field or range element of."""
    found = scope.find_declaration(syntax.text(ident), ident)
    if found is None or syntax.enclosing_function(found[1]) != func:
        return None
    kind, decl = found
    declaring = scope.lookup(syntax.text(ident), ident)
    if kind in ("short_var", "var_spec") and _made_here(syntax.text(ident), decl):
        return declaring
    value = scope.declared_value(syntax.text(ident), decl) if kind in ("short_var", "var_spec") else None
    if value is None and kind == "range":
        value = decl.child_by_field_name("right")
    whole = root_identifier(value) if value is not None and value.type == "selector_expression" else None
    return _made_local(whole, func, depth - 1) if whole is not None and depth > 0 else None


def _through_receiver(node: Node, method: Node) -> bool:
    """Whether the selector chain node starts at method's receiver (`m.store.fetchAll`)."""
    operand = node.child_by_field_name("operand") if node.type == "selector_expression" else None
    root = root_identifier(operand) if operand is not None else None
    if root is None or method.type != "method_declaration":
        return False
    return syntax.text(root) == receiver_name(method)


def _fresh_local(ident: Node, func: Node) -> bool:
    """Whether ident names a local of func made there (a new object, a `var` with no value,
    a package function's result) that func uses only as the operand of selectors."""
    found = scope.find_declaration(syntax.text(ident), ident)
    if found is None or found[0] not in ("short_var", "var_spec"):
        return False
    decl = found[1]
    if syntax.enclosing_function(decl) != func:
        return False
    value = scope.declared_value(syntax.text(ident), decl)
    target = _address_of_local(value)
    if target is not None:
        return _fresh_local(target, func)  # `pa := &paa`: paa's uses vouch for pa's
    whole = _field_of_local(value)
    if whole is None and not _made_here(syntax.text(ident), decl):
        return False
    if whole is not None and not _fresh_local(whole, func):
        return False  # `store := h.store` is private when h is
    return _only_selected(scope.lookup(syntax.text(ident), ident), func, aliases=1)


def _field_of_local(value: Node | None) -> Node | None:
    """h in `h.store`, for an identifier h."""
    if value is None or value.type != "selector_expression":
        return None
    operand = syntax.unparen(value.child_by_field_name("operand") or value)
    return operand if operand.type == "identifier" else None


def _address_of_local(value: Node | None) -> Node | None:
    """x in `&x`, for an identifier x."""
    if value is None or value.type != "unary_expression" or syntax.text(value.children[0]) != "&":
        return None
    operand = syntax.unparen(value.child_by_field_name("operand") or value)
    return operand if operand.type == "identifier" else None


def _made_here(name: str, decl: Node) -> bool:
    value = scope.declared_value(name, decl)
    if value is None and decl.type == "var_spec":
        return decl.child_by_field_name("value") is None
    if value is None and decl.type == "short_var_declaration":
        right = decl.child_by_field_name("right")
        values = right.named_children if right is not None else []
        value = values[0] if len(values) == 1 else None  # `pool, key := setupPool()`
        if value is None or value.type != "call_expression":
            return False
    if value is None:
        return False
    if new_object(value):
        return True
    if value.type != "call_expression":
        return False
    fn = syntax.unparen(value.child_by_field_name("function") or value)
    return fn.type == "identifier" and scope.declaration_of(fn) is None


def _only_selected(declaring: Node | None, func: Node, aliases: int, end: int | None = None) -> bool:
    """Whether every use in func (before the offset end, when given) of the variable declaring
    introduces selects from it (`x.f`, `x.m()`), outside function literals; `p := &x` counts
    when p is used the same way (at most aliases deep)."""
    if declaring is None:
        return False
    needle = declaring.text
    for n in syntax.named_walk(func):
        if end is not None and n.start_byte >= end:
            break
        if n.type != "identifier" or n.text != needle or n == declaring:
            continue
        if scope.declaration_of(n) != declaring:
            continue
        if syntax.enclosing_function(n) != func:
            return False  # captured by a function literal: it may run anywhere
        parent = n.parent
        if parent is None:
            return False
        if parent.type == "selector_expression" and parent.child_by_field_name("operand") == n:
            continue
        if aliases and parent.type == "unary_expression" and _aliased(parent, func, aliases):
            continue
        return False
    return True


def _aliased(address: Node, func: Node, aliases: int) -> bool:
    """`p := &x` with p, a new local, used only through selectors."""
    if syntax.text(address.children[0]) != "&":
        return False
    values = address.parent
    stmt = values.parent if values is not None and values.type == "expression_list" else None
    if stmt is None or stmt.type != "short_var_declaration" or len(values.named_children) != 1:  # type: ignore[union-attr]
        return False
    left = stmt.child_by_field_name("left")
    names = left.named_children if left is not None else []
    return len(names) == 1 and _only_selected(names[0], func, aliases - 1)
