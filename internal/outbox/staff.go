package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// The staff's view of the outbox (/notifikasi and GET /api/v1/outbox):
// supervisors see every message about their region, everyone else their own.

// Filter selects messages for List.
type Filter struct {
	Status string
	Mine   bool // only messages for the caller
	Limit  int
}

// List lists messages about regions in sc (or only the caller's with
// Mine), newest first. Message bodies carry case codes and village names,
// never personal data. Authorization: PermManageCases for all messages of
// the caller's region; anyone for their own.
func List(ctx context.Context, st *store.Store, sc domain.Scope, f Filter) ([]domain.OutboxMessage, error) {
	var conds []string
	var args []any
	if f.Mine || !sc.Can(domain.PermManageCases) {
		args = append(args, sc.UserID)
		conds = append(conds, "o.recipient_user_id = $1")
	} else {
		c, a := store.ScopeClause("o.region_code", sc.RegionCode, 1)
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
	out, err := store.Rows(ctx, st, scanMessage, `SELECT o.id, o.created_at, o.channel, COALESCE(u.username, ''), o.recipient_user_id, o.body,
		o.case_id, o.status, o.attempts, o.sent_at FROM outbox o LEFT JOIN users u ON u.id = o.recipient_user_id
		WHERE `+strings.Join(conds, " AND ")+` ORDER BY o.created_at DESC, o.id LIMIT `+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, fmt.Errorf("outbox: list: %w", err)
	}
	if out == nil {
		out = []domain.OutboxMessage{}
	}
	return out, nil
}

func scanMessage(rows *sql.Rows) (domain.OutboxMessage, error) {
	var m domain.OutboxMessage
	var sent sql.NullTime
	if err := rows.Scan(&m.ID, &m.CreatedAt, &m.Channel, &m.Recipient, &m.RecipientID, &m.Body, &m.CaseID, &m.Status, &m.Attempts, &sent); err != nil {
		return m, err
	}
	m.CreatedAt = m.CreatedAt.UTC()
	if sent.Valid {
		t := sent.Time.UTC()
		m.SentAt = &t
	}
	return m, nil
}

// PendingCount counts the pending messages sc sees in List (for the
// navigation badge), up to max+1: the badge says "more than max" beyond
// it, and a region's in-app notifications stay pending, so counting them
// all on every page would grow with the months. Authorization: anyone
// signed in (the count follows List's rule).
func PendingCount(ctx context.Context, st *store.Store, sc domain.Scope, max int) (int, error) {
	var where, order string
	var args []any
	if !sc.Can(domain.PermManageCases) {
		// In the order of the recipient index, so the read stops at
		// max+1 entries of that index: PostgreSQL's generic plan of the
		// unordered form expected many messages for any recipient and
		// read the whole outbox for one who had none (19 ms at 28,784
		// messages, 0.13 ms in this order).
		where, order, args = "recipient_user_id = $1", " ORDER BY recipient_user_id, created_at", []any{sc.UserID}
	} else {
		where, args = store.ScopeClause("region_code", sc.RegionCode, 1)
	}
	var n int
	err := st.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM outbox WHERE status = 'pending' AND `+where+order+
		` LIMIT `+strconv.Itoa(max+1)+`) x`, args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("outbox: pending count: %w", err)
	}
	return n, nil
}

type statusCount struct {
	status string
	n      int
}

// Counts counts all messages by status, whatever their region.
// Authorization: lindu itself (metrics, tests); never shown to a user.
func Counts(ctx context.Context, st *store.Store) (map[string]int, error) {
	rows, err := store.Rows(ctx, st, func(rows *sql.Rows) (statusCount, error) {
		var c statusCount
		err := rows.Scan(&c.status, &c.n)
		return c, err
	}, `SELECT status, COUNT(*) FROM outbox GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("outbox: counts: %w", err)
	}
	out := make(map[string]int, len(rows))
	for _, c := range rows {
		out[c.status] = c.n
	}
	return out, nil
}

// Expire marks pending messages created before t as expired: they will
// never be sent (demo history, or messages too old to matter). It returns
// how many were expired. Authorization: lindu itself (sc.System).
func Expire(ctx context.Context, st *store.Store, sc domain.Scope, before time.Time) (int, error) {
	if !sc.System {
		return 0, domain.E(domain.EForbidden, "outbox.err.system_only")
	}
	var n int64
	err := st.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'expired', last_error = 'expired before sending'
			WHERE status = 'pending' AND created_at < $1`, before.UTC())
		if err != nil {
			return fmt.Errorf("outbox: expire: %w", err)
		}
		if n, err = res.RowsAffected(); err != nil {
			return fmt.Errorf("outbox: expire: %w", err)
		}
		return tx.Audit(ctx, sc, "outbox.expire", "outbox", "", "", fmt.Sprintf("messages=%d", n))
	})
	return int(n), err
}

// Backlog is the waiting part of one channel's outbox.
type Backlog struct {
	Pending int           // pending or being sent
	Oldest  time.Duration // how long the oldest of them has waited
}

// Backlogs is each channel's backlog (for the metrics: an outbox that
// grows or ages means its gateway is down). Authorization: lindu itself;
// counts only.
func Backlogs(ctx context.Context, st *store.Store) (map[string]Backlog, error) {
	out := map[string]Backlog{}
	type count struct {
		ch string
		n  int
	}
	counts, err := store.Rows(ctx, st, func(r *sql.Rows) (count, error) {
		var c count
		return c, r.Scan(&c.ch, &c.n)
	}, `SELECT channel, COUNT(*) FROM outbox WHERE status IN ('pending', 'sending') GROUP BY channel`)
	if err != nil {
		return nil, fmt.Errorf("outbox: backlog: %w", err)
	}
	now := st.Now()
	for _, c := range counts {
		var oldest time.Time
		// (MIN() would lose SQLite's timestamp type.)
		if err := st.QueryRowContext(ctx, `SELECT created_at FROM outbox WHERE status IN ('pending', 'sending') AND channel = $1
			ORDER BY created_at LIMIT 1`, c.ch).Scan(&oldest); errors.Is(err, sql.ErrNoRows) {
			continue // sent meanwhile
		} else if err != nil {
			return nil, fmt.Errorf("outbox: backlog: %w", err)
		}
		out[c.ch] = Backlog{Pending: c.n, Oldest: max(now.Sub(oldest), 0)}
	}
	return out, nil
}
