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

// The case plan (rencana penanganan): goals and actions, each with who is
// responsible, a due date and a status. When the office's rules say so the
// plan is approved by a supervisor before its actions are carried out; a
// change to an approved plan sends it back for approval. Each action's due
// date is a clock that escalates once when it passes (followups.go).

// lockedPlan is a case's plan read inside a change.
type lockedPlan struct {
	id       string
	status   domain.PlanStatus
	revision int
}

// planOf reads (and, with create, starts) a case's plan inside tx.
func planOf(ctx context.Context, tx *store.Tx, sc domain.Scope, caseID string, create bool) (lockedPlan, error) {
	var p lockedPlan
	err := tx.QueryRowContext(ctx, `SELECT id, status, revision FROM case_plans WHERE case_id = $1`, caseID).Scan(&p.id, &p.status, &p.revision)
	if errors.Is(err, sql.ErrNoRows) {
		if !create {
			return p, domain.E(domain.EConflict, "plan.err.no_plan")
		}
		now := tx.Now()
		p = lockedPlan{id: tx.NewID(), status: domain.PlanDraft, revision: 1}
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_plans (id, case_id, status, revision, created_by, created_at, updated_at)
			VALUES ($1,$2,$3,1,$4,$5,$5)`, p.id, caseID, string(p.status), sc.UserID, now); err != nil {
			return p, fmt.Errorf("cases: plan: %w", err)
		}
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("cases: plan: %w", err)
	}
	return p, nil
}

// changePlan is called before the plan's content changes: a submitted plan
// waits for its decision (withdraw the request first); an approved plan
// that needs approval goes back to draft (the next revision).
func changePlan(ctx context.Context, tx *store.Tx, p *lockedPlan, rules domain.CaseworkRules) error {
	switch p.status {
	case domain.PlanSubmitted:
		return domain.E(domain.EConflict, "plan.err.submitted")
	case domain.PlanApproved:
		if !rules.Approve[domain.ApprovePlan] {
			break
		}
		p.status, p.revision = domain.PlanDraft, p.revision+1
		if _, err := tx.ExecContext(ctx, `UPDATE case_plans SET status = $1, revision = $2, approved_at = NULL WHERE id = $3`,
			string(p.status), p.revision, p.id); err != nil {
			return fmt.Errorf("cases: plan: %w", err)
		}
	}
	_, err := tx.ExecContext(ctx, `UPDATE case_plans SET updated_at = $1, version = version + 1 WHERE id = $2`, tx.Now(), p.id)
	if err != nil {
		return fmt.Errorf("cases: plan: %w", err)
	}
	return nil
}

// changeActions prepares a change of a plan's actions inside tx: the
// worker responsible is checked, the plan read (or, with create, started)
// and marked changed (changePlan).
func changeActions(ctx context.Context, tx *store.Tx, sc domain.Scope, lc lockedCase, caseID string, a domain.NewPlanAction,
	create bool) (lockedPlan, error) {
	if err := checkResponsible(ctx, tx, lc.region, a.ResponsibleUserID); err != nil {
		return lockedPlan{}, err
	}
	rules, err := readRules(ctx, tx)
	if err != nil {
		return lockedPlan{}, err
	}
	p, err := planOf(ctx, tx, sc, caseID, create)
	if err != nil {
		return p, err
	}
	return p, changePlan(ctx, tx, &p, rules)
}

// sealAction seals an action's narrative fields.
func (s *Service) sealAction(a domain.NewPlanAction) (goal, action, org string, err error) {
	if goal, err = s.st.Seal(store.FieldActionGoal, strings.TrimSpace(a.Goal)); err != nil {
		return
	}
	if action, err = s.st.Seal(store.FieldActionText, strings.TrimSpace(a.Action)); err != nil {
		return
	}
	org, err = s.st.Seal(store.FieldActionOrg, strings.TrimSpace(a.ResponsibleOrg))
	return
}

// checkResponsible accepts no worker or an active worker of the case's
// region.
func checkResponsible(ctx context.Context, tx *store.Tx, region, userID string) error {
	if userID == "" {
		return nil
	}
	if err := checkAssignee(ctx, tx, region, userID); err != nil {
		return domain.InvalidFields(domain.FieldErrors{"responsible": domain.M("plan.field.responsible_user")})
	}
	return nil
}

// AddPlanAction adds an action to an open case's plan (starting the plan
// if there is none) and starts its due-date clock. Authorization:
// PermWorkCases on a case sc handles (beginWork).
func (s *Service) AddPlanAction(ctx context.Context, sc domain.Scope, caseID string, a domain.NewPlanAction) (string, error) {
	if fe := a.Validate(); len(fe) > 0 {
		return "", domain.InvalidFields(fe)
	}
	var id string
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		lc, err := s.beginWork(ctx, tx, sc, caseID)
		if err != nil {
			return err
		}
		p, err := changeActions(ctx, tx, sc, lc, caseID, a, true)
		if err != nil {
			return err
		}
		due, err := dayEnd(a.DueOn, lc.region)
		if err != nil {
			return domain.InvalidFields(domain.FieldErrors{"due_on": domain.M("plan.field.due_on")})
		}
		goal, action, org, err := s.sealAction(a)
		if err != nil {
			return err
		}
		now := tx.Now()
		id = tx.NewID()
		var pos int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(position), 0) FROM case_plan_actions WHERE case_id = $1`, caseID).Scan(&pos); err != nil {
			return fmt.Errorf("cases: plan action: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_plan_actions (id, case_id, plan_id, position, domain, goal_enc, action_enc,
			responsible_user_id, responsible_org_enc, due_on, status, created_by, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$13)`, id, caseID, p.id, pos+1, a.Domain, goal, action,
			nullIfEmpty(a.ResponsibleUserID), org, a.DueOn, string(domain.ActionPlanned), sc.UserID, now); err != nil {
			return fmt.Errorf("cases: plan action: %w", err)
		}
		if err := addItemDeadline(ctx, tx, caseID, subjectAction, id, domain.DeadlineAction, now, due); err != nil {
			return err
		}
		if err := touchCase(ctx, tx, caseID); err != nil {
			return err
		}
		if err := s.caseEvent(ctx, tx, sc, caseID, "plan_action", lc.status, lc.status, strings.TrimSpace(a.Action)); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "case.plan.action_add", "case", caseID, lc.region, "action="+id+" domain="+a.Domain+" due="+a.DueOn)
	})
	return id, err
}

// EditPlanAction changes an action of an open case's plan (a changed due
// date moves its clock). Authorization: PermWorkCases on a case sc handles.
func (s *Service) EditPlanAction(ctx context.Context, sc domain.Scope, caseID, actionID string, a domain.NewPlanAction) error {
	if fe := a.Validate(); len(fe) > 0 {
		return domain.InvalidFields(fe)
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		lc, err := s.beginWork(ctx, tx, sc, caseID)
		if err != nil {
			return err
		}
		st, oldDue, err := actionState(ctx, tx, caseID, actionID)
		if err != nil {
			return err
		}
		if st.Finished() {
			return domain.E(domain.EConflict, "plan.err.action_finished")
		}
		if _, err := changeActions(ctx, tx, sc, lc, caseID, a, false); err != nil {
			return err
		}
		goal, action, org, err := s.sealAction(a)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE case_plan_actions SET domain = $1, goal_enc = $2, action_enc = $3, responsible_user_id = $4,
			responsible_org_enc = $5, due_on = $6, updated_at = $7 WHERE id = $8`, a.Domain, goal, action, nullIfEmpty(a.ResponsibleUserID),
			org, a.DueOn, tx.Now(), actionID); err != nil {
			return fmt.Errorf("cases: plan action: %w", err)
		}
		if a.DueOn != oldDue {
			due, err := dayEnd(a.DueOn, lc.region)
			if err != nil {
				return domain.InvalidFields(domain.FieldErrors{"due_on": domain.M("plan.field.due_on")})
			}
			if err := moveItemDeadline(ctx, tx, caseID, subjectAction, actionID, domain.DeadlineAction, tx.Now(), due); err != nil {
				return err
			}
		}
		if err := touchCase(ctx, tx, caseID); err != nil {
			return err
		}
		if err := s.caseEvent(ctx, tx, sc, caseID, "plan_action_edit", lc.status, lc.status, strings.TrimSpace(a.Action)); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "case.plan.action_edit", "case", caseID, lc.region, "action="+actionID+" due="+a.DueOn)
	})
}

// actionState reads an action's status and due date (not found when it is
// not the case's).
func actionState(ctx context.Context, tx *store.Tx, caseID, actionID string) (domain.ActionStatus, string, error) {
	var st domain.ActionStatus
	var due string
	err := tx.QueryRowContext(ctx, `SELECT status, due_on FROM case_plan_actions WHERE id = $1 AND case_id = $2`, actionID, caseID).Scan(&st, &due)
	if errors.Is(err, sql.ErrNoRows) {
		return st, due, domain.NotFound("plan_action")
	}
	if err != nil {
		return st, due, fmt.Errorf("cases: plan action: %w", err)
	}
	return st, due, nil
}

// actionSteps are the moves an action may make.
var actionSteps = map[domain.ActionStatus][]domain.ActionStatus{
	domain.ActionPlanned:    {domain.ActionInProgress, domain.ActionDone, domain.ActionCancelled},
	domain.ActionInProgress: {domain.ActionDone, domain.ActionCancelled, domain.ActionPlanned},
}

// SetActionStatus moves a plan action (start, done, cancel) with a note;
// a cancellation needs a note. Only an actionable plan's actions move
// (approved, or approval not required; a returned or submitted plan's do
// not). Done or cancelled meets the action's clock. Authorization:
// PermWorkCases on a case sc handles.
func (s *Service) SetActionStatus(ctx context.Context, sc domain.Scope, caseID, actionID string, to domain.ActionStatus, note string) error {
	note = strings.TrimSpace(note)
	if to == domain.ActionCancelled && note == "" {
		return domain.InvalidFields(domain.FieldErrors{"note": domain.M("plan.field.cancel_note")})
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		lc, err := s.beginWork(ctx, tx, sc, caseID)
		if err != nil {
			return err
		}
		from, _, err := actionState(ctx, tx, caseID, actionID)
		if err != nil {
			return err
		}
		allowed := false
		for _, x := range actionSteps[from] {
			allowed = allowed || x == to
		}
		if !allowed {
			return domain.E(domain.EConflict, "plan.err.action_step")
		}
		rules, err := readRules(ctx, tx)
		if err != nil {
			return err
		}
		p, err := planOf(ctx, tx, sc, caseID, false)
		if err != nil {
			return err
		}
		if !(domain.CasePlan{Status: p.status, NeedsApproval: rules.Approve[domain.ApprovePlan]}).Actionable() {
			return domain.E(domain.EConflict, "plan.err.not_approved")
		}
		enc, err := s.st.Seal(store.FieldActionNote, note)
		if err != nil {
			return err
		}
		now := tx.Now()
		var done any
		if to == domain.ActionDone {
			done = now
		}
		res, err := tx.ExecContext(ctx, `UPDATE case_plan_actions SET status = $1, done_at = $2, note_enc = CASE WHEN $3 = '' THEN note_enc ELSE $3 END,
			updated_at = $4 WHERE id = $5 AND status = $6`, string(to), done, enc, now, actionID, string(from))
		if err != nil {
			return fmt.Errorf("cases: plan action: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return domain.E(domain.EConflict, "case.err.changed")
		}
		if to.Finished() {
			if err := meetItemDeadline(ctx, tx, caseID, subjectAction, actionID, domain.DeadlineAction, now); err != nil {
				return err
			}
		}
		if err := touchCase(ctx, tx, caseID); err != nil {
			return err
		}
		if err := s.caseEvent(ctx, tx, sc, caseID, "plan_action_"+string(to), lc.status, lc.status, note); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "case.plan.action_status", "case", caseID, lc.region, "action="+actionID+" "+string(from)+"->"+string(to))
	})
}

// readPlan reads a case's plan and its actions (nil when there is none).
func (s *Service) readPlan(ctx context.Context, sc domain.Scope, caseID, region string, now time.Time, masked *bool) (*domain.CasePlan, error) {
	var p domain.CasePlan
	var submitted, approved sql.NullTime
	err := s.st.QueryRowContext(ctx, `SELECT id, status, revision, created_at, updated_at, submitted_at, approved_at, version
		FROM case_plans WHERE case_id = $1`, caseID).Scan(&p.ID, &p.Status, &p.Revision, &p.CreatedAt, &p.UpdatedAt, &submitted, &approved, &p.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cases: plan: %w", err)
	}
	p.CaseID, p.CreatedAt, p.UpdatedAt = caseID, p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	p.SubmittedAt, p.ApprovedAt = ptrTime(submitted), ptrTime(approved)
	type row struct {
		a                    domain.PlanAction
		goal, act, org, note string
		user                 sql.NullString
		done                 sql.NullTime
	}
	rows, err := store.Rows(ctx, s.st, func(r *sql.Rows) (row, error) {
		var x row
		err := r.Scan(&x.a.ID, &x.a.Position, &x.a.Domain, &x.goal, &x.act, &x.user, &x.org, &x.a.DueOn, &x.a.Status, &x.done, &x.note)
		return x, err
	}, `SELECT id, position, domain, goal_enc, action_enc, responsible_user_id, responsible_org_enc, due_on, status, done_at, note_enc
		FROM case_plan_actions WHERE case_id = $1 ORDER BY position`, caseID)
	if err != nil {
		return nil, fmt.Errorf("cases: plan actions: %w", err)
	}
	var ids []string
	for _, x := range rows {
		ids = append(ids, x.user.String)
	}
	names, err := userNames(ctx, s.st, ids)
	if err != nil {
		return nil, err
	}
	today := todayIn(now, region)
	p.Actions = make([]domain.PlanAction, 0, len(rows))
	for _, x := range rows {
		a := x.a
		a.ResponsibleUserID, a.ResponsibleUser, a.DoneAt = x.user.String, names[x.user.String], ptrTime(x.done)
		for _, f := range []struct {
			field string
			enc   string
			dst   *string
		}{{store.FieldActionGoal, x.goal, &a.Goal}, {store.FieldActionText, x.act, &a.Action},
			{store.FieldActionOrg, x.org, &a.ResponsibleOrg}, {store.FieldActionNote, x.note, &a.Note}} {
			if *f.dst, err = s.st.Reveal(sc, f.field, f.enc, masked); err != nil {
				return nil, err
			}
		}
		a.Overdue = !a.Status.Finished() && a.DueOn < today
		p.Actions = append(p.Actions, a)
	}
	return &p, nil
}

// nullIfEmpty is a text as a SQL argument, NULL when empty.
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
