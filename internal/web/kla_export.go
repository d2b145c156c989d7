package web

import (
	"fmt"
	"net/http"

	"lindu/internal/domain"
	"lindu/internal/kla"
)

// klaExport serves the dashboard's tables as CSV (one table: indicators)
// or XLSX (all tables, one sheet each).
func (s *Server) klaExport(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := s.base(w, r, "kla.title")
		if !b.Scope.Can(domain.PermViewDashboard) {
			s.fail(w, r, domain.E(domain.EForbidden, "kla.err.dashboard_forbidden"))
			return
		}
		region, year := s.klaDashboardYear(r, b)
		d, err := kla.BuildDashboard(r.Context(), s.st, b.Scope, region, year)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		sheets := kla.ExportSheets(d)
		name := fmt.Sprintf("kla-%s-%d", d.Region.Code, year)
		if format == "csv" {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
			w.Write(kla.WriteCSV(sheets[0].Header, sheets[0].Rows))
			return
		}
		data, err := kla.WriteXLSX(sheets)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
		w.Write(data)
	}
}
