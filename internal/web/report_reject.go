package web

import (
	"net/http"
)

// Rejecting a report (POST /laporan/{id}/reject) with a reason: the case
// area requires PermManageCases.

func (s *Server) reportReject(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	if err := s.cases.RejectReport(r.Context(), p.Scope, r.PathValue("id"), r.PostFormValue("reason")); err != nil {
		s.reportActionFailed(w, r, "reject", err)
		return
	}
	http.Redirect(w, r, "/laporan?ok=report_rejected", http.StatusSeeOther)
}
