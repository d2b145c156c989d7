package web

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/kla"
	"lindu/internal/spreadsheet"
)

// The indicator catalogue: regimes, indicators and the rubric in force,
// the import of a catalogue file and the edit of one indicator.

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
	if page.Regimes, err = kla.Regimes(ctx, s.st); err != nil {
		return page, err
	}
	if page.Agencies, err = kla.Agencies(ctx, s.st); err != nil {
		return page, err
	}
	if id == "" {
		g, err := kla.RegimeFor(ctx, s.st, year)
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
	if page.Indicators, err = kla.Indicators(ctx, s.st, page.Regime.ID); err != nil {
		return page, err
	}
	rules, err := kla.StoredRules(ctx, s.st, page.Regime.ID, year)
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
		s.fail(w, r, domain.E(domain.EForbidden, "kla.err.manage_catalogue"))
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
		fail(kla.RowErrors{{Line: 0, Reasons: []domain.Msg{domain.M("kla.choose_file")}}})
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
	var re kla.RowErrors
	if errors.As(err, &re) {
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
	if err := kla.ImportRegime(r.Context(), s.st, b.Scope, domain.KLARegime{ID: regime, Name: name, FromYear: from}, inds); err != nil {
		if e, ok := domain.AsError(err); ok && e.Code == domain.EInvalid {
			// The regime's name or first year: the file itself was read.
			keys := make([]string, 0, len(e.Fields))
			for k := range e.Fields {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var re kla.RowErrors
			for _, k := range keys {
				re = append(re, kla.RowError{Line: 0, Reasons: []domain.Msg{e.Fields[k]}})
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
	if err := kla.UpdateIndicator(r.Context(), s.st, b.Scope, ind); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, withOK("/kla/katalog?regime="+ind.Regime, "kla_saved"), http.StatusSeeOther)
}

// AgencyName is an agency's name (the tables show names, not codes).
func (p KLACataloguePage) AgencyName(code string) string { return agencyName(p.Agencies, code) }
