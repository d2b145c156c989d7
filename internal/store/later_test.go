package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

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
