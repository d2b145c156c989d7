package web

import (
	"net/http"

	"lindu/internal/domain"
)

// Setting the routing order of new cases (POST /tim/rute): PermManageTeams.

func (s *Server) routingSet(w http.ResponseWriter, r *http.Request) {
	var steps []string
	for _, name := range []string{"step1", "step2", "step3"} {
		if v := r.PostFormValue(name); v != "" {
			steps = append(steps, v)
		}
	}
	if len(steps) == 0 {
		s.teamsFailed(w, r, "route", domain.InvalidFields(domain.FieldErrors{"steps": domain.M("teams.field.steps_required")}), nil)
		return
	}
	if err := s.cases.SetRoutingSteps(r.Context(), principalOf(r).Scope, steps); err != nil {
		s.teamsFailed(w, r, "route", err, nil)
		return
	}
	http.Redirect(w, r, "/tim?ok=routing_saved#routing", http.StatusSeeOther)
}
