package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/kla"
)

// What every KLA page shares: the region and year it shows, the year
// selectors, the section tabs and the formatting of KLA figures.

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

// RowReason is what is wrong with a row of an uploaded file, in the page's
// language.
func (b Base) RowReason(e kla.RowError) string {
	texts := make([]string, len(e.Reasons))
	for i, m := range e.Reasons {
		texts[i] = httpx.Text(b.Lang, m)
	}
	return strings.Join(texts, "; ")
}

// KLAVal formats an optional value ("—" when nil).
func (b Base) KLAVal(p *float64) string {
	if p == nil {
		return "—"
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

// KLAVal2 formats an optional value for an input ("" when nil).
func (b Base) KLAVal2(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

// KLACat names a category, "—" when none.
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

// Num formats a number without trailing zeros.
func (b Base) Num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// Pct1 formats a percentage with one decimal.
func (b Base) Pct1(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) + "%" }

// Rp formats rupiah with thousands dots.
func (b Base) Rp(n int64) string {
	s := strconv.FormatInt(n, 10)
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			out = append(out, '.')
		}
		out = append(out, s[i])
	}
	return "Rp " + string(out)
}

// LevelName is the translated name of the level plus levels below.
func (b Base) LevelName(l domain.RegionLevel, plus int) string {
	return b.T("level." + strconv.Itoa(int(l)+plus))
}

// Q escapes a query value.
func (b Base) Q(s string) string { return url.QueryEscape(s) }

// KLAPrefixed carries an id prefix into a shared form fragment.
type KLAPrefixed struct {
	Base
	P string
}

// Prefix passes an id prefix to the commitment fields.
func (b Base) Prefix(p string) KLAPrefixed { return KLAPrefixed{Base: b, P: p} }

// klaNumber reads a KLA figure from a form field (kla.ParseNumber); ok is
// false when the field is not a number.
func klaNumber(r *http.Request, name string) (float64, bool) {
	v, err := kla.ParseNumber(r.PostFormValue(name))
	return v, err == nil
}
