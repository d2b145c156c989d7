package web

import (
	"net/http"
	"time"
)

// caseEmergencyAccess opens the personal data of a case the caller does
// not handle, for a limited time, with a reason (akses darurat): POST
// /kasus/{id}/akses-darurat. The store records, audits and notifies; a
// missing or short reason re-renders the page (422), a caller who sees the
// data already gets 409, a case the caller cannot see 404.
func (s *Server) caseEmergencyAccess(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := s.cases.GrantEmergencyAccess(r.Context(), principalOf(r).Scope, id, r.PostFormValue("reason")); err != nil {
		s.caseActionFailed(w, r, "emergency", err)
		return
	}
	http.Redirect(w, r, caseURL(id, "", "case_emergency_access"), http.StatusSeeOther)
}

// EmergencyFor says how long an emergency access lasts ("4 jam").
func (p CasePage) EmergencyFor() string {
	return durationText(p.Base, p.emergencyTTL)
}

// durationText is a duration in whole hours, or minutes, in the user's
// language.
func durationText(b Base, d time.Duration) string {
	if d%time.Hour == 0 {
		return b.T("duration.hours", int(d/time.Hour))
	}
	return b.T("duration.minutes", int(d/time.Minute))
}
