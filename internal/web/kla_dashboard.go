package web

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/kla"
)

// KLA dashboard (SPEC E): the regent's page. Charts are inline SVG drawn
// here, each followed by the same figures as a table.

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

func (s *Server) klaDashboard(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.title")
	if !b.Scope.Can(domain.PermViewDashboard) {
		s.fail(w, r, domain.E(domain.EForbidden, "kla.err.dashboard_forbidden"))
		return
	}
	region, year := s.klaDashboardYear(r, b)
	d, err := kla.BuildDashboard(r.Context(), s.st, b.Scope, region, year)
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

// clusterChart draws horizontal bars: points against the maximum, and the
// verified points as a thin bar.
func clusterChart(b Base, cs []kla.ClusterScore) template.HTML {
	if len(cs) == 0 {
		return ""
	}
	const w, rowH, label = 640.0, 34.0, 150.0
	h := rowH*float64(len(cs)) + 10
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="chart-clusters-title"><title id="chart-clusters-title">%s</title>`,
		w, h, svgEsc(b.T("kla.chart_clusters")))
	for i, c := range cs {
		y := float64(i)*rowH + 5
		bw := w - label - 70
		frac, vfrac := 0.0, 0.0
		if c.Max > 0 {
			frac, vfrac = c.Points/c.Max, c.Verified/c.Max
		}
		fmt.Fprintf(&sb, `<text x="0" y="%.1f" class="lbl">%s</text>`, y+15, svgEsc(b.ClusterName(c.Cluster)))
		fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="%.1f" height="18" class="track"/>`, label, y+2, bw)
		fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="%.1f" height="18" class="bar"/>`, label, y+2, bw*frac)
		fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="%.1f" height="5" class="bar-verified"/>`, label, y+22, bw*vfrac)
		fmt.Fprintf(&sb, `<text x="%.1f" y="%.1f" class="num">%.0f/%.0f</text>`, label+bw+6, y+15, c.Points, c.Max)
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

// trendChart draws the total per year as columns with the category bands
// as lines.
func trendChart(b Base, ts []kla.TrendPoint) template.HTML {
	if len(ts) == 0 {
		return ""
	}
	const w, h, pad, top = 640.0, 240.0, 40.0, 10.0
	plotH := h - pad - top
	colW := (w - pad) / float64(len(ts))
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="chart-trend-title"><title id="chart-trend-title">%s</title>`,
		w, h, svgEsc(b.T("kla.chart_trend")))
	for _, band := range domain.KLACategoryBands {
		y := top + plotH*(1-band.From/kla.Total)
		fmt.Fprintf(&sb, `<line x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" class="band"/><text x="0" y="%.1f" class="axis">%.0f</text>`,
			pad, w, y, y, y+4, band.From)
	}
	for i, t := range ts {
		x := pad + float64(i)*colW + colW*0.2
		bh := plotH * math.Min(1, t.Total/kla.Total)
		vh := plotH * math.Min(1, t.VerifiedTotal/kla.Total)
		fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="bar"/>`, x, top+plotH-bh, colW*0.35, bh)
		fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="bar-verified"/>`, x+colW*0.37, top+plotH-vh, colW*0.2, vh)
		fmt.Fprintf(&sb, `<text x="%.1f" y="%.1f" class="axis">%d</text>`, x, h-pad+16, t.Year)
		fmt.Fprintf(&sb, `<text x="%.1f" y="%.1f" class="num">%.0f</text>`, x, top+plotH-bh-3, t.Total)
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

// KLARank is the data of a ranking table.
type KLARank struct {
	KLADashboardPage
	Rows []kla.RankRow
	ID   string
	Year int
}

// RankOf builds a ranking table.
func (p KLADashboardPage) RankOf(rows []kla.RankRow, id string) KLARank {
	return KLARank{KLADashboardPage: p, Rows: rows, ID: id, Year: p.D.Year}
}

// QueryURL is Query for a link's query string: html/template would
// escape a plain string there ("region%3d..."), and the file would be the
// wrong region's and year's.
func (p KLADashboardPage) QueryURL() template.URL { return template.URL(p.Query) }
