"""codemod.alignment against real gofmt: every kind of aligned run, an edit that widens,
narrows, inserts or removes a line in it, and the padding realign adds.

Each case is a gofmt-clean file and one fix (edits over the original bytes). The fix alone
leaves the file unformatted (the case needs realignment: checked, so no case passes
vacuously); the fix completed by realign must be exactly what gofmt writes.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import GoToolchain

from codemod.alignment import realign
from codemod.alignment.exprlist import exp2ish, log2ish
from codemod.alignment.tabwriter import Cell, render
from codemod.context import FileContext
from codemod.edits import apply_edits
from codemod.model import Edit

STMTS = """package p

func f(x int) int {
	a := 1     // one
	bb := 22   // two
	ccc := 333 // three
	x++
	dddd := 4444 // four
	e := 5       // five
	return a + bb + ccc + dddd + e + x
}
"""

FIELDS = """package p

type T struct {
	name  string `db:"name"` // the name
	count int    `db:"count"`
	blob  []byte // raw
	id    int
}
"""

PAIRS = """package p

var m = map[string]int{
	"a":     1,   // one
	"bbbbb": 22,  // two
	"cc":    333, // three
}
"""

GROUP = """package p

var (
	alpha int    = 1     // one
	b            = 22    // two
	gamma string = "333" // three
)
"""

CASES = """package p

func g(x int) int {
	switch x {
	case 1: // one
		a := 1       // first
		bb := 22     // second
		ccc := 33333 // third
		x = a + bb + ccc
	case 22: // twenty-two
		x--
	}
	return x
}
"""


@dataclass(frozen=True)
class Change:
    """One edit of a case: replace the first `old` after `at` with `new` (an insertion
    when old is empty: new goes right after `at`)."""

    at: str
    old: str
    new: str


TABLE: dict[str, tuple[str, list[Change]]] = {
    # trailing comments of statements
    "comments-widen": (STMTS, [Change("a := ", "1", "1000000")]),
    "comments-narrow": (STMTS, [Change("ccc := ", "333", "3")]),
    "comments-insert-splits": (STMTS, [Change("// two\n", "", "\tprintln()\n")]),
    "comments-insert-commented-joins": (STMTS, [Change("x++", "", " // and a long comment")]),
    "comments-remove-joins": (STMTS, [Change("// three\n", "\tx++\n", "")]),
    # struct fields, types and tags
    "fields-widen": (FIELDS, [Change("blob  ", "[]byte", "map[string][]byte")]),
    "fields-narrow": (FIELDS, [Change("name  ", "string", "int")]),
    "fields-insert": (FIELDS, [Change("// raw\n", "", '\tdescription string `db:"d"`\n')]),
    "fields-remove": (FIELDS, [Change("\n", '\tcount int    `db:"count"`\n', "")]),
    "fields-remove-to-one": (
        """package p

type T struct {
	a     int    `db:"a"` // one
	bcdef string // two
}
""",
        [Change("\n", "\tbcdef string // two\n", "")],
    ),
    # key-value pairs of composite literals
    "pairs-widen-key": (PAIRS, [Change("\t", '"a"', '"aaaaaaaaaa"')]),
    "pairs-narrow-value": (PAIRS, [Change('"cc":    ', "333", "3")]),
    "pairs-insert": (PAIRS, [Change("// two\n", "", '\t"dddddddd": 4,\n')]),
    "pairs-insert-long-key-splits": (
        PAIRS,
        [Change("// one\n", "", '\t"a key of more than forty bytes, alone in its section": 4,\n')],
    ),
    "pairs-remove": (PAIRS, [Change("// one\n", '\t"bbbbb": 22,  // two\n', "")]),
    # `=` and types of var and const groups
    "group-widen": (GROUP, [Change("alpha ", "int", "map[string]int")]),
    "group-narrow": (GROUP, [Change("gamma ", "string", "any")]),
    "group-insert": (GROUP, [Change("// two\n", "", "\tdelta = 4.0\n")]),
    "group-remove-types": (
        GROUP,
        [
            Change("(\n", "\talpha int    = 1     // one\n", ""),
            Change("// two\n", '\tgamma string = "333" // three\n', ""),
        ],
    ),
    # statements with comments in case clauses
    "cases-widen": (CASES, [Change("a := ", "1", "1000000000000")]),
    "cases-narrow": (CASES, [Change("ccc := ", "33333", "3")]),
    "cases-insert": (CASES, [Change("// first\n", "", "\t\tprintln()\n")]),
    "cases-remove": (CASES, [Change("// second\n", "\t\tccc := 33333 // third\n", "")]),
    # one-line function declarations align their bodies
    "funcs-widen": (
        "package p\n\nfunc f()   { return }\nfunc ggg() { return }\n",
        [Change("func ", "f()", "fffffff()")],
    ),
    # a multi-line raw string ends its row: the columns before it still align
    "raw-string": (
        "package p\n\nvar (\n\ta  = 1 // one\n\tbb = `x\ny` // two\n)\n",
        [Change("\t", "a ", "aaaa ")],
    ),
}


def _gofmt(go: GoToolchain, data: bytes) -> bytes:
    proc = subprocess.run([str(go.gofmt)], input=data, capture_output=True, timeout=60, check=True)
    return proc.stdout


def _edits(path: Path, src: bytes, changes: list[Change]) -> list[Edit]:
    out = []
    for c in changes:
        at = src.index(c.at.encode()) + len(c.at)
        start = src.index(c.old.encode(), at) if c.old else at
        out.append(Edit(path, start, start + len(c.old.encode()), c.new.encode()))
    return out


@pytest.mark.parametrize("name", TABLE)
def test_realigned_fix_is_what_gofmt_writes(name: str, go: GoToolchain, tmp_path: Path) -> None:
    src, changes = TABLE[name]
    data = src.encode()
    assert _gofmt(go, data) == data, "the case must start gofmt-clean"
    f = FileContext(tmp_path / "p.go", data)
    edits = _edits(f.path, data, changes)
    raw = apply_edits(data, edits)
    assert _gofmt(go, raw) != raw, "the case must need realignment"
    fixed = apply_edits(data, realign(f, edits))
    assert fixed.decode() == _gofmt(go, raw).decode()


def test_crlf_lines_are_realigned_and_keep_their_endings(go: GoToolchain, tmp_path: Path) -> None:
    data = STMTS.replace("\n", "\r\n").encode()
    f = FileContext(tmp_path / "p.go", data)
    edits = _edits(f.path, data, [Change("a := ", "1", "1000000")])
    fixed = apply_edits(data, realign(f, edits))
    assert fixed.count(b"\r\n") == data.count(b"\r\n")
    raw = apply_edits(data, edits).replace(b"\r\n", b"\n")
    assert fixed.replace(b"\r\n", b"\n").decode() == _gofmt(go, raw).decode() != raw.decode()


def test_padding_next_to_an_edit_is_merged_into_it(tmp_path: Path) -> None:
    """An edit that ends where a padding starts takes the padding in: the fix stays a set
    of disjoint edits that merge and apply unambiguously."""
    data = STMTS.encode()
    f = FileContext(tmp_path / "p.go", data)
    (edit,) = _edits(f.path, data, [Change("a := ", "1", "1000000")])
    out = realign(f, [edit])
    assert edit not in out
    merged = [e for e in out if e.start == edit.start]
    assert merged == [Edit(f.path, edit.start, edit.end + 5, b"1000000 ")]
    assert apply_edits(data, out).count(b"// ") == data.count(b"// ")


def test_a_file_that_is_not_gofmt_clean_there_is_not_realigned(tmp_path: Path) -> None:
    """The model must reproduce the original section first: when it cannot (the file was
    not gofmt-clean around the edit), the fix is returned as it was."""
    data = STMTS.replace("bb := 22   // two", "bb := 22 // two").encode()
    f = FileContext(tmp_path / "p.go", data)
    edits = _edits(f.path, data, [Change("a := ", "1", "1000000")])
    assert realign(f, edits) == edits


def test_an_edit_that_moves_no_column_is_left_alone(tmp_path: Path) -> None:
    data = STMTS.encode()
    f = FileContext(tmp_path / "p.go", data)
    edits = _edits(f.path, data, [Change("\t", "x++", "x--")])
    assert realign(f, edits) == edits


def test_unknown_layouts_are_left_alone(tmp_path: Path) -> None:
    """Two trailing comments on one line: go/printer's cells there are not modelled."""
    data = b"package p\n\nfunc f() {\n\ta := 1 /* x */ // one\n\tbb := 2        // two\n}\n"
    f = FileContext(tmp_path / "p.go", data)
    edits = _edits(f.path, data, [Change("bb := ", "2", "2222222222222")])
    assert realign(f, edits) == edits


def test_tabwriter_columns() -> None:
    """A column is as wide as its widest cell plus one; a row with fewer cells ends it;
    empty leading hard-tab cells are indentation."""
    rows = [
        [Cell("", True), Cell("a"), Cell("// x")],
        [Cell("", True), Cell("bbb"), Cell("// y")],
        [Cell("", True), Cell("c")],
        [Cell("", True), Cell("dd"), Cell("// z")],
    ]
    assert render(rows) == ["\ta   // x", "\tbbb // y", "\tc", "\tdd // z"]


def test_exprlist_log_and_exp_approximations_match_go() -> None:
    """go/printer's log2ish and exp2ish (src/go/printer/math.go), not math.log2/exp2."""
    assert log2ish(1) == 0.0
    assert log2ish(40) == 5.25  # log2(40) is 5.32...
    assert log2ish(48) == 5.5
    assert exp2ish(5.5) == 48.0


def test_the_layouts_of_a_package_are_forgotten_with_its_node_caches(tmp_path: Path) -> None:
    """realign models each file's layout once (its fixes share it), holding the file and so
    its syntax tree: the runner's clear_node_caches after each package lets them go."""
    import gc
    import weakref

    from codemod import syntax

    data = STMTS.encode()
    f = FileContext(tmp_path / "p.go", data)
    realign(f, _edits(f.path, data, [Change("a := ", "1", "1000000")]))
    gone = weakref.ref(f)
    del f
    gc.collect()
    assert gone() is not None, "the layout cache holds the file until the package is done"
    syntax.clear_node_caches()
    gc.collect()
    assert gone() is None
