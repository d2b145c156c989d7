package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"lindu/internal/auth"
	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/store"
)

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

// Ready reports whether the account may use everything (not enrolling).
func (p AccountPage) Ready() bool { return !p.Enroll }

func (s *Server) account(w http.ResponseWriter, r *http.Request) {
	s.accountPage(w, r, http.StatusOK, nil)
}

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
		fields["repeat"] = domain.M("field." + "passwords_differ")
	}
	if len(fields) == 0 {
		err = s.st.SetOwnPassword(ctx, p.Scope, pw)
		if err == nil {
			// Changing the password ends every session, this one too: start afresh.
			tok, err := s.st.CreateSession(ctx, p.User.ID, p.Scope.IP, p.Session.Lang, true)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			http.SetCookie(w, &http.Cookie{Name: s.auth.SessionCookieName(), Value: tok, Path: "/", HttpOnly: true,
				Secure: s.opt.SecureCookies, SameSite: http.SameSiteLaxMode})
			http.Redirect(w, r, "/account?ok=password_changed", http.StatusSeeOther)
			return
		}
		e, isDomain := domain.AsError(err)
		if !isDomain || e.Code != domain.EInvalid {
			s.fail(w, r, err)
			return
		}
		for k, v := range e.Fields {
			if k == "password" {
				k = "new"
			}
			fields[k] = v
		}
	}
	s.accountPage(w, r, http.StatusUnprocessableEntity, func(a *AccountPage) {
		a.Error = a.T("form.fix_fields")
		a.Fields = translateFields(a.Base, fields)
	})
}

func (s *Server) accountTOTPEnable(w http.ResponseWriter, r *http.Request) {
	p := httpx.PrincipalFrom(r.Context())
	ctx := r.Context()
	secret := strings.TrimSpace(r.PostFormValue("secret"))
	code := r.PostFormValue("code")
	// Replacing an enrolled second factor needs the current password and a
	// code of the current secret: a stolen session must not swap it.
	if p.User.TOTPEnabled {
		cred, err := s.st.CredentialsByID(ctx, p.User.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		fields, done := s.confirmSecrets(w, r, cred, "totp_current", "totp_current_code")
		if done {
			return
		}
		if len(fields) > 0 {
			s.accountPage(w, r, http.StatusUnprocessableEntity, func(a *AccountPage) {
				a.Error = a.T("form.fix_fields")
				a.Fields = translateFields(a.Base, fields)
			})
			return
		}
	}
	step, ok := auth.VerifyTOTP(secret, code, s.now(), 0)
	if !ok || len(secret) < 16 || len(secret) > 64 {
		s.accountPage(w, r, http.StatusUnprocessableEntity, func(a *AccountPage) {
			a.Error = a.T("totp.failed")
			a.Fields = map[string]string{"code": a.T("totp.failed")}
			if len(secret) >= 16 && len(secret) <= 64 {
				a.TOTPSecret = secret // keep the one already in the app
			}
		})
		return
	}
	if err := s.st.SetTOTP(ctx, p.Scope, p.User.ID, secret, step); err != nil {
		s.fail(w, r, err)
		return
	}
	passed := true
	if err := s.st.UpdateSession(ctx, p.Session.TokenHash, &passed, nil); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/account?ok=totp_enabled", http.StatusSeeOther)
}

func (s *Server) accountTOTPDisable(w http.ResponseWriter, r *http.Request) {
	p := httpx.PrincipalFrom(r.Context())
	if s.auth.Needs2FA(p.User.Role) {
		s.fail(w, r, domain.Errorf(domain.EForbidden, "your role must keep a second factor"))
		return
	}
	cred, err := s.st.CredentialsByID(r.Context(), p.User.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fields, done := s.confirmSecrets(w, r, cred, "totp_current", "totp_current_code")
	if done {
		return
	}
	if len(fields) > 0 {
		s.accountPage(w, r, http.StatusUnprocessableEntity, func(a *AccountPage) {
			a.Error = a.T("form.fix_fields")
			a.Fields = translateFields(a.Base, fields)
		})
		return
	}
	if err := s.st.SetTOTP(r.Context(), p.Scope, p.User.ID, "", 0); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/account?ok=totp_disabled", http.StatusSeeOther)
}

func (s *Server) accountTokenCreate(w http.ResponseWriter, r *http.Request) {
	p := httpx.PrincipalFrom(r.Context())
	tok, _, err := s.st.CreateToken(r.Context(), p.Scope, p.User.ID, r.PostFormValue("name"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.accountPage(w, r, http.StatusCreated, func(a *AccountPage) {
		a.NewToken = tok
		a.Flash = a.T("flash.token_created")
	})
}

func (s *Server) accountTokenRevoke(w http.ResponseWriter, r *http.Request) {
	p := httpx.PrincipalFrom(r.Context())
	if err := s.st.RevokeToken(r.Context(), p.Scope, p.User.ID, r.PathValue("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/account?ok=token_revoked#tokens", http.StatusSeeOther)
}

// confirmSecrets checks the current password posted as "current" and, when
// the second factor is on, a current code posted as "current_code". It
// returns the fields to mark wrong (under pwField and codeField), or done
// when it has already answered (refused by a limit, or an error).
func (s *Server) confirmSecrets(w http.ResponseWriter, r *http.Request, cred store.Credentials, pwField, codeField string) (fields domain.FieldErrors, done bool) {
	fields = domain.FieldErrors{}
	ok, until, err := s.confirmPassword(r.Context(), cred.User.ID, r.PostFormValue("current"), cred.PasswordHash)
	if err == nil && until.IsZero() {
		if !ok {
			fields[pwField] = domain.M("field." + "wrong_password")
			return fields, false
		}
		if !cred.User.TOTPEnabled {
			return fields, false
		}
		ok, until, err = s.confirmCode(r.Context(), cred, r.PostFormValue("current_code"))
	}
	switch {
	case err != nil:
		s.fail(w, r, err)
		return nil, true
	case !until.IsZero():
		s.accountThrottled(w, r, until)
		return nil, true
	case !ok:
		fields[codeField] = domain.M("field." + "wrong_code")
	}
	return fields, false
}

// confirmPassword checks a signed-in user's current password within the
// password gate and the user's own limit (store.PasswordCheckLimitsFor).
// until is set when the limit refuses the attempt.
func (s *Server) confirmPassword(ctx context.Context, userID, pw, hash string) (ok bool, until time.Time, err error) {
	limits := store.PasswordCheckLimitsFor(userID)
	att, err := s.st.TakeLoginAttempt(ctx, limits)
	if err != nil {
		return false, time.Time{}, err
	}
	if !att.Allowed {
		return false, att.Until, nil
	}
	ok, err = s.gate.Verify(ctx, pw, hash)
	if errors.Is(err, auth.ErrBadHash) {
		ok, err = false, nil
	}
	if err != nil {
		s.st.GiveBackLoginAttempt(context.WithoutCancel(ctx), limits) // not judged: give it back
		return false, time.Time{}, passwordCheckError(err)
	}
	if ok {
		err = s.st.LoginSucceeded(ctx, limits)
	}
	return ok, time.Time{}, err
}

// confirmCode checks a current TOTP code of a signed-in user within the
// user's second-factor limit (store.TOTPLimitsFor, shared with login) and
// uses up its time step, so a code seen over the shoulder cannot be
// replayed. until is set when the limit refuses the attempt.
func (s *Server) confirmCode(ctx context.Context, cred store.Credentials, code string) (ok bool, until time.Time, err error) {
	limits := store.TOTPLimitsFor(cred.User.ID)
	att, err := s.st.TakeLoginAttempt(ctx, limits)
	if err != nil {
		return false, time.Time{}, err
	}
	if !att.Allowed {
		return false, att.Until, nil
	}
	step, ok := auth.VerifyTOTP(cred.TOTPSecret, code, s.now(), cred.TOTPLastStep)
	if ok {
		if ok, err = s.st.UseTOTPStep(ctx, cred.User.ID, step); err != nil {
			return false, time.Time{}, err
		}
	}
	if ok {
		err = s.st.LoginSucceeded(ctx, limits)
	}
	return ok, time.Time{}, err
}

func (s *Server) accountThrottled(w http.ResponseWriter, r *http.Request, until time.Time) {
	w.Header().Set("Retry-After", fmt.Sprint(int(time.Until(until).Seconds())+1))
	s.accountPage(w, r, http.StatusTooManyRequests, func(a *AccountPage) {
		a.Error = a.T("login.throttled", until.In(a.Zone).Format("15:04:05 MST"))
	})
}

var _ = url.PathEscape
