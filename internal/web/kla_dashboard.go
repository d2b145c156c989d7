package web

import (
	"html/template"
	"net/http"
	"strconv"
	"time"

	"lindu/internal/domain"
	"lindu/internal/kla"
)

// KLA dashboard (SPEC E): the regent's page. Charts are inline SVG drawn
// in kla_charts.go, each followed by the same figures as a table.

// KLADashboardPage is /kla.
type KLADashboardPage struct {
	Base
	D          kla.Dashboard
	Years      []int
	Query      string // region=...&year=... for export links
	ClusterSVG template.HTML
	TrendSVG   template.HTML
	CanEnter   bool
	CanVerify  bool
	CanManage  bool
	NoCatalog  bool
	// AuditAgencies ranks the agencies by overdue audit actions.
	AuditAgencies AuditAgencies
	// VerifiedN of ValuesN values of the region and year are verified.
	VerifiedN, ValuesN int
	// Counts are the values of the region and below for the year by
	// state, and how many entered ones have evidence.
	Counts kla.ValueCounts
	// Of IndicatorsN indicators of the catalogue, IndicatorsEntered have a
	// value for the region as the score resolves it, IndicatorsVerified a
	// verified one.
	IndicatorsN, IndicatorsEntered, IndicatorsVerified int
}

// klaCaseTTL is how long the case counts behind the computed indicators
// are shared by the KLA pages and the home pages before they are read
// again in the background (at 100,000 cases in a regency reading them
// takes seconds); the exports and the API count the cases as they are.
const klaCaseTTL = 2 * time.Minute

func (s *Server) klaDashboard(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.title")
	if !b.Scope.Can(domain.PermViewDashboard) {
		s.fail(w, r, domain.E(domain.EForbidden, "kla.err.dashboard_forbidden"))
		return
	}
	region, year := s.klaDashboardYear(r, b)
	d, err := s.kla.BuildDashboard(r.Context(), b.Scope, region, year)
	page := KLADashboardPage{Base: b, Years: s.klaYears(), CanEnter: b.Scope.Can(domain.PermEnterKLA),
		CanVerify: b.Scope.Can(domain.PermVerifyKLA), CanManage: b.Scope.Can(domain.PermManageKLA)}
	if kla.NoCatalogue(err) {
		page.NoCatalog = true
		s.render(w, r, http.StatusOK, "kla_dashboard", page)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.D = d
	page.Query = "region=" + d.Region.Code + "&year=" + strconv.Itoa(year)
	page.ClusterSVG = clusterChart(b, d.Score.Clusters)
	page.TrendSVG = trendChart(b, d.Trend)
	vf := kla.ValueFilter{Regime: d.Regime.ID, Within: d.Region.Code, Year: year}
	if page.ValuesN, err = kla.CountValues(r.Context(), s.st, b.Scope, vf); err != nil {
		s.fail(w, r, err)
		return
	}
	vf.Status = domain.KLAVerified
	if page.VerifiedN, err = kla.CountValues(r.Context(), s.st, b.Scope, vf); err != nil {
		s.fail(w, r, err)
		return
	}
	if page.Counts, err = kla.CountValueStates(r.Context(), s.st, b.Scope, vf); err != nil {
		s.fail(w, r, err)
		return
	}
	for _, is := range d.Score.Indicators {
		page.IndicatorsN++
		if !is.Missing {
			page.IndicatorsEntered++
		}
		if is.Value.Verified != nil {
			page.IndicatorsVerified++
		}
	}
	if page.AuditAgencies, err = s.auditAgencies(r, b, d.Region.Code); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "kla_dashboard", page)
}

// Pts formats points with two decimals.
func (KLADashboardPage) Pts(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }

// Pct formats a share as a percentage.
func (KLADashboardPage) Pct(x float64) string { return strconv.FormatFloat(x*100, 'f', 0, 64) + "%" }

func svgEsc(s string) string { return template.HTMLEscapeString(s) }

// A ranking longer than rankLong rows (the villages of a regency: a
// hundred or more, 15,000 px on a phone) shows its first rankShown rows,
// the weakest, and the rest behind a "show all" disclosure.
const (
	rankShown = 10
	rankLong  = 20
)

// KLARank is the data of a ranking table: the rows shown first (Top) and
// the rest behind the disclosure (Rest, from place len(Top)+1).
type KLARank struct {
	KLADashboardPage
	Rows, Top, Rest []kla.RankRow
	ID              string
	Year            int
}

// RankOf builds a ranking table.
func (p KLADashboardPage) RankOf(rows []kla.RankRow, id string) KLARank {
	k := KLARank{KLADashboardPage: p, Rows: rows, Top: rows, ID: id, Year: p.D.Year}
	if len(rows) > rankLong {
		k.Top, k.Rest = rows[:rankShown], rows[rankShown:]
	}
	return k
}

// KLARankRow is one row of a ranking and its place.
type KLARankRow struct {
	KLARank
	Place int
	Row   kla.RankRow
}

// RowAt is the row r at place from+i+1.
func (k KLARank) RowAt(from, i int, r kla.RankRow) KLARankRow {
	return KLARankRow{KLARank: k, Place: from + i + 1, Row: r}
}

// QueryURL is Query for a link's query string: html/template would
// escape a plain string there ("region%3d..."), and the file would be the
// wrong region's and year's.
func (p KLADashboardPage) QueryURL() template.URL { return template.URL(p.Query) }
