package web

import (
	"net/http"
	"net/url"
	"strings"

	"lindu/internal/domain"
)

// Merging a report into an existing case (POST /laporan/{id}/merge), named
// by its public code or id: the case area requires PermManageCases with
// report and case in scope.

func (s *Server) reportMerge(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	ctx := r.Context()
	caseID := strings.TrimSpace(r.PostFormValue("case_id"))
	if code := strings.TrimSpace(r.PostFormValue("case_code")); code != "" {
		caseID = ""
		if _, ok := domain.NormalizePublicCode(code); ok {
			cs, _, err := s.cases.ListCases(ctx, p.Scope, domain.CaseFilter{Query: code, Limit: 1})
			if err != nil {
				s.reportActionFailed(w, r, "merge", err)
				return
			}
			if len(cs) == 1 {
				caseID = cs[0].ID
			}
		}
		if caseID == "" {
			s.reportActionFailed(w, r, "merge", domain.InvalidFields(domain.FieldErrors{"case_code": domain.M("report.field.case_code_unknown")}))
			return
		}
	}
	if caseID == "" {
		s.reportActionFailed(w, r, "merge", domain.InvalidFields(domain.FieldErrors{"case_code": domain.M("report.field.case_code_required")}))
		return
	}
	if err := s.cases.MergeReport(ctx, p.Scope, r.PathValue("id"), caseID); err != nil {
		if e, ok := domain.AsError(err); ok && e.Code == domain.ENotFound && e.Message == domain.NotFound("case").Message {
			s.reportActionFailed(w, r, "merge", domain.InvalidFields(domain.FieldErrors{"case_code": domain.M("report.field.case_code_unknown")}))
			return
		}
		s.reportActionFailed(w, r, "merge", err)
		return
	}
	http.Redirect(w, r, withOK("/kasus/"+url.PathEscape(caseID), "report_merged"), http.StatusSeeOther)
}
