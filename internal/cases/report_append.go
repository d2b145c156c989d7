package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"unicode/utf8"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// More text for a report still awaiting triage: a sender's further SMS or
// WhatsApp messages join the report their first message made (the intake
// area decides which report that is).

// AppendReportText adds text on a new line to the description of the report
// id, cut at MaxDescription, and audits it, in tx. The report must still
// await triage: once triaged nothing changes and ok is false (the caller
// files a new report instead). It returns the report's public code.
// Authorization: public intake, for the sender whose messages made the
// report (internal/intake finds it by their number's lookup hash).
func (s *Service) AppendReportText(ctx context.Context, tx *store.Tx, sc domain.Scope, id, text string, ch domain.Channel) (code string, ok bool, err error) {
	_, code, ok, err = s.AppendReportTextWhere(ctx, tx, sc, text, ch, `r.id = $1`, id)
	return code, ok, err
}

// AppendReportTextWhere is AppendReportText for the report that cond (a
// condition on reports r, with args, matching one report at most) finds,
// so that finding the report and reading it take one statement. It
// returns the report's id and public code ("" when none matched) and ok
// when the text was added. Authorization: as AppendReportText; cond is
// the caller's SQL, never outside input.
func (s *Service) AppendReportTextWhere(ctx context.Context, tx *store.Tx, sc domain.Scope, text string, ch domain.Channel,
	cond string, args ...any) (id, code string, ok bool, err error) {
	var status, desc, region string
	err = tx.QueryRowContext(ctx, `SELECT r.id, r.code, r.status, r.description_enc, r.region_code FROM reports r WHERE `+cond, args...).
		Scan(&id, &code, &status, &desc, &region)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, fmt.Errorf("cases: append to report: %w", err)
	}
	if status != string(domain.ReportNew) {
		return id, code, false, nil
	}
	old, err := s.st.Open(store.FieldReportDescription, desc)
	if err != nil {
		return "", "", false, err
	}
	joined := old + "\n" + text
	if utf8.RuneCountInString(joined) > MaxDescription {
		joined = string([]rune(joined)[:MaxDescription])
	}
	enc, err := s.st.Seal(store.FieldReportDescription, joined)
	if err != nil {
		return "", "", false, err
	}
	// Kept for the transaction's next statement: the row was just read,
	// and nothing else of this transaction writes it.
	if err := tx.ExecLater(ctx, `UPDATE reports SET description_enc = $1 WHERE id = $2`, enc, id); err != nil {
		return "", "", false, fmt.Errorf("cases: append to report: %w", err)
	}
	if err := tx.Audit(ctx, publicReporter(sc), "report.append", "report", id, region, "channel="+string(ch)); err != nil {
		return "", "", false, err
	}
	return id, code, true, nil
}
