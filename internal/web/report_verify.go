package web

import (
	"net/http"
	"net/url"

	"lindu/internal/cases"
	"lindu/internal/domain"
)

// Verifying a report into a new case (POST /laporan/{id}/verify): the case
// area requires PermManageCases in the report's region.

func (s *Server) reportVerify(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	in := cases.VerifyInput{Priority: domain.Priority(r.PostFormValue("priority")), Summary: r.PostFormValue("summary")}
	for _, t := range r.PostForm["types"] {
		in.Types = append(in.Types, domain.ViolenceType(t))
	}
	c, err := s.cases.VerifyReport(r.Context(), p.Scope, r.PathValue("id"), in)
	if err != nil {
		s.reportActionFailed(w, r, "verify", err)
		return
	}
	http.Redirect(w, r, withOK("/kasus/"+url.PathEscape(c.ID), "report_verified"), http.StatusSeeOther)
}
