package web

import (
	"net/http"
	"strings"

	"lindu/internal/cases"
	"lindu/internal/domain"
)

// One report (/laporan/{id}) with its triage actions (verify, merge,
// reject) for callers with PermManageCases, and the page those actions
// re-render when refused.

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
