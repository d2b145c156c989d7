package web

import (
	"net/http"
	"net/url"

	"lindu/internal/cases"
	"lindu/internal/domain"
)

// Triage of incoming reports (/laporan): supervisors and admins verify a
// report into a new case, merge it into an existing case, or reject it.
// This file is the list of reports; everyone who sees cases may look, the
// case area shows only reports in the caller's region.

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

// ReportStatuses lists the report states, for the status filter.
func (kit) ReportStatuses() []string { return []string{"new", "verified", "merged", "rejected"} }
