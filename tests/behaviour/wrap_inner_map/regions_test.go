package regions

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
)

func TestRegistryUseSites(t *testing.T) {
	resetRegistry()
	register("eu", &User{Name: "ann"})
	register("eu", &User{Name: "eve"})
	register("us", &User{Name: "bob"})
	if u, ok := lookup("eu", "ann"); !ok || u.Name != "ann" {
		t.Fatalf("lookup(eu, ann) = %v, %v", u, ok)
	}
	if _, ok := lookup("eu", "zed"); ok {
		t.Fatal("lookup(eu, zed) found a user")
	}
	if _, ok := lookup("xx", "ann"); ok {
		t.Fatal("lookup in a missing region found a user")
	}
	if got := totalUsers(); got != 3 {
		t.Fatalf("totalUsers = %d", got)
	}
	if got := describe("eu"); got != "eu:ann,eve:false" {
		t.Fatalf("describe(eu) = %q", got)
	}
	if got := describe("none"); got != "none::true" {
		t.Fatalf("describe(none) = %q", got)
	}
	if got := printed("us"); !strings.HasPrefix(got, "map[bob:0x") {
		t.Fatalf("printed(us) = %q", got)
	}
	if got := printed("none"); got != "map[]" {
		t.Fatalf("printed(none) = %q", got)
	}

	// the inner map handed out aliases the stored one
	eu := regionOf("eu")
	eu["ida"] = &User{Name: "ida"}
	if _, ok := lookup("eu", "ida"); !ok {
		t.Fatal("a write through regionOf(eu) was lost")
	}

	unregister("eu", "ann")
	unregister("us", "bob")
	if hasRegion("us") || !hasRegion("eu") {
		t.Fatalf("regions after unregister: us=%v eu=%v", hasRegion("us"), hasRegion("eu"))
	}

	adopt("ap", map[string]*User{"kim": {Name: "kim"}})
	if err := copyRegion("ap", "oc"); err != nil {
		t.Fatal(err)
	}
	register("oc", &User{Name: "lee"})
	if _, ok := lookup("ap", "lee"); !ok {
		t.Fatal("copyRegion did not share the inner map")
	}
	if err := copyRegion("nowhere", "x"); err == nil {
		t.Fatal("copyRegion from a missing region succeeded")
	}

	emptyRegion("eu")
	if !hasRegion("eu") || describe("eu") != "eu::false" {
		t.Fatalf("after emptyRegion: %q", describe("eu"))
	}
	forget("ap")
	if !hasRegion("ap") || describe("ap") != "ap::true" {
		t.Fatalf("after forget: %q", describe("ap"))
	}
	register("ap", &User{Name: "new"})
	if got := describe("ap"); got != "ap:new:false" {
		t.Fatalf("lazy init after forget: %q", got)
	}

	// direct use from the test file, as tests of the same package do
	if registry["oc"]["kim"].Name != "kim" || len(registry["oc"]) != 2 {
		t.Fatalf("registry[oc] has %d users", len(registry["oc"]))
	}
	if registry["missing"] != nil {
		t.Fatal("a missing region is not nil")
	}

	resetRegistry()
	if totalUsers() != 0 || len(registry) != 0 {
		t.Fatal("resetRegistry left users")
	}
}

func TestSeedLiterals(t *testing.T) {
	seedRegistry()
	defer resetRegistry()
	want := map[string]string{
		"eu": "eu:ann,root:false",
		"us": "us:bob:false",
		"ap": "ap::true",
		"af": "af::false",
	}
	for region, w := range want {
		if got := describe(region); got != w {
			t.Errorf("describe(%s) = %q, want %q", region, got, w)
		}
	}
	if u, _ := lookup("us", "bob"); u == nil || u.Tags[0] != "ops" {
		t.Fatalf("lookup(us, bob) = %v", u)
	}
}

func TestIndexConcurrent(t *testing.T) {
	ix := newIndex()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				region := fmt.Sprintf("r%d", i%4)
				ix.add(region, &User{Name: fmt.Sprintf("u%d-%d", g, i)})
				_ = ix.get(region, "u0-0")
				_ = ix.snapshot(region)
			}
		}()
	}
	wg.Wait()
	if ix.adds != 400 {
		t.Fatalf("adds = %d", ix.adds)
	}
	if got := ix.regions(); !reflect.DeepEqual(got, []string{"r0", "r1", "r2", "r3"}) {
		t.Fatalf("regions = %v", got)
	}
	n := 0
	ix.each(func(region, name string) { n++ })
	if n != 400 {
		t.Fatalf("each visited %d", n)
	}
	if !ix.move("u0-0", "r0", "moved") || ix.move("nobody", "r0", "moved") {
		t.Fatal("move")
	}
	if ix.get("moved", "u0-0") == nil || ix.get("r0", "u0-0") != nil {
		t.Fatal("move did not move")
	}
	snap := ix.snapshot("moved")
	snap["extra"] = nil
	if len(ix.snapshot("moved")) != 1 {
		t.Fatal("snapshot aliases the index")
	}
}

func TestRosterNamedType(t *testing.T) {
	r, err := loadRoster([]string{"ann", "bob"})
	if err != nil {
		t.Fatal(err)
	}
	if r.role("core", "ann") != "lead" || r.role("core", "bob") != "dev" || r.role("none", "x") != "" {
		t.Fatalf("roles: %q %q", r.role("core", "ann"), r.role("core", "bob"))
	}
	if _, err := loadRoster(nil); err == nil {
		t.Fatal("empty roster loaded")
	}
	other := roster{"ops": {"cat": {role: "oncall"}}, "core": {"dan": {role: "dev"}}}
	m := merge(r, other)
	if len(m.team("core")) != 3 || len(m.team("ops")) != 1 {
		t.Fatalf("merge: core=%d ops=%d", len(m.team("core")), len(m.team("ops")))
	}
	// merge shares inner maps with its first argument, as before
	if len(r.team("core")) != 3 {
		t.Fatalf("merge no longer aliases: %d", len(r.team("core")))
	}
	o := orgs(m)
	if len(o) != 2 || o["ops"]["cat"].role != "oncall" {
		t.Fatalf("orgs: %d teams", len(o))
	}
	names := make([]string, 0)
	for team, members := range o {
		for name := range members {
			names = append(names, team+"/"+name)
		}
	}
	sort.Strings(names)
	if strings.Join(names, " ") != "core/ann core/bob core/dan ops/cat" {
		t.Fatalf("names = %v", names)
	}
}

func TestCacheJSON(t *testing.T) {
	cache = map[string]map[string]*User{
		"eu":    {"ann": {Name: "ann", Email: "a@x", Tags: []string{"<admin>"}}},
		"empty": {},
		"null":  nil,
	}
	got, err := encodeCache()
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"empty":{},"eu":{"ann":{"name":"ann","email":"a@x","tags":["\u003cadmin\u003e"]}},"null":null}`
	if string(got) != want {
		t.Fatalf("encodeCache:\n got %s\nwant %s", got, want)
	}
	indented, err := encodeCacheIndented()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, []byte(want), "", "  "); err != nil {
		t.Fatal(err)
	}
	if string(indented) != buf.String() {
		t.Fatalf("encodeCacheIndented:\n%s\nwant\n%s", indented, buf.String())
	}
	if s := cacheString(); s != want+"\n" {
		t.Fatalf("streamCache = %q", s)
	}

	if err := decodeCache([]byte(`{"us":{"bob":{"name":"bob"}},"none":null,"e":{}}`)); err != nil {
		t.Fatal(err)
	}
	if len(cache) != 6 || cache["us"]["bob"].Name != "bob" || cache["none"] != nil || cache["e"] == nil || len(cache["eu"]) != 1 {
		t.Fatalf("decodeCache merged wrongly: %d regions", len(cache))
	}
	if err := readCache(strings.NewReader(`{"eu":{"zed":{"name":"zed"}}}`)); err != nil {
		t.Fatal(err)
	}
	if _, ok := cache["eu"]["ann"]; ok || cache["eu"]["zed"] == nil {
		t.Fatal("decoding replaces inner maps, it does not merge them")
	}
	if err := decodeCache([]byte(`{"eu":[1]}`)); err == nil {
		t.Fatal("a type error was not reported")
	}
}

func TestDocumentJSON(t *testing.T) {
	d := &Document{Title: "t"}
	d.put("eu", &User{Name: "ann"})
	d.Scores = map[string]map[string]float64{"eu": {"ann": 1.5}}
	d.Extra = map[string]map[string][]interface{}{"x": {"y": {1, "two", nil}}}
	got, err := encodeDocument(d)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"title":"t","regions":{"eu":{"ann":{"name":"ann"}}},"scores":{"eu":{"ann":1.5}},"extra":{"x":{"y":[1,"two",null]}}}`
	if string(got) != want {
		t.Fatalf("encodeDocument:\n got %s\nwant %s", got, want)
	}
	back, err := decodeDocument(got)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := encodeDocument(back)
	if string(again) != want {
		t.Fatalf("round trip:\n got %s\nwant %s", again, want)
	}
	if back.Regions["eu"]["ann"].Name != "ann" || back.Extra["x"]["y"][1] != "two" {
		t.Fatalf("decoded %q", again)
	}
}
