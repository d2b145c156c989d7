package web

import (
	"net/http"
	"strconv"

	"lindu/internal/domain"
	"lindu/internal/kla"
)

// The supervisors' case load page (/kasus/beban): each worker's and team's
// open and overdue cases, plan actions and visits, and requests waiting
// for approval, with links to their inbox; downloadable as CSV or XLSX.

// CaseLoadPage shows the case load.
type CaseLoadPage struct {
	Base
	kit
	Workers, Teams []domain.CaseLoadRow
}

func (s *Server) caseLoad(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "caseload.title")
	rows, err := s.cases.CaseLoad(r.Context(), b.Scope)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := CaseLoadPage{Base: b, kit: s.kit(b)}
	for _, x := range rows {
		if x.Kind == "user" {
			p.Workers = append(p.Workers, x)
		} else {
			p.Teams = append(p.Teams, x)
		}
	}
	s.render(w, r, http.StatusOK, "case_load", p)
}

// caseLoadFile downloads the case load as CSV or XLSX, in the reader's
// language.
func (s *Server) caseLoadFile(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := s.base(w, r, "caseload.title")
		rows, err := s.cases.CaseLoad(r.Context(), b.Scope)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		k := s.kit(b)
		header := []string{b.T("caseload.kind"), b.T("caseload.name"), b.T("caseload.role"), b.T("caseload.region"),
			b.T("caseload.open_cases"), b.T("caseload.overdue_cases"), b.T("caseload.open_actions"), b.T("caseload.overdue_actions"),
			b.T("caseload.planned_visits"), b.T("caseload.overdue_visits"), b.T("caseload.pending_approvals")}
		var out [][]string
		for _, x := range rows {
			role := b.RoleName(domain.Role(x.Role))
			if x.Kind == "team" {
				role = k.Lbl("teamkind", x.Role)
			}
			kind := b.T("caseload.kind_user")
			if x.Kind == "team" {
				kind = b.T("caseload.kind_team")
			}
			out = append(out, []string{kind, x.Name, role, x.RegionCode, strconv.Itoa(x.OpenCases),
				strconv.Itoa(x.OverdueCases), strconv.Itoa(x.OpenActions), strconv.Itoa(x.OverdueActions), strconv.Itoa(x.PlannedVisits),
				strconv.Itoa(x.OverdueVisits), strconv.Itoa(x.PendingApprovals)})
		}
		name := "beban-kerja-" + s.now().In(b.Zone).Format("2006-01-02")
		w.Header().Set("Cache-Control", "no-store")
		if format == "csv" {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
			w.Write(kla.WriteCSV(header, out))
			return
		}
		data, err := kla.WriteXLSX([]kla.Sheet{{Name: b.T("caseload.sheet"), Header: header, Rows: out}})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
		w.Write(data)
	}
}

// WorkerRole names a worker's role.
func (p CaseLoadPage) WorkerRole(r string) string { return p.RoleName(domain.Role(r)) }
