package intake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/outbox"
	"lindu/internal/store"
)

// An SMS or WhatsApp message, from its arrival to its reply: stored exactly
// once under its provider key, handled one sender at a time, and acted on
// in the same transaction as its row in inbound_messages and its reply.

// Message is a text from a phone, as a provider package received it.
type Message struct {
	Key     string // provider idempotency key: "kannel:<smsc>:<id>", "wa:<wamid>"
	Channel domain.Channel
	// From is where replies go: a phone number (E.164), or for WhatsApp
	// the business-scoped user id of a sender with a username.
	From       string
	Text       string
	ReceivedAt time.Time

	// Event says what a message is when it is not new text: EventIgnore,
	// EventEdit or EventRevoke ("" for a message as usual).
	Event string
	// Original is the key of the message an edit or a deletion is about.
	Original string
	// ReplyTo is the provider's id of lindu's own message this one answers
	// (WhatsApp context.id): free text joins that message's report.
	ReplyTo string
	// Media are the files the message announced (WhatsApp media ids).
	Media []domain.IncomingMedia
	// Ignored says why an EventIgnore message is ignored (a reaction, a
	// system notice, binary data): logged and counted, not stored as text.
	Ignored string
}

// Message events.
const (
	EventIgnore = "ignore" // recorded once and counted; no report, no reply
	EventEdit   = "edit"   // the sender changed the text of Original
	EventRevoke = "revoke" // the sender deleted Original
)

// What a message did (the kind stored on its inbound_messages row).
const (
	KindReport      = "report"       // free text made a new report
	KindAppend      = "append"       // free text joined the sender's report of the last 30 minutes
	KindStatus      = "status"       // STATUS: the public status of a report
	KindAck         = "ack"          // TERIMA by a responder
	KindArrive      = "arrive"       // TIBA by a responder
	KindInfo        = "info"         // INFO by a responder
	KindHelp        = "help"         // HELP, an empty text, or a command without a code
	KindDenied      = "denied"       // a responder's command from a number that is not a user's
	KindUnknownCode = "unknown_code" // no report or case the sender may see has the code
	KindRefused     = "refused"      // the workflow does not allow the step from the case's status
	KindIgnored     = "ignored"      // a reaction, a system notice, binary data: not a report
	KindEdit        = "edit"         // an edit of an earlier message: noted on its report
	KindRevoke      = "revoke"       // a deletion of an earlier message: noted on its report
)

// Result says what a message did.
type Result struct {
	Duplicate  bool   // the key was stored before: nothing changed, this is the first result
	Kind       string // one of the Kind constants
	ReportID   string
	ReportCode string
	CaseID     string
	Reply      string
	ReplyID    string // outbox id of the reply
}

// inbound is a message being handled: parsed, its sender known.
type inbound struct {
	Message
	Command
	// responder is the scope of the registered user owning From, or nil.
	responder *domain.Scope
	hash      string    // lookup hash of From
	region    string    // the deployment's: where new reports are filed
	received  time.Time // when it arrived, never after the transaction's time
	claimant  string    // the sender to write the reply claimed for (Handoff), or ""
}

// Handle stores a message exactly once under its key and acts on it in
// the same transaction: a new report (or more text for the sender's report
// of the last 30 minutes), a status question, or a registered responder's
// acknowledgement, arrival or question. The reply is written to the outbox
// in that transaction, addressed to the sender's sealed number. A key seen
// before returns the first result with Duplicate set. Authorization:
// public intake, for the provider packages after they checked the gateway;
// TERIMA, TIBA and INFO act only for a sender whose number is a user's,
// with that user's scope.
func (s *Service) Handle(ctx context.Context, m Message) (Result, error) {
	if m.Key == "" || len(m.Key) > 200 {
		return Result{}, domain.InvalidFields(domain.FieldErrors{"key": domain.M("report.field.message_key")})
	}
	from, ok := domain.NormalizeAddress(m.From, m.Channel)
	if !ok {
		return Result{}, domain.InvalidFields(domain.FieldErrors{"from": domain.M("report.field.phone")})
	}
	m.From = from
	in := inbound{Message: m, Command: Parse(m.Text), hash: s.Store.LookupHash(store.HashPhone, from), region: s.Region}
	// The deployment's region, where new reports are filed, is read
	// before the transaction: kept in memory from then on (Store.GetRegion),
	// the transaction's check of it costs no statement.
	if _, err := s.Store.GetRegion(ctx, s.Region); err != nil && !domain.IsNotFound(err) {
		return Result{}, fmt.Errorf("intake: region: %w", err)
	}
	if s.Handoff != nil {
		in.claimant = s.Handoff.Claimant(replyChannel(in))
	}
	res, taken, err := s.handleOnce(ctx, in)
	if err == nil {
		s.Count(m.Channel, Outcome(res))
	}
	switch {
	case err != nil:
	case taken != nil:
		s.Handoff.Take(*taken)
	case !res.Duplicate && res.ReplyID != "" && s.Sent != nil:
		s.Sent()
	}
	return res, err
}

// handleOnce runs the message's transaction until it commits, or answers
// with the first result when the key was stored before. A message seen
// before is not looked up first: its transaction fails on the key
// (inbound_messages.idempotency_key is unique) and changes nothing, and
// then the first result is read. Gateways resend rarely; every new
// message is spared a query.
//
// taken is the reply written claimed for in.claimant, to hand over: nil
// when there is none (no claimant, no reply, or the message seen before).
func (s *Service) handleOnce(ctx context.Context, in inbound) (res Result, taken *outbox.Send, err error) {
	for attempt := 0; attempt < 6; attempt++ {
		err = s.inTx(ctx, "intake.phone:"+in.hash, func(ctx context.Context, tx *store.Tx) error {
			var e error
			res, e = s.handle(ctx, tx, in)
			taken = nil
			if e == nil && in.claimant != "" && res.ReplyID != "" {
				taken = &outbox.Send{ID: res.ReplyID, Channel: replyChannel(in), To: in.From, Body: res.Reply, Attempts: 1,
					ClaimedAt: tx.Now()}
			}
			return e
		})
		if err == nil {
			return res, taken, nil
		}
		taken = nil
		if store.IsUniqueViolation(err) {
			if r, e := s.byKey(ctx, in.Key); e == nil {
				return r, nil, nil // the same message at the same moment: the first won
			}
			continue // a public code collision: draw again
		}
		break
	}
	// A message stored before whose handling now fails otherwise (the
	// state it acted on has moved on) still answers with its first result.
	if r, e := s.byKey(ctx, in.Key); e == nil {
		return r, nil, nil
	}
	if _, ok := domain.AsError(err); ok {
		return res, nil, err
	}
	return res, nil, fmt.Errorf("intake: inbound: %w", err)
}

// byKey is the result of the message stored under key, read back.
func (s *Service) byKey(ctx context.Context, key string) (Result, error) {
	r := Result{Duplicate: true}
	// The reply is the outbox row this message wrote (reply_id).
	err := s.Store.QueryRowContext(ctx, `SELECT m.kind, m.report_id, m.case_id, m.reply_id, COALESCE(o.body, '')
		FROM inbound_messages m LEFT JOIN outbox o ON o.id = m.reply_id WHERE m.idempotency_key = $1`, key).
		Scan(&r.Kind, &r.ReportID, &r.CaseID, &r.ReplyID, &r.Reply)
	if errors.Is(err, sql.ErrNoRows) {
		return Result{}, domain.NotFound("message")
	}
	if err != nil {
		return Result{}, fmt.Errorf("intake: inbound by key: %w", err)
	}
	if r.ReportCode, err = s.area().ReportCode(ctx, r.ReportID); err != nil {
		return Result{}, err
	}
	return r, nil
}

// handle is one message's transaction.
func (s *Service) handle(ctx context.Context, tx *store.Tx, in inbound) (Result, error) {
	in.received = in.ReceivedAt.UTC().Truncate(time.Microsecond)
	if in.ReceivedAt.IsZero() || in.received.After(tx.Now()) {
		in.received = tx.Now()
	}
	// Messages from one phone are handled one at a time, so two that
	// arrive together join one report instead of each starting one. The
	// sender's account, if the number is a user's, is read with the lock.
	in.responder = nil
	if !strings.HasPrefix(in.From, "+") {
		// A WhatsApp user id: no account is bound to one.
		if err := tx.Serialize(ctx, "intake.phone:"+in.hash); err != nil {
			return Result{}, err
		}
	} else if u, err := tx.SerializeUserByPhone(ctx, "intake.phone:"+in.hash, in.From); err == nil {
		sc := access.ForUser(u, "", string(in.Channel))
		in.responder = &sc
	} else if !domain.IsNotFound(err) {
		return Result{}, fmt.Errorf("intake: sender: %w", err)
	}
	var res Result
	var err error
	switch {
	case in.Event == EventIgnore:
		return Result{Kind: KindIgnored}, s.record(ctx, tx, in, Result{Kind: KindIgnored})
	case in.Event == EventEdit || in.Event == EventRevoke:
		var done bool
		if res, done, err = s.amend(ctx, tx, in); err != nil || done {
			if err != nil {
				return res, err
			}
			return res, s.record(ctx, tx, in, res)
		}
		// An edit of a message lindu never had is a message as usual.
	}
	switch in.Verb {
	case "":
		res, err = s.reportText(ctx, tx, in)
	case "HELP":
		res = help()
	case "STATUS":
		res, err = s.status(ctx, tx, in)
	case "TERIMA", "TIBA", "INFO":
		res, err = s.responderCommand(ctx, tx, in)
	case "YA", "TIDAK", "SELESAI":
		res, err = s.referralAnswer(ctx, tx, in)
	case "DUKUNG":
		res, err = s.childSupport(ctx, tx, in)
	default:
		return res, domain.E(domain.EInvalid, "error.invalid")
	}
	if err != nil {
		return res, err
	}
	if len(in.Media) > 0 && res.ReportID != "" && (res.Kind == KindReport || res.Kind == KindAppend) {
		if err := s.area().AddReportMedia(ctx, tx, res.ReportID, in.Key, in.Channel, in.Media); err != nil {
			return res, err
		}
	}
	if res.Reply != "" {
		if res.ReplyID, err = enqueueReply(ctx, tx, in, res); err != nil {
			return res, err
		}
	}
	return res, s.record(ctx, tx, in, res)
}

// record writes the message's row: the key that makes it happen once,
// what it did and the reply it got.
func (s *Service) record(ctx context.Context, tx *store.Tx, in inbound, res Result) error {
	// The sender's phone hash is kept only where it is looked up (joining
	// a sender's texts into one report), so key rotation can recompute it
	// from the report's sealed number (the store's derivedHashes).
	keptHash := ""
	if res.Kind == KindReport || res.Kind == KindAppend {
		keptHash = in.hash
	}
	err := tx.ExecLater(ctx, `INSERT INTO inbound_messages (id, idempotency_key, channel, received_at, phone_hash, kind, report_id,
		case_id, user_id, reply_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
		tx.NewID(), in.Key, string(in.Channel), in.received, keptHash, res.Kind, res.ReportID, res.CaseID, in.userID(), res.ReplyID)
	if err != nil {
		return fmt.Errorf("intake: inbound: %w", err)
	}
	return nil
}

// scope is who a message acts as: the registered sender, or the channel
// itself for the public.
func (in inbound) scope() domain.Scope {
	if in.responder != nil {
		return *in.responder
	}
	return domain.Scope{Username: "channel:" + string(in.Channel), RegionCode: "-"}
}

// userID is the sender's account, or "".
func (in inbound) userID() string {
	if in.responder != nil {
		return in.responder.UserID
	}
	return ""
}

// InboundCounts counts the stored messages of a channel and the reports
// that came by it (for reconciliation: one message per key; the reports
// they made). Authorization: lindu itself and its tests (counts, no data).
func (s *Service) InboundCounts(ctx context.Context, channel domain.Channel) (messages, reports int, err error) {
	err = s.Store.QueryRowContext(ctx, `SELECT COUNT(*) FROM inbound_messages WHERE channel = $1`, string(channel)).Scan(&messages)
	if err != nil {
		return 0, 0, fmt.Errorf("intake: inbound counts: %w", err)
	}
	if reports, err = s.area().CountReports(ctx, channel); err != nil {
		return 0, 0, err
	}
	return messages, reports, nil
}
