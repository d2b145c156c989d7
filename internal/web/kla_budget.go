package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/spreadsheet"
)

// Programme budgets: the tree per year and agency, a new line, and the
// amounts of a sub-activity.

// BudgetRow is one line of the flattened budget tree.
type BudgetRow struct {
	*domain.KLABudgetItem
	Depth int
}

// KLABudgetPage is /kla/anggaran.
type KLABudgetPage struct {
	Base
	Year       int
	Years      []int
	Agency     string
	Agencies   []domain.KLAAgency
	Rows       []BudgetRow
	Parents    []BudgetRow
	CanEdit    bool
	MyAgency   string
	TotalB     int64
	TotalR     int64
	TotalShare float64
	Exports    ExportLinks
}

func flatten(items []*domain.KLABudgetItem, depth int, out *[]BudgetRow) {
	for _, it := range items {
		*out = append(*out, BudgetRow{KLABudgetItem: it, Depth: depth})
		flatten(it.Children, depth+1, out)
	}
}

func (s *Server) klaBudget(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.budget_title")
	page, err := s.klaBudgetList(r, b)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, row := range page.Rows {
		if row.Level != domain.BudgetSubActivity && (page.MyAgency == "" || row.Agency == page.MyAgency) {
			page.Parents = append(page.Parents, row)
		}
	}
	q := url.Values{"year": {strconv.Itoa(page.Year)}}
	if page.Agency != "" {
		q.Set("agency", page.Agency)
	}
	page.Exports = exportLinks(b, "/kla/anggaran/ekspor", q)
	s.render(w, r, http.StatusOK, "kla_budget", page)
}

// klaBudgetList is the budget tree of the year and agency asked for,
// flattened, with its totals.
func (s *Server) klaBudgetList(r *http.Request, b Base) (KLABudgetPage, error) {
	ctx := r.Context()
	_, year := s.klaRegionYear(r, b)
	page := KLABudgetPage{Base: b, Year: year, Years: s.klaPlanYears(), Agency: r.URL.Query().Get("agency")}
	var err error
	if page.Agencies, err = kla.Agencies(ctx, s.st); err != nil {
		return page, err
	}
	if b.Scope.Can(domain.PermEnterKLA) && !b.Scope.Can(domain.PermManageKLA) {
		if page.MyAgency, err = kla.UserAgency(ctx, s.st, b.User.ID); err != nil {
			return page, err
		}
	}
	page.CanEdit = b.Scope.Can(domain.PermManageKLA) || page.MyAgency != ""
	tree, err := kla.ListBudget(ctx, s.st, b.Scope, "", year, page.Agency)
	if err != nil {
		return page, err
	}
	flatten(tree, 0, &page.Rows)
	for _, t := range tree {
		page.TotalB += t.Budget
		page.TotalR += t.Realised
	}
	if page.TotalB > 0 {
		page.TotalShare = float64(page.TotalR) / float64(page.TotalB) * 100
	}
	return page, nil
}

// klaBudgetExport downloads the page's budget lines (the year and agency
// of its filter), in the page's order, amounts in whole rupiah as numbers,
// and the total. Authorization: as the page (kla.ListBudget).
func (s *Server) klaBudgetExport(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := s.base(w, r, "kla.budget_title")
		page, err := s.klaBudgetList(r, b)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		pct := func(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }
		t := spreadsheet.Table{Sheet: b.T("kla.budget_heading"), Columns: []spreadsheet.Column{
			{Header: b.T("kla.year"), Kind: spreadsheet.Int}, {Header: b.T("kla.level")}, {Header: b.T("kla.code")}, {Header: b.T("kla.name")},
			{Header: b.T("kla.agency")}, {Header: b.T("export.budget_rp"), Kind: spreadsheet.Int},
			{Header: b.T("export.realised_rp"), Kind: spreadsheet.Int}, {Header: b.T("export.realised_pct"), Kind: spreadsheet.Decimal}}}
		for _, x := range page.Rows {
			t.Rows = append(t.Rows, []string{strconv.Itoa(x.Year), b.T("kla.level." + x.Level), x.Code, x.Name, page.AgencyName(x.Agency),
				strconv.FormatInt(x.Budget, 10), strconv.FormatInt(x.Realised, 10), pct(x.Percent())})
		}
		t.Rows = append(t.Rows, []string{"", b.T("kla.total"), "", "", "", strconv.FormatInt(page.TotalB, 10),
			strconv.FormatInt(page.TotalR, 10), pct(page.TotalShare)})
		t.Meta = s.exportMeta(b, r, len(page.Rows), false)
		name := "anggaran-kla-" + strconv.Itoa(page.Year)
		if page.Agency != "" {
			name += "-" + page.Agency
		}
		s.writeTable(w, r, format, name, t)
	}
}

// MayEdit reports whether the caller may change a line of agency.
func (p KLABudgetPage) MayEdit(agency string) bool {
	return p.Scope.Can(domain.PermManageKLA) || (p.MyAgency != "" && p.MyAgency == agency)
}

// Indent is the visual indentation of a level.
func (BudgetRow) Indent(d int) string { return strings.Repeat("— ", d) }

func (s *Server) klaBudgetAdd(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.budget_title")
	year, _ := strconv.Atoi(r.PostFormValue("year"))
	region := b.User.RegionCode
	if region == "" {
		region = s.opt.RootRegion
	}
	// Amounts sit on sub-activities; a programme or activity leaves them
	// empty (0).
	bud, _ := kla.ParseRupiah(r.PostFormValue("budget"))
	real, _ := kla.ParseRupiah(r.PostFormValue("realised"))
	item := domain.KLABudgetItem{RegionCode: region, Year: year, Agency: r.PostFormValue("agency"), ParentID: r.PostFormValue("parent_id"),
		Level: r.PostFormValue("level"), Code: strings.TrimSpace(r.PostFormValue("code")), Name: strings.TrimSpace(r.PostFormValue("name")),
		Budget: bud, Realised: real}
	if item.ParentID != "" {
		// The parent decides the agency.
		tree, err := kla.ListBudget(r.Context(), s.st, b.Scope, "", year, "")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var rows []BudgetRow
		flatten(tree, 0, &rows)
		for _, x := range rows {
			if x.ID == item.ParentID {
				item.Agency = x.Agency
			}
		}
	}
	if _, err := kla.AddBudgetItem(r.Context(), s.st, b.Scope, item); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, withOK("/kla/anggaran?year="+strconv.Itoa(year), "kla_saved"), http.StatusSeeOther)
}

func (s *Server) klaBudgetSet(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.budget_title")
	bud, err1 := kla.ParseRupiah(r.PostFormValue("budget"))
	real, err2 := kla.ParseRupiah(r.PostFormValue("realised"))
	if err1 != nil || err2 != nil {
		s.fail(w, r, domain.InvalidFields(domain.FieldErrors{"budget": domain.M("kla.field.whole_rupiah")}))
		return
	}
	if err := kla.SetBudgetRealised(r.Context(), s.st, b.Scope, r.PathValue("id"), bud, real); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, withOK("/kla/anggaran?year="+r.PostFormValue("year"), "kla_saved"), http.StatusSeeOther)
}

// AgencyName is an agency's name (the tables show names, not codes).
func (p KLABudgetPage) AgencyName(code string) string { return agencyName(p.Agencies, code) }
