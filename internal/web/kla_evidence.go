package web

import (
	"net/http"
	"net/url"

	"lindu/internal/kla"
)

// klaFile serves an evidence file (as a download, never inline).
func (s *Server) klaFile(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.title")
	f, err := kla.GetFile(r.Context(), s.st, b.Scope, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(f.Name))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(f.Data)
}
