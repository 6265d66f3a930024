"""The generated deep-copy helpers (transforms/go_clone.py), proven with the real Go toolchain.

Each rendered gomapfix_clone.go is written into a throwaway std-only module
(`go 1.18` and `go 1.21` for the generic helpers, `go 1.17` for the concrete
ones) with the Go tests below, which run under `go test -race`: deep
independence (the original's inner maps written by a goroutine while the copy
is read), nil outer -> nil, nil inner stays nil, empty inner stays empty and
non-nil, pointer values shared by the plain clone and copied by the values
variant, JSON of the copy equal to the original's, named map types kept (a
method call on the result, so it is checked by the compiler). Control tests
run the same race scenarios on a shallow copy and must be reported by the race
detector, which shows that the race tests can fail. The generated file must be
gofmt-clean and the module go vet clean.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import GoToolchain, write_module
from hypothesis import given
from hypothesis import strategies as st

from transforms.deepcopy.clone_go import (
    CLONE_FILE,
    HEADER,
    KINDS,
    CloneHelper,
    generated_by_gomapfix,
    helper_name,
    helpers_in,
    render_clone_file,
)

PACKAGE = "p"
USER = "map[string]*User"
INDEX = "map[string]map[string]*User"

# ---------------------------------------------------------------- Go sources

GO_TYPES = """\
package p

type User struct{ Name string }

// regionIndex and userSet carry methods, so calling one on a clone's result
// proves at compile time that the helper returned the named type.
type regionIndex map[string]map[string]*User

func (r regionIndex) Regions() int { return len(r) }

type userSet map[string]*User

func (s userSet) Users() int { return len(s) }
"""

# Shared by all variants, Go 1.17-compatible (no any, no generics). The helpers
# are reached through the clone* functions that each variant's bind_test.go defines.
GO_BEHAVIOUR_TEST = """\
package p

import (
	"encoding/json"
	"os"
	"reflect"
	"sync"
	"testing"
)

func sample() regionIndex {
	return regionIndex{
		"eu":    {"ann": {Name: "Ann"}, "nobody": nil},
		"us":    {"bob": {Name: "Bob"}},
		"empty": {},
		"nil":   nil,
	}
}

func samePointer(a, b interface{}) bool {
	return reflect.ValueOf(a).Pointer() == reflect.ValueOf(b).Pointer()
}

func checkNils(t *testing.T, c regionIndex) {
	t.Helper()
	if inner, ok := c["nil"]; !ok || inner != nil {
		t.Errorf(`c["nil"] = %v, %v; want a present nil map`, inner, ok)
	}
	if inner := c["empty"]; inner == nil || len(inner) != 0 {
		t.Errorf(`c["empty"] = %#v; want an empty non-nil map`, inner)
	}
}

func checkIndependent(t *testing.T, name string, clone func(regionIndex) regionIndex) {
	orig := sample()
	c := clone(orig)
	if !reflect.DeepEqual(c, orig) {
		t.Fatalf("%s: clone %v differs from original %v", name, c, orig)
	}
	for k := range orig {
		if orig[k] != nil && samePointer(c[k], orig[k]) {
			t.Errorf("%s: inner map %q is shared", name, k)
		}
	}
	c["eu"]["carl"] = &User{Name: "Carl"}
	delete(c["us"], "bob")
	c["empty"]["dora"] = &User{Name: "Dora"}
	if len(orig["eu"]) != 2 || len(orig["us"]) != 1 || len(orig["empty"]) != 0 {
		t.Errorf("%s: writing the clone changed the original: %v", name, orig)
	}
	orig["eu"]["eve"] = &User{Name: "Eve"}
	if _, ok := c["eu"]["eve"]; ok {
		t.Errorf("%s: writing the original changed the clone", name)
	}
	if clone(nil) != nil {
		t.Errorf("%s: clone(nil) is not nil", name)
	}
	checkNils(t, clone(sample()))
}

func TestNestedIndependent(t *testing.T) {
	checkIndependent(t, "nested", cloneNested)
	checkIndependent(t, "nested-values", cloneNestedValues)
}

func TestNestedPointersShared(t *testing.T) {
	orig := sample()
	c := cloneNested(orig)
	if c["eu"]["ann"] != orig["eu"]["ann"] {
		t.Error("the plain nested clone copied a pointer value; it must share it")
	}
}

func TestNestedValuesCopied(t *testing.T) {
	orig := sample()
	c := cloneNestedValues(orig)
	if c["eu"]["ann"] == orig["eu"]["ann"] || *c["eu"]["ann"] != *orig["eu"]["ann"] {
		t.Errorf("want a distinct but equal *User, got %p %v for %p %v",
			c["eu"]["ann"], c["eu"]["ann"], orig["eu"]["ann"], orig["eu"]["ann"])
	}
	if p, ok := c["eu"]["nobody"]; !ok || p != nil {
		t.Errorf(`c["eu"]["nobody"] = %v, %v; want a present nil pointer`, p, ok)
	}
	c["eu"]["ann"].Name = "Changed"
	if orig["eu"]["ann"].Name != "Ann" {
		t.Error("writing through the copied pointer changed the original value")
	}
}

func TestJSONUnchanged(t *testing.T) {
	want, err := json.Marshal(sample())
	if err != nil {
		t.Fatal(err)
	}
	for name, clone := range map[string]func(regionIndex) regionIndex{
		"nested": cloneNested, "nested-values": cloneNestedValues, "shallow": cloneShallow,
	} {
		got, err := json.Marshal(clone(sample()))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s: json %s, want %s", name, got, want)
		}
	}
	if s := string(want); !contains(s, `"nil":null`) || !contains(s, `"empty":{}`) {
		t.Errorf("sample json %s lacks null or {}", s)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestSingle(t *testing.T) {
	orig := userSet{"ann": {Name: "Ann"}, "nobody": nil}
	for name, clone := range map[string]func(userSet) userSet{
		"single": cloneSingle, "single-values": cloneSingleValues,
	} {
		c := clone(orig)
		if !reflect.DeepEqual(c, orig) || samePointer(c, orig) {
			t.Errorf("%s: %v is not an equal new map", name, c)
		}
		c["bob"] = &User{Name: "Bob"}
		if len(orig) != 2 {
			t.Errorf("%s: writing the clone changed the original", name)
		}
		if clone(nil) != nil {
			t.Errorf("%s: clone(nil) is not nil", name)
		}
		if e := clone(userSet{}); e == nil || len(e) != 0 {
			t.Errorf("%s: clone of an empty map is %#v", name, e)
		}
		if p, ok := c["nobody"]; !ok || p != nil {
			t.Errorf("%s: nil pointer value became %v, %v", name, p, ok)
		}
	}
	if cloneSingle(orig)["ann"] != orig["ann"] {
		t.Error("single: pointer value not shared")
	}
	if v := cloneSingleValues(orig)["ann"]; v == orig["ann"] || *v != *orig["ann"] {
		t.Error("single-values: pointer value not copied into an equal new value")
	}
	nested := sample()
	if c := cloneShallow(nested); samePointer(c, nested) || !samePointer(c["eu"], nested["eu"]) {
		t.Error("the shallow clone must be a new outer map sharing the inner maps")
	}
}

// race runs write in a goroutine while read runs, and waits for both.
func race(write, read func(i int)) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 200; i++ {
			write(i)
		}
	}()
	for i := 0; i < 200; i++ {
		read(i)
	}
	wg.Wait()
}

var sink int

func readAll(c regionIndex) {
	for _, inner := range c {
		for _, u := range inner {
			if u != nil {
				sink += len(u.Name)
			}
		}
	}
}

func TestCloneIsRaceFree(t *testing.T) {
	orig := sample()
	c := cloneNested(orig)
	race(func(i int) {
		orig["eu"]["x"] = &User{}
		delete(orig["us"], "bob")
		orig["empty"]["y"] = nil
	}, func(i int) { readAll(c) })
	orig = sample()
	v := cloneNestedValues(orig)
	race(func(i int) { orig["eu"]["ann"].Name = "Ann2" }, func(i int) { readAll(v) })
}

func control(t *testing.T) {
	if os.Getenv("GOMAPFIX_CONTROL") == "" {
		t.Skip("control test: must be reported by the race detector; run by pytest")
	}
}

func TestControlShallowMapRaces(t *testing.T) {
	control(t)
	orig := sample()
	c := cloneShallow(orig)
	race(func(i int) { orig["eu"]["x"] = &User{} }, func(i int) { readAll(c) })
}

func TestControlSharedPointerRaces(t *testing.T) {
	control(t)
	orig := sample()
	c := cloneNested(orig)
	race(func(i int) { orig["eu"]["ann"].Name = "Ann2" }, func(i int) { readAll(c) })
}
"""

GENERIC_BIND_TEST = """\
package p

import (
	"reflect"
	"testing"
)

func cloneNested(m regionIndex) regionIndex       { return gomapfixCloneNested(m) }
func cloneNestedValues(m regionIndex) regionIndex { return gomapfixCloneNestedValues(m) }
func cloneShallow(m regionIndex) regionIndex      { return gomapfixClone(m) }
func cloneSingle(m userSet) userSet               { return gomapfixClone(m) }
func cloneSingleValues(m userSet) userSet         { return gomapfixCloneValues(m) }

// Compile-time: each helper returns the named type, which has the method.
var (
	_ = gomapfixCloneNested(regionIndex(nil)).Regions
	_ = gomapfixCloneNestedValues(regionIndex(nil)).Regions
	_ = gomapfixClone(regionIndex(nil)).Regions
	_ = gomapfixCloneValues(userSet(nil)).Users
)

func TestUnnamedTypes(t *testing.T) {
	m := map[string]map[string]*User{"a": {"b": {Name: "B"}}, "n": nil}
	var c map[string]map[string]*User = gomapfixCloneNested(m)
	if reflect.TypeOf(c) != reflect.TypeOf(m) || samePointer(c["a"], m["a"]) || c["n"] != nil {
		t.Errorf("unnamed nested clone %#v", c)
	}
	keys := map[[2]int]map[struct{ A, B string }]*User{{1, 2}: {{"x", "y"}: {Name: "Z"}}}
	if v := gomapfixCloneNestedValues(keys)[[2]int{1, 2}][struct{ A, B string }{"x", "y"}]; v.Name != "Z" {
		t.Errorf("composite keys: %v", v)
	}
}
"""

# Go 1.21 only: std maps.Clone is shallow, which is why the nested helper exists.
GO121_STD_TEST = """\
package p

import (
	"maps"
	"testing"
)

func TestStdMapsCloneIsShallow(t *testing.T) {
	orig := sample()
	if !samePointer(maps.Clone(orig)["eu"], orig["eu"]) {
		t.Error("maps.Clone copied an inner map")
	}
	if samePointer(gomapfixCloneNested(orig)["eu"], orig["eu"]) {
		t.Error("gomapfixCloneNested shared an inner map")
	}
	if maps.Clone(regionIndex(nil)) != nil || gomapfixClone(regionIndex(nil)) != nil {
		t.Error("nil clone is not nil")
	}
}
"""

CONCRETE_BIND_TEST = """\
package p

import (
	js "encoding/json"
	"testing"
	"time"
)

func cloneNested(m regionIndex) regionIndex       { return gomapfixCloneRegionIndex(m) }
func cloneNestedValues(m regionIndex) regionIndex { return gomapfixCloneValuesRegionIndex(m) }
func cloneShallow(m regionIndex) regionIndex      { return gomapfixCloneRegionIndexShallow(m) }
func cloneSingle(m userSet) userSet               { return gomapfixCloneUserSet(m) }
func cloneSingleValues(m userSet) userSet         { return gomapfixCloneValuesUserSet(m) }

// Compile-time: a helper for a named inner type returns maps of that type.
var _ = gomapfixCloneMapStringUserSet(nil)["a"].Users

func TestConcreteExtras(t *testing.T) {
	lit := map[string]map[string]*User{"a": {"b": {Name: "B"}}, "n": nil, "e": {}}
	c := gomapfixCloneMapStringMapStringUserPtr(lit)
	c["a"]["x"] = nil
	if len(lit["a"]) != 1 || c["n"] != nil || c["e"] == nil || c["a"]["b"] != lit["a"]["b"] {
		t.Errorf("literal nested clone %#v", c)
	}
	named := map[string]userSet{"a": {"b": {Name: "B"}}, "n": nil}
	cn := gomapfixCloneMapStringUserSet(named)
	cn["a"]["x"] = nil
	if len(named["a"]) != 1 || cn["n"] != nil {
		t.Errorf("named-inner clone %#v", cn)
	}
	when := map[[2]int]map[string]time.Time{{1, 2}: {"t": time.Unix(1, 0)}}
	cw := gomapfixCloneArrayKeyTime(when)
	cw[[2]int{1, 2}]["u"] = time.Unix(2, 0)
	if len(when[[2]int{1, 2}]) != 1 || !cw[[2]int{1, 2}]["t"].Equal(time.Unix(1, 0)) {
		t.Errorf("time clone %#v", cw)
	}
	raw := js.RawMessage(`{}`)
	tagged := map[struct{ A, B string }]map[string]*js.RawMessage{{"a", "b"}: {"r": &raw}}
	cr := gomapfixCloneValuesStructKeyRaw(tagged)[struct{ A, B string }{"a", "b"}]["r"]
	if cr == &raw || string(*cr) != "{}" {
		t.Errorf("values clone with imported type: %v", cr)
	}
}
"""


def concrete(kind: str, name: str, type_text: str, **kw: object) -> CloneHelper:
    return CloneHelper(kind, name=name, type_text=type_text, **kw)  # type: ignore[arg-type]


GENERIC_HELPERS = frozenset(CloneHelper(k) for k in KINDS)
CONCRETE_HELPERS = frozenset(
    {
        concrete("nested", "gomapfixCloneRegionIndex", "regionIndex", underlying=INDEX),
        concrete("nested-values", "gomapfixCloneValuesRegionIndex", "regionIndex", underlying=INDEX),
        concrete("single", "gomapfixCloneRegionIndexShallow", "regionIndex", underlying=INDEX),
        concrete("single", "gomapfixCloneUserSet", "userSet", underlying=USER),
        concrete("single-values", "gomapfixCloneValuesUserSet", "userSet", underlying=USER),
        concrete("nested", "gomapfixCloneMapStringMapStringUserPtr", INDEX),
        concrete("nested", "gomapfixCloneMapStringUserSet", "map[string]userSet", inner_underlying=USER),
        concrete(
            "nested",
            "gomapfixCloneArrayKeyTime",
            "map[[2]int]map[string]time.Time",
            imports=('"time"',),
        ),
        concrete(
            "nested-values",
            "gomapfixCloneValuesStructKeyRaw",
            "map[struct{ A, B string }]map[string]*js.RawMessage",
            imports=('js "encoding/json"',),
        ),
    }
)

# ---------------------------------------------------------------- Go modules


@dataclass(frozen=True)
class Built:
    """A rendered module and its race-enabled test binary."""

    root: Path
    binary: Path


VARIANTS = {
    "generic-go1.18": ((1, 18), GENERIC_HELPERS, {"bind_test.go": GENERIC_BIND_TEST}),
    "generic-go1.21": (
        (1, 21),
        GENERIC_HELPERS,
        {"bind_test.go": GENERIC_BIND_TEST, "std_test.go": GO121_STD_TEST},
    ),
    "concrete-go1.17": ((1, 17), CONCRETE_HELPERS, {"bind_test.go": CONCRETE_BIND_TEST}),
}


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def built(request: pytest.FixtureRequest, go: GoToolchain, tmp_path_factory: pytest.TempPathFactory) -> Built:
    version, helpers, extra = VARIANTS[request.param]
    files: dict[str, str | bytes] = {
        "types.go": GO_TYPES,
        "clone_test.go": GO_BEHAVIOUR_TEST,
        CLONE_FILE: render_clone_file(PACKAGE, version, helpers),
        **extra,
    }
    root = write_module(
        tmp_path_factory.mktemp(request.param), files, go_version=f"{version[0]}.{version[1]}"
    )
    go.run("test", "-race", "-c", "-o", "clone.test", ".", cwd=root)
    return Built(root, root / "clone.test")


def run_binary(b: Built, go: GoToolchain, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(b.binary), "-test.v", *args],
        cwd=b.root,
        env=go.env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_generated_file_is_gofmt_clean_and_vets(built: Built, go: GoToolchain) -> None:
    assert go.gofmt_list(built.root / CLONE_FILE) == []
    assert go.gofmt_list(built.root) == []  # the test sources too
    go.run("vet", ".", cwd=built.root)


def test_go_behaviour_tests_pass_under_race(built: Built, go: GoToolchain) -> None:
    proc = run_binary(built, go)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    for name in (
        "TestNestedIndependent",
        "TestNestedPointersShared",
        "TestNestedValuesCopied",
        "TestJSONUnchanged",
        "TestSingle",
        "TestCloneIsRaceFree",
    ):
        assert f"--- PASS: {name} " in out, out
    assert "DATA RACE" not in out


def test_race_controls_are_detected(built: Built, go: GoToolchain) -> None:
    """The race scenarios do catch sharing: a shallow copy and shared pointees race."""
    proc = run_binary(built, go, "-test.run", "^TestControl", GOMAPFIX_CONTROL="1")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "WARNING: DATA RACE" in out
    assert "--- FAIL: TestControlShallowMapRaces " in out, out
    assert "--- FAIL: TestControlSharedPointerRaces " in out, out


ANY_KEY_USE = """\
package p

var _ = gomapfixCloneNested(map[interface{}]map[string]int{})
"""


@pytest.mark.parametrize(
    ("go_mod", "error"),
    [("1.17", "requires go1.18"), ("1.19", "requires go1.20"), ("1.20", None)],
)
def test_go_version_limits_of_generic_helpers(
    go: GoToolchain, tmp_path: Path, go_mod: str, error: str | None
) -> None:
    """Why generics are refused below go 1.18, and why interface keys need go 1.20."""
    files = {CLONE_FILE: render_clone_file(PACKAGE, (1, 18), GENERIC_HELPERS), "use.go": ANY_KEY_USE}
    proc = go.run("vet", ".", cwd=write_module(tmp_path, files, go_mod), check=False)
    if error is None:
        assert proc.returncode == 0, proc.stderr
    else:
        assert proc.returncode != 0 and error in proc.stderr, proc.stderr


# ---------------------------------------------------------------- Python API

ALL_HELPERS = sorted(GENERIC_HELPERS | CONCRETE_HELPERS)


def test_file_layout() -> None:
    content = render_clone_file(PACKAGE, (1, 18), ALL_HELPERS)
    lines = content.decode().split("\n")
    assert lines[0] == "// Code generated by gomapfix. DO NOT EDIT."
    assert content.startswith(HEADER)
    assert lines[1].startswith("// ") and "gomapfix" in lines[1] + lines[2]
    package_at = lines.index(f"package {PACKAGE}")
    assert lines[package_at - 1] == ""  # header comments are not a package doc comment
    assert all(ln.startswith("//") for ln in lines[1 : package_at - 1])
    names = [helper_name(h) for h in ALL_HELPERS]
    funcs = re.findall(r"^func (\w+)[\[(]", content.decode(), flags=re.M)
    assert funcs == sorted(names) and len(set(names)) == len(names)


def test_round_trip_and_determinism() -> None:
    content = render_clone_file(PACKAGE, (1, 18), ALL_HELPERS)
    assert helpers_in(content) == set(ALL_HELPERS)
    shuffled = list(ALL_HELPERS)
    random.Random(7).shuffle(shuffled)
    assert render_clone_file(PACKAGE, (1, 18), shuffled) == content
    assert render_clone_file(PACKAGE, (1, 18), ALL_HELPERS + ALL_HELPERS) == content
    assert helpers_in(content.replace(b"\n", b"\r\n")) == set(ALL_HELPERS)


def test_rerun_unions_with_existing_file() -> None:
    first = render_clone_file(PACKAGE, (1, 21), [CloneHelper("nested")])
    needed = {CloneHelper("nested-values"), CloneHelper("nested")}
    second = render_clone_file(PACKAGE, (1, 21), helpers_in(first) | needed)
    assert helpers_in(second) == needed
    assert second.count(b"func gomapfixCloneNested[") == 1
    assert render_clone_file(PACKAGE, (1, 21), helpers_in(second) | needed) == second


@given(st.sets(st.sampled_from(ALL_HELPERS)), st.randoms(use_true_random=False))
def test_any_subset_round_trips(helpers: set[CloneHelper], rnd: random.Random) -> None:
    order = list(helpers)
    rnd.shuffle(order)
    content = render_clone_file(PACKAGE, (1, 20), order)
    assert helpers_in(content) == helpers
    assert content == render_clone_file(PACKAGE, (1, 20), sorted(helpers))


def test_directive_is_one_json_line_per_helper() -> None:
    content = render_clone_file(PACKAGE, None, CONCRETE_HELPERS).decode()
    records = [ln for ln in content.splitlines() if ln.startswith("//gomapfix:clone ")]
    assert len(records) == len(CONCRETE_HELPERS)
    assert {
        "kind": "nested-values",
        "name": "gomapfixCloneValuesStructKeyRaw",
        "type_text": "map[struct{ A, B string }]map[string]*js.RawMessage",
        "imports": ['js "encoding/json"'],
    } in [json.loads(r.split(" ", 1)[1]) for r in records]


@pytest.mark.parametrize("version", [None, (1, 17), (1, 0)])
def test_generic_helpers_refused_without_go118(version: tuple[int, int] | None) -> None:
    with pytest.raises(ValueError, match="1.18"):
        render_clone_file(PACKAGE, version, [CloneHelper("nested")])
    assert helpers_in(render_clone_file(PACKAGE, version, CONCRETE_HELPERS)) == CONCRETE_HELPERS


@pytest.mark.parametrize(
    "make",
    [
        lambda: CloneHelper("deep"),  # type: ignore[arg-type]
        lambda: CloneHelper("nested", name="gomapfixCloneX"),  # generic with a name
        lambda: concrete("nested", "cloneX", INDEX),  # name without the gomapfixClone prefix
        lambda: concrete("nested", "gomapfixCloneNested", INDEX),  # a generic helper's name
        lambda: concrete("nested", "gomapfixCloneX", "regionIndex"),  # named, no underlying
        lambda: concrete("nested", "gomapfixCloneX", INDEX, underlying=INDEX),  # literal + underlying
        lambda: concrete("nested", "gomapfixCloneX", USER),  # inner values are not maps
        lambda: concrete("nested", "gomapfixCloneX", "map[string]userSet"),  # named inner, no underlying
        lambda: concrete("single", "gomapfixCloneX", USER, inner_underlying=USER),
        lambda: concrete("single-values", "gomapfixCloneX", "map[string]User"),  # not *V
        lambda: concrete("nested-values", "gomapfixCloneX", "map[string]map[string]int"),
        lambda: concrete("single", "gomapfixCloneX", "map[string]int\n"),
        lambda: concrete("single", "gomapfixCloneX", "map[string]int", imports=("time",)),
        lambda: concrete("single", "gomapfixCloneX", "map[]int"),
    ],
)
def test_invalid_helpers_are_rejected(make: object) -> None:
    with pytest.raises(ValueError):
        make()  # type: ignore[operator]


def test_name_collision_and_foreign_files_are_rejected() -> None:
    a = concrete("single", "gomapfixCloneX", USER)
    b = concrete("single", "gomapfixCloneX", "map[string]*Other")
    with pytest.raises(ValueError, match="gomapfixCloneX"):
        render_clone_file(PACKAGE, None, [a, b])
    hand_written = b'package p\n\n//gomapfix:clone {"kind":"nested"}\nfunc f() {}\n'
    assert not generated_by_gomapfix(hand_written)
    with pytest.raises(ValueError, match="not generated"):
        helpers_in(hand_written)
    for bad in (b'{"kind":"nested","colour":"red"}', b'{"kind":"single","name":5}', b"{"):
        with pytest.raises(ValueError, match="unreadable"):
            helpers_in(HEADER + b"//gomapfix:clone " + bad + b"\n")
