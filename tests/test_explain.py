"""`gomapfix explain RULE` and the rule catalogue behind it (and behind SARIF's rule help)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO, gomapfix, write_module

from codemod import registry, ruledoc
from transforms.safemap.shim_go import safemap_files

DOCS = registry.docs()
RULES = list(DOCS)
FALSE_CLAIMS = ("1.22.3", "1.22.4", "67892", "invalid map state")


def test_every_registered_transform_is_documented() -> None:
    assert {"keepalive", "wrap-inner-map", "deepcopy", "map-to-c", "safemap", "unused-ignore"} <= set(RULES)
    assert [t.doc for t in registry.transforms()] == list(registry.rule_docs())
    assert [t.name for t in registry.transforms()] == [d.name for d in registry.rule_docs()]


@pytest.mark.parametrize("name", RULES)
def test_explain_prints_every_section(tmp_path: Path, name: str) -> None:
    proc = gomapfix("explain", name, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout.decode()
    assert text.startswith(f"{name}: {DOCS[name].summary}\n")
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
        b"unknown rule 'keepalve' (did you mean 'keepalive'?) (known: keepalive,"
        in gomapfix("explain", "keepalve", cwd=tmp_path).stderr
    )


def test_docs_never_repeat_the_false_incident_claims() -> None:
    sources = [Path(ruledoc.__file__), *(REPO / "transforms").glob("*/doc.py"), REPO / "README.md"]
    sources += (REPO / "docs").rglob("*.md")
    for source in sources:
        text = source.read_text()
        assert all(claim not in text for claim in FALSE_CLAIMS), source
    for doc in DOCS.values():
        assert all(claim not in ruledoc.markdown(doc) + ruledoc.page(doc) for claim in FALSE_CLAIMS)


def test_list_transforms_shows_safety_and_summary(tmp_path: Path) -> None:
    lines = gomapfix("--list-transforms", cwd=tmp_path).stdout.decode().splitlines()
    assert [line.split()[0] for line in lines] == list(registry.names())
    for line, doc in zip(lines, registry.rule_docs(), strict=True):
        assert line.split()[1] == doc.fixes and line.endswith(doc.summary)


def test_docs_pages_are_generated_from_the_rules() -> None:
    """docs/rules/NAME.md is what `python -m codemod.docs` writes from the rule's doc.py."""
    for doc in registry.rule_docs():
        page = REPO / "docs" / "rules" / f"{doc.name}.md"
        assert page.read_text() == ruledoc.page(doc), f"run `python -m codemod.docs` ({page.name})"


def example_file(doc: ruledoc.RuleDoc, variant: str, code: str) -> str:
    """The example of doc as a Go file of package variant, with what its setup declares."""
    setup = doc.setup
    body = setup.declarations + "\n" + code if setup.declarations else code
    needed = {path for needle, path in IMPORTS.items() if needle in body}
    imports = sorted(needed | set(setup.imports))
    preamble = setup.preamble_after if variant == "after" and setup.preamble_after else setup.preamble
    out = f"package {variant}\n\n"
    if preamble:
        out += f'/*\n{preamble}\n*/\nimport "C"\n\n'
    if imports:
        out += "import (\n" + "".join(f'\t"{p}"\n' for p in imports) + ")\n\n"
    return out + body


IMPORTS = {
    "runtime.": "runtime",
    "sync.": "sync",
    "maps.": "maps",
    "unsafe.": "unsafe",
    "cgo.": "runtime/cgo",
}


def test_examples_are_gofmt_clean_and_compile(tmp_path: Path, go) -> None:  # noqa: ANN001
    files: dict[str, str | bytes] = {}
    packages = []
    unused = DOCS["unused-ignore"]  # statements, not declarations
    for i, block in enumerate((unused.before, unused.after)):
        stmt = ruledoc.go_source(block)
        files[f"stmts/s{i}.go"] = f"package stmts\n\nfunc _() {{\n\t{stmt}}}\n"
    for doc in registry.rule_docs():
        for variant, block in (("before", doc.before), ("after", doc.after)):
            if not block:
                continue
            directory = f"ex/{doc.name.replace('-', '')}/{variant}"
            files[f"{directory}/example.go"] = example_file(doc, variant, ruledoc.go_source(block))
            packages.append(f"./{directory}")
            if doc.name == "safemap" and variant == "after":
                files.update({f"{directory}/{n}": c for n, c in safemap_files(variant, (1, 22)).items()})
    root = write_module(tmp_path, files)
    assert go.gofmt_list(root) == []
    go.run("build", *packages, cwd=root)
    go.run("vet", *[p for p in packages if p.endswith("/after")], cwd=root)


def test_documented_severity_is_the_reported_one(tmp_path: Path) -> None:
    """SARIF's defaultConfiguration.level comes from the docs: it must match what the
    transforms report on the incident example (every rule reports there)."""
    every = ",".join(registry.names())
    proc = gomapfix(
        "--no-cache", "--format", "json", "--select", every, str(REPO / "examples" / "incident"), cwd=tmp_path
    )
    reported = {(f["rule"], f["severity"]) for f in json.loads(proc.stdout)["findings"]}
    assert {rule for rule, _ in reported} == set(registry.names())
    for rule, severity in reported:
        assert DOCS[rule].severity == severity, rule


MARK = "// The example:\n"


@pytest.mark.parametrize("name", [d.name for d in registry.rule_docs() if d.fixes != "none"])
def test_examples_are_what_gomapfix_does(tmp_path: Path, name: str) -> None:
    doc = DOCS[name]
    source = example_file(doc, "p", MARK + ruledoc.go_source(doc.before))
    root = write_module(tmp_path, {"example.go": source})
    proc = gomapfix("--no-cache", "--write", "--select", name, cwd=root)
    assert proc.returncode == 0, proc.stderr
    result = (root / "example.go").read_text()
    assert result.split(MARK, 1)[1] == ruledoc.go_source(doc.after), "update the explain example"
