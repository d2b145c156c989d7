package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"lindu/internal/audits"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/store"
)

// Verification by the KLA task force: the values awaiting a verdict and
// the verdict on one.

// KLAVerifyPage is /kla/verifikasi.
type KLAVerifyPage struct {
	Base
	listPager
	Regime domain.KLARegime
	Year   int
	Years  []int
	Status string
	Names  map[string]string
	Values []domain.KLAValue
	// The filter and what it selects.
	F          kla.ValueFilter
	Total      int
	From, To   int
	Districts  []domain.Region
	Agencies   []domain.KLAAgency
	Indicators []domain.KLAIndicator
	Query      string // the filter as a query string, for the verdict forms' way back
	// Audits are the passed children's audits of the year in the
	// caller's region that are evidence, by indicator.
	Audits map[string][]audits.Evidence
}

// EvidenceFor lists the audits that are evidence for a value: its
// indicator, facilities inside its region.
func (p KLAVerifyPage) EvidenceFor(v domain.KLAValue) []audits.Evidence {
	var out []audits.Evidence
	for _, e := range p.Audits[v.IndicatorID] {
		if domain.RegionWithin(e.RegionCode, v.RegionCode) {
			out = append(out, e)
		}
	}
	return out
}

func (s *Server) klaVerifyList(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.verify_title")
	if !b.Scope.Can(domain.PermVerifyKLA) {
		s.fail(w, r, domain.E(domain.EForbidden, "kla.err.verify_forbidden"))
		return
	}
	_, year := s.klaRegionYear(r, b)
	ctx := r.Context()
	g, err := kla.RegimeFor(ctx, s.st, year)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := r.URL.Query().Get("status")
	if status != domain.KLAVerified && status != domain.KLARejected {
		status = domain.KLAPending
	}
	page := KLAVerifyPage{Base: b, Regime: g, Year: year, Years: s.klaYears(), Status: status, Names: map[string]string{}}
	inds, err := kla.Indicators(ctx, s.st, g.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.Indicators = inds
	for _, i := range inds {
		page.Names[i.ID] = i.Name
	}
	q := r.URL.Query()
	f := kla.ValueFilter{Regime: g.ID, Year: year, Status: status, Agency: q.Get("agency"), Cluster: q.Get("cluster"), Indicator: q.Get("indicator")}
	if w := q.Get("region"); w != "" && domain.ValidRegionCode(w) && b.Scope.Contains(w) {
		f.Within = w
	}
	page.F = f
	if page.Total, err = kla.CountValues(ctx, s.st, b.Scope, f); err != nil {
		s.fail(w, r, err)
		return
	}
	const per = 50
	pageNum := min(listPageNum(r), max((page.Total+per-1)/per, 1))
	f.Limit, f.Offset = per, (pageNum-1)*per
	if page.Values, err = kla.ListValues(ctx, s.st, b.Scope, f); err != nil {
		s.fail(w, r, err)
		return
	}
	if len(page.Values) > 0 {
		page.From, page.To = f.Offset+1, f.Offset+len(page.Values)
	}
	v := url.Values{}
	for k, val := range map[string]string{"year": strconv.Itoa(year), "status": status, "agency": f.Agency, "cluster": f.Cluster,
		"indicator": f.Indicator, "region": f.Within} {
		if val != "" {
			v.Set(k, val)
		}
	}
	page.Query = v.Encode() + "&page=" + strconv.Itoa(pageNum)
	page.listPager = newPager("/kla/verifikasi", v, pageNum, page.Total, per)
	if b.Scope.RegionCode != "" {
		if page.Districts, err = s.st.SearchRegions(ctx, store.RegionQuery{Parent: b.Scope.RegionCode, Limit: 200}); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if page.Agencies, err = kla.Agencies(ctx, s.st); err != nil {
		s.fail(w, r, err)
		return
	}
	if page.Audits, err = audits.New(s.st).KLAEvidence(ctx, b.Scope, g.ID, year, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "kla_verify", page)
}

func (s *Server) klaVerify(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.verify_title")
	year, _ := strconv.Atoi(r.PostFormValue("year"))
	region, ind := r.PostFormValue("region"), r.PostFormValue("indicator")
	g, err := kla.RegimeFor(r.Context(), s.st, year)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var v *float64
	if raw := strings.TrimSpace(r.PostFormValue("verified_value")); raw != "" {
		x, err := kla.ParseNumber(raw)
		if err != nil {
			s.fail(w, r, domain.InvalidFields(domain.FieldErrors{"verified_value": domain.M("kla.not_number")}))
			return
		}
		v = &x
	}
	accept := r.PostFormValue("verdict") != "reject"
	if err := kla.VerifyValue(r.Context(), s.st, b.Scope, g.ID, region, year, ind, accept, v, r.PostFormValue("note")); err != nil {
		s.fail(w, r, err)
		return
	}
	back := "/kla/verifikasi?year=" + strconv.Itoa(year)
	// The way back keeps the filter and page the verdict was given from.
	if q, err := url.ParseQuery(r.PostFormValue("back")); err == nil && q.Get("year") != "" {
		back = "/kla/verifikasi?" + q.Encode()
	}
	http.Redirect(w, r, withOK(back, "kla_verified"), http.StatusSeeOther)
}

// StatusList lists the verification states.
func (KLAVerifyPage) StatusList() []string {
	return []string{domain.KLAPending, domain.KLAVerified, domain.KLARejected}
}

// ClusterList lists the KLA clusters for the filter.
func (KLAVerifyPage) ClusterList() []string { return domain.KLAClusters }
