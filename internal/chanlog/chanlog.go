// Package chanlog is the provider exchange log (like RapidPro courier's
// channel log): each request lindu makes to Kannel and the WhatsApp Graph
// API, and each request they make to lindu, with its answer and how long
// it took — redacted first: no password, token or secret, no phone number
// or user id, no message text, caption, name or place. Admins read it per
// outbox message to see why a message did not go out; entries are purged
// after Retention.
package chanlog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Retention is how long entries are kept.
const Retention = 14 * 24 * time.Hour

// Entry is one exchange with a provider.
type Entry struct {
	ID         string        `json:"id"`
	At         time.Time     `json:"at"`
	Channel    string        `json:"channel"`   // sms, whatsapp
	Direction  string        `json:"direction"` // in (the provider called lindu), out (lindu called the provider)
	OutboxID   string        `json:"outbox_id,omitempty"`
	MessageKey string        `json:"message_key,omitempty"`
	Method     string        `json:"method"`
	URL        string        `json:"url"` // redacted
	Status     int           `json:"status"`
	Elapsed    time.Duration `json:"elapsed"`
	Request    string        `json:"request,omitempty"`  // redacted
	Response   string        `json:"response,omitempty"` // redacted
	Error      string        `json:"error,omitempty"`
}

// Directions.
const (
	In  = "in"
	Out = "out"
)

const maxText = 4000

func cut(s string) string {
	if len(s) <= maxText {
		return s
	}
	s = s[:maxText]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

// Record stores e (already redacted by the caller through RedactURL,
// RedactJSON or RedactForm). Authorization: lindu itself (providers).
func Record(ctx context.Context, st *store.Store, e Entry) error {
	return st.InTx(ctx, func(tx *store.Tx) error { return Insert(ctx, tx, e) })
}

// Insert stores entries in the caller's transaction (the outbox's shared
// transactions, store.Committer), 30 to a statement.
func Insert(ctx context.Context, tx *store.Tx, entries ...Entry) error {
	for len(entries) > 0 {
		part := entries[:min(30, len(entries))]
		entries = entries[len(part):]
		var vals []string
		var args []any
		for _, e := range part {
			n := len(args)
			vals = append(vals, fmt.Sprintf("($%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d)",
				n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8, n+9, n+10, n+11, n+12, n+13))
			args = append(args, tx.NewID(), tx.Now(), e.Channel, e.Direction, e.OutboxID, cut(e.MessageKey), e.Method, cut(e.URL),
				e.Status, e.Elapsed.Milliseconds(), cut(e.Request), cut(e.Response), cut(e.Error))
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO channel_log (id, at, channel, direction, outbox_id, message_key, method, url, status,
			elapsed_ms, request, response, error) VALUES `+strings.Join(vals, ","), args...)
		if err != nil {
			return fmt.Errorf("chanlog: record: %w", err)
		}
	}
	return nil
}

// Outbound records a request lindu made to a provider in a commit of its
// own; a failure to record is logged, never in the way of the message.
// (Requests providers make to lindu go with the next shared commit:
// Pending.)
func Outbound(ctx context.Context, st *store.Store, log *slog.Logger, e Entry) {
	e.Direction = Out
	if st == nil {
		return
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := Record(rctx, st, e); err != nil && log != nil {
		log.Warn("chanlog: recording an exchange failed", "channel", e.Channel, "err", err.Error())
	}
}

// MessageLog is what happened to one outbox message: its state, the
// delivery reports the gateway sent, and each exchange with the gateway.
type MessageLog struct {
	ID, Channel, Status, DeliveryStatus, LastError string
	Attempts, Parts                                int
	Deliveries                                     []Delivery
	Entries                                        []Entry
}

// Delivery is one delivery report of a message.
type Delivery struct {
	At                           time.Time
	Provider, Code, Status, Note string
}

// List is the log of one outbox message about a region in sc, oldest
// first. Authorization: PermManageUsers (admins); another region's
// message is not found.
func List(ctx context.Context, st *store.Store, sc domain.Scope, outboxID string) (MessageLog, error) {
	var m MessageLog
	if !sc.Can(domain.PermManageUsers) {
		return m, domain.NotFound("message")
	}
	var region string
	err := st.QueryRowContext(ctx, `SELECT id, channel, status, delivery_status, last_error, attempts, parts, region_code FROM outbox WHERE id = $1`,
		outboxID).Scan(&m.ID, &m.Channel, &m.Status, &m.DeliveryStatus, &m.LastError, &m.Attempts, &m.Parts, &region)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !sc.System && !domain.RegionWithin(region, sc.RegionCode) {
		return MessageLog{}, domain.NotFound("message")
	}
	if err != nil {
		return m, fmt.Errorf("chanlog: message: %w", err)
	}
	m.Deliveries, err = store.Rows(ctx, st, func(r *sql.Rows) (Delivery, error) {
		var d Delivery
		err := r.Scan(&d.At, &d.Provider, &d.Code, &d.Status, &d.Note)
		d.At = d.At.UTC()
		return d, err
	}, `SELECT at, provider, code, status, detail FROM delivery_reports WHERE outbox_id = $1 ORDER BY at, id`, outboxID)
	if err != nil {
		return m, fmt.Errorf("chanlog: deliveries: %w", err)
	}
	m.Entries, err = store.Rows(ctx, st, func(r *sql.Rows) (Entry, error) {
		var e Entry
		var ms int64
		err := r.Scan(&e.ID, &e.At, &e.Channel, &e.Direction, &e.OutboxID, &e.MessageKey, &e.Method, &e.URL, &e.Status, &ms,
			&e.Request, &e.Response, &e.Error)
		e.Elapsed, e.At = time.Duration(ms)*time.Millisecond, e.At.UTC()
		return e, err
	}, `SELECT id, at, channel, direction, outbox_id, message_key, method, url, status, elapsed_ms, request, response, error
		FROM channel_log WHERE outbox_id = $1 ORDER BY at, id`, outboxID)
	if err != nil {
		return m, fmt.Errorf("chanlog: list: %w", err)
	}
	return m, nil
}

// Purge deletes entries older than before and returns how many.
// Authorization: lindu itself (a periodic job).
func Purge(ctx context.Context, st *store.Store, before time.Time) (int64, error) {
	var n int64
	err := st.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM channel_log WHERE at < $1`, before.UTC())
		if err != nil {
			return fmt.Errorf("chanlog: purge: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// Redacted is what replaces a secret or personal value.
const Redacted = "[redacted]"

// secretParams are query and form parameters whose values never reach the
// log: credentials, numbers, texts.
var secretParams = map[string]bool{"password": true, "secret": true, "username": true, "text": true, "from": true, "to": true,
	"access_token": true, "hub.verify_token": true, "hub.challenge": false, "dlr-url": true, "udh": true, "binfo": true}

// RedactURL is a URL with its credentials and personal parameters
// replaced (their length kept for texts).
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "[unparseable URL]"
	}
	u.User = nil
	q := u.Query()
	for k, vs := range q {
		if secretParams[strings.ToLower(k)] {
			for i, v := range vs {
				if strings.EqualFold(k, "text") {
					vs[i] = fmt.Sprintf("[%d chars]", utf8.RuneCountInString(v))
				} else {
					vs[i] = Redacted
				}
			}
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// personalKeys are JSON keys whose values never reach the log.
var personalKeys = map[string]bool{"body": true, "caption": true, "from": true, "to": true, "wa_id": true, "user_id": true,
	"from_user_id": true, "recipient": true, "recipient_id": true, "recipient_user_id": true, "parent_user_id": true, "username": true,
	"name": true, "formatted_name": true, "first_name": true, "last_name": true, "phone": true, "phones": true, "address": true,
	"latitude": true, "longitude": true, "filename": true, "title": true, "description": true, "emoji": true, "url": true,
	"display_phone_number": true, "access_token": true, "payload": true, "emails": true, "addresses": true, "profile": true}

// RedactJSON is a JSON document with every personal value replaced
// (texts keep their length); something that is not JSON is summarised.
func RedactJSON(b []byte) string {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Sprintf("[%d bytes, not JSON]", len(b))
	}
	out, err := json.Marshal(redact(v))
	if err != nil {
		return "[unprintable]"
	}
	return string(out)
}

func redact(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if personalKeys[strings.ToLower(k)] {
				if s, ok := val.(string); ok && (k == "body" || k == "caption") {
					x[k] = fmt.Sprintf("[%d chars]", utf8.RuneCountInString(s))
				} else {
					x[k] = Redacted
				}
				continue
			}
			x[k] = redact(val)
		}
		return x
	case []any:
		for i := range x {
			x[i] = redact(x[i])
		}
		return x
	}
	return v
}
