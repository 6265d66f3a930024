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
    safety="safe when the finalizer is followed to the field the call receives, else unsafe",
    finds=(
        "A call of a C function that receives only a C handle read from a Go object - C.f(w.c), "
        "C.f((*C.char)(w.buf)), C.f(w.native()) through an accessor method - when a finalizer or "
        "cleanup registered anywhere in the module for the object's type (or a type it reaches "
        "through a pointer, embedded ones included) releases that handle, and nothing keeps the "
        "object itself alive until the call returns. Without such a finalizer, collecting the "
        "object frees nothing: no finding."
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
        " The fix is safe when gomapfix follows the finalizer to the field the call receives; when "
        "the finalizer cannot be followed (a function value, a literal that ignores its argument), "
        "it is only suggested (unsafe)."
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

**Where the handle comes from.** A field of the owner (`w.c`, `w.inner.c`, fields promoted
from embedded types, also types declared in other packages of the module); an accessor
method (`C.f(v.native())`), whose body, after nil guards, returns a receiver field as is,
converted (`(*C.GtkWidget)(unsafe.Pointer(v.GObject))`), through a local, through a
one-argument C cast helper of the preamble, or through another accessor; a C pointer
converted from an owner's field (`p := (*C.cred_t)(o.ptr); C.GoString(p.user)` keeps `o`
alive, not `p`).

**Which finalizers count.** `runtime.SetFinalizer` and `runtime.AddCleanup` calls anywhere
in the module (not in other modules, whose code gomapfix does not read), for the owner's
type or a type the chain to the handle reaches through a pointer (an embedded `*Object`).
What the finalizer releases is followed through function literals, method expressions
(`(*Stmt).Close`, also of a promoted method), method values handed to helpers
(`strategy(v.free)`) and package functions; a finalizer that provably does not touch the
field the call receives is no evidence (a field the registering function sets from the
same pointer as a released one, `&Commit{Object: Object{ptr: (*C.object)(p)}, castPtr: p}`,
counts as released with it), and an empty cleanup (which only ties lifetimes)
releases nothing (a finalizer of an embedded type further along the chain then counts:
an empty `AddCleanup` on the outer object does not hide the embedded object's finalizer).
No finalizer or cleanup for the type: no finding.

**What already keeps the owner alive** (no finding): `runtime.KeepAlive(w)` after the
call, or deferred before it; a deferred call holding `w` (`defer w.Close()`), or a pointer
into it (`defer w.mu.Unlock()` with `mu` a value field); any later read of `w` on a path
after the call (a field, an argument, a composite literal element, a comparison); a local
that holds `w` (`it := &iter{c: w}`) and is used after the call; `w` handed to Go code by
the same call (`C.set(w.db, register(w))`, a handle table); a `KeepAlive` of the variable
`w` was taken from (`o := obj.AsObject()`); every call of an unexported function whose
receiver or parameter `w` is keeps its argument alive past the call, itself or through its
own callers when it passes on a parameter of its own (three levels: `Compress` puts the
pooled context back after `compress(w)`, which calls `compressInternal(w)`); a call made by
the finalizer on the object it finalizes, or on a field of a variable used after the call
(`info.m.release(); info.m = nil`), keeps that argument alive.

**Safety.** The fix is *safe* when the finalizer is followed to the field the call receives
and that field has a C, `unsafe.Pointer`, `uintptr` or `cgo.Handle` type; otherwise it is
*unsafe* (a suggestion, applied only with `--unsafe-fixes`, and not failing `--check`
without it). Calls that pass only C values, fresh C memory (`C.CString(s)`) or plain Go
values get no finding; nor do calls inside the finalizer itself, owners whose type cannot
be told, or package-level owners (always reachable). A second run changes nothing.
""",
)
