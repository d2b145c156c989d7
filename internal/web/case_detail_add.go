package web

import (
	"net/http"

	"lindu/internal/cases"
	"lindu/internal/domain"
)

// Adding to a case (POST /kasus/{id}/note, korban, pelaku, layanan,
// rujukan, penempatan): the case area decides who may add what.

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
			vic := victimFromForm(r)
			d.Victim = &vic
		case "perpetrator":
			p := perpetratorFromForm(r)
			d.Perpetrator = &p
		case "service":
			sv := serviceFromForm(r)
			d.Service = &sv
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
