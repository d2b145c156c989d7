package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"lindu/internal/audits"
	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/kla"
	"lindu/internal/store"
)

// Verification by the KLA task force: the values awaiting a verdict and
// the verdict on one. Accepting all values shown is in
// kla_verify_batch.go.

// verifyPer is how many values a page of /kla/verifikasi shows.
const verifyPer = 50

// statusAll is the status filter that shows every value.
const statusAll = "all"

// KLAVerifyPage is /kla/verifikasi.
type KLAVerifyPage struct {
	Base
	listPager
	Regime domain.KLARegime
	Year   int
	Years  []int
	Status string // pending, verified, rejected or all
	Order  string // "", kla.OrderOldest or kla.OrderNewest
	Names  map[string]string
	Values []domain.KLAValue
	// The filter and what it selects.
	F          kla.ValueFilter
	Total      int
	From, To   int
	Districts  []domain.Region
	Agencies   []domain.KLAAgency
	Indicators []domain.KLAIndicator
	Query      string // the filter and page as a query string, for the verdict forms' way back
	// Refs are the values shown with their versions, for "accept all
	// shown" (only values not yet verified).
	Refs []string
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

// verifyFilter is the filter of /kla/verifikasi read from a query: the
// year's regime, the status (pending unless verified, rejected or all),
// the order by age and the page asked for.
type verifyFilter struct {
	Regime domain.KLARegime
	Year   int
	Status string
	F      kla.ValueFilter
	Page   int
}

func (s *Server) readVerifyFilter(r *http.Request, b Base, q url.Values) (verifyFilter, error) {
	vf := verifyFilter{Year: kla.CurrentYear(s.now())}
	if y, err := strconv.Atoi(q.Get("year")); err == nil && y >= 2000 && y <= 2100 {
		vf.Year = y
	}
	g, err := kla.RegimeFor(r.Context(), s.st, vf.Year)
	if err != nil {
		return vf, err
	}
	vf.Regime = g
	vf.Status = q.Get("status")
	if !oneOfStr(vf.Status, domain.KLAVerified, domain.KLARejected, statusAll) {
		vf.Status = domain.KLAPending
	}
	vf.F = kla.ValueFilter{Regime: g.ID, Year: vf.Year, Agency: q.Get("agency"), Cluster: q.Get("cluster"), Indicator: q.Get("indicator")}
	if vf.Status != statusAll {
		vf.F.Status = vf.Status
	}
	if o := q.Get("order"); o == kla.OrderOldest || o == kla.OrderNewest {
		vf.F.Order = o
	}
	if w := q.Get("region"); w != "" && domain.ValidRegionCode(w) && b.Scope.Contains(w) {
		vf.F.Within = w
	}
	n, _ := strconv.Atoi(q.Get("page"))
	vf.Page = min(max(n, 1), 100000)
	return vf, nil
}

// query is the filter as a query string (without the page).
func (vf verifyFilter) query() url.Values {
	v := url.Values{}
	for k, val := range map[string]string{"year": strconv.Itoa(vf.Year), "status": vf.Status, "agency": vf.F.Agency,
		"cluster": vf.F.Cluster, "indicator": vf.F.Indicator, "region": vf.F.Within, "order": vf.F.Order} {
		if val != "" {
			v.Set(k, val)
		}
	}
	return v
}

func oneOfStr(v string, list ...string) bool {
	for _, x := range list {
		if v == x {
			return true
		}
	}
	return false
}

func (s *Server) klaVerifyList(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.verify_title")
	page, err := s.klaVerifyPage(r, b, r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "kla_verify", page)
}

// klaVerifyPage is the list of values of the filter and page in q.
func (s *Server) klaVerifyPage(r *http.Request, b Base, q url.Values) (KLAVerifyPage, error) {
	if !b.Scope.Can(domain.PermVerifyKLA) {
		return KLAVerifyPage{}, domain.E(domain.EForbidden, "kla.err.verify_forbidden")
	}
	ctx := r.Context()
	vf, err := s.readVerifyFilter(r, b, q)
	if err != nil {
		return KLAVerifyPage{}, err
	}
	g, year, f := vf.Regime, vf.Year, vf.F
	page := KLAVerifyPage{Base: b, Regime: g, Year: year, Years: s.klaYears(), Status: vf.Status, Order: f.Order, Names: map[string]string{}}
	inds, err := kla.Indicators(ctx, s.st, g.ID)
	if err != nil {
		return page, err
	}
	page.Indicators = inds
	for _, i := range inds {
		page.Names[i.ID] = i.Name
	}
	page.F = f
	if page.Total, err = kla.CountValues(ctx, s.st, b.Scope, f); err != nil {
		return page, err
	}
	pageNum := min(vf.Page, max((page.Total+verifyPer-1)/verifyPer, 1))
	f.Limit, f.Offset = verifyPer, (pageNum-1)*verifyPer
	if page.Values, err = kla.ListValues(ctx, s.st, b.Scope, f); err != nil {
		return page, err
	}
	if len(page.Values) > 0 {
		page.From, page.To = f.Offset+1, f.Offset+len(page.Values)
	}
	for _, v := range page.Values {
		if v.Status != domain.KLAVerified {
			page.Refs = append(page.Refs, encodeRef(kla.RefOf(v)))
		}
	}
	v := vf.query()
	page.Query = v.Encode() + "&page=" + strconv.Itoa(pageNum)
	page.listPager = newPager("/kla/verifikasi", v, pageNum, page.Total, verifyPer)
	if b.Scope.RegionCode != "" {
		if page.Districts, err = s.st.SearchRegions(ctx, store.RegionQuery{Parent: b.Scope.RegionCode, Limit: 200}); err != nil {
			return page, err
		}
	}
	if page.Agencies, err = kla.Agencies(ctx, s.st); err != nil {
		return page, err
	}
	if page.Audits, err = audits.New(s.st).KLAEvidence(ctx, b.Scope, g.ID, year, ""); err != nil {
		return page, err
	}
	return page, nil
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
	// Only on the value as shown: entered again or decided since, the
	// verdict is refused and the list shows the value as it is now.
	ref := kla.ValueRef{RegionCode: region, Year: year, IndicatorID: ind, Version: r.PostFormValue("version")}
	if err := kla.VerifyShown(r.Context(), s.st, b.Scope, g.ID, ref, accept, v, r.PostFormValue("note")); err != nil {
		if domain.CodeOf(err) != domain.EConflict {
			s.fail(w, r, err)
			return
		}
		b.Error = httpx.ErrorText(b.Lang, httpx.Public(s.log, r, err))
		back, perr := url.ParseQuery(r.PostFormValue("back"))
		if perr != nil || back.Get("year") == "" {
			back = url.Values{"year": {strconv.Itoa(year)}}
		}
		page, err := s.klaVerifyPage(r, b, back)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, http.StatusConflict, "kla_verify", page)
		return
	}
	flash := "kla_value_accepted"
	if !accept {
		flash = "kla_value_rejected"
	}
	http.Redirect(w, r, withOK(verifyBack(r.PostFormValue("back"), year), flash), http.StatusSeeOther)
}

// verifyBack is the way back to the list a form was sent from: its
// filter and page, else the year's pending values.
func verifyBack(back string, year int) string {
	if q, err := url.ParseQuery(back); err == nil && q.Get("year") != "" {
		return "/kla/verifikasi?" + q.Encode()
	}
	return "/kla/verifikasi?year=" + strconv.Itoa(year)
}

// StatusList lists the verification states of the filter.
func (KLAVerifyPage) StatusList() []string {
	return []string{domain.KLAPending, domain.KLAVerified, domain.KLARejected, statusAll}
}

// OrderList lists the orders of the list: by region and indicator, by age.
func (KLAVerifyPage) OrderList() []string { return []string{"", kla.OrderOldest, kla.OrderNewest} }

// ClusterList lists the KLA clusters for the filter.
func (KLAVerifyPage) ClusterList() []string { return domain.KLAClusters }

// ValueVersion is the version of a value as shown (kla.ValueVersion): its
// verdict form sends it back, so a value changed meanwhile is not decided
// blindly.
func (KLAVerifyPage) ValueVersion(v domain.KLAValue) string { return kla.ValueVersion(v) }

// CanAcceptAll reports whether the page offers "accept all shown": some
// value shown is not verified yet.
func (p KLAVerifyPage) CanAcceptAll() bool { return len(p.Refs) > 0 }
