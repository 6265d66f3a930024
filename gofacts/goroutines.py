"""Goroutine regions: the code that runs in a goroutine the package starts.

A region is the function literal of a `go` statement, the function or method it names, and (to
CALL_DEPTH levels) the package functions and methods those call; found from the `go` keywords
the bytes hold, so files without one are never parsed for this.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tree_sitter import Node

from codemod import gobytes, syntax
from codemod.context import FileContext, PackageContext
from gofacts import scope
from gofacts.decls import Declarations
from gofacts.launches import fresh_operands, is_launch, launched_literal, loop_locals
from gofacts.mapops import is_write, names_package, root_identifier, type_name
from gofacts.restarts import token_guarded
from gofacts.signatures import parameter_names, parameter_types, receiver_name
from gofacts.types import PackageTypes

CALL_DEPTH = 2


"""How many call levels below a `go` statement's function still count as the goroutine."""


_GO_WORD = re.compile(rb"go(?<![\w\x80-\xff]go)(?![\w\x80-\xff:])")


_BLANKS = frozenset(b" \t\r\f\v")


def go_keywords(content: bytes) -> list[int]:
    """The offsets where Go source may hold the keyword of a go statement: the word `go`
    where a statement may start (after a newline, `;`, `{`, `:` or a comment), outside
    comments and literals."""
    starts = go_words(content)
    return list(gobytes.in_code(content, starts)) if starts else starts


def go_words(content: bytes) -> list[int]:
    """go_keywords, comments and literals not told from code: for blanked code
    (gobytes.blanked), where there are none."""
    return [m.start() for m in _GO_WORD.finditer(content) if _statement_start(content, m.start())]


def _statement_start(content: bytes, offset: int) -> bool:
    """Whether the bytes before offset, blanks skipped, end a statement or open a block."""
    j = offset - 1
    while j >= 0 and content[j] in _BLANKS:
        j -= 1
    return j < 0 or content[j] in b"\n;{:\x00" or (j > 0 and content[j - 1 : j + 1] == b"*/")


@dataclass
class Region:
    """A function body that runs in a goroutine the package starts.

    Attributes:
        file, body: where the body is.
        roots: the go statements (file, offset) whose goroutine runs it.
        many: it may run in several goroutines at once (a go statement in a
            loop, or several go statements reaching it).
        shared: receiver and parameter names bound to values the spawning
            goroutine holds too (`go s.loop()` shares s, `go f(c)` shares c), by root: a
            goroutine that reaches the body with an object of its own (`c := newConn();
            c.serve()` inside it) does not share c, though another root may.
        looped: the roots that start it from a loop, once per iteration (on a shared object).
        fresh: by looped root, the receiver and parameter names bound to an object of the
            iteration's own (`for _, w := range ws { go w.run(&wg) }`: w, not wg): what is
            reached through them is not shared between that root's goroutines.
    """

    file: FileContext
    body: Node
    roots: set[tuple[str, int]]
    many: bool
    shared: dict[tuple[str, int], set[str]]
    looped: set[tuple[str, int]] = field(default_factory=set)
    fresh: dict[tuple[str, int], set[str]] = field(default_factory=dict)

    def many_for(self, production: bool, roots: set[tuple[str, int]] | None = None, name: str = "") -> bool:
        """many, counting only the go statements of non-test files when production is true
        (goroutines a test starts drive the package's code on objects of the test's own),
        and only roots when given (the goroutines that reach one object); a looped root does
        not count when name, the variable the object is reached through, is fresh for it."""
        candidates = self.roots if roots is None else roots
        found = {r for r in candidates if not production or not r[0].endswith("_test.go")}
        looped = {r for r in found & self.looped if not name or name not in self.fresh.get(r, set())}
        return len(found) > 1 or bool(looped)

    @property
    def started_outside_tests(self) -> bool:
        """Whether a go statement of a non-test file starts it."""
        return any(not path.endswith("_test.go") for path, _ in self.roots)

    @property
    def literal(self) -> bool:
        """The body is a function literal's (one started by `go func() {...}()`)."""
        return self.body.parent is not None and self.body.parent.type == "func_literal"

    def shares(self, root: Node) -> bool:
        """True if identifier root, used inside the body, denotes something the spawner
        can reach too, for some goroutine that runs the body (sharing_roots)."""
        return bool(self.sharing_roots(root))

    def sharing_roots(self, root: Node) -> set[tuple[str, int]]:
        """The go statements whose goroutine, running the body, reaches through identifier
        root something its spawner can reach too: every root for a package-level name or a
        captured variable, the roots that share a parameter for a parameter, none for a
        variable declared in the body."""
        name = syntax.text(root)
        decl = scope.declaration_of(root)
        func = self.body.parent or self.body
        if decl is None or not (func.start_byte <= decl.start_byte < func.end_byte):
            return set(self.roots)
        return {r for r, names in self.shared.items() if name in names}


@dataclass
class Regions:
    """All goroutine regions of a package, looked up by position."""

    regions: list[Region] = field(default_factory=list)

    def literal_spans(self, f: FileContext) -> list[tuple[int, int]]:
        """The byte spans of the function literal bodies that are regions of file f."""
        return [
            (r.body.start_byte, r.body.end_byte) for r in self.regions if r.literal and r.file.path == f.path
        ]

    def containing(self, f: FileContext, node: Node) -> list[Region]:
        return [
            r
            for r in self.regions
            if r.file.path == f.path
            and r.body.start_byte <= node.start_byte
            and node.end_byte <= r.body.end_byte
        ]


def regions_of(pkg: PackageContext, types: PackageTypes, launches: bool = False) -> Regions:
    """goroutine_regions of pkg, computed once for every rule that asks (once with launch
    statements, once without)."""
    key = "gofacts.goroutines" + (":launches" if launches else "")
    return pkg.derived(key, lambda: goroutine_regions(pkg, types, launches))


def goroutine_regions(pkg: PackageContext, types: PackageTypes, launches: bool = False) -> Regions:
    """The bodies that run in goroutines started by go statements of the package, and with
    launches by its launch statements too (`wg.Go(func() {...})`, gofacts.launches)."""
    functions = _Functions(pkg)
    found: dict[tuple[str, int], Region] = {}
    frontier: list[tuple[Region, int]] = []

    def add(
        f: FileContext,
        func: Node,
        root: tuple[str, int],
        many: bool,
        shared: set[str],
        depth: int,
        fresh: set[str] = frozenset(),  # type: ignore[assignment]
    ) -> None:
        body = func.child_by_field_name("body")
        if body is None:
            return
        key = (str(f.path), body.start_byte)
        region = found.get(key)
        if region is None:
            region = found[key] = Region(f, body, set(), many, {})
        elif root not in region.roots:
            region.many = True
        before = _state(region, root)
        region.many = region.many or many
        region.roots.add(root)
        region.shared.setdefault(root, set()).update(shared)
        if many:
            region.looped.add(root)
            if root in region.fresh:
                region.fresh[root] &= fresh
            else:
                region.fresh[root] = set(fresh)
        if before != _state(region, root):
            frontier.append((region, depth))  # its callees learn what it learnt

    for f in pkg.sources:
        offsets = go_keywords(f.content)
        launching = launches and may_launch(f.content)
        if (not offsets and not launching) or f.broken:
            continue
        for stmt in _go_statements(f, offsets) + (_launch_statements(f) if launching else []):
            call = stmt.named_children[0]
            fn = call.child_by_field_name("function") if call.type == "call_expression" else None
            if fn is None:
                continue
            root = (str(f.path), stmt.start_byte)
            fn = launched_literal(stmt) or syntax.unparen(fn)
            targets = [(f, fn)] if fn.type == "func_literal" else _callees(fn, f, functions, types)
            operands = fresh_operands(stmt) if _in_loop(stmt) and fn.type != "func_literal" else []
            for target_file, target in targets:
                params = set(parameter_types(target))
                many = _in_loop(stmt) and not token_guarded(stmt, pkg)
                fresh = loop_locals(stmt) if fn.type == "func_literal" else _fresh_names(target, operands)
                add(target_file, target, root, many, params, 0, fresh)
    calls: dict[tuple[str, int], list[tuple[Node | None, list[tuple[FileContext, Node]]]]] = {}
    while frontier:
        region, depth = frontier.pop()
        if depth >= CALL_DEPTH:
            continue
        key = (str(region.file.path), region.body.start_byte)
        if key not in calls:  # a region learning a new root is walked again: resolve once
            calls[key] = _resolved_calls(region, functions, types, launches)
        for base, targets in calls[key]:
            sharing = region.sharing_roots(base) if base is not None else set()
            base_name = syntax.text(base) if base is not None else ""
            for target_file, target in targets:
                receiver = set(parameter_types(target, "receiver"))
                for root in sorted(region.roots):
                    shared = receiver if root in sharing else set()
                    fresh = receiver if base_name in region.fresh.get(root, ()) else set()
                    add(target_file, target, root, root in region.looped, shared, depth + 1, fresh)
    return Regions(list(found.values()))


def _resolved_calls(
    region: Region, functions: _Functions, types: PackageTypes, launches: bool
) -> list[tuple[Node | None, list[tuple[FileContext, Node]]]]:
    """The calls the region's body makes on its own goroutine, in order: the variable each
    call's receiver is reached through (None for a function), and the package functions it
    certainly calls."""
    out = []
    for call in _sorted(syntax.captures("(call_expression) @c", region.body).get("c", [])):
        fn = call.child_by_field_name("function")
        if fn is None or _started_by_go(call, region.body, launches):
            continue  # runs on a goroutine of its own: a root of its own
        fn = syntax.unparen(fn)
        operand = fn.child_by_field_name("operand") if fn.type == "selector_expression" else None
        base = root_identifier(operand) if operand is not None else None
        targets = _callees(fn, region.file, functions, types)
        if targets:
            out.append((base, targets))
    return out


def _state(region: Region, root: tuple[str, int]) -> tuple[object, ...]:
    """What a region knows that its callees inherit, as far as root is concerned."""
    fresh = region.fresh.get(root)
    return len(region.roots), len(region.shared.get(root, ())), len(region.looped), fresh and frozenset(fresh)


def _started_by_go(call: Node, body: Node, launches: bool) -> bool:
    """call is the call of a go statement (with launches, of a launch statement too) under
    body, or inside the function literal it starts."""
    node = call.parent
    while node is not None and node != body:
        if node.type == "go_statement" or (launches and is_launch(node)):
            return True
        node = node.parent
    return False


def _fresh_names(target: Node, operands: list[tuple[int, bool]]) -> set[str]:
    """The receiver and parameter names of target bound to the go call's fresh operands."""
    names: set[str] = set()
    params = parameter_names(target)
    for i, fresh in operands:
        if not fresh:
            continue
        name = receiver_name(target) if i < 0 and target.type == "method_declaration" else None
        if i >= 0 and i < len(params):
            name = params[i]
        if name:
            names.add(name)
    return names


_LAUNCH = re.compile(rb"\.\s*Go\s*\(\s*func\b")
"""The bytes of a launch statement's call: `.Go(func`."""


def may_launch(content: bytes) -> bool:
    """False when Go source provably holds no launch statement (`x.Go(func() {...})`)."""
    return b"Go" in content and _LAUNCH.search(content) is not None


def _launch_statements(f: FileContext) -> list[Node]:
    """The launch statements of f (gofacts.launches.launched_literal), in order."""
    out = []
    for m in _LAUNCH.finditer(f.content):
        node = f.root.descendant_for_byte_range(m.start(), m.start() + 1)
        while node is not None and node.type not in ("expression_statement", "source_file"):
            node = node.parent
        if node is not None and launched_literal(node) is not None and node not in out:
            out.append(node)
    return out


def _go_statements(f: FileContext, offsets: list[int]) -> list[Node]:
    """The go statements (with an expression) whose keyword is at one of offsets, in order."""
    out = []
    for offset in offsets:
        keyword = f.root.descendant_for_byte_range(offset, offset + 2)
        stmt = keyword.parent if keyword is not None and keyword.type == "go" else None
        if stmt is not None and stmt.type == "go_statement" and stmt.named_children:
            out.append(stmt)
    return out


def written_names(regions: Regions) -> set[str]:
    """Names of the package-level variables (identifiers declared in no enclosing function)
    and of the fields (selectors) written in some region (safemap_ops.is_write)."""
    names: set[str] = set()
    for r in regions.regions:
        for n in _written(r.body):
            if n.type == "selector_expression":
                fld = n.child_by_field_name("field")
                if fld is not None:
                    names.add(syntax.text(fld))
            elif scope.declaration_of(n) is None:
                names.add(syntax.text(n))
    return names


_WRITES = """
(assignment_statement left: (expression_list (_) @t))
(inc_statement (_) @t)
(dec_statement (_) @t)
((call_expression function: (identifier) @fn arguments: (argument_list (_) @t))
 (#any-of? @fn "delete" "clear"))
"""


"""The places where is_write holds of a use or of the index expression (or index of an
index expression) whose operand the use is."""


def _written(body: Node) -> list[Node]:
    """The identifiers and selectors under body that is_write holds of."""
    out = []
    for target in syntax.captures(_WRITES, body).get("t", []):
        node: Node | None = target
        for _ in range(3):
            if node is None:
                break
            if node.type in ("identifier", "selector_expression") and is_write(node):
                out.append(node)
            node = node.child_by_field_name("operand") if node.type == "index_expression" else None
    return out


def _sorted(nodes: list[Node]) -> list[Node]:
    """Nodes in the order of a walk of their tree (outer before inner at one offset)."""
    return sorted(nodes, key=lambda n: (n.start_byte, -n.end_byte))


class _Functions:
    """The package's functions by name and methods by (receiver base type, name), every
    build-tagged variant of each (a goroutine may run any of them): gofacts.decls' variants."""

    def __init__(self, pkg: PackageContext) -> None:
        self.decls = Declarations.of(pkg)

    def may_have_funcs(self, name: str) -> bool:
        """False when no file has the bytes of a function declaration called name."""
        return self.decls.may_declare("func", name)

    def funcs(self, name: str) -> list[tuple[FileContext, Node]]:
        return [(f, d) for d, f in self.decls.variants("func", name)]

    def may_have_methods(self, name: str) -> bool:
        """False when no file has the bytes of a method declaration called name."""
        return self.decls.may_declare("method", name)

    def methods(self, base: str, name: str) -> list[tuple[FileContext, Node]]:
        return [(f, d) for d, f in self.decls.variants("method", (base, name))]


def _callees(
    fn: Node, f: FileContext, functions: _Functions, types: PackageTypes
) -> list[tuple[FileContext, Node]]:
    """Package functions a call's function expression certainly names."""
    if fn.type == "identifier":
        name = syntax.text(fn)
        if not functions.may_have_funcs(name) or scope.declaration_of(fn) is not None:
            return []
        return functions.funcs(name)
    if fn.type == "selector_expression":
        operand, fld = fn.child_by_field_name("operand"), fn.child_by_field_name("field")
        if operand is None or fld is None:
            return []
        name = syntax.text(fld)
        if not functions.may_have_methods(name) or names_package(operand, f):
            return []
        base = type_name(operand, f, types)
        return functions.methods(base, name) if base else []
    return []


def _in_loop(stmt: Node) -> bool:
    func = syntax.enclosing_function(stmt)
    for a in syntax.ancestors(stmt):
        if a == func:
            return False
        if a.type == "for_statement":
            return True
    return False
