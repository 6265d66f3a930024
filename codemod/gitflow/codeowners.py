"""GitHub CODEOWNERS: who owns a path.

The file is looked for where GitHub looks, in order: `.github/CODEOWNERS`,
`CODEOWNERS`, `docs/CODEOWNERS`. Each non-comment line is a pattern and its
owners (`@user`, `@org/team` or an e-mail address); the *last* matching
line wins, and a line with a pattern but no owners makes matching paths
unowned. Patterns follow gitignore's rules as GitHub applies them:

  - a leading `/`, or a `/` anywhere but at the end, anchors the pattern at
    the repository root; otherwise it matches at any depth (`*.go`, `apps/`);
  - a trailing `/` matches only a directory (and so everything beneath it);
  - a pattern that matches a directory matches every file below it, except
    that a pattern ending in `/*` matches only the files directly in that
    directory (`docs/*` owns `docs/a.md`, not `docs/build/b.md`), as GitHub
    documents;
  - `*` and `?` do not cross `/`; `**` does (`**/logs`, `docs/**`).

GitHub does not support `!` negation or `[...]` ranges in CODEOWNERS; such
lines are ignored, as GitHub ignores them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from codemod.config import glob_to_regex

LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


@dataclass(frozen=True)
class Rule:
    """One CODEOWNERS line: its pattern, compiled, and its owners."""

    pattern: str
    regex: re.Pattern[str]
    directory_only: bool
    files_only: bool
    owners: tuple[str, ...]


@dataclass(frozen=True)
class CodeOwners:
    """The rules of one CODEOWNERS file, in file order."""

    rules: tuple[Rule, ...]
    source: str = ""

    @classmethod
    def load(cls, root: Path) -> CodeOwners | None:
        """The CODEOWNERS file of the repository checked out at root, or None if it has none."""
        for rel in LOCATIONS:
            path = root / rel
            if path.is_file():
                return cls.parse(path.read_text(encoding="utf-8", errors="replace"), rel)
        return None

    @classmethod
    def parse(cls, text: str, source: str = "") -> CodeOwners:
        """Parse CODEOWNERS text; lines that GitHub would not accept are ignored."""
        rules = []
        for raw in text.splitlines():
            line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
            if not line:
                continue
            pattern, *owners = line.split()
            if pattern.startswith("!") or "[" in pattern:
                continue
            rules.append(_compile(pattern, tuple(owners)))
        return cls(tuple(rules), source)

    def owners(self, path: str) -> tuple[str, ...]:
        """The owners of path (relative to the repository root, `/`-separated); () if none."""
        for rule in reversed(self.rules):
            if _matches(rule, path):
                return rule.owners
        return ()


def reviewer(owner: str) -> str | None:
    """The `gh --reviewer` form of an owner: `@user` -> `user`, `@org/team` -> `org/team`.

    E-mail owners cannot be requested as reviewers by name; they give None.
    """
    return owner[1:] if owner.startswith("@") and len(owner) > 1 else None


def _compile(pattern: str, owners: tuple[str, ...]) -> Rule:
    directory_only = pattern.endswith("/")
    body = pattern.rstrip("/")
    anchored = body.startswith("/") or "/" in body
    body = body.lstrip("/")
    regex = glob_to_regex(body, brackets=False)
    if not anchored:
        regex = "(?:.*/)?" + regex
    files_only = body.endswith("/*") or body == "*"
    return Rule(pattern, re.compile(regex + r"\Z"), directory_only, files_only and not directory_only, owners)


def _matches(rule: Rule, path: str) -> bool:
    parts = path.split("/")
    # The path itself (a file, unless the rule wants a directory), then each directory above it.
    candidates = [] if rule.directory_only else [path]
    if not rule.files_only:
        candidates += ["/".join(parts[:i]) for i in range(len(parts) - 1, 0, -1)]
    return any(rule.regex.match(c) for c in candidates)
