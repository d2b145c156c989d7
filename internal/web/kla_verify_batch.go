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

// "Accept all shown" (terima semua yang tampil) on /kla/verifikasi: the
// list's button posts the values shown with their versions; a
// confirmation page says how many values of which filter will be
// accepted, and its button accepts exactly those (kla.AcceptValues).

// KLAVerifyConfirmPage is the confirmation of accepting all values shown.
type KLAVerifyConfirmPage struct {
	Base
	Count  int
	Filter []FilterItem      // the filter the values were shown under
	Rows   []domain.KLAValue // the values, as they are now
	Names  map[string]string // indicator names by id
	Refs   []string          // the values and versions to accept
	Back   string            // the list's query string (filter and page)
	Error  string            // why nothing was accepted
}

// FilterItem is one criterion of a filter, in words.
type FilterItem struct{ Label, Value string }

// BackURL is the list the values were shown on.
func (p KLAVerifyConfirmPage) BackURL() string {
	q, _ := url.ParseQuery(p.Back)
	return "/kla/verifikasi?" + q.Encode()
}

// encodeRef writes a value reference for a form field.
func encodeRef(r kla.ValueRef) string {
	return r.RegionCode + "|" + strconv.Itoa(r.Year) + "|" + r.IndicatorID + "|" + r.Version
}

// decodeRefs reads the references posted; all must be of year.
func decodeRefs(raw []string, year int) ([]kla.ValueRef, bool) {
	var out []kla.ValueRef
	for _, s := range raw {
		p := strings.Split(s, "|")
		if len(p) != 4 {
			return nil, false
		}
		y, err := strconv.Atoi(p[1])
		if err != nil || y != year || !domain.ValidRegionCode(p[0]) {
			return nil, false
		}
		out = append(out, kla.ValueRef{RegionCode: p[0], Year: y, IndicatorID: p[2], Version: p[3]})
	}
	return out, true
}

func (s *Server) klaVerifyAll(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.verify_batch.title")
	if !b.Scope.Can(domain.PermVerifyKLA) {
		s.fail(w, r, domain.E(domain.EForbidden, "kla.err.verify_forbidden"))
		return
	}
	ctx := r.Context()
	backRaw := r.PostFormValue("back")
	back, err := url.ParseQuery(backRaw)
	if err != nil {
		back = url.Values{}
	}
	vf, err := s.readVerifyFilter(r, b, back)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	refs, ok := decodeRefs(r.PostForm["v"], vf.Year)
	if !ok || len(refs) == 0 {
		s.fail(w, r, domain.InvalidFields(domain.FieldErrors{"values": domain.M("kla.field.no_values")}))
		return
	}
	page := KLAVerifyConfirmPage{Base: b, Count: len(refs), Back: backRaw, Names: map[string]string{}}
	for _, ref := range refs {
		page.Refs = append(page.Refs, encodeRef(ref))
	}
	status := http.StatusOK
	if r.PostFormValue("step") == "accept" {
		n, err := kla.AcceptValues(ctx, s.st, b.Scope, vf.Regime.ID, refs, r.PostFormValue("note"))
		if err == nil {
			back := withOKCount(verifyBack(backRaw, vf.Year), "kla_accepted_n", n)
			if n == 1 {
				back = withOK(verifyBack(backRaw, vf.Year), "kla_value_accepted")
			}
			http.Redirect(w, r, back, http.StatusSeeOther)
			return
		}
		if domain.CodeOf(err) != domain.EConflict {
			s.fail(w, r, err)
			return
		}
		status = http.StatusConflict
		page.Error = httpx.ErrorText(b.Lang, httpx.Public(s.log, r, err))
	}
	if err := s.describeVerifyFilter(r, b, vf, &page); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "kla_verify_confirm", page)
}

// describeVerifyFilter fills the confirmation's filter in words and the
// values to accept as they are now.
func (s *Server) describeVerifyFilter(r *http.Request, b Base, vf verifyFilter, page *KLAVerifyConfirmPage) error {
	ctx := r.Context()
	inds, err := kla.Indicators(ctx, s.st, vf.Regime.ID)
	if err != nil {
		return err
	}
	for _, i := range inds {
		page.Names[i.ID] = i.Name
	}
	add := func(label, value string) {
		page.Filter = append(page.Filter, FilterItem{Label: b.T(label), Value: value})
	}
	add("kla.year", strconv.Itoa(vf.Year))
	add("kla.status", b.T("kla.status."+vf.Status))
	if vf.F.Within != "" {
		name := vf.F.Within
		if reg, err := s.st.GetRegion(ctx, vf.F.Within); err == nil {
			name = reg.Name
		}
		add("kla.region", name)
	}
	if vf.F.Agency != "" {
		ags, err := kla.Agencies(ctx, s.st)
		if err != nil {
			return err
		}
		name := vf.F.Agency
		for _, a := range ags {
			if a.Code == vf.F.Agency {
				name = a.Name
			}
		}
		add("kla.agency", name)
	}
	if vf.F.Cluster != "" {
		add("kla.cluster", b.ClusterName(vf.F.Cluster))
	}
	if vf.F.Indicator != "" {
		add("kla.indicator", vf.F.Indicator+". "+page.Names[vf.F.Indicator])
	}
	add("kla.verify_order", b.T("kla.verify_order."+orderKey(vf.F.Order)))
	add("kla.verify_batch.page", strconv.Itoa(vf.Page))
	// The values as they are now, in the order shown: read by region
	// (the values of a page lie in one or a few regions).
	f := kla.ValueFilter{Regime: vf.Regime.ID, Year: vf.Year, Limit: 5000}
	now := map[string]domain.KLAValue{}
	for _, ref := range page.Refs {
		reg := strings.SplitN(ref, "|", 2)[0]
		if f.RegionCode == reg {
			continue
		}
		if _, done := now[reg]; done {
			continue
		}
		now[reg] = domain.KLAValue{}
		f.RegionCode = reg
		vals, err := kla.ListValues(ctx, s.st, b.Scope, f)
		if err != nil {
			return err
		}
		for _, v := range vals {
			now[v.RegionCode+"|"+v.IndicatorID] = v
		}
	}
	for _, ref := range page.Refs {
		p := strings.Split(ref, "|")
		if v, ok := now[p[0]+"|"+p[2]]; ok {
			page.Rows = append(page.Rows, v)
		}
	}
	return nil
}

// orderKey names an order for its label key.
func orderKey(o string) string {
	if o == "" {
		return "region"
	}
	return o
}
