package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// A responder's steps by text message: a registered responder answers
// TERIMA (acknowledged) or TIBA (first contact made) with a case's code, or
// asks INFO. What the words mean and the replies live in internal/intake;
// finding the case, the workflow's rule and the change live here, in the
// caller's transaction (with the inbound message and its reply).

// ResponderCase is a case as a responder's command found it.
type ResponderCase struct {
	ID        string
	Status    domain.CaseStatus // before the command
	Responded bool              // first contact was recorded before the command
}

// StepOutcome is what a responder's step did.
type StepOutcome int

const (
	// StepTaken: the case moved.
	StepTaken StepOutcome = iota
	// StepAlready: the step was taken before; nothing changed.
	StepAlready
	// StepRefused: the workflow does not allow the step from the case's
	// status; nothing changed.
	StepRefused
)

// CaseByCode finds, in tx, the case that code names for a responder's
// command: a case's own code, or the code of the report that became the
// case. The case stays locked until tx ends (on PostgreSQL). NotFound when
// no case has the code or sc may not work on it. Authorization:
// PermWorkCases on a case sc can see.
func (s *Service) CaseByCode(ctx context.Context, tx *store.Tx, sc domain.Scope, code string) (ResponderCase, error) {
	rc, _, err := s.lockByCode(ctx, tx, sc, code)
	return rc, err
}

// StepByCode moves the case that code names (found as CaseByCode finds it)
// to acknowledged (TERIMA) or responded (TIBA), in tx, with note in its
// timeline; its clocks, timeline and audit follow as for Transition. A
// step taken before (acknowledged or responded for TERIMA, responded for
// TIBA) is StepAlready; a step the workflow refuses from the case's status
// is StepRefused; neither changes anything. Authorization: PermWorkCases
// on a case sc can see.
func (s *Service) StepByCode(ctx context.Context, tx *store.Tx, sc domain.Scope, code string, to domain.CaseStatus, note string) (ResponderCase, StepOutcome, error) {
	if to != domain.StatusAcknowledged && to != domain.StatusResponded {
		return ResponderCase{}, StepRefused, domain.E(domain.EInvalid, "error.invalid")
	}
	rc, lc, err := s.lockByCode(ctx, tx, sc, code)
	if err != nil {
		return rc, StepRefused, err
	}
	if lc.responded || (to == domain.StatusAcknowledged && lc.status == domain.StatusAcknowledged) {
		return rc, StepAlready, nil
	}
	t := domain.Transition{To: to, Note: note}
	if err := domain.CheckTransition(lc.status, t, lc.assignee.Valid || lc.team.Valid, lc.responded); err != nil {
		return rc, StepRefused, nil
	}
	if err := s.applyTransition(ctx, tx, sc, rc.ID, lc, t); err != nil {
		return rc, StepRefused, err
	}
	return rc, StepTaken, nil
}

// lockByCode finds and locks the case a responder's code names.
func (s *Service) lockByCode(ctx context.Context, tx *store.Tx, sc domain.Scope, code string) (ResponderCase, lockedCase, error) {
	var caseID string
	err := tx.QueryRowContext(ctx, `SELECT id FROM cases WHERE code = $1`, code).Scan(&caseID)
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.QueryRowContext(ctx, `SELECT COALESCE(case_id, '') FROM reports WHERE code = $1`, code).Scan(&caseID)
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return ResponderCase{}, lockedCase{}, fmt.Errorf("cases: case by code: %w", err)
	}
	if code == "" || caseID == "" || !sc.Can(domain.PermWorkCases) {
		return ResponderCase{}, lockedCase{}, domain.NotFound("case")
	}
	lc, err := s.lockCase(ctx, tx, sc, caseID)
	if err != nil {
		return ResponderCase{}, lc, err
	}
	return ResponderCase{ID: caseID, Status: lc.status, Responded: lc.responded}, lc, nil
}
