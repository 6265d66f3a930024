"""Programmatic entry points: used by the CLI, the tests and tools built on gomapfix."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from codemod import registry
from codemod.discovery import Discovery, discover
from codemod.model import FileOutcome, RunReport
from codemod.runner import Options, run


def collect(
    found: Discovery,
    options: Options,
    jobs: int = 0,
    on_result: Callable[[int], None] | None = None,
    cache_dir: Path | None = None,
) -> tuple[RunReport, list[str]]:
    """Run over discovered files; returns the merged report and internal-error lines.

    cache_dir enables the content-hash result cache (codemod.cache); None disables it.
    on_result(n) is called when n more directories are done (as they finish, in any order).
    """
    report = RunReport()
    errors: list[str] = []
    for path, reason in found.skipped:
        report.files[path] = FileOutcome(path, None, None, skipped=reason)
    for result in run(found.files, options, jobs, cache_dir, on_done=on_result, view=found.view):
        report.extend(result.report)
        errors.extend(result.errors)
    report.findings.sort(key=lambda f: (str(f.path), f.start, f.end, f.rule))
    report.remaining.sort(key=lambda f: (str(f.path), f.start, f.end, f.rule))
    return report, errors


def fix_paths(
    paths: Sequence[Path],
    select: Sequence[str] | None = None,
    unsafe_fixes: bool = False,
    include_generated: bool = False,
    jobs: int = 1,
    report_unused_ignores: bool = False,
    transform_options: Mapping[str, Mapping[str, Any]] | None = None,
) -> RunReport:
    """Run gomapfix over paths without writing anything; the report holds every new content.

    No .gomapfix.toml is read: the arguments are the whole configuration
    (transform_options as in its [transforms.NAME] tables, e.g.
    {"deepcopy": {"helper-file": "clone.go"}}). Findings silenced by
    //gomapfix:ignore are left out; report_unused_ignores adds unused-ignore
    findings for directives that silenced nothing.

    Raises RuntimeError if a transform failed internally on some package.
    """
    names = tuple(
        n for n in registry.names() if (n in select if select is not None else n in registry.defaults())
    )
    options = Options(
        select=names,
        unsafe_fixes=unsafe_fixes,
        include_generated=include_generated,
        report_unused_ignores=report_unused_ignores,
        transform_options=dict(transform_options or {}),
    )
    report, errors = collect(discover([Path(p) for p in paths]), options, jobs)
    if errors:
        raise RuntimeError("; ".join(errors))
    return report
