package web

import (
	"net/http"
	"strconv"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/kla"
)

// klaRubricSave stores the rubric. A rejected rubric comes back (422)
// with the typed values and a message under each bad field, keyed by the
// input's name ("year", "max_<id>", "best_<id>", "steps_<id>"...): the
// numbers this form could not read, and what kla.CheckRubric finds wrong
// with the rules it could.
func (s *Server) klaRubricSave(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.catalogue_title")
	if !b.Scope.Can(domain.PermManageKLA) {
		s.fail(w, r, domain.E(domain.EForbidden, "kla.err.manage_rubric"))
		return
	}
	regime := r.PostFormValue("regime")
	fields := domain.FieldErrors{}
	year, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("year")))
	if err != nil {
		fields["year"] = domain.M("kla.field.year")
	}
	inds, err := kla.Indicators(r.Context(), s.st, regime)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(inds) == 0 {
		s.fail(w, r, domain.NotFound("regime"))
		return
	}
	rules, readable := rubricFromForm(r, inds, year, fields)
	checkYear := year
	if _, bad := fields["year"]; bad {
		checkYear = 2000 // already reported
	}
	for k, m := range kla.CheckRubric(inds, checkYear, readable) {
		if _, seen := fields[k]; !seen {
			fields[k] = m
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
	if err := kla.SetRubric(r.Context(), s.st, b.Scope, regime, year, rules); err != nil {
		if e, ok := domain.AsError(err); ok && e.Code == domain.EInvalid {
			invalid(e.Fields)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, withOK("/kla/katalog?regime="+regime+"&year="+strconv.Itoa(year), "kla_saved"), http.StatusSeeOther)
}

// rubricFromForm reads the rule of every indicator from the rubric form:
// all rules as typed, and those whose numbers could be read. A number
// that cannot be read (or is missing where needed) is a field error.
func rubricFromForm(r *http.Request, inds []domain.KLAIndicator, year int, fields domain.FieldErrors) (rules, readable []domain.KLARule) {
	// num reads a number; an empty field is an error only when needed.
	num := func(name string, needed bool) (float64, bool) {
		if v, ok := klaNumber(r, name); ok {
			return v, true
		}
		if needed || strings.TrimSpace(r.PostFormValue(name)) != "" {
			fields[name] = domain.M("kla.field.enter_number")
			return 0, false
		}
		return 0, true
	}
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
		if ok1 && ok2 && ok3 {
			readable = append(readable, rule)
		}
	}
	return rules, readable
}

// RuleText describes a scoring rule in words ("Paling banyak 3.2 poin:
// 0 poin pada nilai 40, penuh pada 0, sebanding di antaranya"); a
// threshold rule lists its steps as "from value v: p points".
func (b Base) RuleText(r domain.KLARule) string {
	most := strconv.FormatFloat(r.MaxPoints, 'f', 1, 64)
	if r.Method != "threshold" {
		return b.T("kla.rule_text.linear", most, b.Num(r.Worst), b.Num(r.Best))
	}
	var steps []string
	for _, st := range strings.Split(r.Steps, ",") {
		v, f, ok := strings.Cut(strings.TrimSpace(st), ":")
		frac, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if !ok || err != nil {
			steps = append(steps, st)
			continue
		}
		steps = append(steps, b.T("kla.rule_text.step", strings.TrimSpace(v), strconv.FormatFloat(frac*r.MaxPoints, 'f', -1, 64)))
	}
	return b.T("kla.rule_text.threshold", most, strings.Join(steps, "; "))
}
