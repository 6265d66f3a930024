"""The layout shows the architecture (docs/architecture.md): it is checked, not hoped for.

- the engine (codemod/) reaches the rules only through codemod/registry.py;
- no module imports another that imports it back, at any level (functions included);
- each rule is a package of transforms/, and the root holds only the registry;
- no module of the engine, the semantic layer or the rules is over 600 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

PACKAGES = ("codemod", "gofacts", "transforms")
MAX_LINES = 600


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in (REPO / pkg).rglob("*.py"):
            parts = path.relative_to(REPO).with_suffix("").parts
            out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules path imports, anywhere in it (inside functions and TYPE_CHECKING too)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                out.add(full if full in modules else node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return {m for m in out if m in modules}


def test_only_the_registry_imports_the_rules() -> None:
    modules = _modules()
    offenders = [
        name
        for name, path in modules.items()
        if name.startswith("codemod")
        and name != "codemod.registry"
        and any(m.split(".")[0] == "transforms" for m in _imports(path, modules))
    ]
    assert offenders == []


def test_no_import_cycles() -> None:
    modules = _modules()
    graph = {name: _imports(path, modules) for name, path in modules.items()}
    cycles = []
    for start in graph:
        stack = [(start, [start])]
        seen = set()
        while stack:
            node, trail = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    cycles.append(trail)
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*trail, nxt]))
    assert cycles == []


def test_one_package_per_rule() -> None:
    import transforms

    root = sorted(p.name for p in (REPO / "transforms").glob("*.py"))
    assert root == ["__init__.py"]
    for package in transforms.PACKAGES:
        assert (REPO / "transforms" / package / "doc.py").is_file()
        assert (REPO / "transforms" / package / "rule.py").is_file()


def test_no_module_is_over_600_lines() -> None:
    long = {
        str(path.relative_to(REPO)): n
        for path in _modules().values()
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}
