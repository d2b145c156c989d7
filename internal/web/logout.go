package web

import (
	"net/http"

	"lindu/internal/domain"
	"lindu/internal/httpx"
)

// logout ends the session (audited) and clears its cookie. Authorization:
// anyone; a session is ended only with its own CSRF token.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	p := httpx.PrincipalFrom(r.Context())
	if p != nil && p.Session != nil {
		if !s.checkCSRF(r, p.Session.CSRFToken) {
			s.fail(w, r, domain.E(domain.EForbidden, "error.csrf"))
			return
		}
		if err := s.st.DeleteSession(r.Context(), p.Scope, p.Session.TokenHash); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: s.auth.SessionCookieName(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.opt.SecureCookies, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/?ok=logged_out", http.StatusSeeOther)
}
