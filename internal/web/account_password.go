package web

import (
	"net/http"

	"lindu/internal/domain"
	"lindu/internal/httpx"
)

// accountPassword changes the user's own password after checking the
// current one (and a current code with TOTP on); every session ends and a
// new one starts for this browser. Authorization: the signed-in user, for
// themself only.
func (s *Server) accountPassword(w http.ResponseWriter, r *http.Request) {
	p := httpx.PrincipalFrom(r.Context())
	ctx := r.Context()
	cred, err := s.st.CredentialsByID(ctx, p.User.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fields, done := s.confirmSecrets(w, r, cred, "current", "current_code")
	if done {
		return
	}
	pw := r.PostFormValue("new")
	if pw != r.PostFormValue("repeat") {
		fields["repeat"] = domain.M("field.passwords_differ")
	}
	if len(fields) > 0 {
		s.accountInvalid(w, r, fields)
		return
	}
	if err := s.st.SetOwnPassword(ctx, p.Scope, pw); err != nil {
		e, ok := domain.AsError(err)
		if !ok || e.Code != domain.EInvalid {
			s.fail(w, r, err)
			return
		}
		for k, v := range e.Fields {
			if k == "password" {
				k = "new"
			}
			fields[k] = v
		}
		s.accountInvalid(w, r, fields)
		return
	}
	// Changing the password ends every session, this one too: start afresh.
	tok, err := s.st.CreateSession(ctx, p.User.ID, p.Scope.IP, p.Session.Lang, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: s.auth.SessionCookieName(), Value: tok, Path: "/", HttpOnly: true,
		Secure: s.opt.SecureCookies, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/account?ok=password_changed", http.StatusSeeOther)
}
