"""codemod.imports.plan_imports on the shapes import blocks take, checked against real gofmt.

Every expected result below is what goimports would write by hand; each is also
checked to be gofmt-clean with the real gofmt, and a property test generates
gofmt-clean import blocks and checks that adding any standard-library path
keeps them gofmt-clean, imports the path exactly once and names it as planned.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest
from conftest import GoToolchain
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codemod.alignment import realign
from codemod.context import FileContext, PackageContext
from codemod.edits import apply_edits
from codemod.imports import ImportPlan, plan_imports

PREAMBLE = '// #include <stdlib.h>\nimport "C"\n'


def plan(
    source: str | bytes, paths: list[str], others: dict[str, str] | None = None, where: Path | None = None
) -> tuple[bytes, ImportPlan]:
    """Plan imports of paths into file a.go holding source; returns (new content, plan).
    The edits are completed with their realignment, as the runner completes every fix."""
    root = where or Path(tempfile.gettempdir())
    data = source.encode() if isinstance(source, str) else source
    f = FileContext(root / "a.go", data)
    files = [f] + [FileContext(root / name, text.encode()) for name, text in (others or {}).items()]
    pkg = PackageContext(root, f.package_name, files)
    result = plan_imports(f, pkg, paths)
    return apply_edits(data, realign(f, list(result.edits))), result


def gofmt_clean(go: GoToolchain, directory: Path, content: bytes, name: str = "check.go") -> bool:
    path = directory / name
    path.write_bytes(content)
    return go.gofmt_list(path) == []


def gofmt_source(go: GoToolchain, source: str) -> str:
    """source as gofmt prints it."""
    proc = subprocess.run([str(go.gofmt)], input=source, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


CASES: list[tuple[str, str, list[str], str]] = [
    (
        "sorted into the standard-library group",
        'package p\n\nimport (\n\t"fmt"\n\t"unsafe"\n)\n',
        ["runtime"],
        'package p\n\nimport (\n\t"fmt"\n\t"runtime"\n\t"unsafe"\n)\n',
    ),
    (
        "first of the group, above the comment that documents the old first spec",
        'package p\n\nimport (\n\t// fmt prints.\n\t"fmt"\n)\n',
        ["errors"],
        'package p\n\nimport (\n\t"errors"\n\t// fmt prints.\n\t"fmt"\n)\n',
    ),
    (
        "after a spec with a trailing comment, and before the next spec's comment",
        'package p\n\nimport (\n\t"fmt" // prints\n\t// unsafe is for C.\n\t"unsafe"\n)\n',
        ["runtime"],
        'package p\n\nimport (\n\t"fmt" // prints\n\t"runtime"\n\t// unsafe is for C.\n\t"unsafe"\n)\n',
    ),
    (
        "inside a block of aligned trailing comments: both halves realigned",
        'package p\n\nimport (\n\t"embed"       // a\n\t"fmt"         // b\n'
        '\t"sort/longer" // d\n\tu "unsafe"    // c\n)\n',
        ["runtime"],
        'package p\n\nimport (\n\t"embed" // a\n\t"fmt"   // b\n\t"runtime"\n'
        '\t"sort/longer" // d\n\tu "unsafe"    // c\n)\n',
    ),
    (
        "first of a group whose opening parenthesis has a comment: the comment stays there",
        'package p\n\nimport ( // imports\n\t"fmt"\n)\n',
        ["errors"],
        'package p\n\nimport ( // imports\n\t"errors"\n\t"fmt"\n)\n',
    ),
    (
        "last of the group",
        'package p\n\nimport (\n\t"errors"\n\t"fmt"\n)\n',
        ["runtime"],
        'package p\n\nimport (\n\t"errors"\n\t"fmt"\n\t"runtime"\n)\n',
    ),
    (
        "into the standard-library run, not the third-party one",
        'package p\n\nimport (\n\t"fmt"\n\n\t"example.com/m/x"\n\t"golang.org/y"\n)\n',
        ["runtime"],
        'package p\n\nimport (\n\t"fmt"\n\t"runtime"\n\n\t"example.com/m/x"\n\t"golang.org/y"\n)\n',
    ),
    (
        "a new standard-library run before a third-party-only group",
        'package p\n\nimport (\n\t// x is ours.\n\t"example.com/m/x"\n)\n',
        ["runtime"],
        'package p\n\nimport (\n\t"runtime"\n\n\t// x is ours.\n\t"example.com/m/x"\n)\n',
    ),
    (
        "a third-party path goes to the third-party run",
        'package p\n\nimport (\n\t"fmt"\n\n\t"example.com/m/z"\n)\n',
        ["example.com/m/x"],
        'package p\n\nimport (\n\t"fmt"\n\n\t"example.com/m/x"\n\t"example.com/m/z"\n)\n',
    ),
    (
        "a third-party path into a standard-library-only group starts a new run",
        'package p\n\nimport (\n\t"fmt"\n)\n',
        ["example.com/m/x", "runtime"],
        'package p\n\nimport (\n\t"fmt"\n\t"runtime"\n\n\t"example.com/m/x"\n)\n',
    ),
    (
        "aliases, dot and blank imports sort by path",
        'package p\n\nimport (\n\t_ "embed"\n\t. "fmt"\n\tu "unsafe"\n)\n',
        ["runtime", "errors"],
        'package p\n\nimport (\n\t_ "embed"\n\t"errors"\n\t. "fmt"\n\t"runtime"\n\tu "unsafe"\n)\n',
    ),
    (
        "several paths, some sharing an insertion point",
        'package p\n\nimport (\n\t"fmt"\n\t"unsafe"\n)\n',
        ["sync", "runtime", "errors"],
        'package p\n\nimport (\n\t"errors"\n\t"fmt"\n\t"runtime"\n\t"sync"\n\t"unsafe"\n)\n',
    ),
    (
        "a single import becomes a group",
        'package p\n\nimport "fmt"\n\nvar _ = fmt.Sprint\n',
        ["runtime"],
        'package p\n\nimport (\n\t"fmt"\n\t"runtime"\n)\n\nvar _ = fmt.Sprint\n',
    ),
    (
        "a single import with a comment after it is left alone",
        'package p\n\nimport "fmt" // printing\n',
        ["runtime"],
        'package p\n\nimport "fmt" // printing\n\nimport "runtime"\n',
    ),
    (
        "only import C: a separate import after it, never between the preamble and import C",
        "package p\n\n" + PREAMBLE + "\nfunc f() {}\n",
        ["runtime"],
        "package p\n\n" + PREAMBLE + '\nimport "runtime"\n\nfunc f() {}\n',
    ),
    (
        "import C then a group: into the group",
        "package p\n\n" + PREAMBLE + '\nimport (\n\t"unsafe"\n)\n',
        ["runtime"],
        "package p\n\n" + PREAMBLE + '\nimport (\n\t"runtime"\n\t"unsafe"\n)\n',
    ),
    (
        "no import at all",
        "package p\n\n// F is documented.\nfunc F() {}\n",
        ["runtime"],
        'package p\n\nimport "runtime"\n\n// F is documented.\nfunc F() {}\n',
    ),
    (
        "an empty group",
        "package p\n\nimport ()\n",
        ["runtime"],
        'package p\n\nimport (\n\t"runtime"\n)\n',
    ),
    (
        "already imported: nothing to do",
        'package p\n\nimport "runtime"\n\nvar _ = runtime.GC\n',
        ["runtime"],
        'package p\n\nimport "runtime"\n\nvar _ = runtime.GC\n',
    ),
    (
        "a local identifier named runtime: import under another name",
        'package p\n\nimport "time"\n\nfunc f(runtime time.Duration) {}\n',
        ["runtime"],
        'package p\n\nimport (\n\tgoruntime "runtime"\n\t"time"\n)\n\nfunc f(runtime time.Duration) {}\n',
    ),
    (
        "both runtime and goruntime taken",
        "package p\n\nvar runtime, goruntime int\n",
        ["runtime"],
        'package p\n\nimport goruntime2 "runtime"\n\nvar runtime, goruntime int\n',
    ),
]


@pytest.mark.parametrize(("source", "paths", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_plan_imports(source: str, paths: list[str], expected: str, tmp_path: Path, go: GoToolchain) -> None:
    result, _ = plan(source, paths, where=tmp_path)
    assert result.decode() == expected
    assert gofmt_clean(go, tmp_path, result)


def test_names_reported_for_existing_and_new_imports(tmp_path: Path) -> None:
    _, existing = plan('package p\n\nimport rt "runtime"\n', ["runtime"], where=tmp_path)
    assert existing.names == {"runtime": "rt"} and existing.edits == ()
    assert existing.qualify("runtime", "KeepAlive") == "rt.KeepAlive"
    _, dot = plan('package p\n\nimport . "runtime"\n', ["runtime"], where=tmp_path)
    assert dot.qualify("runtime", "KeepAlive") == "KeepAlive"
    _, blank = plan('package p\n\nimport _ "runtime"\n', ["runtime"], where=tmp_path)
    assert blank.names == {"runtime": "runtime"} and blank.edits, (
        "a blank import does not make runtime usable"
    )


def test_identifier_in_another_file_of_the_package_counts(tmp_path: Path) -> None:
    other = {"b.go": "package p\n\nfunc runtime() {}\n"}
    result, planned = plan("package p\n\nfunc f() {}\n", ["runtime"], other, where=tmp_path)
    assert planned.names == {"runtime": "goruntime"}
    assert b'import goruntime "runtime"' in result


def test_crlf_file_gets_crlf_lines(tmp_path: Path, go: GoToolchain) -> None:
    source = 'package p\r\n\r\nimport (\r\n\t"fmt"\r\n\t"unsafe"\r\n)\r\n\r\nimport "os"\r\n'
    result, _ = plan(source, ["runtime", "errors"], where=tmp_path)
    assert result.count(b"\n") == result.count(b"\r\n"), "every inserted line must end in CRLF"
    lf = result.replace(b"\r\n", b"\n")
    assert lf == b'package p\n\nimport (\n\t"errors"\n\t"fmt"\n\t"runtime"\n\t"unsafe"\n)\n\nimport "os"\n'
    assert gofmt_clean(go, tmp_path, lf)


def test_crlf_single_import_to_group(tmp_path: Path) -> None:
    result, _ = plan('package p\r\n\r\nimport "fmt"\r\n', ["runtime"], where=tmp_path)
    assert result == b'package p\r\n\r\nimport (\r\n\t"fmt"\r\n\t"runtime"\r\n)\r\n'


# -- generated import blocks --------------------------------------------------

STD = ["bytes", "embed", "errors", "fmt", "io", "os", "runtime", "sort", "strings", "sync", "time", "unsafe"]
THIRD = ["example.com/a", "example.com/b/c", "golang.org/x/y"]


@st.composite
def import_blocks(draw: st.DrawFn) -> tuple[str, str]:
    """(source of a file with an import group, a standard-library path it does not import)."""
    chosen = draw(st.lists(st.sampled_from(STD[:-1]), unique=True, min_size=1, max_size=8))
    target = draw(st.sampled_from([p for p in STD if p not in chosen]))
    third = draw(st.lists(st.sampled_from(THIRD), unique=True, max_size=2))
    runs: list[list[str]] = [[]]
    for path in sorted(chosen):
        if runs[-1] and draw(st.integers(0, 4)) == 0:
            runs.append([])  # a blank line splits the standard library into two runs
        name = draw(st.sampled_from(["", "", "", "_ ", ". ", "alias_ "]))
        spec = f'{name.replace("alias_", "x" + path[:2])}"{path}"'
        if draw(st.integers(0, 3)) > 0:
            spec += " // trailing"
        if draw(st.integers(0, 5)) == 0:
            spec = f"// about {path}\n\t{spec}"
        runs[-1].append(spec)
    if third:
        runs.append([f'"{p}"' for p in sorted(third)])
    body = "\n\n".join("\n".join(f"\t{s}" for s in run) for run in runs if run)
    cgo = draw(st.booleans())
    head = "package p\n\n" + (PREAMBLE + "\n" if cgo else "")
    return head + f"import (\n{body}\n)\n", target


def normalised(go: GoToolchain, block: tuple[str, str]) -> tuple[str, str]:
    """The generated block as gofmt lays it out (comment alignment, run sorting)."""
    return gofmt_source(go, block[0]), block[1]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(block=import_blocks())
def test_generated_blocks_stay_gofmt_clean(block: tuple[str, str], go: GoToolchain, tmp_path: Path) -> None:
    source, target = normalised(go, block)
    result, planned = plan(source, [target], where=tmp_path)
    assert gofmt_clean(go, tmp_path, result), f"not gofmt-clean after adding {target}:\n{result.decode()}"
    after = FileContext(tmp_path / "a.go", result)
    assert after.import_name(target) == planned.names[target] == target
    assert sum(1 for _, path, _ in after.import_specs if path == target) == 1
    if b'import "C"' in result:
        preamble_end = result.index(b'import "C"')
        assert f'"{target}"'.encode() not in result[:preamble_end], "inserted before import C"
