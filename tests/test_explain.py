"""`gomapfix explain RULE` and the rule catalogue behind it (and behind SARIF's rule help)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO, gomapfix, write_module

import transforms
from codemod import catalogue
from transforms.safemap.shim_go import safemap_files

RULES = [r.name for r in catalogue.RULES]
FALSE_CLAIMS = ("1.22.3", "1.22.4", "67892", "invalid map state")


def test_every_registered_transform_is_catalogued() -> None:
    assert {"keepalive", "wrap-inner-map", "deepcopy", "map-to-c", "safemap", "unused-ignore"} <= set(RULES)
    missing = [t.name for t in transforms.ALL if catalogue.rule(t.name) is None]
    assert missing == [], "add an entry to codemod/catalogue.py for every registered transform"


@pytest.mark.parametrize("name", RULES)
def test_explain_prints_every_section(tmp_path: Path, name: str) -> None:
    proc = gomapfix("explain", name, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout.decode()
    assert text.startswith(f"{name}: {catalogue.rule(name).summary}\n")
    for section in ("What it finds", "Why it matters", "The fix", "Before", "After"):
        assert f"\n{section}\n" in text, section
    assert all(claim not in text for claim in FALSE_CLAIMS)
    assert max(len(line) for line in text.splitlines()) <= 110


def test_explain_errors_are_one_line_with_status_2(tmp_path: Path) -> None:
    for args in (["explain", "keepalve"], ["explain"], ["explain", "a", "b"]):
        proc = gomapfix(*args, cwd=tmp_path)
        assert proc.returncode == 2, args
        assert proc.stderr.count(b"\n") == 1 and proc.stderr.startswith(b"gomapfix: "), proc.stderr
    assert (
        b"unknown rule 'keepalve' (known: keepalive," in gomapfix("explain", "keepalve", cwd=tmp_path).stderr
    )


def test_catalogue_never_repeats_the_false_incident_claims() -> None:
    source = Path(catalogue.__file__).read_text()
    for claim in FALSE_CLAIMS:
        assert claim not in source
    for name in RULES:
        assert all(claim not in catalogue.markdown(name) for claim in FALSE_CLAIMS)


def test_list_transforms_shows_safety_and_summary(tmp_path: Path) -> None:
    lines = gomapfix("--list-transforms", cwd=tmp_path).stdout.decode().splitlines()
    assert [line.split()[0] for line in lines] == [t.name for t in transforms.ALL]
    for line, t in zip(lines, transforms.ALL, strict=True):
        assert line.split()[1] == t.default_safety and line.endswith(t.summary)


# What each example needs around it to compile: a cgo preamble, imports, declarations.
PREAMBLES = {
    (
        "keepalive",
        "before",
    ): "typedef struct { int n; } widget_state;\nstatic void widget_touch(widget_state *s) { s->n++; }",
    ("map-to-c", "before"): "static void publish(void *p) { (void)p; }",
    ("map-to-c", "after"): "#include <stdint.h>\nstatic void publish(uintptr_t h) { (void)h; }",
}
PREAMBLES[("keepalive", "after")] = PREAMBLES[("keepalive", "before")]
DECLARATIONS = {
    "keepalive": "type Widget struct{ c *C.widget_state }\n",
    "wrap-inner-map": "type User struct{ Name string }\n",
    "deepcopy": "type User struct{ Name string }\n\ntype Cache struct {\n\tmu       sync.RWMutex\n"
    "\tbyRegion map[string]map[string]*User\n}\n",
}
IMPORTS = {
    "runtime.": "runtime",
    "sync.": "sync",
    "maps.": "maps",
    "unsafe.": "unsafe",
    "cgo.": "runtime/cgo",
}


def example_file(name: str, variant: str, code: str) -> str:
    body = DECLARATIONS[name] + "\n" + code if name in DECLARATIONS else code
    imports = sorted({path for needle, path in IMPORTS.items() if needle in body})
    out = f"package {variant}\n\n"
    if (name, variant) in PREAMBLES:
        out += f'/*\n{PREAMBLES[name, variant]}\n*/\nimport "C"\n\n'
    if imports:
        out += "import (\n" + "".join(f'\t"{p}"\n' for p in imports) + ")\n\n"
    return out + body


def test_examples_are_gofmt_clean_and_compile(tmp_path: Path, go) -> None:  # noqa: ANN001
    files: dict[str, str | bytes] = {}
    packages = []
    for r in catalogue.RULES:
        if r.name == catalogue.UNUSED_IGNORE:  # statements, not declarations
            for i, block in enumerate((r.before, r.after)):
                stmt = catalogue.go_source(block)
                files[f"stmts/s{i}.go"] = f"package stmts\n\nfunc _() {{\n\t{stmt}}}\n"
            continue
        for variant, block in (("before", r.before), ("after", r.after)):
            directory = f"ex/{r.name.replace('-', '')}/{variant}"
            files[f"{directory}/example.go"] = example_file(r.name, variant, catalogue.go_source(block))
            packages.append(f"./{directory}")
            if r.name == "safemap" and variant == "after":
                files.update({f"{directory}/{n}": c for n, c in safemap_files(variant, (1, 22)).items()})
    root = write_module(tmp_path, files)
    assert go.gofmt_list(root) == []
    go.run("build", *packages, cwd=root)
    go.run("vet", *[p for p in packages if p.endswith("/after")], cwd=root)


def test_catalogued_severity_is_the_reported_one(tmp_path: Path) -> None:
    """SARIF's defaultConfiguration.level comes from the catalogue: it must match what
    the transforms report on the incident example (every rule reports there)."""
    proc = gomapfix("--no-cache", "--format", "json", str(REPO / "examples" / "incident"), cwd=tmp_path)
    reported = {(f["rule"], f["severity"]) for f in json.loads(proc.stdout)["findings"]}
    assert {rule for rule, _ in reported} == {t.name for t in transforms.ALL}
    for rule, severity in reported:
        assert catalogue.rule(rule).severity == severity, rule


# deepcopy reports only maps that the package also writes under the lock.
WRITER = """
func (c *Cache) Add(region, id string, u *User) {
\tc.mu.Lock()
\tdefer c.mu.Unlock()
\tif c.byRegion[region] == nil {
\t\tc.byRegion[region] = map[string]*User{}
\t}
\tc.byRegion[region][id] = u
}
"""

# Around each fixing rule's "before": what makes gomapfix apply exactly its "after".
# keepalive needs the finalizer that makes its fix safe.
CONTEXT = {
    "keepalive": (
        "#include <stdlib.h>\ntypedef struct { int n; } widget_state;\n"
        "static void widget_touch(widget_state *s) { s->n++; }",
        ("runtime", "unsafe"),
        "type Widget struct{ c *C.widget_state }\n\nfunc NewWidget() *Widget {\n"
        "\tw := &Widget{c: (*C.widget_state)(C.malloc(C.sizeof_widget_state))}\n"
        "\truntime.SetFinalizer(w, func(w *Widget) { C.free(unsafe.Pointer(w.c)) })\n\treturn w\n}\n",
    ),
    "wrap-inner-map": (None, (), DECLARATIONS["wrap-inner-map"]),
    "deepcopy": (None, ("sync",), DECLARATIONS["deepcopy"] + WRITER),
    "safemap": (None, ("sync",), ""),
}
MARK = "// The example:\n"


@pytest.mark.parametrize("name", sorted(CONTEXT))
def test_examples_are_what_gomapfix_does(tmp_path: Path, name: str) -> None:
    preamble, imports, declarations = CONTEXT[name]
    rule = catalogue.rule(name)
    head = "package p\n\n"
    if preamble:
        head += f'/*\n{preamble}\n*/\nimport "C"\n\n'
    if imports:
        head += "import (\n" + "".join(f'\t"{i}"\n' for i in imports) + ")\n\n"
    source = head + declarations + ("\n" if declarations else "") + MARK + catalogue.go_source(rule.before)
    root = write_module(tmp_path, {"example.go": source})
    proc = gomapfix("--no-cache", "--write", "--select", name, cwd=root)
    assert proc.returncode == 0, proc.stderr
    result = (root / "example.go").read_text()
    assert result.split(MARK, 1)[1] == catalogue.go_source(rule.after), "update the explain example"
