package cases

import (
	"context"
	"fmt"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Work past its clock, for a supervisor's home page: the inbox counts and
// lists overdue cases itself (ListCases with Due "overdue"); this counts
// what the inbox does not show as such.

// OverdueCounts counts work past its clock.
type OverdueCounts struct {
	// Reports still waiting for triage ("new") after their triage clock
	// (received + domain.TriageWindow), as the report list marks them.
	Reports int
	// Referrals of open cases not answered (nor revoked) by their due
	// time: their clock is unmet and past.
	Referrals int
}

// OverdueWork counts the reports and referrals past their clock in sc's
// region (referrals: of the cases sc sees). Counts only. Authorization:
// PermManageCases (else forbidden), as the report list.
func (s *Service) OverdueWork(ctx context.Context, sc domain.Scope) (OverdueCounts, error) {
	var out OverdueCounts
	if !sc.Can(domain.PermManageCases) {
		return out, domain.E(domain.EForbidden, "case.err.supervisor_only")
	}
	now := s.st.Now()
	where, args := store.ScopeClause("r.region_code", sc.RegionCode, 3)
	if err := s.st.QueryRowContext(ctx, `SELECT COUNT(*) FROM reports r WHERE r.status = $1 AND r.received_at < $2 AND `+where,
		append([]any{string(domain.ReportNew), now.Add(-domain.TriageWindow)}, args...)...).Scan(&out.Reports); err != nil {
		return out, fmt.Errorf("cases: overdue reports: %w", err)
	}
	cw, cargs := caseScope(sc, "c", 4)
	if err := s.st.QueryRowContext(ctx, `SELECT COUNT(*) FROM deadlines d JOIN cases c ON c.id = d.case_id
		WHERE d.subject_type = $1 AND d.kind = $2 AND d.met_at IS NULL AND d.due_at < $3 AND c.closed_at IS NULL AND `+cw,
		append([]any{subjectReferral, string(domain.DeadlineReferral), now}, cargs...)...).Scan(&out.Referrals); err != nil {
		return out, fmt.Errorf("cases: overdue referrals: %w", err)
	}
	return out, nil
}
