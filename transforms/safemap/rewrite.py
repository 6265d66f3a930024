"""Rewriting every use of one map into calls of its SafeMap.

A Rewriter turns the uses of one MapDecl into byte edits, or raises Blocked
naming the first use it cannot rewrite with certainty. The rules:

  v := X[k] / v = X[k] / var v = X[k]    -> v, _ := X.Load(k)  (and = / var forms)
  v, ok := X[k] (any comma-ok form)      -> v, ok := X.Load(k)
  X[k] elsewhere in a statement          -> v, _ := X.Load(k) on the line before, X[k] -> v
  X[k] = e                               -> X.Store(k, e)
  X[k] = f(X[k]) (same key)              -> X.Update(k, func(v V, _ bool) V { return f(v) })
  X[k]++ / X[k] op= e                    -> X.Update(k, func(v V, _ bool) V { return v op e })
  X[k][k2] = e, delete(X[k], k2), ...    -> X.Update(k, ...) on a copy of the inner map
  delete(X, k) / clear(X) / len(X)       -> X.Delete(k) / X.Clear() / X.Len()
  for k, v := range X { ... }            -> X.Range(func(k K, v V) bool { ...; return true })
  X = make(...) / X = nil                -> X.Clear()  (a pointer-shaped field: X = &SafeMap[K, V]{})
  if X == nil { X = make(...) }          -> removed (the zero SafeMap is ready to use)

Reads moved to the line before their statement are moved only when Go
would allow that evaluation order anyway: the map index is not ordered
against calls by the spec, so moving it first is one of the orders Go
permits, provided the key calls nothing, the read is evaluated
unconditionally (not on the right of && or ||, not in an else-if or a loop
condition) and the statement stands alone on its lines.

Code that runs inside Update runs with the map's write lock held: it must
not call functions (which could use the map and deadlock) or read the map.
"""

from __future__ import annotations

from pathlib import Path

from tree_sitter import Node

from codemod import golines, syntax
from codemod.context import FileContext
from codemod.model import Edit
from gofacts import mapops as ops
from transforms.safemap.find import MapDecl, Use
from transforms.safemap.shape import (
    BREAK_TARGETS,
    HOIST_PATH,
    ONE_LINE_FUNC,
    QUALIFIER,
    SIMPLE,
    Blocked,
    Shape,
    assigned_names,
    free_param,
    identifiers_in,
    operator_of,
    replaced_text,
    top_function,
    why_blocked,
)
from transforms.safemap.spacing import depth_of, format_expr, reprint


class Rewriter:
    """Collects the edits that convert one map and all its uses."""

    def __init__(self, decl: MapDecl, shape: Shape, uses: list[Use]) -> None:
        self.decl = decl
        self.shape = shape
        self.uses = uses
        self.edits: list[Edit] = []
        self.consumed: set[tuple[Path, int]] = set()
        self.spans: dict[Path, set[tuple[int, int]]] = {}
        self.nodes: dict[Path, list[Node]] = {}
        for u in uses:
            self.spans.setdefault(u.file.path, set()).add((u.node.start_byte, u.node.end_byte))
            self.nodes.setdefault(u.file.path, []).append(u.node)
        self._hoists: dict[tuple[Path, int], tuple[FileContext, Node, list[str]]] = {}
        self._taken: dict[tuple[Path, int], set[str]] = {}

    # -- driver ------------------------------------------------------------

    def run(self) -> list[Edit]:
        """All edits for the uses (not the declaration); raises Blocked."""
        for u in self.uses:
            if not u.resolved:
                raise Blocked(u.file, u.node.parent or u.node, "may or may not be this field (type unknown)")
            if not u.file.editable:
                raise Blocked(u.file, u.node, "is in a file gomapfix may not edit")
            if (u.file.path, u.node.start_byte) in self.consumed:
                continue
            self._use(u.file, u.node)
        for f, stmt, lines in self._hoists.values():
            edit = golines.insert_before(f, stmt, lines)
            if edit is None:
                raise Blocked(f, stmt, "cannot get a line of its own before it")
            self.edits.append(edit)
        return self.edits

    def _use(self, f: FileContext, use: Node) -> None:
        idx = ops.index_of(use)
        if idx is not None:
            return self._index(f, use, idx)
        p = use.parent
        assert p is not None
        call = ops.call_of_argument(use)
        if call is not None:
            return self._call(f, use, *call)
        if p.type == "range_clause" and p.child_by_field_name("right") == use:
            return self._range(f, use, p)
        asg = ops.assignment_of(use)
        if asg is not None and asg[1] == "=":
            return self._assign(f, use, asg[0])
        if p.type == "binary_expression" and syntax.text(p.child_by_field_name("operator") or p) in (
            "==",
            "!=",
        ):
            return self._nil_check(f, use, p)
        shown = p.parent if p.type == "expression_list" and p.parent is not None else p
        raise Blocked(f, shown, why_blocked(use))

    def _edit(self, f: FileContext, start: int, end: int, text: str) -> None:
        self.edits.append(f.edit(start, end, text))

    def x(self, use: Node) -> str:
        return syntax.text(use)

    # -- X[k] ----------------------------------------------------------------

    def _index(self, f: FileContext, use: Node, idx: Node) -> None:
        key = idx.child_by_field_name("index")
        if key is None:
            raise Blocked(f, idx, "has no key")
        g = idx.parent
        assert g is not None
        if g.type in ("inc_statement", "dec_statement"):
            return self._compound(f, use, g, key, "+" if g.type == "inc_statement" else "-", None)
        asg = ops.assignment_of(idx)
        if asg is not None:
            stmt, op = asg
            if op == "=":
                return self._store(f, use, stmt, idx, key)
            return self._compound(f, use, stmt, key, op[:-1], ops.single_right(stmt))
        if self.shape.value_is_map and self._nested(f, use, idx, key):
            return None
        if self._init_if_nil(f, use, idx, key):
            return None
        self._read(f, use, idx, key)

    def _init_if_nil(self, f: FileContext, use: Node, idx: Node, key: Node) -> bool:
        """`if X[k] == nil { X[k] = e }` -> one Update that stores e only when the value is nil,
        so that two goroutines cannot both install a fresh inner value."""
        cmp = idx.parent
        stmt = cmp.parent if cmp is not None else None
        if cmp is None or stmt is None or cmp.type != "binary_expression" or operator_of(cmp) != "==":
            return False
        if cmp.child_by_field_name("left") != idx or not ops.is_nil(cmp.child_by_field_name("right") or cmp):
            return False
        if stmt.type != "if_statement" or stmt.child_by_field_name("condition") != cmp:
            return False
        if stmt.child_by_field_name("initializer") or stmt.child_by_field_name("alternative"):
            return False
        body = ops.block_statements(stmt.child_by_field_name("consequence"))  # type: ignore[arg-type]
        if len(body) != 1 or b"//" in (stmt.text or b"") or b"/*" in (stmt.text or b""):
            return False
        left = body[0].child_by_field_name("left")
        target = left.named_children[0] if left is not None and left.named_child_count == 1 else None
        value = ops.single_right(body[0])
        inner_key = target.child_by_field_name("index") if target is not None else None
        if (
            body[0].type != "assignment_statement"
            or operator_of(body[0]) != "="
            or value is None
            or inner_key is None
        ):
            return False
        operand = target.child_by_field_name("operand")  # type: ignore[union-attr]
        if operand is None or (f.path, operand.start_byte) not in self._starts(f):
            return False
        if syntax.text(inner_key) != syntax.text(key) or not ops.pure(key) or not ops.pure(value):
            return False
        self._locked_code_ok(f, stmt, value)
        self.consumed.add((f.path, operand.start_byte))
        param = free_param(stmt)
        lines = [f"if {param} == nil {{", f"\t{param} = {reprint(value, 1)}", "}", f"return {param}"]
        self._update(f, use, stmt, key, param, lines)
        return True

    def _starts(self, f: FileContext) -> set[tuple[Path, int]]:
        return {(f.path, n.start_byte) for n in self.nodes.get(f.path, [])}

    def _read(self, f: FileContext, use: Node, idx: Node, key: Node) -> None:
        load = f"{self.x(use)}.Load("
        holder = idx.parent
        stmt = holder.parent if holder is not None and holder.type == "expression_list" else None
        if holder is not None and holder.named_child_count == 1 and stmt is not None:
            left = assigned_names(stmt, holder)
            if left:
                self._check_key(f, use, key, moved=False)
                self._edit(f, idx.start_byte, idx.end_byte, f"{load}{reprint(key, depth_of(idx))})")
                if len(left) == 1:
                    self._edit(f, left[0].end_byte, left[0].end_byte, ", _")
                return
        self._check_key(f, use, key, moved=True)
        text = f"{load}{reprint(key, 1)})"
        name = self._hoist(f, idx, lambda n: f"{n}, _ := {text}")
        self._edit(f, idx.start_byte, idx.end_byte, name)

    def _check_key(self, f: FileContext, use: Node, key: Node, moved: bool) -> None:
        if ops.mentions(key, self.spans.get(f.path, set())):
            raise Blocked(f, key.parent or key, "indexes the map with a key read from the map")
        if moved and not (ops.pure(key) and ops.pure(use)):
            raise Blocked(f, key.parent or key, "would move a call out of its statement")

    def _store(self, f: FileContext, use: Node, stmt: Node, idx: Node, key: Node) -> None:
        value = ops.single_right(stmt)
        if value is None:
            raise Blocked(f, stmt, "is assigned together with other values")
        same = self._same_key_reads(f, value, key)
        if not same:
            self._check_key(f, use, key, moved=False)
            if ops.mentions(value, self.spans.get(f.path, set())):
                raise Blocked(f, stmt, "stores a value read from the map under another key")
            store = f"{self.x(use)}.Store({reprint(key, 2)}, {reprint(value, 2)})"
            self._edit(f, stmt.start_byte, stmt.end_byte, store)
            return
        param = free_param(stmt)
        body = format_expr(replaced_text(value, {(u.start_byte, u.end_byte): param for u in same}), 1)
        self._locked_code_ok(f, stmt, value, exclude=same)
        for u in same:
            self.consumed.add((f.path, u.start_byte))
        self._update(f, use, stmt, key, param, [f"return {body}"])

    def _same_key_reads(self, f: FileContext, value: Node, key: Node) -> list[Node]:
        """Reads X[k] inside value with the same (call-free) key text as the store's key."""
        if not ops.pure(key):
            return []
        out = []
        for node in self.nodes.get(f.path, []):
            idx = ops.index_of(node)
            k = idx.child_by_field_name("index") if idx is not None else None
            inside = idx is not None and value.start_byte <= idx.start_byte < value.end_byte
            if inside and k is not None and syntax.text(k) == syntax.text(key):
                out.append(idx)  # type: ignore[arg-type]
        return out

    def _compound(
        self, f: FileContext, use: Node, stmt: Node, key: Node, op: str, value: Node | None
    ) -> None:
        param = free_param(stmt)
        if value is None:
            expr = "1"
        else:
            self._locked_code_ok(f, stmt, value)
            expr = syntax.text(value)
            if syntax.unparen(value).type == "binary_expression" and value.type != "parenthesized_expression":
                expr = f"({expr})"
        self._update(f, use, stmt, key, param, [f"return {format_expr(f'{param} {op} {expr}', 1)}"])

    def _nested(self, f: FileContext, use: Node, idx: Node, key: Node) -> bool:
        """X[k][k2] = e, X[k][k2]++, X[k][k2] op= e, delete(X[k], k2), clear(X[k]): Update on a
        copy of the inner map. False when idx is only read."""
        outer = idx.parent
        stmt: Node | None = None
        checked: list[Node] = []
        if (
            outer is not None
            and outer.type == "index_expression"
            and outer.child_by_field_name("operand") == idx
        ):
            g = outer.parent
            asg = ops.assignment_of(outer)
            if g is not None and g.type in ("inc_statement", "dec_statement"):
                stmt = g
            elif asg is not None:
                stmt = asg[0]
                checked.append(asg[0].child_by_field_name("right") or asg[0])
            checked.append(outer.child_by_field_name("index") or outer)
        call = ops.call_of_argument(idx)
        if call is not None and call[0] in ("delete", "clear") and call[2] == 0:
            stmt = call[1].parent
            if stmt is None or stmt.type != "expression_statement":
                raise Blocked(f, call[1], "changes an inner map inside an expression")
            args = call[1].child_by_field_name("arguments")
            checked.extend(args.named_children[1:] if args is not None else [])
        if stmt is None:
            return False
        if not self.shape.clone:
            raise Blocked(f, stmt, "changes an inner map (needs go 1.18 or later in go.mod)")
        for code in checked:
            self._locked_code_ok(f, stmt, code)
        param = free_param(stmt)
        inner = replaced_text(stmt, {(idx.start_byte, idx.end_byte): param})
        if "\n" in inner:
            raise Blocked(f, stmt, "spans several lines")
        self._update(
            f, use, stmt, key, param, [f"{param} = {self.shape.clone}({param})", inner, f"return {param}"]
        )
        return True

    def _locked_code_ok(
        self, f: FileContext, stmt: Node, code: Node, exclude: list[Node] | None = None
    ) -> None:
        """Code that will run inside Update must not read the map again, nor call anything."""
        for node in self.nodes.get(f.path, []):
            inside = code.start_byte <= node.start_byte and node.end_byte <= code.end_byte
            if inside and not any(e.start_byte <= node.start_byte < e.end_byte for e in exclude or ()):
                raise Blocked(f, stmt, "reads the map again while it would be locked")
        if not ops.pure(code):
            raise Blocked(f, stmt, "would call a function while the map is locked")

    def _update(self, f: FileContext, use: Node, stmt: Node, key: Node, param: str, body: list[str]) -> None:
        if ops.mentions(key, self.spans.get(f.path, set())) or not ops.pure(key):
            raise Blocked(f, stmt, "has a key that calls a function or reads the map")
        self._types_visible(f, stmt, self.shape.value)
        value = self.shape.value
        header = f"func({param} {value}, _ bool) {value}"
        head = f"{self.x(use)}.Update({reprint(key, 2)}, {header} {{"
        if len(body) == 1 and "\n" not in body[0] and len(header) + len(body[0]) <= ONE_LINE_FUNC:
            self._edit(f, stmt.start_byte, stmt.end_byte, f"{head} {body[0]} }})")
            return
        if not golines.alone_on_lines(f, stmt):
            raise Blocked(f, stmt, "shares its line with other code")
        indent = golines.statement_indent(f, stmt).decode()
        nl = f.newline.decode()
        lines = [head] + [f"{indent}\t{b}" for b in body] + [f"{indent}}})"]
        self._edit(f, stmt.start_byte, stmt.end_byte, nl.join(lines))

    # -- hoisting ------------------------------------------------------------

    def _hoist(self, f: FileContext, node: Node, line: object) -> str:
        stmt = self._hoist_statement(f, node)
        key = (f.path, stmt.start_byte)
        top = top_function(stmt)
        if top is None:
            raise Blocked(f, node, "is not inside a function")
        taken = self._taken.setdefault((f.path, top.start_byte), identifiers_in(top))
        name = next(n for n in ("v", *(f"v{i}" for i in range(2, 1000))) if n not in taken)
        taken.add(name)
        entry = self._hoists.setdefault(key, (f, stmt, []))
        entry[2].append(line(name))  # type: ignore[operator]
        return name

    def _hoist_statement(self, f: FileContext, node: Node) -> Node:
        stmt = golines.statement_of(node)
        if stmt is None:
            raise Blocked(f, node, "is not in a statement of its own")
        child, a = node, node.parent
        while a is not None and a != stmt:
            if a.type == "binary_expression":
                op = syntax.text(a.child_by_field_name("operator") or a)
                if op in ("&&", "||") and child == a.child_by_field_name("right"):
                    raise Blocked(f, node, "is read only when a condition holds")
            elif a.type not in HOIST_PATH:
                if a.type == "range_clause" and a.child_by_field_name("right") == child:
                    pass
                else:
                    raise Blocked(f, node, "cannot be read before its statement")
            child, a = a, a.parent
        t = stmt.type
        ok = t in SIMPLE
        if t == "if_statement":
            ok = stmt.child_by_field_name("initializer") is None and child == stmt.child_by_field_name(
                "condition"
            )
        elif t == "expression_switch_statement":
            ok = stmt.child_by_field_name("initializer") is None and child == stmt.child_by_field_name(
                "value"
            )
        elif t == "for_statement":
            ok = child.type == "range_clause"
        if not ok:
            raise Blocked(f, node, "cannot be read before its statement")
        if not golines.alone_on_lines(f, stmt):
            raise Blocked(f, node, "shares its line with other code")
        return stmt

    # -- calls, range, assignment ----------------------------------------------

    def _call(self, f: FileContext, use: Node, callee: str, call: Node, pos: int) -> None:
        args = call.child_by_field_name("arguments")
        n = args.named_child_count if args is not None else 0
        if callee == "len" and n == 1:
            self._edit(f, call.start_byte, call.end_byte, f"{self.x(use)}.Len()")
        elif callee == "clear" and n == 1:
            self._edit(f, call.start_byte, call.end_byte, f"{self.x(use)}.Clear()")
        elif callee == "delete" and n == 2 and pos == 0 and args is not None:
            k = args.named_children[1]
            self._edit(
                f, call.start_byte, call.end_byte, f"{self.x(use)}.Delete({reprint(k, depth_of(call))})"
            )
        else:
            raise Blocked(f, call, "passes the map to a function")

    def _range(self, f: FileContext, use: Node, clause: Node) -> None:
        loop = clause.parent
        if loop is None or loop.parent is None or loop.parent.type != "statement_list":
            raise Blocked(f, loop or clause, "is a labeled loop")
        body = loop.child_by_field_name("body")
        if body is None or not golines.alone_on_lines(f, loop):
            raise Blocked(f, loop, "shares its line with other code")
        left = clause.child_by_field_name("left")
        names = left.named_children if left is not None and left.type == "expression_list" else []
        if left is not None and not any(c.type == ":=" for c in clause.children):
            raise Blocked(f, clause, "assigns to variables declared outside the loop")
        if any(n.type != "identifier" for n in names):
            raise Blocked(f, clause, "has unusual loop variables")
        k = syntax.text(names[0]) if names else "_"
        v = syntax.text(names[1]) if len(names) > 1 else "_"
        self._types_visible(f, loop, f"{self.shape.key} {self.shape.value}")
        converted = self._loop_exits(f, body, loop)
        head = f"{self.x(use)}.Range(func({k} {self.shape.key}, {v} {self.shape.value}) bool {{"
        self._edit(f, loop.start_byte, body.start_byte + 1, head)
        stmts = ops.block_statements(body)
        indent = golines.statement_indent(f, loop) + b"\t"
        if not stmts or not ops.terminates(stmts[-1], converted):
            at = f.line_end(stmts[-1].end_byte) if stmts else f.line_end(body.start_byte)
            self._edit(f, at, at, (f.newline + indent).decode() + "return true")
        self._edit(f, body.end_byte - 1, body.end_byte, "})")

    def _types_visible(self, f: FileContext, node: Node, types: str) -> None:
        """The key and value types are spelled in f: their package qualifiers must be imported there."""
        for q in sorted(set(QUALIFIER.findall(types))):
            if q not in f.imported_names:
                raise Blocked(f, node, f"would need an import of {q} in {f.path.name}")

    def _loop_exits(self, f: FileContext, body: Node, loop: Node) -> set[int]:
        """Rewrite break/continue of the loop as return false/true; returns their offsets."""
        labels = {
            syntax.text(n.child_by_field_name("label") or n)
            for n in syntax.named_walk(body, prune=frozenset({"func_literal"}))
            if n.type == "labeled_statement"
        }
        converted: set[int] = set()
        for n in syntax.named_walk(body, prune=frozenset({"func_literal"})):
            if n.type == "return_statement":
                raise Blocked(f, n, "returns from inside the range loop")
            if n.type == "goto_statement":
                raise Blocked(f, n, "jumps out of the range loop with goto")
            if n.type == "defer_statement":
                raise Blocked(f, n, "defers a call inside the range loop")
            if n.type not in ("break_statement", "continue_statement"):
                continue
            label = next((c for c in n.named_children if c.type == "label_name"), None)
            if label is not None:
                if syntax.text(label) not in labels:
                    raise Blocked(f, n, "leaves the range loop through a label")
                continue
            targets = BREAK_TARGETS if n.type == "break_statement" else frozenset({"for_statement"})
            if syntax.enclosing(n, *targets) == loop:
                converted.add(n.start_byte)
                word = "false" if n.type == "break_statement" else "true"
                self._edit(f, n.start_byte, n.end_byte, f"return {word}")
        return converted

    def _assign(self, f: FileContext, use: Node, stmt: Node) -> None:
        value = ops.single_right(stmt)
        if value is None:
            raise Blocked(f, stmt, "is assigned together with other values")
        if self.shape.pointer:
            if ops.empty_map_value(value):
                self._edit(f, value.start_byte, value.end_byte, self.shape.fresh)
            elif not ops.is_nil(value):
                raise Blocked(f, stmt, "assigns another map to it")
            return
        if not (ops.empty_map_value(value) or ops.is_nil(value)):
            raise Blocked(f, stmt, "assigns another map to it")
        if stmt.parent is None or stmt.parent.type != "statement_list":
            raise Blocked(f, stmt, "resets the map inside a statement header")
        self._edit(f, stmt.start_byte, stmt.end_byte, f"{self.x(use)}.Clear()")

    def _nil_check(self, f: FileContext, use: Node, cmp: Node) -> None:
        other = (
            cmp.child_by_field_name("right")
            if cmp.child_by_field_name("left") == use
            else cmp.child_by_field_name("left")
        )
        if other is None or not ops.is_nil(other):
            raise Blocked(f, cmp, "compares the map")
        if self.shape.pointer:
            return
        # if X == nil { X = make(...) }: the zero SafeMap is already usable.
        stmt = cmp.parent
        op = syntax.text(cmp.child_by_field_name("operator") or cmp)
        if (
            op == "=="
            and stmt is not None
            and stmt.type == "if_statement"
            and stmt.child_by_field_name("condition") == cmp
            and stmt.child_by_field_name("initializer") is None
            and stmt.child_by_field_name("alternative") is None
            and stmt.parent is not None
            and stmt.parent.type == "statement_list"
        ):
            inner = ops.block_statements(stmt.child_by_field_name("consequence"))  # type: ignore[arg-type]
            commented = b"//" in (stmt.text or b"") or b"/*" in (stmt.text or b"")
            reset = len(inner) == 1 and self._is_reset(f, inner[0], use)
            if reset and not commented and golines.alone_on_lines(f, stmt):
                start = f.line_start(stmt.start_byte)
                end = f.line_end(stmt.end_byte) + len(f.newline)
                self._edit(f, start, min(end, len(f.content)), "")
                left = inner[0].child_by_field_name("left")
                target = left.named_children[0] if left is not None else None
                if target is not None:
                    self.consumed.add((f.path, target.start_byte))
                return
        raise Blocked(f, cmp, "compares the map with nil")

    def _is_reset(self, f: FileContext, stmt: Node, use: Node) -> bool:
        left = stmt.child_by_field_name("left")
        target = left.named_children[0] if left is not None and left.named_child_count == 1 else None
        if stmt.type != "assignment_statement" or target is None or syntax.text(target) != syntax.text(use):
            return False
        value = ops.single_right(stmt)
        return (
            (f.path, target.start_byte) in {(f.path, s) for s, _ in self.spans.get(f.path, set())}
            and value is not None
            and ops.empty_map_value(value)
        )
