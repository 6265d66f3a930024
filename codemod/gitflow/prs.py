"""Pull requests: titles, bodies, manifests, and the `gh` command.

For every unit, a batch run writes into `<output>/units/<unit>/`:

  pr-title.txt    one line;
  pr-body.md      Markdown: what was fixed and why, a findings table, the diff
                  stat, verification results per package (quoting the first
                  compiler lines of any package whose fixes were reverted), the
                  exact commands that reproduce the change, the tool version,
                  base commit and patch hash;
  changes.patch   the verified change as a git-style patch (`git apply` at the
                  repository root applies it);
  manifest.json   everything above as data; "patch_hash" is "sha256:" and the
                  SHA-256 of changes.patch, so anyone can check a branch against it.

`GitHub` opens or updates pull requests with the GitHub CLI. Calls that
change something (create, edit) are spaced at least `interval` seconds
apart, as GitHub asks of integrations, and a call GitHub answers with a
rate-limit error is retried after `wait`, 2*`wait`, 4*`wait`... seconds.
An existing open pull request for the branch is updated, not duplicated,
which also makes an interrupted run safe to repeat.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codemod import __version__, registry
from codemod.gitflow.gitutil import GitflowError
from codemod.gitflow.prepare import Prepared, Row
from codemod.gitflow.verify import STEPS, Verdict

MAX_ROWS = 200
TITLE_LIMIT = 120
RATE_LIMITED = re.compile(
    r"rate limit|secondary rate|abuse detection|too many requests|HTTP 429|retry-after", re.IGNORECASE
)
STATUS_TEXT = {
    "ok": "ok",
    "already-red": "already failing before gomapfix (not caused by it; fixes kept)",
    "repaired": "failing before gomapfix, **passes after the fixes**",
    "reverted": "**fixes reverted**: they broke this package",
}


@dataclass(frozen=True)
class PullRequest:
    """What one unit's pull request says and who should review it."""

    unit: str
    label: str
    branch: str
    title: str
    body: str
    reviewers: tuple[str, ...]


def title(label: str, transforms: Sequence[str], prepared: Prepared) -> str:
    """A one-line title: the transforms that fixed something, how many fixes, and where."""
    fixed = sum(1 for r in prepared.rows if r.status == "fixed")
    used = {r.transform for r in prepared.rows if r.status == "fixed"}
    names = [t for t in transforms if t in used] or list(transforms)
    text = f"gomapfix({'+'.join(names)}): {fixed} fix(es) in {label}"
    return text if len(text) <= TITLE_LIMIT else text[: TITLE_LIMIT - 3] + "..."


def body(
    label: str,
    transforms: Sequence[str],
    prepared: Prepared,
    diffstat: str,
    reproduce: Sequence[str],
    generated_by: str,
    verify_level: str,
) -> str:
    """The Markdown body of a unit's pull request."""
    out = [f"This change was made by gomapfix {__version__} in {label}.", ""]
    for name in transforms:
        doc = registry.doc(name)
        summary = doc.summary if doc is not None else ""
        out.append(f"- **{name}**: {summary}" if summary else f"- **{name}**")
    out += ["", "### Findings", ""]
    out += _findings_table(prepared.rows)
    out += ["", "### Changes", "", "```text", diffstat.rstrip() or "(no changes)", "```", ""]
    out += _verification(prepared.verdicts, verify_level)
    out += ["", "### Reproduce", "", "From a clean checkout of the base commit:", "", "```sh"]
    out += [f"git checkout --detach {prepared.base}", *reproduce, "```", ""]
    out += ["The batch that planned this pull request:", "", "```sh", generated_by, "```", "", "---", ""]
    commits = ", ".join(f"`{c.commit[:10]}` ({c.transform})" for c in prepared.commits)
    out.append(
        f"gomapfix {__version__} · base `{prepared.base}` · patch `{prepared.patch_hash}` · commits {commits}"
    )
    return "\n".join(out) + "\n"


def _findings_table(rows: list[Row]) -> list[str]:
    if not rows:
        return ["No findings."]
    out = ["| File | Line | Transform | Finding | Fix |", "|---|---:|---|---|---|"]
    for r in rows[:MAX_ROWS]:
        out.append(f"| `{r.path}` | {r.line} | {r.transform} | {_cell(r.message)} | {r.status} |")
    if len(rows) > MAX_ROWS:
        out.append(f"| ... | | | {len(rows) - MAX_ROWS} more (see manifest.json) | |")
    return out


def _verification(verdicts: list[Verdict], level: str) -> list[str]:
    out = ["### Verification", ""]
    if level == "none" or not verdicts:
        return [*out, "Not verified (`--verify=none`)." if level == "none" else "No package changed."]
    steps = [s for s in STEPS if s != "test" or level == "test"]
    out.append(
        "Each changed package was checked with "
        + ", ".join(f"`{_command(s)}`" for s in steps)
        + " at the base commit and after the fixes:"
    )
    out += ["", "| Package | " + " | ".join(steps) + " | Result |", "|---" * (len(steps) + 2) + "|"]
    for v in verdicts:
        marks = [_mark(v, s) for s in steps]
        out.append(f"| `{v.directory}` | " + " | ".join(marks) + f" | {STATUS_TEXT[v.status]} |")
    for v in verdicts:
        if v.status == "ok":
            continue
        which = "after the fixes" if v.status == "reverted" else "at the base commit"
        if v.status == "repaired":
            which += f" ({', '.join(v.repaired)} passes after the fixes)"
        out += ["", f"`{v.directory}` {which}:", "", "```text", v.quote() or "(no output)", "```"]
    return out


def _command(step: str) -> str:
    return {"gofmt": "gofmt -l", "build": "go build", "vet": "go vet", "test": "go test [-race]"}[step]


def _mark(v: Verdict, step: str) -> str:
    before = v.before.get(step)
    after = v.after.get(step)
    if before is None:
        return "—"
    b = "pass" if before.ok else "fail"
    if after is None:  # not run after the fixes (a journal of an older version)
        return b
    a = "pass" if after.ok else "fail"
    return b if a == b else f"{b} → {a}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def reproduce_commands(
    transforms: Sequence[str], dirs: Sequence[str], unsafe_fixes: bool, include_generated: bool
) -> list[str]:
    """The main-command lines that make the same change, one per transform, in order."""
    flags = (["--unsafe-fixes"] if unsafe_fixes else []) + (
        ["--include-generated"] if include_generated else []
    )
    globs = " ".join(shlex.quote(d) + "/*.go" if d != "." else "./*.go" for d in dirs)
    return [f"gomapfix --select {t} {' '.join(flags + ['--write'])} {globs}" for t in transforms]


def write_unit(directory: Path, pr: PullRequest, manifest: dict[str, Any], patch: bytes) -> None:
    """Write title, body, patch and manifest of one unit into directory (replacing older ones)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "pr-title.txt").write_text(pr.title + "\n", encoding="utf-8")
    (directory / "pr-body.md").write_text(pr.body, encoding="utf-8")
    (directory / "changes.patch").write_bytes(patch)
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


class GhError(Exception):
    """A gh command failed for a reason other than rate limiting (or kept being rate limited)."""


class GitHub:
    """Opens and updates pull requests with `gh`, spaced and retried on rate limits."""

    def __init__(
        self,
        gh: str,
        cwd: Path,
        interval: float = 1.0,
        wait: float = 60.0,
        retries: int = 4,
        log: Callable[[str], None] = lambda _: None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.gh = gh
        self.cwd = cwd
        self.interval = interval
        self.wait = wait
        self.retries = retries
        self.log = log
        self.sleep = sleep
        self._last_mutation: float | None = None

    @classmethod
    def find(cls, cwd: Path, **kwargs: Any) -> GitHub:
        """gh from PATH, logged in (`gh auth status`): checked before any work is done, so a
        missing login is not discovered after every branch was pushed. GitflowError says
        how to get gh, or how to log in."""
        gh = shutil.which("gh")
        if gh is None:
            raise GitflowError(
                "--open-prs uses the GitHub CLI, and `gh` is not on PATH: install it from "
                "https://cli.github.com/ and run `gh auth login`, or leave out --open-prs "
                "(the titles and bodies are written to the output directory either way)"
            )
        proc = subprocess.run([gh, "auth", "status"], cwd=cwd, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            said = (proc.stderr or proc.stdout).strip().splitlines()
            raise GitflowError(
                "--open-prs: `gh auth status` says gh is not logged in to GitHub"
                + (f" ({said[0].strip()})" if said else "")
                + ": run `gh auth login` (or set GH_TOKEN) first, or leave out --open-prs"
            )
        return cls(gh, cwd, **kwargs)

    def open(self, pr: PullRequest, base: str, body_file: Path, draft: bool = False) -> str:
        """Open the pull request for pr.branch into base, or update the open one; returns its URL."""
        return self.open_or_update(pr, base, body_file, draft)[0]

    def open_or_update(
        self, pr: PullRequest, base: str, body_file: Path, draft: bool = False
    ) -> tuple[str, bool]:
        """As open; returns (URL, whether an open pull request was updated rather than created)."""
        existing = self.existing(pr.branch)
        reviewers = [a for r in pr.reviewers for a in ("--reviewer" if not existing else "--add-reviewer", r)]
        if existing:
            args = ["pr", "edit", existing, "--title", pr.title, "--body-file", str(body_file), *reviewers]
            self.call(args, mutating=True)
            return existing, True
        args = ["pr", "create", "--head", pr.branch, "--base", base, "--title", pr.title]
        args += ["--body-file", str(body_file), *reviewers, *(["--draft"] if draft else [])]
        out = self.call(args, mutating=True)
        urls = [line for line in out.split() if line.startswith("http")]
        return (urls[-1] if urls else out.strip()), False

    def existing(self, branch: str) -> str | None:
        """The URL of the open pull request whose head is branch, if there is one."""
        out = self.call(["pr", "list", "--head", branch, "--state", "open", "--json", "url", "--limit", "1"])
        try:
            found = json.loads(out or "[]")
        except json.JSONDecodeError:
            raise GhError(f"gh pr list answered something that is not JSON: {out[:200]!r}") from None
        return found[0]["url"] if found else None

    def call(self, args: list[str], mutating: bool = False) -> str:
        """Run gh with args; returns its standard output. Raises GhError on failure."""
        for attempt in range(self.retries + 1):
            if mutating and self._last_mutation is not None:
                pause = self.interval - (time.monotonic() - self._last_mutation)
                if pause > 0:
                    self.sleep(pause)
            proc = subprocess.run([self.gh, *args], cwd=self.cwd, capture_output=True, text=True, timeout=600)
            if mutating:
                self._last_mutation = time.monotonic()
            if proc.returncode == 0:
                return proc.stdout
            message = (proc.stderr or proc.stdout).strip()
            if not RATE_LIMITED.search(message) or attempt == self.retries:
                first = message.splitlines()[0] if message else f"exit status {proc.returncode}"
                raise GhError(f"gh {' '.join(args[:2])}: {first}")
            delay = self.wait * 2**attempt
            self.log(f"GitHub rate limit reached; retrying gh {' '.join(args[:2])} in {delay:g}s")
            self.sleep(delay)
        raise AssertionError("unreachable")
