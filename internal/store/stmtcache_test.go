package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// Prepared statements (SQLite) under concurrent reads and transactions:
// every read sees every committed write (no statement keeps an old
// snapshot), a failed transaction leaves nothing, and the statements are
// shared safely (the race pass runs this on SQLite: it is not an Each
// test).
func TestPreparedStatementsConcurrent(t *testing.T) {
	st := storetest.Open(t, store.SQLite, storetest.Options{Regions: "-"})
	ctx := context.Background()
	if err := st.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE stmt_probe (k TEXT PRIMARY KEY, n INTEGER NOT NULL)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	const workers, rounds = 8, 60
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				k := fmt.Sprintf("w%d-%d", w, i)
				if err := st.InTx(ctx, func(tx *store.Tx) error {
					_, err := tx.ExecContext(ctx, `INSERT INTO stmt_probe (k, n) VALUES ($1, $2)`, k, i)
					return err
				}); err != nil {
					errs <- err
					return
				}
				// A transaction that fails writes nothing.
				_ = st.InTx(ctx, func(tx *store.Tx) error {
					if _, err := tx.ExecContext(ctx, `INSERT INTO stmt_probe (k, n) VALUES ($1, $2)`, k+"-x", i); err != nil {
						return err
					}
					return fmt.Errorf("roll back")
				})
				// The write just committed is read back by the next read.
				var n int
				if err := st.QueryRowContext(ctx, `SELECT n FROM stmt_probe WHERE k = $1`, k).Scan(&n); err != nil || n != i {
					errs <- fmt.Errorf("read back %s: %d, %v", k, n, err)
					return
				}
				var mine int
				if err := st.QueryRowContext(ctx, `SELECT COUNT(*) FROM stmt_probe WHERE k LIKE $1`, fmt.Sprintf("w%d-%%", w)).Scan(&mine); err != nil || mine != i+1 {
					errs <- fmt.Errorf("worker %d sees %d of its rows after %d writes (%v)", w, mine, i+1, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var total int
	if err := st.QueryRowContext(ctx, `SELECT COUNT(*) FROM stmt_probe`).Scan(&total); err != nil || total != workers*rounds {
		t.Fatalf("%d rows, want %d (%v)", total, workers*rounds, err)
	}
}
