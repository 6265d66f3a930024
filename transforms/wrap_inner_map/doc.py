# ruff: noqa: E501  -- Markdown tables keep one row a line
"""The description of the wrap-inner-map rule: what `gomapfix explain`, `--list-transforms`, SARIF, the
interactive review and docs/rules/wrap-inner-map.md say about it, written once."""

from __future__ import annotations

from codemod.ruledoc import ExampleSetup, RuleDoc, RuleOption

DOC = RuleDoc(
    name="wrap-inner-map",
    default=False,
    summary="wrap the inner maps of nested maps in a named struct type and rewrite every use",
    severity="info",
    fixes="safe",
    safety="safe when nothing exported changes, otherwise unsafe (an API break)",
    finds=(
        "A nested map type map[K]map[K2]V whose inner values carry pointers (pointers, slices, maps, "
        "channels, functions, interfaces, or structs holding them), wherever it is spelled: "
        "declarations, struct fields, parameters and results, make(...), composite literals, named "
        "types and aliases."
    ),
    why=(
        "An inner map is a reference: `inner := outer[k]` shares it, so an inner map handed out of a "
        "locked method or to another goroutine is still the same map, and writes through it race with"
        " every other access. A named wrapper type turns the inner map into a value that can carry "
        "methods (copy, lock, JSON) and makes each place that hands it out visible. Wrapping alone "
        "does not make code race-free, and it does not make the map legal to pass to C."
    ),
    fix=(
        "One named struct type per nested type and package, named after the declaration (byRegion "
        "gets `type byRegionInner struct{ data map[string]*User }`), and map[K]byRegionInner; every "
        "use site in the package is rewritten (outer[k][k2] = v becomes outer[k].data[k2] = v; len, "
        "range, delete and nil checks go through .data; lazy initialisation stores a whole wrapper). "
        "MarshalJSON/UnmarshalJSON are generated when the type is marshalled, so the wire format "
        "stays byte-identical. A declaration with a use that cannot be rewritten with certainty gets "
        "a finding naming that use, and no fix."
    ),
    before="""
    var byRegion = map[string]map[string]*User{}

    func add(region, id string, u *User) {
        if byRegion[region] == nil {
            byRegion[region] = map[string]*User{}
        }
        byRegion[region][id] = u
    }
""",
    after="""
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
""",
    setup=ExampleSetup(declarations="type User struct{ Name string }\n"),
    options=(
        RuleOption(
            "wrapper-suffix",
            "[A-Za-z0-9_]+",
            (
                "the suffix of the wrapper type's name, appended to the declaration's name (default "
                "Inner: byRegion gets byRegionInner; letters, digits and underscores)"
            ),
        ),
    ),
    reference=r"""
`map[K]map[K2]V` whose inner values carry pointers (pointers, slices, maps, channels,
funcs, interfaces, and structs or named types of the package containing those) becomes
`map[K]W` with `type W struct{ data map[K2]V }`, a *named* struct stored by value and
declared once in the package, and every place in the package that touches it — test
files of the same package included — is rewritten so that the package compiles and
behaves as before:

| before | after |
|---|---|
| `outer[k] = inner` | `outer[k] = W{data: inner}` |
| `outer[k] = nil` | `outer[k] = W{}` |
| `outer[k][k2] = v` | `outer[k].data[k2] = v` |
| `if outer[k] == nil { outer[k] = make(...) }` | `if outer[k].data == nil { outer[k] = W{data: make(...)} }` (never the illegal `outer[k].data = ...`) |
| `len`, `range`, `delete`, `clear` of `outer[k]` | on `outer[k].data` |
| `v, ok := outer[k]` | unchanged; later uses of `v` become `v.data` |
| `{"a": {"b": &s}}` | `{"a": {data: map[string]*string{"b": &s}}}` |
| `f(outer[k])`, `return outer[k]`, `x := outer[k]` | `outer[k].data` |

It does not make code cgo-legal or race-free by itself; it gives the inner map a type
that can carry methods (copy, lock, JSON) and ends accidental aliasing at use sites.

**Naming.** The wrapper is `<base>Inner`, unexported and lower-camel (`ByRegion` →
`byRegionInner`, `URLMap` → `urlMapInner`). The base is the first named type or alias of
the nested type; without one, the name declared by its first spelling (a variable, field
or parameter; the function for an unnamed parameter or result; for a `make` or literal,
the variable it initialises, else the enclosing function), non-test files first, then by
path and position. If the name is taken anywhere in the package it becomes `…Inner2`,
`…Inner3`. The wrapper is declared right after that declaration, in a file without build
constraints. A second run finds the wrapped type and changes nothing.

**JSON.** When the package imports `encoding/json`, or the type is reachable through
exported API, the wrapper gets `MarshalJSON`/`UnmarshalJSON` delegating to the inner map,
so the wire format stays byte-identical (`%v` output of the wrapper does change).

**All or nothing, and safety.** One nested type, with its named types and aliases, is
rewritten only when every use can be; otherwise the finding names the first blocking use
(`blocked by use in store.go: reflect.ValueOf(idx)`) and offers no fix. Blocking uses
include passing the map to a function of another package or to a generic function
(`maps.Clone` included), converting it to an interface, `&m` (except for
`json.Unmarshal`/`Decode`), function and method values, channels, slices or pointers of
the type, type assertions, pointer receivers of a named type of the group, values of a
struct holding the map passed to `fmt` or reflection, files that do not parse, and
generated files. The fix is safe when no exported identifier changes type; otherwise it is
unsafe (an API break) and its message lists the exported identifiers that change.
""",
)
