package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Clocks of a case's items: a plan action or a follow-up visit that is
// due, a referral or a transfer the receiving side must answer. They are
// stored with the case they belong to, so the case's next clock (the inbox
// order and its overdue filter) counts them, and they escalate through the
// same exactly-once steps as the case's own clocks.

// Item subjects of clocks.
const (
	subjectAction   = "action"
	subjectVisit    = "visit"
	subjectReferral = "referral"
	subjectTransfer = "transfer"
	subjectStay     = "stay"        // a child's stay in a place (internal/shelters)
	subjectReview   = "stay_review" // one review of a stay: "<stay id>#<n>"
)

// addItemDeadline stores the clock of an item of case caseID (subject is
// "action", "visit", "referral" or "transfer", subjectID the item's id)
// with its escalation steps, once per item and kind, and updates the case's
// next clock. Call it in the transaction that creates the item.
func addItemDeadline(ctx context.Context, tx *store.Tx, caseID, subject, subjectID string, kind domain.DeadlineKind, start, due time.Time) error {
	if err := insertDeadline(ctx, tx, caseID, subject, subjectID, kind, start, due); err != nil {
		return err
	}
	return recomputeNextDue(ctx, tx, caseID)
}

// meetItemDeadline marks an item's clock as met (done, answered, cancelled:
// nothing is waited for any more), once, and updates the case's next clock.
func meetItemDeadline(ctx context.Context, tx *store.Tx, caseID, subject, subjectID string, kind domain.DeadlineKind, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE deadlines SET met_at = $1 WHERE subject_type = $2 AND subject_id = $3 AND kind = $4
		AND met_at IS NULL`, at, subject, subjectID, string(kind)); err != nil {
		return fmt.Errorf("cases: meet deadline: %w", err)
	}
	return recomputeNextDue(ctx, tx, caseID)
}

// moveItemDeadline sets a new due time on an item's unmet clock: its
// steps not yet fired are dropped and planned again from start.
func moveItemDeadline(ctx context.Context, tx *store.Tx, caseID, subject, subjectID string, kind domain.DeadlineKind, start, due time.Time) error {
	var id string
	err := tx.QueryRowContext(ctx, `SELECT id FROM deadlines WHERE subject_type = $1 AND subject_id = $2 AND kind = $3 AND met_at IS NULL`,
		subject, subjectID, string(kind)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cases: move deadline: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE deadlines SET due_at = $1 WHERE id = $2`, due, id); err != nil {
		return fmt.Errorf("cases: move deadline: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM escalations WHERE deadline_id = $1 AND fired_at IS NULL`, id); err != nil {
		return fmt.Errorf("cases: move deadline: %w", err)
	}
	var fired int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(step), 0) FROM escalations WHERE deadline_id = $1`, id).Scan(&fired); err != nil {
		return fmt.Errorf("cases: move deadline: %w", err)
	}
	for i, st := range escalationSteps(kind, start, due) {
		if i+1 <= fired {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO escalations (id, deadline_id, step, target, fire_at) VALUES ($1,$2,$3,$4,$5)
			ON CONFLICT (deadline_id, step) DO NOTHING`, tx.NewID(), id, i+1, st.target, st.at); err != nil {
			return fmt.Errorf("cases: move deadline: %w", err)
		}
	}
	return recomputeNextDue(ctx, tx, caseID)
}

// dayEnd is the end of a local day (YYYY-MM-DD) in the region's time zone,
// as a UTC time: an action or visit due that day is overdue after it.
func dayEnd(day, region string) (time.Time, error) {
	d, err := time.ParseInLocation("2006-01-02", day, domain.ZoneFor(region))
	if err != nil {
		return time.Time{}, err
	}
	return d.AddDate(0, 0, 1).UTC(), nil
}

// localDay is the day (YYYY-MM-DD) of t in the region's time zone.
func localDay(t time.Time, region string) string {
	return t.In(domain.ZoneFor(region)).Format("2006-01-02")
}

// itemPerson is the person an item's reminder also goes to: the worker
// responsible for an action, the visitor of a visit, whoever sent a
// referral or asked for a transfer.
func itemPerson(ctx context.Context, tx *store.Tx, subject, id string) (string, error) {
	var q string
	switch subject {
	case subjectAction:
		q = `SELECT COALESCE(responsible_user_id, '') FROM case_plan_actions WHERE id = $1`
	case subjectVisit:
		q = `SELECT COALESCE(visitor_id, '') FROM case_visits WHERE id = $1`
	case subjectReferral:
		q = `SELECT sender_id FROM referrals WHERE id = $1`
	case subjectTransfer:
		q = `SELECT requested_by FROM case_transfers WHERE id = $1`
	case subjectStay:
		q = `SELECT placed_by_id FROM stays WHERE id = $1`
	case subjectReview:
		q = `SELECT placed_by_id FROM stays WHERE id = $1`
		id, _, _ = strings.Cut(id, "#")
	default:
		return "", nil
	}
	var uid string
	err := tx.QueryRowContext(ctx, q, id).Scan(&uid)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("cases: item person: %w", err)
	}
	return uid, nil
}
