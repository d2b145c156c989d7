package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// Several inserts kept by ExecLater go as one statement whose parameters
// follow each other; literals, quoted names and comments keep their "$".
func TestCombineRenumbersParameters(t *testing.T) {
	q, args := store.Combine([]string{
		`INSERT INTO a (x, y) VALUES ($1, $2)`,
		`INSERT INTO b (x, "odd$1") VALUES ($1, 'it''s $2') -- $1
		`,
		` INSERT INTO c (x, y, z) VALUES ($2, $1, $10)`,
	}, [][]any{{1, 2}, {3}, {4, 5, 6, 7, 8, 9, 10, 11, 12, 13}})
	want := "WITH w0 AS (INSERT INTO a (x, y) VALUES ($1, $2)\n), " +
		"w1 AS (INSERT INTO b (x, \"odd$1\") VALUES ($3, 'it''s $2') -- $1\n) " +
		"INSERT INTO c (x, y, z) VALUES ($5, $4, $13)"
	if q != want {
		t.Errorf("combined:\n%s\nwant:\n%s", q, want)
	}
	if !reflect.DeepEqual(args, []any{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}) {
		t.Errorf("args %v", args)
	}
	if got := store.ShiftParams(`SELECT $1, '$1`, 3); got != `SELECT $4, '$1` {
		t.Errorf("an unterminated literal: %q", got)
	}
	if q, _ := store.Combine([]string{`INSERT INTO a VALUES ($1)`}, [][]any{{1}}); q != `INSERT INTO a VALUES ($1)` {
		t.Errorf("one insert is sent as it is: %q", q)
	}
}

// settingRow inserts a setting as ExecLater would.
func settingRow(ctx context.Context, tx *store.Tx, key, value string) error {
	return tx.ExecLater(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)`, key, value, tx.Now())
}

func settingValues(t *testing.T, st *store.Store, prefix string) map[string]string {
	t.Helper()
	rows, err := store.Rows(ctx, st, func(r *sql.Rows) ([2]string, error) {
		var kv [2]string
		return kv, r.Scan(&kv[0], &kv[1])
	}, `SELECT key, value FROM settings WHERE key LIKE $1`, prefix+"%")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, kv := range rows {
		out[kv[0]] = kv[1]
	}
	return out
}

// Kept inserts are what the transaction's reads see and what it commits,
// a child row beside its parent's; one that fails fails the transaction
// with its own error (a unique violation, which callers retry on), and
// nothing of it is committed, whatever ran after it.
func TestExecLater(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st := storetest.Open(t, d, storetest.Options{Regions: "-"})
		err := st.InTx(ctx, func(tx *store.Tx) error {
			for i := range 3 {
				if err := settingRow(ctx, tx, fmt.Sprintf("later.a%d", i), "v$1"); err != nil {
					return err
				}
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM settings WHERE key LIKE 'later.a%'`).Scan(&n); err != nil || n != 3 {
				t.Errorf("the transaction reads %d of its 3 kept rows (%v)", n, err)
			}
			// A parent and its child, kept together.
			if err := tx.ExecLater(ctx, `INSERT INTO deadlines (id, subject_type, subject_id, kind, due_at) VALUES ($1,$2,$3,$4,$5)`,
				"dl-later", "report", "r-later", "triage", tx.Now()); err != nil {
				return err
			}
			return tx.ExecLater(ctx, `INSERT INTO escalations (id, deadline_id, step, target, fire_at) VALUES ($1,$2,$3,$4,$5)`,
				"es-later", "dl-later", 1, "assignee", tx.Now())
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := settingValues(t, st, "later.a"); len(got) != 3 || got["later.a2"] != "v$1" {
			t.Errorf("committed %v", got)
		}
		var n int
		if err := st.QueryRowContext(ctx, `SELECT COUNT(*) FROM escalations WHERE deadline_id = 'dl-later'`).Scan(&n); err != nil || n != 1 {
			t.Errorf("the child row: %d, %v", n, err)
		}

		// A duplicate among the kept inserts, and a statement after it.
		err = st.InTx(ctx, func(tx *store.Tx) error {
			if err := settingRow(ctx, tx, "later.b", "1"); err != nil {
				return err
			}
			if err := settingRow(ctx, tx, "later.a0", "again"); err != nil {
				return err
			}
			if err := tx.SetSetting(ctx, "later.c", "after"); err != nil {
				return err
			}
			return nil
		})
		if !store.IsUniqueViolation(err) {
			t.Fatalf("InTx = %v, want the kept insert's unique violation", err)
		}
		// The duplicate as the transaction's last write: found at commit.
		err = st.InTx(ctx, func(tx *store.Tx) error { return settingRow(ctx, tx, "later.a1", "again") })
		if !store.IsUniqueViolation(err) {
			t.Fatalf("InTx = %v, want the unique violation at commit", err)
		}
		if got := settingValues(t, st, "later."); len(got) != 3 || got["later.a0"] != "v$1" {
			t.Errorf("after the failed transactions: %v", got)
		}

		if err := st.InTx(ctx, func(tx *store.Tx) error {
			return tx.ExecLater(ctx, `DELETE FROM settings`)
		}); err == nil || !strings.Contains(err.Error(), "INSERT") {
			t.Errorf("ExecLater of a DELETE: %v", err)
		}
		// A kept UPDATE of a row written before, beside a kept insert; the
		// transaction reads both, and commits both.
		err = st.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.ExecLater(ctx, `UPDATE settings SET value = $1 WHERE key = $2`, "changed", "later.a1"); err != nil {
				return err
			}
			if err := settingRow(ctx, tx, "later.d", "new"); err != nil {
				return err
			}
			var v string
			if err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'later.a1'`).Scan(&v); err != nil || v != "changed" {
				t.Errorf("the transaction reads %q (%v) after its kept UPDATE", v, err)
			}
			return tx.ExecLater(ctx, `UPDATE settings SET value = $1 WHERE key = $2`, "changed too", "later.a2")
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := settingValues(t, st, "later."); len(got) != 4 || got["later.a1"] != "changed" || got["later.a2"] != "changed too" || got["later.d"] != "new" {
			t.Errorf("after kept updates: %v", got)
		}
	})
}

// In a shared transaction (Committer) each write's kept inserts are its
// own: one that fails fails that write alone.
func TestExecLaterShared(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st := storetest.Open(t, d, storetest.Options{Regions: "-"})
		if err := st.InTx(ctx, func(tx *store.Tx) error { return settingRow(ctx, tx, "shared.dup", "first") }); err != nil {
			t.Fatal(err)
		}
		c := &store.Committer{Store: st}
		var wg sync.WaitGroup
		errs := make([]error, 16)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				key := fmt.Sprintf("shared.k%02d", i)
				if i == 7 {
					key = "shared.dup"
				}
				errs[i] = c.Do(ctx, func(ctx context.Context, tx *store.Tx) error {
					if err := settingRow(ctx, tx, key+".x", "x"); err != nil {
						return err
					}
					return settingRow(ctx, tx, key, "v")
				})
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if (i == 7) != store.IsUniqueViolation(err) || i != 7 && err != nil {
				t.Errorf("write %d: %v", i, err)
			}
		}
		got := settingValues(t, st, "shared.")
		if len(got) != 31 || got["shared.dup"] != "first" || got["shared.dup.x"] != "" {
			t.Errorf("%d settings committed (want 31), shared.dup = %q, its companion %q", len(got), got["shared.dup"], got["shared.dup.x"])
		}
	})
}

// A write of InSharedTx alone in its commit goes, on PostgreSQL, as one
// statement without a transaction when it only keeps statements; one that
// reads, or whose statement fails, runs again in a transaction, and what
// it commits is the same either way. Its rate limit counts inside that one
// statement, and a hit over the limit changes nothing.
func TestInSharedTxOneStatement(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		clk := storetest.NewClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC))
		st := storetest.Open(t, d, storetest.Options{Now: clk.Now, Regions: "-"})
		kept := func() int64 { return st.KeptCommits() }
		wantKept := func(step string, before, n int64) {
			t.Helper()
			if d != store.Postgres {
				n = 0 // SQLite writes in the process: nothing to save
			}
			if got := kept() - before; got != n {
				t.Errorf("%s: %d writes committed as one statement, want %d", step, got, n)
			}
		}

		// Kept inserts only: one statement.
		k0 := kept()
		err := st.InSharedTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			for _, k := range []string{"one.a", "one.b", "one.c"} {
				if err := settingRow(ctx, tx, k, "v"); err != nil {
					return err
				}
			}
			return nil
		})
		if got := settingValues(t, st, "one."); err != nil || len(got) != 3 {
			t.Fatalf("kept inserts: %v, %d rows of 3", err, len(got))
		}
		wantKept("kept inserts", k0, 1)

		// A read after a kept insert: in a transaction, and it sees the insert.
		k0 = kept()
		var seen string
		err = st.InSharedTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			if err := settingRow(ctx, tx, "read.a", "mine"); err != nil {
				return err
			}
			return tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, "read.a").Scan(&seen)
		})
		if got := settingValues(t, st, "read."); err != nil || seen != "mine" || len(got) != 1 {
			t.Fatalf("read after a kept insert: %v, saw %q, %d rows of 1", err, seen, len(got))
		}
		wantKept("a read", k0, 0)

		// A statement that fails (the second insert's key exists) commits
		// nothing of the write, and says why.
		k0 = kept()
		err = st.InSharedTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			if err := settingRow(ctx, tx, "dup.new", "v"); err != nil {
				return err
			}
			return settingRow(ctx, tx, "one.a", "again")
		})
		if !store.IsUniqueViolation(err) {
			t.Fatalf("duplicate key: %v, want a unique violation", err)
		}
		if got := settingValues(t, st, "dup."); len(got) != 0 {
			t.Errorf("a failed write left %v", got)
		}
		wantKept("a failed statement", k0, 0)

		// fn's own error, before any statement: returned, nothing written.
		mine := fmt.Errorf("refused by the caller")
		if err := st.InSharedTx(ctx, func(ctx context.Context, tx *store.Tx) error { return mine }); err != mine {
			t.Fatalf("fn's error: %v", err)
		}

		// The rate limit, as the public intake counts it: two hits a hour.
		errOver := fmt.Errorf("over the limit")
		hit := func(i int) (bool, time.Time, error) {
			var ok bool
			var reset time.Time
			err := st.InSharedTx(ctx, func(ctx context.Context, tx *store.Tx) error {
				var err error
				ok, reset, err = tx.Allow(ctx, "addr:1", 2, time.Hour)
				if err != nil {
					return err
				}
				if !ok {
					return errOver // refused: rolled back, as the intake does
				}
				return settingRow(ctx, tx, fmt.Sprintf("limited.%d", i), "v")
			})
			if err == errOver {
				err = nil
			}
			return ok, reset, err
		}
		k0 = kept()
		for i := range 2 {
			if ok, _, err := hit(i); err != nil || !ok {
				t.Fatalf("hit %d: %v %v", i+1, ok, err)
			}
		}
		wantKept("hits within the limit", k0, 2)
		for i := 2; i < 4; i++ {
			ok, reset, err := hit(i)
			if err != nil || ok || !reset.Equal(clk.Now().Add(time.Hour)) {
				t.Fatalf("hit %d over the limit: ok %v, window ends %v, %v", i+1, ok, reset, err)
			}
		}
		if got := settingValues(t, st, "limited."); len(got) != 2 {
			t.Errorf("%d rows written by 4 hits with a limit of 2", len(got))
		}
		var hits int
		if err := st.QueryRowContext(ctx, `SELECT hits FROM rate_limits`).Scan(&hits); err != nil || hits != 2 {
			t.Errorf("the window counts %d hits (%v), want 2: a refused hit counts nothing", hits, err)
		}
		clk.Advance(time.Hour)
		k0 = kept()
		if ok, _, err := hit(9); err != nil || !ok {
			t.Fatalf("a new window: %v %v", ok, err)
		}
		wantKept("a new window", k0, 1)
		if err := st.QueryRowContext(ctx, `SELECT hits FROM rate_limits`).Scan(&hits); err != nil || hits != 1 {
			t.Errorf("the new window counts %d hits (%v), want 1", hits, err)
		}
	})
}

// A new row's name index entries are kept with the row (IndexNewNames):
// the write stays one statement on PostgreSQL, and the entries are those
// IndexNames makes for the same name.
func TestIndexNewNamesKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st := storetest.Open(t, d, storetest.Options{Regions: "-"})
		const name = "Siti Nurhaliza binti Ahmad"
		k0 := st.KeptCommits()
		if err := st.InSharedTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			if err := settingRow(ctx, tx, "named.new", "v"); err != nil {
				return err
			}
			return tx.IndexNewNames(ctx, store.NamesReporter, "row-new", name)
		}); err != nil {
			t.Fatal(err)
		}
		want := int64(1)
		if d != store.Postgres {
			want = 0
		}
		if got := st.KeptCommits() - k0; got != want {
			t.Errorf("%d writes committed as one statement, want %d", got, want)
		}
		if err := st.InTx(ctx, func(tx *store.Tx) error {
			return tx.IndexNames(ctx, store.NamesReporter, "row-old", name)
		}); err != nil {
			t.Fatal(err)
		}
		tokens := func(row string) []string {
			got, err := store.Rows(ctx, st, func(r *sql.Rows) (string, error) {
				var s string
				return s, r.Scan(&s)
			}, `SELECT token || '/' || key_id FROM name_tokens WHERE source = $1 AND row_id = $2 ORDER BY 1`, store.NamesReporter.Table, row)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		if n, o := tokens("row-new"), tokens("row-old"); len(n) < 3 || !reflect.DeepEqual(n, o) {
			t.Errorf("entries of a new row %v, of IndexNames %v", n, o)
		}
	})
}
