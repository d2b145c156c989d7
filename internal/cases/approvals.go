package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/i18n"
	"lindu/internal/store"
)

// Approvals (persetujuan): a worker asks a supervisor to approve the case
// plan, the closing of the case or its reopening; the supervisor approves
// or returns it with a comment. Which steps need approval, and whether a
// supervisor may approve their own request, are the office's rules
// (casework.go). Everything is in the timeline and the audit log.

// SubmitPlan sends an open case's plan (with at least one action) for
// approval; when the rules need none it is approved at once. Authorization:
// PermWorkCases on a case sc handles.
func (s *Service) SubmitPlan(ctx context.Context, sc domain.Scope, caseID, note string) (domain.PlanStatus, error) {
	var out domain.PlanStatus
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		lc, err := s.beginWork(ctx, tx, sc, caseID)
		if err != nil {
			return err
		}
		p, err := planOf(ctx, tx, sc, caseID, false)
		if err != nil {
			return err
		}
		if p.status != domain.PlanDraft && p.status != domain.PlanReturned {
			return domain.E(domain.EConflict, "plan.err.not_draft")
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_plan_actions WHERE plan_id = $1 AND status <> $2`, p.id,
			string(domain.ActionCancelled)).Scan(&n); err != nil {
			return fmt.Errorf("cases: submit plan: %w", err)
		}
		if n == 0 {
			return domain.E(domain.EConflict, "plan.err.no_actions")
		}
		rules, err := readRules(ctx, tx)
		if err != nil {
			return err
		}
		now := tx.Now()
		if !rules.Approve[domain.ApprovePlan] {
			out = domain.PlanApproved
			if _, err := tx.ExecContext(ctx, `UPDATE case_plans SET status = $1, submitted_at = $2, approved_at = $2, updated_at = $2,
				version = version + 1 WHERE id = $3`, string(out), now, p.id); err != nil {
				return fmt.Errorf("cases: submit plan: %w", err)
			}
			if err := s.caseEvent(ctx, tx, sc, caseID, "plan_approved", lc.status, lc.status, note); err != nil {
				return err
			}
			return tx.Audit(ctx, sc, "case.plan.submit", "case", caseID, lc.region, "plan="+p.id+" approved=rule")
		}
		out = domain.PlanSubmitted
		if _, err := tx.ExecContext(ctx, `UPDATE case_plans SET status = $1, submitted_at = $2, updated_at = $2, version = version + 1
			WHERE id = $3`, string(out), now, p.id); err != nil {
			return fmt.Errorf("cases: submit plan: %w", err)
		}
		_, err = s.requestApproval(ctx, tx, sc, lc, caseID, domain.ApprovePlan, p.id, note, false)
		return err
	})
	return out, err
}

// RequestClosure asks for an open case to be closed, with the reason
// (which becomes the closing note). When the rules need no approval, or
// the caller manages cases and is not the case's lead (their decision is
// the approval), the case is closed at once; otherwise a supervisor
// decides. Authorization: PermWorkCases on a case sc handles.
func (s *Service) RequestClosure(ctx context.Context, sc domain.Scope, caseID, note string) (closed bool, err error) {
	note = strings.TrimSpace(note)
	if note == "" {
		return false, domain.InvalidFields(domain.FieldErrors{"note": domain.M("approval.field.close_note")})
	}
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		lc, err := s.beginWork(ctx, tx, sc, caseID)
		if err != nil {
			return err
		}
		t := domain.Transition{To: domain.StatusClosed, Note: note}
		if err := domain.CheckTransition(lc.status, t, lc.assignee.Valid || lc.team.Valid, lc.responded); err != nil {
			return err
		}
		rules, err := readRules(ctx, tx)
		if err != nil {
			return err
		}
		if !closureNeedsApproval(rules, sc, lc) {
			closed = true
			return s.applyTransition(ctx, tx, sc, caseID, lc, t)
		}
		_, err = s.requestApproval(ctx, tx, sc, lc, caseID, domain.ApproveClosure, "", note, false)
		return err
	})
	return closed, err
}

// closureNeedsApproval: closing a case whose child was reached needs a
// supervisor's approval when the rules say so, unless the closer manages
// cases and is not the case's lead (or may approve their own).
func closureNeedsApproval(rules domain.CaseworkRules, sc domain.Scope, lc lockedCase) bool {
	if !rules.Approve[domain.ApproveClosure] || !lc.responded || sc.System {
		return false
	}
	if !sc.Can(domain.PermManageCases) {
		return true
	}
	return lc.assignee.String == sc.UserID && !rules.SelfApproval
}

// RequestReopen asks for a closed case to be reopened, with a reason, by
// someone who handled it; reachAgain says the child must be reached again
// (new clocks per the rules). When the rules need no approval, or the
// caller manages cases and is not the case's lead, it is reopened at once.
// Authorization: PermWorkCases on a case sc handled (its lead, a member of
// its teams, a case manager of the region).
func (s *Service) RequestReopen(ctx context.Context, sc domain.Scope, caseID, reason string, reachAgain bool) (reopened bool, err error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return false, domain.InvalidFields(domain.FieldErrors{"note": domain.M("approval.field.reopen_note")})
	}
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		lc, err := s.lockHandled(ctx, tx, sc, caseID)
		if err != nil {
			return err
		}
		if lc.status != domain.StatusClosed {
			return domain.E(domain.EConflict, "approval.err.not_closed")
		}
		rules, err := readRules(ctx, tx)
		if err != nil {
			return err
		}
		need := rules.Approve[domain.ApproveReopen] && !sc.System &&
			(!sc.Can(domain.PermManageCases) || (lc.assignee.String == sc.UserID && !rules.SelfApproval))
		if !need {
			reopened = true
			return s.applyReopen(ctx, tx, sc, caseID, lc, reachAgain, reason, rules)
		}
		_, err = s.requestApproval(ctx, tx, sc, lc, caseID, domain.ApproveReopen, "", reason, reachAgain)
		return err
	})
	return reopened, err
}

// requestApproval stores a pending request (one of a kind per case at a
// time) with the timeline and audit entries.
func (s *Service) requestApproval(ctx context.Context, tx *store.Tx, sc domain.Scope, lc lockedCase, caseID string,
	kind domain.ApprovalKind, subject, note string, reachAgain bool) (string, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_approvals WHERE case_id = $1 AND kind = $2 AND status = $3`,
		caseID, string(kind), string(domain.ApprovalPending)).Scan(&n); err != nil {
		return "", fmt.Errorf("cases: approval: %w", err)
	}
	if n > 0 {
		return "", domain.E(domain.EConflict, "approval.err.pending")
	}
	enc, err := s.st.Seal(store.FieldApprovalNote, strings.TrimSpace(note))
	if err != nil {
		return "", err
	}
	id := tx.NewID()
	if _, err := tx.ExecContext(ctx, `INSERT INTO case_approvals (id, case_id, kind, subject_id, status, requested_by, requester, requested_at,
		note_enc, reach_again) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`, id, caseID, string(kind), subject, string(domain.ApprovalPending),
		sc.UserID, sc.Actor(), tx.Now(), enc, reachAgain); err != nil {
		return "", fmt.Errorf("cases: approval: %w", err)
	}
	if err := touchCase(ctx, tx, caseID); err != nil {
		return "", err
	}
	if err := s.caseEvent(ctx, tx, sc, caseID, "approval_requested_"+string(kind), lc.status, lc.status, note); err != nil {
		return "", err
	}
	if err := notifyRequest(ctx, tx, sc, id, kind, lc, caseID); err != nil {
		return "", err
	}
	return id, tx.Audit(ctx, sc, "case.approval.request", "case", caseID, lc.region, "approval="+id+" kind="+string(kind))
}

// lockedApproval is a request read inside a decision.
type lockedApproval struct {
	caseID, kind, subject, status, requestedBy, note string
	reachAgain                                       bool
}

// lockApproval reads a request whose case sc can see (else not found).
func (s *Service) lockApproval(ctx context.Context, tx *store.Tx, id string) (lockedApproval, error) {
	var a lockedApproval
	err := tx.QueryRowContext(ctx, `SELECT case_id, kind, subject_id, status, requested_by, note_enc, reach_again FROM case_approvals WHERE id = $1`, id).
		Scan(&a.caseID, &a.kind, &a.subject, &a.status, &a.requestedBy, &a.note, &a.reachAgain)
	if errors.Is(err, sql.ErrNoRows) {
		return a, domain.NotFound("approval")
	}
	if err != nil {
		return a, fmt.Errorf("cases: approval: %w", err)
	}
	if a.note, err = s.st.Open(store.FieldApprovalNote, a.note); err != nil {
		return a, err
	}
	return a, nil
}

// DecideApproval approves or returns (with a comment) a pending request.
// Approving a plan makes its actions actionable; approving a closure closes
// the case with the request's reason; approving a reopening reopens it.
// A supervisor may not decide their own request unless the rules allow it.
// Authorization: PermManageCases on the request's case (else not found).
func (s *Service) DecideApproval(ctx context.Context, sc domain.Scope, approvalID string, approve bool, comment string) error {
	comment = strings.TrimSpace(comment)
	if !approve && comment == "" {
		return domain.InvalidFields(domain.FieldErrors{"comment": domain.M("approval.field.comment")})
	}
	if !sc.Can(domain.PermManageCases) {
		return domain.NotFound("approval")
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		a, err := s.lockApproval(ctx, tx, approvalID)
		if err != nil {
			return err
		}
		lc, err := s.lockCase(ctx, tx, sc, a.caseID)
		if domain.IsNotFound(err) {
			return domain.NotFound("approval")
		}
		if err != nil {
			return err
		}
		if a.status != string(domain.ApprovalPending) {
			return domain.E(domain.EConflict, "approval.err.decided")
		}
		rules, err := readRules(ctx, tx)
		if err != nil {
			return err
		}
		if a.requestedBy == sc.UserID && !rules.SelfApproval && !sc.System {
			return domain.E(domain.EForbidden, "approval.err.self")
		}
		status := domain.ApprovalReturned
		if approve {
			status = domain.ApprovalApproved
		}
		enc, err := s.st.Seal(store.FieldApprovalComment, comment)
		if err != nil {
			return err
		}
		now := tx.Now()
		res, err := tx.ExecContext(ctx, `UPDATE case_approvals SET status = $1, decided_by = $2, decider = $3, decided_at = $4, comment_enc = $5
			WHERE id = $6 AND status = $7`, string(status), sc.UserID, sc.Actor(), now, enc, approvalID, string(domain.ApprovalPending))
		if err != nil {
			return fmt.Errorf("cases: decide approval: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return domain.E(domain.EConflict, "approval.err.decided")
		}
		if err := s.caseEvent(ctx, tx, sc, a.caseID, "approval_"+string(status)+"_"+a.kind, lc.status, lc.status, comment); err != nil {
			return err
		}
		if err := tx.Audit(ctx, sc, "case.approval.decide", "case", a.caseID, lc.region,
			"approval="+approvalID+" kind="+a.kind+" decision="+string(status)); err != nil {
			return err
		}
		if err := notifyDecision(ctx, tx, approvalID, a, lc, status); err != nil {
			return err
		}
		switch domain.ApprovalKind(a.kind) {
		case domain.ApprovePlan:
			ps, approvedAt := domain.PlanReturned, any(nil)
			if approve {
				ps, approvedAt = domain.PlanApproved, now
			}
			if _, err := tx.ExecContext(ctx, `UPDATE case_plans SET status = $1, approved_at = $2, updated_at = $3, version = version + 1
				WHERE id = $4 AND status = $5`, string(ps), approvedAt, now, a.subject, string(domain.PlanSubmitted)); err != nil {
				return fmt.Errorf("cases: decide approval: %w", err)
			}
			return touchCase(ctx, tx, a.caseID)
		case domain.ApproveClosure:
			if !approve {
				return touchCase(ctx, tx, a.caseID)
			}
			t := domain.Transition{To: domain.StatusClosed, Note: a.note}
			if err := domain.CheckTransition(lc.status, t, lc.assignee.Valid || lc.team.Valid, lc.responded); err != nil {
				return err
			}
			return s.applyTransition(ctx, tx, sc, a.caseID, lc, t)
		case domain.ApproveReopen:
			if !approve {
				return touchCase(ctx, tx, a.caseID)
			}
			if lc.status != domain.StatusClosed {
				return domain.E(domain.EConflict, "approval.err.not_closed")
			}
			return s.applyReopen(ctx, tx, sc, a.caseID, lc, a.reachAgain, a.note, rules)
		}
		return nil
	})
}

// WithdrawApproval takes back one's own pending request (a submitted plan
// goes back to draft). Authorization: the requester, on a case they can see.
func (s *Service) WithdrawApproval(ctx context.Context, sc domain.Scope, approvalID string) error {
	if !sc.Can(domain.PermWorkCases) {
		return domain.NotFound("approval")
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		a, err := s.lockApproval(ctx, tx, approvalID)
		if err != nil {
			return err
		}
		lc, err := s.lockCase(ctx, tx, sc, a.caseID)
		if domain.IsNotFound(err) || (err == nil && a.requestedBy != sc.UserID) {
			return domain.NotFound("approval")
		}
		if err != nil {
			return err
		}
		if a.status != string(domain.ApprovalPending) {
			return domain.E(domain.EConflict, "approval.err.decided")
		}
		now := tx.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE case_approvals SET status = $1, decided_by = $2, decider = $3, decided_at = $4 WHERE id = $5`,
			string(domain.ApprovalWithdrawn), sc.UserID, sc.Actor(), now, approvalID); err != nil {
			return fmt.Errorf("cases: withdraw approval: %w", err)
		}
		if a.kind == string(domain.ApprovePlan) {
			if _, err := tx.ExecContext(ctx, `UPDATE case_plans SET status = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND status = $4`,
				string(domain.PlanDraft), now, a.subject, string(domain.PlanSubmitted)); err != nil {
				return fmt.Errorf("cases: withdraw approval: %w", err)
			}
		}
		if err := touchCase(ctx, tx, a.caseID); err != nil {
			return err
		}
		if err := s.caseEvent(ctx, tx, sc, a.caseID, "approval_withdrawn_"+a.kind, lc.status, lc.status, ""); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "case.approval.withdraw", "case", a.caseID, lc.region, "approval="+approvalID+" kind="+a.kind)
	})
}

// notifyRequest tells the supervisors of the case's region (not the
// requester) that a request waits for them: the case code and village, no
// personal data.
func notifyRequest(ctx context.Context, tx *store.Tx, sc domain.Scope, id string, kind domain.ApprovalKind, lc lockedCase, caseID string) error {
	sups, err := supervisorsOf(ctx, tx, lc.region)
	if err != nil {
		return err
	}
	village, err := regionName(ctx, tx, lc.region)
	if err != nil {
		return err
	}
	body := domain.FitSMS(village, func(v string) string {
		return i18n.T("id", "sms.approval."+string(kind)+".asked", domain.FormatPublicCode(lc.code), v)
	})
	for _, uid := range sups {
		if uid == sc.UserID {
			continue
		}
		if _, err := tx.Enqueue(ctx, store.Message{Key: "approval:" + id + ":asked:" + uid, UserID: uid, Region: lc.region, Body: body,
			CaseID: caseID}); err != nil {
			return err
		}
	}
	return nil
}

// notifyDecision tells the requester the decision (case code and village,
// no personal data).
func notifyDecision(ctx context.Context, tx *store.Tx, id string, a lockedApproval, lc lockedCase, status domain.ApprovalStatus) error {
	if a.requestedBy == "" {
		return nil
	}
	village, err := regionName(ctx, tx, lc.region)
	if err != nil {
		return err
	}
	body := domain.FitSMS(village, func(v string) string {
		return i18n.T("id", "sms.approval."+a.kind+"."+string(status), domain.FormatPublicCode(lc.code), v)
	})
	_, err = tx.Enqueue(ctx, store.Message{Key: "approval:" + id + ":" + string(status), UserID: a.requestedBy, Region: lc.region,
		Body: body, CaseID: a.caseID})
	return err
}

// applyReopen reopens a closed case inside tx. When its child must be
// reached again (always when it never was), the clocks the rules name for
// its types restart from now and it goes back to assigned (or verified
// when nobody is assigned): TERIMA and TIBA apply again. Otherwise it is in
// service again with its clocks as they were.
func (s *Service) applyReopen(ctx context.Context, tx *store.Tx, sc domain.Scope, id string, lc lockedCase, reachAgain bool, reason string,
	rules domain.CaseworkRules) error {
	now := tx.Now()
	types, err := caseTypes(ctx, tx, id)
	if err != nil {
		return err
	}
	policy := rules.ReopenPolicy(types)
	if !lc.responded {
		reachAgain = true
	}
	to := domain.StatusInService
	if reachAgain {
		to = domain.StatusVerified
		if lc.assignee.Valid || lc.team.Valid {
			to = domain.StatusAssigned
		}
	}
	res, err := tx.ExecContext(ctx, `UPDATE cases SET status = $1, closed_at = NULL, updated_at = $2, version = version + 1,
		acknowledged_at = CASE WHEN $3 THEN NULL ELSE acknowledged_at END, responded_at = CASE WHEN $3 THEN NULL ELSE responded_at END
		WHERE id = $4 AND status = $5`, string(to), now, reachAgain, id, string(domain.StatusClosed))
	if err != nil {
		return fmt.Errorf("cases: reopen: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return domain.E(domain.EConflict, "case.err.changed")
	}
	if reachAgain && policy != domain.ReopenNone {
		kinds := []string{"'ack'", "'response'"}
		if policy == domain.ReopenAll {
			kinds = append(kinds, "'police'")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM deadlines WHERE subject_type = 'case' AND subject_id = $1 AND kind IN (`+
			strings.Join(kinds, ",")+`)`, id); err != nil {
			return fmt.Errorf("cases: reopen: %w", err)
		}
		var prio string
		if err := tx.QueryRowContext(ctx, `SELECT priority FROM cases WHERE id = $1`, id).Scan(&prio); err != nil {
			return fmt.Errorf("cases: reopen: %w", err)
		}
		if err := addCaseDeadlines(ctx, tx, id, now, domain.Priority(prio), types); err != nil {
			return err
		}
	}
	if err := recomputeNextDue(ctx, tx, id); err != nil {
		return err
	}
	if err := s.caseEvent(ctx, tx, sc, id, "reopened", lc.status, to, reason); err != nil {
		return err
	}
	if to == domain.StatusAssigned {
		if err := notifyAssignment(ctx, tx, id); err != nil {
			return err
		}
	}
	return tx.Audit(ctx, sc, "case.reopen", "case", id, lc.region,
		"to="+string(to)+" reach_again="+strconv.FormatBool(reachAgain)+" clocks="+policy)
}

// ApprovalFilter selects requests.
type ApprovalFilter struct {
	Status domain.ApprovalStatus // "" = any
	Kind   domain.ApprovalKind   // "" = any
	Limit  int
}

// ListApprovals lists requests in sc's region, newest first: a case
// manager sees every request of the cases they can see, anyone else only
// their own. Notes and comments only for a manager or the requester.
// Authorization: PermWorkCases.
func (s *Service) ListApprovals(ctx context.Context, sc domain.Scope, f ApprovalFilter) ([]domain.Approval, error) {
	if !sc.Can(domain.PermWorkCases) {
		return nil, nil
	}
	where, args := caseScope(sc, "c", 1)
	conds := []string{where}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if !sc.Can(domain.PermManageCases) {
		add("a.requested_by = ?", sc.UserID)
	}
	if f.Status != "" {
		add("a.status = ?", string(f.Status))
	}
	if f.Kind != "" {
		add("a.kind = ?", string(f.Kind))
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	var masked bool
	return s.readApprovals(ctx, sc, strings.Join(conds, " AND "), args, "a.requested_at", limit, &masked)
}

// PendingApprovals counts the requests waiting for sc's decision (a case
// manager: every pending request of their cases not their own, unless the
// rules allow self-approval). Authorization: anyone; 0 without
// PermManageCases.
func (s *Service) PendingApprovals(ctx context.Context, sc domain.Scope) (int, error) {
	if !sc.Can(domain.PermManageCases) {
		return 0, nil
	}
	// One round trip: the count of every pending request, the count of
	// those someone else asked for, and the rules that say which of the
	// two a supervisor may decide (self-approval). Read one after the
	// other they were two statements of every inbox view.
	where, args := caseScope(sc, "c", 1)
	args = append(args, string(domain.ApprovalPending), sc.UserID, caseworkSetting)
	n := len(args)
	q := `SELECT COUNT(*), COALESCE(SUM(CASE WHEN a.requested_by <> $` + strconv.Itoa(n-1) + ` THEN 1 ELSE 0 END), 0),
		(SELECT value FROM settings WHERE key = $` + strconv.Itoa(n) + `)
		FROM case_approvals a JOIN cases c ON c.id = a.case_id WHERE ` + where + ` AND a.status = $` + strconv.Itoa(n-2)
	var all, others int
	var stored sql.NullString
	if err := s.st.QueryRowContext(ctx, q, args...).Scan(&all, &others, &stored); err != nil {
		return 0, fmt.Errorf("cases: pending approvals: %w", err)
	}
	rules, err := parseRules(stored.String)
	if err != nil {
		return 0, err
	}
	if rules.SelfApproval {
		return all, nil
	}
	return others, nil
}

// readApprovals reads requests matching where (over case_approvals a
// joined with cases c).
func (s *Service) readApprovals(ctx context.Context, sc domain.Scope, where string, args []any, order string, limit int, masked *bool) ([]domain.Approval, error) {
	type row struct {
		a             domain.Approval
		note, comment string
		decided       sql.NullTime
		by            string
	}
	rows, err := store.Rows(ctx, s.st, func(r *sql.Rows) (row, error) {
		var x row
		err := r.Scan(&x.a.ID, &x.a.CaseID, &x.a.CaseCode, &x.a.RegionCode, &x.a.RegionName, &x.a.Kind, &x.a.Status, &x.by, &x.a.RequestedBy,
			&x.a.RequestedAt, &x.note, &x.a.ReachAgain, &x.a.DecidedBy, &x.decided, &x.comment)
		return x, err
	}, `SELECT a.id, a.case_id, c.code, c.region_code, COALESCE(r.name, ''), a.kind, a.status, a.requested_by, a.requester, a.requested_at,
		a.note_enc, a.reach_again, a.decider, a.decided_at, a.comment_enc
		FROM case_approvals a JOIN cases c ON c.id = a.case_id LEFT JOIN regions r ON r.code = c.region_code
		WHERE `+where+` ORDER BY `+order+` LIMIT `+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, fmt.Errorf("cases: approvals: %w", err)
	}
	out := make([]domain.Approval, 0, len(rows))
	for _, x := range rows {
		a := x.a
		a.RequestedAt, a.DecidedAt, a.Mine = a.RequestedAt.UTC(), ptrTime(x.decided), x.by == sc.UserID && sc.UserID != ""
		rsc := sc
		if !sc.Can(domain.PermManageCases) && !a.Mine {
			rsc = withoutPersonal(sc)
		}
		if a.Note, err = s.st.Reveal(rsc, store.FieldApprovalNote, x.note, masked); err != nil {
			return nil, err
		}
		if a.Comment, err = s.st.Reveal(rsc, store.FieldApprovalComment, x.comment, masked); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}
