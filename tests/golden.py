"""The golden-file harness, shaped after gopatch's testdata and x/tools' analysistest.

A case is either a file pair in golden/<transform>/:

    <case>.in.go     the input, compiled as package directory <case>/ of one module
    <case>.out.go    the expected output; absent means "must not change"

A case named neg_* must also give no finding at all (not even one without a fix, which
would leave the file unchanged).

or a directory golden/<transform>/<case>/ holding in/ (a whole package, with an
optional go.mod of its own) and out/ (the expected package; absent: unchanged).

A line `// gomapfix-golden: FLAGS` in an input sets options for the case:
`--unsafe-fixes`, `--select=a,b` (default: the transform named by the folder),
`--option=RULE.NAME=VALUE` (a transform option, as in `[transforms.RULE]`),
`nobuild` (the output is not compiled: syntax-error inputs), `nofmt` (input
and output are deliberately not gofmt-clean, e.g. CRLF).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from codemod.api import fix_paths

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
_DIRECTIVE = re.compile(rb"^// gomapfix-golden: (.*)$", re.M)


@dataclass
class Case:
    """One golden case: where its input and expected output live and how to run it."""

    transform: str
    name: str
    inputs: dict[str, bytes]
    expected: dict[str, bytes] | None
    flags: set[str] = field(default_factory=set)
    source: Path = GOLDEN

    @property
    def id(self) -> str:
        return f"{self.transform}/{self.name}"

    @property
    def select(self) -> list[str]:
        for flag in self.flags:
            if flag.startswith("--select="):
                return flag.split("=", 1)[1].split(",")
        return [self.transform]

    @property
    def options(self) -> dict[str, dict[str, object]]:
        """The transform options of `--option=RULE.NAME=VALUE` flags (true/false are booleans)."""
        out: dict[str, dict[str, object]] = {}
        for flag in self.flags:
            if flag.startswith("--option="):
                key, _, value = flag.split("=", 1)[1].partition("=")
                rule, _, name = key.partition(".")
                out.setdefault(rule, {})[name] = {"true": True, "false": False}.get(value, value)
        return out

    @property
    def has_own_module(self) -> bool:
        return "go.mod" in self.inputs


def load_cases(root: Path = GOLDEN) -> list[Case]:
    cases: list[Case] = []
    for tdir in sorted(p for p in root.iterdir() if p.is_dir()):
        for entry in sorted(tdir.iterdir()):
            if entry.is_file() and entry.name.endswith(".in.go"):
                name = entry.name[: -len(".in.go")]
                out = tdir / f"{name}.out.go"
                inputs = {f"{name}.go": entry.read_bytes()}
                expected = {f"{name}.go": out.read_bytes()} if out.exists() else None
                cases.append(Case(tdir.name, name, inputs, expected, _flags(inputs), entry))
            elif entry.is_dir() and (entry / "in").is_dir():
                inputs = _read_tree(entry / "in")
                expected = _read_tree(entry / "out") if (entry / "out").is_dir() else None
                cases.append(Case(tdir.name, entry.name, inputs, expected, _flags(inputs), entry))
    return cases


def _read_tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _flags(inputs: dict[str, bytes]) -> set[str]:
    flags: set[str] = set()
    for data in inputs.values():
        for m in _DIRECTIVE.finditer(data):
            flags.update(m.group(1).decode().split())
    return flags


def materialise(case: Case, module: Path) -> Path:
    """Write the case's input as a package directory under module; returns the directory."""
    pkg = module / case.transform.replace("-", "_") / case.name.replace("-", "_")
    if pkg.exists():
        shutil.rmtree(pkg)
    for rel, data in case.inputs.items():
        p = pkg / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    return pkg


def run_case(case: Case, pkg: Path, findings: list[str] | None = None) -> dict[str, bytes]:
    """Run gomapfix on the package directory; returns the resulting files (relative paths).
    findings, when given, receives one line per finding of the run (rule, line, message)."""
    report = fix_paths(
        [pkg], select=case.select, unsafe_fixes="--unsafe-fixes" in case.flags, transform_options=case.options
    )
    if findings is not None:
        findings += [f"{f.rule} {f.path.name}:{f.span.line}: {f.message}" for f in report.findings]
    result = {str(p.relative_to(pkg)): p.read_bytes() for p in sorted(pkg.rglob("*")) if p.is_file()}
    for outcome in report.files.values():
        if outcome.result is not None and outcome.changed:
            result[str(outcome.path.relative_to(pkg))] = outcome.result
    return result


def write_back(pkg: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        p = pkg / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)


def update(case: Case, result: dict[str, bytes]) -> None:
    """Store result as the case's expected output (the --update-golden path)."""
    unchanged = result == case.inputs
    if case.source.is_file():
        name = case.source.name[: -len(".in.go")]
        out = case.source.parent / f"{name}.out.go"
        if unchanged:
            out.unlink(missing_ok=True)
        else:
            (data,) = result.values() if len(result) == 1 else (result[f"{name}.go"],)
            out.write_bytes(data)
        return
    out_dir = case.source / "out"
    if out_dir.exists():
        shutil.rmtree(out_dir)
    if not unchanged:
        write_back(out_dir, result)
