package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Clocks (tenggat): a report's triage clock, a case's acknowledgement and
// response clocks and, for sexual violence, the police clock; each with
// its escalation steps. They are stored, so a restart loses none.

// Escalation targets.
const (
	targetAssignee    = "assignee"
	targetSupervisors = "supervisors"
)

// addCaseDeadlines stores a case's clocks, counted from the report time.
func addCaseDeadlines(ctx context.Context, tx *store.Tx, caseID string, reported time.Time, p domain.Priority, types []domain.ViolenceType) error {
	rules, err := slaRules(ctx, tx)
	if err != nil {
		return err
	}
	ack, resp := slaFor(rules, p, types)
	if err := addDeadline(ctx, tx, "case", caseID, domain.DeadlineAck, reported, reported.Add(ack)); err != nil {
		return err
	}
	if err := addDeadline(ctx, tx, "case", caseID, domain.DeadlineResponse, reported, reported.Add(resp)); err != nil {
		return err
	}
	for _, t := range types {
		if t == domain.VSexual {
			if err := addDeadline(ctx, tx, "case", caseID, domain.DeadlinePolice, reported, reported.Add(domain.PoliceReportWindow)); err != nil {
				return err
			}
		}
	}
	return recomputeNextDue(ctx, tx, caseID)
}

// escalationStep is when an escalation fires and to whom.
type escalationStep struct {
	at     time.Time
	target string
}

// escalationSteps are a clock's steps: a reminder to the people assigned
// before the deadline, then the supervisors at the breach (a report's
// triage clock: the supervisors only). None fires before the clock starts.
func escalationSteps(kind domain.DeadlineKind, start, due time.Time) []escalationStep {
	window := due.Sub(start)
	var steps []escalationStep
	switch kind {
	case domain.DeadlineTriage:
		steps = []escalationStep{{due, targetSupervisors}}
	case domain.DeadlineAck:
		steps = []escalationStep{{start.Add(window / 2), targetAssignee}, {due, targetSupervisors}}
	case domain.DeadlineResponse:
		steps = []escalationStep{{due.Add(-window / 4), targetAssignee}, {due, targetSupervisors}}
	case domain.DeadlinePolice:
		steps = []escalationStep{{due.Add(-24 * time.Hour), targetAssignee}, {due, targetSupervisors}}
	case domain.DeadlineAction, domain.DeadlineVisit:
		// Due at the end of the day: the people responsible are told it is
		// overdue, the supervisors two days later.
		steps = []escalationStep{{due, targetAssignee}, {due.Add(48 * time.Hour), targetSupervisors}}
	case domain.DeadlineReferral, domain.DeadlineTransfer:
		// The receiving side has not answered: the referring people, then
		// the supervisors a day later.
		steps = []escalationStep{{due, targetAssignee}, {due.Add(24 * time.Hour), targetSupervisors}}
	case domain.DeadlineStay:
		// A stay nears its limit: the placing worker is warned two days
		// before; at the limit the supervisors are alerted.
		steps = []escalationStep{{due.Add(-StayWarning), targetAssignee}, {due, targetSupervisors}}
	case domain.DeadlineReview:
		// A placement's review is due: the placing worker at the date,
		// the supervisors two days later.
		steps = []escalationStep{{due, targetAssignee}, {due.Add(48 * time.Hour), targetSupervisors}}
	}
	for i := range steps {
		if steps[i].at.Before(start) {
			steps[i].at = start
		}
	}
	return steps
}

// addDeadline stores a clock and its escalation steps (once per subject
// and kind).
func addDeadline(ctx context.Context, tx *store.Tx, subject, subjectID string, kind domain.DeadlineKind, start, due time.Time) error {
	var caseID any
	if subject == "case" {
		caseID = subjectID
	}
	return insertDeadline(ctx, tx, caseID, subject, subjectID, kind, start, due)
}

// insertDeadline stores a clock of a case (caseID; nil for a report's)
// and its escalation steps, once per subject and kind.
func insertDeadline(ctx context.Context, tx *store.Tx, caseID any, subject, subjectID string, kind domain.DeadlineKind, start, due time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO deadlines (id, subject_type, subject_id, kind, due_at, case_id) VALUES ($1,$2,$3,$4,$5,$6)
		ON CONFLICT (subject_type, subject_id, kind) DO NOTHING`, tx.NewID(), subject, subjectID, string(kind), due, caseID); err != nil {
		return fmt.Errorf("cases: add deadline: %w", err)
	}
	for i, st := range escalationSteps(kind, start, due) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO escalations (id, deadline_id, step, target, fire_at)
			SELECT $1, id, $2, $3, $4 FROM deadlines WHERE subject_type = $5 AND subject_id = $6 AND kind = $7
			ON CONFLICT (deadline_id, step) DO NOTHING`, tx.NewID(), i+1, st.target, st.at, subject, subjectID, string(kind)); err != nil {
			return fmt.Errorf("cases: add escalation: %w", err)
		}
	}
	return nil
}

// newDeadline is insertDeadline for a subject made in this transaction,
// which has no clock yet: its rows are inserted with the transaction's
// next statement (store.Tx.ExecLater), the steps naming the clock by its
// id rather than looking it up.
func newDeadline(ctx context.Context, tx *store.Tx, caseID any, subject, subjectID string, kind domain.DeadlineKind, start, due time.Time) error {
	id := tx.NewID()
	if err := tx.ExecLater(ctx, `INSERT INTO deadlines (id, subject_type, subject_id, kind, due_at, case_id) VALUES ($1,$2,$3,$4,$5,$6)`,
		id, subject, subjectID, string(kind), due, caseID); err != nil {
		return fmt.Errorf("cases: add deadline: %w", err)
	}
	for i, st := range escalationSteps(kind, start, due) {
		if err := tx.ExecLater(ctx, `INSERT INTO escalations (id, deadline_id, step, target, fire_at) VALUES ($1,$2,$3,$4,$5)`,
			tx.NewID(), id, i+1, st.target, st.at); err != nil {
			return fmt.Errorf("cases: add escalation: %w", err)
		}
	}
	return nil
}

// meetDeadline marks a clock as met (once).
func meetDeadline(ctx context.Context, tx *store.Tx, subject, id string, kind domain.DeadlineKind, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE deadlines SET met_at = $1 WHERE subject_type = $2 AND subject_id = $3 AND kind = $4
		AND met_at IS NULL`, at, subject, id, string(kind)); err != nil {
		return fmt.Errorf("cases: meet deadline: %w", err)
	}
	if subject == "case" {
		return recomputeNextDue(ctx, tx, id)
	}
	return nil
}

// recomputeNextDue stores the earliest unmet clock of an open case, which
// the inbox sorts and filters by.
func recomputeNextDue(ctx context.Context, tx *store.Tx, caseID string) error {
	var due sql.NullTime
	var kind sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT d.due_at, d.kind FROM deadlines d JOIN cases c ON c.id = d.case_id
		WHERE d.case_id = $1 AND d.met_at IS NULL AND c.status <> 'closed'
		ORDER BY d.due_at LIMIT 1`, caseID).Scan(&due, &kind)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("cases: next due: %w", err)
	}
	var d any
	if due.Valid {
		d = due.Time
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET next_due_at = $1, next_due_kind = $2 WHERE id = $3`, d, kind.String, caseID); err != nil {
		return fmt.Errorf("cases: next due: %w", err)
	}
	return nil
}

// AllDeadlineKinds lists every clock kind (for metrics that start at zero).
var AllDeadlineKinds = []domain.DeadlineKind{domain.DeadlineTriage, domain.DeadlineAck, domain.DeadlineResponse, domain.DeadlinePolice,
	domain.DeadlineAction, domain.DeadlineVisit, domain.DeadlineReferral, domain.DeadlineTransfer, domain.DeadlineStay, domain.DeadlineReview}

// OverdueByKind counts the clocks past due and not met, by kind, across
// the deployment: those of closed cases and of triaged reports do not
// count. Authorization: lindu itself (the metrics); counts only.
func (s *Service) OverdueByKind(ctx context.Context) (map[domain.DeadlineKind]int, error) {
	out := map[domain.DeadlineKind]int{}
	rows, err := s.st.QueryContext(ctx, `SELECT d.kind, COUNT(*) FROM deadlines d
		LEFT JOIN cases c ON c.id = COALESCE(d.case_id, CASE WHEN d.subject_type = 'case' THEN d.subject_id END)
		LEFT JOIN reports r ON d.subject_type = 'report' AND r.id = d.subject_id
		WHERE d.met_at IS NULL AND d.due_at < $1 AND (c.id IS NULL OR c.status <> 'closed')
		AND (d.subject_type <> 'report' OR r.status = 'new') GROUP BY d.kind`, s.st.Now())
	if err != nil {
		return nil, fmt.Errorf("cases: overdue clocks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, fmt.Errorf("cases: overdue clocks: %w", err)
		}
		out[domain.DeadlineKind(k)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cases: overdue clocks: %w", err)
	}
	return out, nil
}
