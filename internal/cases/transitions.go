package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// The workflow: moving a case from status to status (verify, assign,
// acknowledge, respond, serve, refer, close, reopen) and reassigning it.

// Transition moves a case through the workflow. The change, its time,
// actor and note are stored in the timeline; clocks are met; an invalid
// transition changes nothing. Authorization: PermManageCases for verify,
// assign, close and reopen; PermWorkCases (on a visible case) for
// acknowledge, respond, in service and referred.
func (s *Service) Transition(ctx context.Context, sc domain.Scope, id string, t domain.Transition) (domain.Case, error) {
	if !sc.Can(domain.PermWorkCases) {
		return domain.Case{}, domain.NotFound("case")
	}
	t.Note = strings.TrimSpace(t.Note)
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		lc, err := s.lockCase(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if err := domain.CheckTransition(lc.status, t, lc.assignee.Valid || lc.team.Valid, lc.responded); err != nil {
			return err
		}
		managerOnly := t.To == domain.StatusVerified || t.To == domain.StatusAssigned || lc.status == domain.StatusClosed
		if managerOnly && !sc.Can(domain.PermManageCases) {
			return domain.E(domain.EForbidden, "case.err.supervisor_only")
		}
		if t.To == domain.StatusClosed && !sc.Can(domain.PermManageCases) && lc.status != domain.StatusInService &&
			lc.status != domain.StatusReferred && lc.status != domain.StatusResponded {
			return domain.E(domain.EForbidden, "case.err.close_early")
		}
		if t.To == domain.StatusClosed || lc.status == domain.StatusClosed {
			rules, err := readRules(ctx, tx)
			if err != nil {
				return err
			}
			if lc.status == domain.StatusClosed {
				// Reopening: to in service keeps the clocks, to verified
				// (the child was never reached) restarts them.
				if rules.Approve[domain.ApproveReopen] && lc.assignee.String == sc.UserID && !rules.SelfApproval && !sc.System {
					return domain.E(domain.EForbidden, "approval.err.self")
				}
				return s.applyReopen(ctx, tx, sc, id, lc, t.To == domain.StatusVerified, t.Note, rules)
			}
			if closureNeedsApproval(rules, sc, lc) {
				return domain.E(domain.EConflict, "approval.err.closure_request")
			}
			if err := settlePending(ctx, tx, sc, id, domain.ApproveClosure, t.Note); err != nil {
				return err
			}
		}
		return s.applyTransition(ctx, tx, sc, id, lc, t)
	})
	if err != nil {
		return domain.Case{}, err
	}
	return s.getCase(ctx, sc, id, false)
}

// settlePending marks a pending request of kind as approved by sc when sc
// takes the step directly (a supervisor closing a case a worker asked to
// close), so it does not wait in anyone's inbox.
func settlePending(ctx context.Context, tx *store.Tx, sc domain.Scope, caseID string, kind domain.ApprovalKind, comment string) error {
	enc, err := tx.Store().Seal(store.FieldApprovalComment, comment)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE case_approvals SET status = $1, decided_by = $2, decider = $3, decided_at = $4, comment_enc = $5
		WHERE case_id = $6 AND kind = $7 AND status = $8`, string(domain.ApprovalApproved), sc.UserID, sc.Actor(), tx.Now(), enc,
		caseID, string(kind), string(domain.ApprovalPending)); err != nil {
		return fmt.Errorf("cases: settle approval: %w", err)
	}
	return nil
}

// applyTransition changes a locked case's status inside tx (the caller has
// checked the step and the caller's right to take it): the case row, its
// clocks, the timeline, the assignment messages, the audit entry, and
// routing for a newly verified case.
func (s *Service) applyTransition(ctx context.Context, tx *store.Tx, sc domain.Scope, id string, lc lockedCase, t domain.Transition) error {
	now := tx.Now()
	if err := s.updateStatus(ctx, tx, sc, id, lc, t, now); err != nil {
		return err
	}
	if t.To == domain.StatusVerified && lc.status == domain.StatusClosed {
		if err := restartClocks(ctx, tx, id, now); err != nil {
			return err
		}
	}
	switch t.To {
	case domain.StatusAcknowledged:
		if err := meetDeadline(ctx, tx, "case", id, domain.DeadlineAck, now); err != nil {
			return err
		}
	case domain.StatusResponded:
		for _, k := range []domain.DeadlineKind{domain.DeadlineAck, domain.DeadlineResponse} {
			if err := meetDeadline(ctx, tx, "case", id, k, now); err != nil {
				return err
			}
		}
	}
	if err := recomputeNextDue(ctx, tx, id); err != nil {
		return err
	}
	if err := s.caseEvent(ctx, tx, sc, id, "transition", lc.status, t.To, t.Note); err != nil {
		return err
	}
	if t.To == domain.StatusAssigned {
		if err := notifyAssignment(ctx, tx, id); err != nil {
			return err
		}
	}
	if err := tx.Audit(ctx, sc, "case.transition", "case", id, lc.region, string(lc.status)+"->"+string(t.To)); err != nil {
		return err
	}
	if t.To == domain.StatusVerified && lc.status == domain.StatusNew {
		return s.routeCase(ctx, tx, id, lc.region) // a reviewed case is routed like a verified report
	}
	return nil
}

// updateStatus writes the new status and the times and people that go
// with it, if the case is still as it was locked (else a conflict).
func (s *Service) updateStatus(ctx context.Context, tx *store.Tx, sc domain.Scope, id string, lc lockedCase, t domain.Transition, now time.Time) error {
	sets := []string{"status = $1", "updated_at = $2", "version = version + 1"}
	args := []any{string(t.To), now}
	set := func(col string, v any) {
		args = append(args, v)
		sets = append(sets, col+" = $"+strconv.Itoa(len(args)))
	}
	switch t.To {
	case domain.StatusVerified:
		set("verified_at", now)
		if lc.status == domain.StatusClosed {
			sets = append(sets, "closed_at = NULL", "team_id = NULL", "support_team_id = NULL", "assignee_id = NULL",
				"acknowledged_at = NULL")
		}
	case domain.StatusAssigned:
		if t.TeamID != "" {
			if err := checkTeam(ctx, tx, sc, t.TeamID, lc.region); err != nil {
				return err
			}
			set("team_id", t.TeamID)
		}
		if t.AssigneeID != "" {
			if err := checkAssignee(ctx, tx, lc.region, t.AssigneeID); err != nil {
				return err
			}
			set("assignee_id", t.AssigneeID)
		}
	case domain.StatusAcknowledged:
		set("acknowledged_at", now)
	case domain.StatusResponded:
		set("responded_at", now)
		sets = append(sets, "acknowledged_at = COALESCE(acknowledged_at, $2)")
	case domain.StatusClosed:
		set("closed_at", now)
	case domain.StatusInService:
		if lc.status == domain.StatusClosed {
			sets = append(sets, "closed_at = NULL")
		}
	}
	args = append(args, id, string(lc.status), lc.version)
	n := len(args)
	res, err := tx.ExecContext(ctx, `UPDATE cases SET `+strings.Join(sets, ", ")+
		fmt.Sprintf(` WHERE id = $%d AND status = $%d AND version = $%d`, n-2, n-1, n), args...)
	if err != nil {
		return fmt.Errorf("cases: transition: %w", err)
	}
	k, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("cases: transition: %w", err)
	}
	if k != 1 {
		return domain.E(domain.EConflict, "case.err.changed")
	}
	return nil
}

// restartClocks starts a reopened case's acknowledgement and response
// clocks again: nobody reached the child before it was closed.
func restartClocks(ctx context.Context, tx *store.Tx, id string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM deadlines WHERE subject_type = 'case' AND subject_id = $1 AND kind IN ('ack', 'response')`, id); err != nil {
		return fmt.Errorf("cases: reopen: %w", err)
	}
	var prio string
	if err := tx.QueryRowContext(ctx, `SELECT priority FROM cases WHERE id = $1`, id).Scan(&prio); err != nil {
		return fmt.Errorf("cases: reopen: %w", err)
	}
	types, err := caseTypes(ctx, tx, id)
	if err != nil {
		return err
	}
	return addCaseDeadlines(ctx, tx, id, now, domain.Priority(prio), types)
}

// Reassign changes a case's team or lead without changing its status (a
// verified case becomes assigned). Authorization: PermManageCases.
func (s *Service) Reassign(ctx context.Context, sc domain.Scope, id, teamID, assigneeID, note string) (domain.Case, error) {
	if !sc.Can(domain.PermManageCases) {
		return domain.Case{}, domain.NotFound("case")
	}
	if teamID == "" && assigneeID == "" {
		return domain.Case{}, domain.InvalidFields(domain.FieldErrors{"assignee_id": domain.M("case.field.assignee_required")})
	}
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		lc, err := s.lockCase(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if !lc.status.Open() {
			return domain.E(domain.EConflict, "case.err.closed")
		}
		if lc.status == domain.StatusNew {
			return domain.E(domain.EConflict, "case.err.verify_first")
		}
		if lc.status == domain.StatusVerified {
			return s.applyTransition(ctx, tx, sc, id, lc, domain.Transition{To: domain.StatusAssigned, TeamID: teamID, AssigneeID: assigneeID, Note: note})
		}
		// Who was told of the case at its assignment is not told again:
		// changing only the lead messages only the new lead.
		told, err := caseRecipients(ctx, tx, lc.assignee, lc.team, lc.support)
		if err != nil {
			return err
		}
		sets, args := []string{"updated_at = $1", "version = version + 1"}, []any{tx.Now()}
		if teamID != "" {
			if err := checkTeam(ctx, tx, sc, teamID, lc.region); err != nil {
				return err
			}
			args = append(args, teamID)
			sets = append(sets, "team_id = $"+strconv.Itoa(len(args)))
		}
		if assigneeID != "" {
			if err := checkAssignee(ctx, tx, lc.region, assigneeID); err != nil {
				return err
			}
			args = append(args, assigneeID)
			sets = append(sets, "assignee_id = $"+strconv.Itoa(len(args)))
		}
		args = append(args, id)
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET `+strings.Join(sets, ", ")+` WHERE id = $`+strconv.Itoa(len(args)), args...); err != nil {
			return fmt.Errorf("cases: reassign: %w", err)
		}
		if err := s.caseEvent(ctx, tx, sc, id, "reassigned", lc.status, lc.status, note); err != nil {
			return err
		}
		if err := notifyAssignment(ctx, tx, id, told...); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "case.reassign", "case", id, lc.region, "team="+teamID+" assignee="+assigneeID)
	})
	if err != nil {
		return domain.Case{}, err
	}
	return s.getCase(ctx, sc, id, false)
}

// checkTeam accepts a team in the caller's region whose area covers the
// case (a village taskforce only for its own village).
func checkTeam(ctx context.Context, tx *store.Tx, sc domain.Scope, teamID, caseRegion string) error {
	var region string
	err := tx.QueryRowContext(ctx, `SELECT region_code FROM teams WHERE id = $1`, teamID).Scan(&region)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("cases: team: %w", err)
	}
	if err != nil || !sc.Contains(region) {
		return domain.InvalidFields(domain.FieldErrors{"team_id": domain.M("case.field.team_unknown")})
	}
	if !domain.RegionWithin(caseRegion, region) {
		return domain.InvalidFields(domain.FieldErrors{"team_id": domain.M("case.field.team_area")})
	}
	return nil
}

// checkAssignee accepts an active user whose region covers the case.
func checkAssignee(ctx context.Context, tx *store.Tx, caseRegion, userID string) error {
	var region, role string
	var disabled bool
	err := tx.QueryRowContext(ctx, `SELECT region_code, role, disabled FROM users WHERE id = $1`, userID).Scan(&region, &role, &disabled)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("cases: assignee: %w", err)
	}
	if err != nil || disabled || !domain.RegionWithin(caseRegion, region) {
		return domain.InvalidFields(domain.FieldErrors{"assignee_id": domain.M("case.field.assignee_unknown")})
	}
	if !canWork(domain.Role(role)) {
		return domain.InvalidFields(domain.FieldErrors{"assignee_id": domain.M("case.field.assignee_role")})
	}
	return nil
}

// canWork reports whether a role handles cases.
func canWork(r domain.Role) bool {
	switch r {
	case domain.RoleAdmin, domain.RoleSupervisor, domain.RoleCaseworker, domain.RoleResponder:
		return true
	}
	return false
}
