"""Measure gomapfix's precision and recall on labelled sites in real Go repositories.

Standard library only; imports nothing from gomapfix (it runs the installed CLI).

    python benchmarks/realcode/evaluate.py --checkouts DIR [--gomapfix PATH] [--rule R]
        [--select all] [--repo NAME] [--json] [--no-targets]

For every repository in manifest.toml it expects a checkout of the pinned commit at
DIR/<name> (a git clone is checked with `git rev-parse HEAD`; any other directory is
trusted), runs `gomapfix --format json --no-cache -q` on it (exit status 0 and 1 are
both fine, 2 is an error) and matches the findings against labels.toml:

  * a finding matches a [[site]] when repo, path and rule agree and the site's line
    lies within the finding's line..end_line;
  * per rule and per site: a hazard site with a finding is a true positive (TP), one
    without a miss; a non-hazard site with a finding is a false positive (FP), one
    without is correctly silent (TN);
  * a finding at no labelled site but inside a [[scope]] (a repository or path prefix
    where one fact makes every finding of that rule a non-hazard) is a false positive
    too, counted once per distinct location;
  * any other finding is unlabelled and listed so that it can be labelled.

Rules that are off by default (`gomapfix --list-transforms`) run only with --select
(`--select all` runs every rule); a rule that did not run is reported as such and its
sites are left out.

precision = TP / (TP + FP), recall = TP / (TP + misses). Targets: precision >= 0.9 for
every rule with a finding at a labelled site or scope, recall >= 0.8 for keepalive (when a
keepalive hazard site was evaluated). Exit status: 0 targets met (or --no-targets), 1 a
target missed, 2 a setup or gomapfix error.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
KNOWN_RULES = ("keepalive", "deepcopy", "wrap-inner-map", "safemap", "map-to-c")
PRECISION_TARGET = 0.9
RECALL_TARGETS = {"keepalive": 0.8}


@dataclass(frozen=True)
class Repo:
    name: str
    url: str
    commit: str
    kind: str
    subdir: str = ""
    gopath: str = ""
    """For a tree older than Go modules (no go.mod at the pinned commit): the import path it was
    built under in GOPATH, and go_version the Go release of its day; the evaluator runs gomapfix
    on a copy with that go.mod added (gomapfix analyses only Go modules)."""
    go_version: str = ""


@dataclass(frozen=True)
class Site:
    repo: str
    path: str
    line: int
    rule: str
    verdict: str
    why: str


@dataclass(frozen=True)
class Scope:
    repo: str
    rule: str
    path_prefix: str
    verdict: str
    why: str


@dataclass(frozen=True)
class Finding:
    repo: str
    path: str
    line: int
    end_line: int
    rule: str
    message: str


@dataclass
class RuleResult:
    tp: list[Site] = field(default_factory=list)
    fp: list[Site] = field(default_factory=list)
    misses: list[Site] = field(default_factory=list)
    tn: list[Site] = field(default_factory=list)
    scope_fp: list[Finding] = field(default_factory=list)
    unlabelled: list[Finding] = field(default_factory=list)
    findings: int = 0
    ran: bool = True

    @property
    def fp_total(self) -> int:
        return len(self.fp) + len(self.scope_fp)

    @property
    def precision(self) -> float | None:
        denominator = len(self.tp) + self.fp_total
        return len(self.tp) / denominator if denominator else None

    @property
    def recall(self) -> float | None:
        denominator = len(self.tp) + len(self.misses)
        return len(self.tp) / denominator if denominator else None


class SetupError(Exception):
    """A checkout is missing or at the wrong commit, or gomapfix failed."""


def load_manifest(path: Path) -> list[Repo]:
    with path.open("rb") as f:
        data = tomllib.load(f)
    repos = []
    for entry in data.get("repo", []):
        repos.append(
            Repo(
                name=entry["name"],
                url=entry["url"],
                commit=entry["commit"],
                kind=entry["kind"],
                subdir=entry.get("subdir", ""),
                gopath=entry.get("gopath", ""),
                go_version=entry.get("go", ""),
            )
        )
    names = [r.name for r in repos]
    if len(set(names)) != len(names):
        raise SetupError(f"{path}: duplicate repository names")
    return repos


def load_labels(path: Path, repos: list[Repo]) -> tuple[list[Site], list[Scope]]:
    with path.open("rb") as f:
        data = tomllib.load(f)
    known = {r.name for r in repos}
    sites = [
        Site(e["repo"], e["path"], int(e["line"]), e["rule"], e["verdict"], e.get("why", ""))
        for e in data.get("site", [])
    ]
    scopes = [
        Scope(e["repo"], e["rule"], e.get("path_prefix", ""), e["verdict"], e.get("why", ""))
        for e in data.get("scope", [])
    ]
    for item in [*sites, *scopes]:
        if item.repo not in known:
            raise SetupError(f"{path}: label for unknown repository {item.repo!r}")
        if item.verdict not in ("hazard", "non-hazard"):
            raise SetupError(f"{path}: verdict must be 'hazard' or 'non-hazard', not {item.verdict!r}")
        if item.rule not in KNOWN_RULES:
            raise SetupError(f"{path}: unknown rule {item.rule!r}")
    for scope in scopes:
        if scope.verdict != "non-hazard":
            raise SetupError(f"{path}: a [[scope]] can only be 'non-hazard' ({scope.repo}, {scope.rule})")
    seen: set[tuple[str, str, int, str]] = set()
    for site in sites:
        key = (site.repo, site.path, site.line, site.rule)
        if key in seen:
            raise SetupError(f"{path}: duplicate site {key}")
        seen.add(key)
    return sites, scopes


def find_gomapfix(explicit: str | None) -> str:
    if explicit:
        return explicit
    on_path = shutil.which("gomapfix")
    if on_path:
        return on_path
    beside = Path(sys.executable).with_name("gomapfix")
    if beside.exists():
        return str(beside)
    project_venv = HERE.parent.parent / ".venv" / "bin" / "gomapfix"
    if project_venv.exists():
        return str(project_venv)
    raise SetupError("gomapfix not found: pass --gomapfix PATH")


def list_rules(gomapfix: str) -> dict[str, bool]:
    """The rules this gomapfix knows, each with whether it runs by default (--list-transforms).

    Each line reads `name  safety  on|off  description`; without the on/off column every
    rule counts as on. Falls back to KNOWN_RULES when the listing fails.
    """
    proc = subprocess.run([gomapfix, "--list-transforms"], capture_output=True, text=True, check=False)
    rules: dict[str, bool] = {}
    for line in proc.stdout.splitlines():
        tokens = line.split()
        if tokens:
            rules[tokens[0]] = not (len(tokens) > 2 and tokens[2] == "off")
    if proc.returncode != 0 or not rules:
        return dict.fromkeys(KNOWN_RULES, True)
    return rules


def check_checkout(repo: Repo, checkout: Path) -> None:
    if not checkout.is_dir():
        raise SetupError(
            f"{repo.name}: no checkout at {checkout} "
            f"(git clone {repo.url} {checkout} && git -C {checkout} checkout {repo.commit})"
        )
    if (checkout / ".git").exists():
        proc = subprocess.run(
            ["git", "-C", str(checkout), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
        )
        head = proc.stdout.strip()
        if proc.returncode != 0 or head != repo.commit:
            raise SetupError(f"{repo.name}: {checkout} is at {head or '?'}, the manifest pins {repo.commit}")


def copy_checkout(repo: Repo, checkout: Path, into: Path) -> Path:
    """A copy of checkout under into (its .git left out), with the go.mod of its day added to a
    tree older than Go modules (repo.gopath): the tree gomapfix can analyse."""
    copy = into / repo.name
    shutil.copytree(checkout, copy, symlinks=True, ignore=shutil.ignore_patterns(".git"))
    if repo.gopath and not (copy / "go.mod").exists():
        (copy / "go.mod").write_text(f"module {repo.gopath}\n\ngo {repo.go_version or '1.11'}\n")
    return copy


def _run(cmd: list[str], cwd: Path, repo: Repo, timeout: float) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise SetupError(f"{repo.name}: gomapfix did not finish within {timeout:.0f}s") from exc


def run_gomapfix(
    gomapfix: str, repo: Repo, checkout: Path, select: list[str] | None, timeout: float
) -> list[Finding]:
    target = repo.subdir or "."
    if not (checkout / target).exists():
        raise SetupError(f"{repo.name}: subdir {repo.subdir!r} does not exist in {checkout}")
    cmd = [gomapfix, "--format", "json", "--no-cache", "-q"]
    if select:
        cmd += ["--select", ",".join(select)]
    cmd.append(target)
    if repo.gopath and not (checkout / "go.mod").exists():
        with tempfile.TemporaryDirectory(prefix=f"realcode-{repo.name}-") as tmp:
            proc = _run(cmd, copy_checkout(repo, checkout, Path(tmp)), repo, timeout)
    else:
        proc = _run(cmd, checkout, repo, timeout)
    if proc.returncode not in (0, 1):
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise SetupError(f"{repo.name}: gomapfix exited {proc.returncode}: {' | '.join(detail)}")
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise SetupError(f"{repo.name}: gomapfix printed no valid JSON ({exc})") from exc
    findings = []
    for item in data.get("findings", []):
        path = Path(item["path"])
        absolute = path if path.is_absolute() else checkout / path
        rel = os.path.relpath(os.path.normpath(absolute), checkout)
        line = int(item["line"])
        end_line = int(item.get("end_line") or line)
        rel = rel.replace(os.sep, "/")
        findings.append(Finding(repo.name, rel, line, max(line, end_line), item["rule"], item["message"]))
    return findings


def evaluate(
    findings: list[Finding],
    sites: list[Site],
    scopes: list[Scope],
    rules: list[str],
    repos: set[str],
    ran: set[str],
) -> dict[str, RuleResult]:
    """Match findings to sites and scopes; rules not in `ran` get no counts (they did not run)."""
    results = {rule: RuleResult(ran=rule in ran) for rule in rules}
    by_key: dict[tuple[str, str, str], list[Finding]] = {}
    for f in findings:
        if f.rule in results:
            results[f.rule].findings += 1
            by_key.setdefault((f.repo, f.path, f.rule), []).append(f)
    matched: set[Finding] = set()
    for site in sites:
        if site.rule not in results or site.repo not in repos or not results[site.rule].ran:
            continue
        candidates = by_key.get((site.repo, site.path, site.rule), [])
        hits = [f for f in candidates if f.line <= site.line <= f.end_line]
        matched.update(hits)
        result = results[site.rule]
        if site.verdict == "hazard":
            (result.tp if hits else result.misses).append(site)
        else:
            (result.fp if hits else result.tn).append(site)
    seen_locations: set[tuple[str, str, int, str]] = set()
    for f in findings:
        if f.rule not in results or f in matched:
            continue
        location = (f.repo, f.path, f.line, f.rule)
        if location in seen_locations:
            continue
        seen_locations.add(location)
        in_scope = any(
            s.repo == f.repo and s.rule == f.rule and f.path.startswith(s.path_prefix) for s in scopes
        )
        (results[f.rule].scope_fp if in_scope else results[f.rule].unlabelled).append(f)
    return results


def check_targets(results: dict[str, RuleResult]) -> list[dict[str, Any]]:
    targets = []
    for rule, result in results.items():
        if not result.ran:
            continue
        if len(result.tp) + result.fp_total > 0:
            precision = result.precision or 0.0
            targets.append(
                {
                    "rule": rule,
                    "metric": "precision",
                    "value": precision,
                    "threshold": PRECISION_TARGET,
                    "ok": precision >= PRECISION_TARGET,
                }
            )
        recall = result.recall
        if rule in RECALL_TARGETS and recall is not None:
            targets.append(
                {
                    "rule": rule,
                    "metric": "recall",
                    "value": recall,
                    "threshold": RECALL_TARGETS[rule],
                    "ok": recall >= RECALL_TARGETS[rule],
                }
            )
    return targets


def fmt_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def site_text(site: Site) -> str:
    return f"{site.repo}/{site.path}:{site.line}  {site.why}"


def finding_text(f: Finding) -> str:
    return f"{f.repo}/{f.path}:{f.line}  {f.message[:140]}"


def print_report(
    results: dict[str, RuleResult],
    targets: list[dict[str, Any]],
    timings: dict[str, float],
    errors: list[str],
    max_listed: int,
    check: bool,
) -> None:
    total = sum(timings.values())
    print(f"gomapfix ran on {len(timings)} repositories in {total:.0f}s")
    for name, seconds in sorted(timings.items(), key=lambda kv: -kv[1])[:5]:
        print(f"  {name}: {seconds:.1f}s")
    for error in errors:
        print(f"ERROR {error}")
    print()
    header = (
        f"{'rule':<15}{'TP':>5}{'FP':>5}{'FP*':>6}{'miss':>6}{'TN':>5}{'unlab':>7}{'prec':>7}{'recall':>8}"
    )
    print(header)
    print("-" * len(header))
    for rule, r in results.items():
        if not r.ran:
            print(f"{rule:<15}  (not run: off by default in this gomapfix; --select all runs it)")
            continue
        print(
            f"{rule:<15}{len(r.tp):>5}{len(r.fp):>5}{len(r.scope_fp):>6}{len(r.misses):>6}{len(r.tn):>5}"
            f"{len(r.unlabelled):>7}{fmt_ratio(r.precision):>7}{fmt_ratio(r.recall):>8}"
        )
    print("FP = findings at non-hazard sites, FP* = findings covered by a [[scope]] (distinct locations)")
    for rule, r in results.items():
        sections = [
            ("false positives", [site_text(s) for s in r.fp]),
            ("misses", [site_text(s) for s in r.misses]),
            ("unlabelled findings", [finding_text(f) for f in r.unlabelled]),
        ]
        for title, lines in sections:
            if not lines:
                continue
            print(f"\n{rule}: {title} ({len(lines)})")
            shown = lines if max_listed < 0 else lines[:max_listed]
            for line in shown:
                print(f"  {line}")
            if len(shown) < len(lines):
                print(f"  ... and {len(lines) - len(shown)} more (--max-listed -1 lists all)")
    if check:
        print()
        for t in targets:
            mark = "ok  " if t["ok"] else "FAIL"
            print(f"{mark} {t['rule']} {t['metric']} {fmt_ratio(t['value'])} (target >= {t['threshold']})")


def to_json(
    results: dict[str, RuleResult],
    targets: list[dict[str, Any]],
    timings: dict[str, float],
    errors: list[str],
    gomapfix: str,
) -> dict[str, Any]:
    def site(s: Site) -> dict[str, Any]:
        return {"repo": s.repo, "path": s.path, "line": s.line, "why": s.why}

    def finding(f: Finding) -> dict[str, Any]:
        return {"repo": f.repo, "path": f.path, "line": f.line, "end_line": f.end_line, "message": f.message}

    return {
        "gomapfix": gomapfix,
        "seconds": timings,
        "errors": errors,
        "rules": {
            rule: {
                "ran": r.ran,
                "findings": r.findings,
                "tp": len(r.tp),
                "fp": len(r.fp),
                "fp_scope": len(r.scope_fp),
                "misses": len(r.misses),
                "tn": len(r.tn),
                "unlabelled": len(r.unlabelled),
                "precision": r.precision,
                "recall": r.recall,
                "true_positive_sites": [site(s) for s in r.tp],
                "false_positive_sites": [site(s) for s in r.fp],
                "missed_sites": [site(s) for s in r.misses],
                "scope_false_positives": [finding(f) for f in r.scope_fp],
                "unlabelled_findings": [finding(f) for f in r.unlabelled],
            }
            for rule, r in results.items()
        },
        "targets": targets,
        "ok": not errors and all(t["ok"] for t in targets),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkouts", required=True, type=Path, help="directory with a checkout per repo")
    parser.add_argument("--gomapfix", help="gomapfix executable (default: from PATH or the project venv)")
    parser.add_argument(
        "--rule", action="append", default=[], help="report only this rule (repeatable or comma-separated)"
    )
    parser.add_argument("--select", help="'all' runs every rule gomapfix knows; else passed to --select")
    parser.add_argument("--repo", action="append", default=[], help="evaluate only this manifest entry")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--no-targets", action="store_true", help="report only; exit 0 when a target fails")
    parser.add_argument("--max-listed", type=int, default=25, help="items listed per section (-1: all)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds allowed per repository")
    parser.add_argument("--manifest", type=Path, default=HERE / "manifest.toml")
    parser.add_argument("--labels", type=Path, default=HERE / "labels.toml")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        repos = load_manifest(args.manifest)
        sites, scopes = load_labels(args.labels, repos)
        gomapfix = find_gomapfix(args.gomapfix)
    except (SetupError, OSError, tomllib.TOMLDecodeError, KeyError) as exc:
        print(f"evaluate.py: {exc}", file=sys.stderr)
        return 2
    if args.repo:
        unknown = set(args.repo) - {r.name for r in repos}
        if unknown:
            print(f"evaluate.py: unknown repository {sorted(unknown)}", file=sys.stderr)
            return 2
        repos = [r for r in repos if r.name in args.repo]
    rules = [r for arg in args.rule for r in arg.split(",") if r] or list(KNOWN_RULES)
    bad = [r for r in rules if r not in KNOWN_RULES]
    if bad:
        print(f"evaluate.py: unknown rule {bad}", file=sys.stderr)
        return 2
    known = list_rules(gomapfix)
    select = None
    if args.select:
        select = list(known) if args.select == "all" else [r for r in args.select.split(",") if r]
    ran = set(select) if select else {rule for rule, on in known.items() if on}

    findings: list[Finding] = []
    timings: dict[str, float] = {}
    errors: list[str] = []
    evaluated: set[str] = set()
    for repo in repos:
        checkout = args.checkouts / repo.name
        start = time.perf_counter()
        try:
            check_checkout(repo, checkout)
            findings += run_gomapfix(gomapfix, repo, checkout, select, args.timeout)
            evaluated.add(repo.name)
        except SetupError as exc:
            errors.append(str(exc))
        timings[repo.name] = time.perf_counter() - start
        if not args.json:
            print(f"  {repo.name}: {timings[repo.name]:.1f}s", file=sys.stderr)

    results = evaluate(findings, sites, scopes, rules, evaluated, ran)
    targets = check_targets(results)
    if args.json:
        json.dump(to_json(results, targets, timings, errors, gomapfix), sys.stdout, indent=2)
        print()
    else:
        print_report(results, targets, timings, errors, args.max_listed, not args.no_targets)
    if errors:
        return 2
    if args.no_targets:
        return 0
    return 0 if all(t["ok"] for t in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
