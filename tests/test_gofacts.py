"""gofacts, the one semantic layer: one scope lookup, one declaration table, one type resolver."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import gomapfix, write_module

from codemod import syntax
from codemod.context import FileContext, PackageContext
from gofacts import scope
from gofacts.declbytes import DeclBytes
from gofacts.decls import Declarations
from gofacts.types import PackageTypes


def _pkg(files: dict[str, str]) -> PackageContext:
    sources = [FileContext(Path("/p") / name, src.encode()) for name, src in sorted(files.items())]
    return PackageContext(Path("/p"), "p", sources, (1, 22))


def _ident(f: FileContext, text: str, nth: int = 0) -> object:
    """The nth identifier node spelling text in f."""
    found = [n for n in syntax.walk(f.root) if n.type == "identifier" and f.text(n) == text]
    return found[nth]


SHADOW = """package p

var x = 1

func f() int {
	x := x + 1
	return x
}
"""


def test_every_question_about_x_is_answered_alike() -> None:
    """In `x := x + 1` the right-hand x is the package-level one; the returned x is the local."""
    pkg = _pkg({"a.go": SHADOW})
    f = pkg.sources[0]
    lhs, rhs, returned = (_ident(f, "x", i) for i in (1, 2, 3))
    assert scope.declaration_of(rhs) is None
    assert scope.lookup("x", rhs) is None
    assert scope.find_declaration("x", rhs) is None
    assert not scope.declared_locally("x", rhs)
    assert scope.declaration_of(returned) == lhs
    kind, node = scope.find_declaration("x", returned)
    assert kind == "short_var" and node == lhs.parent.parent
    types = PackageTypes.of(pkg)
    assert types.identifier_type("x", rhs, f) is None  # `var x = 1`: an untyped constant's default
    assert scope.declared_locally("x", returned)


def test_an_initialization_cycle_resolves_to_unknown() -> None:
    pkg = _pkg(
        {
            "a.go": "package p\n\ntype node struct{ m map[string]int }\n\n"
            "func (n *node) next() *node { return n }\n\nvar a = b.next()\nvar b = a.next()\n"
        }
    )
    f = pkg.sources[0]
    types = PackageTypes.of(pkg)
    assert types.identifier_type("a", f.root, f) is None
    assert types.identifier_type("b", f.root, f) is None


CYCLE = """package cyc

/*
static void use(void *p) { (void)p; }
*/
import "C"

import "unsafe"

type node struct{ m map[string]int }

func (n *node) next() *node { return n }

var a = b.next()
var b = a.next()

func f() {
	C.use(unsafe.Pointer(a))
}
"""


def test_an_initialization_cycle_passed_to_c_is_no_internal_error(tmp_path: Path) -> None:
    root = write_module(tmp_path, {"a.go": CYCLE})
    proc = gomapfix("--no-cache", "--format", "text", "--select", "map-to-c,keepalive,deepcopy", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert b"internal error" not in proc.stderr


def test_the_first_declaration_in_package_order_wins() -> None:
    files = {
        "a_linux.go": "package p\n\nfunc open() int { return 1 }\n\ntype handle int\n",
        "b_other.go": "package p\n\ntype handle struct{}\n\ntype extra int\n\nfunc open() int { return 2 }\n",
    }
    decls = Declarations.of(_pkg(files))
    assert decls.types["extra"].file.path.name == "b_other.go"
    assert decls.types["handle"].file.path.name == "a_linux.go"
    assert [f.path.name for _, f in decls.variants("func", "open")] == ["a_linux.go", "b_other.go"]
    assert decls.funcs["open"][1].path.name == "a_linux.go"
    assert decls.callables[(None, "open")].type == "function_declaration"


def test_methods_are_keyed_by_receiver_base_type() -> None:
    src = "package p\n\ntype T[K comparable] struct{}\n\nfunc (t *T[K]) Get() {}\n\nfunc (U) Get() {}\n"
    files = {"a.go": src}
    decls = Declarations.of(_pkg(files))
    assert ("T", "Get") in decls.methods and ("U", "Get") in decls.methods
    assert len(decls.methods_named("Get")) == 2


@pytest.mark.parametrize(
    ("source", "kind", "name", "may"),
    [
        (b"package p\n\nfunc f() {}\n", "func", b"f", True),
        (b"package p\n\nfunc (t T) m() {}\n", "method", b"m", True),
        (b"package p\n\nfunc f() { type local int }\n", "type", b"local", False),
        (b"package p\n\ntype (\n\ta int\n\tb struct{}\n)\n", "type", b"b", True),
        (b"package p\n\nvar (\n\tx, y int\n)\n", "var", b"y", True),
        (b"package p\n\nfunc f() { var z int; _ = z }\n", "var", b"z", False),
        (b"package p\n\n// func g() {}\n", "func", b"g", True),  # a superset: comments may count
    ],
)
def test_decl_bytes(source: bytes, kind: str, name: bytes, may: bool) -> None:
    assert DeclBytes(source).may_declare(kind, name) is may


def test_decl_bytes_miss_no_declaration_of_the_go_tree(go) -> None:  # noqa: ANN001
    """Every package-level name the parser finds in a sample of the Go tree is let through."""
    checked = 0
    for path in sorted((go.root / "src" / "net" / "http").rglob("*.go"))[:150]:
        f = FileContext(path, path.read_bytes())
        if f.broken:
            continue
        table = DeclBytes(f.content)
        for decl in f.root.named_children:
            name = decl.child_by_field_name("name")
            if decl.type == "function_declaration" and name is not None:
                assert table.may_declare("func", name.text), (path, name.text)
            elif decl.type == "method_declaration" and name is not None:
                assert table.may_declare("method", name.text), (path, name.text)
            elif decl.type in ("var_declaration", "type_declaration"):
                kind = "var" if decl.type == "var_declaration" else "type"
                for spec in syntax.named_walk(decl, prune=frozenset({"var_spec", "type_spec", "type_alias"})):
                    if spec.type in ("var_spec", "type_spec", "type_alias"):
                        for n in spec.children_by_field_name("name"):
                            assert table.may_declare(kind, n.text), (path, n.text)
                            checked += 1
    assert checked > 200
