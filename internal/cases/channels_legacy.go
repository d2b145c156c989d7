package cases

// What an SMS or WhatsApp message does, moved here from the store as it
// was: it needs the case workflow (TERIMA and TIBA move a case) and the
// store core may not import this package. The intake area takes it over.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"lindu/internal/domain"
	"lindu/internal/i18n"
	"lindu/internal/store"
)

// JoinWindow is how long after a message from a phone the next free-text
// message from the same phone joins the same report.
const JoinWindow = 30 * time.Minute

// InboundMessage is one text that arrived on a channel (SMS, WhatsApp),
// already parsed into a command by the intake packages.
type InboundMessage struct {
	Key        string         // provider idempotency key: "kannel:<smsc>:<id>", "wa:<wamid>"
	Channel    domain.Channel // sms or whatsapp
	From       string         // sender, E.164
	Text       string
	ReceivedAt time.Time
	Verb       string // "" (free text), STATUS, TERIMA, TIBA, INFO, HELP
	Code       string // 9 digits when the command named a valid code
	Region     string // region of new reports (the deployment's)
	// Responder is the scope of the registered user owning From, or nil.
	Responder *domain.Scope
}

// InboundResult says what an inbound message did.
type InboundResult struct {
	Duplicate  bool   // the key was stored before: nothing changed
	Kind       string // report, append, status, ack, arrive, info, help, denied, unknown_code, refused
	ReportID   string
	ReportCode string
	CaseID     string
	Reply      string
	ReplyID    string // outbox id of the reply
}

// HandleInbound stores an inbound message exactly once under its key and
// acts on it in the same transaction: a new report (or more text for the
// sender's report of the last 30 minutes), a status question, or a
// responder's acknowledgement or arrival. The reply is written to the
// outbox in that transaction, addressed to the sender's encrypted number.
// A key seen before returns the first result with Duplicate set.
// Authorization: public intake; TERIMA/TIBA/INFO need in.Responder, whose
// scope must see the case.
func (s *Service) HandleInbound(ctx context.Context, in InboundMessage) (InboundResult, error) {
	if in.Key == "" || len(in.Key) > 200 {
		return InboundResult{}, domain.InvalidFields(domain.FieldErrors{"key": domain.M("report.field.message_key")})
	}
	from, ok := domain.NormalizePhone(in.From)
	if !ok {
		return InboundResult{}, domain.InvalidFields(domain.FieldErrors{"from": domain.M("report.field.phone")})
	}
	in.From = from
	if r, err := s.inboundByKey(ctx, in.Key); err == nil {
		return r, nil
	} else if !domain.IsNotFound(err) {
		return r, err
	}
	var res InboundResult
	var err error
	for attempt := 0; attempt < 6; attempt++ {
		err = s.st.InTx(ctx, func(tx *store.Tx) error {
			var e error
			res, e = s.handleInbound(ctx, tx, in)
			return e
		})
		if err == nil {
			return res, nil
		}
		if store.IsUniqueViolation(err) {
			if r, e := s.inboundByKey(ctx, in.Key); e == nil {
				return r, nil // the same message at the same moment: the first won
			}
			continue // a public code collision: draw again
		}
		break
	}
	if _, ok := domain.AsError(err); ok {
		return res, err
	}
	return res, fmt.Errorf("cases: inbound: %w", err)
}

func (s *Service) inboundByKey(ctx context.Context, key string) (InboundResult, error) {
	var r InboundResult
	err := s.st.QueryRowContext(ctx, `SELECT m.kind, m.report_id, COALESCE(r.code, ''), m.case_id, m.reply_id, COALESCE(o.body, '')
		FROM inbound_messages m LEFT JOIN reports r ON r.id = m.report_id LEFT JOIN outbox o ON o.id = m.reply_id
		WHERE m.idempotency_key = $1`, key).Scan(&r.Kind, &r.ReportID, &r.ReportCode, &r.CaseID, &r.ReplyID, &r.Reply)
	if errors.Is(err, sql.ErrNoRows) {
		return r, domain.NotFound("message")
	}
	if err != nil {
		return r, fmt.Errorf("cases: inbound by key: %w", err)
	}
	r.Duplicate = true
	return r, nil
}

// cleanText keeps printable text and newlines, at most MaxDescription runes.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if r == 0 || (unicode.IsControl(r) && r != '\n' && r != '\t') {
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > MaxDescription {
		s = string([]rune(s)[:MaxDescription])
	}
	return s
}

func (s *Service) handleInbound(ctx context.Context, tx *store.Tx, in InboundMessage) (InboundResult, error) {
	now := tx.Now()
	received := in.ReceivedAt.UTC().Truncate(time.Microsecond)
	if in.ReceivedAt.IsZero() || received.After(now) {
		received = now
	}
	hash := s.st.LookupHash(store.HashPhone, in.From)
	if s.st.Dialect() == store.Postgres {
		// Messages from one phone are handled one at a time, so two that
		// arrive together join one report instead of each starting one.
		// (SQLite's single writer serialises them already.)
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, phoneLockKey(hash)); err != nil {
			return InboundResult{}, fmt.Errorf("cases: phone lock: %w", err)
		}
	}
	text := cleanText(in.Text)
	var res InboundResult
	var userID string
	sc := domain.Scope{Username: "channel:" + string(in.Channel), RegionCode: "-"}
	if in.Responder != nil {
		sc = *in.Responder
		userID = sc.UserID
	}
	switch in.Verb {
	case "":
		if text == "" {
			res.Kind, res.Reply = "help", i18n.T("id", "sms.reply.help", "")
			break
		}
		if err := s.reportFromText(ctx, tx, sc, in, hash, text, received, &res); err != nil {
			return res, err
		}
	case "HELP":
		res.Kind, res.Reply = "help", i18n.T("id", "sms.reply.help", "")
	case "STATUS":
		if err := s.statusReply(ctx, tx, in, &res); err != nil {
			return res, err
		}
	case "TERIMA", "TIBA", "INFO":
		if in.Responder == nil {
			res.Kind, res.Reply = "denied", i18n.T("id", "sms.reply.denied", "")
			break
		}
		if err := s.responderCommand(ctx, tx, *in.Responder, in, &res); err != nil {
			return res, err
		}
	default:
		return res, domain.E(domain.EInvalid, "error.invalid")
	}
	if res.Reply != "" {
		id, err := s.enqueueReply(ctx, tx, in, userID, res)
		if err != nil {
			return res, err
		}
		res.ReplyID = id
	}
	// The sender's phone hash is kept only where it is looked up (joining
	// a sender's texts into one report), so key rotation can recompute it
	// from the report's sealed number (derivedHashes).
	keptHash := ""
	if res.Kind == "report" || res.Kind == "append" {
		keptHash = hash
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO inbound_messages (id, idempotency_key, channel, received_at, phone_hash, kind, report_id,
		case_id, user_id, reply_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
		tx.NewID(), in.Key, string(in.Channel), received, keptHash, res.Kind, res.ReportID, res.CaseID, userID, res.ReplyID)
	if err != nil {
		return res, fmt.Errorf("cases: inbound: %w", err)
	}
	return res, nil
}

// reportFromText adds text to the sender's report of the last 30 minutes
// (still awaiting triage), or makes a new report.
func (s *Service) reportFromText(ctx context.Context, tx *store.Tx, sc domain.Scope, in InboundMessage, hash, text string, received time.Time, res *InboundResult) error {
	var rid, code, status, desc string
	err := tx.QueryRowContext(ctx, `SELECT r.id, r.code, r.status, r.description_enc FROM inbound_messages m JOIN reports r ON r.id = m.report_id
		WHERE m.phone_hash = $1 AND m.received_at >= $2 AND m.kind IN ('report', 'append') ORDER BY m.received_at DESC, m.id DESC LIMIT 1`,
		hash, received.Add(-JoinWindow)).Scan(&rid, &code, &status, &desc)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("cases: inbound join: %w", err)
	}
	if err == nil && status == string(domain.ReportNew) {
		old, err := s.st.Open(store.FieldReportDescription, desc)
		if err != nil {
			return err
		}
		joined := old + "\n" + text
		if utf8.RuneCountInString(joined) > MaxDescription {
			joined = string([]rune(joined)[:MaxDescription])
		}
		enc, err := s.st.Seal(store.FieldReportDescription, joined)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE reports SET description_enc = $1 WHERE id = $2`, enc, rid); err != nil {
			return fmt.Errorf("cases: inbound append: %w", err)
		}
		var region string
		if err := tx.QueryRowContext(ctx, `SELECT region_code FROM reports WHERE id = $1`, rid).Scan(&region); err != nil {
			return fmt.Errorf("cases: inbound append: %w", err)
		}
		if err := tx.Audit(ctx, publicReporter(sc), "report.append", "report", rid, region, "channel="+string(in.Channel)); err != nil {
			return err
		}
		res.Kind, res.ReportID, res.ReportCode = "append", rid, code
		res.Reply = i18n.T("id", "sms.reply.appended", domain.FormatPublicCode(code))
		return nil
	}
	if err := regionExists(ctx, tx, in.Region); err != nil {
		return err
	}
	descEnc, err := s.st.Seal(store.FieldReportDescription, text)
	if err != nil {
		return err
	}
	phoneEnc, err := s.st.Seal(store.FieldReportPhone, in.From)
	if err != nil {
		return err
	}
	nameEnc, err := s.st.Seal(store.FieldReportReporter, "")
	if err != nil {
		return err
	}
	id := tx.NewID()
	code = domain.NewPublicCode()
	// A message from the public is anonymous: its number only serves replies.
	anonymous := in.Responder == nil
	if _, err := tx.ExecContext(ctx, `INSERT INTO reports (id, code, channel, idempotency_key, received_at, region_code,
		description_enc, child_sex, anonymous, contact_phone_enc, contact_phone_hash, reporter_name_enc, status)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`,
		id, code, string(in.Channel), in.Key, received, in.Region, descEnc, "", anonymous, phoneEnc, hash, nameEnc,
		string(domain.ReportNew)); err != nil {
		return err
	}
	if err := addDeadline(ctx, tx, "report", id, domain.DeadlineTriage, received, received.Add(domain.TriageWindow)); err != nil {
		return err
	}
	if err := tx.Audit(ctx, publicReporter(sc), "report.create", "report", id, in.Region, "channel="+string(in.Channel)); err != nil {
		return err
	}
	res.Kind, res.ReportID, res.ReportCode = "report", id, code
	res.Reply = i18n.T("id", "sms.reply.report", domain.FormatPublicCode(code), code)
	return nil
}

// statusReply answers STATUS <code> with the public status of a report.
func (s *Service) statusReply(ctx context.Context, tx *store.Tx, in InboundMessage, res *InboundResult) error {
	res.Kind = "status"
	if in.Code == "" {
		res.Kind, res.Reply = "help", i18n.T("id", "sms.reply.help", "")
		return nil
	}
	v, err := publicReportStatus(ctx, s.st, in.Code)
	if domain.IsNotFound(err) {
		if in.Responder != nil {
			return s.responderCommand(ctx, tx, *in.Responder, InboundMessage{Verb: "INFO", Code: in.Code}, res)
		}
		res.Kind, res.Reply = "unknown_code", i18n.T("id", "sms.reply.unknown_code", domain.FormatPublicCode(in.Code))
		return nil
	}
	if err != nil {
		return err
	}
	res.Reply = i18n.T("id", "sms.reply.status."+v.Status, domain.FormatPublicCode(in.Code))
	return nil
}

// responderCommand runs TERIMA (acknowledge), TIBA (first contact) or INFO
// for a registered user on a case they can see.
func (s *Service) responderCommand(ctx context.Context, tx *store.Tx, sc domain.Scope, in InboundMessage, res *InboundResult) error {
	if in.Code == "" {
		res.Kind, res.Reply = "help", i18n.T("id", "sms.reply.help", "")
		return nil
	}
	pretty := domain.FormatPublicCode(in.Code)
	var caseID string
	err := tx.QueryRowContext(ctx, `SELECT id FROM cases WHERE code = $1`, in.Code).Scan(&caseID)
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.QueryRowContext(ctx, `SELECT COALESCE(case_id, '') FROM reports WHERE code = $1`, in.Code).Scan(&caseID)
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("cases: responder command: %w", err)
	}
	unknown := func() error {
		res.Kind, res.Reply = "unknown_code", i18n.T("id", "sms.reply.unknown_code", pretty)
		return nil
	}
	if caseID == "" || !sc.Can(domain.PermWorkCases) {
		return unknown()
	}
	lc, err := s.lockCase(ctx, tx, sc, caseID)
	if domain.IsNotFound(err) {
		return unknown()
	}
	if err != nil {
		return err
	}
	res.CaseID = caseID
	status := i18n.T("id", "cstatus."+string(lc.status))
	var to domain.CaseStatus
	switch in.Verb {
	case "INFO":
		res.Kind, res.Reply = "info", i18n.T("id", "sms.reply.info", pretty, status)
		return nil
	case "TERIMA":
		res.Kind, to = "ack", domain.StatusAcknowledged
		if lc.status == domain.StatusAcknowledged || lc.responded {
			res.Reply = i18n.T("id", "sms.reply.ack.already", pretty, status)
			return nil
		}
	case "TIBA":
		res.Kind, to = "arrive", domain.StatusResponded
		if lc.responded {
			res.Reply = i18n.T("id", "sms.reply.arrive.already", pretty)
			return nil
		}
	}
	t := domain.Transition{To: to, Note: "SMS " + in.Verb}
	if in.Channel == domain.ChannelWhatsApp {
		t.Note = "WhatsApp " + in.Verb
	}
	if err := domain.CheckTransition(lc.status, t, lc.assignee.Valid || lc.team.Valid, lc.responded); err != nil {
		res.Kind, res.Reply = "refused", i18n.T("id", "sms.reply.refused", pretty, status)
		return nil
	}
	if err := s.applyTransition(ctx, tx, sc, caseID, lc, t); err != nil {
		return err
	}
	if to == domain.StatusAcknowledged {
		res.Reply = i18n.T("id", "sms.reply.ack", pretty)
	} else {
		res.Reply = i18n.T("id", "sms.reply.arrive", pretty)
	}
	return nil
}

// enqueueReply writes the reply to the sender: its number is stored
// encrypted on the outbox row and used for nothing else.
func (s *Service) enqueueReply(ctx context.Context, tx *store.Tx, in InboundMessage, userID string, res InboundResult) (string, error) {
	now := tx.Now()
	to, err := s.st.Seal(store.FieldOutboxPhone, in.From)
	if err != nil {
		return "", err
	}
	channel := "sms"
	if in.Channel == domain.ChannelWhatsApp {
		channel = "whatsapp"
	}
	id := tx.NewID()
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox (id, idempotency_key, created_at, channel, recipient_user_id, to_phone_enc, region_code,
		body, case_id, report_id, status, next_attempt_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
		id, "reply:"+in.Key, now, channel, userID, to, in.Region, res.Reply, res.CaseID, res.ReportID, "pending", now)
	if err != nil {
		return "", fmt.Errorf("cases: enqueue reply: %w", err)
	}
	return id, nil
}

// InboundCounts counts stored inbound messages by channel and the reports
// they made (for reconciliation: messages = distinct keys; reports made).
// Authorization: lindu itself and its tests (counts, no data).
func (s *Service) InboundCounts(ctx context.Context, channel domain.Channel) (messages, reports int, err error) {
	err = s.st.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT idempotency_key) FROM inbound_messages WHERE channel = $1`,
		string(channel)).Scan(&messages, new(int))
	if err != nil {
		return 0, 0, fmt.Errorf("cases: inbound counts: %w", err)
	}
	err = s.st.QueryRowContext(ctx, `SELECT COUNT(*) FROM reports WHERE channel = $1`, string(channel)).Scan(&reports)
	if err != nil {
		return 0, 0, fmt.Errorf("cases: inbound counts: %w", err)
	}
	return messages, reports, nil
}

// phoneLockKey turns a phone's lookup hash into an advisory lock key.
func phoneLockKey(hash string) int64 {
	var k int64
	for i := 0; i < 15 && i < len(hash); i++ {
		k = k<<4 | int64(hexVal(hash[i]))
	}
	return k | 0x7<<60 // keep clear of the fixed lock keys
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return 0
}
