// Package intaketest is the test harness of lindu's SMS and WhatsApp
// providers (intake/kannel, intake/whatsapp), in the manner of RapidPro's
// courier: a provider's HTTP handler, wired as the server wires it, on a
// real store, is fed raw requests recorded in testdata (as the gateway sends
// them), and each case states what must follow — the HTTP status, the
// inbound message stored with the report it made or joined, the reply
// enqueued to the sender, the delivery report recorded.
//
// For the other direction, LocalOnly is the HTTP transport of outbound
// clients in tests: it refuses every host but this machine, so no test can
// reach a real gateway; Gateway is a fake provider API on 127.0.0.1 that
// answers with canned answers and records what it was sent.
//
// Only tests import this package.
package intaketest

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// Provider is a provider's HTTP side: what the server mounts.
type Provider interface{ Routes(mux *http.ServeMux) }

// Harness is a store and one provider's handler.
type Harness struct {
	Store   *store.Store
	Channel string // the inbound channel and outbox channel: "sms", "whatsapp"
	Dir     string // where the recordings are: "testdata"
	mux     *http.ServeMux
}

// Start opens a fresh store on engine d (regions loaded, as storetest.Open
// does) and mounts the provider that newProvider builds on it.
func Start(t testing.TB, d store.Dialect, channel string, newProvider func(st *store.Store) Provider) *Harness {
	t.Helper()
	st := storetest.Open(t, d, storetest.Options{})
	mux := http.NewServeMux()
	newProvider(st).Routes(mux)
	return &Harness{Store: st, Channel: channel, Dir: "testdata", mux: mux}
}

// Case is one recorded request and what lindu must do with it. Cases run in
// order on the same store, so a later case sees what earlier ones stored
// (a retried request, a second message joining a report).
type Case struct {
	Label      string
	Request    string         // recording in the harness's Dir
	Prep       func(*Request) // changes the request before it is sent (signs it...)
	RemoteAddr string         // the caller's address; default 127.0.0.1:45678

	Status int    // HTTP status lindu answers
	Body   string // lindu's answer, trimmed; "" is not checked
	// EmptyBody: lindu's answer must have no body (smsbox would text a
	// body to the sender).
	EmptyBody bool
	Message   *Message  // the inbound message stored; nil: none
	Reply     string    // part of the reply enqueued to the sender; "": none
	Delivery  *Delivery // the delivery report recorded; nil: none
}

// Message is an inbound message as stored.
type Message struct {
	Key  string // idempotency key (provider prefix and message id)
	Kind string // report, append, status, help, denied, unknown_code...
	From string // sender (E.164): the reply goes there, a report keeps it
	// Text is part of the description of the report the message made or
	// joined; "" is not checked.
	Text string
	// Media are the provider's ids of the files kept (to fetch) for the
	// message's report, in order; nil: none.
	Media []string
}

// Delivery is a delivery report as recorded on an outbox message.
type Delivery struct {
	OutboxID string
	Code     string // the provider's own status: Kannel's DLR type, WhatsApp's status
	Status   string // lindu's delivery status: queued, sent, delivered, failed
	// Outbox is the message's status after the report (sent, delivered,
	// failed); "" is not checked.
	Outbox string
	// Detail is part of the gateway's reason kept with the report; "" is
	// not checked.
	Detail string
}

// Outcome is what one request did: its answer and the rows it added.
type Outcome struct {
	Status     int
	Body       string
	Messages   []StoredMessage
	Outbox     []StoredOutbox
	Deliveries []StoredDelivery
}

// StoredMessage is a row of inbound_messages, with what it points to opened.
type StoredMessage struct {
	ID, Key, Channel, Kind, PhoneHash, ReportID, ReplyID string
	ReportText                                           string   // the report's description, opened
	Media                                                []string // provider ids of the message's files
}

// StoredOutbox is a row of outbox, with its recipient opened.
type StoredOutbox struct {
	ID, Key, Channel, To, Body, Status, DeliveryStatus, ProviderID string
}

// StoredDelivery is a row of delivery_reports with its message's state.
type StoredDelivery struct {
	ID, OutboxID, Provider, Code, Status string
	OutboxStatus, DeliveryStatus         string
	Detail                               string
}

// Run runs the cases in order, each as a subtest.
func (h *Harness) Run(t *testing.T, cases []Case) {
	t.Helper()
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.Label] {
			t.Fatalf("two cases labelled %q", c.Label)
		}
		seen[c.Label] = true
		t.Run(c.Label, func(t *testing.T) {
			req, err := LoadRequest(filepath.Join(h.Dir, c.Request))
			if err != nil {
				t.Fatal(err)
			}
			if c.Prep != nil {
				c.Prep(&req)
			}
			h.check(t, c, h.Do(t, req, c.RemoteAddr))
		})
	}
}

// Do serves req (from remoteAddr, default 127.0.0.1:45678) and returns the
// answer with every row it added.
func (h *Harness) Do(t testing.TB, req Request, remoteAddr string) Outcome {
	t.Helper()
	if remoteAddr == "" {
		remoteAddr = "127.0.0.1:45678"
	}
	before := h.snapshot(t)
	hr, err := req.HTTP(remoteAddr)
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	h.mux.ServeHTTP(w, hr)
	after := h.snapshot(t)
	out := Outcome{Status: w.Code, Body: strings.TrimSpace(w.Body.String())}
	for _, m := range after.messages {
		if !slices.ContainsFunc(before.messages, func(b StoredMessage) bool { return b.ID == m.ID }) {
			out.Messages = append(out.Messages, m)
		}
	}
	for _, o := range after.outbox {
		if !slices.ContainsFunc(before.outbox, func(b StoredOutbox) bool { return b.ID == o.ID }) {
			out.Outbox = append(out.Outbox, o)
		}
	}
	for _, d := range after.deliveries {
		if !slices.ContainsFunc(before.deliveries, func(b StoredDelivery) bool { return b.ID == d.ID }) {
			out.Deliveries = append(out.Deliveries, d)
		}
	}
	return out
}

func (h *Harness) check(t *testing.T, c Case, out Outcome) {
	t.Helper()
	if out.Status != c.Status || (c.Body != "" && out.Body != c.Body) || (c.EmptyBody && out.Body != "") {
		t.Errorf("answer %d %q, want %d %q", out.Status, out.Body, c.Status, c.Body)
	}
	var reply *StoredOutbox
	switch {
	case c.Message == nil && len(out.Messages) > 0:
		t.Errorf("stored %d inbound message(s), want none: %+v", len(out.Messages), out.Messages)
	case c.Message != nil && len(out.Messages) != 1:
		t.Errorf("stored %d inbound messages, want one (%+v)", len(out.Messages), *c.Message)
	case c.Message != nil:
		m := out.Messages[0]
		h.checkMessage(t, *c.Message, m)
		reply = findOutbox(out.Outbox, m.ReplyID)
		if c.Reply == "" && m.ReplyID != "" {
			t.Errorf("a reply was enqueued (%q), want none", bodyOf(reply))
		}
	}
	if c.Reply != "" {
		switch {
		case reply == nil:
			t.Errorf("no reply enqueued, want one containing %q (outbox added: %+v)", c.Reply, out.Outbox)
		case !strings.Contains(reply.Body, c.Reply):
			t.Errorf("reply %q, want it to contain %q", reply.Body, c.Reply)
		case reply.Channel != h.Channel || reply.Status != "pending":
			t.Errorf("reply on channel %q in state %q, want %q, pending", reply.Channel, reply.Status, h.Channel)
		case c.Message.From != "" && reply.To != c.Message.From:
			t.Errorf("reply to %q, want the sender %q", reply.To, c.Message.From)
		}
	}
	if c.Message == nil && len(out.Outbox) > 0 {
		t.Errorf("enqueued %d outbox message(s) without an inbound message: %+v", len(out.Outbox), out.Outbox)
	}
	switch {
	case c.Delivery == nil && len(out.Deliveries) > 0:
		t.Errorf("recorded delivery reports %+v, want none", out.Deliveries)
	case c.Delivery != nil && len(out.Deliveries) != 1:
		t.Errorf("recorded %d delivery reports (%+v), want %+v", len(out.Deliveries), out.Deliveries, *c.Delivery)
	case c.Delivery != nil:
		d, w := out.Deliveries[0], *c.Delivery
		if d.OutboxID != w.OutboxID || d.Code != w.Code || d.Status != w.Status || d.Provider != h.provider() {
			t.Errorf("delivery report %s %s=%s from %s, want %s %s=%s from %s",
				d.OutboxID, d.Code, d.Status, d.Provider, w.OutboxID, w.Code, w.Status, h.provider())
		}
		if w.Outbox != "" && d.OutboxStatus != w.Outbox {
			t.Errorf("message %s is %s after the report, want %s", d.OutboxID, d.OutboxStatus, w.Outbox)
		}
		if !strings.Contains(d.Detail, w.Detail) {
			t.Errorf("delivery report's detail %q, want it to contain %q", d.Detail, w.Detail)
		}
	}
}

func (h *Harness) checkMessage(t *testing.T, want Message, m StoredMessage) {
	t.Helper()
	if m.Key != want.Key || m.Kind != want.Kind || m.Channel != h.Channel {
		t.Errorf("stored message %s %s on %s, want %s %s on %s", m.Key, m.Kind, m.Channel, want.Key, want.Kind, h.Channel)
	}
	// The sender's hash is kept where the message made or joined a report.
	if m.ReportID != "" && want.From != "" && m.PhoneHash != h.Store.LookupHash(store.HashPhone, want.From) {
		t.Errorf("stored message's sender is not %s", want.From)
	}
	if want.Text != "" && !strings.Contains(m.ReportText, want.Text) {
		t.Errorf("report text %q, want it to contain %q", m.ReportText, want.Text)
	}
	if !slices.Equal(m.Media, want.Media) {
		t.Errorf("media kept %q, want %q", m.Media, want.Media)
	}
}

func (h *Harness) provider() string {
	if h.Channel == "sms" {
		return "kannel"
	}
	return h.Channel
}

func findOutbox(rows []StoredOutbox, id string) *StoredOutbox {
	for i := range rows {
		if rows[i].ID == id {
			return &rows[i]
		}
	}
	return nil
}

func bodyOf(o *StoredOutbox) string {
	if o == nil {
		return ""
	}
	return o.Body
}

type snapshot struct {
	messages   []StoredMessage
	outbox     []StoredOutbox
	deliveries []StoredDelivery
}

// snapshot reads the channel tables (small in a test) through the store's
// read pool; the table layout is the migrations', which every engine shares.
func (h *Harness) snapshot(t testing.TB) snapshot {
	t.Helper()
	ctx := context.Background()
	st := h.Store
	var s snapshot
	var err error
	s.messages, err = store.Rows(ctx, st, func(r *sql.Rows) (StoredMessage, error) {
		var m StoredMessage
		var desc sql.NullString
		if err := r.Scan(&m.ID, &m.Key, &m.Channel, &m.Kind, &m.PhoneHash, &m.ReportID, &m.ReplyID, &desc); err != nil {
			return m, err
		}
		text, err := st.Open(store.FieldReportDescription, desc.String)
		m.ReportText = text
		return m, err
	}, `SELECT m.id, m.idempotency_key, m.channel, m.kind, m.phone_hash, m.report_id, m.reply_id, r.description_enc
		FROM inbound_messages m LEFT JOIN reports r ON r.id = m.report_id ORDER BY m.id`)
	if err != nil {
		t.Fatalf("intaketest: inbound messages: %v", err)
	}
	for i := range s.messages {
		s.messages[i].Media, err = store.Rows(ctx, st, func(r *sql.Rows) (string, error) {
			var id string
			return id, r.Scan(&id)
		}, `SELECT provider_media_id FROM report_media WHERE message_key = $1 ORDER BY created_at, id`, s.messages[i].Key)
		if err != nil {
			t.Fatalf("intaketest: report media: %v", err)
		}
		if len(s.messages[i].Media) == 0 {
			s.messages[i].Media = nil
		}
	}
	s.outbox, err = store.Rows(ctx, st, func(r *sql.Rows) (StoredOutbox, error) {
		var o StoredOutbox
		var to string
		if err := r.Scan(&o.ID, &o.Key, &o.Channel, &to, &o.Body, &o.Status, &o.DeliveryStatus, &o.ProviderID); err != nil {
			return o, err
		}
		var err error
		o.To, err = st.Open(store.FieldOutboxPhone, to)
		return o, err
	}, `SELECT id, idempotency_key, channel, to_phone_enc, body, status, delivery_status, provider_message_id
		FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatalf("intaketest: outbox: %v", err)
	}
	s.deliveries, err = store.Rows(ctx, st, func(r *sql.Rows) (StoredDelivery, error) {
		var d StoredDelivery
		err := r.Scan(&d.ID, &d.OutboxID, &d.Provider, &d.Code, &d.Status, &d.OutboxStatus, &d.DeliveryStatus, &d.Detail)
		return d, err
	}, `SELECT d.id, d.outbox_id, d.provider, d.code, d.status, o.status, o.delivery_status, d.detail
		FROM delivery_reports d JOIN outbox o ON o.id = d.outbox_id ORDER BY d.id`)
	if err != nil {
		t.Fatalf("intaketest: delivery reports: %v", err)
	}
	return s
}

// Outbox returns every outbox message, oldest first.
func (h *Harness) Outbox(t testing.TB) []StoredOutbox {
	t.Helper()
	return h.snapshot(t).outbox
}

// Messages returns every stored inbound message, oldest first.
func (h *Harness) Messages(t testing.TB) []StoredMessage {
	t.Helper()
	return h.snapshot(t).messages
}

// Sent is a message lindu sent earlier, for delivery-report cases.
type Sent struct {
	ID         string // lindu's outbox id (Kannel's DLR URL carries it)
	ProviderID string // the gateway's id (WhatsApp's wamid)
	To         string // E.164
	Body       string
	Parts      int // SMS parts it went out in (0: 1)
}

// Seed writes messages lindu sent earlier (status "sent") to the outbox,
// with fixed ids, so recorded delivery reports can refer to them.
func (h *Harness) Seed(t testing.TB, msgs ...Sent) {
	t.Helper()
	ctx := context.Background()
	err := h.Store.InTx(ctx, func(tx *store.Tx) error {
		for _, m := range msgs {
			to, err := h.Store.Seal(store.FieldOutboxPhone, m.To)
			if err != nil {
				return err
			}
			now := tx.Now()
			if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (id, idempotency_key, created_at, channel, to_phone_enc, region_code,
				body, status, attempts, next_attempt_at, sent_at, provider_message_id, parts) VALUES ($1,$2,$3,$4,$5,$6,$7,'sent',1,$3,$3,$8,$9)`,
				m.ID, "intaketest:"+m.ID, now, h.Channel, to, "61.07", m.Body, m.ProviderID, max(m.Parts, 1)); err != nil {
				return fmt.Errorf("seed outbox %s: %w", m.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("intaketest: %v", err)
	}
}
