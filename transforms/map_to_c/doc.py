# ruff: noqa: E501  -- Markdown tables keep one row a line
"""The description of the map-to-c rule: what `gomapfix explain`, `--list-transforms`, SARIF, the
interactive review and docs/rules/map-to-c.md say about it, written once."""

from __future__ import annotations

from codemod.ruledoc import ExampleSetup, RuleDoc

DOC = RuleDoc(
    name="map-to-c",
    summary="report Go maps, and values holding one, passed to C (a panic under the default cgocheck)",
    severity="error",
    fixes="none",
    safety="no fix: detection only",
    finds=(
        "An argument of a C function call that is a Go map, a pointer to one, unsafe.Pointer(&m), or "
        "a value of a struct type of the same package that contains a map at any depth (through "
        "fields, pointers and arrays) - including a wrapper type made by wrap-inner-map."
    ),
    why=(
        "A map always contains Go pointers, and cgo forbids passing C a Go pointer to memory that "
        'contains Go pointers. Under the default GODEBUG=cgocheck=1 the call panics at run time ("Go '
        "pointer to unpinned Go map\"); go vet's cgocall check sees only the direct cases. Maps cannot"
        " be pinned (runtime.Pinner panics on them), and copying or wrapping the map does not make it"
        " legal."
    ),
    fix=(
        "None automatic. Copy what C needs into C memory (C.malloc, C.CString) and free it after the "
        "call, or pass a cgo.Handle (runtime/cgo): C keeps the integer and hands it back to an "
        "exported Go function, which gets the map with h.Value()."
    ),
    before="""
    type entry struct{ data map[string]*string }

    func publish(e *entry) {
        C.publish(unsafe.Pointer(e))
    }
""",
    after="""
    type entry struct{ data map[string]*string }

    func publish(e *entry) {
        h := cgo.NewHandle(e)
        defer h.Delete()
        C.publish(C.uintptr_t(h))
    }
""",
    setup=ExampleSetup(
        preamble="static void publish(void *p) { (void)p; }",
        preamble_after="#include <stdint.h>\nstatic void publish(uintptr_t h) { (void)h; }",
    ),
    reference=r"""
## What it reports

On the code of [examples/incident](../../examples/incident), for instance:

```
publish.go:25:21: map-to-c: s.members map[string]*User reaches C.publish_snapshot through
p := unsafe.Pointer(s): a Go map is a pointer to Go memory that holds more Go pointers, and
maps cannot be pinned, so under the default GODEBUG=cgocheck=1 this call panics ("Go pointer
to unpinned Go pointer") whenever the map is not nil. Copy the entries into C memory
(C.malloc, C.CString) or pass a cgo.Handle (cgo.NewHandle) instead. Wrapping the map in a
struct, or copying it, does not make it legal to pass.
```

Reports each argument of a `C.f(...)` call that hands C Go memory containing a map:
`unsafe.Pointer(&m)`, `(*C.char)(unsafe.Pointer(&m))`, `unsafe.Pointer(p)` or
`(*C.struct_x)(unsafe.Pointer(&s))` where the pointed-to type — a struct, array or slice
element of the package, at any depth, following pointer fields — contains a map,
`*(*unsafe.Pointer)(unsafe.Pointer(&m))`, and the same through local variables
(`p := unsafe.Pointer(s); q := p; C.f(q)`), the forms `go vet`'s cgocall check does not
follow. The message names the path to the map (`t.root.leaves[i].tags map[string]bool`)
and how the argument gets there. A struct wrapper such as wrap-inner-map generates, and a
copy made by deepcopy or `maps.Clone`, are reported the same way. As with cgo itself, a
field pointer written at the call (`C.f(unsafe.Pointer(&e.n))`) is checked for that field
only, while the same pointer passed through a variable (`p := unsafe.Pointer(&e.n); C.f(p)`)
is checked — by the runtime and by the rule — for the whole object it points into. Severity
`error`, no fix: pass C memory the entries are copied into, or a `cgo.Handle`
(`C.f(C.uintptr_t(cgo.NewHandle(m)))`, which C can hand back to Go). With `--check` it makes
gomapfix exit 1.

Limits: types of other packages are opaque (a `url.Values` passed to C is not reported);
a pointer into C memory typed as a Go struct is reported although the runtime does not
check C memory; pointers reach C only through conversions and local variables, not
through other functions' results.
""",
)
