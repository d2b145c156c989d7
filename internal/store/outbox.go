package store

import (
	"context"
	"database/sql"
	"fmt"
)

// outboxItem is a message to write to the outbox in the same transaction as
// the change that causes it.
type outboxItem struct {
	key      string // idempotency key: the same key is stored once
	userID   string
	region   string
	body     string
	caseID   string
	reportID string
}

// enqueue writes a message for a user: by SMS when they have a phone
// number, else as an in-app notification. It returns false when a message
// with the same key exists (nothing is written twice).
func (s *Store) enqueue(ctx context.Context, tx *sql.Tx, it outboxItem) (bool, error) {
	channel := "ui"
	var phone string
	if err := tx.QueryRowContext(ctx, `SELECT phone_enc FROM users WHERE id = $1`, it.userID).Scan(&phone); err == nil && phone != "" {
		channel = "sms"
	}
	now := s.utc()
	res, err := tx.ExecContext(ctx, `INSERT INTO outbox (id, idempotency_key, created_at, channel, recipient_user_id, region_code, body,
		case_id, report_id, status, next_attempt_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)
		ON CONFLICT (idempotency_key) DO NOTHING`,
		newID(now), it.key, now, channel, it.userID, it.region, it.body, it.caseID, it.reportID, "pending", now)
	if err != nil {
		return false, fmt.Errorf("store: enqueue: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
