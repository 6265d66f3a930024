"""Adding imports to a Go file the way gofmt and goimports would, cgo included.

Rules (see REMEDIATION.md): never insert between the cgo preamble and
`import "C"`; never import a package twice; when the package's natural name
is already taken by an identifier in the package, import it under an alias;
otherwise merge into the standard-library run of an existing import group,
sorted as gofmt sorts, or add a separate `import "x"` after `import "C"`. The
trailing comments of the specs around an inserted one are realigned with every
fix (codemod.alignment, which the runner applies).
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext, PackageContext
from codemod.model import Edit


@dataclass(frozen=True)
class ImportPlan:
    """How to refer to the requested packages in a file, and the edits that import them.

    names maps each import path to the identifier to qualify with ("" for a dot import).
    """

    names: dict[str, str]
    edits: tuple[Edit, ...]

    def qualify(self, import_path: str, member: str) -> str:
        name = self.names[import_path]
        return f"{name}.{member}" if name else member


def plan_imports(f: FileContext, pkg: PackageContext, import_paths: list[str]) -> ImportPlan:
    """Make every path in import_paths usable in f; the edits are empty if all already are."""
    names: dict[str, str] = {}
    specs: list[tuple[str, str]] = []  # (path, spec text) still to add
    for path in sorted(set(import_paths)):
        existing = f.import_name(path)
        if existing is not None:
            names[path] = existing
            continue
        name = _free_name(f, pkg, path)
        names[path] = name
        base = path.rsplit("/", 1)[-1]
        specs.append((path, f'"{path}"' if name == base else f'{name} "{path}"'))
    if not specs:
        return ImportPlan(names, ())
    return ImportPlan(names, _insertion(f, specs))


def _free_name(f: FileContext, pkg: PackageContext, path: str) -> str:
    base = path.rsplit("/", 1)[-1]
    candidates = [base, "go" + base] + [f"go{base}{i}" for i in range(2, 100)]
    for name in candidates:
        if name in f.imported_names:
            continue
        if name in pkg.top_level_names or pkg.identifier_used(name):
            continue
        return name
    raise RuntimeError(f"no free identifier to import {path}")


def _is_std(path: str) -> bool:
    return "." not in path.split("/", 1)[0]


def _spec_path(spec: Node) -> str:
    node = spec.child_by_field_name("path")
    return (syntax.string_value(node) if node is not None else None) or ""


def _insertion(f: FileContext, specs: list[tuple[str, str]]) -> tuple[Edit, ...]:
    nl = f.newline
    decls = [d for d in f.root.named_children if d.type == "import_declaration"]
    for d in decls:
        group = _group(d)
        if group is not None and not _imports_c(d):
            return _into_group(f, group, specs)
    for d in decls:
        if _group(d) is not None or _imports_c(d):
            continue
        one_line = f.line_index(d.start_byte) == f.line_index(d.end_byte)
        if one_line and f.content[d.end_byte : f.line_end(d.end_byte)].strip() == b"":
            spec = d.named_children[0]
            body = _runs_text(f, [(_spec_path(spec), f.text(spec)), *specs])
            return (f.edit(spec.start_byte, spec.end_byte, b"(" + nl + body + nl + b")"),)
    lines = nl.join(b"import " + s.encode() for _, s in sorted(specs, key=_std_first))
    anchor_node = decls[-1] if decls else next(c for c in f.root.named_children if c.type == "package_clause")
    anchor = f.line_end(anchor_node.end_byte)
    return (f.edit(anchor, anchor, nl + nl + lines),)


def _std_first(spec: tuple[str, str]) -> tuple[bool, str, str]:
    return (not _is_std(spec[0]), *spec)


def _runs_text(f: FileContext, specs: list[tuple[str, str]]) -> bytes:
    """The body of a new import group: standard-library paths, a blank line, the others."""
    runs = [sorted(s for s in specs if _is_std(s[0])), sorted(s for s in specs if not _is_std(s[0]))]
    return (f.newline * 2).join(
        f.newline.join(b"\t" + text.encode() for _, text in run) for run in runs if run
    )


def _group(decl: Node) -> Node | None:
    for c in decl.named_children:
        if c.type == "import_spec_list":
            return c
    return None


def _imports_c(decl: Node) -> bool:
    return any(n.type == "import_spec" and _spec_path(n) == "C" for n in syntax.named_walk(decl))


def _runs(f: FileContext, members: list[Node]) -> list[list[Node]]:
    """Import specs on successive lines, as gofmt's import sorting groups them."""
    runs: list[list[Node]] = [[members[0]]]
    for prev, cur in zip(members, members[1:], strict=False):
        if f.line_index(cur.start_byte) > f.line_index(prev.end_byte) + 1:
            runs.append([])
        runs[-1].append(cur)
    return runs


def _into_group(f: FileContext, group: Node, specs: list[tuple[str, str]]) -> tuple[Edit, ...]:
    """Insert specs into an import group as goimports would: standard-library paths into
    the first run holding one, others into the first run of only non-standard paths,
    each sorted into its run; a missing run is added (standard library first)."""
    nl = f.newline
    members = [c for c in group.named_children if c.type == "import_spec"]
    if not members:
        return (f.edit(group.start_byte, group.end_byte, b"(" + nl + _runs_text(f, specs) + nl + b")"),)
    runs = _runs(f, members)
    std_run = next((r for r in runs if any(_is_std(_spec_path(s)) for s in r)), None)
    other_run = next((r for r in runs if not any(_is_std(_spec_path(s)) for s in r)), None)
    at: dict[int, list[bytes]] = {}
    for run, wanted in (
        (std_run, [s for s in specs if _is_std(s[0])]),
        (other_run, [s for s in specs if not _is_std(s[0])]),
    ):
        if not wanted:
            continue
        if run is None:
            text = nl.join(b"\t" + t.encode() for _, t in sorted(wanted))
            if _is_std(wanted[0][0]):  # a new first run
                start = _leading_comment_start(f, members[0])
                at.setdefault(start, []).append(text + nl + nl)
            else:  # a new last run
                end = f.line_end(members[-1].end_byte)
                at.setdefault(end, []).append(nl + nl + text)
            continue
        for key in sorted(wanted):
            before = [s for s in run if (_spec_path(s), f.text(s)) < key]
            if before:
                anchor = f.line_end(before[-1].end_byte)
                at.setdefault(anchor, []).append(nl + b"\t" + key[1].encode())
            else:
                anchor = _leading_comment_start(f, run[0])
                at.setdefault(anchor, []).append(b"\t" + key[1].encode() + nl)
    return tuple(f.edit(a, a, b"".join(parts)) for a, parts in sorted(at.items()))


def _leading_comment_start(f: FileContext, spec: Node) -> int:
    """Start of the line of spec, or of the comment lines directly above it (not a comment
    that ends the line of the opening parenthesis or of another spec)."""
    start = f.line_start(spec.start_byte)
    node = spec.prev_sibling
    while (
        node is not None
        and node.type == "comment"
        and f.line_index(node.end_byte) == f.line_index(start) - 1
        and not f.content[f.line_start(node.start_byte) : node.start_byte].strip(b" \t")
    ):
        start = f.line_start(node.start_byte)
        node = node.prev_sibling
    return start
