"""The keepalive findings themselves: messages, safety, fixes offered, and the JSON a user sees.

The golden cases (golden/keepalive) show only source before and after; these
tests run the same inputs and check what the golden harness cannot see: which
calls are reported without a fix and why, which fixes are unsafe, and what
`gomapfix --format json` prints.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import gomapfix, write_module

from codemod.api import fix_paths
from codemod.model import Finding, RunReport, Safety
from golden import load_cases, materialise

CASES = {c.name: c for c in load_cases() if c.transform == "keepalive"}


@pytest.fixture(scope="module")
def module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One module holding every single-file golden input of keepalive as its own package."""
    root = tmp_path_factory.mktemp("keepalive")
    (root / "go.mod").write_text("module example.com/golden\n\ngo 1.22\n")
    return root


def findings(module: Path, name: str, unsafe: bool = False) -> tuple[list[Finding], RunReport]:
    pkg = materialise(CASES[name], module)
    report = fix_paths([pkg], select=["keepalive"], unsafe_fixes=unsafe)
    return report.findings, report


def only(found: list[Finding]) -> Finding:
    assert len(found) == 1, [f.message for f in found]
    return found[0]


@pytest.mark.parametrize(
    ("case", "line", "reason"),
    [
        ("loop_local", 28, "a deferred KeepAlive inside a loop would pile up one call per iteration"),
        ("if_init", 33, "w is declared or assigned by the statement that makes the call"),
        ("runtime_shadowed_locally", 26, "runtime is declared locally here, hiding the runtime package"),
    ],
)
def test_reported_without_a_fix_and_says_why(module: Path, case: str, line: int, reason: str) -> None:
    found, _ = findings(module, case)
    unfixed = [f for f in found if not f.fixes]
    f = only(unfixed)
    assert f.span.line == line
    assert f.message.startswith("w may be finalized while C.use runs: the call receives only w.c")
    assert "the package registers a finalizer for widget (runtime.SetFinalizer in " in f.message
    assert "that releases its field c" in f.message
    assert f.message.endswith(
        f"Add runtime.KeepAlive(w) on a path after the call (no automatic fix: {reason})"
    )


def test_value_receiver_names_the_finalized_pointer(module: Path) -> None:
    f = only(findings(module, "value_receiver")[0])
    assert f.fixes == ()
    assert f.message.startswith("the *widget that w was copied from may be finalized while C.use runs")
    assert "runtime.KeepAlive(w) would not help" in f.message


def test_safe_fix_with_finalizer_evidence(module: Path) -> None:
    found, report = findings(module, "statement")
    f = only(found)
    (fix,) = f.fixes
    assert fix.safety is Safety.SAFE and fix.message == "insert runtime.KeepAlive(w) after the call"
    assert report.fix_applied(f, fix)
    assert f.message == (
        "w may be finalized while C.use runs: the call receives only w.c, which does not keep it alive; "
        "the package registers a finalizer for widget (runtime.SetFinalizer in statement.go) "
        "that releases its field c"
    )


def test_cleanup_counts_as_evidence(module: Path) -> None:
    found, _ = findings(module, "addcleanup")
    f = only(found)
    assert "(runtime.AddCleanup in cleanup.go)" in f.message
    assert f.fixes[0].safety is Safety.SAFE


@pytest.mark.parametrize("unsafe", [False, True])
def test_no_finalizer_no_finding(module: Path, unsafe: bool) -> None:
    """Nothing in the module finalizes conn: collecting one frees nothing, so no C call races."""
    found, _ = findings(module, "neg_no_finalizer_released_by_close", unsafe)
    assert found == []


def test_deferred_fixes_share_one_edit(module: Path) -> None:
    found, _ = findings(module, "two_owners")
    assert [(f.span.line, f.message.split(" ", 1)[0]) for f in found] == [
        (24, "dst"),
        (24, "src"),
        (28, "a"),
        (28, "b"),
    ]
    assert found[0].fixes[0].edits == found[1].fixes[0].edits, "one insertion for both owners"
    assert found[2].fixes[0].message == "defer runtime.KeepAlive(a) at the top of the function"


@pytest.mark.parametrize(
    "case",
    [
        "neg_c_values",
        "neg_go_scalar_field",
        "neg_c_struct_field",
        "neg_in_finalizer",
        "neg_global",
        "kept_by_use",
        "fixed_after",
        "fixed_defer",
    ],
)
def test_nothing_to_report(module: Path, case: str) -> None:
    found, _ = findings(module, case)
    assert found == []


def test_unknown_owner_type_is_no_finding(tmp_path: Path) -> None:
    """An owner whose type cannot be told may or may not be finalized: no finding (precision)."""
    src = CASES["statement"].inputs["statement.go"].decode()
    src += "\nfunc each(next func() *widget) {\n\tw := next()\n\tC.use(w.c)\n}\n"
    write_module(tmp_path, {"p/w.go": src})
    found = fix_paths([tmp_path / "p"], select=["keepalive"]).findings
    assert [f.span.line for f in found] == [23]


def test_messages_stay_truthful(module: Path) -> None:
    """No finding may repeat the false incident claims (see REMEDIATION.md)."""
    for name, case in CASES.items():
        if case.has_own_module or len(case.inputs) > 1:
            continue
        for f in findings(module, name)[0]:
            for claim in ("invalid map state", "67892", "1.22.3", "1.22.4"):
                assert claim not in f.message


def test_json_output(tmp_path: Path) -> None:
    src = CASES["loop_local"].inputs["loop_local.go"] + b"\nfunc (w *widget) use() {\n\tC.use(w.c)\n}\n"
    write_module(tmp_path, {"p/w.go": src})
    proc = gomapfix("--select", "keepalive", "--format", "json", ".", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["files"]["scanned"] == 1
    unfixed, fixed = doc["findings"]
    assert unfixed["rule"] == "keepalive" and unfixed["path"] == "p/w.go"
    assert (unfixed["line"], unfixed["column"], unfixed["end_line"], unfixed["end_column"]) == (28, 6, 28, 16)
    assert unfixed["severity"] == "warning" and unfixed["fixes"] == []
    assert "would pile up one call per iteration" in unfixed["message"]
    assert fixed["fixes"] == [
        {"message": "insert runtime.KeepAlive(w) after the call", "safety": "safe", "applied": True}
    ]


def test_finalizer_evidence_names_the_released_field(module: Path) -> None:
    found, _ = findings(module, "finalizer_helpers")
    f = only(found)
    assert "C.use runs: the call receives only k.c" in f.message, "k.table is not released by the finalizer"
    assert f.message.endswith(
        "the package registers a finalizer for codec (runtime.SetFinalizer in finalizer_helpers.go, "
        "running (*codec).finalize) that releases its field c"
    )
    assert f.fixes[0].safety is Safety.SAFE


OPAQUE = """package p

// #include <stdlib.h>
// static int use(char *p) { return p != 0; }
import "C"

import "runtime"

type widget struct{ c *C.char }

var release = func(w *widget) { C.free(nil) }

func newWidget() *widget {
	w := &widget{c: (*C.char)(C.malloc(8))}
	runtime.SetFinalizer(w, release)
	return w
}

type plain struct{ c *C.char }

func (w *widget) use() { C.use(w.c) }

func (p *plain) use() { C.use(p.c) }
"""


def test_unfollowable_finalizer_is_a_suggestion_and_plain_types_are_silent(tmp_path: Path) -> None:
    write_module(tmp_path, {"p/w.go": OPAQUE})
    (widget,) = fix_paths([tmp_path / "p"], select=["keepalive"]).findings
    assert widget.message.endswith(
        "the package registers a finalizer for widget (runtime.SetFinalizer in w.go, running release) "
        "that gomapfix cannot follow, so this is a suggestion"
    )
    assert [x.safety for x in widget.fixes] == [Safety.UNSAFE]


@pytest.mark.parametrize(
    "loop",
    [
        "\tfor {\n\t\tn = int(C.step(s.buf))\n\t\tbreak\n\t}\n",  # never iterates again
        "\tfor i := 0; i < 3; i++ {\n\t\tn = int(C.step(s.buf))\n\t\treturn n\n\t}\n",  # returns first
        "\tfor i := 0; i < 3; i++ {\n\t\tn = int(C.step(s.buf))\n\t\ts = newStream()\n\t}\n",  # s reassigned
    ],
)
def test_a_loop_that_cannot_reach_the_next_read_does_not_keep_the_owner(tmp_path: Path, loop: str) -> None:
    source = 'package p\n\n// static int step(char *p) { return p != 0; }\nimport "C"\n\n'
    source += 'import "runtime"\n\ntype stream struct {\n\tbuf *C.char\n}\n\n'
    source += "func newStream() *stream {\n\ts := &stream{}\n"
    source += "\truntime.SetFinalizer(s, func(s *stream) { s.buf = nil })\n\treturn s\n}\n\n"
    source += "func pump(s *stream) int {\n\tvar n int\n" + loop + "\treturn n\n}\n"
    report = fix_paths([write_module(tmp_path / "m", {"p.go": source})], select=["keepalive"])
    assert [f.rule for f in report.findings] == ["keepalive"]


@pytest.mark.parametrize(
    ("release", "arg"),
    [
        ("C.attr_clear(a.native)", "a.native.key"),  # a library free: may free key too
        ("C.free(unsafe.Pointer(a.native))", "a.native"),  # the call gets the freed block itself
        ("C.free(unsafe.Pointer(a.native.key))\n\t\tC.free(unsafe.Pointer(a.native))", "a.native.key"),
    ],
)
def test_a_pointer_loaded_from_a_freed_block_is_safe_only_when_nothing_frees_what_it_points_to(
    tmp_path: Path, release: str, arg: str
) -> None:
    source = "package p\n\n// #include <stdlib.h>\n// typedef struct { char *key; } attr;\n"
    source += "// static void attr_clear(attr *a) { free(a->key); free(a); }\n"
    source += '// static int use(void *p) { return p != 0; }\nimport "C"\n\n'
    source += 'import (\n\t"runtime"\n\t"unsafe"\n)\n\ntype Attribute struct {\n\tnative *C.attr\n}\n\n'
    source += "func wrap(p unsafe.Pointer) *Attribute {\n\ta := &Attribute{native: (*C.attr)(p)}\n"
    source += "\truntime.SetFinalizer(a, func(a *Attribute) {\n\t\t" + release + "\n\t})\n\treturn a\n}\n\n"
    source += "func (a *Attribute) Use() int {\n\treturn int(C.use(unsafe.Pointer(" + arg + ")))\n}\n"
    report = fix_paths([write_module(tmp_path / "m", {"p.go": source})], select=["keepalive"])
    assert [f.rule for f in report.findings] == ["keepalive"]
