package web

import (
	"crypto/subtle"
	"net/http"

	"lindu/internal/auth"
	"lindu/internal/httpx"
)

// anonCookie holds the CSRF token of a visitor who is not logged in (the
// login and language forms). Logged-in forms use the session's token.
const anonCookie = "lindu_csrf"

// anonCSRF returns the visitor's anonymous CSRF token, setting the cookie
// when there is none.
func (s *Server) anonCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(httpx.CookieName(anonCookie, s.opt.SecureCookies)); err == nil && len(c.Value) >= 32 && len(c.Value) <= 64 {
		return c.Value
	}
	tok := auth.RandomToken(24)
	http.SetCookie(w, &http.Cookie{Name: httpx.CookieName(anonCookie, s.opt.SecureCookies), Value: tok, Path: "/", HttpOnly: true,
		Secure: s.opt.SecureCookies, SameSite: http.SameSiteLaxMode})
	return tok
}

// checkCSRF compares the form's token with the expected one in constant time.
func (s *Server) checkCSRF(r *http.Request, want string) bool {
	got := r.PostFormValue("csrf")
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// checkAnonCSRF checks a form posted by a visitor who is not logged in.
func (s *Server) checkAnonCSRF(r *http.Request) bool {
	c, err := r.Cookie(httpx.CookieName(anonCookie, s.opt.SecureCookies))
	if err != nil {
		return false
	}
	return s.checkCSRF(r, c.Value)
}
