package intake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"lindu/internal/cases"
	"lindu/internal/store"
)

// Edits and deletions of earlier messages (WhatsApp): the report the
// earlier message made or joined gets a note — the edited text, or that
// the sender deleted a message — below what it already says, so the
// description keeps its own history. Neither gets a reply: the sender
// already has the report's code.

// amend notes an edit or a deletion on the report of the message it is
// about. done is false when lindu does not have that message: an edit is
// then handled as a message as usual, a deletion is ignored.
func (s *Service) amend(ctx context.Context, tx *store.Tx, in inbound) (Result, bool, error) {
	var reportID string
	err := tx.QueryRowContext(ctx, `SELECT report_id FROM inbound_messages WHERE idempotency_key = $1`, in.Original).Scan(&reportID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Result{}, false, fmt.Errorf("intake: original message: %w", err)
	}
	if reportID == "" {
		if in.Event == EventRevoke {
			return Result{Kind: KindIgnored}, true, nil
		}
		return Result{}, false, nil
	}
	kind, note := KindEdit, reply("intake.note.edited", cases.CleanText(in.Text))
	if in.Event == EventRevoke {
		kind, note = KindRevoke, reply("intake.note.revoked")
	}
	if err := s.area().AppendReportNote(ctx, tx, in.scope(), reportID, note, in.Channel); err != nil {
		return Result{}, false, err
	}
	return Result{Kind: kind, ReportID: reportID}, true, nil
}

// repliedReport is the report of lindu's own message that in answers
// (WhatsApp context.id), or "".
func repliedReport(ctx context.Context, tx *store.Tx, in inbound) (string, error) {
	if in.ReplyTo == "" {
		return "", nil
	}
	var id string
	err := tx.QueryRowContext(ctx, `SELECT report_id FROM outbox WHERE provider_message_id = $1 AND report_id <> ''`, in.ReplyTo).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("intake: replied message: %w", err)
	}
	return id, nil
}
