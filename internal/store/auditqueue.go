package store

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"lindu/internal/domain"
)

// auditQueue group-commits the audit entries written on their own (Audit):
// every read of personal data writes one before the data is shown, so
// under load a durable commit per read would be what limits reading. The
// first caller writes its entry; callers arriving meanwhile queue, and
// when that commit is done the first of them writes all queued entries in
// one transaction. Each caller still returns only after its own entry has
// committed (or with the error that kept it from committing), so nothing
// is shown before its audit entry is durable, exactly as with a commit per
// entry; only the number of commits changes. One commit carries at most
// auditBatchMax entries.
type auditQueue struct {
	mu      sync.Mutex
	waiting []*auditCall
	busy    bool // a caller is writing a batch
}

// auditBatchMax bounds the entries of one commit.
const auditBatchMax = 64

// auditCall is one Audit call: its entry and where its outcome goes (the
// commit's error, or errAuditLead when it is to write the next batch).
type auditCall struct {
	at                                     time.Time
	sc                                     domain.Scope
	action, objType, objID, region, detail string
	done                                   chan error
}

// errAuditLead tells a queued caller to write the next batch.
var errAuditLead = errors.New("store: audit batch lead")

func (q *auditQueue) add(ctx context.Context, s *Store, c *auditCall) error {
	q.mu.Lock()
	q.waiting = append(q.waiting, c)
	if q.busy {
		q.mu.Unlock()
		if err := <-c.done; err != errAuditLead {
			return err
		}
		q.mu.Lock()
	}
	// This caller leads: its entry is the first waiting one.
	q.busy = true
	n := min(len(q.waiting), auditBatchMax)
	batch := append([]*auditCall(nil), q.waiting[:n]...)
	q.waiting = append(q.waiting[:0], q.waiting[n:]...)
	q.mu.Unlock()

	// Others' entries ride on this commit: a caller that gives up must
	// not cancel it.
	errs := s.writeAudits(context.WithoutCancel(ctx), batch)

	q.mu.Lock()
	if len(q.waiting) > 0 {
		q.waiting[0].done <- errAuditLead
	} else {
		q.busy = false
	}
	q.mu.Unlock()
	for i, b := range batch[1:] {
		b.done <- errs[i+1]
	}
	return errs[0]
}

// writeAudits commits the entries of batch in one transaction and returns
// each one's outcome. When that fails, each entry is tried in a
// transaction of its own, so that one entry's failure is not the others'.
func (s *Store) writeAudits(ctx context.Context, batch []*auditCall) []error {
	write := func(cs []*auditCall) error {
		return s.tx(ctx, func(tx *sql.Tx) error {
			for _, c := range cs {
				if err := s.auditAt(ctx, tx, c.at, c.sc, c.action, c.objType, c.objID, c.region, c.detail); err != nil {
					return err
				}
			}
			return nil
		})
	}
	errs := make([]error, len(batch))
	err := write(batch)
	if err == nil || len(batch) == 1 {
		for i := range errs {
			errs[i] = err
		}
		return errs
	}
	for i, c := range batch {
		errs[i] = write([]*auditCall{c})
	}
	return errs
}
