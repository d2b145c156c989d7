package store_test

import (
	"database/sql"
	"slices"
	"strings"
	"testing"

	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// A region scope is rewritten for SQLite into a range; only conditions
// that scopeClause made are touched.
func TestSQLiteScopeRewrite(t *testing.T) {
	cond, args := store.ScopeClause("c.region_code", "61.07", 3)
	if len(args) != 2 || args[0] != "61.07" || args[1] != "61.07.%" {
		t.Fatalf("args %v", args)
	}
	got := store.SQLiteSQL("SELECT 1 FROM cases c WHERE c.id = $1 AND " + cond)
	want := "SELECT 1 FROM cases c WHERE c.id = $1 AND (c.region_code = $3 OR (c.region_code >= $3 || '.' AND c.region_code < $3 || '/'))"
	if got != want {
		t.Errorf("rewrite:\n got %s\nwant %s", got, want)
	}
	for _, q := range []string{
		"SELECT 1 WHERE (a = $1 OR b LIKE $2 /*within*/)", // two columns
		"SELECT 1 WHERE (a = $1 OR a LIKE $3 /*within*/)", // not the next argument
		"SELECT 1 WHERE (a = $1 OR a LIKE $2)",            // not marked
		"SELECT 1 WHERE name LIKE $1",
	} {
		if got := store.SQLiteSQL(q); got != q {
			t.Errorf("%s rewritten to %s", q, got)
		}
	}
}

// On both engines a scope holds exactly its region and the codes under
// it, whatever the neighbouring codes look like.
func TestScopeClauseSelectsSubregions(t *testing.T) {
	codes := []string{"61", "61.0", "61.07", "61.07.", "61.07.01", "61.07.01.2001", "61.070", "61.071.01", "61.07/",
		"61.07-1", "61.06.99", "61.08", "61.08.01", "62.07.01", "61.07.\u00e9", "61.07.%", "61.07_01"}
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		u := storetest.URL(t, d)
		st := storetest.Open(t, d, storetest.Options{URL: u, Regions: "-"})
		raw := rawDB(t, d, u)
		mustExec(t, raw, `CREATE TABLE scope_codes (code TEXT PRIMARY KEY)`)
		for _, c := range codes {
			if _, err := raw.Exec(`INSERT INTO scope_codes (code) VALUES ($1)`, c); err != nil {
				t.Fatal(err)
			}
		}
		for _, region := range []string{"61", "61.07", "61.07.01", "61.0", "62"} {
			var want []string
			for _, c := range codes {
				if c == region || strings.HasPrefix(c, region+".") {
					want = append(want, c)
				}
			}
			slices.Sort(want)
			cond, args := store.ScopeClause("s.code", region, 1)
			if got := scopeCodes(t, st, cond, args); !slices.Equal(got, want) {
				t.Errorf("%s: %q, want %q", region, got, want)
			}
			// The same condition with the region written into the SQL
			// (PostgreSQL, region codes only).
			lit, ok := st.ScopeLiteral("s.code", region)
			if valid := region != "61.0"; ok != (valid && d == store.Postgres) {
				t.Errorf("%s: ScopeLiteral ok = %v on %s", region, ok, d)
			}
			if !ok {
				continue
			}
			if got := scopeCodes(t, st, lit, nil); !slices.Equal(got, want) {
				t.Errorf("%s written into the SQL: %q, want %q", region, got, want)
			}
		}
		// Nothing but a region code is written into SQL.
		for _, bad := range []string{"61' OR '1'='1", "61.07%", "61_07", "61.07.01.2001.1", "6a", "61.07 ", "61.07;"} {
			if lit, ok := st.ScopeLiteral("s.code", bad); ok {
				t.Errorf("ScopeLiteral(%q) = %s", bad, lit)
			}
		}
	})
}

// scopeCodes reads the codes of scope_codes that cond selects.
func scopeCodes(t *testing.T, st *store.Store, cond string, args []any) []string {
	t.Helper()
	got, err := store.Rows(ctx, st, func(r *sql.Rows) (c string, err error) {
		err = r.Scan(&c)
		return c, err
	}, `SELECT s.code FROM scope_codes s WHERE `+cond+` ORDER BY s.code`, args...)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	return got
}
