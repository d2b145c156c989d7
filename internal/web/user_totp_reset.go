package web

import (
	"net/http"
	"net/url"
)

// userTOTPReset removes a user's second factor (a lost phone).
// Authorization: PermManageUsers in scope, for another user
// (store.SetTOTP); audited.
func (s *Server) userTOTPReset(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "users.user_title")
	id := r.PathValue("id")
	if err := s.st.SetTOTP(r.Context(), b.Scope, id, "", 0); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/users/"+url.PathEscape(id)+"?ok=totp_reset", http.StatusSeeOther)
}
