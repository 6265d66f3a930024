"""safemap's byte check (transforms.safemap.bytecheck, over gofacts.regionbytes): it must let
through every package where the parse finds a race, whatever shape the bytes take, and rule
out the packages whose goroutines change no declared map, or change one only under a lock.

Every test of the suite also checks each package the byte check rules out against the whole
analysis (the autouse fixture of conftest.py); the cases here are the byte shapes a scan most
easily gets wrong.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_module

from codemod.api import fix_paths
from codemod.context import FileContext, PackageContext
from codemod.gobytes import blanked
from gofacts.regionbytes import RegionBytes
from transforms.safemap.bytecheck import may_report

HEADER = "package p\n\n"
STRUCT = "type S struct {\n\tm map[string]int\n}\n\n"


def _reported(tmp_path: Path, source: str) -> list[str]:
    module = write_module(tmp_path / "m", {"p.go": source})
    report = fix_paths([module], select=["safemap"])
    return [f.message for f in report.findings]


def _package(source: str) -> PackageContext:
    f = FileContext(Path("/p/p.go"), source.encode())
    return PackageContext(Path("/p"), "p", [f], (1, 22))


LOCKED = 'import "sync"\n\ntype S struct {\n\tmu sync.Mutex\n\tm  map[string]int\n}\n\n'
RUN = (
    "func (s *S) start(k string) {\n\tgo s.run(k)\n\ts.m[k] = 2\n}\n\n"
    + "func (s *S) run(k string) {\n\ts.mu.Lock()\n"
)
"""A struct whose map a goroutine writes in run, which takes the lock first (the body follows)."""


RACES = {
    "index on several lines": STRUCT
    + "func (s *S) start(a, b string) {\n\tgo func() {\n\t\ts.m[key(\n\t\t\ta,\n\t\t\tb)] = 1\n\t}()\n"
    + "\ts.m[a] = 2\n}\n\nfunc key(a, b string) string { return a + b }\n",
    "an index opened at the end of its line": STRUCT
    + "func (s *S) start(k string) {\n\tgo func() {\n\t\ts.m[\n\t\t\tk] = 1\n\t}()\n"
    + "\ts.m[k] = 2\n}\n",
    "an index holding a semicolon": STRUCT
    + "func (s *S) start(k string) {\n\tgo func() {\n"
    + "\t\ts.m[func() string { x := k; return x }()] = 1\n\t}()\n\ts.m[k] = 2\n}\n",
    "a lock deferred from the line above": 'import "sync"\n\n'
    + "type S struct {\n\tmu sync.Mutex\n\tm  map[string]int\n}\n\n"
    + "func (s *S) start(k string) {\n\tgo s.run(k)\n\ts.m[k] = 2\n}\n\n"
    + "func (s *S) run(k string) {\n\tdefer\n\ts.mu.Lock()\n\ts.m[k] = 1\n}\n",
    "delete over several lines": STRUCT
    + "func (s *S) start(k string) {\n\tgo func() {\n\t\tdelete(\n\t\t\ts.m,\n\t\t\tk)\n\t}()\n"
    + "\ts.m[k] = 2\n}\n",
    "a parenthesized method": STRUCT
    + "func (s *S) start(k string) {\n\tgo (s.run)(k)\n\ts.m[k] = 2\n}\n\n"
    + "func (s *S) run(k string) {\n\ts.m[k]++\n}\n",
    "a method declared mid-line": STRUCT
    + "func (s *S) start(k string) {\n\tgo s.run(k)\n\ts.m[k] = 2\n}\n\n"
    + "var _ = 1; func (s *S) run(k string) {\n\ts.m[k]++\n}\n",
    "two calls down": STRUCT
    + "func (s *S) start(k string) {\n\tgo s.run(k)\n\ts.m[k] = 2\n}\n\n"
    + "func (s *S) run(k string) {\n\ts.step(k)\n}\n\n"
    + "func (s *S) step(k string) {\n\ts.put(k)\n}\n\n"
    + "func (s *S) put(k string) {\n\ts.m[k] = 1\n}\n",
    "a lock released before the write": 'import "sync"\n\n'
    + "type S struct {\n\tmu sync.Mutex\n\tm  map[string]int\n}\n\n"
    + "func (s *S) start(k string) {\n\tgo s.run(k)\n\ts.m[k] = 2\n}\n\n"
    + "func (s *S) run(k string) {\n\ts.mu.Lock()\n\ts.mu.Unlock()\n\ts.m[k] = 1\n}\n",
    "a lock taken in a block that has closed": 'import "sync"\n\n'
    + "type S struct {\n\tmu sync.Mutex\n\tm  map[string]int\n}\n\n"
    + "func (s *S) start(k string) {\n\tgo s.run(k)\n\ts.m[k] = 2\n}\n\n"
    + 'func (s *S) run(k string) {\n\tif k != "" {\n\t\ts.mu.Lock()\n\t\tdefer s.mu.Unlock()\n\t}\n'
    + "\ts.m[k] = 1\n}\n",
    "a lock taken in another case clause": 'import "sync"\n\n'
    + "type S struct {\n\tmu sync.Mutex\n\tm  map[string]int\n}\n\n"
    + "func (s *S) start(k string) {\n\tgo s.run(k)\n\ts.m[k] = 2\n}\n\n"
    + 'func (s *S) run(k string) {\n\tswitch k {\n\tcase "a":\n\t\ts.mu.Lock()\n\t\tdefer s.mu.Unlock()\n'
    + '\tcase "b":\n\t\ts.m[k] = 1\n\t}\n}\n',
    "a local declared with var in the spawner": "func start(k string) int {\n"
    + "\tvar seen = make(map[string]int)\n\tgo func() { seen[k]++ }()\n\treturn len(seen)\n}\n",
    "a package variable declared in a group": "var (\n\tn    = 1\n\thits = map[string]int{}\n)\n\n"
    + "func start(k string) {\n\tgo func() { hits[k] = n }()\n\thits[k]++\n}\n",
    "a lock released in a block that goes on": LOCKED
    + RUN
    + '\tif k == "" {\n\t\ts.mu.Unlock()\n\t\tprintln(k)\n\t}\n\ts.m[k] = 1\n}\n',
    "a lock released in a branch whose other branch returns": LOCKED
    + RUN
    + '\tif k == "" {\n\t\ts.mu.Unlock()\n\t} else {\n\t\treturn\n\t}\n\ts.m[k] = 1\n}\n',
    "a lock released before a block that returns": LOCKED
    + RUN
    + '\tif k == "" {\n\t\ts.mu.Unlock()\n\t\tif k != "x" {\n\t\t\treturn\n\t\t}\n\t}\n'
    + "\ts.m[k] = 1\n}\n",
    "a write after the release and the return of its own block": LOCKED
    + RUN
    + '\tif k == "" {\n\t\ts.mu.Unlock()\n\t\treturn\n\t\ts.m[k] = 1\n\t}\n}\n',
}


@pytest.mark.parametrize("source", RACES.values(), ids=RACES.keys())
def test_the_byte_check_lets_every_race_through(tmp_path: Path, source: str) -> None:
    assert may_report(_package(HEADER + source))
    messages = _reported(tmp_path, HEADER + source)
    assert len(messages) == 1, messages


NOTHING = {
    "no goroutine writes a map": STRUCT
    + "func (s *S) start(k string) {\n\tgo s.run(k)\n\ts.m[k] = 2\n}\n\n"
    + "func (s *S) run(k string) int {\n\treturn s.m[k]\n}\n",
    "the goroutine writes under a held lock": 'import "sync"\n\n'
    + "type S struct {\n\tmu sync.Mutex\n\tm  map[string]int\n}\n\n"
    + "func (s *S) start(k string) {\n\tgo s.run(k)\n}\n\n"
    + 'func (s *S) run(k string) {\n\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\tif k != "" {\n'
    + "\t\ts.m[k] = 1\n\t}\n}\n",
    "the writer's name says its callers lock": STRUCT
    + "func (s *S) start(k string) {\n\tgo s.run(k)\n}\n\n"
    + "func (s *S) run(k string) {\n\ts.addLocked(k)\n}\n\n"
    + "func (s *S) addLocked(k string) {\n\ts.m[k] = 1\n}\n",
    "the goroutine writes a map of its own": "func start() {\n\tgo func() {\n"
    + '\t\tseen := map[string]int{}\n\t\tseen["a"] = 1\n\t}()\n}\n',
    "a called function writes a local of its own": "var hits = map[string]int{}\n\n"
    + "func start() {\n\tgo count()\n}\n\n"
    + 'func count() {\n\tseen := make(map[string]int)\n\tseen["a"]++\n\thits = seen\n}\n',
    "the write is three calls down": STRUCT
    + "func (s *S) start(k string) {\n\tgo s.a(k)\n}\n\n"
    + "func (s *S) a(k string) {\n\ts.b(k)\n}\n\n"
    + "func (s *S) b(k string) {\n\ts.c(k)\n}\n\n"
    + "func (s *S) c(k string) {\n\ts.d(k)\n}\n\n"
    + "func (s *S) d(k string) {\n\ts.m[k] = 1\n}\n",
    "a called function writes a local a field's name spells": STRUCT
    + "func (s *S) start() {\n\tgo run()\n}\n\n"
    + 'func run() {\n\tm := map[string]int{}\n\tm["a"] = 1\n\tprintln(len(m))\n}\n',
    "the writer's name says its callers lock, and it returns a function": STRUCT
    + "func (s *S) start(k string) {\n\tgo s.run(k)\n}\n\n"
    + "func (s *S) run(k string) {\n\t_ = s.addLocked(k)\n}\n\n"
    + "func (s *S) addLocked(k string) func() {\n\ts.m[k] = 1\n\treturn nil\n}\n",
    "the only go statement is in a comment": STRUCT
    + "func (s *S) start(k string) {\n\t// go s.run(k)\n\ts.m[k] = 2\n}\n\n"
    + "func (s *S) run(k string) {\n\ts.m[k] = 1\n}\n",
    "the write is in a comment and a string": STRUCT
    + "func (s *S) start(k string) {\n\tgo func() {\n\t\t// s.m[k] = 1\n"
    + '\t\t_ = "s.m[k] = 1"\n\t}()\n}\n',
    "a lock released only on an early return": LOCKED
    + RUN
    + '\tif k == "" {\n\t\ts.mu.Unlock()\n\t\treturn\n\t}\n\ts.m[k] = 1\n\ts.mu.Unlock()\n}\n',
    "a lock released only before a panic": LOCKED
    + RUN
    + '\tif k == "" {\n\t\ts.mu.Unlock()\n\t\tpanic("empty")\n\t}\n\ts.m[k] = 1\n\ts.mu.Unlock()\n}\n',
    "a lock released only before the loop goes on": LOCKED
    + "func (s *S) start(k string) {\n\tgo s.run([]string{k})\n\ts.m[k] = 2\n}\n\n"
    + "func (s *S) run(keys []string) {\n\tfor _, k := range keys {\n\t\ts.mu.Lock()\n"
    + '\t\tif k == "" {\n\t\t\ts.mu.Unlock()\n\t\t\tcontinue\n\t\t}\n'
    + "\t\ts.m[k] = 1\n\t\ts.mu.Unlock()\n\t}\n}\n",
}


@pytest.mark.parametrize("source", NOTHING.values(), ids=NOTHING.keys())
def test_the_byte_check_rules_out_packages_with_no_racing_write(tmp_path: Path, source: str) -> None:
    assert not may_report(_package(HEADER + source))
    assert _reported(tmp_path, HEADER + source) == []


def test_a_package_with_no_go_statement_in_its_code_is_not_blanked() -> None:
    """Its `go` words are in comments and literals: no region starts, and no file of the
    package is blanked for the scan (what costs, in a package as large as a compiler's)."""
    source = HEADER + STRUCT + 'func (s *S) start() {\n\t/*\n\tgo s.run()\n\t*/\n\t_ = "\\tgo s.run()"\n}\n'
    pkg = _package(source)
    assert not may_report(pkg)
    assert all("code" not in vars(f) for f in pkg.sources)


def test_a_group_opened_without_a_blank_after_var_declares_a_map() -> None:
    source = HEADER + "var(hits map[string]int)\n\nfunc start(k string) {\n\tgo func() { hits[k] = 1 }()\n}\n"
    assert may_report(_package(source))


def test_a_go_statement_ends_where_its_own_brackets_close() -> None:
    source = HEADER + "func f() {\n\tdefer func() { go g() }()\n\tother()\n}\n"
    regions = RegionBytes([blanked(source.encode())])
    (go,) = regions.go_statements()
    assert regions.text(go) == b"go g() "


def test_a_go_statement_goes_on_over_the_lines_go_puts_no_semicolon_after() -> None:
    source = HEADER + "func f(s *S) {\n\tgo\n\ts.\n\t\trun(\n\t\t\t1)\n\tother()\n}\n"
    regions = RegionBytes([blanked(source.encode())])
    (go,) = regions.go_statements()
    assert regions.text(go) == b"go\n\ts.\n\t\trun(\n\t\t\t1)"


def test_a_function_declared_mid_line_makes_its_file_one_text() -> None:
    source = HEADER + "func a() {}; func b() { c() }\n\nfunc c() {}\n"
    starter = HEADER + "func start() { go b() }\n"
    regions = RegionBytes([blanked(source.encode()), blanked(starter.encode())])
    started, called = regions.spans()
    assert [regions.text(s) for s in started] == [b"go b() "]
    assert called == [(0, 0, len(regions.codes[0]))]  # b's text is the whole file, c included


INDEX_SHAPES = [
    "m[k] = 1",
    "s.m[k] += 1\nm [k]++\nm\n[k]--",
    "m[a][b] = v\nx[y[i]] = 1\nf()[k] = 1\n(m)[k] = 1",
    "a[i] = b[j]\nv := m[k]; m[k] = v\nm[k] == v",
    "\u00e9t\u00e9[k] = 1\n\u00a0m[k] = 1\nx\u00a0m[k] = 1\nm\u3000[k] = 1",
    "m[k] = 1; n[k] = 2\nm[k]\n= 1\nm[k]=1\tn[j] &^= 2",
    "[k] = 1\n m[\n k] = 1\n1m[k] = 2\n_m[k] = 3",
]


@pytest.mark.parametrize("text", INDEX_SHAPES)
def test_index_writes_are_what_the_pattern_finds_from_each_word(text: str) -> None:
    """_index_writes reads each write from its `[` back to the name: it must find exactly the
    matches of _INDEX_WRITE, the pattern that defines them, read from each word."""
    from transforms.safemap.bytecheck import _INDEX_WRITE, _index_writes

    code = text.encode()
    assert _index_writes(code) == [(m.group(1), m.start(1), m.start()) for m in _INDEX_WRITE.finditer(code)]
