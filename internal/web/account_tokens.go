package web

import (
	"net/http"

	"lindu/internal/domain"
	"lindu/internal/httpx"
)

// accountTokenCreate makes an API token for the user and shows it once.
// Authorization: the signed-in user with PermManageTokens, for themself
// (store.CreateToken).
func (s *Server) accountTokenCreate(w http.ResponseWriter, r *http.Request) {
	p := httpx.PrincipalFrom(r.Context())
	tok, _, err := s.st.CreateToken(r.Context(), p.Scope, p.User.ID, r.PostFormValue("name"))
	if e, ok := domain.AsError(err); ok && e.Code == domain.EInvalid {
		s.accountInvalid(w, r, e.Fields)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.accountPage(w, r, http.StatusCreated, func(a *AccountPage) {
		a.NewToken = tok
		a.Flash = a.T("flash.token_created")
	})
}

// accountTokenRevoke revokes one of the user's API tokens. Authorization:
// the signed-in user, for their own tokens (store.RevokeToken).
func (s *Server) accountTokenRevoke(w http.ResponseWriter, r *http.Request) {
	p := httpx.PrincipalFrom(r.Context())
	if err := s.st.RevokeToken(r.Context(), p.Scope, p.User.ID, r.PathValue("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/account?ok=token_revoked#tokens", http.StatusSeeOther)
}
