package audits

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/store"
)

// What the audits give to the rest of lindu: a passed audit is evidence
// for the KLA indicator its template maps (module E lists it beside the
// value, nobody re-uploads it), and the dashboards rank agencies by the
// actions they left overdue.

// klaLink returns the regime and indicator a passed audit of plannedOn's
// year is evidence for ("" when its template maps none for that regime,
// or no KLA catalogue is loaded).
func (s *Service) klaLink(ctx context.Context, t domain.AuditTemplate, plannedOn string) (string, string, error) {
	if len(plannedOn) < 4 || len(t.KLA) == 0 {
		return "", "", nil
	}
	year, err := strconv.Atoi(plannedOn[:4])
	if err != nil {
		return "", "", nil
	}
	g, err := kla.RegimeFor(ctx, s.st, year)
	if kla.NoCatalogue(err) {
		return "", "", nil
	}
	if err != nil {
		return "", "", err
	}
	if ind := t.KLA[g.ID]; ind != "" {
		return g.ID, ind, nil
	}
	return "", "", nil
}

// Evidence is a passed audit offered as evidence for a KLA indicator.
type Evidence struct {
	AuditID      string  `json:"audit_id"`
	FacilityID   string  `json:"facility_id"`
	FacilityName string  `json:"facility_name"`
	Kind         string  `json:"kind"`
	RegionCode   string  `json:"region_code"`
	Indicator    string  `json:"indicator"`
	PlannedOn    string  `json:"audited_on"`
	Predicate    string  `json:"predicate"`
	Percent      float64 `json:"percent"`
}

// KLAEvidence lists the passed audits of year, in region (inside the
// caller's), that are evidence for an indicator of regime, by indicator.
// It carries no child's data. Authorization: whoever reads KLA figures
// (PermViewDashboard, PermEnterKLA or PermVerifyKLA).
func (s *Service) KLAEvidence(ctx context.Context, sc domain.Scope, regime string, year int, region string) (map[string][]Evidence, error) {
	if !sc.Can(domain.PermViewDashboard) && !sc.Can(domain.PermEnterKLA) && !sc.Can(domain.PermVerifyKLA) {
		return nil, domain.E(domain.EForbidden, "error.forbidden")
	}
	if region == "" {
		region = sc.RegionCode
	}
	if !sc.Contains(region) {
		return nil, domain.NotFound("region")
	}
	where, args := store.ScopeClause("f.region_code", region, 1)
	args = append(args, regime, fmt.Sprintf("%04d-%%", year))
	rows, err := store.Rows(ctx, s.st, func(r *sql.Rows) (Evidence, error) {
		var e Evidence
		return e, r.Scan(&e.AuditID, &e.FacilityID, &e.FacilityName, &e.Kind, &e.RegionCode, &e.Indicator, &e.PlannedOn, &e.Predicate, &e.Percent)
	}, `SELECT a.id, f.id, f.name, f.kind, f.region_code, a.kla_indicator, a.planned_on, a.predicate, a.score_percent
		FROM audits a JOIN facilities f ON f.id = a.facility_id
		WHERE `+where+fmt.Sprintf(` AND a.status = 'submitted' AND a.kla_regime = $%d AND a.planned_on LIKE $%d AND a.kla_indicator <> ''`, len(args)-1, len(args))+`
		ORDER BY a.planned_on DESC, f.name`, args...)
	if err != nil {
		return nil, err
	}
	out := map[string][]Evidence{}
	for _, e := range rows {
		out[e.Indicator] = append(out[e.Indicator], e)
	}
	return out, nil
}

// AgencyActions is one agency's audit actions: still open, answered and
// waiting for the children's re-check, and overdue (past due, not closed).
type AgencyActions struct {
	Agency     string `json:"agency"`
	AgencyName string `json:"agency_name"`
	Open       int    `json:"open"`
	Answered   int    `json:"answered"`
	Overdue    int    `json:"overdue"`
	OldestDue  string `json:"oldest_due,omitempty"` // the earliest due date of an overdue action
}

// ActionsByAgency ranks the agencies of region (inside the caller's;
// "": the caller's) by their
// overdue actions (then open ones), for the regent's and the KLA
// dashboards. Counts only: no finding's text, no child. Authorization:
// PermViewDashboard, PermRunAudits or PermManageKLA.
func (s *Service) ActionsByAgency(ctx context.Context, sc domain.Scope, region string) ([]AgencyActions, error) {
	if !mayRun(sc) && !sc.Can(domain.PermViewDashboard) && !sc.Can(domain.PermManageKLA) {
		return nil, domain.E(domain.EForbidden, "error.forbidden")
	}
	if region == "" {
		region = sc.RegionCode
	}
	if !sc.Contains(region) {
		return nil, domain.NotFound("region")
	}
	today := s.st.Now().In(domain.ZoneFor(region)).Format("2006-01-02")
	where, args := store.ScopeClause("f.region_code", region, 1)
	args = append(args, today)
	n := len(args)
	return store.Rows(ctx, s.st, func(r *sql.Rows) (AgencyActions, error) {
		var x AgencyActions
		return x, r.Scan(&x.Agency, &x.AgencyName, &x.Open, &x.Answered, &x.Overdue, &x.OldestDue)
	}, fmt.Sprintf(`SELECT x.agency, COALESCE(MAX(k.name), x.agency),
		SUM(CASE WHEN x.status = 'open' THEN 1 ELSE 0 END),
		SUM(CASE WHEN x.status = 'answered' THEN 1 ELSE 0 END),
		SUM(CASE WHEN x.due_on < $%d THEN 1 ELSE 0 END),
		COALESCE(MIN(CASE WHEN x.due_on < $%d THEN x.due_on END), '')
		FROM audit_actions x JOIN facilities f ON f.id = x.facility_id LEFT JOIN kla_agencies k ON k.code = x.agency
		WHERE `+where+` AND x.status <> 'closed'
		GROUP BY x.agency ORDER BY 5 DESC, 3 DESC, 2`, n, n), args...)
}
