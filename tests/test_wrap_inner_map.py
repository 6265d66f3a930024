"""wrap-inner-map: scoping, naming, stable findings, blocking rules, layout, and the std sweep.

The golden cases (golden/wrap-inner-map) prove the rewrites one by one and the
behaviour test proves them by running a package's tests; these tests pin the
rules around them with real Go where it matters.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import REPO, GoToolchain, write_module

from codemod import syntax
from codemod.api import fix_paths
from codemod.context import FileContext
from codemod.model import Safety
from gofacts import scope
from transforms.wrap_inner_map import emit

RULE = "wrap-inner-map"
STD = Path(__import__("go").__file__).resolve().parent / "src"

STORE = """package p

type User struct{ Name string }

var byRegion = map[string]map[string]*User{}

func add(region string, u *User) {
	if byRegion[region] == nil {
		byRegion[region] = map[string]*User{}
	}
	byRegion[region][u.Name] = u
}
"""


def _run(module: Path, unsafe: bool = False):  # noqa: ANN202 - RunReport
    return fix_paths([module], select=[RULE], unsafe_fixes=unsafe)


def _findings(module: Path, unsafe: bool = False) -> list:  # type: ignore[type-arg]
    return [f for f in _run(module, unsafe).findings if f.rule == RULE]


def _changed(report) -> dict[str, str]:  # noqa: ANN001
    return {o.path.name: o.result.decode() for o in report.changed_files()}


# -- scoping -------------------------------------------------------------------------------


def _idents(src: str, name: str) -> list:  # type: ignore[type-arg]
    tree = syntax.parse(src.encode())
    return [n for n in syntax.walk(tree.root_node) if n.type == "identifier" and syntax.text(n) == name]


def test_scope_follows_go_block_rules() -> None:
    src = """package p
func f(m int) {
	m, x := 1, 2
	{
		m := 3
		_ = m
	}
	if m := m + 1; m > 0 {
		_ = m
	}
	for m := range 3 {
		_ = m
	}
	_ = m + x
	func() { _ = m }()
}
"""
    ms = _idents(src, "m")
    param = ms[0]
    lines = [(m.start_point[0], scope.declaration_of(m)) for m in ms]
    decl_line = {line: (d.start_point[0] if d is not None else None) for line, d in lines}
    assert scope.declaration_of(ms[1]) == param  # `:=` re-assigns the parameter
    assert decl_line[5] == 4  # the inner block's m
    # `if m := m + 1`: the right-hand m is the parameter, the condition's m the new one
    if_ms = [m for m in ms if m.start_point[0] == 7]
    assert [scope.declaration_of(m).start_point for m in if_ms] == [  # type: ignore[union-attr]
        if_ms[0].start_point,
        param.start_point,
        if_ms[0].start_point,
    ]
    assert decl_line[11] == 10  # range variable
    assert scope.declaration_of(ms[-1]) == param  # closure sees the parameter
    assert scope.declaration_of(ms[-2]) == param


def test_package_level_names_are_not_local() -> None:
    src = "package p\nvar m = 1\nfunc f() int { return m }\n"
    ms = _idents(src, "m")
    assert [scope.declaration_of(m) for m in ms] == [None, None]


# -- naming --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "want"),
    [("ByRegion", "byRegion"), ("URLMap", "urlMap"), ("ID", "id"), ("users", "users"), ("X1", "x1")],
)
def test_lower_camel(name: str, want: str) -> None:
    assert emit.lower_camel(name) == want


def test_wrapper_named_after_first_declaration_and_never_clashes(tmp_path: Path) -> None:
    module = write_module(
        tmp_path,
        {
            "p/a.go": STORE.replace("byRegion", "ByRegion").replace("package p", "package main")
            + "\nfunc main() {}\n",
            "p/b.go": "package main\n\nvar byRegionInner = 1\n",
        },
    )
    (finding,) = _findings(module)
    assert finding.fixes[0].message.startswith(
        "wrap the inner maps of map[string]map[string]*User in type byRegionInner2 "
    )
    assert finding.fixes[0].safety is Safety.SAFE  # package main exports nothing


# -- findings ------------------------------------------------------------------------------


def test_messages_are_stable_when_lines_move(tmp_path: Path) -> None:
    blocked = STORE + "\nfunc dump() { println(byRegion) }\n"
    a = write_module(tmp_path / "a", {"p/s.go": blocked})
    b = write_module(tmp_path / "b", {"p/s.go": blocked.replace("package p\n", "package p\n\n// moved\n\n")})
    (fa,), (fb,) = _findings(a), _findings(b)
    assert fa.message == fb.message
    assert fa.message.endswith("blocked by use in s.go: println(byRegion)")
    assert fa.fixes == () and fa.span.line + 3 == fb.span.line


def test_exported_identifiers_make_the_fix_unsafe_and_are_named(tmp_path: Path) -> None:
    src = STORE.replace("var byRegion", "var ByRegion").replace("byRegion[", "ByRegion[")
    src += "\ntype Store struct{ Teams map[int]map[int][]string }\n"
    module = write_module(tmp_path, {"p/s.go": src})
    findings = _findings(module)
    assert [f.fixes[0].safety for f in findings] == [Safety.UNSAFE, Safety.UNSAFE]
    assert findings[0].fixes[0].message.endswith("(API break: changes exported ByRegion)")
    assert findings[1].fixes[0].message.endswith("(API break: changes exported Store.Teams)")
    assert _run(module).changed_files() == []
    assert set(_changed(_run(module, unsafe=True))) == {"s.go"}


def test_a_file_that_does_not_parse_blocks_the_package(tmp_path: Path) -> None:
    module = write_module(tmp_path, {"p/s.go": STORE, "p/broken.go": "package p\n\nfunc broken( {\n"})
    (finding,) = _findings(module)
    assert finding.fixes == ()
    assert "broken.go does not parse, so not every use can be seen" in finding.message


def test_inner_values_without_pointers_are_left_alone(tmp_path: Path) -> None:
    src = """package p

type point struct{ X, Y int }

type named string

var a map[string]map[string]int
var b map[string]map[int]point
var c map[string]map[string]named
var d map[string]map[string][2]float64
"""
    assert _findings(write_module(tmp_path, {"p/s.go": src})) == []


@pytest.mark.parametrize(
    ("use", "quoted"),
    [
        ("var anything any = byRegion", "var anything any = byRegion"),
        ("var p = &byRegion", "var p = &byRegion"),
        (
            "var ch = make(chan map[string]map[string]*User)",
            "the type is used in chan map[string]map[string]*User",
        ),
        (
            "func keys[M ~map[string]V, V any](m M) int { return len(m) }\nvar n = keys(byRegion)",
            "keys(byRegion)",
        ),
        (
            "func all() map[string]map[string]*User { return byRegion }\nvar f = all",
            "all is used as a function value in var f = all",
        ),
    ],
)
def test_uncertain_uses_block_with_the_use_named(tmp_path: Path, use: str, quoted: str) -> None:
    module = write_module(tmp_path, {"p/s.go": STORE + "\n" + use + "\n"})
    (finding,) = _findings(module)
    assert finding.fixes == ()
    assert f"blocked by use in s.go: {quoted}" in finding.message


def test_every_rewrite_compiles_and_vets(tmp_path: Path, go: GoToolchain) -> None:
    """Shadowing, swaps, positional literals, embedded promotion and closures, rewritten and compiled."""
    src = """package p

type User struct{ Name string }

type box struct {
	name  string
	users map[string]map[string]*User
}

type outer struct{ box }

func (b box) all() map[string]map[string]*User { return b.users }

func shuffle(o *outer) (int, map[string]*User) {
	u := o.users
	{
		u := map[string]int{"x": 1}
		_ = u
	}
	x, y := o.all(), box{"b", u}.users
	x["k"], y["k"] = y["k"], x["k"]
	if in, ok := x["k"]; ok && in != nil {
		in["z"] = &User{}
	}
	inc := func() { y["n"] = nil }
	inc()
	return len(u["k"]), y["n"]
}
"""
    module = write_module(tmp_path, {"p/s.go": src})
    go.run("vet", "./...", cwd=module)
    report = _run(module)
    (finding,) = _findings(module)
    assert finding.fixes, finding.message
    out = _changed(report)["s.go"]
    assert 'x["k"], y["k"] = y["k"], x["k"]' in out  # W to W: unchanged
    assert 'in["z"]' not in out and 'in.data["z"] = &User{}' in out
    assert 'y["n"] = usersInner{}' in out and 'return len(u["k"].data), y["n"].data' in out
    (module / "p" / "s.go").write_text(out)
    assert go.gofmt_list(module / "p") == []
    go.run("vet", "./...", cwd=module)
    assert _findings(module) == []


# -- the standard library ------------------------------------------------------------------


STD_DIRS = (
    "encoding/gob",
    "net/http/cookiejar",
    "go/types",
    "cmd/go/internal/modfetch",
    "sync",
    "text/template",
)


def test_std_sweep_subset_completes_without_internal_errors() -> None:
    report = fix_paths([STD / d for d in STD_DIRS], select=[RULE])  # raises on an internal error
    by_dir = {f.path.parent.relative_to(STD).as_posix(): f for f in report.findings if f.rule == RULE}
    gob = by_dir["encoding/gob"]
    assert gob.fixes and gob.fixes[0].safety is Safety.SAFE
    assert "decoderCacheInner" in gob.fixes[0].message
    # go/types_test's errmap: a local nested map, its own package parses whole
    assert "errmapInner" in by_dir["go/types"].fixes[0].message
    assert "net/http/cookiejar" not in by_dir  # its inner values are structs of strings and times


@pytest.mark.parametrize("tail", ["", " // y", ' `db:"b"`', ' `db:"b"` // y'])
def test_realigned_columns_are_what_gofmt_writes(tail: str, tmp_path: Path, go: GoToolchain) -> None:
    from codemod import alignment
    from codemod.edits import apply_edits

    lines = ["a int // x", "bbbb map[string]map[string]*User" + tail, 'c string `db:"c"`', "dd []byte // z"]
    src = tmp_path / "s.go"
    src.write_text("package p\n\ntype s struct {\n" + "".join(f"\t{line}\n" for line in lines) + "}\n")
    subprocess.run([str(go.gofmt), "-w", str(src)], check=True)
    f = FileContext(src, src.read_bytes())
    node = next(
        n for n in syntax.walk(f.root) if n.type == "map_type" and n.parent.type == "field_declaration"
    )
    inner = node.child_by_field_name("value")
    edit = f.edit(inner.start_byte, inner.end_byte, "w")
    src.write_bytes(apply_edits(f.content, alignment.realign(f, [edit])))
    assert "bbbb map[string]w" in src.read_text()
    assert go.gofmt_list(src) == [], src.read_text()


def test_interface_conversions_make_the_fix_unsafe_and_are_named(tmp_path: Path) -> None:
    """Converting the map to an interface is no blocker any more: the rewrite compiles, but what
    the receiver sees changes, so the fix is unsafe and its message names those uses."""
    src = (REPO / "golden" / "wrap-inner-map" / "interface_conversion.in.go").read_text()
    write_module(tmp_path, {"p/p.go": src})
    (f,) = fix_paths([tmp_path / "p"], select=["wrap-inner-map"]).findings
    (fix,) = f.fixes
    assert fix.safety is Safety.UNSAFE
    assert "convert it to an interface" in fix.message
    assert "p.go: return byTeam" in fix.message and "p.go: fmt.Printf(" in fix.message
