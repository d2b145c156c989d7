package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"lindu/internal/cases"
	"lindu/internal/domain"
)

// Changing a case after creation from the case page: the case's own
// details (POST /kasus/{id}/ubah), a victim, perpetrator or service
// (POST /kasus/{id}/{korban,pelaku,layanan}/{item}/ubah) and removing one
// entered by mistake (.../hapus). Each form carries the case version it
// was rendered with; when someone else saved in between, the page comes
// back with the conflict message and the form filled with the current
// values. The case area decides who may change what.

// postedVersion is the case version a form was rendered with.
func postedVersion(r *http.Request) int {
	v, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue("version")))
	return v
}

// types reads the checked violence types of a form.
func formTypes(r *http.Request) []domain.ViolenceType {
	var out []domain.ViolenceType
	for _, t := range r.PostForm["types"] {
		out = append(out, domain.ViolenceType(t))
	}
	return out
}

// victimFromForm reads a victim from the add and edit forms.
func victimFromForm(r *http.Request) domain.Victim {
	v := r.PostFormValue
	vic := domain.Victim{Name: v("name"), Sex: domain.Sex(v("sex")), Disability: strings.TrimSpace(v("disability")),
		Education: v("education"), Occupation: v("occupation"), MaritalStatus: v("marital_status"), Place: v("place"),
		Disabilities: r.PostForm["disabilities"], Types: formTypes(r)}
	vic.Age = parseAge(v("age"))
	return vic
}

// perpetratorFromForm reads a perpetrator from the add and edit forms.
func perpetratorFromForm(r *http.Request) domain.Perpetrator {
	v := r.PostFormValue
	p := domain.Perpetrator{Name: v("name"), Sex: domain.Sex(v("sex")), Relation: v("relation"), Education: v("education"),
		Occupation: v("occupation")}
	p.Age = parseAge(v("age"))
	return p
}

// serviceFromForm reads a service from the add and edit forms.
func serviceFromForm(r *http.Request) domain.Service {
	v := r.PostFormValue
	return domain.Service{Type: v("type"), Provider: v("provider"), GivenOn: v("given_on"), EndedOn: strings.TrimSpace(v("ended_on")),
		VictimID: v("victim_id"), Note: v("note"), Outcome: v("outcome")}
}

// editFailed shows the case page again after a refused change: field
// errors in the form with what was typed; a conflict (someone saved in
// between, or the case was closed) with its message and the form open on
// the current values.
func (s *Server) editFailed(w http.ResponseWriter, r *http.Request, form, tab string, err error) {
	b := s.base(w, r, "case.title")
	k := s.kit(b)
	if f, ok := formErrors(err); ok {
		k.withForm(&b, form, r.PostForm, f)
		s.casePage(w, r, b, k, http.StatusUnprocessableEntity, tab)
		return
	}
	if msg, status := actionMessage(b, err); status != 0 {
		b.Error = msg
		k.which = form // open, with the stored values: nothing posted is kept
		s.casePage(w, r, b, k, status, tab)
		return
	}
	s.fail(w, r, err)
}

func (s *Server) caseEdit(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	v := r.PostFormValue
	err := s.cases.EditCase(r.Context(), principalOf(r).Scope, id, postedVersion(r), func(f *cases.CaseFields) {
		f.RegionCode, f.IncidentDate, f.Place = v("region_code"), v("incident_date"), v("place")
		f.Summary, f.Priority, f.LegalBasis = v("summary"), domain.Priority(v("priority")), v("legal_basis")
		f.Types, f.KDRT = formTypes(r), v("kdrt") == "1"
	})
	if err != nil {
		s.editFailed(w, r, "case-edit", "ringkasan", err)
		return
	}
	http.Redirect(w, r, caseURL(id, "ringkasan", "case_edited"), http.StatusSeeOther)
}

// itemEdit handles the edit form of one victim, perpetrator or service.
func (s *Server) itemEdit(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, item := r.PathValue("id"), r.PathValue("item")
		sc, ctx, ver := principalOf(r).Scope, r.Context(), postedVersion(r)
		var err error
		switch kind {
		case "victim":
			nv := victimFromForm(r)
			err = s.cases.EditVictim(ctx, sc, id, item, ver, func(v *domain.Victim) { *v = nv })
		case "perpetrator":
			np := perpetratorFromForm(r)
			err = s.cases.EditPerpetrator(ctx, sc, id, item, ver, func(p *domain.Perpetrator) { *p = np })
		case "service":
			ns := serviceFromForm(r)
			err = s.cases.EditService(ctx, sc, id, item, ver, func(sv *domain.Service) { *sv = ns })
		}
		if err != nil {
			s.editFailed(w, r, kind+"-"+item, formTab[kind], err)
			return
		}
		http.Redirect(w, r, caseURL(id, formTab[kind], "case_edited"), http.StatusSeeOther)
	}
}

// itemRemove handles the removal form of one victim, perpetrator or
// service.
func (s *Server) itemRemove(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, item := r.PathValue("id"), r.PathValue("item")
		err := s.cases.RemoveDetail(r.Context(), principalOf(r).Scope, id, kind, item, postedVersion(r), r.PostFormValue("reason"))
		if err != nil {
			s.editFailed(w, r, "rm-"+kind+"-"+item, formTab[kind], err)
			return
		}
		http.Redirect(w, r, caseURL(id, formTab[kind], "case_removed"), http.StatusSeeOther)
	}
}

// ---- what the edit forms of the case page use ----

// CanEdit reports whether the reader may change the case: one who works
// cases and handles this open one (not through an emergency access). The
// case area decides again on submit.
func (p CasePage) CanEdit() bool {
	return p.CanWork && p.C.Status.Open() && !p.C.PersonalMasked && !p.C.AccessRequestable && p.C.AccessUntil == nil
}

// VersionFor is the case version a form carries: the one it was posted
// with when it comes back with field errors, else the case's.
func (p CasePage) VersionFor(form string) string {
	return p.FVal(form, "version", strconv.Itoa(p.C.Version))
}

// ChecksOf renders a checkbox group whose boxes are ticked from checked
// unless form was posted with values (a conflict shows checked: nothing
// posted is kept).
func (k kit) ChecksOf(form, id, name, legend, family string, values, checked []string) template.HTML {
	f := k.field(form, id, name, legend, nil)
	on := map[string]bool{}
	if k.which == form && k.posted != nil {
		checked = k.posted[name]
	}
	for _, v := range checked {
		on[v] = true
	}
	for _, v := range values {
		f.Options = append(f.Options, FormOption{ID: id + "-" + v, Value: v, Label: k.Lbl(family, v), Selected: on[v]})
	}
	return renderField("f_checks", f)
}

// Checkbox ticks one box: from the posted form, or on when it was not
// posted.
func (k kit) Checkbox(form, name string, on bool) bool {
	if k.which == form && k.posted != nil {
		return k.posted.Get(name) != ""
	}
	return on
}

// SIMFONI-PPA lists, for selects and checkboxes.
func (kit) EducationList() []string  { return domain.Educations }
func (kit) OccupationList() []string { return domain.Occupations }
func (kit) MaritalList() []string    { return domain.MaritalStatuses }
func (kit) DisabilityList() []string { return domain.Disabilities }

// Def is a stored value as a form default ("def=<v>").
func (kit) Def(v string) string { return "def=" + v }

// AgeDef is a stored age as a form default.
func (kit) AgeDef(a *int) string {
	if a == nil {
		return "def="
	}
	return "def=" + strconv.Itoa(*a)
}

// TypeStrings are violence types as strings, for checkbox defaults.
func (kit) TypeStrings(ts []domain.ViolenceType) []string { return stringsOf(ts) }

// VictimForm, PerpetratorForm and ServiceForm are the data of the shared
// form fields (templates/case_fields.html) of adding and changing one:
// the form's name, a prefix that keeps the controls' ids unique on the
// page, and the stored values (empty when adding).
type VictimForm struct {
	kit
	Form, Prefix string
	V            domain.Victim
	WithTypes    bool // the victim's own types (not when verifying: the case's types are the child's)
}

// PerpetratorForm: see VictimForm.
type PerpetratorForm struct {
	kit
	Form, Prefix string
	P            domain.Perpetrator
}

// ServiceForm: see VictimForm.
type ServiceForm struct {
	kit
	Form, Prefix string
	S            domain.Service
	Victims      []FormOption
	Today        string
}

// VictimFields are the fields of a victim form with v's values.
func (k kit) VictimFields(form, prefix string, v domain.Victim, withTypes bool) VictimForm {
	return VictimForm{kit: k, Form: form, Prefix: prefix, V: v, WithTypes: withTypes}
}

// NewVictimFields are the empty fields of a victim form.
func (k kit) NewVictimFields(form, prefix string, withTypes bool) VictimForm {
	return k.VictimFields(form, prefix, domain.Victim{}, withTypes)
}

// PerpetratorFields are the fields of a perpetrator form with p's values.
func (k kit) PerpetratorFields(form, prefix string, p domain.Perpetrator) PerpetratorForm {
	return PerpetratorForm{kit: k, Form: form, Prefix: prefix, P: p}
}

// NewPerpetratorFields are the fields of a new perpetrator (relation
// unknown).
func (k kit) NewPerpetratorFields(form, prefix string) PerpetratorForm {
	return k.PerpetratorFields(form, prefix, domain.Perpetrator{Relation: "unknown"})
}

// ServiceFields are the fields of a service form with sv's values.
func (p CasePage) ServiceFields(form, prefix string, sv domain.Service) ServiceForm {
	return ServiceForm{kit: p.kit, Form: form, Prefix: prefix, Victims: p.Victims, Today: p.Today(), S: sv}
}

// NewServiceFields are the fields of a new service (given today).
func (p CasePage) NewServiceFields(form, prefix string) ServiceForm {
	return p.ServiceFields(form, prefix, domain.Service{GivenOn: p.Today()})
}

// VictimSimfoni lists a victim's SIMFONI-PPA details that are recorded
// (education, occupation, marital status, place, disability kinds where the
// reader sees them).
func (k kit) VictimSimfoni(v domain.Victim) string {
	var parts []string
	for _, x := range []struct{ fam, v string }{{"edu", v.Education}, {"occ", v.Occupation}, {"marital", v.MaritalStatus}, {"place", v.Place}} {
		if x.v != "" {
			parts = append(parts, k.Lbl(x.fam, x.v))
		}
	}
	for _, d := range v.Disabilities {
		parts = append(parts, k.Lbl("disab", d))
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, " · ")
}

// PerpetratorSimfoni lists a perpetrator's education and occupation.
func (k kit) PerpetratorSimfoni(p domain.Perpetrator) string {
	var parts []string
	for _, x := range []struct{ fam, v string }{{"edu", p.Education}, {"occ", p.Occupation}} {
		if x.v != "" {
			parts = append(parts, k.Lbl(x.fam, x.v))
		}
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, " · ")
}
