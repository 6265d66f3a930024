"""The fixes: a copy taken where the lock is still held, its helper, its safety and its message."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from codemod import syntax
from codemod.context import PackageContext, declared_names
from codemod.imports import plan_imports
from codemod.model import Edit, Finding, Fix, NewFile, Safety
from codemod.transform import finding
from gofacts.scope import find_declaration
from gofacts.types import GoType, PackageTypes
from transforms.deepcopy import clone_go
from transforms.deepcopy.chains import declaration_holding, squash
from transforms.deepcopy.copyable import (
    camel,
    copyable,
    has_build_suffix,
    holds_maps,
    key_types,
    map_literal,
    strictly_comparable,
)
from transforms.deepcopy.doc import DOC
from transforms.deepcopy.leaks import Leak
from transforms.deepcopy.writers import writer_of_result

_PROMISE = re.compile(
    r"\b(underlying|not a copy|no copy|without copying|alias(?:es|ed|ing)?|shared?|live view|reflected|"
    r"the same map|by reference|may (?:modify|mutate|change) (?:it|the (?:returned )?map))\b",
    re.I,
)


# Types of other packages known not to hold maps (values copied by assignment stay independent).


@dataclass(frozen=True)
class _Copy:
    """How one fix copies the map: the function to call, and what it needs."""

    call: str
    helper: clone_go.CloneHelper | None
    imports_maps: bool = False


class Fixer:
    """Turns leaks into findings, with fixes that share one generated helper file."""

    def __init__(self, pkg: PackageContext, types: PackageTypes) -> None:
        self.pkg, self.types = pkg, types
        # [transforms.deepcopy] helper-file in .gomapfix.toml names the file (validated there).
        self.clone_name: str = pkg.option("deepcopy", "helper-file", clone_go.CLONE_FILE)
        self.clone_path = pkg.directory / self.clone_name
        self.clone_file = next((f for f in pkg.sources if f.path == self.clone_path and not f.broken), None)
        self.existing: set[clone_go.CloneHelper] = set()
        self.helper_problem = ""
        if pkg.name.endswith("_test"):
            self.helper_problem = "an external test package cannot hold the generated helper file"
        elif self.clone_file is not None:
            try:
                self.existing = clone_go.helpers_in(self.clone_file.content)
            except ValueError as e:
                self.helper_problem = f"{self.clone_name} cannot be updated ({e})"
        self._user_names: dict[str, bool] = {}
        self.taken: dict[str, clone_go.CloneHelper] = {clone_go.helper_name(h): h for h in self.existing}

    def _user_declares(self, name: str) -> bool:
        """True when a file of the package other than the helper file declares name at package level."""
        found = self._user_names.get(name)
        if found is None:
            found = self._user_names[name] = any(
                name in declared_names(decl)
                for f in self.pkg.files_with(name.encode())
                if f.path != self.clone_path
                for decl in f.root.named_children
            )
        return found

    def findings(self, leaks: list[Leak]) -> Iterator[Finding]:
        plans: list[tuple[Leak, str, list[tuple[_Copy, Safety, str]], str]] = []
        for leak in leaks:
            notes, copies, problem = self._plan(leak)
            plans.append((leak, notes, copies, problem))
        firsts = [c for _, _, cs, _ in plans for c in cs[:1]]
        union_safe = self.existing | {
            c.helper for c, s, _ in firsts if c.helper is not None and s is Safety.SAFE
        }
        union_unsafe = union_safe | {c.helper for c, s, _ in firsts if c.helper is not None}
        for leak, notes, copies, problem in plans:
            fixes: list[Fix] = []
            for i, (copy, safety, message) in enumerate(copies):
                if i == 0:
                    helpers = union_safe if safety is Safety.SAFE else union_unsafe
                else:
                    helpers = union_safe | ({copy.helper} if copy.helper is not None else set())
                fix = self._fix(leak, copy, safety, message, helpers)
                if fix is not None:
                    fixes.append(fix)
            message = _message(leak, notes, copies, problem)
            where = leak.shallow or leak.wrap or leak.at
            yield finding(DOC.name, leak.file, where, message, fixes)

    # -- planning ------------------------------------------------------------------------

    def _plan(self, leak: Leak) -> tuple[str, list[tuple[_Copy, Safety, str]], str]:
        """(notes for the message, [(copy, safety, fix message)], reason there is no fix)."""
        types = self.types
        outer = types.map_parts(leak.maptype)
        assert outer is not None
        inner = types.map_parts(outer[1])
        nested = inner is not None
        value = inner[1] if inner is not None else outer[1]
        notes: list[str] = []
        if nested and types.map_parts(value) is not None:
            return "", [], "maps three or more levels deep are not copied by gomapfix's helpers"
        holds = holds_maps(value, types)
        if holds is True:
            return "", [], f"its values ({value.text}) hold maps of their own, which a copy would still share"
        unsafe: list[str] = []
        if holds is None:
            unsafe.append(f"values of type {value.text} might hold maps, which a copy would still share")
        pointee = types.pointee(value)
        if value.kind == "pointer_type":
            notes.append(f"pointer values ({value.text}) stay shared with the original")
        if leak.no_fix is not None and leak.wrap is None:
            return _sentences(notes), [], leak.no_fix
        unsafe.extend(self._contract(leak))
        safety = Safety.UNSAFE if unsafe else Safety.SAFE
        if unsafe:
            notes.append("the fix is a suggestion: " + "; ".join(unsafe))
        copies: list[tuple[_Copy, Safety, str]] = []
        what = leak.path
        mutex = leak.held.mutex
        first = self._copy(leak, nested, values=False)
        if isinstance(first, str):
            return _sentences(notes), [], first
        copies.append((first, safety, f"copy {what} with {first.call} while {mutex} is held"))
        if pointee is not None and copyable(pointee, types):
            second = self._copy(leak, nested, values=True)
            if not isinstance(second, str):
                msg = (
                    f"copy {what}, and each {pointee.text} its values point to, with {second.call} "
                    f"while {mutex} is held (new pointers)"
                )
                copies.append((second, Safety.UNSAFE, msg))
        return _sentences(notes), copies, ""

    def _contract(self, leak: Leak) -> list[str]:
        """Reasons the copy might break a caller's expectations (each makes the fix unsafe)."""
        out: list[str] = []
        decl = declaration_holding(leak.func)
        name_node = decl.child_by_field_name("name") if decl is not None else None
        name = syntax.text(name_node) if name_node is not None else ""
        if decl is not None and name[:1].isupper():
            m = _PROMISE.search(_doc_comment(decl))
            if m:
                out.append(f'the doc comment of {name} says the map is shared ("{m.group(0)}")')
        if decl is not None and name and leak.route.startswith("is returned") and leak.func == decl:
            # The map itself is the result (not a value holding it): callers may write through it.
            writer = writer_of_result(self.pkg, decl, name)
            if writer:
                out.append(f"{writer} writes through the map {name} returns, and would write to the copy")
        return out

    def _copy(self, leak: Leak, nested: bool, values: bool) -> _Copy | str:
        """The copy call for the leak's map type, or why there is none."""
        pkg, types = self.pkg, self.types
        t = leak.maptype
        keys = key_types(t, types)
        kind = ("nested" if nested else "single") + ("-values" if values else "")
        if not nested and not values and pkg.at_least(1, 21):
            return _Copy("maps.Clone", None, imports_maps=True)
        if self.helper_problem:
            return self.helper_problem
        if pkg.at_least(1, 18) and (pkg.at_least(1, 20) or all(strictly_comparable(k, types) for k in keys)):
            helper = clone_go.CloneHelper(kind)  # type: ignore[arg-type]
            if self._user_declares(clone_go.helper_name(helper)):
                return f"the package already declares {clone_go.helper_name(helper)}"
            return _Copy(clone_go.helper_name(helper), helper)
        concrete = self._concrete(t, kind, nested, values)
        if isinstance(concrete, str):
            return concrete
        return _Copy(concrete.name, concrete)

    def _concrete(self, t: GoType, kind: str, nested: bool, values: bool) -> clone_go.CloneHelper | str:
        """A per-type helper for t (go < 1.18, or interface-like keys below go 1.20)."""
        types = self.types
        if self.pkg.broken:
            return "some files of the package do not parse, so a helper name could clash"
        type_text = squash(t.text)
        underlying = ""
        if t.kind != "map_type":
            u = map_literal(t, types)
            if u is None or not types.is_named_here(t):
                return f"{type_text} cannot be named in the generated helper file"
            underlying = squash(u.text)
            outer_node = u
        else:
            outer_node = t
        inner_underlying = ""
        if nested:
            parts = types.map_parts(outer_node)
            assert parts is not None
            if parts[1].kind != "map_type":
                iu = map_literal(parts[1], types)
                if iu is None:
                    return f"{parts[1].text} cannot be named in the generated helper file"
                inner_underlying = squash(iu.text)
        texts = [type_text, underlying, inner_underlying]
        problem = self._portable(texts, t)
        if problem:
            return problem
        imports = self._imports(texts, t)
        if isinstance(imports, str):
            return imports
        base = "gomapfixClone" + camel(type_text) + ("Values" if values else "")
        for i in range(1, 100):
            name = base if i == 1 else f"{base}{i}"
            try:
                helper = clone_go.CloneHelper(
                    kind,  # type: ignore[arg-type]
                    name=name,
                    type_text=type_text,
                    underlying=underlying,
                    inner_underlying=inner_underlying,
                    imports=tuple(imports),
                )
            except ValueError as e:
                return f"no helper can be generated for {type_text} ({e})"
            other = self.taken.get(name)
            if self._user_declares(name) or (other is not None and other != helper):
                continue
            self.taken[name] = helper
            return helper
        return f"no free helper name for {type_text}"

    def _portable(self, texts: list[str], t: GoType) -> str:
        """Why the type texts cannot be pasted into the helper file ("" when they can)."""
        for text in texts:
            if "\n" in text or "//" in text or "/*" in text:
                return "the map type spans several lines or holds comments"
            for name in re.findall(r"(?<![.\w])([A-Za-z_]\w*)(?![\w.(])", text):
                decl = self.types.decls.get(name)
                if decl is None:
                    continue
                df = decl.file
                if decl.generic:
                    return f"{name} is a generic type"
                if df.is_test or df.build_constraint is not None or has_build_suffix(df.path.name):
                    return f"{name} is declared in {df.path.name}, which is not always built with the helpers"
        return ""

    def _imports(self, texts: list[str], t: GoType) -> list[str] | str:
        specs: list[str] = []
        for text in texts:
            for qual in re.findall(r"(?<![.\w])([A-Za-z_]\w*)\.[A-Za-z_]", text):
                if qual == "C":
                    return "the map type uses C types, which the helper file cannot import"
                spec = self._import_spec(qual, t)
                if spec is None:
                    return f"the import of {qual} could not be found"
                specs.append(spec)
        return sorted(set(specs))

    def _import_spec(self, qual: str, t: GoType) -> str | None:
        # A file can import qual only if its bytes hold it (as the import's name or in its path).
        files = ([t.file] if t.file is not None else []) + self.pkg.files_with(qual.encode())
        for f in files:
            for name, path, _ in f.import_specs:
                base = path.rsplit("/", 1)[-1]
                if (name or base) == qual and name not in ("_", "."):
                    return f'"{path}"' if name is None else f'{name} "{path}"'
        return None

    # -- building fixes ----------------------------------------------------------------

    def _fix(
        self, leak: Leak, copy: _Copy, safety: Safety, message: str, helpers: set[clone_go.CloneHelper]
    ) -> Fix | None:
        f = leak.file
        wrap = leak.shallow if leak.shallow is not None else leak.wrap
        if wrap is None:
            return None
        edits: list[Edit] = []
        call = copy.call
        if copy.imports_maps:
            plan = plan_imports(f, self.pkg, ["maps"])
            qual = plan.names["maps"]
            if qual and find_declaration(qual, wrap) is not None:
                return None
            call = plan.qualify("maps", "Clone")
            edits.extend(plan.edits)
        elif find_declaration(call, wrap) is not None:
            return None
        if leak.shallow is not None:
            fn = leak.shallow.child_by_field_name("function")
            assert fn is not None
            edits.append(f.edit(fn.start_byte, fn.end_byte, call))
        else:
            # Two insertions rather than one replacement: an edit another fix makes at
            # either end of the expression then conflicts, and waits for the next pass.
            edits.append(f.edit(wrap.start_byte, wrap.start_byte, f"{call}("))
            edits.append(f.edit(wrap.end_byte, wrap.end_byte, ")"))
        new_files: tuple[NewFile, ...] = ()
        if copy.helper is not None:
            try:
                content = clone_go.render_clone_file(self.pkg.name, self.pkg.go_version, helpers)
            except ValueError:
                return None
            if self.clone_file is None:
                new_files = (NewFile(self.clone_path, content),)
            elif content != self.clone_file.content:
                edits.append(Edit(self.clone_path, 0, len(self.clone_file.content), content))
        return Fix(message, tuple(edits), safety, new_files)


def _message(leak: Leak, notes: str, copies: list, problem: str) -> str:
    mutex = leak.held.mutex
    verb = "read-locked" if leak.held.lock.method == "RLock" else "locked"
    name = _function_name(leak.func)
    typ = squash(leak.maptype.text)
    if leak.shallow is not None:
        head = (
            f"In {name}, {squash(syntax.text(leak.shallow))} copies only the outer map of {leak.path} "
            f"({typ}) while {mutex} is {verb}; the copy shares the inner maps and {leak.route}"
        )
    else:
        head = f"In {name}, {leak.path} ({typ}) is read while {mutex} is {verb} and {leak.route}"
    msg = (
        f"{head}: reading it without the lock while other goroutines may write it under the lock is "
        'a data race that can end in "fatal error: concurrent map read and map write". '
        "Hand out a copy taken under the lock."
    )
    if leak.concurrency:
        msg += f" In this package, {leak.concurrency}."
    if notes:
        msg += " " + notes
    if not copies:
        msg += f" No fix: {problem or 'the copy cannot be placed where the lock is held'}."
    return msg


def _sentences(notes: list[str]) -> str:
    return " ".join(n[:1].upper() + n[1:] + "." for n in notes)


def _function_name(func: Node) -> str:
    decl = declaration_holding(func)
    if decl is None:
        return "a function literal"
    name = decl.child_by_field_name("name")
    label = syntax.text(name) if name is not None else "?"
    if func != decl:
        return f"a function literal in {label}"
    return label


def _doc_comment(decl: Node) -> str:
    lines: list[str] = []
    node = decl.prev_named_sibling
    row = decl.start_point[0]
    while node is not None and node.type == "comment" and node.end_point[0] == row - 1:
        lines.insert(0, syntax.text(node).lstrip("/").strip())
        row = node.start_point[0]
        node = node.prev_named_sibling
    return " ".join(lines)
