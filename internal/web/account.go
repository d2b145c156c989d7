package web

import (
	"net/http"
	"strings"

	"lindu/internal/auth"
	"lindu/internal/domain"
	"lindu/internal/httpx"
)

// The user's own account page (/account): profile, password, second factor
// and API tokens. Each form posts to its own action: account_password.go,
// account_totp.go, account_tokens.go; account_confirm.go checks the current
// secrets they ask for.

// AccountPage is the user's own account: profile, password, second factor,
// API tokens.
type AccountPage struct {
	Base
	Me         domain.User
	Enroll     bool // TOTP must be set up before anything else
	TOTPSecret string
	TOTPURI    string
	Tokens     []domain.APIToken
	CanTokens  bool
	NewToken   string
	Must2FA    bool
}

// GroupedSecret shows the secret in groups of four for typing.
func (p AccountPage) GroupedSecret() string {
	var parts []string
	for i := 0; i < len(p.TOTPSecret); i += 4 {
		parts = append(parts, p.TOTPSecret[i:min(i+4, len(p.TOTPSecret))])
	}
	return strings.Join(parts, " ")
}

// Ready reports whether the account may use everything (not enrolling).
func (p AccountPage) Ready() bool { return !p.Enroll }

// accountPage renders the account page with status, after mod.
func (s *Server) accountPage(w http.ResponseWriter, r *http.Request, status int, mod func(*AccountPage)) {
	b := s.base(w, r, "account.title")
	p := httpx.PrincipalFrom(r.Context())
	me, err := s.st.GetUser(r.Context(), b.Scope, p.User.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := AccountPage{Base: b, Me: me, Enroll: p.Pending == httpx.PendingEnroll, Must2FA: s.auth.Needs2FA(me.Role),
		CanTokens: b.Scope.Can(domain.PermManageTokens) && p.Ready()}
	if !me.TOTPEnabled {
		page.TOTPSecret = auth.NewTOTPSecret()
	}
	if page.Ready() {
		toks, err := s.st.ListTokens(r.Context(), b.Scope, me.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		page.Tokens = toks
	}
	if mod != nil {
		mod(&page)
	}
	if page.TOTPSecret != "" {
		page.TOTPURI = auth.TOTPURI("lindu", me.Username, page.TOTPSecret)
	}
	s.render(w, r, status, "account", page)
}

// accountInvalid shows the account page with fields marked wrong (422).
func (s *Server) accountInvalid(w http.ResponseWriter, r *http.Request, fields domain.FieldErrors) {
	s.accountPage(w, r, http.StatusUnprocessableEntity, func(a *AccountPage) {
		a.Error = a.T("form.fix_fields")
		a.Fields = translateFields(a.Base, fields)
	})
}

// account shows the page. Authorization: any signed-in user, also one who
// must still enrol a second factor (then only that form is offered).
func (s *Server) account(w http.ResponseWriter, r *http.Request) {
	s.accountPage(w, r, http.StatusOK, nil)
}
