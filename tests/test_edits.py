"""Edit application and fix merging, checked against a plain quadratic reference."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from codemod.edits import apply_edits, conflicts, merge
from codemod.model import Edit, Fix

P = Path("/x.go")


def reference_merge(fixes: list[Fix]) -> list[Fix]:
    accepted: list[Fix] = []
    taken: list[Edit] = []
    for fix in fixes:
        if any(conflicts(e, t) for e in fix.edits for t in taken):
            continue
        accepted.append(fix)
        taken.extend(fix.edits)
    return accepted


edits = st.builds(
    lambda a, n, t: Edit(P, a, a + n, t),
    st.integers(0, 40),
    st.integers(0, 4),
    st.sampled_from([b"", b"x", b"yy"]),
)


def _consistent(es: list[Edit]) -> bool:
    """A well-formed fix: its own edits never conflict (apply_edits would refuse them)."""
    return not any(
        conflicts(a, b) or (a != b and a.start < b.end and b.start < a.end)
        for a in es
        for b in es
        if a is not b
    )


fixes = st.lists(
    st.builds(lambda es: Fix("f", tuple(es)), st.lists(edits, min_size=1, max_size=3).filter(_consistent)),
    max_size=12,
)


@given(fixes)
def test_merge_matches_the_reference(fs: list[Fix]) -> None:
    accepted, deferred = merge(fs)
    assert accepted == reference_merge(fs)
    assert len(accepted) + len(deferred) == len(fs)


def test_identical_edits_coalesce_and_apply_once() -> None:
    e = Edit(P, 3, 3, b"!")
    accepted, deferred = merge([Fix("a", (e,)), Fix("b", (e,))])
    assert len(accepted) == 2 and not deferred
    assert apply_edits(b"abcdef", [e, e]) == b"abc!def"


def test_insertions_at_one_point_conflict() -> None:
    accepted, deferred = merge([Fix("a", (Edit(P, 3, 3, b"1"),)), Fix("b", (Edit(P, 3, 3, b"2"),))])
    assert [f.message for f in accepted] == ["a"] and [f.message for f in deferred] == ["b"]
