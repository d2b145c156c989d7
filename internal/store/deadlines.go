package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/i18n"
)

// SLARules returns the configured deadline rules, or the defaults.
func (s *Store) SLARules(ctx context.Context) ([]domain.SLARule, error) {
	return s.slaRules(ctx, s.r)
}

type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

func (s *Store) slaRules(ctx context.Context, q querier) ([]domain.SLARule, error) {
	rows, err := q.QueryContext(ctx, `SELECT priority, type, ack_minutes, response_minutes FROM sla_rules ORDER BY priority, type`)
	if err != nil {
		return nil, fmt.Errorf("store: sla rules: %w", err)
	}
	defer rows.Close()
	var out []domain.SLARule
	for rows.Next() {
		var r domain.SLARule
		if err := rows.Scan(&r.Priority, &r.Type, &r.AckMinutes, &r.ResponseMinutes); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		out = append(out, domain.DefaultSLA...)
	}
	return out, nil
}

// SetSLARule stores a deadline rule (replacing the same priority and type).
// Authorization: PermManageTeams.
func (s *Store) SetSLARule(ctx context.Context, sc domain.Scope, r domain.SLARule) error {
	if !sc.Can(domain.PermManageTeams) || !s.deploymentWide(sc) {
		return domain.Errorf(domain.EForbidden, "only a regency-level supervisor or administrator may change deadline rules")
	}
	f := map[string]string{}
	if !r.Priority.Valid() {
		f["priority"] = "high, medium or low"
	}
	if r.Type != "" && !r.Type.Valid() {
		f["type"] = "unknown type"
	}
	if r.AckMinutes < 1 || r.AckMinutes > 7*24*60 {
		f["ack_minutes"] = "1 minute to 7 days"
	}
	if r.ResponseMinutes < r.AckMinutes || r.ResponseMinutes > 30*24*60 {
		f["response_minutes"] = "at least the acknowledgement time, at most 30 days"
	}
	if len(f) > 0 {
		return domain.Invalid("please correct the marked fields", f)
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		// The first change turns the defaults into stored rules.
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sla_rules`).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			for _, d := range domain.DefaultSLA {
				if _, err := tx.ExecContext(ctx, `INSERT INTO sla_rules (priority, type, ack_minutes, response_minutes) VALUES ($1,$2,$3,$4)`,
					string(d.Priority), string(d.Type), d.AckMinutes, d.ResponseMinutes); err != nil {
					return fmt.Errorf("store: sla rules: %w", err)
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sla_rules (priority, type, ack_minutes, response_minutes) VALUES ($1,$2,$3,$4)
			ON CONFLICT (priority, type) DO UPDATE SET ack_minutes = excluded.ack_minutes, response_minutes = excluded.response_minutes`,
			string(r.Priority), string(r.Type), r.AckMinutes, r.ResponseMinutes); err != nil {
			return fmt.Errorf("store: set sla rule: %w", err)
		}
		return s.audit(ctx, tx, sc, "sla.set", "sla_rule", string(r.Priority)+"/"+string(r.Type), sc.RegionCode,
			fmt.Sprintf("ack=%d response=%d", r.AckMinutes, r.ResponseMinutes))
	})
}

// slaFor picks the strictest rule for a priority among the rules for any
// type and for the case's types.
func slaFor(rules []domain.SLARule, p domain.Priority, types []domain.ViolenceType) (ack, resp time.Duration) {
	has := map[domain.ViolenceType]bool{}
	for _, t := range types {
		has[t] = true
	}
	for _, r := range rules {
		if r.Priority != p || (r.Type != "" && !has[r.Type]) {
			continue
		}
		a, rs := time.Duration(r.AckMinutes)*time.Minute, time.Duration(r.ResponseMinutes)*time.Minute
		if ack == 0 || a < ack {
			ack = a
		}
		if resp == 0 || rs < resp {
			resp = rs
		}
	}
	if ack == 0 {
		ack, resp = time.Hour, 24*time.Hour
	}
	return ack, resp
}

// addCaseDeadlines stores a case's clocks, counted from the report time.
func (s *Store) addCaseDeadlines(ctx context.Context, tx *sql.Tx, caseID string, reported time.Time, p domain.Priority, types []domain.ViolenceType) error {
	rules, err := s.slaRules(ctx, tx)
	if err != nil {
		return err
	}
	ack, resp := slaFor(rules, p, types)
	if err := s.addDeadline(ctx, tx, "case", caseID, domain.DeadlineAck, reported, reported.Add(ack)); err != nil {
		return err
	}
	if err := s.addDeadline(ctx, tx, "case", caseID, domain.DeadlineResponse, reported, reported.Add(resp)); err != nil {
		return err
	}
	for _, t := range types {
		if t == domain.VSexual {
			if err := s.addDeadline(ctx, tx, "case", caseID, domain.DeadlinePolice, reported, reported.Add(domain.PoliceReportWindow)); err != nil {
				return err
			}
		}
	}
	return s.recomputeNextDue(ctx, tx, caseID)
}

// escalation targets
const (
	targetAssignee    = "assignee"
	targetSupervisors = "supervisors"
)

// addDeadline stores a clock and its escalation steps: a reminder to the
// people assigned before the deadline, then the supervisors at the breach.
func (s *Store) addDeadline(ctx context.Context, tx *sql.Tx, subject, subjectID string, kind domain.DeadlineKind, start, due time.Time) error {
	id := newID(s.utc())
	if _, err := tx.ExecContext(ctx, `INSERT INTO deadlines (id, subject_type, subject_id, kind, due_at) VALUES ($1,$2,$3,$4,$5)
		ON CONFLICT (subject_type, subject_id, kind) DO NOTHING`, id, subject, subjectID, string(kind), due); err != nil {
		return fmt.Errorf("store: add deadline: %w", err)
	}
	window := due.Sub(start)
	type step struct {
		at     time.Time
		target string
	}
	var steps []step
	switch kind {
	case domain.DeadlineTriage:
		steps = []step{{due, targetSupervisors}}
	case domain.DeadlineAck:
		steps = []step{{start.Add(window / 2), targetAssignee}, {due, targetSupervisors}}
	case domain.DeadlineResponse:
		steps = []step{{due.Add(-window / 4), targetAssignee}, {due, targetSupervisors}}
	case domain.DeadlinePolice:
		steps = []step{{due.Add(-24 * time.Hour), targetAssignee}, {due, targetSupervisors}}
	}
	for i, st := range steps {
		if st.at.Before(start) {
			st.at = start
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO escalations (id, deadline_id, step, target, fire_at)
			SELECT $1, id, $2, $3, $4 FROM deadlines WHERE subject_type = $5 AND subject_id = $6 AND kind = $7
			ON CONFLICT (deadline_id, step) DO NOTHING`, newID(s.utc()), i+1, st.target, st.at, subject, subjectID, string(kind)); err != nil {
			return fmt.Errorf("store: add escalation: %w", err)
		}
	}
	return nil
}

// meetDeadline marks a clock as met (once).
func (s *Store) meetDeadline(ctx context.Context, tx *sql.Tx, subject, id string, kind domain.DeadlineKind, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE deadlines SET met_at = $1 WHERE subject_type = $2 AND subject_id = $3 AND kind = $4
		AND met_at IS NULL`, at, subject, id, string(kind)); err != nil {
		return fmt.Errorf("store: meet deadline: %w", err)
	}
	if subject == "case" {
		return s.recomputeNextDue(ctx, tx, id)
	}
	return nil
}

// recomputeNextDue stores the earliest unmet clock of an open case, which
// the inbox sorts and filters by.
func (s *Store) recomputeNextDue(ctx context.Context, tx *sql.Tx, caseID string) error {
	var due sql.NullTime
	var kind sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT d.due_at, d.kind FROM deadlines d JOIN cases c ON c.id = d.subject_id
		WHERE d.subject_type = 'case' AND d.subject_id = $1 AND d.met_at IS NULL AND c.status <> 'closed'
		ORDER BY d.due_at LIMIT 1`, caseID).Scan(&due, &kind)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: next due: %w", err)
	}
	var d any
	if due.Valid {
		d = due.Time
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET next_due_at = $1, next_due_kind = $2 WHERE id = $3`, d, kind.String, caseID); err != nil {
		return fmt.Errorf("store: next due: %w", err)
	}
	return nil
}

// EscalationResult counts what one run of the escalator did.
type EscalationResult struct {
	Fired, Skipped, Messages int
}

// RunEscalations fires every escalation step that is due: each exactly
// once, even with several lindu instances running it at the same moment
// (the step is claimed by a conditional UPDATE in the same transaction that
// writes its messages to the outbox). Steps whose clock was met, or whose
// case was closed, are marked skipped.
func (s *Store) RunEscalations(ctx context.Context, instance string, limit int) (EscalationResult, error) {
	var res EscalationResult
	now := s.utc()
	rows, err := s.w.QueryContext(ctx, `SELECT e.id FROM escalations e WHERE e.fired_at IS NULL AND e.fire_at <= $1
		ORDER BY e.fire_at LIMIT `+strconv.Itoa(max(limit, 1)), now)
	if err != nil {
		return res, fmt.Errorf("store: due escalations: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return res, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, err
	}
	for _, id := range ids {
		err := s.tx(ctx, func(tx *sql.Tx) error {
			fired, skipped, msgs, err := s.fireEscalation(ctx, tx, id, instance)
			if err != nil {
				return err
			}
			if fired {
				res.Fired++
			}
			if skipped {
				res.Skipped++
			}
			res.Messages += msgs
			return nil
		})
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

func (s *Store) fireEscalation(ctx context.Context, tx *sql.Tx, id, instance string) (fired, skipped bool, msgs int, err error) {
	now := s.utc()
	var step int
	var target, subject, subjectID string
	var kind domain.DeadlineKind
	var due time.Time
	var met sql.NullTime
	err = tx.QueryRowContext(ctx, `SELECT e.step, e.target, d.subject_type, d.subject_id, d.kind, d.due_at, d.met_at
		FROM escalations e JOIN deadlines d ON d.id = e.deadline_id WHERE e.id = $1`, id).
		Scan(&step, &target, &subject, &subjectID, &kind, &due, &met)
	if err != nil {
		return false, false, 0, fmt.Errorf("store: escalation: %w", err)
	}
	// Decide first, then claim: the claim is what makes it exactly once.
	outcome := "sent"
	var region, code, status string
	var assignee, team, support sql.NullString
	if subject == "case" {
		err = tx.QueryRowContext(ctx, `SELECT region_code, code, status, assignee_id, team_id, support_team_id FROM cases WHERE id = $1`, subjectID).
			Scan(&region, &code, &status, &assignee, &team, &support)
	} else {
		err = tx.QueryRowContext(ctx, `SELECT region_code, code, status FROM reports WHERE id = $1`, subjectID).Scan(&region, &code, &status)
	}
	if err != nil {
		return false, false, 0, fmt.Errorf("store: escalation subject: %w", err)
	}
	if met.Valid || status == string(domain.StatusClosed) || (subject == "report" && status != string(domain.ReportNew)) {
		outcome = "skipped"
	}
	res, err := tx.ExecContext(ctx, `UPDATE escalations SET fired_at = $1, fired_by = $2, outcome = $3 WHERE id = $4 AND fired_at IS NULL`,
		now, instance, outcome, id)
	if err != nil {
		return false, false, 0, fmt.Errorf("store: claim escalation: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return false, false, 0, nil // another instance fired it
	}
	if outcome == "skipped" {
		return false, true, 0, nil
	}
	var recipients []string
	if target == targetAssignee && subject == "case" {
		recipients, err = caseRecipients(ctx, tx, assignee, team, support)
		if err != nil {
			return false, false, 0, err
		}
	}
	if len(recipients) == 0 {
		recipients, err = supervisorsOf(ctx, tx, region)
		if err != nil {
			return false, false, 0, err
		}
		target = targetSupervisors
	}
	village := regionName(ctx, tx, region)
	dueLocal := due.In(domain.ZoneFor(region)).Format("02-01 15:04 MST")
	key := "sms." + string(kind) + "." + target
	if now.After(due) || now.Equal(due) {
		key += ".late"
	}
	body := i18n.T("id", key, domain.FormatPublicCode(code), village, dueLocal, code)
	for _, uid := range recipients {
		ok, err := s.enqueue(ctx, tx, outboxItem{key: "esc:" + id + ":" + uid, userID: uid, region: region, body: body,
			caseID: caseIf(subject, subjectID), reportID: reportIf(subject, subjectID)})
		if err != nil {
			return false, false, 0, err
		}
		if ok {
			msgs++
		}
	}
	sys := access.System("escalation")
	if subject == "case" {
		if err := s.caseEvent(ctx, tx, sys, subjectID, "escalation", domain.CaseStatus(status), domain.CaseStatus(status),
			fmt.Sprintf("%s %s: %d", kind, target, msgs)); err != nil {
			return false, false, 0, err
		}
	}
	if err := s.audit(ctx, tx, sys, "escalation.fire", subject, subjectID, region, fmt.Sprintf("kind=%s step=%d target=%s messages=%d", kind, step, target, msgs)); err != nil {
		return false, false, 0, err
	}
	return true, false, msgs, nil
}

func caseIf(subject, id string) string {
	if subject == "case" {
		return id
	}
	return ""
}

func reportIf(subject, id string) string {
	if subject == "report" {
		return id
	}
	return ""
}

// caseRecipients are the lead and the members of a case's teams.
func caseRecipients(ctx context.Context, tx *sql.Tx, assignee, team, support sql.NullString) ([]string, error) {
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
		rows, err := tx.QueryContext(ctx, `SELECT m.user_id FROM team_members m JOIN users u ON u.id = m.user_id
			WHERE m.team_id = $1 AND u.disabled = $2 ORDER BY m.user_id`, t.String, false)
		if err != nil {
			return nil, fmt.Errorf("store: recipients: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			add(id)
		}
		rows.Close()
	}
	return out, nil
}

// supervisorsOf lists active supervisors whose region covers code.
func supervisorsOf(ctx context.Context, tx *sql.Tx, code string) ([]string, error) {
	var prefixes []any
	var ph []string
	for c := code; c != ""; c = domain.ParentRegionCode(c) {
		prefixes = append(prefixes, c)
		ph = append(ph, "$"+strconv.Itoa(len(prefixes)))
	}
	prefixes = append(prefixes, string(domain.RoleSupervisor), false)
	n := len(prefixes)
	rows, err := tx.QueryContext(ctx, `SELECT id FROM users WHERE region_code IN (`+strings.Join(ph, ",")+`)
		AND role = $`+strconv.Itoa(n-1)+` AND disabled = $`+strconv.Itoa(n)+` ORDER BY id`, prefixes...)
	if err != nil {
		return nil, fmt.Errorf("store: supervisors: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func regionName(ctx context.Context, tx *sql.Tx, code string) string {
	var n string
	tx.QueryRowContext(ctx, `SELECT name FROM regions WHERE code = $1`, code).Scan(&n)
	return n
}
