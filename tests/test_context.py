"""Package clauses read from bytes, and declaration tables that parse only what a lookup needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from codemod import syntax
from codemod.context import FileContext, PackageContext, package_clause
from codemod.gobytes import may_import_c
from gofacts.types import PackageTypes


@pytest.mark.parametrize(
    ("source", "name"),
    [
        (b"package p\n", "p"),
        (b"\xef\xbb\xbfpackage bom\n", "bom"),
        (b"// Copyright\n\n//go:build linux\n\n// Doc.\npackage linuxonly // trailing\n", "linuxonly"),
        (b"/* package notthis */\npackage real\n", "real"),
        (b"/* a\n package inner\n*/ package after\n", "after"),
        (b"package\tmain;\n", "main"),
        (b"// only a comment\n", ""),
        (b"/* unterminated package p\n", ""),
        (b"func f() {}\n", ""),
    ],
)
def test_package_clause_matches_the_parser(source: bytes, name: str) -> None:
    assert package_clause(source) == name
    parsed = ""
    for child in syntax.parse(source).root_node.named_children:
        if child.type == "package_clause" and child.named_child_count:
            parsed = syntax.text(child.named_children[0])
    assert parsed == name or b"unterminated" in source


def _pkg(files: dict[str, str]) -> PackageContext:
    sources = [FileContext(Path(f"/p/{n}"), t.encode()) for n, t in sorted(files.items())]
    return PackageContext(Path("/p"), "p", sources, (1, 22))


def test_type_lookup_parses_only_files_naming_the_type() -> None:
    pkg = _pkg(
        {
            "a.go": "package p\n\ntype widget struct{ c *int }\n",
            "b.go": "package p\n\nfunc unrelated() {}\n",
            "c.go": "package p\n\nvar w = &widget{}\n",
        }
    )
    types = PackageTypes(pkg)
    assert types.decls["widget"].file.path.name == "a.go"
    assert "gadget" not in types.decls
    # c.go names widget but cannot declare it (its bytes say so): left unparsed.
    assert [f.path.name for f in pkg.sources if f.parsed] == ["a.go"]
    assert types.vars["w"][1].path.name == "c.go"
    assert sorted(types.funcs) == ["unrelated"]  # iterating a table indexes everything
    assert all(f.parsed for f in pkg.sources)


def test_first_file_wins_whatever_the_lookup_order() -> None:
    # Build-tagged variants declare a name twice; a full index keeps the first file's.
    files = {
        "a_linux.go": "package p\n\nfunc open() int { return 1 }\n\ntype handle int\n",
        "b_other.go": "package p\n\ntype handle struct{}\n\ntype extra int\n\nfunc open() int { return 2 }\n",
    }
    lazy = PackageTypes(_pkg(files))
    assert lazy.decls["extra"].file.path.name == "b_other.go"  # indexes b_other.go alone first
    assert lazy.decls["handle"].file.path.name == "a_linux.go"
    assert lazy.funcs["open"][1].path.name == "a_linux.go"


def test_files_with_skips_files_with_syntax_errors() -> None:
    pkg = _pkg({"a.go": "package p\n\nvar m = map[string]int{}\n", "b.go": "package p\nfunc (\n// map[\n"})
    assert [f.path.name for f in pkg.files_with(b"map[")] == ["a.go"]
    assert [p.name for p in pkg.broken] == ["b.go"]


@pytest.mark.parametrize(
    ("source", "may"),
    [
        (b'package p\n\n// #include <stdlib.h>\nimport "C"\n', True),
        (b'package p\n\nimport (\n\t"fmt"\n\t"C"\n)\n', True),
        (b'package p\n\nimport /* cgo */ "C"\n', True),
        (b"package p\n\nimport `C`\n", True),
        (b'package p\n\n// import "C"\nfunc f() {}\n', False),
        (b'package p\n\nvar s = "import \\"C\\""\n', False),
        (b'package p\n\nimport "fmt"\n\nvar c = "C"\n', False),
        (b"package p\n\nfunc f() {}\n", False),
    ],
)
def test_may_import_c_reads_code_not_comments_or_strings(source: bytes, may: bool) -> None:
    assert may_import_c(source) is may
    if not may:
        assert not FileContext(Path("/p/a.go"), source).is_cgo


def test_may_import_c_misses_no_cgo_file_of_the_go_tree(go) -> None:  # noqa: ANN001
    cgo = 0
    for path in (p for p in (go.root / "src").rglob("*.go") if p.is_file()):
        content = path.read_bytes()
        if b'"C"' not in content and b"`C`" not in content:
            continue
        f = FileContext(path, content)
        if f.is_cgo:
            cgo += 1
            assert may_import_c(content), path
    assert cgo > 100
