"""The rule catalogue: what every gomapfix rule finds, why it matters, and how it is fixed.

One entry per rule name that can appear in a finding, whether or not its
transform is registered in this version. The texts are the source of
`gomapfix explain RULE`, of the SARIF rule descriptions (help text, default
level) and of the per-transform options that .gomapfix.toml may set.

Every statement here follows the verified semantics in the project's
REMEDIATION notes: the hazards are finalizer races across cgo calls, Go maps
reaching C, and unsynchronised map access; no Go release is blamed.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

UNUSED_IGNORE = "unused-ignore"
"""The rule under which --report-unused-ignores reports suppressions that suppressed nothing."""


@dataclass(frozen=True)
class RuleOption:
    """One per-transform option of .gomapfix.toml, in the table [transforms.RULE].

    Attributes:
        name: the TOML key, e.g. "helper-file".
        pattern: a regular expression the (string) value must match in full.
        description: one sentence for the documentation and error messages.
    """

    name: str
    pattern: str
    description: str

    def accepts(self, value: object) -> bool:
        return isinstance(value, str) and re.fullmatch(self.pattern, value) is not None


@dataclass(frozen=True)
class Rule:
    """The documentation of one rule.

    Attributes:
        name: the rule name used in findings, --select/--ignore and //gomapfix:ignore.
        summary: one line, for listings and SARIF shortDescription.
        severity: the default severity of its findings ("error", "warning" or "info").
        safety: how its fixes are applied by default, in words.
        finds, why, fix: paragraphs of plain text (no line breaks needed).
        before, after: a Go example; after is empty for detection-only rules.
        options: the keys its [transforms.NAME] table in .gomapfix.toml accepts.
    """

    name: str
    summary: str
    severity: str
    safety: str
    finds: str
    why: str
    fix: str
    before: str
    after: str = ""
    options: tuple[RuleOption, ...] = field(default=())

    def option(self, name: str) -> RuleOption | None:
        return next((o for o in self.options if o.name == name), None)


_GO_FILE = r"[A-Za-z0-9_][A-Za-z0-9_.-]*\.go"
_IDENT_PART = r"[A-Za-z0-9_]+"

# Module level: its comment line is as long as the one gomapfix writes.
_WRAP_AFTER = """
var byRegion = map[string]byRegionInner{}

// byRegionInner is one inner map of map[string]map[string]*User, wrapped by gomapfix (wrap-inner-map).
type byRegionInner struct {
    data map[string]*User
}

func add(region, id string, u *User) {
    if byRegion[region].data == nil {
        byRegion[region] = byRegionInner{data: map[string]*User{}}
    }
    byRegion[region].data[id] = u
}
"""

RULES: tuple[Rule, ...] = (
    Rule(
        name="keepalive",
        summary="keep an owner object alive after a C call that receives only its C handle",
        severity="warning",
        safety="safe when the package finalizes the owner's type, otherwise unsafe (--unsafe-fixes)",
        finds="A call of a C function that receives only a C handle read from a Go object - "
        "C.f(w.c), C.f((*C.char)(w.buf)), C.f(unsafe.Pointer(w.p)) - with nothing that keeps "
        "the object itself alive until the call returns.",
        why="When the object frees its C memory in a finalizer or cleanup (runtime.SetFinalizer, "
        "runtime.AddCleanup), the garbage collector may run it as soon as the handle has been "
        "loaded, while the C function is still using that memory: a use-after-free that shows "
        "up rarely and under load. cgo keeps the arguments of a call alive for its duration, "
        "not the object they were read from, so keeping the argument (w.c) alive does nothing.",
        fix="runtime.KeepAlive(w) - the object, never w.c - on a path after the call: on the next "
        "line for a call statement; `defer runtime.KeepAlive(w)` at the top of the function for "
        "`return C.f(w.c)` and calls in if/for/switch headers; inside the goroutine for calls in "
        "a `go` statement. runtime is imported the gofmt way, never between the cgo preamble "
        'and import "C". The fix is safe when the package registers a finalizer or cleanup for '
        "the object's type; without that evidence it is only suggested (unsafe).",
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
    ),
    Rule(
        name="wrap-inner-map",
        summary="make the inner maps of a nested map a named wrapper type, every use site rewritten",
        severity="info",
        safety="safe when nothing exported changes, otherwise unsafe (an API break)",
        finds="A nested map type map[K]map[K2]V whose inner values carry pointers (pointers, "
        "slices, maps, channels, functions, interfaces, or structs holding them), wherever it "
        "is spelled: declarations, struct fields, parameters and results, make(...), composite "
        "literals, named types and aliases.",
        why="An inner map is a reference: `inner := outer[k]` shares it, so an inner map handed "
        "out of a locked method or to another goroutine is still the same map, and writes "
        "through it race with every other access. A named wrapper type turns the inner map "
        "into a value that can carry methods (copy, lock, JSON) and makes each place that "
        "hands it out visible. Wrapping alone does not make code race-free, and it does not "
        "make the map legal to pass to C.",
        fix="One named struct type per nested type and package, named after the declaration "
        "(byRegion gets `type byRegionInner struct{ data map[string]*User }`), and "
        "map[K]byRegionInner; every use site "
        "in the package is rewritten (outer[k][k2] = v becomes outer[k].data[k2] = v; len, "
        "range, delete and nil checks go through .data; lazy initialisation stores a whole "
        "wrapper). MarshalJSON/UnmarshalJSON are generated when the type is marshalled, so the "
        "wire format stays byte-identical. A declaration with a use that cannot be rewritten "
        "with certainty gets a finding naming that use, and no fix.",
        before="""
            var byRegion = map[string]map[string]*User{}

            func add(region, id string, u *User) {
                if byRegion[region] == nil {
                    byRegion[region] = map[string]*User{}
                }
                byRegion[region][id] = u
            }
        """,
        after=_WRAP_AFTER,
        options=(
            RuleOption(
                "wrapper-suffix",
                _IDENT_PART,
                "the suffix of the wrapper type's name, appended to the declaration's name "
                "(default Inner: byRegion gets byRegionInner; letters, digits and underscores)",
            ),
        ),
    ),
    Rule(
        name="deepcopy",
        summary="hand out a copy of an inner map taken under the lock, not the map itself",
        severity="warning",
        safety="safe when the function is unexported or does not promise aliasing",
        finds="An inner map (or any map reached through a nested map or a struct field) that "
        "leaves a function while a sync.Mutex or sync.RWMutex is held - returned, sent on a "
        "channel, stored where it outlives the lock, passed to or captured by a goroutine, or "
        "read after the Unlock - when the package also writes that map under the same lock "
        "(otherwise no writer races with the reader).",
        why="The lock protects the map only while it is held. Once `return c.m[k]` hands the "
        "inner map out, the caller reads it without the lock while another goroutine writes it "
        "under the lock: a data race, which go test -race reports and which the runtime may end "
        'with "fatal error: concurrent map read and map write" - not a panic that recover '
        "can catch.",
        fix="Return a copy taken while the lock is still held: maps.Clone for a single level "
        "(go.mod go 1.21 or later), otherwise a nil-preserving clone helper generated once per "
        "package into gomapfix_clone.go (generic from go 1.18, one helper per type below). "
        "A nil map stays nil. The copy is shallow at the value level: pointer values (*T) are "
        "still shared, and a value-cloning variant is offered as an unsafe fix. A copy is still "
        "a Go map: it does not make passing it to C legal.",
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
        options=(
            RuleOption(
                "helper-file",
                _GO_FILE,
                "the file name of the generated clone helpers (default gomapfix_clone.go)",
            ),
        ),
    ),
    Rule(
        name="map-to-c",
        summary="a Go map, or a value containing one, is passed to a C function",
        severity="error",
        safety="no fix: detection only",
        finds="An argument of a C function call that is a Go map, a pointer to one, "
        "unsafe.Pointer(&m), or a value of a struct type of the same package that contains a "
        "map at any depth (through fields, pointers and arrays) - including a wrapper type made "
        "by wrap-inner-map.",
        why="A map always contains Go pointers, and cgo forbids passing C a Go pointer to memory "
        "that contains Go pointers. Under the default GODEBUG=cgocheck=1 the call panics at run "
        'time ("Go pointer to unpinned Go map"); go vet\'s cgocall check sees only the direct '
        "cases. Maps cannot be pinned (runtime.Pinner panics on them), and copying or wrapping "
        "the map does not make it legal.",
        fix="None automatic. Copy what C needs into C memory (C.malloc, C.CString) and free it "
        "after the call, or pass a cgo.Handle (runtime/cgo): C keeps the integer and hands it "
        "back to an exported Go function, which gets the map with h.Value().",
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
    ),
    Rule(
        name="safemap",
        summary="replace a map written from several goroutines by a generated SafeMap shim",
        severity="error",
        safety="safe when the map is unexported and does not escape the package, otherwise unsafe",
        finds="A map - package variable, struct field, or local variable captured by closures - "
        "written inside a goroutine and also read or written elsewhere with no sync.Mutex or "
        "sync.RWMutex held; and any map declaration marked //gomapfix:safemap.",
        why="Go maps are not safe for concurrent use: a write concurrent with any other access "
        "is a data race, and the runtime stops the whole program when it detects one "
        '("fatal error: concurrent map writes"), a fatal error that recover cannot catch.',
        fix="The map becomes a SafeMap[K, V] generated once into the package (gomapfix_safemap.go: "
        "mutex-protected, pointer receivers, zero value usable; Load, Store, Delete, "
        "LoadOrStore, Update, Len, Range over a snapshot, Keys, Clear), with a build-tagged "
        "maps helper pair split at go1.23; non-generic shims below go 1.18. Every operation is "
        "rewritten (m[k] = v to m.Store(k, v), v, ok := m[k] to m.Load(k), m[k]++ to Update, "
        "range to Range); nested values change through Update. Any use that cannot be "
        "rewritten with certainty blocks the fix with a finding naming it. A flat sync.Map "
        'keyed by "region:id" strings is not an equivalent: keys collide.',
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
            var hits SafeMap[string, int]

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
        options=(
            RuleOption(
                "helper-file",
                _GO_FILE,
                "the file name of the generated SafeMap shim (default gomapfix_safemap.go)",
            ),
        ),
    ),
    Rule(
        name=UNUSED_IGNORE,
        summary="a //gomapfix:ignore directive that suppressed nothing",
        severity="warning",
        safety="safe: removes the directive or its unused rule names",
        finds="With --report-unused-ignores: a //gomapfix:ignore directive, or a rule named in "
        "one, that suppressed no finding in this run, and rule names in a directive that are "
        "not gomapfix rules. A directive naming only rules that were not run is not reported; "
        "a directive without rule names is reported only when every rule was run.",
        why="A stale suppression hides the next real finding on its line without anyone "
        "deciding to, and a misspelt rule name suppresses nothing at all.",
        fix="Remove the directive (the whole comment line when it stands alone), or only the "
        "rule names in it that suppressed nothing, keeping the reason.",
        before="""
            C.widget_touch(w.c) //gomapfix:ignore keepalive,safemap -- owner kept alive by caller
        """,
        after="""
            C.widget_touch(w.c) //gomapfix:ignore keepalive -- owner kept alive by caller
        """,
    ),
)


def by_name() -> dict[str, Rule]:
    """Every catalogued rule by name."""
    return {r.name: r for r in RULES}


def rule(name: str) -> Rule | None:
    """The catalogue entry for name, or None for an unknown rule."""
    return by_name().get(name)


def go_source(block: str) -> str:
    """An example as Go source: dedented, with gofmt's tabs for each 4-space indent step."""
    lines = textwrap.dedent(block).strip("\n").split("\n")
    out = []
    for line in lines:
        stripped = line.lstrip(" ")
        out.append("\t" * ((len(line) - len(stripped)) // 4) + stripped)
    return "\n".join(out) + "\n"


def _code(block: str) -> str:
    return textwrap.indent(go_source(block).expandtabs(4), "    ")


def _para(text: str) -> str:
    return textwrap.fill(text, width=88, initial_indent="  ", subsequent_indent="  ") + "\n"


def explain(name: str) -> str:
    """The full explanation printed by `gomapfix explain NAME`.

    Raises KeyError for a name that is not in the catalogue.
    """
    r = by_name()[name]
    parts = [
        f"{r.name}: {r.summary}\n",
        f"severity: {r.severity}; fixes: {r.safety}\n\n",
        "What it finds\n",
        _para(r.finds),
        "\nWhy it matters\n",
        _para(r.why),
        "\nThe fix\n",
        _para(r.fix),
        "\nBefore\n" if r.after else "\nExample\n",
        _code(r.before),
    ]
    if r.after:
        parts += ["\nAfter\n", _code(r.after)]
    if r.options:
        parts.append(f"\nOptions (.gomapfix.toml, table [transforms.{r.name}])\n")
        parts += [_para(f"{o.name}: {o.description}") for o in r.options]
    if r.name != UNUSED_IGNORE:
        parts.append("\nSilence one finding with a comment on its line or the line above:\n")
        parts.append(f"    //gomapfix:ignore {r.name} -- reason\n")
    return "".join(parts)


def markdown(name: str) -> str:
    """The explanation as Markdown (for SARIF help.markdown)."""
    r = by_name()[name]
    out = [
        f"**{r.name}**: {r.summary}\n\n",
        f"**What it finds.** {r.finds}\n\n",
        f"**Why it matters.** {r.why}\n\n",
        f"**The fix** ({r.safety}). {r.fix}\n\n",
        "```go\n" + go_source(r.before) + "```\n",
    ]
    if r.after:
        out.append("\nbecomes\n\n```go\n" + go_source(r.after) + "```\n")
    return "".join(out)
