package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
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
	// Counts are the values of the region and below for the year, by
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

// RowsHTML writes rows, the first at place from+1, as the table's rows,
// every value escaped for HTML (text and double-quoted attributes; the
// region code also query-escaped in the link). A regency's ranking of its
// villages has a hundred rows or more: in the template each row's dozen
// values went through html/template's escapers and the page's methods,
// one reflective call each, with the whole page copied into every row.
func (k KLARank) RowsHTML(rows []kla.RankRow, from int) template.HTML {
	e := template.HTMLEscapeString
	label := func(key string) string { return k.cellLabel(key) + `>` }
	lSelf, lVer, lCat, lMissing := label("kla.self_score"), label("kla.verified_score"), label("kla.category"), label("kla.missing")
	year := strconv.Itoa(k.Year)
	var b strings.Builder
	b.Grow(len(rows) * 400)
	for i, r := range rows {
		b.WriteString(`<tr><td class="head">` + strconv.Itoa(from+i+1) + `. <a href="/kla?region=` + e(url.QueryEscape(r.Code)) +
			`&amp;year=` + year + `">` + e(r.Name) + `</a> <span class="hint inline">` + e(r.Code) + `</span></td>` +
			lSelf + k.Pts(r.Total) + `</td>` + lVer + k.Pts(r.VerifiedTotal) + `</td>` +
			lCat + e(k.KLACat(r.Category)) + `</td>` + lMissing + strconv.Itoa(r.Missing) + `</td></tr>`)
	}
	return template.HTML(b.String())
}

// IndicatorRowsHTML writes the rows of the table of indicators, every
// value escaped for HTML (text and double-quoted attributes): in the
// template each of the 31 rows' dozen values went through html/template's
// escapers and the page's methods, one reflective call each, with the
// page copied for every call.
func (p KLADashboardPage) IndicatorRowsHTML() template.HTML {
	e := template.HTMLEscapeString
	label := func(key string) string { return p.cellLabel(key) + `>` }
	lValue, lVer, lPoints, lVerPoints, lSource := label("kla.value"), label("kla.verified_value"), label("kla.points"),
		label("kla.verified_points"), label("kla.source")
	missing := `<strong>` + e(p.T("kla.missing_value")) + `</strong>`
	var b strings.Builder
	b.Grow(len(p.D.Score.Indicators) * 700)
	for _, is := range p.D.Score.Indicators {
		ind := is.Indicator
		b.WriteString(`<tr`)
		if is.Missing {
			b.WriteString(` class="missing"`)
		}
		b.WriteString(`><td class="head">` + e(ind.ID) + `. ` + e(ind.Name) + ` <span class="hint inline">(` +
			e(p.T("kla.unit."+ind.Unit)) + `, ` + e(p.T("kla.pol."+string(ind.Polarity))) + `)</span></td>
  ` + lValue)
		if is.Missing {
			b.WriteString(missing)
		} else {
			b.WriteString(e(p.KLAVal(is.Value.Self)))
		}
		b.WriteString(`</td>` + lVer + e(p.KLAVal(is.Value.Verified)) + `</td>
  ` + lPoints + p.Pts(is.Points) + ` / ` + p.Pts(is.Rule.MaxPoints) + `</td>` + lVerPoints + p.Pts(is.VerifiedPoints) + `</td>` + lSource)
		if is.Value.Source != "" {
			b.WriteString(e(p.T("kla.src." + is.Value.Source)))
			if is.Value.Detail != "" {
				b.WriteString(` (` + e(is.Value.Detail) + `)`)
			}
		}
		b.WriteString(`</td></tr>`)
	}
	return template.HTML(b.String())
}

// QueryURL is Query for a link's query string: html/template would
// escape a plain string there ("region%3d..."), and the file would be the
// wrong region's and year's.
func (p KLADashboardPage) QueryURL() template.URL { return template.URL(p.Query) }
