package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"lindu/internal/domain"
	"lindu/internal/kla"
)

// Completeness per agency (/kla/kelengkapan, kelengkapan data per OPD):
// for a region and year, each agency's indicators expected, entered,
// verified and stale, its operators and links to enter or verify its
// values, the agency holding the score back first. Who may see it: as
// the KLA dashboard.

// KLACompletenessPage is /kla/kelengkapan.
type KLACompletenessPage struct {
	Base
	C         kla.Completeness
	Years     []int
	NoCatalog bool
	CanVerify bool
	// CanEnterAll: the caller enters every agency's values (PermManageKLA);
	// Own is the agency an operator enters for ("" when none).
	CanEnterAll bool
	Own         string
	// StaleWindow is how many years before the table's a stale value may
	// come from.
	StaleWindow int
}

func (s *Server) klaCompleteness(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "beranda.completeness_title")
	if !b.Scope.Can(domain.PermViewDashboard) {
		s.fail(w, r, domain.E(domain.EForbidden, "kla.err.dashboard_forbidden"))
		return
	}
	region, year := s.klaDashboardYear(r, b)
	page := KLACompletenessPage{Base: b, Years: s.klaYears(), CanVerify: b.Scope.Can(domain.PermVerifyKLA), StaleWindow: kla.TrendYears - 1,
		CanEnterAll: b.Scope.Can(domain.PermEnterKLA) && b.Scope.Can(domain.PermManageKLA)}
	ctx := r.Context()
	if b.Scope.Can(domain.PermEnterKLA) && !page.CanEnterAll {
		own, err := kla.UserAgency(ctx, s.st, b.User.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		page.Own = own
	}
	c, err := s.kla.CompletenessByAgency(ctx, b.Scope, region, year)
	if kla.NoCatalogue(err) {
		page.NoCatalog = true
		page.C.Year = year
		s.render(w, r, http.StatusOK, "kla_completeness", page)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.C = c
	s.render(w, r, http.StatusOK, "kla_completeness", page)
}

// MayEnter reports whether the caller may enter agency's values.
func (p KLACompletenessPage) MayEnter(agency string) bool {
	return p.CanEnterAll || (p.Own != "" && p.Own == agency)
}

// EntryURL is the entry page of the table's region and year.
func (p KLACompletenessPage) EntryURL() template.URL {
	return klaRegionYearURL("/kla/isi", p.C.Region.Code, p.C.Year, "")
}

// VerifyURL is the verification list of an agency's values in the
// table's region and year.
func (p KLACompletenessPage) VerifyURL(agency string) template.URL {
	return klaRegionYearURL("/kla/verifikasi", p.C.Region.Code, p.C.Year, agency)
}

// AgencyURL is an agency's page (its agreements and budget) for the year.
func (p KLACompletenessPage) AgencyURL(agency string) template.URL {
	return template.URL("/kla/opd/" + url.PathEscape(agency) + "?year=" + strconv.Itoa(p.C.Year))
}

// klaRegionYearURL is path?region=...&year=...(&agency=...).
func klaRegionYearURL(path, region string, year int, agency string) template.URL {
	v := url.Values{"region": {region}, "year": {strconv.Itoa(year)}}
	if agency != "" {
		v.Set("agency", agency)
	}
	return template.URL(path + "?" + v.Encode())
}

// AgencyLabel names an agency row ("" is the indicators without one).
func (b Base) AgencyLabel(a domain.KLAAgency) string {
	switch {
	case a.Code == "":
		return b.T("beranda.no_agency")
	case a.Name == "":
		return a.Code
	}
	return a.Name
}

// KLAPts formats KLA points with two decimals.
func (b Base) KLAPts(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }
