package web

import (
	"net/http"
	"strconv"
	"strings"

	"lindu/internal/domain"
)

// Setting a deadline (SLA) rule (POST /tim/tenggat): PermManageTeams.

func (s *Server) slaSet(w http.ResponseWriter, r *http.Request) {
	fields := domain.FieldErrors{}
	num := func(name string) int {
		n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue(name)))
		if err != nil {
			fields[name] = domain.M("teams.field.minutes")
		}
		return n
	}
	rule := domain.SLARule{Priority: domain.Priority(r.PostFormValue("priority")), Type: domain.ViolenceType(r.PostFormValue("type")),
		AckMinutes: num("ack_minutes"), ResponseMinutes: num("response_minutes")}
	if len(fields) > 0 {
		s.teamsFailed(w, r, "sla", domain.InvalidFields(fields), nil)
		return
	}
	if err := s.cases.SetSLARule(r.Context(), principalOf(r).Scope, rule); err != nil {
		s.teamsFailed(w, r, "sla", err, nil)
		return
	}
	http.Redirect(w, r, "/tim?ok=sla_saved#sla", http.StatusSeeOther)
}
