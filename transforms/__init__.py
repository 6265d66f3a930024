"""The registry of gomapfix's rules: which exist, in which order, and where each lives.

Explicit on purpose: a rule exists when its package is listed in PACKAGES, in
the order in which its findings are reported and its fixes are merged. Each
package holds the rule's whole story (see docs/architecture.md):

    transforms/<rule>/doc.py    DOC, the RuleDoc: name, summary, safety, options,
                                explanation, examples, reference (the only
                                place the rule is described in words)
    transforms/<rule>/rule.py   the Transform: finds hazards in a PackageContext
                                and proposes fixes
    transforms/<rule>/*.py      its finding, placement and rewrite logic, and the
                                Go source it generates

The engine reaches the rules only through codemod.registry, which imports this
module. Documentation is read without importing any rule's code, and the rules
are imported the first time ALL is read.
"""

from __future__ import annotations

import functools
import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codemod.ruledoc import RuleDoc
    from codemod.transform import Transform

PACKAGES: tuple[str, ...] = ("keepalive", "deepcopy", "wrap_inner_map", "safemap", "map_to_c")
"""The rules' packages, in the order their findings are reported and their fixes merged."""


@functools.cache
def docs() -> tuple[RuleDoc, ...]:
    """Every rule's documentation, in registry order (imports no rule code)."""
    return tuple(importlib.import_module(f"transforms.{p}.doc").DOC for p in PACKAGES)


@functools.cache
def _all() -> tuple[Transform, ...]:
    return tuple(importlib.import_module(f"transforms.{p}.rule").TRANSFORM for p in PACKAGES)


def by_name() -> dict[str, Transform]:
    """Every rule's transform by rule name."""
    return {t.name: t for t in _all()}


def __getattr__(name: str) -> object:
    """ALL: every rule's transform, in registry order (imported on first use)."""
    if name == "ALL":
        return _all()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
