package web

import (
	"net/http"

	"lindu/internal/domain"
)

// Moving a case along its workflow (POST /kasus/{id}/status): the case area
// decides who may make which transition.

func (s *Server) caseStatus(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	t := domain.Transition{To: domain.CaseStatus(r.PostFormValue("to")), Note: r.PostFormValue("note")}
	if _, err := s.cases.Transition(r.Context(), principalOf(r).Scope, id, t); err != nil {
		s.caseActionFailed(w, r, "status", err)
		return
	}
	http.Redirect(w, r, caseURL(id, "", "case_status"), http.StatusSeeOther)
}
