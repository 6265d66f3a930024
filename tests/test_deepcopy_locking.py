"""gofacts.locks and gofacts.types: which locks are held where, for the shapes Go code uses.

Each function below marks points with a `probe(N)` call; the test asks
held_at which mutexes are held at each probe. The source is compiled and
vetted first, so every shape is real Go.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import GoToolchain, write_module

from codemod import syntax
from codemod.context import FileContext, PackageContext
from gofacts.locks import held_at, lock_call
from gofacts.types import PackageTypes

SOURCE = """package shapes

import "sync"

func probe(int) {}

type c struct {
	mu   sync.RWMutex
	byID map[string]map[string]int
}

type e struct {
	sync.Mutex
	data map[string]int
}

var pkgMu sync.Mutex

func (x *c) deferred() {
	probe(0)
	x.mu.Lock()
	defer x.mu.Unlock()
	probe(1)
}

func (x *c) explicit() {
	x.mu.RLock()
	probe(2)
	x.mu.RUnlock()
	probe(3)
}

func (x *c) earlyExit(ok bool) {
	x.mu.Lock()
	if !ok {
		x.mu.Unlock()
		probe(4)
		return
	}
	probe(5)
	x.mu.Unlock()
}

func (x *c) conditional(ok bool) {
	x.mu.Lock()
	if ok {
		x.mu.Unlock()
	}
	probe(6)
}

func (x *c) dropInLoop(n int) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for i := 0; i < n; i++ {
		x.mu.Unlock()
		probe(7)
		x.mu.Lock()
	}
	probe(8)
}

func (x *c) literal() {
	x.mu.Lock()
	defer x.mu.Unlock()
	go func() {
		probe(9)
	}()
	func() {
		x.mu.Lock()
		probe(10)
		x.mu.Unlock()
	}()
}

func (x *c) deferredLiteral() {
	x.mu.RLock()
	defer func() { x.mu.RUnlock() }()
	switch {
	case x.byID != nil:
		probe(11)
	}
}

func (x *e) embedded() {
	x.Lock()
	defer x.Unlock()
	probe(12)
}

func (x *c) deref() {
	(*x).mu.Lock()
	probe(13)
	(*x).mu.Unlock()
}

func global() {
	pkgMu.Lock()
	probe(14)
	pkgMu.Unlock()
}

func (x *c) mismatched() {
	x.mu.RLock()
	x.mu.Unlock()
	probe(15)
	x.mu.RUnlock()
}
"""

EXPECTED: dict[int, list[str]] = {
    0: [],
    1: ["x.mu/Lock/deferred"],
    2: ["x.mu/RLock"],
    3: [],
    4: [],
    5: ["x.mu/Lock"],
    6: [],
    7: [],
    8: ["x.mu/Lock/deferred"],
    9: [],
    10: ["x.mu/Lock"],
    11: ["x.mu/RLock/deferred"],
    12: ["x/Lock/deferred"],
    13: ["x.mu/Lock"],
    14: ["pkgMu/Lock"],
    15: ["x.mu/RLock"],
}


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_module(tmp_path_factory.mktemp("shapes") / "m", {"shapes.go": SOURCE})


def test_shapes_are_real_go(go: GoToolchain, source: Path) -> None:
    go.run("vet", ".", cwd=source)


def probes(f: FileContext) -> dict[int, object]:
    out = {}
    for n in syntax.walk(f.root):
        fn = n.child_by_field_name("function") if n.type == "call_expression" else None
        if fn is not None and syntax.text(fn) == "probe":
            args = n.child_by_field_name("arguments")
            assert args is not None
            out[int(syntax.text(args.named_children[0]))] = n
    return out


def test_held_at_each_probe(source: Path) -> None:
    f = FileContext(source / "shapes.go", (source / "shapes.go").read_bytes())
    found = probes(f)
    assert sorted(found) == sorted(EXPECTED)
    for n, want in EXPECTED.items():
        got = [
            f"{h.mutex}/{h.lock.method}" + ("/deferred" if h.deferred_unlock is not None else "")
            for h in held_at(found[n])  # type: ignore[arg-type]
        ]
        assert got == want, f"probe({n})"


def test_lock_call_forms(source: Path) -> None:
    f = FileContext(source / "shapes.go", (source / "shapes.go").read_bytes())
    calls = [
        lock_call(n) for n in syntax.walk(f.root) if n.type in ("expression_statement", "defer_statement")
    ]
    forms = {(c.mutex, c.method, c.deferred) for c in calls if c is not None}
    assert ("x.mu", "RUnlock", True) in forms  # defer func() { x.mu.RUnlock() }()
    assert ("x", "Lock", False) in forms  # embedded sync.Mutex
    assert ("x.mu", "Lock", False) in forms  # (*x).mu.Lock()
    assert ("pkgMu", "Unlock", False) in forms
    assert not any(c.mutex == "probe" for c in calls if c is not None)


def test_expression_types_follow_fields_maps_and_embedding(source: Path) -> None:
    f = FileContext(source / "shapes.go", (source / "shapes.go").read_bytes())
    types = PackageTypes(PackageContext(source, "shapes", [f], (1, 22)))
    at = probes(f)
    recv_c = types.identifier_type("x", at[11], f)  # type: ignore[arg-type]
    recv_e = types.identifier_type("x", at[12], f)  # type: ignore[arg-type]
    assert recv_c is not None and recv_c.text == "*c"
    by_id = types.field(recv_c, "byID")
    assert by_id is not None and by_id.text == "map[string]map[string]int"
    parts = types.map_parts(by_id)
    assert parts is not None and types.map_parts(parts[1]) is not None  # a nested map
    data = types.field(recv_e, "data")
    assert data is not None and data.text == "map[string]int"
    mutex = types.field(recv_e, "Mutex")  # the embedded field, by its type name
    assert mutex is not None and mutex.text == "sync.Mutex"
    assert types.underlying(mutex) is None  # another package's type is opaque
