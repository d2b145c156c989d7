package web

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/kla"
	"lindu/internal/spreadsheet"
	"lindu/internal/store"
)

// klaRoutes mounts the KLA pages.
func (s *Server) klaRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /kla", s.staff(s.klaDashboard))
	mux.HandleFunc("GET /kla/ekspor.csv", s.staff(s.klaExport("csv")))
	mux.HandleFunc("GET /kla/ekspor.xlsx", s.staff(s.klaExport("xlsx")))
	mux.HandleFunc("GET /kla/isi", s.staff(s.klaEntry))
	mux.HandleFunc("POST /kla/isi", limitBody(40<<20, s.staff(s.klaEntrySave)))
	mux.HandleFunc("GET /kla/templat.csv", s.staff(s.klaTemplate("csv")))
	mux.HandleFunc("GET /kla/templat.xlsx", s.staff(s.klaTemplate("xlsx")))
	mux.HandleFunc("POST /kla/unggah", limitBody(6<<20, s.staff(s.klaUpload)))
	mux.HandleFunc("GET /kla/riwayat", s.staff(s.klaHistory))
	mux.HandleFunc("GET /kla/bukti/{id}", s.staff(s.klaFile))
	mux.HandleFunc("GET /kla/verifikasi", s.staff(s.klaVerifyList))
	mux.HandleFunc("POST /kla/verifikasi", s.staff(s.klaVerify))
	mux.HandleFunc("GET /kla/katalog", s.staff(s.klaCatalogue))
	mux.HandleFunc("POST /kla/katalog/impor", limitBody(6<<20, s.staff(s.klaCatalogueImport)))
	mux.HandleFunc("POST /kla/katalog/indikator", s.staff(s.klaIndicatorSave))
	mux.HandleFunc("POST /kla/rubrik", s.staff(s.klaRubricSave))
	mux.HandleFunc("GET /kla/perjanjian", s.staff(s.klaAgreements))
	mux.HandleFunc("POST /kla/perjanjian", s.staff(s.klaAgreementCreate))
	mux.HandleFunc("POST /kla/perjanjian/{id}/komitmen", s.staff(s.klaCommitmentAdd))
	mux.HandleFunc("POST /kla/komitmen/{id}/realisasi", s.staff(s.klaRealisationAdd))
	mux.HandleFunc("GET /kla/opd/{code}", s.staff(s.klaAgreements))
	mux.HandleFunc("GET /kla/anggaran", s.staff(s.klaBudget))
	mux.HandleFunc("POST /kla/anggaran", s.staff(s.klaBudgetAdd))
	mux.HandleFunc("POST /kla/anggaran/{id}", s.staff(s.klaBudgetSet))
}

// CommitmentView is a commitment with its achievement.
type CommitmentView struct {
	domain.KLACommitment
	Latest     *domain.KLARealisation
	Capaian    float64
	Formula    string
	Status     string
	CanRealise bool
}

// AgreementView is an agreement with computed commitments.
type AgreementView struct {
	domain.KLAAgreement
	Views []CommitmentView
}

// KLAAgreementsPage is /kla/perjanjian and /kla/opd/{code}.
type KLAAgreementsPage struct {
	Base
	Year       int
	Years      []int
	Agency     *domain.KLAAgency
	Agencies   []domain.KLAAgency
	Agreements []AgreementView
	Budget     []*domain.KLABudgetItem
	CanManage  bool
	Today      string
}

func elapsed(start, end string, now time.Time) float64 {
	a, err1 := time.Parse("2006-01-02", start)
	b, err2 := time.Parse("2006-01-02", end)
	if err1 != nil || err2 != nil || !b.After(a) {
		return 1
	}
	return now.Sub(a).Hours() / b.AddDate(0, 0, 1).Sub(a).Hours()
}

func (s *Server) klaAgreements(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.agreements_title")
	ctx := r.Context()
	_, year := s.klaRegionYear(r, b)
	page := KLAAgreementsPage{Base: b, Year: year, Years: s.klaPlanYears(), CanManage: b.Scope.Can(domain.PermManageKLA),
		Today: s.now().In(domain.WIB).Format("2006-01-02")}
	ags, err := s.st.KLAAgencies(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.Agencies = ags
	code := r.PathValue("code")
	if code != "" {
		for i := range ags {
			if ags[i].Code == code {
				page.Agency = &ags[i]
			}
		}
		if page.Agency == nil {
			s.fail(w, r, domain.NotFound("agency"))
			return
		}
	}
	list, err := s.st.ListKLAAgreements(ctx, b.Scope, "", year, code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	mine := ""
	if b.Scope.Can(domain.PermEnterKLA) && !page.CanManage {
		mine, _ = s.st.UserAgency(ctx, b.User.ID)
	}
	now := s.now()
	for _, a := range list {
		av := AgreementView{KLAAgreement: a}
		for _, c := range a.Commitments {
			cv := CommitmentView{KLACommitment: c, Formula: domain.CapaianFormula(c.Polarity),
				CanRealise: page.CanManage || (mine != "" && mine == a.Agency)}
			if l, ok := c.Latest(); ok {
				cv.Latest = &l
				cv.Capaian = domain.Capaian(c.Polarity, c.Target, l.Value)
			}
			cv.Status = domain.CommitmentStatus(c.Polarity, cv.Capaian, elapsed(c.PeriodStart, c.PeriodEnd, now), cv.Latest != nil)
			av.Views = append(av.Views, cv)
		}
		page.Agreements = append(page.Agreements, av)
	}
	if code != "" {
		if page.Budget, err = s.st.ListKLABudget(ctx, b.Scope, "", year, code); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "kla_agreements", page)
}

// Pct formats a percentage with one decimal.
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

func formFloat(r *http.Request, name string) (float64, bool) {
	v, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(r.PostFormValue(name)), ",", "."), 64)
	return v, err == nil
}

func commitmentFromForm(r *http.Request) domain.KLACommitment {
	t, _ := formFloat(r, "target")
	return domain.KLACommitment{Name: strings.TrimSpace(r.PostFormValue("c_name")), Unit: strings.TrimSpace(r.PostFormValue("unit")),
		Polarity: domain.Polarity(r.PostFormValue("polarity")), Target: t, PeriodStart: r.PostFormValue("period_start"),
		PeriodEnd: r.PostFormValue("period_end")}
}

func (s *Server) klaAgreementCreate(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.agreements_title")
	year, _ := strconv.Atoi(r.PostFormValue("year"))
	region := b.User.RegionCode
	if region == "" {
		region = s.opt.RootRegion
	}
	a := domain.KLAAgreement{RegionCode: region, Year: year, Agency: r.PostFormValue("agency"),
		Title: strings.TrimSpace(r.PostFormValue("title")), SignedOn: r.PostFormValue("signed_on")}
	if strings.TrimSpace(r.PostFormValue("c_name")) != "" {
		a.Commitments = []domain.KLACommitment{commitmentFromForm(r)}
	}
	if _, err := s.st.CreateKLAAgreement(r.Context(), b.Scope, a); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, withOK("/kla/perjanjian?year="+strconv.Itoa(year), "kla_saved"), http.StatusSeeOther)
}

func (s *Server) klaCommitmentAdd(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.agreements_title")
	if err := s.st.AddKLACommitment(r.Context(), b.Scope, r.PathValue("id"), commitmentFromForm(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, withOK(localPath(r.PostFormValue("next"), "/kla/perjanjian"), "kla_saved"), http.StatusSeeOther)
}

func (s *Server) klaRealisationAdd(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.agreements_title")
	v, ok := formFloat(r, "value")
	if !ok {
		s.fail(w, r, domain.Invalid("bad value", map[string]string{"value": "not a number"}))
		return
	}
	err := s.st.AddKLARealisation(r.Context(), b.Scope, r.PathValue("id"),
		domain.KLARealisation{OnDate: r.PostFormValue("on_date"), Value: v, Note: strings.TrimSpace(r.PostFormValue("note"))})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, withOK(localPath(r.PostFormValue("next"), "/kla/perjanjian"), "kla_saved"), http.StatusSeeOther)
}

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
}

func flatten(items []*domain.KLABudgetItem, depth int, out *[]BudgetRow) {
	for _, it := range items {
		*out = append(*out, BudgetRow{KLABudgetItem: it, Depth: depth})
		flatten(it.Children, depth+1, out)
	}
}

func (s *Server) klaBudget(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.budget_title")
	ctx := r.Context()
	_, year := s.klaRegionYear(r, b)
	page := KLABudgetPage{Base: b, Year: year, Years: s.klaPlanYears(), Agency: r.URL.Query().Get("agency")}
	var err error
	if page.Agencies, err = s.st.KLAAgencies(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	if b.Scope.Can(domain.PermEnterKLA) && !b.Scope.Can(domain.PermManageKLA) {
		page.MyAgency, _ = s.st.UserAgency(ctx, b.User.ID)
	}
	page.CanEdit = b.Scope.Can(domain.PermManageKLA) || page.MyAgency != ""
	tree, err := s.st.ListKLABudget(ctx, b.Scope, "", year, page.Agency)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	flatten(tree, 0, &page.Rows)
	for _, t := range tree {
		page.TotalB += t.Budget
		page.TotalR += t.Realised
	}
	if page.TotalB > 0 {
		page.TotalShare = float64(page.TotalR) / float64(page.TotalB) * 100
	}
	for _, row := range page.Rows {
		if row.Level != domain.BudgetSubActivity && (page.MyAgency == "" || row.Agency == page.MyAgency) {
			page.Parents = append(page.Parents, row)
		}
	}
	s.render(w, r, http.StatusOK, "kla_budget", page)
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
	bud, _ := strconv.ParseInt(strings.ReplaceAll(r.PostFormValue("budget"), ".", ""), 10, 64)
	real, _ := strconv.ParseInt(strings.ReplaceAll(r.PostFormValue("realised"), ".", ""), 10, 64)
	item := domain.KLABudgetItem{RegionCode: region, Year: year, Agency: r.PostFormValue("agency"), ParentID: r.PostFormValue("parent_id"),
		Level: r.PostFormValue("level"), Code: strings.TrimSpace(r.PostFormValue("code")), Name: strings.TrimSpace(r.PostFormValue("name")),
		Budget: bud, Realised: real}
	if item.ParentID != "" {
		// The parent decides the agency.
		tree, err := s.st.ListKLABudget(r.Context(), b.Scope, "", year, "")
		if err == nil {
			var rows []BudgetRow
			flatten(tree, 0, &rows)
			for _, x := range rows {
				if x.ID == item.ParentID {
					item.Agency = x.Agency
				}
			}
		}
	}
	if _, err := s.st.AddKLABudgetItem(r.Context(), b.Scope, item); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, withOK("/kla/anggaran?year="+strconv.Itoa(year), "kla_saved"), http.StatusSeeOther)
}

func (s *Server) klaBudgetSet(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.budget_title")
	bud, err1 := strconv.ParseInt(strings.ReplaceAll(r.PostFormValue("budget"), ".", ""), 10, 64)
	real, err2 := strconv.ParseInt(strings.ReplaceAll(r.PostFormValue("realised"), ".", ""), 10, 64)
	if err1 != nil || err2 != nil {
		s.fail(w, r, domain.Invalid("bad amount", map[string]string{"budget": "whole rupiah"}))
		return
	}
	if err := s.st.SetKLABudgetRealised(r.Context(), b.Scope, r.PathValue("id"), bud, real); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, withOK("/kla/anggaran?year="+r.PostFormValue("year"), "kla_saved"), http.StatusSeeOther)
}

// KLACataloguePage is /kla/katalog.
type KLACataloguePage struct {
	Base
	Regimes    []domain.KLARegime
	Regime     domain.KLARegime
	Indicators []domain.KLAIndicator
	Rubric     kla.Rubric
	Year       int
	Years      []int
	CanManage  bool
	RowErrors  kla.RowErrors
	Agencies   []domain.KLAAgency
	RubricForm url.Values // the rubric as posted, after a rejected save
}

// Rule returns the rule of an indicator.
func (p KLACataloguePage) Rule(id string) domain.KLARule { return p.Rubric[id] }

// RubricInput is the value of the rubric input field ("method", "max",
// "worst", "best" or "steps") of an indicator: as typed after a rejected
// save, else from the rule in force.
func (p KLACataloguePage) RubricInput(field, id string) string {
	if p.RubricForm != nil {
		return p.RubricForm.Get(field + "_" + id)
	}
	r := p.Rubric[id]
	switch field {
	case "method":
		return r.Method
	case "max":
		return p.Num(r.MaxPoints)
	case "worst":
		return p.Num(r.Worst)
	case "best":
		return p.Num(r.Best)
	}
	return r.Steps
}

// KLARubricField is a text input of a rubric row.
type KLARubricField struct {
	Name, Prefix, Label string
	Size                int
	Numeric             bool
}

// RubricFields are the text inputs of a rubric row, in column order (the
// element ids "rx-", "rw-", "rb-", "rs-" are kept for scripts and tests).
func (KLACataloguePage) RubricFields() []KLARubricField {
	return []KLARubricField{{"max", "x", "kla.max", 6, true}, {"worst", "w", "kla.worst", 5, true},
		{"best", "b", "kla.best", 5, true}, {"steps", "s", "kla.steps", 12, false}}
}

// RubricYear is the "from year" of the rubric form.
func (p KLACataloguePage) RubricYear() string {
	if p.RubricForm != nil {
		return p.RubricForm.Get("year")
	}
	return strconv.Itoa(p.Year)
}

// Units lists the units.
func (KLACataloguePage) Units() []string { return domain.KLAUnits }

func (s *Server) klaCataloguePage(r *http.Request, b Base) (KLACataloguePage, error) {
	_, year := s.klaRegionYear(r, b)
	return s.klaCataloguePageFor(r, b, r.URL.Query().Get("regime"), year)
}

// klaCataloguePageFor builds the catalogue page of a regime ("" for the
// one in force in year) with the rubric of year.
func (s *Server) klaCataloguePageFor(r *http.Request, b Base, id string, year int) (KLACataloguePage, error) {
	ctx := r.Context()
	page := KLACataloguePage{Base: b, Year: year, Years: s.klaYears(), CanManage: b.Scope.Can(domain.PermManageKLA)}
	var err error
	if page.Regimes, err = s.st.KLARegimes(ctx); err != nil {
		return page, err
	}
	if page.Agencies, err = s.st.KLAAgencies(ctx); err != nil {
		return page, err
	}
	if id == "" {
		g, err := s.st.KLARegimeFor(ctx, year)
		if err != nil {
			return page, nil
		}
		id = g.ID
	}
	for _, g := range page.Regimes {
		if g.ID == id {
			page.Regime = g
		}
	}
	if page.Regime.ID == "" {
		return page, nil
	}
	if page.Indicators, err = s.st.KLAIndicators(ctx, page.Regime.ID); err != nil {
		return page, err
	}
	rules, err := s.st.KLARubric(ctx, page.Regime.ID, year)
	if err != nil {
		return page, err
	}
	page.Rubric = kla.RubricFor(page.Indicators, rules)
	return page, nil
}

func (s *Server) klaCatalogue(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.catalogue_title")
	page, err := s.klaCataloguePage(r, b)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "kla_catalogue", page)
}

func (s *Server) klaCatalogueImport(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.catalogue_title")
	if !b.Scope.Can(domain.PermManageKLA) {
		s.fail(w, r, domain.Errorf(domain.EForbidden, "only an administrator imports a catalogue"))
		return
	}
	fail := func(re kla.RowErrors) {
		page, err := s.klaCataloguePage(r, b)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		page.RowErrors = re
		page.Error = b.T("kla.import_failed", len(re))
		s.render(w, r, http.StatusUnprocessableEntity, "kla_catalogue", page)
	}
	f, fh, err := r.FormFile("file")
	if err != nil {
		fail(kla.RowErrors{{Line: 0, Reason: b.T("kla.choose_file")}})
		return
	}
	data, err := readUpload(f)
	f.Close()
	var regime string
	var inds []domain.KLAIndicator
	if err == nil {
		regime, inds, err = kla.ParseCatalogue(r.Context(), data, fh.Filename)
	}
	if le, ok := spreadsheet.AsError(err); ok {
		s.log.Info("kla catalogue upload refused", "limit", le.Key)
		page, perr := s.klaCataloguePage(r, b)
		if perr != nil {
			s.fail(w, r, perr)
			return
		}
		page.Error = uploadRefused(b, le)
		s.render(w, r, httpx.StatusFor(domain.ETooLarge), "kla_catalogue", page)
		return
	}
	if re, ok := err.(kla.RowErrors); ok {
		fail(re)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	from, _ := strconv.Atoi(r.PostFormValue("from_year"))
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" {
		name = regime
	}
	if err := s.st.ImportKLARegime(r.Context(), b.Scope, domain.KLARegime{ID: regime, Name: name, FromYear: from}, inds); err != nil {
		if e, ok := domain.AsError(err); ok && e.Code == domain.EInvalid {
			var re kla.RowErrors
			for k, v := range e.Fields {
				re = append(re, kla.RowError{Line: 0, Reason: k + ": " + httpx.Text(b.Lang, v)})
			}
			fail(re)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, withOK("/kla/katalog?regime="+regime, "kla_saved"), http.StatusSeeOther)
}

func (s *Server) klaIndicatorSave(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.catalogue_title")
	ind := domain.KLAIndicator{Regime: r.PostFormValue("regime"), ID: r.PostFormValue("id"), Cluster: strings.TrimSpace(r.PostFormValue("cluster")),
		Name: strings.TrimSpace(r.PostFormValue("name")), Unit: r.PostFormValue("unit"), Polarity: domain.Polarity(r.PostFormValue("polarity")),
		Agency: r.PostFormValue("agency"), Definition: strings.TrimSpace(r.PostFormValue("definition")),
		SubItems: strings.TrimSpace(r.PostFormValue("sub_items")), Source: strings.TrimSpace(r.PostFormValue("source")),
		Computed: r.PostFormValue("computed")}
	if err := s.st.UpdateKLAIndicator(r.Context(), b.Scope, ind); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, withOK("/kla/katalog?regime="+ind.Regime, "kla_saved"), http.StatusSeeOther)
}

// klaRubricSave stores the rubric. A rejected rubric comes back (422)
// with the typed values and a message under each bad field, keyed by the
// input's name ("year", "max_<id>", "best_<id>", "steps_<id>"...).
func (s *Server) klaRubricSave(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.catalogue_title")
	if !b.Scope.Can(domain.PermManageKLA) {
		s.fail(w, r, domain.Errorf(domain.EForbidden, "only an administrator sets the KLA rubric"))
		return
	}
	regime := r.PostFormValue("regime")
	fields := domain.FieldErrors{}
	year, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("year")))
	if err != nil || year < 2000 || year > 2100 {
		fields["year"] = domain.M("field." + "a year between 2000 and 2100")
	}
	inds, err := s.st.KLAIndicators(r.Context(), regime)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(inds) == 0 {
		s.fail(w, r, domain.NotFound("regime"))
		return
	}
	// num reads a number; an empty field is an error only when needed.
	num := func(name string, needed bool) (float64, bool) {
		v, ok := formFloat(r, name)
		if ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
			return v, true
		}
		if needed || strings.TrimSpace(r.PostFormValue(name)) != "" {
			fields[name] = domain.M("field." + "enter a number")
			return 0, false
		}
		return 0, true
	}
	var rules []domain.KLARule
	for _, ind := range inds {
		id := ind.ID
		method := r.PostFormValue("method_" + id)
		linear := method == domain.RubricLinear
		max, ok1 := num("max_"+id, true)
		worst, ok2 := num("worst_"+id, linear)
		best, ok3 := num("best_"+id, linear)
		rule := domain.KLARule{IndicatorID: id, Year: year, Method: method, MaxPoints: max, Worst: worst, Best: best,
			Steps: strings.TrimSpace(r.PostFormValue("steps_" + id))}
		rules = append(rules, rule)
		if !ok1 || !ok2 || !ok3 {
			continue
		}
		if msg := kla.ValidateRuleFor(ind, rule); msg != "" {
			// Put the message under the input it is about.
			key := "best_" + id
			switch {
			case !(rule.MaxPoints >= 0 && rule.MaxPoints <= kla.Total):
				key = "max_" + id
			case method != domain.RubricLinear && method != domain.RubricThreshold:
				key = "method_" + id
			case method == domain.RubricThreshold:
				key = "steps_" + id
			}
			fields[key] = domain.M("field." + msg)
		}
	}
	invalid := func(fields domain.FieldErrors) {
		shown := year
		if _, bad := fields["year"]; bad {
			_, shown = s.klaRegionYear(r, b)
		}
		b.Error = b.T("form.fix_fields")
		b.Fields = translateFields(b, fields)
		page, err := s.klaCataloguePageFor(r, b, regime, shown)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		page.RubricForm = r.PostForm
		s.render(w, r, http.StatusUnprocessableEntity, "kla_catalogue", page)
	}
	if len(fields) > 0 {
		invalid(fields)
		return
	}
	if err := s.st.SetKLARubric(r.Context(), b.Scope, regime, year, rules); err != nil {
		if e, ok := domain.AsError(err); ok && e.Code == domain.EInvalid {
			invalid(e.Fields)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, withOK("/kla/katalog?regime="+regime+"&year="+strconv.Itoa(year), "kla_saved"), http.StatusSeeOther)
}

var _ = store.MaxKLAFile

// KLAPrefixed carries an id prefix into a shared form fragment.
type KLAPrefixed struct {
	Base
	P string
}

// Prefix passes an id prefix to the commitment fields.
func (b Base) Prefix(p string) KLAPrefixed { return KLAPrefixed{Base: b, P: p} }
