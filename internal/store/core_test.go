package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// InTx commits everything fn wrote, audit entry included, or nothing.
func TestInTxCommitsOrRollsBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st := storetest.Open(t, d, storetest.Options{Regions: "-"})
		sc := sys()
		boom := errors.New("boom")
		err := st.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.SetSetting(ctx, "core.test", "rolled back"); err != nil {
				return err
			}
			if err := tx.Audit(ctx, sc, "core.test", "setting", "core.test", "", "x"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v, want boom", err)
		}
		if v, _ := st.GetSetting(ctx, "core.test"); v != "" {
			t.Fatalf("rolled-back setting is %q", v)
		}
		err = st.InTx(ctx, func(tx *store.Tx) error {
			if a, b := tx.NewID(), tx.NewID(); tx.Now().Location().String() != "UTC" || a == b {
				t.Errorf("clock %v or IDs not unique", tx.Now())
			}
			return tx.SetSetting(ctx, "core.test", "kept")
		})
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := st.GetSetting(ctx, "core.test"); v != "kept" {
			t.Fatalf("setting = %q", v)
		}
		keys, err := store.Rows(ctx, st, func(r *sql.Rows) (string, error) {
			var k string
			return k, r.Scan(&k)
		}, `SELECT key FROM settings WHERE key = $1`, "core.test")
		if err != nil || len(keys) != 1 {
			t.Fatalf("Rows = %v, %v", keys, err)
		}
		if _, err := store.Rows(ctx, st, func(r *sql.Rows) (string, error) { return "", nil }, `SELECT nope FROM nowhere`); err == nil {
			t.Fatal("Rows hides a bad query")
		}
	})
}

// A transaction whose work is done commits even when its context ends
// at that moment (the caller is told the truth: it committed), a
// statement run after the context ended fails and rolls the transaction
// back, and a panicking fn leaves no transaction open behind it.
func TestInTxContextEndingAroundCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st := storetest.Open(t, d, storetest.Options{Regions: "-"})
		cctx, cancel := context.WithCancel(ctx)
		err := st.InTx(cctx, func(tx *store.Tx) error {
			if err := tx.SetSetting(cctx, "core.cancel", "committed"); err != nil {
				return err
			}
			cancel() // the client goes away once the work is done
			return nil
		})
		if err != nil {
			t.Fatalf("InTx = %v, want the commit", err)
		}
		if v, _ := st.GetSetting(ctx, "core.cancel"); v != "committed" {
			t.Fatalf("setting = %q, want the committed value", v)
		}

		cctx, cancel = context.WithCancel(ctx)
		err = st.InTx(cctx, func(tx *store.Tx) error {
			if err := tx.SetSetting(cctx, "core.cancel", "first half"); err != nil {
				return err
			}
			cancel()
			return tx.SetSetting(cctx, "core.cancel2", "second half")
		})
		if err == nil {
			t.Fatal("InTx ran a statement after its context ended")
		}
		if v, _ := st.GetSetting(ctx, "core.cancel"); v != "committed" {
			t.Fatalf("setting = %q after a failed transaction", v)
		}

		func() {
			defer func() { _ = recover() }()
			_ = st.InTx(ctx, func(tx *store.Tx) error {
				if err := tx.SetSetting(ctx, "core.cancel", "panicked"); err != nil {
					return err
				}
				panic("boom")
			})
		}()
		tctx, stop := context.WithTimeout(ctx, 30*time.Second)
		defer stop()
		if err := st.InTx(tctx, func(tx *store.Tx) error { return tx.SetSetting(tctx, "core.after", "ok") }); err != nil {
			t.Fatalf("InTx after a panic: %v", err)
		}
		if v, _ := st.GetSetting(ctx, "core.cancel"); v != "committed" {
			t.Fatalf("setting = %q after a panic", v)
		}
	})
}

// Seal and Open round-trip under the field they were sealed for only.
func TestSealOpen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st := storetest.Open(t, d, storetest.Options{Regions: "-"})
		ct, err := st.Seal(store.FieldCaseSummary, "rahasia")
		if err != nil || ct == "" || ct == "rahasia" {
			t.Fatalf("Seal = %q, %v", ct, err)
		}
		if pt, err := st.Open(store.FieldCaseSummary, ct); err != nil || pt != "rahasia" {
			t.Fatalf("Open = %q, %v", pt, err)
		}
		if _, err := st.Open(store.FieldVictimName, ct); err == nil {
			t.Fatal("a value opens under another field")
		}
		if st.LookupHash(store.HashPhone, "+6281234567890") == st.LookupHash(store.HashPhone, "+6281234567891") {
			t.Fatal("lookup hashes collide")
		}
	})
}
