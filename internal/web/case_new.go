package web

import (
	"net/http"
	"net/url"
	"strings"

	"lindu/internal/domain"
)

// Direct entry of a case by staff (/kasus/baru). Supervisors and admins
// enter verified cases that are routed at once; other case workers enter
// cases that a supervisor verifies first ("needs review").

// CaseNewPage is the form.
type CaseNewPage struct {
	Base
	kit
	CanVerify bool
}

func (s *Server) caseNewForm(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "casenew.title")
	if !b.Scope.Can(domain.PermWorkCases) {
		s.fail(w, r, domain.E(domain.EForbidden, "case.err.forbidden_enter"))
		return
	}
	s.render(w, r, http.StatusOK, "case_new", CaseNewPage{Base: b, kit: s.kit(b), CanVerify: b.Scope.Can(domain.PermManageCases)})
}

func (s *Server) caseCreate(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "casenew.title")
	k := s.kit(b)
	v := r.PostFormValue
	manage := b.Scope.Can(domain.PermManageCases)
	nc := domain.NewCase{
		RegionCode:   strings.TrimSpace(v("region_code")),
		Priority:     domain.Priority(v("priority")),
		Summary:      v("summary"),
		Place:        v("place"),
		IncidentDate: strings.TrimSpace(v("incident_date")),
		LegalBasis:   strings.TrimSpace(v("legal_basis")),
		NeedsReview:  v("needs_review") == "1" || !manage,
		KDRT:         v("kdrt") == "1",
	}
	for _, t := range r.PostForm["types"] {
		nc.Types = append(nc.Types, domain.ViolenceType(t))
	}
	vic := domain.Victim{Name: v("victim_name"), Sex: domain.Sex(v("victim_sex")), Disability: strings.TrimSpace(v("victim_disability")),
		Place: nc.Place, Types: nc.Types, Education: v("victim_education"), Occupation: v("victim_occupation"),
		MaritalStatus: v("victim_marital_status"), Disabilities: r.PostForm["victim_disabilities"]}
	vic.Age = parseAge(v("victim_age"))
	if vic.Name != "" || vic.Sex != "" || vic.Age != nil || vic.Disability != "" || vic.Education != "" || vic.Occupation != "" ||
		vic.MaritalStatus != "" || len(vic.Disabilities) > 0 {
		nc.Victims = []domain.Victim{vic}
	}
	c, err := s.cases.CreateCase(r.Context(), b.Scope, nc)
	if err != nil {
		if f, ok := formErrors(err); ok {
			// The store names the victim's fields victims.0.<field>.
			out := domain.FieldErrors{}
			for key, msg := range f {
				if rest, ok := strings.CutPrefix(key, "victims.0."); ok {
					key = "victim_" + rest
				}
				out[key] = msg
			}
			k.withForm(&b, "case", r.PostForm, out)
			s.render(w, r, http.StatusUnprocessableEntity, "case_new", CaseNewPage{Base: b, kit: k, CanVerify: manage})
			return
		}
		if domain.IsNotFound(err) {
			// Entered, but the caller does not see it (a responder sees
			// only the cases of their teams): say so instead of 404.
			http.Redirect(w, r, "/kasus?ok=case_created_review", http.StatusSeeOther)
			return
		}
		s.fail(w, r, err)
		return
	}
	if c.Code == "" {
		// Stored, but the caller does not see it (a responder sees only the
		// cases of their teams): say so instead of leading to a 404.
		http.Redirect(w, r, "/kasus?ok=case_created_review", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, withOK("/kasus/"+url.PathEscape(c.ID), "case_created"), http.StatusSeeOther)
}

// PlaceList lists the places an incident may happen, for the new-case form.
func (kit) PlaceList() []string { return domain.Places }
