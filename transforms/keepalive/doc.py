# ruff: noqa: E501  -- Markdown tables keep one row a line
"""The description of the keepalive rule: what `gomapfix explain`, `--list-transforms`, SARIF, the
interactive review and docs/rules/keepalive.md say about it, written once."""

from __future__ import annotations

from codemod.ruledoc import ExampleSetup, RuleDoc

DOC = RuleDoc(
    name="keepalive",
    summary="keep an owner object alive after a C call that receives only its C handle",
    severity="warning",
    fixes="safe",
    safety="safe when the package finalizes the owner's type, otherwise unsafe (--unsafe-fixes)",
    finds=(
        "A call of a C function that receives only a C handle read from a Go object - C.f(w.c), "
        "C.f((*C.char)(w.buf)), C.f(unsafe.Pointer(w.p)) - with nothing that keeps the object itself "
        "alive until the call returns."
    ),
    why=(
        "When the object frees its C memory in a finalizer or cleanup (runtime.SetFinalizer, "
        "runtime.AddCleanup), the garbage collector may run it as soon as the handle has been loaded,"
        " while the C function is still using that memory: a use-after-free that shows up rarely and "
        "under load. cgo keeps the arguments of a call alive for its duration, not the object they "
        "were read from, so keeping the argument (w.c) alive does nothing."
    ),
    fix=(
        "runtime.KeepAlive(w) - the object, never w.c - on a path after the call: on the next line "
        "for a call statement; `defer runtime.KeepAlive(w)` at the top of the function for `return "
        "C.f(w.c)` and calls in if/for/switch headers; inside the goroutine for calls in a `go` "
        'statement. runtime is imported the gofmt way, never between the cgo preamble and import "C".'
        " The fix is safe when the package registers a finalizer or cleanup for the object's type; "
        "without that evidence it is only suggested (unsafe)."
    ),
    before="""
    func (w *Widget) Touch() {
        C.widget_touch(w.c)
    }
""",
    after="""
    func (w *Widget) Touch() {
        C.widget_touch(w.c)
        runtime.KeepAlive(w)
    }
""",
    setup=ExampleSetup(
        preamble="#include <stdlib.h>\ntypedef struct { int n; } widget_state;\n"
        "static void widget_touch(widget_state *s) { s->n++; }",
        imports=("runtime", "unsafe"),
        declarations="type Widget struct{ c *C.widget_state }\n\nfunc NewWidget() *Widget {\n"
        "\tw := &Widget{c: (*C.widget_state)(C.malloc(C.sizeof_widget_state))}\n"
        "\truntime.SetFinalizer(w, func(w *Widget) { C.free(unsafe.Pointer(w.c)) })\n\treturn w\n}\n",
    ),
    reference=r"""
Finds calls of C functions that receive a C handle read from a Go object —
`C.f(w.c)`, `C.f((*C.char)(w.buf))`, `C.f(unsafe.Pointer(w.p))`, `C.f(w.inner.c)` —
and keeps the object (`w`, never `w.c`) alive after the call:

| form | fix |
|---|---|
| `C.f(w.c)`, `r := C.f(w.c)`, `x = C.f(w.c)` | `runtime.KeepAlive(w)` on the next line |
| `return C.f(w.c)`, `if C.f(w.c) != 0 {`, `for`/`switch` headers | `defer runtime.KeepAlive(w)` at the top of the function when `w` is a parameter or the receiver (and never reassigned); otherwise immediately before the statement — unless that is inside a loop, where deferred calls pile up: then a finding with no fix |
| `defer C.free(w.c)` | `defer runtime.KeepAlive(w)` before it (deferred calls run last-in, first-out) |
| `go func() { C.f(w.c) }()` | inside the goroutine, where the call runs (a one-line literal is laid out on several lines, as gofmt would) |
| several calls on the same `w` in one block | one `KeepAlive` after the last (any later use keeps `w` live during the earlier calls) |

`import "runtime"` is added where needed: into the standard-library run of an existing
import group, sorted; or as a separate `import "runtime"` after `import "C"` — never
between the cgo preamble and `import "C"`, never twice, and under an alias
(`goruntime`) when a local identifier named `runtime` would shadow it.

**Safety.** The fix is *safe* when the package registers a finalizer or cleanup for the
owner's type and the argument is a field of C, `unsafe.Pointer`, `uintptr` or
`cgo.Handle` type. Without that evidence it is *unsafe* (a suggestion, applied only with
`--unsafe-fixes`). Calls that pass only C values, fresh C memory (`C.CString(s)`) or
plain Go values get no finding; nor do calls inside the finalizer itself. An existing
`runtime.KeepAlive(w)` after the call, or `defer runtime.KeepAlive(w)` before it, is
recognised, so a second run changes nothing.
""",
)
