package storetest

import (
	"context"
	"database/sql"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// TestReusedCopyHoldsWhatAFreshCopyHolds: a test's PostgreSQL copy, reset
// after the test changed rows of every kind (its own rows, the template's
// regions, a sequence, a connection left open), holds exactly what a new
// copy of the template holds, table by table and row by row; a copy whose
// schema a test changed is dropped, not reused.
func TestReusedCopyHoldsWhatAFreshCopyHolds(t *testing.T) {
	if !slices.Contains(Engines(t), store.Postgres) {
		t.Skip("no PostgreSQL leg in this pass")
	}
	ctx := context.Background()
	// Copies of their own, so that no free copy of another test (of this
	// process or another) is taken instead.
	p := privateCopies(t)
	var first int64 // the first test's copy
	var leak *sql.Conn
	t.Run("dirty", func(t *testing.T) {
		st := openCopy(t, p)
		name, oid := database(t, st)
		first = oid
		raw := rawDB(t, name)
		User(t, st, "reuse-sup", domain.RoleSupervisor, "61.07")
		if err := st.SetSetting(ctx, "reuse.test", "1"); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`UPDATE regions SET name = 'Diubah' WHERE code = '61.07'`,
			`DELETE FROM regions WHERE code LIKE '13.01.%' AND level = 4`,
		} {
			if _, err := raw.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		var seq string
		if err := raw.QueryRowContext(ctx, `SELECT quote_ident(relname) FROM pg_class
			WHERE relnamespace = 'public'::regnamespace AND relkind = 'S' ORDER BY relname LIMIT 1`).Scan(&seq); err == nil {
			if _, err := raw.ExecContext(ctx, `SELECT nextval('`+seq+`')`); err != nil {
				t.Fatal(err)
			}
		}
		// A connection the test never closes: the reset ends it.
		db, err := sql.Open("pgx", dbURL(t, name))
		if err != nil {
			t.Fatal(err)
		}
		if leak, err = db.Conn(ctx); err != nil {
			t.Fatal(err)
		}
		if n := rowCount(t, raw, "users"); n == 0 {
			t.Fatal("the test wrote no user")
		}
	})

	t.Run("reused", func(t *testing.T) {
		st := openCopy(t, p)
		name, oid := database(t, st)
		if oid != first {
			t.Fatalf("got copy %s (%d), want the reset copy (%d)", name, oid, first)
		}
		raw := rawDB(t, name)
		fresh := freshCopy(t)
		tables := tableNames(t, fresh)
		if len(tables) < 50 {
			t.Fatalf("only %d tables", len(tables))
		}
		for _, tb := range tables {
			want, got := tableRows(t, fresh, tb), tableRows(t, raw, tb)
			if !slices.Equal(got, want) {
				t.Errorf("table %s: %d rows, a fresh copy has %d (or they differ)", tb, len(got), len(want))
			}
		}
		const seqs = `SELECT string_agg(relname || '=' || coalesce(pg_sequence_last_value(oid::regclass)::text, '-'), ',' ORDER BY relname)
			FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'S'`
		var want, got sql.NullString
		if err := fresh.QueryRowContext(ctx, seqs).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if err := raw.QueryRowContext(ctx, seqs).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("sequences %v, a fresh copy's %v", got, want)
		}
		if leak == nil || leak.PingContext(ctx) == nil {
			t.Error("the connection the last test left open still works")
		}
		// A test that changes the schema.
		if _, err := raw.ExecContext(ctx, `ALTER TABLE settings ADD COLUMN reuse_test int`); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("after a schema change", func(t *testing.T) {
		st := openCopy(t, p)
		if name, oid := database(t, st); oid == first {
			t.Fatalf("got copy %s again after its schema changed", name)
		}
		var n int
		if err := st.QueryRowContext(ctx, `SELECT count(*) FROM pg_database WHERE oid = $1`, first).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("the copy with the changed schema (%d) still exists", first)
		}
	})
}

// A copy in use by a process that has ended is taken over by another
// and reset before it is used: its rows are the template's again.
func TestCopyOfAnEndedProcessIsResetBeforeUse(t *testing.T) {
	if !slices.Contains(Engines(t), store.Postgres) {
		t.Skip("no PostgreSQL leg in this pass")
	}
	ctx := context.Background()
	p := privateCopies(t)
	orphan := p.prefix + "u999999999_0" // no such process
	admin := rawDB(t, "postgres")
	if err := p.copyTo(ctx, admin, orphan); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		pgExec(t, os.Getenv("LINDU_TEST_POSTGRES"), `DROP DATABASE IF EXISTS `+orphan+` WITH (FORCE)`, t.Logf)
	})
	dirty := rawDB(t, orphan)
	if _, err := dirty.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ('orphan', 'x', now())`); err != nil {
		t.Fatal(err)
	}
	if _, err := dirty.ExecContext(ctx, `UPDATE regions SET name = 'Diubah' WHERE code = '61.07'`); err != nil {
		t.Fatal(err)
	}
	if err := dirty.Close(); err != nil {
		t.Fatal(err)
	}
	name, err := p.acquire(ctx, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		pgExec(t, os.Getenv("LINDU_TEST_POSTGRES"), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`, t.Logf)
	})
	if !strings.HasPrefix(name, p.prefix+"u"+strconv.Itoa(os.Getpid())+"_") {
		t.Fatalf("acquired %s, want the orphan renamed as this process's", name)
	}
	var n int
	if err := admin.QueryRowContext(ctx, `SELECT count(*) FROM pg_database WHERE datname = $1`, orphan).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the orphan %s is still there (%d, %v): a new copy was made instead", orphan, n, err)
	}
	got, fresh := rawDB(t, name), freshCopy(t)
	for _, tb := range []string{"settings", "regions"} {
		if !slices.Equal(tableRows(t, got, tb), tableRows(t, fresh, tb)) {
			t.Errorf("table %s of the taken-over copy differs from a fresh copy's", tb)
		}
	}
}

// privateCopies is the default template with a namespace of copies of
// its own (dropped when the test ends).
func privateCopies(t *testing.T) *pgTemplate {
	t.Helper()
	Open(t, store.Postgres, Options{}) // builds the template
	templates.Lock()
	o := templates.built[string(store.Postgres)+"|61,13.01"]
	templates.Unlock()
	if o == nil || o.t.pg == nil {
		t.Fatal("no template")
	}
	p := *o.t.pg
	p.prefix += "x" + randHex(3) + "_"
	admin := rawDB(t, "postgres")
	t.Cleanup(func() {
		for _, name := range column(t, admin, `SELECT datname FROM pg_database WHERE starts_with(datname, '`+p.prefix+`')`) {
			pgExec(t, os.Getenv("LINDU_TEST_POSTGRES"), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`, t.Logf)
		}
	})
	return &p
}

// openCopy opens a store on a copy taken from p, given back to p when
// the test ends.
func openCopy(t *testing.T, p *pgTemplate) *store.Store {
	t.Helper()
	ctx := context.Background()
	name, err := p.acquire(ctx, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.release(ctx, name); err != nil {
			t.Logf("copy %s not reused: %v", name, err)
		}
	})
	return Open(t, store.Postgres, Options{URL: dbURL(t, name), Regions: "-"})
}

// database is the name and the OID (kept by a rename) of st's database.
func database(t *testing.T, st *store.Store) (string, int64) {
	t.Helper()
	var name string
	var oid int64
	if err := st.QueryRowContext(context.Background(), `SELECT datname, oid::int8 FROM pg_database WHERE datname = current_database()`).Scan(&name, &oid); err != nil {
		t.Fatal(err)
	}
	return name, oid
}

func dbURL(t *testing.T, name string) string {
	t.Helper()
	u, err := withDatabase(os.Getenv("LINDU_TEST_POSTGRES"), name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// rawDB is a connection pool to database name, closed when the test ends
// (before its copy is reset).
func rawDB(t *testing.T, name string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dbURL(t, name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// freshCopy is a new copy of the default template, dropped at the end.
func freshCopy(t *testing.T) *sql.DB {
	t.Helper()
	templates.Lock()
	o := templates.built[string(store.Postgres)+"|61,13.01"]
	templates.Unlock()
	if o == nil || o.t.pg == nil {
		t.Fatal("no template")
	}
	base := os.Getenv("LINDU_TEST_POSTGRES")
	name := "lindu_fresh_" + randHex(4)
	admin := rawDB(t, "postgres")
	if err := o.t.pg.copyTo(context.Background(), admin, name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pgExec(t, base, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`, t.Logf) })
	return rawDB(t, name)
}

func tableNames(t *testing.T, db *sql.DB) []string {
	return column(t, db, `SELECT quote_ident(relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY relname`)
}

// tableRows is every row of table as text, sorted.
func tableRows(t *testing.T, db *sql.DB, table string) []string {
	rows := column(t, db, `SELECT x::text FROM `+table+` x`)
	slices.Sort(rows)
	return rows
}

// column is the one text column of query's rows.
func column(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	out, err := store.Rows(context.Background(), db, func(r *sql.Rows) (s string, err error) {
		err = r.Scan(&s)
		return s, err
	}, query)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func rowCount(t *testing.T, db *sql.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM ` + strings.TrimSpace(table)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
