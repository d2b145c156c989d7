package web

import (
	"net/http"

	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/i18n"
)

// setLang switches the interface language (session and cookie) and goes
// back to the page. Authorization: anyone, with the session's or the
// visitor's CSRF token.
func (s *Server) setLang(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	lang := r.PostFormValue("lang")
	if !i18n.Supported(lang) {
		s.fail(w, r, domain.InvalidFields(domain.FieldErrors{"lang": domain.M("field.lang_unknown")}))
		return
	}
	p := httpx.PrincipalFrom(r.Context())
	if p != nil && p.Session != nil {
		if !s.checkCSRF(r, p.Session.CSRFToken) {
			s.fail(w, r, domain.E(domain.EForbidden, "error.csrf"))
			return
		}
		if err := s.st.UpdateSession(r.Context(), p.Session.TokenHash, nil, &lang); err != nil {
			s.fail(w, r, err)
			return
		}
	} else if !s.checkAnonCSRF(r) {
		s.fail(w, r, domain.E(domain.EForbidden, "error.csrf"))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "lindu_lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		Secure: s.opt.SecureCookies, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, localPath(r.PostFormValue("next"), "/"), http.StatusSeeOther)
}
