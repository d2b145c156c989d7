package intake

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/store"
)

// Free text by SMS or WhatsApp is a report. It differs from a report by the
// web form or the API in what the channel cannot give: there are no form
// fields (no child's age or sex, no name: the number only serves replies,
// so a member of the public is anonymous), the sender cannot be asked to
// correct it (any text counts, cut at the longest description), and one
// report often arrives in several messages (the sender's texts within
// JoinWindow join the report their first one made). What is shared goes
// through the same functions as the web and the API: the text is cleaned by
// cases.CleanText, and cases.InsertReport checks the region, stores the
// report, starts its triage clock and audits it.

// JoinWindow is how long after a message from a phone the next free-text
// message from the same phone joins the same report.
const JoinWindow = 30 * time.Minute

// reportText files free text: more text for the sender's report of the
// last JoinWindow while it awaits triage, else a new report.
func (s *Service) reportText(ctx context.Context, tx *store.Tx, in inbound) (Result, error) {
	text := cases.CleanText(in.Text)
	if utf8.RuneCountInString(text) > cases.MaxDescription {
		text = string([]rune(text)[:cases.MaxDescription])
	}
	if text == "" {
		return help(), nil
	}
	sc := in.scope()
	// An answer to lindu's own message joins that message's report, even
	// after triage (then as a note below its description).
	if rid, err := repliedReport(ctx, tx, in); err != nil {
		return Result{}, err
	} else if rid != "" {
		code, ok, err := s.area().AppendReportText(ctx, tx, sc, rid, text, in.Channel)
		if err != nil {
			return Result{}, err
		}
		if !ok {
			if err := s.area().AppendReportNote(ctx, tx, sc, rid, reply("intake.note.reply", text), in.Channel); err != nil {
				return Result{}, err
			}
		}
		return Result{Kind: KindAppend, ReportID: rid, ReportCode: code,
			Reply: reply("sms.reply.appended", domain.FormatPublicCode(code))}, nil
	}
	// The report the sender's latest message of the window made or joined,
	// found and read in one statement.
	if rid, code, ok, err := s.area().AppendReportTextWhere(ctx, tx, sc, text, in.Channel,
		`r.id = (SELECT report_id FROM inbound_messages WHERE phone_hash = $1 AND received_at >= $2 AND kind IN ('report', 'append')
			ORDER BY received_at DESC, id DESC LIMIT 1)`, in.hash, in.received.Add(-JoinWindow)); err != nil {
		return Result{}, fmt.Errorf("intake: sender's last report: %w", err)
	} else if ok {
		return Result{Kind: KindAppend, ReportID: rid, ReportCode: code,
			Reply: reply("sms.reply.appended", domain.FormatPublicCode(code))}, nil
	}
	rep, err := s.area().InsertReport(ctx, tx, sc, domain.NewReport{
		Channel:        in.Channel,
		IdempotencyKey: in.Key,
		ReceivedAt:     in.received,
		RegionCode:     in.region,
		Description:    text,
		// A message from the public is anonymous: its number only serves replies.
		Anonymous:    in.responder == nil,
		ContactPhone: in.From,
	})
	if err != nil {
		return Result{}, err
	}
	return Result{Kind: KindReport, ReportID: rep.ID, ReportCode: rep.Code,
		Reply: reply("sms.reply.report", domain.FormatPublicCode(rep.Code), rep.Code)}, nil
}
