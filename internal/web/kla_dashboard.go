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
}

// klaRegionYear reads ?region= and ?year= (defaults: the caller's region,
// the current KLA year).
func (s *Server) klaRegionYear(r *http.Request, b Base) (string, int) {
	region := strings.TrimSpace(r.URL.Query().Get("region"))
	if region == "" {
		region = b.User.RegionCode
		if region == "" {
			region = s.opt.RootRegion
		}
	}
	year := kla.CurrentYear(s.now())
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && y >= 2000 && y <= 2100 {
		year = y
	}
	return region, year
}

// klaYears lists the years of the dashboard, entry and verification
// selectors, newest first: the current calendar year (WIB; never a future
// one) down to five years before the current KLA year. Before July that
// is the year after the KLA year, from July on the KLA year itself.
func (s *Server) klaYears() []int {
	cur := kla.CurrentYear(s.now())
	var ys []int
	for y := s.klaLastYear(); y >= cur-5; y-- {
		ys = append(ys, y)
	}
	return ys
}

// klaLastYear is the current calendar year in WIB: no value, score or
// dashboard exists for a later one.
func (s *Server) klaLastYear() int { return s.now().In(domain.WIB).Year() }

// klaPlanYears lists the years of the agreement and budget selectors:
// like klaYears plus the next KLA year, which may be planned ahead.
func (s *Server) klaPlanYears() []int {
	ys := s.klaYears()
	if next := kla.CurrentYear(s.now()) + 1; next > ys[0] {
		ys = append([]int{next}, ys...)
	}
	return ys
}

// klaDashboardYear is klaRegionYear with a future year brought back to
// the current one.
func (s *Server) klaDashboardYear(r *http.Request, b Base) (string, int) {
	region, year := s.klaRegionYear(r, b)
	return region, min(year, s.klaLastYear())
}

func (s *Server) klaDashboard(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.title")
	if !b.Scope.Can(domain.PermViewDashboard) {
		s.fail(w, r, domain.Errorf(domain.EForbidden, "no dashboard"))
		return
	}
	region, year := s.klaDashboardYear(r, b)
	d, err := kla.BuildDashboard(r.Context(), s.st, b.Scope, region, year)
	page := KLADashboardPage{Base: b, Years: s.klaYears(), CanEnter: b.Scope.Can(domain.PermEnterKLA),
		CanVerify: b.Scope.Can(domain.PermVerifyKLA), CanManage: b.Scope.Can(domain.PermManageKLA)}
	if domain.IsNotFound(err) && strings.Contains(err.Error(), "catalogue") {
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
	s.render(w, r, http.StatusOK, "kla_dashboard", page)
}

// Pts formats points with two decimals.
func (KLADashboardPage) Pts(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }

// Val formats an optional value.
func (b Base) KLAVal(p *float64) string {
	if p == nil {
		return "—"
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

// Cat names a category, "—" when none.
func (b Base) KLACat(c string) string {
	if c == "" {
		return b.T("kla.no_category")
	}
	return c
}

// ClusterName is the display name of a cluster.
func (b Base) ClusterName(c string) string {
	switch c {
	case "kelembagaan", "I", "II", "III", "IV", "V":
		return b.T("kla.cluster." + strings.ToLower(c))
	}
	return c
}

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

// klaExport serves the dashboard's tables as CSV (one table: indicators)
// or XLSX (all tables, one sheet each).
func (s *Server) klaExport(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := s.base(w, r, "kla.title")
		if !b.Scope.Can(domain.PermViewDashboard) {
			s.fail(w, r, domain.Errorf(domain.EForbidden, "no dashboard"))
			return
		}
		region, year := s.klaDashboardYear(r, b)
		d, err := kla.BuildDashboard(r.Context(), s.st, b.Scope, region, year)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		sheets := kla.ExportSheets(d)
		name := fmt.Sprintf("kla-%s-%d", d.Region.Code, year)
		if format == "csv" {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
			w.Write(kla.WriteCSV(sheets[0].Header, sheets[0].Rows))
			return
		}
		data, err := kla.WriteXLSX(sheets)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
		w.Write(data)
	}
}

// KLATabs are the sections of the KLA module.
func (b Base) KLATabs() []NavItem {
	items := []NavItem{{Href: "/kla", Label: b.T("kla.tab_dashboard")}}
	if b.Scope.Can(domain.PermEnterKLA) {
		items = append(items, NavItem{Href: "/kla/isi", Label: b.T("kla.tab_entry")})
	}
	if b.Scope.Can(domain.PermVerifyKLA) {
		items = append(items, NavItem{Href: "/kla/verifikasi", Label: b.T("kla.tab_verify")})
	}
	items = append(items, NavItem{Href: "/kla/perjanjian", Label: b.T("kla.tab_agreements")},
		NavItem{Href: "/kla/anggaran", Label: b.T("kla.tab_budget")}, NavItem{Href: "/kla/katalog", Label: b.T("kla.tab_catalogue")})
	for i := range items {
		items[i].Current = b.Path == items[i].Href
	}
	return items
}

// Num formats a number without trailing zeros.
func (b Base) Num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

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

// LevelName is the translated name of the level plus levels below.
func (b Base) LevelName(l domain.RegionLevel, plus int) string {
	return b.T("level." + strconv.Itoa(int(l)+plus))
}
