package web

import (
	"net/http"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/httpx"
)

// The public status of a report (/lapor/status?kode=...): its progress,
// never personal data, for whoever holds its code.

// ReportStatusPage shows a report's progress to whoever holds its code.
type ReportStatusPage struct {
	Base
	kit
	Query    string
	Searched bool
	NotFound bool
	View     domain.ReportStatusView
	Steps    []StatusStep
}

// StatusStep is one stage of the public progress list.
type StatusStep struct {
	Label   string
	At      *time.Time
	Done    bool
	Current bool
}

func (s *Server) reportStatus(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "lstatus.title")
	page := ReportStatusPage{Base: b, kit: s.kit(b), Query: strings.TrimSpace(r.URL.Query().Get("kode"))}
	if len(page.Query) > 40 {
		page.Query = page.Query[:40]
	}
	if page.Query == "" {
		s.render(w, r, http.StatusOK, "report_status", page)
		return
	}
	page.Searched = true
	// The look-up counts against the address's limit, shared with the API.
	v, err := s.intake.LookupStatus(r.Context(), httpx.ClientIP(r, s.auth.TrustProxy), page.Query)
	if e, ok := domain.AsError(err); ok && e.Code == domain.ETooMany {
		s.tooMany(w, r, b, e.RetryAfterSeconds)
		return
	}
	if domain.IsNotFound(err) {
		page.NotFound = true
		s.render(w, r, http.StatusNotFound, "report_status", page)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.View = v
	page.Steps = publicSteps(b, v)
	s.render(w, r, http.StatusOK, "report_status", page)
}

// publicSteps lays out received → reviewed → handled → closed.
func publicSteps(b Base, v domain.ReportStatusView) []StatusStep {
	rec := v.ReceivedAt
	steps := []StatusStep{{Label: b.T("pstep.received"), At: &rec, Done: true}}
	if v.Status == "not_a_case" {
		return append(steps, StatusStep{Label: b.T("pstep.not_a_case"), At: v.ReviewedAt, Done: true, Current: true})
	}
	order := map[string]int{"received": 0, "in_review": 1, "handled": 2, "closed": 3}
	cur := order[v.Status]
	steps = append(steps,
		StatusStep{Label: b.T("pstep.reviewed"), At: v.ReviewedAt, Done: cur >= 1},
		StatusStep{Label: b.T("pstep.handled"), At: v.RespondedAt, Done: cur >= 2 && v.RespondedAt != nil},
		StatusStep{Label: b.T("pstep.closed"), At: v.ClosedAt, Done: cur >= 3})
	steps[cur].Current = true
	return steps
}
