"""The engine's only door to the rules.

The rules live in the transforms package, which lists them (transforms.PACKAGES);
no other module of codemod/ imports it. Through this module the engine asks which
transforms exist and in which order, and for the documentation of every rule a
finding can carry: the rules' own, and unused-ignore, the engine's rule about
stale //gomapfix:ignore directives. Documentation is read without importing any
rule's code; the transforms are imported the first time they are asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codemod.ruledoc import RuleDoc
    from codemod.transform import Transform


def transforms() -> tuple[Transform, ...]:
    """Every transform, in the order its findings are reported and its fixes merged."""
    import transforms as registered

    return registered.ALL


def by_name() -> dict[str, Transform]:
    """Every transform by rule name."""
    return {t.name: t for t in transforms()}


def names() -> tuple[str, ...]:
    """The names of the transforms, in registry order (imports no rule code)."""
    return tuple(d.name for d in rule_docs())


def defaults() -> tuple[str, ...]:
    """The transforms that run when no selection names any (RuleDoc.default)."""
    return tuple(d.name for d in rule_docs() if d.default)


def rule_docs() -> tuple[RuleDoc, ...]:
    """The documentation of every transform, in registry order."""
    import transforms as registered

    return registered.docs()


def docs() -> dict[str, RuleDoc]:
    """The documentation of every rule a finding can carry, by name: the transforms' and
    the engine's own (unused-ignore)."""
    from codemod.suppress import UNUSED_IGNORE_DOC

    out = {d.name: d for d in rule_docs()}
    out[UNUSED_IGNORE_DOC.name] = UNUSED_IGNORE_DOC
    return out


def doc(name: str) -> RuleDoc | None:
    """The documentation of rule name, or None for a name no rule has."""
    return docs().get(name)
