package outbox

import (
	"context"

	"lindu/internal/store"
)

// The records that follow every message, in shared transactions
// (store.Committer): the senders' "sent" and the gateways' delivery
// reports.

// CommitSent is SentParts in a transaction shared with other writes (c).
func CommitSent(ctx context.Context, c *store.Committer, id, providerID string, parts int) error {
	// One UPDATE: alone, it commits by itself.
	return c.DoOneKey(ctx, id, func(ctx context.Context, tx *store.Tx) error { return sentParts(ctx, tx, id, providerID, parts) })
}

// CommitDeliveryPart is RecordDeliveryPart in a transaction shared with
// other writes (c).
func CommitDeliveryPart(ctx context.Context, c *store.Committer, outboxID, provider, code, part, status, detail string) (bool, error) {
	var found bool
	fn := func(ctx context.Context, tx *store.Tx) error {
		var err error
		found, err = recordDeliveryPart(ctx, tx, outboxID, provider, code, part, status, detail)
		return err
	}
	if c.Store.Dialect() == store.Postgres {
		// One statement there (recordDeliveryPG): alone, it commits by itself.
		return found, c.DoOneKey(ctx, outboxID, fn)
	}
	return found, c.DoKey(ctx, outboxID, fn)
}
