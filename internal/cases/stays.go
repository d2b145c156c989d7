package cases

import (
	"context"
	"fmt"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// What the shelters area (internal/shelters) needs of a case when it
// places one of its children: that the caller handles the case and the
// child is one of its victims, and the stay's clock, which escalates like
// the case's other clocks (a warning to the placing worker, then an alert
// to the supervisors, each once).

// StayWarning is how long before a stay's limit the placing worker is
// warned.
const StayWarning = 48 * time.Hour

// HandledVictim locks case caseID inside tx for a caller who handles it
// (its lead, its teams, a supervisor or admin of its region) and checks
// that victimID is one of its children. It returns the case's region and
// public code. Authorization: as the case's documents; anything else is
// not found.
func (s *Service) HandledVictim(ctx context.Context, tx *store.Tx, sc domain.Scope, caseID, victimID string) (region, code string, err error) {
	if !sc.Can(domain.PermWorkCases) {
		return "", "", domain.NotFound("case")
	}
	lc, err := s.lockCase(ctx, tx, sc, caseID)
	if err != nil {
		return "", "", err
	}
	if err := s.mustHandle(ctx, tx, sc, caseID, lc); err != nil {
		return "", "", err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM victims WHERE id = $1 AND case_id = $2`, victimID, caseID).Scan(&n); err != nil {
		return "", "", err
	}
	if n == 0 {
		return "", "", domain.InvalidFields(domain.FieldErrors{"victim_id": domain.M("case.field.victim_unknown")})
	}
	return lc.region, lc.code, nil
}

// CaseEvent writes an entry of a case's timeline inside tx (a child
// placed, moved, leaving a place). Authorization: the caller's area
// checked the case first (HandledVictim).
func (s *Service) CaseEvent(ctx context.Context, tx *store.Tx, sc domain.Scope, caseID, kind, note string) error {
	var status domain.CaseStatus
	if err := tx.QueryRowContext(ctx, `SELECT status FROM cases WHERE id = $1`, caseID).Scan(&status); err != nil {
		return err
	}
	return s.caseEvent(ctx, tx, sc, caseID, kind, status, status, note)
}

// StartStayClock stores the clock of a stay that must end by due.
func StartStayClock(ctx context.Context, tx *store.Tx, caseID, stayID string, start, due time.Time) error {
	return addItemDeadline(ctx, tx, caseID, subjectStay, stayID, domain.DeadlineStay, start, due)
}

// MoveStayClock moves a stay's limit (an extension).
func MoveStayClock(ctx context.Context, tx *store.Tx, caseID, stayID string, start, due time.Time) error {
	return moveItemDeadline(ctx, tx, caseID, subjectStay, stayID, domain.DeadlineStay, start, due)
}

// StopStayClock marks a stay's clock met (the child left).
func StopStayClock(ctx context.Context, tx *store.Tx, caseID, stayID string, at time.Time) error {
	return meetItemDeadline(ctx, tx, caseID, subjectStay, stayID, domain.DeadlineStay, at)
}

// StartReviewClock stores the clock of a stay's review number n.
func StartReviewClock(ctx context.Context, tx *store.Tx, caseID, stayID string, n int, start, due time.Time) error {
	return addItemDeadline(ctx, tx, caseID, subjectReview, fmt.Sprintf("%s#%d", stayID, n), domain.DeadlineReview, start, due)
}

// StopReviewClock marks a stay's review number n done (or no longer due).
func StopReviewClock(ctx context.Context, tx *store.Tx, caseID, stayID string, n int, at time.Time) error {
	return meetItemDeadline(ctx, tx, caseID, subjectReview, fmt.Sprintf("%s#%d", stayID, n), domain.DeadlineReview, at)
}

// SupervisorsOf lists the active supervisors of region and of the regions
// above it, inside tx (who is told of a place's supervision visit due).
func SupervisorsOf(ctx context.Context, tx *store.Tx, region string) ([]string, error) {
	return supervisorsOf(ctx, tx, region)
}
