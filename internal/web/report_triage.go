package web

import (
	"net/http"
	"net/url"
	"strings"

	"lindu/internal/cases"
	"lindu/internal/domain"
)

// Triage of incoming reports (/laporan): supervisors and admins verify a
// report into a new case, merge it into an existing case, or reject it.

const reportsPerPage = 50

// ReportsPage lists reports waiting for (or done with) triage.
type ReportsPage struct {
	Base
	kit
	Status  string
	Reports []domain.Report
	Total   int
	listPager
}

func (s *Server) reportsList(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "triage.title")
	st := r.URL.Query().Get("status")
	switch st {
	case "new", "verified", "merged", "rejected", "all":
	default:
		st = "new"
	}
	f := cases.ReportFilter{Limit: reportsPerPage}
	if st != "all" {
		f.Status = domain.ReportStatus(st)
	}
	page := listPageNum(r)
	f.Offset = (page - 1) * reportsPerPage
	reps, total, err := s.cases.ListReports(r.Context(), b.Scope, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := ReportsPage{Base: b, kit: s.kit(b), Status: st, Reports: reps, Total: total,
		listPager: newPager("/laporan", url.Values{"status": {st}}, page, total, reportsPerPage)}
	s.render(w, r, http.StatusOK, "reports", p)
}

// ReportPage shows one report with the triage actions.
type ReportPage struct {
	Base
	kit
	R          domain.Report
	Duplicates []cases.DuplicateCandidate
	CanTriage  bool
}

// DupReasons translates the reasons a case may be a duplicate.
func (p ReportPage) DupReasons(why []string) string {
	out := make([]string, 0, len(why))
	for _, w := range why {
		if n, ok := strings.CutPrefix(w, "similar_text_"); ok {
			out = append(out, p.T("dup.similar_text", n))
			continue
		}
		out = append(out, p.Lbl("dup", w))
	}
	return strings.Join(out, "; ")
}

func (s *Server) reportShowPage(w http.ResponseWriter, r *http.Request, b Base, k kit, status int) {
	ctx := r.Context()
	rep, err := s.cases.GetReport(ctx, b.Scope, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := ReportPage{Base: b, kit: k, R: rep, CanTriage: rep.Status == domain.ReportNew && b.Scope.Can(domain.PermManageCases)}
	if p.CanTriage {
		if p.Duplicates, err = s.cases.SuggestDuplicates(ctx, b.Scope, rep.ID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, status, "report", p)
}

func (s *Server) reportShow(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "triage.report_title")
	s.reportShowPage(w, r, b, s.kit(b), http.StatusOK)
}

// reportActionFailed re-renders the report page after a refused action:
// field errors (422) or a conflict/refusal message (409/403).
func (s *Server) reportActionFailed(w http.ResponseWriter, r *http.Request, form string, err error) {
	b := s.base(w, r, "triage.report_title")
	k := s.kit(b)
	if f, ok := formErrors(err); ok {
		k.withForm(&b, form, r.PostForm, f)
		s.reportShowPage(w, r, b, k, http.StatusUnprocessableEntity)
		return
	}
	if msg, status := actionMessage(b, err); status != 0 {
		b.Error = msg
		s.reportShowPage(w, r, b, k, status)
		return
	}
	s.fail(w, r, err)
}

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

func (s *Server) reportReject(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	if err := s.cases.RejectReport(r.Context(), p.Scope, r.PathValue("id"), r.PostFormValue("reason")); err != nil {
		s.reportActionFailed(w, r, "reject", err)
		return
	}
	http.Redirect(w, r, "/laporan?ok=report_rejected", http.StatusSeeOther)
}
