package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"lindu/internal/domain"
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

// OutboxFilter selects messages.
type OutboxFilter struct {
	Status string
	Mine   bool // only messages for the caller
	Limit  int
}

// ListOutbox lists messages about regions in sc (or only the caller's with
// Mine), newest first. Message bodies carry case codes and village names,
// never personal data. Authorization: PermManageCases for all messages;
// anyone for their own.
func (s *Store) ListOutbox(ctx context.Context, sc domain.Scope, f OutboxFilter) ([]domain.OutboxMessage, error) {
	var conds []string
	var args []any
	if f.Mine || !sc.Can(domain.PermManageCases) {
		args = append(args, sc.UserID)
		conds = append(conds, "o.recipient_user_id = $1")
	} else {
		c, a := scopeClause("o.region_code", sc.RegionCode, 1)
		conds = append(conds, c)
		args = a
	}
	if f.Status != "" {
		args = append(args, f.Status)
		conds = append(conds, "o.status = $"+strconv.Itoa(len(args)))
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := s.r.QueryContext(ctx, `SELECT o.id, o.created_at, o.channel, COALESCE(u.username, ''), o.recipient_user_id, o.body,
		o.case_id, o.status, o.attempts, o.sent_at FROM outbox o LEFT JOIN users u ON u.id = o.recipient_user_id
		WHERE `+strings.Join(conds, " AND ")+` ORDER BY o.created_at DESC, o.id LIMIT `+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, fmt.Errorf("store: list outbox: %w", err)
	}
	defer rows.Close()
	out := []domain.OutboxMessage{}
	for rows.Next() {
		var m domain.OutboxMessage
		var sent sql.NullTime
		if err := rows.Scan(&m.ID, &m.CreatedAt, &m.Channel, &m.Recipient, &m.RecipientID, &m.Body, &m.CaseID, &m.Status, &m.Attempts, &sent); err != nil {
			return nil, err
		}
		m.CreatedAt = m.CreatedAt.UTC()
		m.SentAt = ptrTime(sent)
		out = append(out, m)
	}
	return out, rows.Err()
}

// PendingCount counts the pending messages sc sees in ListOutbox (for the
// navigation badge).
func (s *Store) PendingCount(ctx context.Context, sc domain.Scope) (int, error) {
	var where string
	var args []any
	if !sc.Can(domain.PermManageCases) {
		where, args = "recipient_user_id = $1", []any{sc.UserID}
	} else {
		where, args = scopeClause("region_code", sc.RegionCode, 1)
	}
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND `+where, args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: pending count: %w", err)
	}
	return n, nil
}

// OutboxCounts counts messages by status.
func (s *Store) OutboxCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT status, COUNT(*) FROM outbox GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("store: outbox counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// ExpireOutbox marks pending messages created before t as expired: they
// will never be sent (demo history, or messages too old to matter).
// It returns how many were expired.
func (s *Store) ExpireOutbox(ctx context.Context, sc domain.Scope, before time.Time) (int, error) {
	if !sc.System {
		return 0, domain.Errorf(domain.EForbidden, "only lindu itself expires messages")
	}
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'expired', last_error = 'expired before sending'
			WHERE status = 'pending' AND created_at < $1`, before.UTC())
		if err != nil {
			return fmt.Errorf("store: expire outbox: %w", err)
		}
		n, _ = res.RowsAffected()
		return s.audit(ctx, tx, sc, "outbox.expire", "outbox", "", "", fmt.Sprintf("messages=%d", n))
	})
	return int(n), err
}

func ptrTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}
