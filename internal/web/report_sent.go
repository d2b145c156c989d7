package web

import (
	"net/http"

	"lindu/internal/domain"
)

// After a public report: the page that shows its code (/lapor/terkirim).

// ReportSentPage confirms a report and shows its code.
type ReportSentPage struct {
	Base
	kit
	Code string
}

func (s *Server) reportSent(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "lapor.sent_title")
	code, ok := domain.NormalizePublicCode(r.URL.Query().Get("kode"))
	if !ok {
		http.Redirect(w, r, "/lapor", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "report_sent", ReportSentPage{Base: b, kit: s.kit(b), Code: code})
}
