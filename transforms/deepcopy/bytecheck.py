"""Which files may write a map under a lock, told from their bytes before parsing them.

A leak is reported only against a write of the same map made while holding the same lock
(guarded.guarded_writes): an assignment to an index expression (`m[k] = v`, `m[k] op= v`,
`m[k]++`, `a, m[k] = ...`), or a call of delete, clear, maps.Copy, maps.DeleteFunc or
maps.Insert, in a function that takes the lock with an acquiring call before it
(gofacts.locks.held_at counts only lock statements of the write's own function that come
first). may_write_under_lock reads a file's blanked code (gofacts.regionbytes) function by
function for such a write after such a call: False means the parse finds none either.
"""

from __future__ import annotations

import re

from codemod import gobytes
from codemod.context import FileContext
from gofacts.locks import ACQUIRE_CALL
from gofacts.regionbytes import functions

_WRITE = re.compile(
    rb"\][\s)]*(?:" + gobytes.ASSIGN_OP + rb"|,[^\n;]*?(?<![=!<>:])=(?!=)|,\s*\n)"
    rb"|(?<![\w\x80-\xff])(?:delete|clear|Copy|DeleteFunc|Insert)\s*\("
)
"""After an index, an assignment operator, `++` or `--` (`,` and an `=` on the line for a
list of targets, or a list that goes on below); or a call that writes its first argument."""


def may_write_under_lock(f: FileContext) -> bool:
    """False when no function of f writes a map after an acquiring lock call."""
    code = f.code
    first = ACQUIRE_CALL.search(code)
    if first is None:
        return False
    chunks = functions(code)
    if chunks is None:
        return _WRITE.search(code, first.end()) is not None
    spans = [(0, chunks[0][0] if chunks else len(code))] + [(start, end) for start, end, _ in chunks]
    for start, end in spans:  # the code before the first function too: its function literals
        lock = ACQUIRE_CALL.search(code, start, end)
        if lock is not None and _WRITE.search(code, lock.end(), end) is not None:
            return True
    return False
