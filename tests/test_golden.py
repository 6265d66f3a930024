"""Golden cases: exact output, gofmt-clean, idempotent, and compiled and vetted by real Go."""

from __future__ import annotations

from pathlib import Path

import pytest

from golden import Case, load_cases, materialise, run_case, update, write_back

CASES = load_cases()


@pytest.fixture(scope="session")
def golden_module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("golden")
    (root / "go.mod").write_text("module example.com/golden\n\ngo 1.22\n")
    return root


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_golden_case(case: Case, golden_module: Path, request: pytest.FixtureRequest) -> None:
    pkg = materialise(case, golden_module)
    findings: list[str] = []
    result = run_case(case, pkg, findings)
    if case.name.startswith("neg_"):
        assert findings == [], f"{case.id}: a negative case has findings"
    if request.config.getoption("--update-golden"):
        update(case, result)
    expected = case.expected if case.expected is not None else case.inputs
    if not request.config.getoption("--update-golden"):
        assert result.keys() == expected.keys()
        for rel in expected:
            assert result[rel].decode() == expected[rel].decode(), f"{case.id}: {rel} differs"
    write_back(pkg, result)
    again = run_case(case, pkg)
    assert again == result, f"{case.id}: a second run changed the output (not idempotent)"


def test_golden_outputs_are_gofmt_clean_and_build(golden_module: Path, go) -> None:  # noqa: ANN001
    """Every expected output is gofmt-clean, compiles and passes go vet (one vet run for all)."""
    shared: list[Case] = []
    for case in CASES:
        pkg = materialise(case, golden_module)
        write_back(pkg, case.expected if case.expected is not None else case.inputs)
        if "nofmt" not in case.flags:
            gofiles = [p for p in pkg.rglob("*.go")]
            assert go.gofmt_list(*gofiles) == [], f"{case.id}: output is not gofmt-clean"
        if "nobuild" in case.flags:
            continue
        if case.has_own_module:
            go.run("vet", "./...", cwd=pkg)
        else:
            shared.append(case)
    skip = [c for c in CASES if "nobuild" in c.flags]
    for case in skip:
        p = materialise(case, golden_module)
        for f in p.rglob("*.go"):
            f.rename(f.with_suffix(".go.txt"))
    assert shared, "no golden case to compile"
    go.run("vet", "./...", cwd=golden_module)


def test_enough_golden_cases() -> None:
    counts: dict[str, int] = {}
    for case in CASES:
        counts[case.transform] = counts.get(case.transform, 0) + 1
    assert counts.get("keepalive", 0) >= 15, counts
    assert counts.get("deepcopy", 0) >= 15, counts
    assert counts.get("map-to-c", 0) >= 10, counts
    assert counts.get("wrap-inner-map", 0) >= 20, counts
    assert counts.get("safemap", 0) >= 15, counts
