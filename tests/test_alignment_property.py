"""Property: a gofmt-clean file stays gofmt-clean after every rule's fixes.

The inputs are generated: each golden input with trailing comments added, so that the
lines the rules rewrite sit in runs of aligned comments (every code line commented, and
runs of three commented lines between runs of three plain ones), then laid out by
gofmt; and the files of the Go tree that the rules change, commented the same way, in
their packages. Every rule runs with unsafe fixes; every file written must pass
`gofmt -l`. The Go tree's files as they are (not commented) are checked by the
standard-library sweep (test_stdlib_sweep.py).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import GoToolchain, write_module
from tree_sitter import Node

from codemod import registry, syntax
from codemod.api import fix_paths
from golden import Case, load_cases

VARIANTS = ("every", "runs")
CASES = [c for c in load_cases() if not {"nofmt", "nobuild"} & c.flags]
# Packages of the Go tree that the rules change, and the file they change there
# (test_stdlib_sweep.py finds them; the test below fails if a rule stops changing one).
GO_TREE = {"encoding/gob": "decode.go", "cmd/go/internal/modfetch": "fetch.go"}


def commented(data: bytes, variant: str) -> bytes:
    """data with a trailing comment on its code lines: all of them ("every"), or three
    lines out of six ("runs"). A line that ends in a comment, or inside a raw string or a
    comment, is left as it is."""
    tree = syntax.parse(data)
    lines = data.split(b"\n")
    out = []
    offset = 0
    for i, line in enumerate(lines):
        code = line.rstrip(b" \t\r")
        take = variant == "every" or (i // 3) % 2 == 0
        if take and code.strip() and _ends_in_code(tree.root_node, offset + len(code)):
            line = code + b" // c" + str(i).encode() + line[len(code) :]
        out.append(line)
        offset += len(lines[i]) + 1
    return b"\n".join(out)


def _ends_in_code(root: Node, end: int) -> bool:
    node = root.descendant_for_byte_range(end - 1, end)
    while node is not None:
        if node.type in ("comment", "raw_string_literal", "interpreted_string_literal"):
            return node.type == "interpreted_string_literal" and node.end_byte == end
        node = node.parent
    return True


def _gofmt(go: GoToolchain, data: bytes) -> bytes | None:
    proc = subprocess.run([str(go.gofmt)], input=data, capture_output=True, timeout=60)
    return proc.stdout if proc.returncode == 0 else None


def _fix_all(directory: Path, options: dict | None = None) -> dict[Path, bytes]:
    """Every rule's fixes, unsafe ones included (with the golden case's transform options):
    the new content of each file written."""
    settings = options or {}
    report = fix_paths([directory], select=registry.names(), unsafe_fixes=True, transform_options=settings)
    return {o.path: o.result for o in report.files.values() if o.changed and o.result is not None}


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_commented_golden_input_stays_gofmt_clean(
    case: Case, variant: str, go: GoToolchain, tmp_path: Path
) -> None:
    root = write_module(tmp_path, {})
    pkg = root / "p"
    for rel, data in case.inputs.items():
        if rel.endswith(".go"):
            data = _gofmt(go, commented(data, variant)) or data
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        (pkg / rel).write_bytes(data)
    if (pkg / "go.mod").exists():
        (root / "go.mod").unlink()
    written = _fix_all(pkg, case.options)
    if not written:
        if case.expected is not None:
            pytest.skip("no rule fixes this variant (the comments block the golden's fix)")
        return
    for path, data in written.items():
        path.write_bytes(data)
    assert go.gofmt_list(*written) == [], {str(p): d.decode() for p, d in written.items()}


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("directory", sorted(GO_TREE))
def test_commented_go_tree_files_stay_gofmt_clean(
    directory: str, variant: str, go: GoToolchain, tmp_path: Path
) -> None:
    src = go.root / "src" / directory
    pkg = write_module(tmp_path, {}) / "p"
    pkg.mkdir()
    for f in src.glob("*.go"):
        shutil.copy(f, pkg / f.name)
    changed = pkg / GO_TREE[directory]
    changed.write_bytes(_gofmt(go, commented(changed.read_bytes(), variant)) or b"")
    assert go.gofmt_list(changed) == []
    written = _fix_all(pkg)
    assert changed in written, f"no rule changes {directory}/{changed.name} any more: pick another file"
    for path, data in written.items():
        path.write_bytes(data)
    assert go.gofmt_list(*written) == []


def test_commented_keeps_code_and_comments_apart() -> None:
    src = b'package p\n\nvar s = `a\nb` + "c"\n\n// doc\nfunc f() {} // own\n'
    assert commented(src, "every") == (
        b'package p // c0\n\nvar s = `a\nb` + "c" // c3\n\n// doc\nfunc f() {} // own\n'
    )
