package chanlog

import (
	"context"
	"log/slog"
	"sync"

	"lindu/internal/store"
)

// Pending records exchanges in the channel log with the next shared
// commit, never in the way of a message: the entries that gather meanwhile
// go in one statement. An entry lost in a crash before that commit is not
// missed; a failure is logged. The zero Pending is ready to use; the
// provider handlers (Kannel, WhatsApp) and the SMS client each keep one.
type Pending struct {
	mu      sync.Mutex
	pending []Entry
	own     *store.Committer // when Add is given none
}

// Add queues e for c's next shared transaction and returns at once; with
// c nil, for a committer of l's own on st (with st nil too, e is not
// recorded: a client without a store keeps no log).
func (l *Pending) Add(c *store.Committer, st *store.Store, log *slog.Logger, e Entry) {
	if c == nil {
		if st == nil {
			return
		}
		l.mu.Lock()
		if l.own == nil {
			l.own = &store.Committer{Store: st}
		}
		c = l.own
		l.mu.Unlock()
	}
	l.mu.Lock()
	l.pending = append(l.pending, e)
	first := len(l.pending) == 1
	l.mu.Unlock()
	if !first {
		return // a write is queued already and will take it
	}
	var entries []Entry
	taken := false
	c.Later(func(ctx context.Context, tx *store.Tx) error {
		if !taken { // a write may run again (store.Committer): the same entries
			l.mu.Lock()
			entries, l.pending, taken = l.pending, nil, true
			l.mu.Unlock()
		}
		return Insert(ctx, tx, entries...)
	}, func(err error) {
		if log != nil {
			log.Warn("chanlog: recording exchanges failed", "channel", e.Channel, "entries", len(entries), "err", err.Error())
		}
	})
}
