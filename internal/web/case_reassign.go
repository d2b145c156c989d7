package web

import (
	"net/http"
	"strings"
)

// Reassigning a case to a team and/or a person (POST /kasus/{id}/assign):
// the case area decides who may reassign.

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
