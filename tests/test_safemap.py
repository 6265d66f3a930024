"""The safemap transform's decisions: what blocks a fix, how safe a fix is, how moved
expressions are spaced, and how the shim is reused. Outputs are checked by real Go
(build, vet, gofmt) where they change code; golden/safemap holds the full rewrites."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import GoToolchain, write_module

from codemod import syntax
from codemod.api import fix_paths
from codemod.model import Safety
from transforms.safemap.shim_go import SAFEMAP_FILE
from transforms.safemap.spacing import depth_of, reprint

HEADER = "package p\n\n"
GOROUTINE = "func start(k string) {\n\tgo func() { m[k] = 1 }()\n}\n\n"


def run(  # noqa: ANN201
    tmp_path: Path,
    source: str,
    go_version: str = "1.22",
    unsafe: bool = False,
    options: dict[str, object] | None = None,
    **extra: str,
):
    module = write_module(tmp_path / "m", {"p.go": source, **extra}, go_version)
    settings = {"safemap": options or {}}
    return module, fix_paths([module], select=["safemap"], unsafe_fixes=unsafe, transform_options=settings)


EXPORTED_CALLERS = {"exported-callers": True}


@pytest.mark.parametrize(
    ("use", "blocker"),
    [
        ("p := &m\n\t_ = p", "p.go: `&m` takes the map's address"),
        ("fmt.Println(m)", "p.go: `fmt.Println(m)` passes the map to a function"),
        ("other := m\n\t_ = other", "p.go: `other := m` copies the map to another variable"),
        ('if len(m) > 0 && m["a"] > 1 {\n\t}', 'p.go: `m["a"]` is read only when a condition holds'),
        (
            'for k := range m {\n\t\tif k == "" {\n\t\t\treturn\n\t\t}\n\t}',
            "p.go: `return` returns from inside the range loop",
        ),
        ('m["a"] = m["b"]', 'p.go: `m["a"] = m["b"]` stores a value read from the map under another key'),
        ('m["a"] += f()', 'p.go: `m["a"] += f()` would call a function while the map is locked'),
    ],
)
def test_a_use_that_cannot_be_rewritten_blocks_the_fix(tmp_path: Path, use: str, blocker: str) -> None:
    source = f'{HEADER}import "fmt"\n\nvar _ = fmt.Sprint\n\nvar m = map[string]int{{}}\n\n'
    source += "func f() int { return 1 }\n\n"
    source += GOROUTINE + f"func use() {{\n\t{use}\n}}\n"
    _, report = run(tmp_path, source)
    (finding,) = report.findings
    assert finding.fixes == ()
    assert finding.message.endswith(f"not rewritten: {blocker}"), finding.message
    assert not any(ch.isdigit() for ch in finding.message.split("not rewritten:")[0])
    assert report.changed_files() == []


def test_exported_map_gets_an_unsafe_fix(go: GoToolchain, tmp_path: Path) -> None:
    source = HEADER + "var M = map[string]int{}\n\nfunc start(k string) {\n\tgo func() { M[k] = 1 }()\n}\n\n"
    source += "func Get(k string) int {\n\treturn M[k]\n}\n\n"
    source += 'func report() int {\n\treturn Get("a")\n}\n'
    _, report = run(tmp_path, source)
    (finding,) = report.findings
    assert [f.safety for f in finding.fixes] == [Safety.UNSAFE]
    assert report.changed_files() == []
    module, report = run(tmp_path / "u", source, unsafe=True)
    for outcome in report.changed_files():
        outcome.path.write_bytes(outcome.result or b"")
    go.run("vet", "./...", cwd=module)


def test_a_race_only_with_an_exported_entry_point_is_reported_only_when_asked_for(
    go: GoToolchain, tmp_path: Path
) -> None:
    """The goroutine writes s.seen; the only other use is in exported Seen, which nothing in the
    package calls: whether it races depends on which goroutine callers outside the package use.
    By default that is not a finding; with exported-callers = true it is a warning with an
    unsafe fix."""
    source = HEADER + "type Store struct {\n\tin   chan string\n\tseen map[string]int\n}\n\n"
    source += "func (s *Store) Start() {\n\tgo s.loop()\n}\n\n"
    source += "func (s *Store) loop() {\n\tfor k := range s.in {\n\t\ts.seen[k]++\n\t}\n}\n\n"
    source += "func (s *Store) Seen(k string) int {\n\treturn s.seen[k]\n}\n"
    _, report = run(tmp_path / "d", source)
    assert report.findings == []
    _, report = run(tmp_path, source, options=EXPORTED_CALLERS)
    (finding,) = report.findings
    assert finding.severity.value == "warning"
    message = finding.message
    assert message.startswith(
        "map Store.seen is written in a goroutine with no lock held, and used by exported Store.Seen,"
        " which callers outside the package may run on any goroutine (written in Store.loop, in the"
        " goroutine that Store.Start starts): if one runs it while the goroutine writes, the"
        " program crashes"
    ), message
    assert [f.safety for f in finding.fixes] == [Safety.UNSAFE]
    assert report.changed_files() == []
    module, report = run(tmp_path / "u", source, unsafe=True, options=EXPORTED_CALLERS)
    assert report.changed_files()
    for outcome in report.changed_files():
        outcome.path.write_bytes(outcome.result or b"")
    go.run("vet", "./...", cwd=module)
    # Called inside the package from a non-goroutine function, the same use is an error,
    # with or without the option.
    source += '\nfunc report(s *Store) int {\n\treturn s.Seen("a")\n}\n'
    _, report = run(tmp_path / "c", source)
    (finding,) = report.findings
    assert finding.severity.value == "error"


def test_locked_sites_are_not_findings(tmp_path: Path) -> None:
    source = HEADER + 'import "sync"\n\nvar (\n\tmu sync.Mutex\n\tm  = map[string]int{}\n)\n\n'
    source += (
        "func start(k string) {\n\tgo func() {\n\t\tmu.Lock()\n\t\tm[k] = 1\n\t\tmu.Unlock()\n\t}()\n}\n\n"
    )
    source += "func get(k string) int {\n\tmu.Lock()\n\tdefer mu.Unlock()\n\treturn m[k]\n}\n"
    _, report = run(tmp_path, source)
    assert report.findings == []


def test_a_write_whose_callers_hold_the_lock_two_levels_up_is_not_a_finding(tmp_path: Path) -> None:
    # G writes m; G is called only from H, which K calls with mu held. Whether F (a level
    # deeper) is asked first or not, the verdict for G is the same: its writes are locked.
    source = HEADER + 'import "sync"\n\nvar mu sync.Mutex\nvar m = map[int]int{}\n\n'
    source += "func F() {\n\tm[1] = 1\n}\n\nfunc G() {\n\tF()\n\tm[2] = 2\n}\n\n"
    source += "func H() {\n\tG()\n}\n\n"
    source += "func K() {\n\tmu.Lock()\n\tdefer mu.Unlock()\n\tH()\n}\n\n"
    source += "func Start() {\n\tgo K()\n\t_ = m[3]\n}\n"
    _, report = run(tmp_path, source)
    assert report.findings == []


def test_external_test_package_is_reported_without_fix(tmp_path: Path) -> None:
    source = "package p_test\n\nvar m = map[string]int{}\n\n" + GOROUTINE
    source += "func get(k string) int {\n\treturn m[k]\n}\n"
    _, report = run(tmp_path, "package p\n", **{"p_test.go": source})
    (finding,) = report.findings
    assert finding.fixes == ()
    assert "external test package" in finding.message


def test_package_declaring_safemap_is_not_touched(tmp_path: Path) -> None:
    source = HEADER + "type safeMap struct{}\n\nvar m = map[string]int{}\n\n" + GOROUTINE
    source += "func get(k string) int {\n\treturn m[k]\n}\n"
    _, report = run(tmp_path, source)
    (finding,) = report.findings
    assert finding.fixes == () and "already declares safeMap in p.go" in finding.message


def test_concrete_shims_are_reused_and_extended(go: GoToolchain, tmp_path: Path) -> None:
    first = HEADER + "var a = map[string]int{}\n\nfunc start(k string) {\n\tgo func() { a[k] = 1 }()\n}\n\n"
    first += "func get(k string) int {\n\treturn a[k]\n}\n"
    module, report = run(tmp_path, first, go_version="1.17")
    for outcome in report.changed_files():
        outcome.path.write_bytes(outcome.result or b"")
    shim = (module / SAFEMAP_FILE).read_text()
    assert "type safeMapStringInt struct" in shim and "[K comparable" not in shim
    second = "package p\n\nvar b = map[int]bool{}\n\nfunc mark(i int) {\n\tgo func() { b[i] = true }()\n}\n\n"
    second += "func marked(i int) bool {\n\treturn b[i]\n}\n"
    (module / "q.go").write_text(second)
    report = fix_paths([module], select=["safemap"])
    for outcome in report.changed_files():
        outcome.path.write_bytes(outcome.result or b"")
    shim = (module / SAFEMAP_FILE).read_text()
    assert "type safeMapIntBool struct" in shim and "type safeMapStringInt struct" in shim
    go.run("vet", "./...", cwd=module)
    assert go.gofmt_list(module) == []
    assert fix_paths([module], select=["safemap"]).changed_files() == []


EXPRESSIONS = [
    "m[i+1]",
    "f(i + 1)",
    "f(a, i+1)",
    "f(a*b + c)",
    "g(a*b+c, d)",
    "m[a*b+c]",
    "x + y*z",
    "(a + b) * c",
    "f((a + b) * c)",
    "a / *p",
    "s[i+1:]",
    "h(k[a+b], c-d)",
    "a == b+c",
]


@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_reprint_matches_gofmt(go: GoToolchain, tmp_path: Path, expr: str) -> None:
    """Moving an expression into a call or an index changes gofmt's spacing: reprint must
    give what gofmt gives in each destination."""
    contexts = ["_ = {}", "use({})", "use(0, {})", "_ = xs[{}]", "return {}"]
    raw = expr
    lines = [c.format(raw) for c in contexts]
    src = "package p\n\nfunc _() any {\n" + "".join(f"\t{line}\n" for line in lines) + "}\n"
    path = tmp_path / "f.go"
    path.write_text(src)
    proc = subprocess.run([str(go.gofmt), str(path)], capture_output=True, text=True, check=True)
    want = [line.strip() for line in proc.stdout.splitlines()[3:-1]]
    tree = syntax.parse(src.encode())
    got = []
    for stmt in syntax.walk(tree.root_node):
        if stmt.type not in ("assignment_statement", "expression_statement", "return_statement"):
            continue
        target = _expression_of(stmt, raw)
        text = syntax.text(stmt)
        got.append(text.replace(raw, reprint(target, depth_of(target)), 1))
    assert got == want


def _expression_of(stmt, raw: str):  # noqa: ANN001, ANN202
    for n in syntax.walk(stmt):
        if syntax.text(n) == raw and n.is_named:
            return n
    raise AssertionError(raw)


def test_a_goroutine_per_element_shares_only_what_is_not_the_element(tmp_path: Path) -> None:
    """`for _, w := range ws { go w.run(&wg) }` gives each goroutine its own w; starting them
    all on one element (`go ws[0].run(&wg)`) shares its map, and is reported."""
    source = HEADER + 'import "sync"\n\n'
    source += "type worker struct {\n\tjobs chan string\n\tseen map[string]int\n}\n\n"
    source += "func (w *worker) run(wg *sync.WaitGroup) {\n\tdefer wg.Done()\n"
    source += "\tfor j := range w.jobs {\n\t\tw.seen[j]++\n\t}\n}\n\n"
    loop = "func runAll(ws []*worker) {\n\tvar wg sync.WaitGroup\n\tfor _, w := range ws {\n"
    loop += "\t\twg.Add(1)\n\t\tgo GO\n\t}\n\twg.Wait()\n}\n"
    _, report = run(tmp_path, source + loop.replace("GO", "w.run(&wg)"))
    assert report.findings == []
    _, report = run(tmp_path / "shared", source + loop.replace("GO", "ws[0].run(&wg)\n\t\t_ = w"))
    (finding,) = report.findings
    assert "worker.seen" in finding.message


def test_a_race_in_a_test_function_is_reported(tmp_path: Path) -> None:
    """go test runs TestX, which no code calls: it is not an entry point for callers outside the
    package, and the goroutine it starts runs beside the rest of it."""
    source = HEADER + "func helper() {}\n"
    test = 'import "testing"\n\nfunc TestLog(t *testing.T) {\n\tseen := map[string]int{}\n'
    test += '\tgo func() { seen["a"]++ }()\n\tfor k := range seen {\n\t\tt.Log(k)\n\t}\n}\n'
    _, report = run(tmp_path, source, **{"p_test.go": HEADER + test})
    (finding,) = report.findings
    assert finding.severity.value == "error"
    assert "seen" in finding.message


@pytest.mark.parametrize(
    "before",
    [
        "",  # no wait at all
        "\t\tother.wait()\n",  # waits for another object's goroutine
        "\t\tif len(f.tasks) > 0 {\n\t\t\tf.wait()\n\t\t}\n",  # not on every path
    ],
)
def test_reading_an_objects_map_without_waiting_for_its_goroutine_is_a_race(
    tmp_path: Path, before: str
) -> None:
    """The object-join ordering (joins.py) needs a wait on the same object on every path."""
    source = (
        HEADER
        + "type fetcher struct {\n\ttasks []string\n\tseen  map[string]bool\n\tterm  chan struct{}\n}\n\n"
    )
    source += "func newFetcher(tasks []string) *fetcher {\n"
    source += "\tf := &fetcher{tasks: tasks, seen: make(map[string]bool), term: make(chan struct{})}\n"
    source += "\tgo f.loop()\n\treturn f\n}\n\n"
    source += "func (f *fetcher) loop() {\n\tdefer close(f.term)\n"
    source += "\tfor _, t := range f.tasks {\n\t\tf.seen[t] = true\n\t}\n}\n\n"
    source += "func (f *fetcher) wait() {\n\t<-f.term\n}\n\n"
    source += (
        "func report(fetchers []*fetcher, other *fetcher) int {\n\tn := 0\n\tfor _, f := range fetchers {\n"
    )
    source += before + "\t\tn += len(f.seen)\n\t}\n\treturn n\n}\n"
    _, report = run(tmp_path, source)
    assert [f.rule for f in report.findings] == ["safemap"]


@pytest.mark.parametrize(
    ("declared", "drain"),
    [
        (
            "inside",
            "\t\tfor err := range errs {\n\t\t\tif err != nil {\n\t\t\t\tbreak\n\t\t\t}\n\t\t}\n",
        ),  # may stop early
        ("inside", ""),  # never waits
        ("outside", "\t\tfor range errs {\n\t\t}\n"),  # one map for every round's goroutine
    ],
)
def test_rounds_that_do_not_wait_for_their_goroutine_race(tmp_path: Path, declared: str, drain: str) -> None:
    got = "\tgot := map[string]int{}\n"
    source = HEADER + "func rounds(peers [][]string) []int {\n\tvar sizes []int\n"
    source += got if declared == "outside" else ""
    source += "\tfor _, names := range peers {\n"
    source += "\t" + got if declared == "inside" else ""
    source += "\t\terrs := make(chan error, len(names))\n\t\tgo func() {\n\t\t\tdefer close(errs)\n"
    source += "\t\t\tfor _, n := range names {\n\t\t\t\tgot[n]++\n\t\t\t}\n\t\t}()\n"
    source += drain + "\t\tsizes = append(sizes, len(got))\n\t}\n\treturn sizes\n}\n"
    _, report = run(tmp_path, source)
    assert [f.rule for f in report.findings] == ["safemap"]


def test_goroutines_of_exported_methods_nothing_in_the_package_calls_are_the_callers_choice(
    tmp_path: Path,
) -> None:
    """Run and Stats each start a goroutine that processes r's results; whether both run on one
    report is up to callers outside the package. The constructor fills the new object before
    anyone can hold it."""
    source = HEADER + "type report struct {\n\tresults chan string\n\terrs    map[string]int\n}\n\n"
    source += "func newReport() *report {\n\tr := &report{results: make(chan string)}\n"
    source += "\tr.errs = make(map[string]int)\n\treturn r\n}\n\n"
    source += "func Open() *report {\n\treturn newReport()\n}\n\n"
    source += "func (r *report) process() {\n\tfor e := range r.results {\n\t\tr.errs[e]++\n\t}\n}\n\n"
    source += "func (r *report) Run() <-chan int {\n\tdone := make(chan int, 1)\n"
    source += "\tgo func() {\n\t\tr.process()\n\t\tdone <- len(r.errs)\n\t}()\n\treturn done\n}\n\n"
    source += "func (r *report) Stats() <-chan int {\n\tdone := make(chan int, 1)\n"
    source += "\tgo func() {\n\t\tr.process()\n\t\tdone <- len(r.errs)\n\t}()\n\treturn done\n}\n"
    _, report = run(tmp_path / "d", source)
    assert report.findings == []
    _, report = run(tmp_path / "o", source, options=EXPORTED_CALLERS)
    (finding,) = report.findings
    assert finding.severity.value == "warning"
    assert "report.Run and report.Stats" in finding.message
    # Called from the package on one object, the two goroutines race.
    source += "\nfunc both(r *report) {\n\t<-r.Run()\n\t<-r.Stats()\n}\n"
    _, report = run(tmp_path / "c", source)
    (finding,) = report.findings
    assert finding.severity.value == "error"


def test_one_entry_point_reaching_two_go_statements_is_a_race(tmp_path: Path) -> None:
    """Both goroutines start from Start: calling it once runs them at the same time."""
    source = HEADER + "type N struct {\n\tevents  chan string\n\tclients map[string]int\n}\n\n"
    source += "func (n *N) Start() {\n\tn.a()\n\tn.b()\n}\n\n"
    source += "func (n *N) a() {\n\tgo n.dispatch()\n}\n\nfunc (n *N) b() {\n\tgo n.dispatch()\n}\n\n"
    source += "func (n *N) dispatch() {\n\tfor e := range n.events {\n\t\tn.clients[e]++\n\t}\n}\n"
    _, report = run(tmp_path, source)
    (finding,) = report.findings
    assert finding.severity.value == "error"


@pytest.mark.parametrize(
    "spawn",
    [
        "\tb.mu.Lock()\n\tb.mu.Unlock()\n\tgo func() {\n\t\tdefer b.mu.Unlock()\n\t\tb.rates[0] = 1\n\t}()\n",
        "\tb.mu.Lock()\n\tgo func() {\n\t\tb.rates[0] = 1\n\t}()\n\tb.mu.Unlock()\n",  # not handed over
        "\tgo func() {\n\t\tdefer b.mu.Unlock()\n\t\tb.rates[0] = 1\n\t}()\n",  # never taken
    ],
)
def test_a_lock_not_handed_to_the_goroutine_does_not_guard_it(tmp_path: Path, spawn: str) -> None:
    source = (
        HEADER + 'import "sync"\n\ntype broker struct {\n\tmu    sync.Mutex\n\trates map[int16]int\n}\n\n'
    )
    source += "func (b *broker) open() {\n" + spawn + "}\n\n"
    source += (
        "func (b *broker) get(k int16) int {\n\tb.mu.Lock()\n\tdefer b.mu.Unlock()\n\treturn b.rates[k]\n}\n"
    )
    _, report = run(tmp_path, source)
    assert [f.rule for f in report.findings] == ["safemap"]


def test_a_lock_handed_to_the_goroutine_guards_its_accesses(tmp_path: Path) -> None:
    source = (
        HEADER + 'import "sync"\n\ntype broker struct {\n\tmu    sync.Mutex\n\trates map[int16]int\n}\n\n'
    )
    source += "func (b *broker) open() {\n\tb.mu.Lock()\n\tgo func() {\n\t\tdefer b.mu.Unlock()\n"
    source += "\t\tb.rates[0] = 1\n\t}()\n}\n\n"
    source += (
        "func (b *broker) get(k int16) int {\n\tb.mu.Lock()\n\tdefer b.mu.Unlock()\n\treturn b.rates[k]\n}\n"
    )
    _, report = run(tmp_path, source)
    assert report.findings == []


def test_a_literal_given_the_range_element_works_on_its_own_object(tmp_path: Path) -> None:
    """go func(w *worker) {...}(w) in a range loop: each goroutine gets its own worker."""
    source = HEADER + "type worker struct {\n\tin   chan string\n\tseen map[string]int\n}\n\n"
    source += "func (w *worker) run() {\n\tfor k := range w.in {\n\t\tw.seen[k]++\n\t}\n}\n\n"
    source += "func runAll(ws []*worker) {\n\tfor _, w := range ws {\n\t\tgo func(w *worker) {\n"
    source += "\t\t\tw.run()\n\t\t}(w)\n\t}\n}\n"
    _, report = run(tmp_path, source)
    assert report.findings == []
    shared = source.replace("}(w)\n", "}(ws[0])\n")
    _, report = run(tmp_path / "s", shared)
    assert [f.rule for f in report.findings] == ["safemap"]


TOKEN_GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "safemap" / "neg_token_restart.in.go"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("\tm.stopped = make(chan struct{}, 1)\n", "\tm.stopped = make(chan struct{}, 2)\n"),  # room for two
        (
            "\tm.stopped <- struct{}{}\n\treturn m\n",
            "\tm.stopped <- struct{}{}\n\tgo func() { m.stopped <- struct{}{} }()\n\treturn m\n",
        ),
        (
            "\t\tcase <-m.stopped:\n\t\t\tgo m.loop()\n",
            "\t\tcase <-m.stopped:\n\t\t\tgo m.loop()\n\t\t\tgo m.loop()\n",
        ),
    ],
)
def test_a_restart_without_a_single_token_may_run_two_loops(tmp_path: Path, old: str, new: str) -> None:
    source = TOKEN_GOLDEN.read_text()
    assert old in source
    _, report = run(tmp_path, source.replace(old, new))
    assert [f.rule for f in report.findings] == ["safemap"]


def test_goroutines_joined_inside_a_critical_section_hold_its_lock(tmp_path: Path) -> None:
    """add is only called with t.mu held and waits for its goroutines: they run inside the
    critical section, like the reader that takes t.mu."""
    source = HEADER + 'import "sync"\n\ntype index struct {\n\tkeys map[string]int\n}\n\n'
    source += "type tree struct {\n\tmu  sync.Mutex\n\tidx *index\n}\n\n"
    source += "func (x *index) add(names []string) {\n\tvar wg sync.WaitGroup\n\twg.Add(1)\n"
    source += (
        "\tgo func() {\n\t\tdefer wg.Done()\n\t\tfor _, n := range names {\n\t\t\tx.keys[n]++\n\t\t}\n\t}()\n"
    )
    source += "\twg.Wait()\n}\n\n"
    locked = "\tt.mu.Lock()\n\tdefer t.mu.Unlock()\n"
    source += "func (t *tree) insert(names []string) {\n" + locked + "\tt.idx.add(names)\n}\n\n"
    source += "func (t *tree) count(n string) int {\n" + locked + "\treturn t.idx.keys[n]\n}\n"
    _, report = run(tmp_path, source)
    assert report.findings == []
    unlocked = source.replace(
        "\tt.mu.Lock()\n\tdefer t.mu.Unlock()\n\tt.idx.add(names)", "\tt.idx.add(names)"
    )
    _, report = run(tmp_path / "u", unlocked)
    assert [f.rule for f in report.findings] == ["safemap"]


def test_a_callback_the_callee_runs_on_another_goroutine_does_not_hold_the_lock(tmp_path: Path) -> None:
    source = (
        Path(__file__).resolve().parent.parent / "golden" / "safemap" / "neg_locked_callback.in.go"
    ).read_text()
    source = source.replace("\t\t\tcb(topic, p)\n", "\t\t\tgo cb(topic, p)\n")
    _, report = run(tmp_path, source)
    assert [f.rule for f in report.findings] == ["safemap"]


def test_spawners_that_do_not_wait_for_their_goroutines_race(tmp_path: Path) -> None:
    source = (
        Path(__file__).resolve().parent.parent / "golden" / "safemap" / "neg_joined_spawners.in.go"
    ).read_text()
    source = source.replace("\tgo r.launch()\n\t<-r.signal\n", "\tgo r.launch()\n")
    _, report = run(tmp_path, source)
    assert [f.rule for f in report.findings] == ["safemap"]


def test_the_testing_packages_benchmark_handoffs_are_not_reported(go: GoToolchain) -> None:
    """Go's testing package runs a benchmark on a goroutine its spawner waits for (b.signal),
    and B.ReportMetric is called by the benchmark itself: no race (issue 17's example)."""
    report = fix_paths([go.root / "src" / "testing"], select=["safemap"])
    assert report.findings == []


def test_the_message_names_the_write_the_goroutine_and_the_racing_use(tmp_path: Path) -> None:
    source = HEADER + "var m = map[string]int{}\n\n" + GOROUTINE
    source += "func (s *server) read(k string) int {\n\treturn m[k]\n}\n\ntype server struct{}\n"
    _, report = run(tmp_path, source)
    (finding,) = report.findings
    assert finding.message.startswith(
        "map m is written in a goroutine and used elsewhere with no lock held (written in start,"
        " in the goroutine that start starts, and used in server.read, with nothing ordering the"
        " two); concurrent map writes crash the program"
    ), finding.message


def test_the_message_names_the_goroutines_that_run_at_once(tmp_path: Path) -> None:
    source = HEADER + "var m = map[string]int{}\n\n"
    source += "func record(k string) {\n\tm[k]++\n}\n\n"
    source += "func fan(keys []string) {\n\tfor _, k := range keys {\n\t\tgo record(k)\n\t}\n}\n"
    _, report = run(tmp_path, source)
    (finding,) = report.findings
    assert finding.message.startswith(
        "map m is written in a goroutine and used elsewhere with no lock held (written in record,"
        " by goroutines that fan starts, several of which may run at once); concurrent map writes"
        " crash the program"
    ), finding.message


REPO_GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "safemap"


def _starts_through_goroutines(run_body: str) -> str:
    """golden neg_starts_through_goroutines with another body for Combined.Run."""
    base = (REPO_GOLDEN / "neg_starts_through_goroutines.in.go").read_text()
    head, _, _ = base.partition("func (c *Combined) Run() <-chan int {")
    return head + "func (c *Combined) Run() <-chan int {\n" + run_body + "}\n"


@pytest.mark.parametrize(
    ("run_body", "reported"),
    [
        # one run of Combined.Run starts the report's two goroutines: they tally at once
        ("\tgo func() { <-c.own.Run() }()\n\tgo func() { <-c.own.Stats() }()\n\treturn nil\n", True),
        # a go statement in a loop starts Stats' goroutine several times per run
        ("\tfor i := 0; i < 2; i++ {\n\t\tgo func() { <-c.own.Stats() }()\n\t}\n\treturn nil\n", True),
        # once per run, and Run only through the interface: the callers' choice
        ("\tgo func() { <-c.own.Stats() }()\n\treturn nil\n", False),
    ],
)
def test_entry_points_are_followed_through_goroutines_started_once(
    tmp_path: Path, run_body: str, reported: bool
) -> None:
    _, report = run(tmp_path, _starts_through_goroutines(run_body))
    assert bool(report.findings) is reported, [f.message for f in report.findings]


def test_the_message_names_the_caller_that_holds_no_lock(tmp_path: Path) -> None:
    """golden test_drives_running_object: enqueue is locked by every production caller; the
    message says which caller reaches it without the lock."""
    case = REPO_GOLDEN / "test_drives_running_object" / "in"
    test_file = (case / "pool_test.go").read_text()
    _, report = run(tmp_path, (case / "pool.go").read_text(), **{"pool_test.go": test_file})
    (finding,) = report.findings
    assert finding.message.startswith(
        "map pool.pending is written in a goroutine and used elsewhere with no lock held (written"
        " in pool.enqueue (reached from TestEnqueue without a lock), by goroutines that pool.start"
        " starts"
    ), finding.message


@pytest.mark.parametrize(
    ("body", "private"),
    [
        ('\tc := newCache()\n\tc.add("a", 1); c.evict("a")\n', True),
        ('\tvar c cache\n\tc.entries = map[string]int{}\n\tc.add("a", 1); c.evict("a")\n', True),
        # handed on: the callee may give it to a goroutine
        ('\tc := newCache()\n\tkeep(c)\n\tc.add("a", 1); c.evict("a")\n', False),
        # captured by a function literal: it may run anywhere
        ('\tc := newCache()\n\tf := func() { c.add("a", 1); c.evict("a") }\n\tf()\n', False),
        # the function starts a goroutine
        (
            "\tc := newCache()\n\tdone := make(chan bool)\n\tgo func() { done <- true }()\n"
            '\tc.add("a", 1); c.evict("a")\n\t<-done\n',
            False,
        ),
        # a parameter is nobody's own
        (None, False),
    ],
)
def test_only_calls_on_an_object_of_the_callers_own_need_no_lock(
    tmp_path: Path, body: str | None, private: bool
) -> None:
    """golden neg_test_owned_object: production calls of add and evict hold the balancer's lock;
    a test's calls without it are set aside only when the object is the test's own."""
    case = REPO_GOLDEN / "neg_test_owned_object" / "in"
    if body is None:
        test = 'package p\n\nfunc drive(c *cache) {\n\tc.add("a", 1); c.evict("a")\n}\n'
    else:
        test = 'package p\n\nimport "testing"\n\nfunc keep(c *cache) { _ = c }\n\n'
        test += "func TestOwn(t *testing.T) {\n" + body + "}\n"
    _, report = run(tmp_path, (case / "cache.go").read_text(), **{"own_test.go": test})
    assert (report.findings == []) is private, [f.message for f in report.findings]


_LOADED = (REPO_GOLDEN / "neg_loaded_while_built.in.go").read_text()
_LOAD_LOOP = "\tfor _, e := range o.entries {\n\t\te.init(stale)"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # the owner starts its goroutines before it loads the stores
        (_LOAD_LOOP, "\to.Start()\n" + _LOAD_LOOP),
        # the owner is handed on before the stores are loaded
        (_LOAD_LOOP, "\towners = append(owners, o)\n" + _LOAD_LOOP),
        # a method of a running owner loads its stores again
        ("// Start", "func (o *Owner) Reload(stale []string) {\n" + _LOAD_LOOP + "\n\t}\n}\n\n// Start"),
        # load is called through a store the entry did not get from its receiver
        ("\te.st.load(stale)", "\tshared.load(stale)"),
    ],
)
def test_a_load_that_may_run_on_a_published_object_is_reported(tmp_path: Path, old: str, new: str) -> None:
    """golden neg_loaded_while_built, changed so that a store may be loaded while its goroutine
    runs: the race is reported again."""
    assert old in _LOADED
    source = _LOADED.replace(old, new, 1) + "\nvar owners []*Owner\n\nvar shared = newStore()\n"
    _, report = run(tmp_path, source)
    assert [f.rule for f in report.findings] == ["safemap"], source
    assert "store.seen" in report.findings[0].message


_OWNERS = (REPO_GOLDEN / "fan_out_existing_mutex.in.go").read_text()


@pytest.mark.parametrize(
    "changes",
    [
        # the goroutines' lock is a package mutex: the map gets a mutex of its own
        [("\tvar mu sync.Mutex\n", "")],
        # some write holds a second lock besides mu: taking mu inside it could invert a lock order
        [("\t\t\t\tmu.Lock()\n", "\t\t\t\tmu.Lock()\n\t\t\t\tother.Lock()\n\t\t\t\tdefer other.Unlock()\n")],
        # the write holds mu only for reading: two goroutines could still write at once
        [
            ("\tvar mu sync.Mutex\n", "\tvar mu sync.RWMutex\n"),
            (
                "\t\t\t\tmu.Lock()\n\t\t\t\tout[n] = owner\n\t\t\t\tmu.Unlock()",
                "\t\t\t\tmu.RLock()\n\t\t\t\tout[n] = owner\n\t\t\t\tmu.RUnlock()",
            ),
        ],
    ],
)
def test_a_mutex_that_is_not_the_goroutines_only_local_lock_is_not_reused(
    tmp_path: Path, changes: list[tuple[str, str]]
) -> None:
    """golden fan_out_existing_mutex, with a lock that is not a local mutex guarding the map
    alone: the fix declares outMu instead of reusing mu."""
    source = _OWNERS
    for old, new in changes:
        assert old in source
        source = source.replace(old, new, 1)
    source += "\nvar other sync.Mutex\n" + ("var mu sync.Mutex\n" if "var mu" not in source else "")
    _, report = run(tmp_path, source)
    (finding,) = report.findings
    (fix,) = finding.fixes
    assert fix.message.startswith("guard out with a local mutex outMu"), fix.message
    assert b"var outMu sync.Mutex" in b"".join(e.text for e in fix.edits)


ERRGROUP = """package p

import "golang.org/x/sync/errgroup"

func fetchAll(keys []string, fetch func(string) (int, error)) (map[string]int, error) {
	got := map[string]int{}
	var g errgroup.Group
	for _, k := range keys {
		g.Go(func() error {
			v, err := fetch(k)
			got[k] = v
			return err
		})
	}
	err := g.Wait()
	return got, err
}
"""


@pytest.mark.parametrize("launchers", [False, True])
def test_errgroup_goroutines_count_with_the_option_launchers(tmp_path: Path, launchers: bool) -> None:
    """errgroup.Group.Go runs its literal on a goroutine of its own: the map the literals fill
    races, and `g.Wait()` orders the return. Off by default (the option launchers)."""
    _, report = run(tmp_path, ERRGROUP, options={"launchers": launchers})
    if not launchers:
        assert report.findings == []
        return
    (finding,) = report.findings
    assert "several of which may run at once" in finding.message
    (fix,) = finding.fixes
    assert fix.message.startswith("guard got with a local mutex gotMu"), fix.message
