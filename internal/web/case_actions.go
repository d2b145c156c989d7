package web

import (
	"net/http"
	"net/url"
	"strings"

	"lindu/internal/cases"
	"lindu/internal/domain"
)

// Actions on a case: POST forms of the case page. Success redirects back
// to the case with a flash; refused input re-renders the page with the
// messages next to the fields (422); a conflict or refusal shows why (409,
// 403); a case the caller may not see is not found (404).

// caseActionFailed re-renders the case page after a refused action.
func (s *Server) caseActionFailed(w http.ResponseWriter, r *http.Request, form string, err error) {
	b := s.base(w, r, "case.title")
	k := s.kit(b)
	tab := formTab[form]
	if tab == "" {
		tab = tabFor(r.URL.Query().Get("tab"))
	}
	if f, ok := formErrors(err); ok {
		k.withForm(&b, form, r.PostForm, f)
		s.casePage(w, r, b, k, http.StatusUnprocessableEntity, tab)
		return
	}
	if msg, status := actionMessage(b, err); status != 0 {
		b.Error = msg
		k.which, k.posted = form, r.PostForm
		s.casePage(w, r, b, k, status, tab)
		return
	}
	s.fail(w, r, err)
}

func caseURL(id, tab, flash string) string {
	u := "/kasus/" + url.PathEscape(id)
	if tab != "" && tab != "ringkasan" {
		u += "?tab=" + tab
	}
	return withOK(u, flash)
}

func (s *Server) caseStatus(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	t := domain.Transition{To: domain.CaseStatus(r.PostFormValue("to")), Note: r.PostFormValue("note")}
	if _, err := s.cases.Transition(r.Context(), principalOf(r).Scope, id, t); err != nil {
		s.caseActionFailed(w, r, "status", err)
		return
	}
	http.Redirect(w, r, caseURL(id, "", "case_status"), http.StatusSeeOther)
}

func (s *Server) caseAssign(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	_, err := s.cases.Reassign(r.Context(), principalOf(r).Scope, id, strings.TrimSpace(r.PostFormValue("team_id")),
		strings.TrimSpace(r.PostFormValue("assignee_id")), r.PostFormValue("note"))
	if err != nil {
		s.caseActionFailed(w, r, "assign", err)
		return
	}
	http.Redirect(w, r, caseURL(id, "", "case_assigned"), http.StatusSeeOther)
}

// caseDetail handles the forms that add to a case: a note, a victim, a
// perpetrator, a service, a referral or a placement.
func (s *Server) caseDetail(form string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		v := r.PostFormValue
		var d cases.CaseDetail
		switch form {
		case "note":
			d.Note = v("note")
		case "victim":
			vic := &domain.Victim{Name: v("name"), Sex: domain.Sex(v("sex")), Disability: strings.TrimSpace(v("disability"))}
			vic.Age = parseAge(v("age"))
			for _, t := range r.PostForm["types"] {
				vic.Types = append(vic.Types, domain.ViolenceType(t))
			}
			d.Victim = vic
		case "perpetrator":
			p := &domain.Perpetrator{Name: v("name"), Sex: domain.Sex(v("sex")), Relation: v("relation")}
			p.Age = parseAge(v("age"))
			d.Perpetrator = p
		case "service":
			d.Service = &domain.Service{Type: v("type"), Provider: v("provider"), GivenOn: v("given_on"), VictimID: v("victim_id"), Note: v("note")}
		case "referral":
			d.Referral = &domain.Referral{Agency: v("agency"), ReferredOn: v("referred_on"), Reason: v("reason")}
		case "placement":
			d.Placement = &domain.Placement{Kind: v("kind"), PlaceName: v("place_name"), VictimID: v("victim_id"),
				FromDate: v("from_date"), ToDate: v("to_date")}
		}
		if err := s.cases.AddDetail(r.Context(), principalOf(r).Scope, id, d); err != nil {
			s.caseActionFailed(w, r, form, err)
			return
		}
		tab := formTab[form]
		if form == "note" {
			tab = "linimasa"
		}
		http.Redirect(w, r, caseURL(id, tab, "case_"+form+"_added"), http.StatusSeeOther)
	}
}
