# ruff: noqa: E501  -- Markdown tables keep one row a line
"""The description of the safemap rule: what `gomapfix explain`, `--list-transforms`, SARIF, the
interactive review and docs/rules/safemap.md say about it, written once."""

from __future__ import annotations

from codemod.ruledoc import ExampleSetup, RuleDoc, RuleOption

DOC = RuleDoc(
    name="safemap",
    summary="replace a map written from several goroutines with a generated, mutex-guarded safeMap",
    severity="error",
    fixes="safe",
    safety="safe when the map is unexported and does not escape the package, otherwise unsafe",
    finds=(
        "A map - package variable, struct field, or local variable captured by closures - written "
        "inside a goroutine and also read or written elsewhere with no sync.Mutex or sync.RWMutex "
        "held; and any map declaration marked //gomapfix:safemap."
    ),
    why=(
        "Go maps are not safe for concurrent use: a write concurrent with any other access is a data "
        'race, and the runtime stops the whole program when it detects one ("fatal error: concurrent '
        'map writes"), a fatal error that recover cannot catch.'
    ),
    fix=(
        "The map becomes a safeMap[K, V] generated once into the package (gomapfix_safemap.go: "
        "mutex-protected, pointer receivers, zero value usable; Load, Store, Delete, LoadOrStore, "
        "Update, Len, Range over a snapshot, Keys, Clear), with a build-tagged maps helper pair split"
        " at go1.23; non-generic shims below go 1.18. Every operation is rewritten (m[k] = v to "
        "m.Store(k, v), v, ok := m[k] to m.Load(k), m[k]++ to Update, range to Range); nested values "
        "change through Update. Any use that cannot be rewritten with certainty blocks the fix with a"
        ' finding naming it. A flat sync.Map keyed by "region:id" strings is not an equivalent: keys '
        "collide."
    ),
    before="""
    var hits = map[string]int{}

    func record(paths []string) {
        var wg sync.WaitGroup
        for _, p := range paths {
            wg.Add(1)
            go func() {
                defer wg.Done()
                hits[p]++
            }()
        }
        wg.Wait()
    }
""",
    after="""
    var hits safeMap[string, int]

    func record(paths []string) {
        var wg sync.WaitGroup
        for _, p := range paths {
            wg.Add(1)
            go func() {
                defer wg.Done()
                hits.Update(p, func(v int, _ bool) int { return v + 1 })
            }()
        }
        wg.Wait()
    }
""",
    setup=ExampleSetup(imports=("sync",)),
    options=(
        RuleOption(
            "helper-file",
            "[A-Za-z0-9_][A-Za-z0-9_.-]*\\.go",
            "the file name of the generated safeMap shim (default gomapfix_safemap.go)",
        ),
        RuleOption(
            "exported-callers",
            "",
            "true: take an exported function or method that no code of the package calls to be"
            " callable from any goroutine, and report a race with it as a warning with an unsafe fix"
            " (default false: such a race depends on callers gomapfix cannot see, and is not reported)",
            boolean=True,
        ),
        RuleOption(
            "launchers",
            "",
            "true: also take the function literal of a launch statement, `wg.Go(func() {...})`"
            " (sync.WaitGroup.Go, errgroup.Group.Go), to run on a goroutine of its own, waited for"
            " by `wg.Wait()` (default false: measured on too little code yet)",
            boolean=True,
        ),
    ),
    reference=r"""
A Go map written by one goroutine while another reads or writes it crashes the
program (`fatal error: concurrent map writes` / `concurrent map read and map write`).
`safemap` finds such a map and replaces it with a mutex-guarded `safeMap` that
gomapfix generates into your package (no new dependency), rewriting every use.

**What it reports.** A map — package-level variable, field of a named struct
type, or local variable captured by a closure — declared with an explicit
`map[K]V` type (written, `make(map[K]V)` or `map[K]V{}`; named map types are left
alone) that is

- written in place (`m[k] = v`, `m[k]++`, `m[k] += v`, `delete`, `clear`,
  `m[k][k2] = v`; replacing the whole map, `m = make(...)`, races on the variable, not
  inside a map, and a SafeMap would not change that) inside a goroutine the package
  starts — the function literal
  of a `go` statement, the function or method it names, and package functions
  and methods those call (two levels deep) — to a map the spawning goroutine can
  reach as well (a package variable, a captured variable, the receiver or an
  argument of the `go` call; not a map created inside the goroutine), and
- used somewhere outside that goroutine (or the `go` statement is in a loop, or
  several `go` statements reach it with the same object),

with no mutex held at the write, and none at the other use either unless no write of the
map holds a lock (a lock held on one side only orders nothing). Lock recognition is shared with `deepcopy`
(`mu.Lock(); defer mu.Unlock()`, Lock…Unlock regions, embedded mutexes, `RLock`);
in addition a function named `…Locked`, or one whose every call in the package
is made with a lock held, counts as locked. A declaration marked with a
`//gomapfix:safemap` comment (on the line above, or at the end of the line) is
converted regardless of goroutines.

**Not a race** (no finding): a map that is only ever replaced, never written in place
(`c.names = load()` on one goroutine, `c.names[k]` on others: concurrent reads of a map do
not crash; the replacement races on the field itself, which `go test -race` reports and a
safeMap would not fix); accesses ordered by the `go` statement itself (the launcher
fills the map before `go f(m)`) or by a wait the goroutine's end signals (`wg.Wait()` with
`wg.Done()` in the goroutine, `<-done` with `close(done)`), when one goroutine is started;
a go statement in a loop that hands each goroutine an object of its own (`c := newConn(x);
go c.serve()`, c not used after the go statement; `for _, w := range workers { go w.run(&wg) }`,
the elements taken to be distinct); goroutines that each create the object they work on
(`c := newClient()` inside the goroutine); a use in a function whose every caller, followed
up the call graph (recursion included), runs in that same goroutine, or that is handed on as
a value only there (`filepath.WalkDir(root, visit)` inside the goroutine: gomapfix takes the
callee to run the callback on the calling goroutine); a use in a function called only after
a call of the function that starts the goroutine and waits for it (`fill(t); report(t)`);
goroutines that several go statements start on one object when each spawner waits for its
goroutine before it goes on (`go r.launch(); <-r.signal`: they run one after the other);
a use of an object's map after waiting, on every path to it, for the end of the object's own
goroutine (`go f.loop()` where loop starts with `defer close(f.term)` or `defer f.wg.Done()`,
then `<-f.term`, `f.wg.Wait()` or `f.wait()` on the same variable before the use), when the
goroutine writes the map through its receiver; a `for v := range ch` loop that only ends
when the goroutine closes ch (no break, return or goto in it) waits like `<-done`; a map
declared in a loop's body and captured by the goroutine that iteration starts belongs to
that goroutine alone; a use through a local that the same function has just made a new object
for (`r := &report{}; r.m = make(...)`), before anything hands that object on, and a use in
an unexported method reached only from calls on such a new object, through receivers
(`mgr := &Controller{...}; for _, mc := range mgr.mc { mc.init() }; return mgr`, where init
calls `m.store.load()`), in a function that starts no goroutine: the call runs before the
object is handed on, so no goroutine can hold it yet;
accesses made with a lock held, striped locks (`s.locks[i]`), functions whose doc comment
says the caller holds the lock, and a goroutine's function literal that releases with a
top-level `defer mu.Unlock()` a lock its spawner took just before the go statement, and a
`go func() {...}()` its spawner starts with a lock held and waits for before it returns,
and a function literal handed, with a lock held, to a function of the package that only
calls it directly (`set.eachPartition(func(...) {...})`) included;
a function literal started in a range loop with the element as its argument
(`go func(b *Broker) {...}(b)`) works on an object of its own. A go statement in a loop that
starts a method only on taking the one token of a channel (`case <-m.stopped: go m.loop()`),
which the method hands back when it returns (`defer func() { m.stopped <- struct{}{} }()`)
and which holds a single token (put in right after `m.stopped = make(chan struct{}, 1)`),
runs one loop per object at a time.

**Races with callers outside the package.** When the only use that races with the
goroutine is in an exported function or method that no code of the package calls
(`func (b *B) ReportMetric(...)`), which goroutine runs it is up to callers gomapfix cannot
see, and how the package means it to be called (before the goroutine starts its work, or
only from the goroutine it hands the object to) is rarely written in the code. The same holds
when a goroutine runs twice at once only because go statements reached from different
exported functions start it on one object (`Run` and `Stats` each start one on `r`; `Start`,
through a helper or a `sync.Once`, and `UnsafeStart`) and no code of the package calls them. Such a race
is not reported by default. With `exported-callers = true` in `[transforms.safemap]` it is
a warning that names that function, and its fix is unsafe.

**Launchers.** With `launchers = true` in `[transforms.safemap]`, the function literal of a
launch statement (`wg.Go(func() {...})`, `g.Go(func() error {...})`: a method named `Go`
called with one function literal) counts as a goroutine the package starts, as `go func()
{...}()` does, and `wg.Wait()` on its launcher waits for it; the fan-out fix below then works
on it too. It is off by default: on the real-code sample it found no hazard and one false
positive (a lazily filled cache whose every caller asks for the key the constructor put in).

**A local map filled by goroutines and returned** after they finish (a fan-out) cannot
become a safeMap; the fix declares a mutex next to it (`var countsMu sync.Mutex`) and holds
it around each statement of the goroutines that touches the map, when every other access is
in the declaring function and ordered with the goroutines (before the loop that starts
them, or after the wait). When some of the goroutines' statements already hold a local
mutex of that function (`var mu sync.Mutex`), and no other lock, the fix takes that mutex
around the others instead of declaring a second one (`mu.Lock(); m[id] = v; mu.Unlock()`).
The function still returns an ordinary map, complete.

**The shim.** The fix adds, once per package (later runs reuse the files and
never duplicate them):

| file | build constraint | contents |
| --- | --- | --- |
| `gomapfix_safemap.go` | none | `type safeMap[K comparable, V any]` |
| `gomapfix_maps_go123.go` | `go1.23 && !gomapfix_fallback` | key/clone helpers on std `maps` and `slices` |
| `gomapfix_maps_fallback.go` | `!go1.23 \|\| gomapfix_fallback` | the same helpers as plain loops |

Each file starts with `// Code generated by gomapfix. DO NOT EDIT.` and says how
to regenerate it (delete it and run `gomapfix --select safemap --write`).
The type is unexported, so a safe fix adds no public API to the package (a map whose
exported type must change gets an unsafe fix, and says so). `safeMap`'s zero value is
an empty map ready to use; all methods have pointer receivers (a safeMap must not be
copied; `go vet` reports copies):

| method | meaning |
| --- | --- |
| `Load(k) (V, bool)` | the value and whether it is present (zero value when missing) |
| `Store(k, v)` | set |
| `Delete(k)` | remove (no-op when missing) |
| `LoadOrStore(k, v) (V, bool)` | the present value, or store v — atomically |
| `Update(k, func(v V, ok bool) V)` | read, change and store in one step, under the write lock |
| `Len() int` | number of keys |
| `Range(func(k K, v V) bool)` | iterate over a snapshot; the callback may call any method; false stops |
| `Keys() []K` | the keys, never nil |
| `Clear()` | remove all keys |

The `go1.N` build tags are satisfied by the toolchain, not by go.mod, so the
go1.23 file is used by Go 1.23 and later toolchains and the fallback by older
ones (std `maps.Keys` returns an iterator only since 1.23). Both give identical
results. To exercise the fallback on a new toolchain:

    go test -tags gomapfix_fallback ./...
    go test -race -tags gomapfix_fallback ./...

Modules whose go.mod says `go` below 1.18 (or has no go.mod `go` line known to
allow generics) get non-generic shims instead: one type per key/value pair in
`gomapfix_safemap.go`, named after the types (`safeMapStringInt`,
`safeMapStringTimeTime`, ...), with the same methods. When a later run needs a
new pair, the file is rewritten with the union of the types it already declares
and the new ones.

**Rewrite rules** (`X` is the map expression, `v` a fresh name):

| before | after |
| --- | --- |
| `var m = make(map[K]V)`, `var m map[K]V`, `m := map[K]V{}` | `var m safeMap[K, V]` (in an aligned `var (...)` group: `m = safeMap[K, V]{}`) |
| struct field `m map[K]V` | `m safeMap[K, V]` when the struct is only used through pointers; `m *safeMap[K, V]` when it is copied by value (copies keep sharing one map) |
| `T{m: make(map[K]V)}` | `T{m: safeMap[K, V]{}}` (`&safeMap[K, V]{}` for a pointer field) |
| `x := X[k]`, `x = X[k]`, `var x = X[k]` | `x, _ := X.Load(k)` (and the `=`/`var` forms) |
| `x, ok := X[k]` (any comma-ok form) | `x, ok := X.Load(k)` |
| `X[k]` elsewhere in a statement (`return X[k]`, `f(X[k])`, `if X[k] > 0 {`) | `v, _ := X.Load(k)` on the line before, `X[k]` → `v` |
| `X[k] = e` | `X.Store(k, e)` |
| `X[k]++`, `X[k] += e`, `X[k] = X[k] * 2`, `X[k] = append(X[k], e)` | `X.Update(k, func(v V, _ bool) V { return v + e })` |
| `if X[k] == nil { X[k] = e }` | one `X.Update` that stores e only when the value is nil |
| `X[k][k2] = e`, `X[k][k2]++`, `delete(X[k], k2)`, `clear(X[k])` | `X.Update(k, ...)` on a copy of the inner map (copy-on-write: inner maps handed out by `Load`/`Range` are never written again, so reading them needs no lock) |
| `delete(X, k)`, `clear(X)`, `len(X)` | `X.Delete(k)`, `X.Clear()`, `X.Len()` |
| `for k, v := range X { ... }` | `X.Range(func(k K, v V) bool { ...; return true })`, `continue` → `return true`, `break` → `return false` |
| `X = make(...)`, `X = nil` | `X.Clear()` (a pointer field: `X = &safeMap[K, V]{}` / unchanged) |
| `if X == nil { X = make(...) }` | removed (the zero safeMap is ready) |

A read is moved to the line before its statement only where Go's evaluation
order allows it (the spec does not order map index expressions against calls):
the key calls nothing, and the read is not on the right of `&&`/`||`, in an
`else if` or loop condition, or on a line shared with other code. Code that runs
inside `Update` holds the map's write lock, so it must not call functions or read
the map again. Moved expressions are re-spaced the way gofmt spaces them at
their new depth (`m[i+1]` becomes `m.Load(i + 1)`).

**When there is no fix.** Any use that cannot be rewritten with certainty blocks
the whole fix, and the finding names it by file and expression (no line numbers,
so messages are stable across runs), for example
`not rewritten: cache.go: \`json.Marshal(m)\` passes the map to a function`:
taking the map's address, passing it to a function (including `fmt` and
`reflect`), copying it to another variable, returning it, storing it in a
literal, comparing a value-shaped map with nil outside the lazy-init pattern, a
range loop that returns, defers, uses `goto` or leaves through a label, a
labeled range loop, a read guarded by `&&`/`||`, an `Update` body that would call
a function or read the map, a field selector whose operand type cannot be told,
a non-empty map literal as initial value, a struct literal of a pointer-shaped
field that leaves it nil (`T{}`, `new(T)`, `var t T`), a file of the package that
does not parse, an external `_test` package, or a package that already declares
`safeMap` (or a helper name) itself. Nested inner-map writes in a module below
go 1.18 are blocked too (no generic clone helper).

**Safety.** The fix is safe for unexported maps of unexported types. It is
unsafe (applied only with `--unsafe-fixes`) when the map, or the struct holding
it, is exported — other packages may use it as a map or copy the struct — and
when a field becomes a `*safeMap`, since a zero struct made in a way gomapfix
cannot see (`make([]T, n)`, a missing map key) holds a nil safeMap, whose methods
panic where a nil map's reads returned nothing.

**Behaviour changes to know.** `Range` iterates over a snapshot: entries stored
or deleted by the callback are not seen by the ongoing loop (the Go spec leaves
that unspecified for maps anyway). Copy-on-write inner maps mean an inner map
obtained before a nested write does not see that write. `m = make(...)` becomes
`m.Clear()`, which is the same for every reader of `m`.
""",
)
