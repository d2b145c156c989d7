package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/store"
)

// DashboardPage is the staff home ("Beranda"). Besides what every role
// sees (role, region, districts, the agencies' audit actions), a block
// per kind of work:
//   - Overdue: those who manage cases (supervisors, admins) — work past
//     its clock;
//   - Agency: an agency's operator (enters KLA values, manages no KLA) —
//     the indicators still missing for their agency this year;
//   - KLA: the regent (viewer) and admins — this year's KLA score and the
//     agencies holding it back.
type DashboardPage struct {
	Base
	kit
	Region    domain.Region
	Children  []domain.Region
	UserCount int
	CanUsers  bool
	CanAudit  bool
	Recent    []domain.AuditEntry
	// auditNames name the agencies of the recent activity's details.
	auditNames auditNames
	Personal   bool
	// AuditAgencies ranks the agencies by overdue audit actions.
	AuditAgencies AuditAgencies
	Overdue       *HomeOverdue
	Agency        *HomeAgency
	KLA           *HomeKLA
	// Stats are this year's case figures on the regent's and the admins'
	// home (nil for others).
	Stats *HomeStats
}

// HomeOverdue is a case manager's work past its clock.
type HomeOverdue struct {
	Cases     int  // open cases whose next clock has passed
	CasesMany bool // ... more than cases.CountCap
	Reports   int  // reports waiting for triage past their clock
	Referrals int  // referrals not answered by their due time
	// Top are the most overdue cases (earliest passed clock first).
	Top []domain.Case
}

// HomeTop is how many overdue cases the home lists.
const HomeTop = 10

// HomeAgency is an agency operator's KLA work for the year.
type HomeAgency struct {
	Region    domain.Region
	Year      int
	NoAgency  bool // the account is bound to no agency
	NoCatalog bool
	Row       kla.AgencyCompleteness
	// Missing are the first HomeMissing indicators without a value; More
	// counts the rest.
	Missing []domain.KLAIndicator
	More    int
}

// HomeMissing is how many missing indicators the operator's home lists.
const HomeMissing = 20

// HomeKLA is the region's KLA standing for the regent and admins.
type HomeKLA struct {
	Region    domain.Region
	Year      int
	NoCatalog bool
	Score     kla.Score
	// Holding are the agencies holding the score back most (at most
	// HomeHolding, only those losing points).
	Holding []kla.AgencyCompleteness
}

// HomeHolding is how many agencies the regent's home lists.
const HomeHolding = 5

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "dashboard.title")
	ctx := r.Context()
	page := DashboardPage{Base: b, kit: s.kit(b), Personal: b.Scope.Personal}
	if b.User.RegionCode != "" {
		reg, err := s.st.GetRegion(ctx, b.User.RegionCode)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		page.Region = reg
		kids, err := s.st.SearchRegions(ctx, store.RegionQuery{Parent: reg.Code, Limit: 200})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		page.Children = kids
	}
	if b.Scope.Can(domain.PermManageUsers) {
		page.CanUsers = true
		_, n, err := s.st.ListUsers(ctx, b.Scope, domain.UserFilter{Limit: 1})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		page.UserCount = n
	}
	if b.Scope.Can(domain.PermViewAudit) {
		page.CanAudit = true
		recent, err := s.st.ListAudit(ctx, b.Scope, domain.AuditFilter{Limit: 8})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		page.Recent = recent
		if page.auditNames, err = s.loadAuditNames(r); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	var err error
	if page.AuditAgencies, err = s.auditAgencies(r, b, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	if page.Overdue, err = s.homeOverdue(r, b); err != nil {
		s.fail(w, r, err)
		return
	}
	if page.Agency, err = s.homeAgency(r, b, page.Region); err != nil {
		s.fail(w, r, err)
		return
	}
	if page.KLA, err = s.homeKLA(r, b, page.Region); err != nil {
		s.fail(w, r, err)
		return
	}
	if page.KLA != nil {
		if page.Stats, err = s.homeStats(r, b, page.Region); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "dashboard", page)
}

// homeOverdue is the overdue work of those who manage cases (nil for
// others): the inbox's overdue cases (only those the caller sees), the
// reports and referrals past their clock.
func (s *Server) homeOverdue(r *http.Request, b Base) (*HomeOverdue, error) {
	if !b.Scope.Can(domain.PermManageCases) || !b.Scope.Can(domain.PermViewCases) {
		return nil, nil
	}
	top, n, err := s.cases.ListCases(r.Context(), b.Scope, domain.CaseFilter{OpenOnly: true, Due: "overdue", Limit: HomeTop})
	if err != nil {
		return nil, err
	}
	o := &HomeOverdue{Cases: n, Top: top}
	if n > cases.CountCap {
		o.Cases, o.CasesMany = cases.CountCap, true
	}
	c, err := s.cases.OverdueWork(r.Context(), b.Scope)
	if err != nil {
		return nil, err
	}
	o.Reports, o.Referrals = c.Reports, c.Referrals
	return o, nil
}

// homeAgency is the KLA work of an agency's operator (nil for others):
// their agency's row of the completeness table of their region this year.
func (s *Server) homeAgency(r *http.Request, b Base, reg domain.Region) (*HomeAgency, error) {
	if !b.Scope.Can(domain.PermEnterKLA) || b.Scope.Can(domain.PermManageKLA) || !b.Scope.Can(domain.PermViewDashboard) || reg.Code == "" {
		return nil, nil
	}
	ctx := r.Context()
	h := &HomeAgency{Region: reg, Year: kla.CurrentYear(s.now())}
	agency, err := kla.UserAgency(ctx, s.st, b.User.ID)
	if err != nil {
		return nil, err
	}
	if agency == "" {
		h.NoAgency = true
		return h, nil
	}
	c, err := s.kla.CompletenessByAgency(ctx, b.Scope, reg.Code, h.Year)
	if kla.NoCatalogue(err) {
		h.NoCatalog = true
		return h, nil
	}
	if err != nil {
		return nil, err
	}
	row, ok := c.Agency(agency)
	if !ok {
		ags, err := kla.Agencies(ctx, s.st)
		if err != nil {
			return nil, err
		}
		row.Agency = domain.KLAAgency{Code: agency}
		for _, a := range ags {
			if a.Code == agency {
				row.Agency = a
			}
		}
	}
	h.Row = row
	h.Missing = row.Missing
	if len(h.Missing) > HomeMissing {
		h.Missing, h.More = h.Missing[:HomeMissing], len(h.Missing)-HomeMissing
	}
	return h, nil
}

// homeKLA is this year's KLA score of the region and the agencies holding
// it back, for the regent (viewer) and admins (nil for others).
func (s *Server) homeKLA(r *http.Request, b Base, reg domain.Region) (*HomeKLA, error) {
	if (b.User.Role != domain.RoleViewer && b.User.Role != domain.RoleAdmin) || !b.Scope.Can(domain.PermViewDashboard) || reg.Code == "" {
		return nil, nil
	}
	ctx := r.Context()
	h := &HomeKLA{Region: reg, Year: kla.CurrentYear(s.now())}
	// The score comes with the completeness table: the same scan.
	c, err := s.kla.CompletenessByAgency(ctx, b.Scope, reg.Code, h.Year)
	if kla.NoCatalogue(err) {
		h.NoCatalog = true
		return h, nil
	}
	if err != nil {
		return nil, err
	}
	h.Score = c.Score
	for _, a := range c.Agencies {
		if len(h.Holding) == HomeHolding || a.PointsLost == 0 {
			break
		}
		h.Holding = append(h.Holding, a)
	}
	return h, nil
}

// KLAQuery is region=...&year=... of a home block, for links.
func (DashboardPage) KLAQuery(region string, year int) template.URL {
	return template.URL(url.Values{"region": {region}, "year": {strconv.Itoa(year)}}.Encode())
}

// Late says how long ago a deadline passed, in days and hours (or
// minutes under an hour).
func (p DashboardPage) Late(t *time.Time) string {
	if t == nil {
		return "—"
	}
	d := p.kit.now.Sub(*t)
	if d < time.Hour {
		return p.T("beranda.late_minutes", max(int(d/time.Minute), 1))
	}
	days, hours := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
	if days == 0 {
		return p.T("beranda.late_hours", hours)
	}
	return p.T("beranda.late_days", days, hours)
}

// TriageMinutes is the triage clock of a report, in minutes.
func (DashboardPage) TriageMinutes() int { return int(domain.TriageWindow / time.Minute) }
