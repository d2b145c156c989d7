package web

import (
	"net/http"
	"net/url"
	"strings"

	"lindu/internal/cases"
	"lindu/internal/domain"
)

// Verifying a report into a new case (POST /laporan/{id}/verify): the case
// area requires PermManageCases in the report's region.

func (s *Server) reportVerify(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	in := cases.VerifyInput{Priority: domain.Priority(r.PostFormValue("priority")), Summary: r.PostFormValue("summary"),
		Types: formTypes(r), KDRT: r.PostFormValue("kdrt") == "1", Child: victimFromForm(r)}
	c, err := s.cases.VerifyReport(r.Context(), p.Scope, r.PathValue("id"), in)
	if err != nil {
		s.reportActionFailed(w, r, "verify", childFields(err))
		return
	}
	http.Redirect(w, r, withOK("/kasus/"+url.PathEscape(c.ID), "report_verified"), http.StatusSeeOther)
}

// childFields names the errors of the child's fields (victims.0.<field>
// in the case area) as the verify form names them.
func childFields(err error) error {
	e, ok := domain.AsError(err)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	out := domain.FieldErrors{}
	for k, m := range e.Fields {
		out[strings.TrimPrefix(k, "victims.0.")] = m
	}
	return domain.InvalidFields(out)
}

// ReportChild is the child the report names, as the verify form starts
// it: the report's age and sex.
func (p ReportPage) ReportChild() domain.Victim {
	return domain.Victim{Age: p.R.ChildAge, Sex: p.R.ChildSex}
}
