"""Unified diffs that `git apply` and `patch -p1` accept, byte for byte.

Lines keep their own terminators, so CRLF files diff as CRLF; a last line
without a newline gets git's "\\ No newline at end of file" marker; created
files diff against /dev/null.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

NO_EOL = b"\\ No newline at end of file\n"


def display_path(path: Path, base: Path | None = None) -> str:
    """path relative to base (default: the current directory), with forward slashes."""
    base = base or Path.cwd()
    try:
        rel = os.path.relpath(path, base)
    except ValueError:
        rel = str(path)
    return rel.replace(os.sep, "/")


def unified_diff(
    path: Path, old: bytes | None, new: bytes, context: int = 3, base: Path | None = None
) -> bytes:
    """A git-style unified diff of one file (old None means the file is created)."""
    name = display_path(path, base).encode()
    a = (old or b"").splitlines(keepends=True)
    b = new.splitlines(keepends=True)
    out = [b"diff --git a/" + name + b" b/" + name + b"\n"]
    if old is None:
        out += [b"new file mode 100644\n", b"--- /dev/null\n"]
    else:
        out.append(b"--- a/" + name + b"\n")
    out.append(b"+++ b/" + name + b"\n")
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        a1, a2 = group[0][1], group[-1][2]
        b1, b2 = group[0][3], group[-1][4]
        out.append(b"@@ -" + _range(a1, a2) + b" +" + _range(b1, b2) + b" @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [_line(b" ", line) for line in a[i1:i2]]
                continue
            out += [_line(b"-", line) for line in a[i1:i2]]
            out += [_line(b"+", line) for line in b[j1:j2]]
    return b"".join(out)


def _range(start: int, stop: int) -> bytes:
    length = stop - start
    first = start + 1 if length else start
    return str(first).encode() if length == 1 else f"{first},{length}".encode()


def _line(prefix: bytes, line: bytes) -> bytes:
    if line.endswith(b"\n"):
        return prefix + line
    return prefix + line + b"\n" + NO_EOL
