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

// Follow-up visits (kunjungan lanjutan): scheduled for a day and a worker,
// optionally for a plan action; recorded with their outcome, which may
// schedule the next. A visit not recorded by the end of its day is
// overdue: its clock escalates once (followups.go).

// ScheduleVisit plans a visit of an open case on day (YYYY-MM-DD, today
// or later) by visitorID (a worker of the case's region; "" for sc), for
// actionID ("" for none; the plan must be actionable). Authorization:
// PermWorkCases on a case sc handles (beginWork).
func (s *Service) ScheduleVisit(ctx context.Context, sc domain.Scope, caseID, day, visitorID, actionID string) (string, error) {
	var id string
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		lc, err := s.beginWork(ctx, tx, sc, caseID)
		if err != nil {
			return err
		}
		id, err = s.scheduleVisit(ctx, tx, sc, lc, caseID, day, visitorID, actionID)
		return err
	})
	return id, err
}

// scheduleVisit inserts a planned visit and its clock inside tx.
func (s *Service) scheduleVisit(ctx context.Context, tx *store.Tx, sc domain.Scope, lc lockedCase, caseID, day, visitorID, actionID string) (string, error) {
	now := tx.Now()
	if !domain.ValidDay(day) || day < todayIn(now, lc.region) {
		return "", domain.InvalidFields(domain.FieldErrors{"planned_on": domain.M("plan.field.visit_day")})
	}
	if visitorID == "" {
		visitorID = sc.UserID
	}
	if visitorID == "" {
		return "", domain.InvalidFields(domain.FieldErrors{"visitor_id": domain.M("plan.field.responsible_user")})
	}
	if err := checkAssignee(ctx, tx, lc.region, visitorID); err != nil {
		return "", domain.InvalidFields(domain.FieldErrors{"visitor_id": domain.M("plan.field.responsible_user")})
	}
	if actionID != "" {
		st, _, err := actionState(ctx, tx, caseID, actionID)
		if err != nil {
			return "", domain.InvalidFields(domain.FieldErrors{"action_id": domain.M("plan.field.action_unknown")})
		}
		if st.Finished() {
			return "", domain.E(domain.EConflict, "plan.err.action_finished")
		}
		rules, err := readRules(ctx, tx)
		if err != nil {
			return "", err
		}
		p, err := planOf(ctx, tx, sc, caseID, false)
		if err != nil {
			return "", err
		}
		if !(domain.CasePlan{Status: p.status, NeedsApproval: rules.Approve[domain.ApprovePlan]}).Actionable() {
			return "", domain.E(domain.EConflict, "plan.err.not_approved")
		}
	}
	due, err := dayEnd(day, lc.region)
	if err != nil {
		return "", domain.InvalidFields(domain.FieldErrors{"planned_on": domain.M("plan.field.visit_day")})
	}
	id := tx.NewID()
	if _, err := tx.ExecContext(ctx, `INSERT INTO case_visits (id, case_id, action_id, planned_on, visitor_id, status, created_by, created_at, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$8)`, id, caseID, nullIfEmpty(actionID), day, visitorID, string(domain.VisitPlanned), sc.UserID, now); err != nil {
		return "", fmt.Errorf("cases: visit: %w", err)
	}
	if err := addItemDeadline(ctx, tx, caseID, subjectVisit, id, domain.DeadlineVisit, now, due); err != nil {
		return "", err
	}
	if err := touchCase(ctx, tx, caseID); err != nil {
		return "", err
	}
	if err := s.caseEvent(ctx, tx, sc, caseID, "visit_planned", lc.status, lc.status, day); err != nil {
		return "", err
	}
	return id, tx.Audit(ctx, sc, "case.visit.plan", "case", caseID, lc.region, "visit="+id+" day="+day+" visitor="+visitorID)
}

// RecordVisit records a planned visit: made (with its outcome), missed
// (went, did not meet the child) or cancelled (with a reason), on a day
// not in the future; NextOn schedules the next visit by the same visitor.
// It meets the visit's clock. Authorization: PermWorkCases on a case sc
// handles.
func (s *Service) RecordVisit(ctx context.Context, sc domain.Scope, caseID, visitID string, r domain.VisitRecord) (nextID string, err error) {
	r.Outcome = strings.TrimSpace(r.Outcome)
	fe := domain.FieldErrors{}
	switch r.Status {
	case domain.VisitDone, domain.VisitMissed, domain.VisitCancelled:
	default:
		fe["status"] = domain.M("plan.field.visit_status")
	}
	if r.Outcome == "" || len(r.Outcome) > 10000 {
		fe["outcome"] = domain.M("plan.field.visit_outcome")
	}
	if r.NextOn != "" && !domain.ValidDay(r.NextOn) {
		fe["next_on"] = domain.M("plan.field.visit_day")
	}
	if len(fe) > 0 {
		return "", domain.InvalidFields(fe)
	}
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		lc, err := s.beginWork(ctx, tx, sc, caseID)
		if err != nil {
			return err
		}
		now := tx.Now()
		if r.Status != domain.VisitCancelled {
			if !domain.ValidDay(r.VisitedOn) || r.VisitedOn > todayIn(now, lc.region) {
				return domain.InvalidFields(domain.FieldErrors{"visited_on": domain.M("plan.field.visited_on")})
			}
		} else {
			r.VisitedOn = ""
		}
		var st domain.VisitStatus
		var visitor, action sql.NullString
		err = tx.QueryRowContext(ctx, `SELECT status, visitor_id, action_id FROM case_visits WHERE id = $1 AND case_id = $2`, visitID, caseID).
			Scan(&st, &visitor, &action)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.NotFound("visit")
		}
		if err != nil {
			return fmt.Errorf("cases: visit: %w", err)
		}
		if st != domain.VisitPlanned {
			return domain.E(domain.EConflict, "plan.err.visit_recorded")
		}
		if r.NextOn != "" {
			nv := visitor.String
			if nv == "" {
				nv = sc.UserID
			}
			if nextID, err = s.scheduleVisit(ctx, tx, sc, lc, caseID, r.NextOn, nv, ""); err != nil {
				return err
			}
		}
		enc, err := s.st.Seal(store.FieldVisitOutcome, r.Outcome)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE case_visits SET status = $1, visited_on = $2, outcome_enc = $3, next_id = $4, updated_at = $5
			WHERE id = $6 AND status = $7`, string(r.Status), r.VisitedOn, enc, nextID, now, visitID, string(domain.VisitPlanned)); err != nil {
			return fmt.Errorf("cases: visit: %w", err)
		}
		if err := meetItemDeadline(ctx, tx, caseID, subjectVisit, visitID, domain.DeadlineVisit, now); err != nil {
			return err
		}
		if err := touchCase(ctx, tx, caseID); err != nil {
			return err
		}
		if err := s.caseEvent(ctx, tx, sc, caseID, "visit_"+string(r.Status), lc.status, lc.status, r.Outcome); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "case.visit.record", "case", caseID, lc.region, "visit="+visitID+" status="+string(r.Status)+" next="+nextID)
	})
	return nextID, err
}

// readVisits reads a case's visits by planned day.
func (s *Service) readVisits(ctx context.Context, sc domain.Scope, caseID, region string, now time.Time, masked *bool) ([]domain.Visit, error) {
	type row struct {
		v               domain.Visit
		action, visitor sql.NullString
		enc             string
	}
	rows, err := store.Rows(ctx, s.st, func(r *sql.Rows) (row, error) {
		var x row
		err := r.Scan(&x.v.ID, &x.action, &x.v.PlannedOn, &x.visitor, &x.v.Status, &x.v.VisitedOn, &x.enc, &x.v.NextID)
		return x, err
	}, `SELECT id, action_id, planned_on, visitor_id, status, visited_on, outcome_enc, next_id FROM case_visits WHERE case_id = $1
		ORDER BY planned_on, created_at`, caseID)
	if err != nil {
		return nil, fmt.Errorf("cases: visits: %w", err)
	}
	var ids []string
	for _, x := range rows {
		ids = append(ids, x.visitor.String)
	}
	names, err := userNames(ctx, s.st, ids)
	if err != nil {
		return nil, err
	}
	today := todayIn(now, region)
	out := make([]domain.Visit, 0, len(rows))
	for _, x := range rows {
		v := x.v
		v.ActionID, v.VisitorID, v.Visitor = x.action.String, x.visitor.String, names[x.visitor.String]
		if v.Outcome, err = s.st.Reveal(sc, store.FieldVisitOutcome, x.enc, masked); err != nil {
			return nil, err
		}
		v.Overdue = v.Status == domain.VisitPlanned && v.PlannedOn < today
		out = append(out, v)
	}
	return out, nil
}
