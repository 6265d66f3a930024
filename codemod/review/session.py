"""The interactive review's state machine: one question per finding, one key per answer.

Session.run walks Plan.items in order (by file, then position) and, for each,
shows its fix and reads a key:

    y  accept this fix                 n  reject it (remembered)
    a  accept it and the rest of file  d  skip it and the rest of the file
    A  accept it and everything left   e  edit the proposed file in $EDITOR
    ?  explain the finding             q  quit, writing what was accepted
    x  abort, writing nothing          Tab / 1-9  pick an alternative fix

"Rest of the file" and "everything left" take each remaining finding's
first (best) fix. A finding one of whose fixes overlaps a fix accepted before
it is first rebased onto the code the accepted fixes produce (Plan.rebase):
it is shown, edited and accepted there, or skipped with a note when it is no
longer found there, so an accepted fix never hides another. Rejecting a
finding rejects all of its alternatives, and each is recorded in the
DecisionStore (which the caller saves only if the session was not aborted).
Skipped findings are not remembered.

Editing (e): the file is written to a temporary directory as gomapfix would
produce it with the fixes accepted so far plus this one, and $EDITOR (else
$VISUAL, else vi) is run on it. Content that no longer parses is refused
(edit again or discard). Otherwise its diff against the original is shown
and, if accepted, the edited content becomes that file's final result: the
fix counts as accepted (its changes to other files, if any, are made by the
engine), and the remaining findings of that file, and any later fix that
would also edit it, are skipped, since the engine's fixes apply to the
original bytes and cannot be replayed over hand-made changes. Run gomapfix
again to review them against the edited file.

Ctrl-C (KeyboardInterrupt) or x raises Aborted: nothing is written.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from codemod import syntax
from codemod.diff import display_path
from codemod.model import Finding, Fix
from codemod.review.decisions import DecisionStore
from codemod.review.plan import Chosen, Item, Plan, overlaps
from codemod.review.prompt import TAB, Prompt
from codemod.review.render import Progress, View

KEYS = ("y", "n", "a", "d", "A", "e", "?", "q", "x")
EDIT_KEYS = ("y", "n", "e", "x")
BAD_EDIT_KEYS = ("e", "n", "x")


class Aborted(Exception):
    """The user aborted the review; nothing may be written.

    status is the exit status: 130 after Ctrl-C, 1 after x.
    """

    def __init__(self, status: int) -> None:
        super().__init__("aborted")
        self.status = status


@dataclass
class Outcome:
    """The decisions of a finished (or quit) review.

    Attributes:
        accepted: the chosen fix of every accepted finding, in review order.
        rejected: the rejected findings.
        skipped: findings left undecided (d, q, or a file edited by hand).
        edited: final content of each file the user edited by hand.
        quit: whether the user quit before the end.
    """

    accepted: list[tuple[Item, Fix]] = field(default_factory=list)
    rejected: list[Item] = field(default_factory=list)
    skipped: list[Item] = field(default_factory=list)
    edited: dict[Path, bytes] = field(default_factory=dict)
    quit: bool = False

    @property
    def chosen(self) -> list[Chosen]:
        """(finding, fix) of every accepted fix, for Plan.replay."""
        return [(i.finding, fix) for i, fix in self.accepted]


Explainer = Callable[[Finding], str]


def editor_command() -> list[str]:
    """The user's editor as an argument list: $EDITOR, else $VISUAL, else vi."""
    for var in ("EDITOR", "VISUAL"):
        value = os.environ.get(var, "").strip()
        if value:
            return shlex.split(value)
    return ["vi"]


class Session:
    """One review: asks through prompt, shows through view, records rejections in store."""

    def __init__(self, plan: Plan, prompt: Prompt, view: View, store: DecisionStore, explain: Explainer):
        self.plan = plan
        self.prompt = prompt
        self.view = view
        self.store = store
        self.explain = explain
        self.outcome = Outcome()
        self._mode = ""  # "", "all", "quit"
        self._file_mode: dict[Path, str] = {}  # path -> "accept" | "skip"

    def run(self) -> Outcome:
        """Ask about every item; raises Aborted on x or Ctrl-C/Ctrl-D."""
        try:
            for item in self.plan.items:
                self._decide(item)
        except (KeyboardInterrupt, EOFError):
            raise Aborted(130) from None
        return self.outcome

    def _decide(self, item: Item) -> None:
        out = self.outcome
        mode = self._mode or self._file_mode.get(item.path, "")
        touched = {p for fix in item.finding.fixes for p in fix.paths} | {item.path}
        if self._mode == "quit" or mode == "skip" or touched & out.edited.keys():
            out.skipped.append(item)
            return
        current = self._current(item)
        if current is None:
            out.skipped.append(item)
        elif mode in ("all", "accept"):
            out.accepted.append((current, current.finding.fixes[0]))
        else:
            self._ask(current)

    def _current(self, item: Item) -> Item | None:
        """item as it will be applied: rebased onto the code the accepted fixes produce when one
        of its fixes overlaps an accepted fix (Plan.rebase); None, with a note, when the
        finding is not found on that code any more."""
        # In the original bytes' offsets: a rebased fix's own offsets are on other code.
        accepted = [g for i, f in self.outcome.accepted for g in (i.origin.fixes if i.base else (f,))]
        if not any(overlaps(fix, other) for fix in item.finding.fixes for other in accepted):
            return item
        rebased = self.plan.rebase(item, self.outcome.chosen)
        if rebased is None:
            self.view.note(
                f"fix {item.number}/{len(self.plan.items)} ({self._where(item)}) is skipped: the fixes "
                "you accepted change its code, and gomapfix finds nothing to fix there any more"
            )
        return rebased

    def _ask(self, item: Item) -> None:
        fixes = item.finding.fixes
        alt = 0
        show = True
        keys = KEYS
        if len(fixes) > 1:
            keys += (TAB, *(str(n) for n in range(1, min(len(fixes), 9) + 1)))
        while True:
            fix = fixes[alt]
            if show:
                progress = Progress(item.number, len(self.plan.items), item.file_number, self.plan.files)
                changes = self.plan.changes(fix, item.base)
                self.view.fix(item.finding, fix, alt, progress, changes, self._note(item, fix))
                show = False
            key = self.prompt(f"Apply this fix [{','.join(KEYS)}]?", keys)
            if key == TAB or key.isdigit():
                new = (alt + 1) % len(fixes) if key == TAB else int(key) - 1
                show, alt = new != alt, new
            elif key == "?":
                self.view.explain(self.explain(item.finding))
            elif key == "e":
                edited = self._edit(item, fix)
                if edited is None:
                    show = True
                    continue
                self.outcome.edited[item.path] = edited
                self.outcome.accepted.append((item, fix))
                return
            elif key == "x":
                raise Aborted(1)
            else:
                self._apply(key, item, fix)
                return

    def _apply(self, key: str, item: Item, fix: Fix) -> None:
        out = self.outcome
        if key in ("y", "a", "A"):
            out.accepted.append((item, fix))
        elif key == "n":
            out.rejected.append(item)
            for fp in item.fingerprints:
                self.store.reject(fp)
        else:
            out.skipped.append(item)
        if key in ("a", "d"):
            self._file_mode[item.path] = "accept" if key == "a" else "skip"
        elif key == "A":
            self._mode = "all"
        elif key == "q":
            self._mode = "quit"
            out.quit = True

    def _note(self, item: Item, fix: Fix) -> str | None:
        """A note when fix is shown on code an accepted fix changed (a rebased item), or when it
        overlaps a later fix of the review (which is then shown on the code this one changes,
        if accepted)."""
        if item.base is not None:
            chosen = {i.number for i, _ in self.outcome.accepted}
            origin = item.origin or item.finding
            before = [
                other
                for other in self.plan.items
                if other.number in chosen
                and any(overlaps(a, b) for a in origin.fixes for b in other.finding.fixes)
            ]
            names = ", ".join(f"fix {o.number} ({self._where(o)})" for o in before) or "a fix"
            return (
                f"note: {names}, which you accepted, changes this code: the fix is shown, and "
                "applied, on the code as it will be written"
            )
        for other in self.plan.items:
            if other.number > item.number and overlaps(fix, other.finding.fixes[0]):
                return (
                    f"note: this fix overlaps fix {other.number} ({self._where(other)}): if you "
                    f"accept both, fix {other.number} is shown, and applied, on the code this one "
                    "changes"
                )
        return None

    def _where(self, item: Item) -> str:
        return f"{item.finding.rule} at {self.view.path(item.path)}:{item.finding.span.line}"

    def _edit(self, item: Item, fix: Fix) -> bytes | None:
        """Let the user edit the proposed file; the accepted content, or None to go back."""
        path = item.path
        content = self.plan.proposed(path, [*self.outcome.chosen, (item.finding, fix)])
        with tempfile.TemporaryDirectory(prefix="gomapfix-edit-") as tmp:
            scratch = Path(tmp) / path.name
            while True:
                scratch.write_bytes(content)
                command = [*editor_command(), str(scratch)]
                try:
                    status = subprocess.run(command).returncode
                except OSError as e:
                    self.view.error(f"cannot run editor {command[0]!r}: {e.strerror or e}; edit discarded")
                    return None
                if status != 0:
                    self.view.error(f"editor {command[0]!r} exited with status {status}; edit discarded")
                    return None
                content = scratch.read_bytes()
                error = syntax.first_error(syntax.parse(content))
                if error is not None:
                    row, col = error.start_point
                    self.view.error(
                        f"{display_path(path)}: the edited file has a syntax error at line {row + 1}, "
                        f"column {col + 1}; it cannot be used as it is"
                    )
                    self.view.lines(["e edit again (your changes are kept) · n discard the edit · x abort"])
                    answer = self.prompt("Edit again [e,n,x]?", BAD_EDIT_KEYS)
                else:
                    self.view.diff(path, self.plan.originals[path], content)
                    self.view.lines(["y use the edited file · n discard the edit · e edit again · x abort"])
                    answer = self.prompt("Use the edited file [y,n,e,x]?", EDIT_KEYS)
                if answer == "x":
                    raise Aborted(1)
                if answer == "n":
                    return None
                if answer == "y":
                    return content
