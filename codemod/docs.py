"""`python -m codemod.docs`: write docs/rules/NAME.md for every rule from its RuleDoc.

The pages are generated, never edited by hand: a rule's words live in its
package (transforms/<rule>/doc.py), and the tests fail when a page differs
from what this module writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from codemod import registry, ruledoc


def write_pages(docs_dir: Path) -> list[Path]:
    """Write one page per rule under docs_dir/rules; return the pages that changed."""
    changed = []
    (docs_dir / "rules").mkdir(parents=True, exist_ok=True)
    for doc in registry.rule_docs():
        page = docs_dir / "rules" / f"{doc.name}.md"
        text = ruledoc.page(doc)
        if not page.exists() or page.read_text() != text:
            page.write_text(text)
            changed.append(page)
    return changed


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    for page in write_pages(root / "docs"):
        print(f"wrote {page.relative_to(root)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
