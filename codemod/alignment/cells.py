"""The cells go/printer writes for each kind of list element (src/go/printer/nodes.go).

Each function returns the parts of one element as Spans of the file, in the
layout go/printer uses when the element's list aligns them: soft tabs ("v")
between columns, a hard tab ("t") before a trailing comment, None after the
last part. layout.py cuts them at the end of the line and, where the printer
writes blanks instead (a struct of one field, a group of one spec), joins
them with blanks ("b").
"""

from __future__ import annotations

from tree_sitter import Node

from codemod.alignment.spans import HTAB, JOINED, VTAB, Span


def field_cells(el: Node, commented: bool) -> list[Span] | None:
    """printer.fieldList for a struct of several fields: names vtab type [vtab vtab tag]
    [extra vtabs] comment."""
    names = el.children_by_field_name("name")
    typ, tag = el.child_by_field_name("type"), el.child_by_field_name("tag")
    if typ is None:
        return None
    cells: list[Span] = []
    if names:
        cells.append(Span(names[0].start_byte, names[-1].end_byte, VTAB))
        cells.append(Span(typ.start_byte, typ.end_byte, VTAB if tag is not None or commented else None))
        if tag is not None:
            cells.append(Span(typ.end_byte, typ.end_byte, VTAB))
    else:
        cells.append(Span(el.start_byte, typ.end_byte, VTAB if tag is not None or commented else None))
        if tag is None and commented:
            cells.append(Span(typ.end_byte, typ.end_byte, VTAB))
    if tag is not None:
        cells.append(Span(tag.start_byte, tag.end_byte, HTAB if commented else None))
    return cells


def spec_cells(el: Node, keep: bool, commented: bool) -> list[Span] | None:
    """printer.valueSpec: names [vtab type] [vtab = values] [vtabs up to three] comment."""
    names = el.children_by_field_name("name")
    typ, value = el.child_by_field_name("type"), el.child_by_field_name("value")
    if not names:
        return None
    cells = [Span(names[0].start_byte, names[-1].end_byte, None)]
    extra = 3
    if typ is not None or keep:
        cells[-1].term = VTAB
        extra -= 1
        at = names[-1].end_byte
        cells.append(Span(typ.start_byte, typ.end_byte, None) if typ is not None else Span(at, at, None))
    if value is not None:
        assign = next((c for c in el.children if c.type == "="), None)
        if assign is None:
            return None
        cells[-1].term = VTAB
        cells.append(Span(assign.start_byte, value.end_byte, None))
        extra -= 1
    if commented:
        cells[-1].term = VTAB
        end = cells[-1].end
        cells.extend(Span(end, end, VTAB) for _ in range(extra - 1))
    return cells


def keep_type_column(specs: list[Node]) -> list[bool]:
    """printer.keepTypeColumn: a run of specs with values keeps an (empty) type column when
    one spec of the run has a type."""
    keep = [False] * len(specs)
    start, keep_type = -1, False
    for i, s in enumerate(specs):
        if s.child_by_field_name("value") is not None:
            if start < 0:
                start, keep_type = i, False
        elif start >= 0:
            if keep_type:
                keep[start:i] = [True] * (i - start)
            start = -1
        if s.child_by_field_name("type") is not None:
            keep_type = True
    if start >= 0 and keep_type:
        keep[start:] = [True] * (len(specs) - start)
    return keep


def tspec_cells(el: Node, commented: bool) -> list[Span] | None:
    """printer.spec for a type group: name [type parameters] vtab [=] type."""
    name = el.child_by_field_name("name")
    if name is None:
        return None
    params = el.child_by_field_name("type_parameters")
    head_end = params.end_byte if params is not None else name.end_byte
    rest = next((c for c in el.children if c.start_byte >= head_end), None)
    if rest is None:
        return None
    last = HTAB if commented else None
    return [Span(el.start_byte, head_end, VTAB), Span(rest.start_byte, el.end_byte, last)]


def pair_cells(el: Node, commented: bool) -> list[Span] | None:
    """exprList's `key:` vtab `value` for a pair that fits on one line and starts it."""
    colon = next((c for c in el.children if c.type == ":"), None)
    values = [c for c in el.named_children if colon is not None and c.start_byte > colon.start_byte]
    if colon is None or not values:
        return None
    return [Span(el.start_byte, colon.end_byte, VTAB), Span(values[0].start_byte, el.end_byte, None)]


def func_cells(el: Node, commented: bool) -> list[Span] | None:
    """printer.funcBody of a one-line function declaration: header vtab body."""
    body = el.child_by_field_name("body")
    if body is None:
        return None
    head = body.prev_sibling
    if head is None:
        return None
    return [Span(el.start_byte, head.end_byte, VTAB), Span(body.start_byte, el.end_byte, None)]


def join_blanks(cells: list[Span]) -> tuple[list[Span], list[tuple[int, int]]]:
    """cells with the ones joined by a blank made one, and the gaps of those blanks."""
    out: list[Span] = []
    blanks: list[tuple[int, int]] = []
    for c in cells:
        if out and out[-1].term == JOINED:
            blanks.append((out[-1].end, c.start))
            out[-1] = Span(out[-1].start, c.end, c.term)
        else:
            out.append(Span(c.start, c.end, c.term))
    return out, blanks
