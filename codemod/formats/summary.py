"""The human summary printed on stderr after every run."""

from __future__ import annotations

from collections.abc import Sequence

from codemod.diff import display_path
from codemod.model import RunReport

MAX_LISTED = 25


def summary_lines(report: RunReport, wrote: bool, notes: Sequence[str] = ()) -> list[str]:
    """Human summary for stderr: counts, then notes (e.g. what --diff-base left out), then
    each skipped or failed file with its reason."""
    changed = report.changed_files()
    fixable = sum(1 for f in report.findings if any(report.fix_applied(f, x) for x in f.fixes))
    lines = [
        f"gomapfix: {len(report.findings)} finding(s), {fixable} {'fixed' if wrote else 'would be fixed'}; "
        f"{len(changed)} file(s) {'changed' if wrote else 'would change'}; "
        f"{report.scanned} scanned"
    ]
    unapplied_unsafe = sum(
        1
        for f in report.findings
        if f.fixes
        and not any(report.fix_applied(f, x) for x in f.fixes)
        and f.fixes[0].safety.value == "unsafe"
    )
    if unapplied_unsafe:
        lines.append(
            f"gomapfix: {unapplied_unsafe} unsafe fix(es) not applied (use --unsafe-fixes to apply them)"
        )
    lines += [f"gomapfix: {n}" for n in notes]
    generated = [o for o in report.skipped_files() if (o.skipped or "").startswith("generated file")]
    if generated:
        lines.append(f"skipped {len(generated)} generated file(s) (use --include-generated to process them)")
    others = [o for o in report.skipped_files() if o not in generated]
    for o in others[:MAX_LISTED]:
        lines.append(f"skipped {display_path(o.path)}: {o.skipped}")
    if len(others) > MAX_LISTED:
        lines.append(f"... and {len(others) - MAX_LISTED} more skipped file(s) (see --format json)")
    for o in report.failed_files():
        lines.append(f"failed {display_path(o.path)}: {o.failed}")
    return lines
