"""deepcopy's byte check (transforms.deepcopy.bytecheck): a file is parsed for the writers a
leak races with only when its bytes may write a map after an acquiring lock call in the same
function. Every test of the suite also checks each file the check passes over against
guarded_writes (the autouse fixture of conftest.py); these are the shapes a scan most easily
gets wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from codemod.context import FileContext
from gofacts.locks import acquires
from transforms.deepcopy.bytecheck import may_write_under_lock
from transforms.deepcopy.guarded import guarded_writes

HEADER = 'package p\n\nimport "sync"\n\nvar mu sync.Mutex\n\nvar m = map[string]map[string]int{}\n\n'

WRITES = {
    "an assignment": "func f(k string) {\n\tmu.Lock()\n\tdefer mu.Unlock()\n\tm[k] = nil\n}\n",
    "an increment": "func f(k string) {\n\tmu.Lock()\n\tm[k][k]++\n\tmu.Unlock()\n}\n",
    "one of several targets": "func f(k string) {\n\tmu.Lock()\n\tm[k], _ = nil, 1\n\tmu.Unlock()\n}\n",
    "targets over two lines": "func f(k string) {\n\tmu.Lock()\n\tm[k],\n\t\t_ = nil, 1\n\tmu.Unlock()\n}\n",
    "a parenthesized target": "func f(k string) {\n\tmu.Lock()\n\t(m[k]) = nil\n\tmu.Unlock()\n}\n",
    "a delete": "func f(k string) {\n\tmu.RLock()\n\tdelete(m, k)\n\tmu.RUnlock()\n}\n",
    "a function literal of a package variable": "var f = func(k string) {\n\tmu.Lock()\n\tm[k] = nil\n"
    + "\tmu.Unlock()\n}\n",
    "a function declared mid-line": "var _ = 1; func f(k string) {\n\tmu.Lock()\n\tm[k] = nil\n"
    + "\tmu.Unlock()\n}\n",
}


@pytest.mark.parametrize("source", WRITES.values(), ids=WRITES.keys())
def test_a_write_under_a_lock_is_let_through(source: str) -> None:
    content = (HEADER + source).encode()
    f = FileContext(Path("w.go"), content)
    assert guarded_writes([(f, acquires(f))]) != {}
    assert may_write_under_lock(f)


NONE = {
    "a write before the lock": "func f(k string) {\n\tm[k] = nil\n\tmu.Lock()\n\tmu.Unlock()\n}\n",
    "a lock in another function": "func f(k string) {\n\tm[k] = nil\n}\n\n"
    + "func g() {\n\tmu.Lock()\n\tmu.Unlock()\n}\n",
    "reads and comparisons only": "func f(k string) bool {\n\tmu.Lock()\n\tdefer mu.Unlock()\n"
    + "\treturn m[k] == nil || len(m[k]) >= 1\n}\n",
    "a write in a comment": "func f(k string) {\n\tmu.Lock()\n\t// m[k] = nil\n\tmu.Unlock()\n}\n",
}


@pytest.mark.parametrize("source", NONE.values(), ids=NONE.keys())
def test_a_file_with_no_write_under_a_lock_is_passed_over(source: str) -> None:
    content = (HEADER + source).encode()
    f = FileContext(Path("w.go"), content)
    assert guarded_writes([(f, acquires(f))]) == {}
    assert not may_write_under_lock(f)
