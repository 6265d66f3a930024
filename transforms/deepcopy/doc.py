# ruff: noqa: E501  -- Markdown tables keep one row a line
"""The description of the deepcopy rule: what `gomapfix explain`, `--list-transforms`, SARIF, the
interactive review and docs/rules/deepcopy.md say about it, written once."""

from __future__ import annotations

from codemod.ruledoc import ExampleSetup, RuleDoc, RuleOption

DOC = RuleDoc(
    name="deepcopy",
    summary="hand out a copy, taken under the lock, of an inner map that leaves a locked function",
    severity="warning",
    fixes="safe",
    safety="safe when the function is unexported or does not promise aliasing",
    finds=(
        "An inner map (or any map reached through a nested map or a struct field) that leaves a "
        "function while a sync.Mutex or sync.RWMutex is held - returned, sent on a channel, stored "
        "where it outlives the lock, passed to or captured by a goroutine, or read after the Unlock -"
        " when the package also writes that map under the same lock (otherwise no writer races with "
        "the reader). In a package that starts goroutines, one of them must take part: the leak "
        "hands the map to one, or one runs the read or such a write, or an HTTP handler of the "
        "package does (option exported-callers: also when none does)."
    ),
    why=(
        "The lock protects the map only while it is held. Once `return c.m[k]` hands the inner map "
        "out, the caller reads it without the lock while another goroutine writes it under the lock: "
        'a data race, which go test -race reports and which the runtime may end with "fatal error: '
        'concurrent map read and map write" - not a panic that recover can catch.'
    ),
    fix=(
        "Return a copy taken while the lock is still held: maps.Clone for a single level (go.mod go "
        "1.21 or later), otherwise a nil-preserving clone helper generated once per package into "
        "gomapfix_clone.go (generic from go 1.18, one helper per type below). A nil map stays nil. "
        "The copy is shallow at the value level: pointer values (*T) are still shared, and a "
        "value-cloning variant is offered as an unsafe fix. A copy is still a Go map: it does not "
        "make passing it to C legal."
    ),
    before="""
    func (c *Cache) Users(region string) map[string]*User {
        c.mu.RLock()
        defer c.mu.RUnlock()
        return c.byRegion[region]
    }
""",
    after="""
    func (c *Cache) Users(region string) map[string]*User {
        c.mu.RLock()
        defer c.mu.RUnlock()
        return maps.Clone(c.byRegion[region])
    }
""",
    setup=ExampleSetup(
        imports=("sync",),
        declarations="type User struct{ Name string }\n\ntype Cache struct {\n\tmu       sync.RWMutex\n"
        "\tbyRegion map[string]map[string]*User\n}\n\n"
        "func (c *Cache) Add(region, id string, u *User) {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n"
        "\tif c.byRegion[region] == nil {\n\t\tc.byRegion[region] = map[string]*User{}\n\t}\n"
        "\tc.byRegion[region][id] = u\n}\n\n"
        "func NewCache(feed <-chan *User) *Cache {\n\tc := &Cache{byRegion: map[string]map[string]*User{}}\n"
        "\tgo c.follow(feed)\n\treturn c\n}\n\n"
        'func (c *Cache) follow(feed <-chan *User) {\n\tfor u := range feed {\n\t\tc.Add("eu", u.Name, u)\n\t}\n}\n',
    ),
    options=(
        RuleOption(
            "helper-file",
            "[A-Za-z0-9_][A-Za-z0-9_.-]*\\.go",
            "the file name of the generated clone helpers (default gomapfix_clone.go)",
        ),
        RuleOption(
            "exported-callers",
            "",
            "true: also report a leak in a package that starts goroutines when none of them takes"
            " part, and one in a test helper package (default false: those races need goroutines"
            " the package does not start, and are not reported)",
            boolean=True,
        ),
    ),
    reference=r"""
## Every route out of the lock

Finds a map-typed value — `c.m[k]`, `c.m`, `registry[region]`, `c.byID[id].tags`, a
local assigned from one, or the value variable of `for k, inner := range c.m` — that is
read while a lock guarding it is held and then leaves the locked region:

| route | example | where the copy is taken |
|---|---|---|
| returned | `return c.m[k]`, `return &Reply{Users: c.m[k]}` | at the return (the lock is still held while return values are evaluated) |
| sent on a channel | `ch <- c.m[k]` | at the send |
| stored where it outlives the lock | `reply.Roles = c.m[k]`, `out[id] = inner` with `out` returned | at the store |
| passed to a `go` statement | `go report(c.m[k])` | at the argument (evaluated before the goroutine starts) |
| captured by a goroutine, or read after `Unlock` | `m := c.m[k]; c.mu.Unlock(); return m` | at the read, under the lock |
| a shallow copy of a nested map | `return maps.Clone(c.m)` with `c.m` a `map[K]map[K2]V` | the call becomes `gomapfixCloneNested(c.m)` |

Lock shapes: `mu.Lock(); defer mu.Unlock()`, `defer func() { mu.Unlock() }()`, explicit
`Lock … Unlock` regions (an early `if … { mu.Unlock(); return }` does not end the
region after the `if`), `RLock`/`RUnlock`, embedded mutexes (`c.Lock()`), and
package-level mutexes guarding package-level maps. A mutex guards a map when both are
reached from the same variable (`c.mu` and `c.m`), or both are package-level. A finding
needs evidence of the race: some function of the package must write that map (`m[k] = v`,
`m[k]++`, `delete`, `clear`, `maps.Copy`, `maps.DeleteFunc`, `maps.Insert`, also through a local holding it) while holding the same lock.
**Goroutines of the package.** A package that starts no goroutine running its own code
leaves concurrency to its callers, and its lock says they may call from several goroutines:
its leaks are reported. In a package that starts goroutines, a leak is reported only when one
of them takes part: the leak hands the map to a goroutine (`go report(c.m[k])`, a captured
local), or a goroutine of the package (the function of a `go` statement and, two calls down,
what that calls) runs the leaking read or a write of the same map under the same lock; the
message names that goroutine. An HTTP handler of the package counts as such a goroutine: a
function, method or literal taking an http.ResponseWriter (or a `*gin.Context`, an
`echo.Context`, a `*fiber.Ctx`), or a function it calls (two calls up, a method only when its
name is declared once in the package), since the server runs each request on a goroutine of
its own (`middleware` calling `s.record(path)`, which writes the map
under the lock; handlers in test files do not count). There the package's own goroutines are known and none of them
touches the map, so the race would need goroutines started elsewhere (start-up code that
fills a registry before the goroutines run, say). A package that only test files of other
packages import (a test helper, such as an in-memory fake of a store), and an exported
function that only test files of other packages call, are treated like test files. Set `exported-callers = true` under `[transforms.deepcopy]` to report those leaks too.
Writes made only while the package initialises do not count: in `init`, or in a package
function called only from such functions (for an exported one, named by no other package of
the module that imports this one), such as a registry filled by `Register` calls in `init()`.
A map taken out of the structure before it is handed over (`m := c.m; c.m = nil`, or
`inner := c.m[k]; delete(c.m, k)`) is not reported.

The copy depends on the `go` line of go.mod:

| go.mod | one map level | two levels (`map[K]map[K2]V`) |
|---|---|---|
| ≥ 1.21 | `maps.Clone(x)` (adds `import "maps"`) | `gomapfixCloneNested(x)` |
| 1.18 – 1.20 | `gomapfixClone(x)` | `gomapfixCloneNested(x)` |
| < 1.18, or a key type that may be an interface below 1.20 | `gomapfixCloneMapStringPtrUser(x)` — one helper per map type | `gomapfixCloneRegionIndex(x)` |

The helpers live in one generated file per package, `gomapfix_clone.go` (`// Code
generated by gomapfix. DO NOT EDIT.`). Each helper is recorded in the file, so a later run
rewrites the file whole with the old helpers plus the new ones, never duplicates one, and
never touches a `gomapfix_clone.go` that gomapfix did not generate. The generic helpers use
`~map` constraints, so a named map type (`type regionIndex map[string]map[string]*User`)
comes back as itself.

Every copy preserves nil: a nil map gives nil (so `return c.m[k]` of a missing key still
returns nil), a nil inner map stays nil and an empty one stays empty, so `encoding/json`
prints the copy as it printed the original. Pointer values (`*User`) stay shared with the
original — the message says so — and when they point to a type that can be copied, a
second, **unsafe** fix copies them too (`gomapfixCloneValues`, `gomapfixCloneNestedValues`:
new pointers, so identity changes). A copy is still a Go map: it does not make passing the
map to C legal (see `map-to-c`).

**Not reported.** A map that is never mutated in place after it is handed out (every
write fills a map made fresh in the same locked region: `c.m = make(...); c.m[k] = v`);
an alias read after the Unlock only under the same lock again, only compared with nil, or
only for a field holding a number, string or bool; a borrow chosen beside a copy (`if doCopy
{ st.P = s.copyP() } else { st.P = s.p }`: the author offers both, and the borrow's callers
are documented to hold the lock); and findings in `_test.go` files, where the maps are
usually read after the writing goroutines are done.

**Safety.** The fix is *safe* when the function is unexported or its doc comment does not
promise aliasing. It is *unsafe* (a suggestion) when an exported function's doc comment
promises the map itself ("returns the underlying map", "not a copy", "shared", …), when code
of the package (for an exported function, of any package of the module) writes through the
map the function returns (those writes would go to the copy): indexing it as an assignment
target, `delete`, `clear`, `maps.Copy` into it, passing it to a function of its package that
does, or through one wrapper that returns it; or when the values have another package's type or an interface type that may hold
maps of its own (a copy would still share them). There is no fix, and the message says
why, for maps three levels deep, for values that hold maps (`map[string]userSet` with a
struct `userSet` holding a map), and when the copy cannot be placed where the lock is held
(`m, ok := c.m[k]` read after `Unlock`). The message explains the race in one sentence
either way.
""",
)
