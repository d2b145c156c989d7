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
	var status, desc, region string
	err = tx.QueryRowContext(ctx, `SELECT code, status, description_enc, region_code FROM reports WHERE id = $1`, id).
		Scan(&code, &status, &desc, &region)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("cases: append to report: %w", err)
	}
	if status != string(domain.ReportNew) {
		return code, false, nil
	}
	old, err := s.st.Open(store.FieldReportDescription, desc)
	if err != nil {
		return "", false, err
	}
	joined := old + "\n" + text
	if utf8.RuneCountInString(joined) > MaxDescription {
		joined = string([]rune(joined)[:MaxDescription])
	}
	enc, err := s.st.Seal(store.FieldReportDescription, joined)
	if err != nil {
		return "", false, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE reports SET description_enc = $1 WHERE id = $2`, enc, id); err != nil {
		return "", false, fmt.Errorf("cases: append to report: %w", err)
	}
	if err := tx.Audit(ctx, publicReporter(sc), "report.append", "report", id, region, "channel="+string(ch)); err != nil {
		return "", false, err
	}
	return code, true, nil
}
