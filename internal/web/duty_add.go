package web

import (
	"net/http"
	"strings"
	"time"

	"lindu/internal/domain"
)

// Adding a duty shift to the roster (POST /tim/piket): PermManageTeams.

func (s *Server) dutyAdd(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "teams.title")
	fields := domain.FieldErrors{}
	when := func(name string) time.Time {
		t, err := time.ParseInLocation("2006-01-02T15:04", strings.TrimSpace(r.PostFormValue(name)), b.Zone)
		if err != nil {
			fields[name] = domain.M("teams.field.datetime")
		}
		return t
	}
	d := domain.DutyShift{UserID: r.PostFormValue("user_id"), RegionCode: strings.TrimSpace(r.PostFormValue("duty_region")),
		StartsAt: when("starts_at"), EndsAt: when("ends_at")}
	rename := map[string]string{"region_code": "duty_region"}
	if len(fields) > 0 {
		s.teamsFailed(w, r, "duty", domain.InvalidFields(fields), rename)
		return
	}
	if _, err := s.cases.AddDuty(r.Context(), b.Scope, d); err != nil {
		s.teamsFailed(w, r, "duty", err, rename)
		return
	}
	http.Redirect(w, r, "/tim?ok=duty_added#duty", http.StatusSeeOther)
}
