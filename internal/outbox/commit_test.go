package outbox_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"lindu/internal/outbox"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// Writes from many callers at once share transactions; each caller
// returns once its own write is committed, and a write that fails fails
// alone: the others commit. Later's writes commit too, without a caller
// waiting.
func TestCommitterSharesCommitsAndFailsAlone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st := storetest.Open(t, d, storetest.Options{Regions: "-"})
		ids := enqueue(t, st, 60)
		if _, err := outbox.Claim(bg, st, "a", []string{"sms"}, 100, time.Minute); err != nil {
			t.Fatal(err)
		}
		c := &store.Committer{Store: st, Max: 7}
		var txs sync.Map // the transactions the writes ran in (kept, so no address is reused)
		var wg sync.WaitGroup
		errs := make([]error, len(ids))
		bad := errors.New("this write fails")
		for i, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if i%10 == 3 {
					errs[i] = c.Do(bg, func(ctx context.Context, tx *store.Tx) error {
						if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'sent' WHERE id = $1`, id); err != nil {
							return err
						}
						return bad // rolls back this write only
					})
					return
				}
				errs[i] = c.Do(bg, func(ctx context.Context, tx *store.Tx) error {
					txs.Store(tx, true)
					_, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'sent' WHERE id = $1`, id)
					return err
				})
			}()
		}
		done := make(chan struct{})
		var once sync.Once // a write may run more than once
		c.Later(func(ctx context.Context, tx *store.Tx) error {
			once.Do(func() { close(done) })
			return nil
		}, func(err error) { t.Errorf("a later write failed: %v", err) })
		wg.Wait()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("a later write was never committed")
		}
		shared := 0
		txs.Range(func(any, any) bool { shared++; return true })
		for i, id := range ids {
			var status string
			if err := st.QueryRowContext(bg, `SELECT status FROM outbox WHERE id = $1`, id).Scan(&status); err != nil {
				t.Fatal(err)
			}
			switch {
			case i%10 == 3 && (!errors.Is(errs[i], bad) || status != "sending"):
				t.Errorf("failing write %d: %v, status %s; want its own error and nothing written", i, errs[i], status)
			case i%10 != 3 && (errs[i] != nil || status != "sent"):
				t.Errorf("write %d: %v, status %s; want sent", i, errs[i], status)
			}
		}
		if shared >= 54 {
			t.Errorf("54 writes in %d transactions: none shared", shared)
		}
	})
}
