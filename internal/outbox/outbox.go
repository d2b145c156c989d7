// Package outbox owns what happens to a message after it was enqueued in
// the same transaction as the change that caused it (store.Tx.Enqueue):
// claims by any number of lindu instances, renewing a claim before a send,
// sent / retry / failed, the gateways' delivery reports, and the staff's
// view of it (list, pending count, counts by status, expiry). The senders
// (internal/sms), the providers' delivery callbacks (intake/kannel,
// intake/whatsapp) and the outbox pages (web, api) call it. commit.go is
// the group commit (Committer) that lets the sender and the callbacks
// write a message's small records without a commit each.
package outbox

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Send is a claimed message ready for a gateway: the recipient's
// number decrypted, for the sender only.
type Send struct {
	ID       string
	Channel  string
	To       string // E.164
	Body     string
	Attempts int // including this one
	// ClaimedAt is when the claim was made, on the store's clock: the
	// claim is this instance's until StaleAfter later (see Claim).
	ClaimedAt time.Time
}

// Claim claims up to limit due messages of the channels for instance:
// each row moves from pending to sending in one statement (FOR UPDATE
// SKIP LOCKED on PostgreSQL; on SQLite in one transaction of the single
// writer), so two lindu instances never claim the same message. Messages
// left in sending by a process that died more than staleAfter ago, with
// no delivery report since, go back to pending first. Rows without a
// phone number fail. With an error it may still return messages: those
// claimed (PostgreSQL claims before it opens their numbers); the sender
// sends them.
// Authorization: lindu itself (the senders in internal/sms).
func Claim(ctx context.Context, st *store.Store, instance string, channels []string, limit int, staleAfter time.Duration) ([]Send, error) {
	if len(channels) == 0 || limit <= 0 {
		return []Send{}, nil
	}
	if st.Dialect() == store.Postgres {
		return claimPG(ctx, st, instance, channels, limit, staleAfter)
	}
	now := st.Now()
	var out []Send
	err := st.InTx(ctx, func(tx *store.Tx) error {
		out = out[:0]
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'pending', claimed_by = '', last_error = 'claim expired'
			WHERE status = 'sending' AND claimed_at < $1`, now.Add(-staleAfter)); err != nil {
			return fmt.Errorf("outbox: release stale claims: %w", err)
		}
		args := []any{now}
		var ph []string
		for _, c := range channels {
			args = append(args, c)
			ph = append(ph, "$"+strconv.Itoa(len(args)))
		}
		q := `SELECT o.id, o.channel, o.body, o.attempts, o.to_phone_enc, COALESCE(u.phone_enc, '')
			FROM outbox o LEFT JOIN users u ON u.id = o.recipient_user_id
			WHERE o.status = 'pending' AND o.next_attempt_at <= $1 AND o.channel IN (` + strings.Join(ph, ",") +
			`) ORDER BY o.next_attempt_at, o.id LIMIT ` + strconv.Itoa(limit)
		if st.Dialect() == store.Postgres {
			q += ` FOR UPDATE OF o SKIP LOCKED`
		}
		type row struct {
			Send
			toEnc, userPhone string
		}
		rows, err := store.Rows(ctx, tx, func(r *sql.Rows) (row, error) {
			var m row
			err := r.Scan(&m.ID, &m.Channel, &m.Body, &m.Attempts, &m.toEnc, &m.userPhone)
			return m, err
		}, q, args...)
		if err != nil {
			return fmt.Errorf("outbox: claim outbox: %w", err)
		}
		if len(rows) == 0 {
			return nil
		}
		// One statement claims them all: the rows are locked (PostgreSQL)
		// or the database's only writer is this transaction (SQLite).
		args = []any{instance, now}
		ph = ph[:0]
		for _, r := range rows {
			args = append(args, r.ID)
			ph = append(ph, "$"+strconv.Itoa(len(args)))
		}
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'sending', claimed_by = $1, claimed_at = $2, attempts = attempts + 1
			WHERE status = 'pending' AND id IN (`+strings.Join(ph, ",")+`)`, args...)
		if err != nil {
			return fmt.Errorf("outbox: claim outbox: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("outbox: claim outbox: %w", err)
		} else if n != int64(len(rows)) {
			return fmt.Errorf("outbox: claim outbox: %d of %d messages claimed", n, len(rows))
		}
		for _, r := range rows {
			m := r.Send
			m.Attempts++
			m.ClaimedAt = now
			m.To, err = recipient(st, r.toEnc, r.userPhone)
			if err != nil {
				return fmt.Errorf("outbox: claim outbox: open phone: %w", err)
			}
			if m.To == "" {
				if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'failed', last_error = 'no phone number' WHERE id = $1`, m.ID); err != nil {
					return fmt.Errorf("outbox: claim outbox: %w", err)
				}
				continue
			}
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		return nil, err // rolled back: nothing is claimed
	}
	return out, nil
}

// recipient opens a claimed message's number: its own (a reply to a
// phone), else its recipient user's; "" when it has neither.
func recipient(st *store.Store, toEnc, userPhone string) (string, error) {
	switch {
	case toEnc != "":
		return st.Open(store.FieldOutboxPhone, toEnc)
	case userPhone != "":
		return st.Open(store.FieldUserPhone, userPhone)
	}
	return "", nil
}

// claimPG is Claim on PostgreSQL in two statements that commit by
// themselves, where a transaction would cost four round trips more: the
// stale claims are released, then one statement locks the first due rows
// (FOR UPDATE SKIP LOCKED: rows another instance is claiming are left to
// it), claims them and returns them with their recipient's number, in the
// order they are due. The locking SELECT is a MATERIALIZED CTE, run once:
// as "id IN (subquery)" PostgreSQL may run it again for every row it
// updates, and each run skips the rows the last ones locked and takes
// the next ones, so a claim took more than limit rows, out of due order
// (a recipient's messages then went out of order; seen in CI).
func claimPG(ctx context.Context, st *store.Store, instance string, channels []string, limit int, staleAfter time.Duration) ([]Send, error) {
	now := st.Now()
	var out []Send
	err := st.Autocommit(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'pending', claimed_by = '', last_error = 'claim expired'
			WHERE status = 'sending' AND claimed_at < $1`, now.Add(-staleAfter)); err != nil {
			return fmt.Errorf("outbox: release stale claims: %w", err)
		}
		args := []any{instance, now}
		var ph []string
		for _, c := range channels {
			args = append(args, c)
			ph = append(ph, "$"+strconv.Itoa(len(args)))
		}
		type row struct {
			Send
			due              time.Time
			toEnc, userPhone string
		}
		rows, err := store.Rows(ctx, tx, func(r *sql.Rows) (row, error) {
			var m row
			err := r.Scan(&m.ID, &m.Channel, &m.Body, &m.Attempts, &m.toEnc, &m.userPhone, &m.due)
			return m, err
		}, `WITH due AS MATERIALIZED (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $2
					AND channel IN (`+strings.Join(ph, ",")+`) ORDER BY next_attempt_at, id LIMIT `+strconv.Itoa(limit)+` FOR UPDATE SKIP LOCKED),
			c AS (UPDATE outbox o SET status = 'sending', claimed_by = $1, claimed_at = $2, attempts = o.attempts + 1
				FROM due WHERE o.id = due.id AND o.status = 'pending'
				RETURNING o.id, o.channel, o.body, o.attempts, o.to_phone_enc, o.recipient_user_id, o.next_attempt_at)
			SELECT c.id, c.channel, c.body, c.attempts, c.to_phone_enc, COALESCE(u.phone_enc, ''), c.next_attempt_at
			FROM c LEFT JOIN users u ON u.id = c.recipient_user_id ORDER BY c.next_attempt_at, c.id`, args...)
		if err != nil {
			return fmt.Errorf("outbox: claim outbox: %w", err)
		}
		// The claims are committed: a message whose number cannot be
		// opened stays claimed, due again when the claim goes stale (as
		// after a crash), and the others are returned with the error.
		var first error
		for _, r := range rows {
			m := r.Send // Attempts counts this one already
			m.ClaimedAt = now
			var err error
			m.To, err = recipient(st, r.toEnc, r.userPhone)
			if err == nil && m.To == "" {
				_, err = tx.ExecContext(ctx, `UPDATE outbox SET status = 'failed', last_error = 'no phone number' WHERE id = $1`, m.ID)
			} else if err == nil {
				out = append(out, m)
			}
			if err != nil && first == nil {
				first = fmt.Errorf("outbox: claim outbox: %w", err)
			}
		}
		return first
	})
	return out, err
}

// RenewClaim confirms, just before a message goes to the gateway, that
// instance still holds its claim, and restarts the claim's clock. false
// means the claim expired and another instance may have it: do not send.
// Authorization: lindu itself (the sender that claimed the message).
func RenewClaim(ctx context.Context, st *store.Store, id, instance string) (bool, error) {
	var ok bool
	err := st.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET claimed_at = $1 WHERE id = $2 AND status = 'sending' AND claimed_by = $3`,
			st.Now(), id, instance)
		if err != nil {
			return fmt.Errorf("outbox: renew claim: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("outbox: renew claim: %w", err)
		}
		ok = n == 1
		return nil
	})
	return ok, err
}

// Sent records that the gateway accepted a claimed message.
// Authorization: lindu itself (the sender that claimed the message).
func Sent(ctx context.Context, st *store.Store, id, providerID string) error {
	return SentParts(ctx, st, id, providerID, 1)
}

// SentParts is Sent for a message that went out in parts SMS (a
// concatenated SMS is delivered when each part is).
func SentParts(ctx context.Context, st *store.Store, id, providerID string, parts int) error {
	return st.InTx(ctx, func(tx *store.Tx) error { return sentParts(ctx, tx, id, providerID, parts) })
}

func sentParts(ctx context.Context, tx *store.Tx, id, providerID string, parts int) error {
	_, err := tx.ExecContext(ctx, `UPDATE outbox SET status = CASE WHEN status IN ('sending', 'pending') THEN 'sent' ELSE status END,
		sent_at = COALESCE(sent_at, $1), provider_message_id = $2, last_error = '', parts = $3 WHERE id = $4`,
		tx.Now(), providerID, max(parts, 1), id)
	if err != nil {
		return fmt.Errorf("outbox: outbox sent: %w", err)
	}
	return nil
}

// Retry puts a claimed message back to pending until next (the
// gateway was unreachable); a delivery report that arrived meanwhile wins.
// Authorization: lindu itself (the sender that claimed the message).
func Retry(ctx context.Context, st *store.Store, id, lastError string, next time.Time) error {
	return st.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'pending', claimed_by = '', next_attempt_at = $1, last_error = $2
			WHERE id = $3 AND status = 'sending'`, next.UTC(), trimErr(lastError), id)
		if err != nil {
			return fmt.Errorf("outbox: outbox retry: %w", err)
		}
		return nil
	})
}

// Release puts back a claimed message that was not handed to its gateway
// (its gateway was just found down): its attempt does not count.
// Authorization: lindu itself (the sender that claimed the message).
func Release(ctx context.Context, st *store.Store, id, lastError string, next time.Time) error {
	return st.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'pending', claimed_by = '', next_attempt_at = $1, last_error = $2,
			attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END WHERE id = $3 AND status = 'sending'`, next.UTC(), trimErr(lastError), id)
		if err != nil {
			return fmt.Errorf("outbox: outbox release: %w", err)
		}
		return nil
	})
}

// Failed gives up on a claimed message the gateway refused.
// Authorization: lindu itself (the sender that claimed the message).
func Failed(ctx context.Context, st *store.Store, id, lastError string) error {
	return st.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'failed', last_error = $1 WHERE id = $2 AND status = 'sending'`,
			trimErr(lastError), id)
		if err != nil {
			return fmt.Errorf("outbox: outbox failed: %w", err)
		}
		return nil
	})
}

func trimErr(s string) string {
	if len(s) > 300 {
		return s[:300]
	}
	return s
}

// Delivery statuses recorded from gateways.
const (
	DeliveryQueued    = "queued"
	DeliverySent      = "sent"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// RecordDelivery stores a delivery report for an outbox message (once per
// provider code) and moves the message forward: sent, delivered or failed;
// never back (a late "queued" after "sent" changes nothing, a "failed"
// after "delivered" neither). detail is the gateway's reason, kept with a
// failure. It returns false when the message does not exist.
// Authorization: a gateway's delivery callback whose signature or secret
// was checked (intake/kannel, intake/whatsapp).
func RecordDelivery(ctx context.Context, st *store.Store, outboxID, provider, code, status, detail string) (bool, error) {
	return RecordDeliveryPart(ctx, st, outboxID, provider, code, "", status, detail)
}

// deliveryRank orders delivery statuses: a report moves a message only up.
var deliveryRank = map[string]int{"": 0, DeliveryQueued: 1, DeliverySent: 2, DeliveryFailed: 3, DeliveryDelivered: 4}

// RecordDeliveryPart is RecordDelivery for one part of a message sent in
// several (Kannel reports each part of a concatenated SMS; part is the
// SMSC's id of the part, "" when the gateway reports the whole): the
// message is delivered only when as many parts were reported delivered as
// it went out in (outbox.parts), and failed when any part failed.
func RecordDeliveryPart(ctx context.Context, st *store.Store, outboxID, provider, code, part, status, detail string) (bool, error) {
	found := false
	err := st.InTx(ctx, func(tx *store.Tx) error {
		var err error
		found, err = recordDeliveryPart(ctx, tx, outboxID, provider, code, part, status, detail)
		return err
	})
	return found, err
}

// rankSQL is deliveryRank of a row's delivery_status, in SQL.
const rankSQL = `CASE delivery_status WHEN 'queued' THEN 1 WHEN 'sent' THEN 2 WHEN 'failed' THEN 3 WHEN 'delivered' THEN 4 ELSE 0 END`

// recordDeliveryPart is RecordDeliveryPart in tx: in the usual case two
// statements, the report stored once (for a message that exists) and the
// message moved up.
func recordDeliveryPart(ctx context.Context, tx *store.Tx, outboxID, provider, code, part, status, detail string) (bool, error) {
	now := tx.Now()
	key := code
	if part != "" {
		key = code + "@" + trimTo(part, 100)
	}
	if tx.Store().Dialect() == store.Postgres {
		return recordDeliveryPG(ctx, tx, outboxID, provider, key, part != "", status, detail)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO delivery_reports (id, outbox_id, at, status, provider, code, detail)
		SELECT $1, id, $3, $4, $5, $6, $7 FROM outbox WHERE id = $2
		ON CONFLICT (outbox_id, provider, code) DO NOTHING`, tx.NewID(), outboxID, now, status, provider, key, trimErr(detail))
	if err != nil {
		return false, fmt.Errorf("outbox: delivery: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return false, fmt.Errorf("outbox: delivery: %w", err)
	} else if n == 0 {
		// This report was stored before, or the message does not exist.
		var found bool
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) > 0 FROM outbox WHERE id = $1`, outboxID).Scan(&found); err != nil {
			return false, fmt.Errorf("outbox: delivery: %w", err)
		}
		return found, nil
	}
	// Never back: each update applies only to a message whose delivery
	// status ranks below the new one.
	var q string
	args := []any{status, now, outboxID, deliveryRank[status]}
	switch status {
	case DeliveryDelivered:
		q = `UPDATE outbox SET status = 'delivered', delivery_status = $1, delivered_at = $2, sent_at = COALESCE(sent_at, $2)
			WHERE id = $3 AND ` + rankSQL + ` < $4`
		if part != "" {
			// A message in parts is delivered when each part is.
			q += ` AND (parts <= 1 OR (SELECT COUNT(*) FROM delivery_reports WHERE outbox_id = $3 AND provider = $5 AND status = $1) >= parts)`
			args = append(args, provider)
		}
	case DeliveryFailed:
		why := "gateway reported non-delivery"
		if detail != "" {
			why += ": " + detail
		}
		q = `UPDATE outbox SET status = 'failed', delivery_status = $1, last_error = $5, sent_at = COALESCE(sent_at, $2)
			WHERE id = $3 AND ` + rankSQL + ` < $4`
		args = append(args, trimErr(why))
	default: // queued, sent: accepted by the network
		q = `UPDATE outbox SET status = CASE WHEN status IN ('pending', 'sending') THEN 'sent' ELSE status END,
			delivery_status = $1, sent_at = COALESCE(sent_at, $2) WHERE id = $3 AND ` + rankSQL + ` < $4`
	}
	res, err = tx.ExecContext(ctx, q, args...)
	if err != nil {
		return true, fmt.Errorf("outbox: delivery: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return true, fmt.Errorf("outbox: delivery: %w", err)
	} else if n == 0 && status == DeliveryDelivered && part != "" {
		// Some parts are still on their way: the message is sent.
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET status = CASE WHEN status IN ('pending', 'sending') THEN 'sent' ELSE status END,
			delivery_status = $1, sent_at = COALESCE(sent_at, $2) WHERE id = $3 AND `+rankSQL+` < $4`,
			DeliverySent, now, outboxID, deliveryRank[DeliverySent])
		if err != nil {
			return true, fmt.Errorf("outbox: delivery: %w", err)
		}
	}
	return true, nil
}

// recordDeliveryPG is recordDeliveryPart in one statement on PostgreSQL,
// where each statement waits for a round trip: the report is stored once
// and the message moved up in the same statement, the same steps as the
// two (or three) statements of the general path. A data-modifying WITH
// does not see its own insert, so the count of a message's delivered
// parts adds the report just stored.
func recordDeliveryPG(ctx context.Context, tx *store.Tx, outboxID, provider, key string, inParts bool, status, detail string) (bool, error) {
	now := tx.Now()
	args := []any{tx.NewID(), outboxID, now, status, provider, key, trimErr(detail)}
	var up string
	switch status {
	case DeliveryDelivered:
		// done: every part is delivered (a message in one part is, by this
		// report); then delivered, else sent (some parts are on their way).
		done := "true"
		if inParts {
			done = `(o.parts <= 1 OR (SELECT COUNT(*) FROM delivery_reports r WHERE r.outbox_id = o.id AND r.provider = $5 AND r.status = $4) + 1 >= o.parts)`
		}
		up = `d AS (SELECT o.id, ` + done + ` AS done FROM outbox o JOIN ins ON ins.outbox_id = o.id),
			up AS (UPDATE outbox SET status = CASE WHEN d.done THEN 'delivered' WHEN outbox.status IN ('pending', 'sending') THEN 'sent' ELSE outbox.status END,
				delivery_status = CASE WHEN d.done THEN $4 ELSE 'sent' END, delivered_at = CASE WHEN d.done THEN $3 ELSE outbox.delivered_at END,
				sent_at = COALESCE(outbox.sent_at, $3)
				FROM d WHERE outbox.id = d.id AND ` + rankSQL + ` < CASE WHEN d.done THEN CAST($8 AS INTEGER) ELSE CAST($9 AS INTEGER) END RETURNING outbox.id)`
		args = append(args, deliveryRank[DeliveryDelivered], deliveryRank[DeliverySent])
	case DeliveryFailed:
		why := "gateway reported non-delivery"
		if detail != "" {
			why += ": " + detail
		}
		up = `up AS (UPDATE outbox SET status = 'failed', delivery_status = $4, last_error = $9, sent_at = COALESCE(sent_at, $3)
			WHERE id IN (SELECT outbox_id FROM ins) AND ` + rankSQL + ` < $8 RETURNING id)`
		args = append(args, deliveryRank[status], trimErr(why))
	default: // queued, sent: accepted by the network
		up = `up AS (UPDATE outbox SET status = CASE WHEN status IN ('pending', 'sending') THEN 'sent' ELSE status END,
			delivery_status = $4, sent_at = COALESCE(sent_at, $3) WHERE id IN (SELECT outbox_id FROM ins) AND ` + rankSQL + ` < $8 RETURNING id)`
		args = append(args, deliveryRank[status])
	}
	// found: the report was stored now, or the message exists (the report
	// was stored before).
	var found bool
	err := tx.QueryRowContext(ctx, `WITH ins AS (INSERT INTO delivery_reports (id, outbox_id, at, status, provider, code, detail)
			SELECT $1, id, $3, $4, $5, $6, $7 FROM outbox WHERE id = $2
			ON CONFLICT (outbox_id, provider, code) DO NOTHING RETURNING outbox_id),
		`+up+`
		SELECT EXISTS (SELECT 1 FROM ins) OR EXISTS (SELECT 1 FROM outbox WHERE id = $2) OR EXISTS (SELECT 1 FROM up)`, args...).Scan(&found)
	if err != nil {
		return false, fmt.Errorf("outbox: delivery: %w", err)
	}
	return found, nil
}

func trimTo(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// RecordDeliveryByProviderID is RecordDelivery for gateways that report by
// their own message id (WhatsApp's wamid). Authorization: a gateway's
// verified delivery callback (intake/whatsapp).
func RecordDeliveryByProviderID(ctx context.Context, st *store.Store, provider, providerID, code, status, detail string) (bool, error) {
	if providerID == "" {
		return false, nil
	}
	var id string
	err := st.QueryRowContext(ctx, `SELECT id FROM outbox WHERE provider_message_id = $1`, providerID).Scan(&id)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("outbox: delivery: %w", err)
	}
	return RecordDelivery(ctx, st, id, provider, code, status, detail)
}

// Deliveries lists the delivery reports of a message, oldest first.
// Authorization: lindu itself (tests and diagnostics); never shown to a user.
func Deliveries(ctx context.Context, st *store.Store, outboxID string) ([]string, error) {
	out, err := store.Rows(ctx, st, scanString, `SELECT status FROM delivery_reports WHERE outbox_id = $1 ORDER BY at, id`, outboxID)
	if err != nil {
		return nil, fmt.Errorf("outbox: deliveries: %w", err)
	}
	return out, nil
}

func scanString(rows *sql.Rows) (string, error) {
	var v string
	err := rows.Scan(&v)
	return v, err
}

// Row is one outbox message as the channel tests and the sender see it.
type Row struct {
	ID, Channel, Status, DeliveryStatus, ProviderID, Body, Key, LastError string
	Attempts                                                              int
}

// ByKeyPrefix lists messages whose idempotency key starts with
// prefix (e.g. "reply:kannel:"), oldest first. Authorization: lindu itself.
func ByKeyPrefix(ctx context.Context, st *store.Store, sc domain.Scope, prefix string) ([]Row, error) {
	if !sc.System {
		return nil, domain.E(domain.EForbidden, "outbox.err.system_only")
	}
	out, err := store.Rows(ctx, st, func(rows *sql.Rows) (Row, error) {
		var r Row
		err := rows.Scan(&r.ID, &r.Channel, &r.Status, &r.DeliveryStatus, &r.ProviderID, &r.Body, &r.Key, &r.LastError, &r.Attempts)
		return r, err
	}, `SELECT id, channel, status, delivery_status, provider_message_id, body, idempotency_key, last_error, attempts
		FROM outbox WHERE idempotency_key LIKE $1 ORDER BY created_at, id`, prefix+"%")
	if err != nil {
		return nil, fmt.Errorf("outbox: outbox rows: %w", err)
	}
	return out, nil
}
