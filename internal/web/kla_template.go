package web

import (
	"fmt"
	"net/http"

	"lindu/internal/domain"
	"lindu/internal/kla"
)

// klaTemplate serves the bulk-entry template for the caller's indicators.
func (s *Server) klaTemplate(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := s.base(w, r, "kla.entry_title")
		region, year := s.klaRegionYear(r, b)
		page, err := s.klaEntryContext(r, b, region, year)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var inds []domain.KLAIndicator
		cur := map[string]domain.KLAValue{}
		for _, row := range page.Rows {
			inds = append(inds, row.Ind)
			if row.Current != nil {
				cur[row.Ind.ID] = *row.Current
			}
		}
		rows := kla.TemplateRows(inds, page.Region.Code, year, cur)
		name := fmt.Sprintf("kla-templat-%s-%d", page.Region.Code, year)
		if format == "csv" {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
			w.Write(kla.WriteCSV(kla.TemplateHeader(), rows))
			return
		}
		data, err := kla.WriteXLSX([]kla.Sheet{kla.TemplateSheet(rows)})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
		w.Write(data)
	}
}
