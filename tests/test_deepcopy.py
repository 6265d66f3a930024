"""deepcopy beyond the golden cases: safety, fixes it declines, the value-copying variant,
and the lock shapes of gofacts.locks, checked with the real Go toolchain.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import GoToolchain, write_module

from codemod.api import collect
from codemod.discovery import discover
from codemod.model import Finding, RunReport, Safety
from codemod.runner import Options
from transforms.deepcopy import clone_go

DEEPCOPY = Options(select=("deepcopy",))
OUTSIDE = {"deepcopy": {"exported-callers": True}}

HEADER = """package {name}

import (
{imports}
)

"""

PACKAGES: dict[str, tuple[str, str]] = {
    # name: (imports, body)
    "unsafedoc": (
        '\t"sync"',
        """type Registry struct {
	mu    sync.Mutex
	names map[string]map[string]string
}

func (r *Registry) Set(ns, k, v string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.names[ns] == nil {
		r.names[ns] = map[string]string{}
	}
	r.names[ns][k] = v
}

// Namespace returns the underlying map of ns.
func (r *Registry) Namespace(ns string) map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.names[ns]
}
""",
    ),
    "opaque": (
        '\t"net/url"\n\t"sync"',
        """type forms struct {
	mu     sync.Mutex
	byUser map[string]map[string]url.Values
	any    map[string]map[string]any
}

func (f *forms) put(u, k string, v url.Values, a any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.byUser[u] == nil {
		f.byUser[u] = map[string]url.Values{}
		f.any[u] = map[string]any{}
	}
	f.byUser[u][k] = v
	f.any[u][k] = a
}

func (f *forms) user(u string) map[string]url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.byUser[u]
}

func (f *forms) anyOf(u string) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.any[u]
}
""",
    ),
    "nofix": (
        '\t"sync"',
        """type bag struct{ tags map[string]bool }

type deep struct {
	mu    sync.Mutex
	three map[string]map[string]map[string]int
	bags  map[string]bag
	pairs map[string]map[string]int
}

func (d *deep) put(a, b, c string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.three[a] == nil {
		d.three[a] = map[string]map[string]int{}
	}
	if d.three[a][b] == nil {
		d.three[a][b] = map[string]int{}
	}
	d.three[a][b][c]++
	d.bags[a] = bag{tags: map[string]bool{b: true}}
	if d.pairs[a] == nil {
		d.pairs[a] = map[string]int{}
	}
	d.pairs[a][b]++
}

func (d *deep) level(a string) map[string]map[string]int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.three[a]
}

func (d *deep) all() map[string]map[string]map[string]int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.three
}

func (d *deep) allBags() map[string]bag {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.bags
}

// pair reads with comma-ok and uses the map after Unlock: the copy cannot be
// taken at the read (two values) nor at the use (no lock any more).
func (d *deep) pair(a string) int {
	d.mu.Lock()
	m, ok := d.pairs[a]
	d.mu.Unlock()
	if !ok {
		return 0
	}
	return len(m)
}
""",
    ),
}

HANDWRITTEN_CLONE = """package handwritten

// gomapfix_clone.go written by hand: gomapfix must not overwrite it.
func cloneAnything() {}
"""

HANDWRITTEN = """package handwritten

import "sync"

type s struct {
	mu sync.Mutex
	m  map[string]map[string]int
}

func (x *s) add(a, b string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.m[a] == nil {
		x.m[a] = map[string]int{}
	}
	x.m[a][b]++
}

func (x *s) all() map[string]map[string]int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.m
}

func (x *s) one(a string) map[string]int {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.m[a]
}
"""


@pytest.fixture(scope="module")
def module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files: dict[str, str | bytes] = {}
    for name, (imports, body) in PACKAGES.items():
        files[f"{name}/{name}.go"] = HEADER.format(name=name, imports=imports) + body
    files["handwritten/gomapfix_clone.go"] = HANDWRITTEN_CLONE
    files["handwritten/h.go"] = HANDWRITTEN
    return write_module(tmp_path_factory.mktemp("deepcopy") / "m", files, go_version="1.22")


@pytest.fixture(scope="module")
def report(module: Path) -> RunReport:
    found, errors = collect(discover([module]), DEEPCOPY, jobs=1)
    assert errors == []
    return found


def by_package(report: RunReport, name: str) -> list[Finding]:
    return [f for f in report.findings if f.path.parent.name == name]


def test_builds_before(go: GoToolchain, module: Path) -> None:
    go.run("vet", "./...", cwd=module)


def test_exported_doc_promising_the_map_makes_the_fix_unsafe(report: RunReport) -> None:
    (f,) = by_package(report, "unsafedoc")
    assert [x.safety for x in f.fixes] == [Safety.UNSAFE]
    assert 'the doc comment of Namespace says the map is shared ("underlying")' in f.message
    assert not report.fix_applied(f, f.fixes[0])


def test_values_that_may_hold_maps_make_the_fix_unsafe(report: RunReport) -> None:
    found = {f.message.split(",")[0]: f for f in by_package(report, "opaque")}
    user, anyof = found["In user"], found["In anyOf"]
    assert "values of type url.Values might hold maps" in user.message
    assert "values of type any might hold maps" in anyof.message
    assert all(x.safety is Safety.UNSAFE for f in (user, anyof) for x in f.fixes)


def test_fixes_it_declines_say_why(report: RunReport) -> None:
    found = {f.message.split(",")[0]: f for f in by_package(report, "nofix")}
    assert set(found) == {"In level", "In all", "In allBags", "In pair"}
    assert "No fix: maps three or more levels deep are not copied" in found["In all"].message
    assert "No fix: its values (bag) hold maps of their own" in found["In allBags"].message
    assert "kept in m and read after d.mu.Unlock()" in found["In pair"].message
    assert "No fix: m is assigned with a comma-ok read." in found["In pair"].message
    for name in ("In all", "In allBags", "In pair"):
        assert found[name].fixes == ()
    # Two levels below three: copying d.three[a] deeply is complete.
    assert [x.message for x in found["In level"].fixes] == [
        "copy d.three[a] with gomapfixCloneNested while d.mu is held"
    ]


def test_a_handwritten_helper_file_is_never_overwritten(report: RunReport, module: Path) -> None:
    found = {f.message.split(",")[0]: f for f in by_package(report, "handwritten")}
    assert "No fix: gomapfix_clone.go cannot be updated" in found["In all"].message
    assert found["In all"].fixes == ()
    # maps.Clone needs no helper file.
    assert [x.message for x in found["In one"].fixes] == ["copy x.m[a] with maps.Clone while x.mu is held"]
    assert module / "handwritten" / "gomapfix_clone.go" not in {o.path for o in report.changed_files()}


def test_messages_explain_the_race_and_hold_no_positions(report: RunReport) -> None:
    assert len(report.findings) >= 9
    for f in report.findings:
        assert f.rule == "deepcopy"
        assert 'a data race that can end in "fatal error: concurrent map read and map write"' in f.message
        assert f.message.endswith(".")
        assert not re.search(r"\bline \d|\.go:\d", f.message)
        for fix in f.fixes:
            assert not re.search(r"\d", fix.message.replace("gomapfixClone", ""))


VALUES = """package values

import "sync"

type User struct{ Name string }

type dir struct {
	mu sync.Mutex
	m  map[string]map[string]*User
}

func (d *dir) add(team string, u *User) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.m[team] == nil {
		d.m[team] = map[string]*User{}
	}
	d.m[team][u.Name] = u
}

func (d *dir) team(t string) map[string]*User {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.m[t]
}
"""

VALUES_TEST = """package values

import "testing"

func TestValuesAreCopied(t *testing.T) {
	d := &dir{m: map[string]map[string]*User{}}
	ada := &User{Name: "ada"}
	d.add("core", ada)
	d.m["core"]["nil"] = nil
	got := d.team("core")
	if got["ada"] == ada || *got["ada"] != *ada {
		t.Fatalf("want a new *User equal to the old one, got %p %v", got["ada"], got["ada"])
	}
	if v, ok := got["nil"]; !ok || v != nil {
		t.Fatal("a nil pointer must stay nil")
	}
	if d.team("nobody") != nil {
		t.Fatal("a missing team must give nil")
	}
}
"""


def test_value_copying_variant_is_offered_as_unsafe_and_works(go: GoToolchain, tmp_path: Path) -> None:
    root = write_module(tmp_path / "v", {"values.go": VALUES, "values_test.go": VALUES_TEST}, "1.21")
    first, _ = collect(discover([root]), DEEPCOPY, jobs=1)
    (f,) = first.findings
    assert "Pointer values (*User) stay shared with the original." in f.message
    safe, values = f.fixes
    assert (safe.safety, values.safety) == (Safety.SAFE, Safety.UNSAFE)
    assert values.message == (
        "copy d.m[t], and each User its values point to, with gomapfixCloneValues "
        "while d.mu is held (new pointers)"
    )
    accepted = frozenset({(*f.key, values.message)})
    again = Options(select=("deepcopy",), accepted=accepted)
    second, _ = collect(discover([root]), again, jobs=1)
    for outcome in second.changed_files():
        assert outcome.result is not None
        outcome.path.write_bytes(outcome.result)
    assert "return gomapfixCloneValues(d.m[t])" in (root / "values.go").read_text()
    helpers = clone_go.helpers_in((root / "gomapfix_clone.go").read_bytes())
    assert helpers == {clone_go.CloneHelper("single-values")}
    go.run("vet", ".", cwd=root)
    go.run("test", "-count=1", ".", cwd=root)


def test_a_registry_filled_by_another_package_at_run_time_is_still_reported(tmp_path: Path) -> None:
    """golden/deepcopy/init_registry is silent because only init functions register; once a
    package of the module calls Register from ordinary code, the catalog is written while
    All's callers read it, and the finding is back."""
    import shutil

    from conftest import REPO

    root = tmp_path / "m"
    shutil.copytree(REPO / "golden" / "deepcopy" / "init_registry" / "in", root)
    options = DEEPCOPY
    report, errors = collect(discover([root]), options, jobs=1)
    assert errors == [] and report.findings == []
    plugins = root / "plugins" / "plugins.go"
    plugins.write_text(
        plugins.read_text()
        + "\nfunc Load(name string) {\n\tcatalog.Register(&catalog.Plugin{Name: name})\n}\n"
    )
    report, errors = collect(discover([root]), options, jobs=1)
    assert errors == []
    (finding,) = report.findings
    assert finding.path.name == "catalog.go" and "All" in finding.message


@pytest.mark.parametrize(
    ("reset", "detaches"),
    [
        ("\tc.conns = make(map[int]bool)\n", True),
        ("\tc.conns, c.n = nil, 0\n", True),
        ("\tif c.n > 0 {\n\t\tc.conns = nil\n\t}\n", False),  # only sometimes
        ("\tc.n = 0\n", False),  # leaves the map where it was
    ],
)
def test_a_method_that_resets_the_field_under_the_lock_detaches_the_map(
    tmp_path: Path, reset: str, detaches: bool
) -> None:
    source = 'package p\n\nimport "sync"\n\ntype client struct {\n\tmu    sync.Mutex\n\tn     int\n'
    source += "\tconns map[int]bool\n}\n\n"
    source += "func (c *client) add(k int) {\n\tc.mu.Lock()\n\tc.conns[k] = true\n\tc.mu.Unlock()\n}\n\n"
    source += "func (c *client) resetLocked() {\n" + reset + "}\n\n"
    source += "func (c *client) idle() int {\n\tc.mu.Lock()\n\tconns := c.conns\n\tc.resetLocked()\n"
    source += "\tc.mu.Unlock()\n\treturn len(conns)\n}\n"
    module = write_module(tmp_path / "m", {"p.go": source})
    report = collect(discover([module]), DEEPCOPY, 1)[0]
    assert (report.findings == []) is detaches


LIBRARY = """package p

import "sync"

type index struct {
	mu    sync.Mutex
	byTag map[string]map[string]bool
}

func (x *index) add(tag, id string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.byTag[tag] == nil {
		x.byTag[tag] = map[string]bool{}
	}
	x.byTag[tag][id] = true
}

func (x *index) ids(tag string) map[string]bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.byTag[tag]
}
"""


def test_a_package_that_starts_no_goroutine_leaves_concurrency_to_its_callers(tmp_path: Path) -> None:
    module = write_module(tmp_path / "m", {"p.go": LIBRARY})
    (finding,) = collect(discover([module]), DEEPCOPY, 1)[0].findings
    assert "In this package" not in finding.message


def test_a_package_whose_own_goroutines_take_no_part_is_reported_only_when_asked(tmp_path: Path) -> None:
    source = LIBRARY + "\nfunc (x *index) tick(out chan<- int) {\n\tgo func() { out <- 1 }()\n}\n"
    module = write_module(tmp_path / "m", {"p.go": source})
    assert collect(discover([module]), DEEPCOPY, 1)[0].findings == []
    asked = Options(select=("deepcopy",), transform_options=OUTSIDE)
    assert len(collect(discover([module]), asked, 1)[0].findings) == 1


def test_a_package_only_tests_import_is_not_reported(tmp_path: Path) -> None:
    fake = LIBRARY.replace("package p", "package fake").replace("func (x *index) ids", "func (x *index) IDs")
    fake = fake.replace("type index", "type Index").replace("*index", "*Index")
    test = 'package user\n\nimport (\n\t"testing"\n\n\t"example.com/m/fake"\n)\n\n'
    test += 'func TestFake(t *testing.T) {\n\t_ = (&fake.Index{}).IDs("a")\n}\n'
    files = {"fake/fake.go": fake, "user/user.go": "package user\n", "user/user_test.go": test}
    module = write_module(tmp_path / "m", files)
    assert collect(discover([module]), DEEPCOPY, 1)[0].findings == []
    files["user/user.go"] = (
        'package user\n\nimport "example.com/m/fake"\n\n'
        'func count() int {\n\treturn len((&fake.Index{}).IDs("a"))\n}\n'
    )
    module = write_module(tmp_path / "m2", files)
    assert len(collect(discover([module]), DEEPCOPY, 1)[0].findings) == 1, "production code imports it"


@pytest.mark.parametrize(
    ("spawn", "evidence"),
    [
        (
            "func (x *index) load(tags []string) {\n\tfor _, t := range tags {\n\t\tgo x.add(t, t)\n\t}\n}\n",
            "In this package, the goroutine that index.load starts writes it in index.add.",
        ),
        (
            'func (x *index) watch(out chan<- int) {\n\tgo func() {\n\t\tout <- len(x.ids("a"))\n\t}()\n}\n',
            "In this package, the goroutine that index.watch starts runs this read.",
        ),
        (
            "func (x *index) report(out chan<- int) {\n\tgo x.count(out)\n}\n\n"
            'func (x *index) count(out chan<- int) {\n\tfor {\n\t\tout <- len(x.ids("a"))\n\t}\n}\n',
            "In this package, the goroutine that index.report starts runs this read.",
        ),
    ],
)
def test_a_goroutine_of_the_package_is_the_evidence_and_the_message_names_it(
    tmp_path: Path, spawn: str, evidence: str
) -> None:
    module = write_module(tmp_path / "m", {"p.go": LIBRARY + "\n" + spawn})
    (finding,) = collect(discover([module]), Options(select=("deepcopy",)), 1)[0].findings
    assert finding.message.endswith(evidence), finding.message
    assert [f.safety for f in finding.fixes][:1] == [Safety.SAFE]


TICK = "\nfunc (x *index) tick(out chan<- int) {\n\tgo func() { out <- 1 }()\n}\n"
"""A goroutine of the package that takes no part in the leak."""

HANDLER = (
    "func (x *index) serve(w http.ResponseWriter, r *http.Request) {\n\tx.add(r.URL.Path, r.Method)\n}\n"
)


@pytest.mark.parametrize(
    ("files", "evidence"),
    [
        # an HTTP handler writes the map (net/http runs each request on a goroutine of its own)
        ({"p.go": HANDLER}, "In this package, the HTTP handler index.serve writes it in index.add"),
        # the handler reads what the leak hands out
        (
            {
                "p.go": HANDLER.replace(
                    "x.add(r.URL.Path, r.Method)", 'w.Write([]byte(fmt.Sprint(len(x.ids("a")))))'
                )
            },
            "In this package, the HTTP handler index.serve runs this read",
        ),
        # only a test's handler writes it: a test server serves what the test sends
        ({"p_test.go": HANDLER}, None),
        # a gin handler (gin serves each request on a goroutine of its own, as net/http does)
        (
            {
                "gin.go": 'package p\n\nimport "github.com/gin-gonic/gin"\n\n'
                'func (x *index) serveGin(c *gin.Context) {\n\tx.add(c.Param("t"), "gin")\n}\n'
            },
            "In this package, the HTTP handler index.serveGin writes it in index.add",
        ),
        # a handler that reaches add only through a method name the package declares twice
        (
            {
                "p.go": HANDLER.replace("x.add(", "x.put(")
                + "\nfunc (x *index) put(t, id string) { x.add(t, id) }\n"
                "\ntype other struct{}\n\nfunc (other) put(t, id string) {}\n"
            },
            None,
        ),
    ],
)
def test_an_http_handler_of_the_package_is_evidence(
    tmp_path: Path, files: dict[str, str], evidence: str | None
) -> None:
    """In a package that starts goroutines of its own (tick, taking no part), a leak is reported
    when an HTTP handler of the package writes the map or runs the leaking read."""
    http_imports = 'import (\n\t"fmt"\n\t"net/http"\n\t"sync"\n)\n\nvar _ = fmt.Sprint\nvar _ http.Handler\n'
    library = LIBRARY.replace('import "sync"\n', http_imports) + TICK
    sources = {"p.go": library}
    for name, body in files.items():
        if body.startswith("package "):
            sources[name] = body
            continue
        head = (
            "package p\n\n" + http_imports.replace('\t"sync"\n', "") if name.endswith("_test.go") else library
        )
        sources[name] = head + "\n" + body
    module = write_module(tmp_path / "m", sources)
    found = collect(discover([module]), DEEPCOPY, 1)[0].findings
    if evidence is None:
        assert found == [], [f.message for f in found]
        return
    (finding,) = found
    assert evidence + " (the server runs each request on a goroutine of its own)." in finding.message, (
        finding.message
    )


def test_a_function_only_other_packages_tests_call_is_not_reported(tmp_path: Path) -> None:
    lib = LIBRARY.replace("package p", "package lib").replace("func (x *index) ids", "func (x *index) IDs")
    lib += "\nfunc New() *index {\n\treturn &index{byTag: map[string]map[string]bool{}}\n}\n"
    other = 'package user\n\nimport (\n\t"testing"\n\n\t"example.com/m/lib"\n)\n\n'
    other += 'func TestIDs(t *testing.T) {\n\t_ = lib.New().IDs("a")\n}\n'
    user = 'package user\n\nimport "example.com/m/lib"\n\nvar _ = lib.New  // production imports lib\n'
    files = {"lib/lib.go": lib, "user/user.go": user, "user/user_test.go": other}
    module = write_module(tmp_path / "m", files)
    assert collect(discover([module]), DEEPCOPY, 1)[0].findings == []
    own = 'package lib\n\nimport "testing"\n\nfunc TestIDs(t *testing.T) {\n\t_ = New().IDs("a")\n}\n'
    module = write_module(tmp_path / "m2", {"lib/lib.go": lib, "lib/lib_test.go": own})
    assert len(collect(discover([module]), DEEPCOPY, 1)[0].findings) == 1, "its own package's test"
