// Package storetest opens throwaway stores for tests: SQLite in a temporary
// directory always, PostgreSQL when LINDU_TEST_POSTGRES names a database
// (the test command sets it). Each store gets a database of its own (a copy
// of a migrated template, see template.go; on PostgreSQL without CREATEDB
// a schema of its own), so tests never see each other's rows. The conformance suite in this package
// runs on both.
package storetest

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"lindu/internal/regiondata"
	"lindu/internal/secret"
	"lindu/internal/store"
)

// Engines lists the databases tests run on in this process. The test
// command's race pass sets LINDU_TEST_RACE_PG_ONLY=1: modernc's SQLite is
// very slow under -race, and the SQLite legs run in the normal pass.
//
// LINDU_TEST_PG_ELSEWHERE lists packages (import paths; "p/..." for p and
// the packages under it) whose PostgreSQL legs another pass runs: the
// test command sets it for its normal pass, which runs alongside the race
// pass, so the PostgreSQL legs of those packages run once, under -race.
// LINDU_TEST_PG_HERE names top-level tests of those packages whose
// PostgreSQL legs the normal pass runs all the same (the race pass skips
// them): tests that load the demo data set and have no concurrency of
// their own (under the race detector 35 s each instead of about 20).
func Engines(t testing.TB) []store.Dialect {
	out := []store.Dialect{store.SQLite}
	if os.Getenv("LINDU_TEST_RACE_PG_ONLY") == "1" && os.Getenv("LINDU_TEST_POSTGRES") != "" {
		return []store.Dialect{store.Postgres}
	}
	if pgElsewhere(os.Getenv("LINDU_TEST_PG_ELSEWHERE")) && !pgHere(t, os.Getenv("LINDU_TEST_PG_HERE")) {
		return out
	}
	if os.Getenv("LINDU_TEST_POSTGRES") != "" {
		out = append(out, store.Postgres)
	} else if os.Getenv("LINDU_TEST_REQUIRE_POSTGRES") == "1" {
		t.Fatal("LINDU_TEST_REQUIRE_POSTGRES=1 but LINDU_TEST_POSTGRES is not set")
	}
	return out
}

// pgElsewhere reports whether list names the package under test.
func pgElsewhere(list string) bool {
	if list == "" {
		return false
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	pkg := strings.TrimSuffix(bi.Path, ".test")
	for _, p := range strings.Fields(list) {
		if tree, ok := strings.CutSuffix(p, "/..."); (ok && (pkg == tree || strings.HasPrefix(pkg, tree+"/"))) || pkg == p {
			return true
		}
	}
	return false
}

// pgHere reports whether list names t's top-level test.
func pgHere(t testing.TB, list string) bool {
	top, _, _ := strings.Cut(t.Name(), "/")
	for _, name := range strings.Fields(list) {
		if name == top {
			return true
		}
	}
	return false
}

// Each runs fn as a subtest on every engine.
func Each(t *testing.T, fn func(t *testing.T, d store.Dialect)) {
	for _, d := range Engines(t) {
		t.Run(string(d), func(t *testing.T) { fn(t, d) })
	}
}

// Box returns a fresh encryption box.
func Box(t testing.TB) *secret.Box {
	b, err := secret.NewBox([]secret.Key{secret.NewKey(time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// URL returns a database URL for a fresh, empty database of dialect d and
// registers its cleanup. For PostgreSQL it creates a schema and puts it on
// the search path.
func URL(t testing.TB, d store.Dialect) string {
	t.Helper()
	switch d {
	case store.SQLite:
		return "sqlite:" + filepath.Join(t.TempDir(), "lindu.db")
	case store.Postgres:
		base := os.Getenv("LINDU_TEST_POSTGRES")
		if base == "" {
			t.Skip("LINDU_TEST_POSTGRES not set")
		}
		schema := "t_" + randHex(6)
		pgExec(t, base, `CREATE SCHEMA `+schema, t.Fatalf)
		t.Cleanup(func() { pgExec(t, base, `DROP SCHEMA `+schema+` CASCADE`, t.Logf) })
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	t.Fatalf("unknown dialect %q", d)
	return ""
}

// pgExec runs one statement on the PostgreSQL database at base over a
// connection of its own and reports a failure with fail: t.Fatalf when the
// test cannot go on without it, t.Logf for a cleanup (a schema left behind
// costs disk space, not correctness). A failed close is only logged.
func pgExec(t testing.TB, base, stmt string, fail func(format string, args ...any)) {
	t.Helper()
	db, err := sql.Open("pgx", base)
	if err != nil {
		fail("storetest: open the database for %s: %v", stmt, err)
		return
	}
	defer func() { // also when fail stops the test
		if err := db.Close(); err != nil {
			t.Logf("storetest: close after %s: %v", stmt, err)
		}
	}()
	if _, err := db.Exec(stmt); err != nil {
		fail("storetest: %s: %v", stmt, err)
	}
}

// Options tune Open.
type Options struct {
	Now     func() time.Time
	Box     *secret.Box
	Regions string // region filter to load; "" loads Bengkayang's province (61); "-" loads none
	URL     string // reuse an existing database
	// RootRegion is the deployment's region for the store; "" means
	// Bengkayang (61.07), "-" means all of Indonesia.
	RootRegion string
	// MaxConns bounds PostgreSQL's pool (0: the store's default), to show
	// that work holding a connection never waits for a second one.
	MaxConns int
}

// Open returns a migrated store with regions loaded (by default province 61,
// Kalimantan Barat, which includes Bengkayang 61.07, plus province 13 for
// out-of-region tests).
func Open(t testing.TB, d store.Dialect, o Options) *store.Store {
	t.Helper()
	if o.Box == nil {
		o.Box = Box(t)
	}
	var filters []string
	switch o.Regions {
	case "-":
	case "":
		filters = []string{"61", "13.01"}
	default:
		filters = []string{o.Regions}
	}
	u, copied := o.URL, false
	if u == "" {
		u, copied = fromTemplate(t, d, filters)
	}
	if u == "" {
		u = URL(t, d)
	}
	ctx := context.Background()
	root := o.RootRegion
	switch root {
	case "":
		root = "61.07"
	case "-":
		root = ""
	}
	st, err := store.Open(ctx, u, store.Options{Box: o.Box, Now: o.Now, RootRegion: root, MaxOpenConns: o.MaxConns})
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Logf("storetest: close %s store: %v", d, err)
		}
	})
	if applied, err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", d, err)
	} else if copied && len(applied) > 0 {
		t.Fatalf("storetest: the template lacked migrations %v", applied)
	}
	if !copied {
		for _, f := range filters {
			if _, err := regiondata.Load(ctx, st, f, nil); err != nil {
				t.Fatalf("load regions: %v", err)
			}
		}
	}
	return st
}

// Clock is a settable clock for tests, safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
