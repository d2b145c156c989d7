package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/i18n"
	"lindu/internal/store"
)

// Escalation: when a clock's step is due, the people assigned are
// reminded, then the supervisors are told of the breach, by SMS (or in the
// app) through the outbox.

// EscalationResult counts what one run of the escalator did.
type EscalationResult struct {
	Fired, Skipped, Messages int
}

// RunEscalations fires every escalation step that is due: each exactly
// once, even with several lindu instances running it at the same moment
// (the step is claimed by a conditional UPDATE in the same transaction that
// writes its messages to the outbox). Steps whose clock was met, or whose
// case was closed, are marked skipped. Authorization: lindu itself (the
// escalator job); instance names the process in fired_by.
func (s *Service) RunEscalations(ctx context.Context, instance string, limit int) (EscalationResult, error) {
	var res EscalationResult
	ids, err := store.Rows(ctx, s.st, func(rows *sql.Rows) (string, error) {
		var id string
		err := rows.Scan(&id)
		return id, err
	}, `SELECT e.id FROM escalations e WHERE e.fired_at IS NULL AND e.fire_at <= $1
		ORDER BY e.fire_at LIMIT `+strconv.Itoa(max(limit, 1)), s.st.Now())
	if err != nil {
		return res, fmt.Errorf("cases: due escalations: %w", err)
	}
	// A step that fails does not hold up the others: they come in order
	// of time, and one failing for good (its subject gone) stopped every
	// later escalation at it, round after round. Its error is returned
	// once the round is done.
	var failed error
	for _, id := range ids {
		var one EscalationResult
		err := s.st.InTx(ctx, func(tx *store.Tx) error {
			var err error
			one, err = s.fireEscalation(ctx, tx, id, instance)
			return err
		})
		if err != nil {
			if ctx.Err() != nil {
				return res, err
			}
			if failed == nil {
				failed = fmt.Errorf("cases: escalation %s: %w", id, err)
			}
			continue
		}
		res.Fired += one.Fired
		res.Skipped += one.Skipped
		res.Messages += one.Messages
	}
	return res, failed
}

// errSubjectGone is a step whose case or report no longer exists.
var errSubjectGone = errors.New("cases: escalation: its case or report no longer exists")

// dueStep is an escalation step with its clock and the clock's subject.
type dueStep struct {
	id, target, subject, subjectID string
	// caseID is the case of a case's clock or of an item's; itemID the
	// item's (action, visit, referral, transfer).
	caseID, itemID string
	step           int
	kind           domain.DeadlineKind
	due            time.Time
	met            bool
	// The subject: a case (with who handles it) or a report.
	region, code, status    string
	assignee, team, support sql.NullString
}

// fireEscalation decides, claims and sends one step inside tx: the
// claim is what makes it exactly once.
func (s *Service) fireEscalation(ctx context.Context, tx *store.Tx, id, instance string) (EscalationResult, error) {
	st, err := readStep(ctx, tx, id)
	gone := errors.Is(err, errSubjectGone)
	if err != nil && !gone {
		return EscalationResult{}, err
	}
	outcome := "sent"
	if gone || st.met || st.status == string(domain.StatusClosed) || (st.subject == "report" && st.status != string(domain.ReportNew)) {
		outcome = "skipped"
	}
	res, err := tx.ExecContext(ctx, `UPDATE escalations SET fired_at = $1, fired_by = $2, outcome = $3 WHERE id = $4 AND fired_at IS NULL`,
		tx.Now(), instance, outcome, id)
	if err != nil {
		return EscalationResult{}, fmt.Errorf("cases: claim escalation: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return EscalationResult{}, fmt.Errorf("cases: claim escalation: %w", err)
	} else if n != 1 {
		return EscalationResult{}, nil // another instance fired it
	}
	if outcome == "skipped" {
		return EscalationResult{Skipped: 1}, nil
	}
	msgs, target, err := s.sendEscalation(ctx, tx, st)
	if err != nil {
		return EscalationResult{}, err
	}
	sys := access.System("escalation")
	if st.caseID != "" {
		if err := s.caseEvent(ctx, tx, sys, st.caseID, "escalation", domain.CaseStatus(st.status), domain.CaseStatus(st.status),
			fmt.Sprintf("%s %s: %d", st.kind, target, msgs)); err != nil {
			return EscalationResult{}, err
		}
	}
	auditType, auditID := st.subject, st.subjectID
	if st.caseID != "" {
		auditType, auditID = "case", st.caseID
	}
	if err := tx.Audit(ctx, sys, "escalation.fire", auditType, auditID, st.region,
		fmt.Sprintf("kind=%s step=%d target=%s messages=%d", st.kind, st.step, target, msgs)+itemDetail(st)); err != nil {
		return EscalationResult{}, err
	}
	return EscalationResult{Fired: 1, Messages: msgs}, nil
}

// readStep reads an escalation step, its clock and its subject inside tx.
func readStep(ctx context.Context, tx *store.Tx, id string) (dueStep, error) {
	st := dueStep{id: id}
	var met sql.NullTime
	err := tx.QueryRowContext(ctx, `SELECT e.step, e.target, d.subject_type, d.subject_id, d.kind, d.due_at, d.met_at
		FROM escalations e JOIN deadlines d ON d.id = e.deadline_id WHERE e.id = $1`, id).
		Scan(&st.step, &st.target, &st.subject, &st.subjectID, &st.kind, &st.due, &met)
	if err != nil {
		return st, fmt.Errorf("cases: escalation: %w", err)
	}
	st.met = met.Valid
	if st.subject != "case" && st.subject != "report" {
		// An item of a case (action, visit, referral, transfer): the case
		// it belongs to decides who is told and whether it still matters.
		var caseID sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT case_id FROM deadlines d JOIN escalations e ON e.deadline_id = d.id WHERE e.id = $1`, id).
			Scan(&caseID); err != nil {
			return st, fmt.Errorf("cases: escalation: %w", err)
		}
		st.itemID, st.caseID = st.subjectID, caseID.String
		err = tx.QueryRowContext(ctx, `SELECT region_code, code, status, assignee_id, team_id, support_team_id FROM cases WHERE id = $1`,
			st.caseID).Scan(&st.region, &st.code, &st.status, &st.assignee, &st.team, &st.support)
	} else if st.subject == "case" {
		st.caseID = st.subjectID
		err = tx.QueryRowContext(ctx, `SELECT region_code, code, status, assignee_id, team_id, support_team_id FROM cases WHERE id = $1`,
			st.subjectID).Scan(&st.region, &st.code, &st.status, &st.assignee, &st.team, &st.support)
	} else {
		err = tx.QueryRowContext(ctx, `SELECT region_code, code, status FROM reports WHERE id = $1`, st.subjectID).
			Scan(&st.region, &st.code, &st.status)
	}
	if errors.Is(err, sql.ErrNoRows) {
		// Nothing to tell anyone about: the step is skipped (claimed).
		return st, errSubjectGone
	}
	if err != nil {
		return st, fmt.Errorf("cases: escalation subject: %w", err)
	}
	return st, nil
}

// sendEscalation writes the step's message to its recipients: the case's
// people for a reminder (the supervisors when there are none), else the
// supervisors of the region. It returns how many messages it wrote and to
// whom it went.
func (s *Service) sendEscalation(ctx context.Context, tx *store.Tx, st dueStep) (int, string, error) {
	var recipients []string
	var err error
	target := st.target
	if target == targetAssignee && st.caseID != "" {
		if recipients, err = caseRecipients(ctx, tx, st.assignee, st.team, st.support); err != nil {
			return 0, "", err
		}
		if st.itemID != "" {
			who, err := itemPerson(ctx, tx, st.subject, st.itemID)
			if err != nil {
				return 0, "", err
			}
			if who != "" && !slices.Contains(recipients, who) {
				recipients = append([]string{who}, recipients...)
			}
		}
	}
	if len(recipients) == 0 {
		if recipients, err = supervisorsOf(ctx, tx, st.region); err != nil {
			return 0, "", err
		}
		target = targetSupervisors
	}
	village, err := regionName(ctx, tx, st.region)
	if err != nil {
		return 0, "", err
	}
	dueLocal := st.due.In(domain.ZoneFor(st.region)).Format("02-01 15:04 MST")
	key := "sms." + string(st.kind) + "." + target
	if now := tx.Now(); !now.Before(st.due) {
		key += ".late"
	}
	body := domain.FitSMS(village, func(v string) string {
		return i18n.T("id", key, domain.FormatPublicCode(st.code), v, dueLocal, st.code)
	})
	m := store.Message{Region: st.region, Body: body}
	if st.caseID != "" {
		m.CaseID = st.caseID
	} else {
		m.ReportID = st.subjectID
	}
	msgs := 0
	for _, uid := range recipients {
		m.Key, m.UserID = "esc:"+st.id+":"+uid, uid
		ok, err := tx.Enqueue(ctx, m)
		if err != nil {
			return 0, "", err
		}
		if ok {
			msgs++
		}
	}
	return msgs, target, nil
}

// caseRecipients are the lead and the active members of a case's teams.
func caseRecipients(ctx context.Context, tx *store.Tx, assignee, team, support sql.NullString) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	add(assignee.String)
	for _, t := range []sql.NullString{team, support} {
		if !t.Valid {
			continue
		}
		ids, err := store.Rows(ctx, tx, scanString, `SELECT m.user_id FROM team_members m JOIN users u ON u.id = m.user_id
			WHERE m.team_id = $1 AND u.disabled = $2 ORDER BY m.user_id`, t.String, false)
		if err != nil {
			return nil, fmt.Errorf("cases: recipients: %w", err)
		}
		for _, id := range ids {
			add(id)
		}
	}
	return out, nil
}

// supervisorsOf lists active supervisors whose region covers code.
func supervisorsOf(ctx context.Context, tx *store.Tx, code string) ([]string, error) {
	var args []any
	var ph []string
	for c := code; c != ""; c = domain.ParentRegionCode(c) {
		args = append(args, c)
		ph = append(ph, "$"+strconv.Itoa(len(args)))
	}
	args = append(args, string(domain.RoleSupervisor), false)
	n := len(args)
	out, err := store.Rows(ctx, tx, scanString, `SELECT id FROM users WHERE region_code IN (`+strings.Join(ph, ",")+`)
		AND role = $`+strconv.Itoa(n-1)+` AND disabled = $`+strconv.Itoa(n)+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("cases: supervisors: %w", err)
	}
	return out, nil
}

// scanString reads a one-column text row.
func scanString(rows *sql.Rows) (string, error) {
	var s string
	err := rows.Scan(&s)
	return s, err
}

// itemDetail names an item's clock in the audit detail.
func itemDetail(st dueStep) string {
	if st.itemID == "" {
		return ""
	}
	return " " + st.subject + "=" + st.itemID
}
