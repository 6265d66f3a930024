"""The contract between the engine and a transform.

A transform is a pure function from a PackageContext to findings. It never
raises for a property of the input (the runner turns an exception into a
reported failure of that package, so one bad package cannot stop a sweep),
never touches the file system, and keeps no state between calls, so that
packages can be processed in any order and on any core.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Protocol

from tree_sitter import Node

from codemod.context import FileContext, PackageContext
from codemod.model import Finding, Fix, Severity
from codemod.ruledoc import RuleDoc

Needle = bytes | re.Pattern[bytes]
"""What a prefilter looks for in a package's bytes (see Transform.prefilter)."""


class Transform(Protocol):
    """One rule or rewrite pass.

    Attributes:
        doc: the rule's documentation (codemod.ruledoc.RuleDoc), the one place it is
            described: listings, explain, SARIF and the docs pages read it.
        name: the rule name used by --select/--ignore, in findings and suppressions
            (doc.name).
        prefilter: alternatives, each a tuple of needles (byte strings, or compiled
            byte patterns that match no NUL byte); a package cannot hold a finding
            unless, for some alternative, each of its needles occurs in (matches) at
            least one file of the package. Packages that match no alternative of any
            selected transform are never parsed.
    """

    doc: RuleDoc
    name: str
    prefilter: tuple[tuple[Needle, ...], ...]

    def run(self, pkg: PackageContext) -> Iterable[Finding]: ...


def matches_prefilter(t: Transform, contents: Iterable[bytes] | Needles) -> bool:
    """True if the package whose file contents are given may hold a finding of t:
    for some alternative, every needle occurs in at least one of the files."""
    found = contents if isinstance(contents, Needles) else Needles(contents)
    return any(all(found.has(needle) for needle in alt) for alt in t.prefilter)


class Needles:
    """Which byte strings occur in some file of a set: each needle is looked for once (the
    transforms' prefilters share needles: `map[` is in several).

    within: the Needles of a superset of these files (a package's directory): a needle it has
    already found absent is absent here too, without another scan."""

    def __init__(self, contents: Iterable[bytes], within: Needles | None = None) -> None:
        self.contents = list(contents)
        self._found: dict[Needle, bool] = {}
        self._within = within
        self._joined: bytes | None = None

    def has(self, needle: Needle) -> bool:
        """Whether needle occurs in (matches) at least one of the files: one search of the
        files joined by NUL bytes, which no needle holds."""
        found = self._found.get(needle)
        if found is None:
            if self._within is not None and self._within._found.get(needle) is False:
                found = False
            elif isinstance(needle, bytes) and b"\0" in needle:
                found = any(needle in c for c in self.contents)
            else:
                if self._joined is None:
                    self._joined = b"\0".join(self.contents)
                found = _pattern(needle).search(self._joined) is not None
            self._found[needle] = found
        return found


@functools.lru_cache(maxsize=128)
def _pattern(needle: Needle) -> re.Pattern[bytes]:
    """needle as a pattern: re's search for a literal is faster than `in` here."""
    return needle if isinstance(needle, re.Pattern) else re.compile(re.escape(needle))


def finding(
    rule: str,
    f: FileContext,
    where: Node | tuple[int, int],
    message: str,
    fixes: Iterable[Fix] = (),
    severity: Severity = Severity.WARNING,
) -> Finding:
    """Build a Finding located at a node (or byte range) of f."""
    start, end = (where.start_byte, where.end_byte) if isinstance(where, Node) else where
    return Finding(rule, f.path, f.span(start, end), start, end, message, severity, tuple(fixes))
