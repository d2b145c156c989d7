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

// Triage: a supervisor verifies a report into a new case, merges it into
// an existing case, or rejects it with a reason. Each meets the report's
// triage clock.

// lockedReport is what triage reads of a report inside its transaction.
type lockedReport struct {
	region   string
	received time.Time
	code     string
}

// lockReport reads a report awaiting triage inside tx, scoped; a report
// already handled is a conflict.
func lockReport(ctx context.Context, tx *store.Tx, sc domain.Scope, id string) (lockedReport, error) {
	where, args := store.ScopeClause("region_code", sc.RegionCode, 2)
	var lr lockedReport
	var status domain.ReportStatus
	err := tx.QueryRowContext(ctx, `SELECT status, region_code, received_at, code FROM reports WHERE id = $1 AND `+where,
		append([]any{id}, args...)...).Scan(&status, &lr.region, &lr.received, &lr.code)
	if errors.Is(err, sql.ErrNoRows) {
		return lr, domain.NotFound("report")
	}
	if err != nil {
		return lr, fmt.Errorf("cases: report: %w", err)
	}
	if status != domain.ReportNew {
		return lr, domain.E(domain.EConflict, "msg.report_handled")
	}
	lr.received = lr.received.UTC()
	return lr, nil
}

// RejectReport closes a report that is not a case, with the reason.
// Authorization: PermManageCases in the report's region.
func (s *Service) RejectReport(ctx context.Context, sc domain.Scope, id, reason string) error {
	if !sc.Can(domain.PermManageCases) {
		return domain.NotFound("report")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > maxReject {
		return domain.InvalidFields(domain.FieldErrors{"reason": domain.M("report.field.reject_reason", maxReject)})
	}
	enc, err := s.st.Seal(store.FieldReportRejectReason, reason)
	if err != nil {
		return err
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		lr, err := lockReport(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		now := tx.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE reports SET status = $1, reject_reason_enc = $2, triaged_at = $3, triaged_by = $4
			WHERE id = $5 AND status = $6`, string(domain.ReportRejected), enc, now, sc.Actor(), id, string(domain.ReportNew)); err != nil {
			return fmt.Errorf("cases: reject report: %w", err)
		}
		if err := meetDeadline(ctx, tx, "report", id, domain.DeadlineTriage, now); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "report.reject", "report", id, lr.region, "")
	})
}

// MergeReport adds a report to an existing case (a second report of the
// same events). Authorization: PermManageCases; report and case in scope.
func (s *Service) MergeReport(ctx context.Context, sc domain.Scope, reportID, caseID string) error {
	if !sc.Can(domain.PermManageCases) {
		return domain.NotFound("report")
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		lr, err := lockReport(ctx, tx, sc, reportID)
		if err != nil {
			return err
		}
		cs, err := s.lockCase(ctx, tx, sc, caseID)
		if err != nil {
			return err
		}
		now := tx.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE reports SET status = $1, case_id = $2, triaged_at = $3, triaged_by = $4 WHERE id = $5`,
			string(domain.ReportMerged), caseID, now, sc.Actor(), reportID); err != nil {
			return fmt.Errorf("cases: merge report: %w", err)
		}
		if err := meetDeadline(ctx, tx, "report", reportID, domain.DeadlineTriage, now); err != nil {
			return err
		}
		if err := s.moveReportMedia(ctx, tx, reportID, caseID); err != nil {
			return err
		}
		if err := s.caseEvent(ctx, tx, sc, caseID, "report_merged", cs.status, cs.status, "report "+domain.FormatPublicCode(lr.code)); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "report.merge", "report", reportID, lr.region, "case="+caseID)
	})
}

// VerifyInput is what a supervisor decides when verifying a report.
type VerifyInput struct {
	Priority domain.Priority
	Types    []domain.ViolenceType
	Summary  string // defaults to the report's description
	KDRT     bool   // happened within the household (also when Types names "kdrt")
	// Child completes the victim the report names (its name, education,
	// disabilities...); the report's age and sex count where it leaves
	// them empty. Its ID and Types are ignored.
	Child domain.Victim
}

// VerifyReport turns a report into a new case: the case's clocks count
// from the report's time, and routing assigns it at once when a team or
// duty caseworker is found. Authorization: PermManageCases.
func (s *Service) VerifyReport(ctx context.Context, sc domain.Scope, reportID string, in VerifyInput) (domain.Case, error) {
	if !sc.Can(domain.PermManageCases) {
		return domain.Case{}, domain.NotFound("report")
	}
	var caseID string
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		lr, err := lockReport(ctx, tx, sc, reportID)
		if err != nil {
			return err
		}
		nc, err := s.caseFromReport(ctx, tx, reportID, lr, in)
		if err != nil {
			return err
		}
		if caseID, err = s.createCase(ctx, tx, sc, nc); err != nil {
			return err
		}
		now := tx.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE reports SET status = $1, case_id = $2, triaged_at = $3, triaged_by = $4 WHERE id = $5`,
			string(domain.ReportVerified), caseID, now, sc.Actor(), reportID); err != nil {
			return fmt.Errorf("cases: verify report: %w", err)
		}
		if err := meetDeadline(ctx, tx, "report", reportID, domain.DeadlineTriage, now); err != nil {
			return err
		}
		if err := s.moveReportMedia(ctx, tx, reportID, caseID); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "report.verify", "report", reportID, lr.region, "case="+caseID)
	})
	if err != nil {
		return domain.Case{}, err
	}
	return s.getCase(ctx, sc, caseID, false)
}

// caseFromReport is the new case a verified report becomes: its region and
// time, the supervisor's priority, types and summary (by default the
// report's description), and the child it names as the first victim.
func (s *Service) caseFromReport(ctx context.Context, tx *store.Tx, reportID string, lr lockedReport, in VerifyInput) (domain.NewCase, error) {
	var descEnc, sex string
	var age sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT description_enc, child_age, child_sex FROM reports WHERE id = $1`, reportID).
		Scan(&descEnc, &age, &sex); err != nil {
		return domain.NewCase{}, fmt.Errorf("cases: verify report: %w", err)
	}
	summary := strings.TrimSpace(in.Summary)
	if summary == "" {
		var err error
		if summary, err = s.st.Open(store.FieldReportDescription, descEnc); err != nil {
			return domain.NewCase{}, err
		}
	}
	v := in.Child
	v.ID, v.Types = "", in.Types
	if v.Sex == "" {
		v.Sex = domain.Sex(sex)
	}
	if age.Valid && v.Age == nil {
		a := int(age.Int64)
		v.Age = &a
	}
	return domain.NewCase{RegionCode: lr.region, Priority: in.Priority, Types: in.Types, KDRT: in.KDRT, Summary: summary,
		ReportedAt: lr.received, Victims: []domain.Victim{v}}, nil
}
