"""wrap-inner-map: nested maps become maps of a named wrapper type, every use site rewritten.

`map[K]map[K2]V` whose inner values carry pointers (see wrap_types) becomes
`map[K]W` with `type W struct{ data map[K2]V }` declared once in the package,
stored by value, and every place in the package that touches it is rewritten
so that the package compiles and behaves as before (see wrap_flow for the
rules and REMEDIATION.md, "wrap-inner-map"):

    outer[k] = inner            ->  outer[k] = W{data: inner}
    outer[k] = nil              ->  outer[k] = W{}
    outer[k][k2] = v            ->  outer[k].data[k2] = v
    if outer[k] == nil {...}    ->  if outer[k].data == nil {...}
    len/range/delete/clear      ->  on outer[k].data
    v, ok := outer[k]           ->  unchanged; later uses of v become v.data
    {"a": {"b": &s}}            ->  {"a": {data: map[string]*string{"b": &s}}}
    f(outer[k]) / return outer[k] / x := outer[k]  ->  outer[k].data

It does not make code cgo-legal or race-free by itself; it gives the inner
map a type that can carry methods (copy, lock, JSON) and ends accidental
aliasing at use sites.

Naming and placement: see wrap_emit (`<declaration>Inner`, lower-camel,
unexported, never clashing with a name of the package).

JSON: when any file of the package imports encoding/json, or the type is
reachable through exported API, the wrapper gets MarshalJSON/UnmarshalJSON
delegating to the inner map, so the wire format stays byte-identical. A
package that calls SetEscapeHTML, UseNumber or DisallowUnknownFields is
blocked: the wrapper's methods could not honour those encoder settings.

All or nothing: a group (one nested type with its named types and aliases)
is rewritten only when every use can be; otherwise its finding names the
first blocking use, as "file.go: expression", and offers no fix. Blocking
uses include: passing the map to a function of another package or to a
generic function, converting it to an interface, `&m` (except for
json.Unmarshal/Decode), function and method values of functions taking or
returning it, channels, slices or pointers of the type, type assertions,
pointer receivers of a named type of the group, anonymous struct fields,
values of a struct holding the map passed to functions of other packages
(fmt, reflection), files that do not parse, and uses in generated files.

Safety: the fix is safe when no exported identifier changes type; when an
exported variable, field, function, method or named type of the group is
involved (outside package main), it is unsafe (an API break) and its message
lists them.

Limits (all of them block or skip, none rewrites wrongly): inner map types
spelled through a named map type (`map[string]userMap`) are not found, nor
are inner values whose types come from other packages (`io.Reader`,
`time.Time`); function literals, interface methods and pointer receivers
mentioning the type block, as do generic functions (including maps.Clone and
slices helpers) receiving it; selectors of exported field or method names
must resolve through declared types; values of a struct holding the map that
reach fmt, gob or reflection are detected only as direct arguments, of a
declared type, of calls to other packages (not through interface variables); an existing wrapper of the
same inner type is not reused; gofmt alignment (codemod.alignment, for every rule) is recomputed for struct
fields, grouped declarations, statements and composite-literal elements
followed by aligned comments or tags, and left alone (for `gofmt` to redo)
in layouts its model cannot reproduce.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from tree_sitter import Node

from codemod import syntax
from codemod.context import FileContext, PackageContext
from codemod.model import Finding, Fix, Safety, Severity
from codemod.transform import finding
from gofacts.signatures import base_type_name
from transforms.wrap_inner_map import emit, mentions, nameindex
from transforms.wrap_inner_map.doc import DOC
from transforms.wrap_inner_map.editset import Overlap
from transforms.wrap_inner_map.flow import Blocker, Flow
from transforms.wrap_inner_map.groups import Group, find_groups
from transforms.wrap_inner_map.shapes import quote

RULE = "wrap-inner-map"
_JSON_SETTINGS = ("SetEscapeHTML", "UseNumber", "DisallowUnknownFields")
_ALLOWED_EXTERNAL = frozenset(
    {
        ("reflect", "DeepEqual"),
        ("encoding/json", "Marshal"),
        ("encoding/json", "MarshalIndent"),
        ("encoding/json", "Unmarshal"),
    }
)


class WrapInnerMap:
    doc = DOC
    name = DOC.name
    prefilter = ((b"]map[",),)

    def run(self, pkg: PackageContext) -> Iterator[Finding]:
        groups = [g for g in find_groups(pkg) if any(s.file.editable for s in g.spellings)]
        if not groups:
            return
        index = nameindex.build(pkg)
        taken: set[str] = set()
        for group in groups:
            found = _group_finding(pkg, index, group, taken)
            if found is not None:
                yield found


def _group_finding(
    pkg: PackageContext, index: nameindex.PackageIndex, group: Group, taken: set[str]
) -> Finding | None:
    first = min((s for s in group.spellings if s.file.editable), key=emit.spelling_order)
    name = emit.wrapper_name(group, pkg, taken)
    flow = Flow(pkg, index, group, name)
    flow.analyse()
    subject = _subject(group, flow)
    where = flow.first_declaration or (first.file, first.node)
    if where[0] is not first.file and not where[0].editable:
        where = (first.file, first.node)
    with_json = (
        flow.json_used
        or bool(flow.exported)
        or any(f.import_name("encoding/json") is not None for f in pkg.files)
    )
    found = [*_package_blockers(pkg, index, flow, with_json), *flow.blockers]
    blockers = [b for b in found if not b.interface]
    conversions = [b for b in found if b.interface]
    fix = None
    if not blockers:
        fix, blocker = _fix(pkg, group, flow, name, with_json)
        if blocker is not None:
            blockers.append(blocker)
        elif fix is not None and conversions:
            fix = _converting(fix, conversions)
    if blockers:
        more = f" (and {len(blockers) - 1} more)" if len(blockers) > 1 else ""
        message = (
            f"{subject}: the nested map {group.key} holds pointers in its inner maps, but they cannot be "
            f"wrapped in a named type with certainty: blocked by use in {blockers[0].message}{more}"
        )
        return finding(RULE, where[0], _name_node(where[1]), message, (), Severity.INFO)
    taken.add(name)
    message = (
        f"{subject}: the nested map {group.key} holds pointers in its inner maps; wrapping each inner map "
        f"in a named struct type lets it carry methods (copy, lock, JSON) and stops accidental aliasing"
    )
    return finding(RULE, where[0], _name_node(where[1]), message, (fix,) if fix else (), Severity.INFO)


def _fix(
    pkg: PackageContext, group: Group, flow: Flow, name: str, with_json: bool
) -> tuple[Fix | None, Blocker | None]:
    place = emit.anchor(group, pkg)
    first = group.spellings[0]
    if place is None:
        return None, Blocker(
            first.file, first.node, "no file without build constraints can declare the wrapper"
        )
    f, after = place
    inner = _inner_text(group, f)
    if inner is None:
        return None, Blocker(f, first.node, "the wrapper's file does not import what the inner type names")
    try:
        edits = flow.edits.build()
    except Overlap as e:
        return None, Blocker(first.file, first.node, f"overlapping rewrites ({e})")
    declaration = emit.declaration(f, pkg, after, name, group.key, inner, with_json)
    message = f"wrap the inner maps of {group.key} in type {name} and rewrite their uses"
    safety = Safety.SAFE
    if flow.exported:
        message += f" (API break: changes exported {', '.join(sorted(flow.exported))})"
        safety = Safety.UNSAFE
    return Fix(message, (*edits, *declaration), safety), None


def _converting(fix: Fix, conversions: list[Blocker]) -> Fix:
    """The fix, unsafe, when some uses convert the map to an interface: it compiles, but what
    the receivers see changes (`%v` output, a type assertion to the old map type fails)."""
    named = "; ".join(b.message for b in conversions[:3])
    more = f" and {len(conversions) - 3} more" if len(conversions) > 3 else ""
    message = (
        f"{fix.message} (unsafe: these uses convert it to an interface, and would see the wrapper "
        f"type: {named}{more})"
    )
    return dataclasses.replace(fix, message=message, safety=Safety.UNSAFE)


def _inner_text(group: Group, f: FileContext) -> str | None:
    """The inner map type as spelled in f, or the first spelling's when it names no other package."""
    for s in group.spellings:
        if s.file is f:
            return syntax.text(s.inner)
    text = group.inner
    return None if "." in text else text


def _subject(group: Group, flow: Flow) -> str:
    names: list[str] = []
    for name in sorted(group.named, key=lambda n: (group.named[n][0].is_test, str(group.named[n][0].path))):
        names.append(name)
    for s in sorted(group.spellings, key=emit.spelling_order):
        n, declares = emit.declared_name(s)
        if declares and n not in names:
            names.append(n)
    if not names:
        return group.key
    shown = ", ".join(names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _name_node(node: Node) -> Node:
    name = node.child_by_field_name("name") if node.type != "map_type" else None
    return name if name is not None else node


def _package_blockers(
    pkg: PackageContext, index: nameindex.PackageIndex, flow: Flow, with_json: bool
) -> list[Blocker]:
    out: list[Blocker] = []
    first = flow.group.spellings[0]
    for path in pkg.broken:
        out.append(
            Blocker(first.file, first.node, f"{path.name} does not parse, so not every use can be seen")
        )
    for path in sorted(flow.edits.paths()):
        f = pkg.file(path)
        if f is not None and not f.editable:
            out.append(Blocker(f, f.root, "the file is generated or not among the paths to fix"))
    if flow.json_used or flow.fields:  # an encoder setting matters only to the maps it may encode
        for fi in index.files:
            for setting in _JSON_SETTINGS:
                for sel in fi.selectors.get(setting, ()):
                    reason = (
                        f"{quote(sel.parent or sel)} (the wrapper's JSON methods cannot honour {setting})"
                    )
                    out.append(Blocker(fi.file, sel, reason))
    out.extend(_reflection_blockers(pkg, index, flow))
    return out


def _reflection_blockers(pkg: PackageContext, index: nameindex.PackageIndex, flow: Flow) -> Iterator[Blocker]:
    """Values of a struct holding the map, passed directly to a function of another package.

    fmt, encoding/gob, text/template, reflect and the like see the wrapper
    through such values (`%v` output changes); encoding/json does not, thanks
    to the wrapper's JSON methods, and reflect.DeepEqual compares the same.
    """
    structs = set().union(*flow.fields.values()) if flow.fields else set()
    if not structs:
        return
    mentioned = mentions.Mentions(pkg, structs)
    for fi in index.files:
        for node, top in _selector_calls(fi.file.root):
            args = node.child_by_field_name("arguments")
            given = args.named_children if args is not None else []
            held = [a for a in given if mentioned.may_hold(fi.file, a, top)]
            fn = node.child_by_field_name("function")
            if not held or fn is None or not _foreign(fi.file, fn, index, flow):
                continue
            for arg in held:
                typ = flow.expr_type(fi.file, arg)
                if base_type_name(typ) in structs:
                    yield Blocker(fi.file, node, quote(node))
                    break


def _selector_calls(root: Node) -> list[tuple[Node, Node]]:
    """The calls of a selector (`x.f(...)`) under root, in source order (enclosing calls first),
    each with the top-level declaration holding it."""
    calls = syntax.captures("(call_expression function: (selector_expression)) @call", root).get("call", [])
    calls.sort(key=lambda n: (n.start_byte, -n.end_byte))
    tops = root.named_children
    out: list[tuple[Node, Node]] = []
    i = 0
    for call in calls:
        while tops[i].end_byte <= call.start_byte:
            i += 1
        out.append((call, tops[i]))
    return out


def _foreign(f: FileContext, fn: Node, index: nameindex.PackageIndex, flow: Flow) -> bool:
    """Whether a selector call may hand its arguments to code outside the package."""
    ext = flow.external_call(f, fn)
    if ext is not None:
        return ext not in _ALLOWED_EXTERNAL
    method = syntax.text(fn.child_by_field_name("field"))  # type: ignore[arg-type]
    if method in index.methods:
        return False
    operand = fn.child_by_field_name("operand")
    made = flow.json_constructor(f, operand) if operand is not None else None
    return made is None


TRANSFORM = WrapInnerMap()
"""The rule's transform, as the registry (transforms.PACKAGES) lists it."""
