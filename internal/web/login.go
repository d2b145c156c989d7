package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"lindu/internal/access"
	"lindu/internal/auth"
	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/i18n"
	"lindu/internal/store"
)

// LoginPage is the login form.
type LoginPage struct {
	Base
	Username string
	Next     string
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if p := httpx.PrincipalFrom(r.Context()); p != nil && p.Session != nil && p.Ready() {
		http.Redirect(w, r, "/beranda", http.StatusSeeOther)
		return
	}
	b := s.base(w, r, "login.title")
	s.render(w, r, http.StatusOK, "login", LoginPage{Base: b, Next: localPath(r.URL.Query().Get("next"), "")})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, domain.Errorf(domain.EInvalid, "bad form"))
		return
	}
	b := s.base(w, r, "login.title")
	page := LoginPage{Base: b, Username: strings.TrimSpace(r.PostFormValue("username")), Next: localPath(r.PostFormValue("next"), "")}
	if !s.checkAnonCSRF(r) {
		page.Error = b.T("error.csrf")
		s.render(w, r, http.StatusForbidden, "login", page)
		return
	}
	ctx := r.Context()
	ip := httpx.ClientIP(r, s.auth.TrustProxy)
	username := strings.ToLower(page.Username)
	password := r.PostFormValue("password")
	sc := access.Public(ip, r.UserAgent())

	if len(username) > 100 || len(password) > 1024 {
		page.Error = b.T("login.failed")
		s.render(w, r, http.StatusUnauthorized, "login", page)
		return
	}
	// The attempt is counted before any password is hashed (see
	// store.TakeLoginAttempt): a flood of guesses is refused cheaply.
	limits := store.LoginLimitsFor(username, ip)
	att, err := s.st.TakeLoginAttempt(ctx, limits)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !att.Allowed {
		s.loginThrottled(w, r, page, att.Until)
		return
	}
	cred, err := s.st.CredentialsByUsername(ctx, username)
	ok := false
	switch {
	case domain.IsNotFound(err):
		err = s.gate.Burn(ctx, password)
	case err != nil:
	default:
		ok, err = s.gate.Verify(ctx, password, cred.PasswordHash)
		if errors.Is(err, auth.ErrBadHash) {
			s.log.Error("login: stored hash unreadable", "user_id", cred.User.ID)
			ok, err = false, nil
		}
		ok = ok && !cred.User.Disabled
	}
	if err != nil {
		// The attempt was not judged (hashing busy, database down): give it back.
		s.st.GiveBackLoginAttempt(context.WithoutCancel(ctx), limits)
		s.fail(w, r, passwordCheckError(err))
		return
	}
	if !ok {
		// The audit log is append-only: name the attempt only with a real
		// username, never with whatever was typed (it may be a password).
		detail := "unknown username"
		if cred.User.ID != "" {
			sc.Username, detail = cred.User.Username, ""
		}
		if len(att.Locked) > 0 {
			detail = strings.TrimSpace(detail + " delay=" + lockKinds(att.Locked))
		}
		s.st.Audit(ctx, sc, "auth.login_failed", "user", cred.User.ID, cred.User.RegionCode, detail)
		page.Error = b.T("login.failed")
		s.render(w, r, http.StatusUnauthorized, "login", page)
		return
	}
	if err := s.st.LoginSucceeded(ctx, limits); err != nil {
		s.fail(w, r, err)
		return
	}
	// End any session this browser already had (no session fixation).
	if c, err := r.Cookie(s.auth.SessionCookieName()); err == nil {
		if old, err := s.st.SessionByToken(ctx, c.Value); err == nil {
			s.st.DeleteSession(ctx, access.ForUser(old.User, ip, r.UserAgent()), old.TokenHash)
		}
	}
	pending := s.auth.PendingFor(cred.User, false)
	tok, err := s.st.CreateSession(ctx, cred.User.ID, ip, b.Lang, pending == httpx.PendingNone)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	detail := "factor=password"
	if pending == httpx.PendingTOTP {
		detail = "factor=password,totp_pending"
	}
	if err := s.st.RecordLogin(ctx, access.ForUser(cred.User, ip, r.UserAgent()), cred.User, detail); err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: s.auth.SessionCookieName(), Value: tok, Path: "/", HttpOnly: true,
		Secure: s.opt.SecureCookies, SameSite: http.SameSiteLaxMode})
	switch pending {
	case httpx.PendingTOTP:
		http.Redirect(w, r, "/login/totp?next="+url.QueryEscape(page.Next), http.StatusSeeOther)
	case httpx.PendingEnroll:
		http.Redirect(w, r, "/account?enroll=1", http.StatusSeeOther)
	default:
		http.Redirect(w, r, localPath(page.Next, "/beranda"), http.StatusSeeOther)
	}
}

// TOTPPage asks for the second factor.
type TOTPPage struct {
	Base
	Next string
}

func (s *Server) totpForm(w http.ResponseWriter, r *http.Request) {
	p := httpx.PrincipalFrom(r.Context())
	if p == nil || p.Session == nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	if p.Pending != httpx.PendingTOTP {
		http.Redirect(w, r, "/beranda", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "totp", TOTPPage{Base: s.base(w, r, "totp.title"), Next: localPath(r.URL.Query().Get("next"), "")})
}

func (s *Server) totpVerify(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	p := httpx.PrincipalFrom(r.Context())
	if p == nil || p.Session == nil || p.Pending != httpx.PendingTOTP {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	if !s.checkCSRF(r, p.Session.CSRFToken) {
		s.fail(w, r, domain.Errorf(domain.EForbidden, "bad CSRF token"))
		return
	}
	ctx := r.Context()
	b := s.base(w, r, "totp.title")
	page := TOTPPage{Base: b, Next: localPath(r.PostFormValue("next"), "")}
	limits := store.TOTPLimitsFor(p.User.ID)
	att, err := s.st.TakeLoginAttempt(ctx, limits)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !att.Allowed {
		page.Error = b.T("login.throttled", att.Until.In(b.Zone).Format("15:04:05 MST"))
		w.Header().Set("Retry-After", fmt.Sprint(int(time.Until(att.Until).Seconds())+1))
		s.render(w, r, http.StatusTooManyRequests, "totp", page)
		return
	}
	cred, err := s.st.CredentialsByID(ctx, p.User.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	step, ok := auth.VerifyTOTP(cred.TOTPSecret, r.PostFormValue("code"), s.now(), cred.TOTPLastStep)
	if ok {
		ok, err = s.st.UseTOTPStep(ctx, p.User.ID, step)
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if !ok {
		s.st.Audit(ctx, p.Scope, "auth.totp_failed", "user", p.User.ID, p.User.RegionCode, "")
		page.Error = b.T("totp.failed")
		s.render(w, r, http.StatusUnauthorized, "totp", page)
		return
	}
	if err := s.st.LoginSucceeded(ctx, limits); err != nil {
		s.fail(w, r, err)
		return
	}
	passed := true
	if err := s.st.UpdateSession(ctx, p.Session.TokenHash, &passed, nil); err != nil {
		s.fail(w, r, err)
		return
	}
	s.st.Audit(ctx, p.Scope, "auth.totp_passed", "user", p.User.ID, p.User.RegionCode, "")
	http.Redirect(w, r, localPath(page.Next, "/beranda"), http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	p := httpx.PrincipalFrom(r.Context())
	if p != nil && p.Session != nil {
		if !s.checkCSRF(r, p.Session.CSRFToken) {
			s.fail(w, r, domain.Errorf(domain.EForbidden, "bad CSRF token"))
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

func (s *Server) setLang(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	lang := r.PostFormValue("lang")
	if !i18n.Supported(lang) {
		s.fail(w, r, domain.Invalid("unknown language", map[string]string{"lang": "id or en"}))
		return
	}
	p := httpx.PrincipalFrom(r.Context())
	if p != nil && p.Session != nil {
		if !s.checkCSRF(r, p.Session.CSRFToken) {
			s.fail(w, r, domain.Errorf(domain.EForbidden, "bad CSRF token"))
			return
		}
		if err := s.st.UpdateSession(r.Context(), p.Session.TokenHash, nil, &lang); err != nil {
			s.fail(w, r, err)
			return
		}
	} else if !s.checkAnonCSRF(r) {
		s.fail(w, r, domain.Errorf(domain.EForbidden, "bad CSRF token"))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "lindu_lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		Secure: s.opt.SecureCookies, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, localPath(r.PostFormValue("next"), "/"), http.StatusSeeOther)
}

// loginThrottled answers an attempt refused by a login limit.
func (s *Server) loginThrottled(w http.ResponseWriter, r *http.Request, page LoginPage, until time.Time) {
	page.Error = page.T("login.throttled", until.In(page.Zone).Format("15:04:05 MST"))
	w.Header().Set("Retry-After", fmt.Sprint(int(time.Until(until).Seconds())+1))
	s.render(w, r, http.StatusTooManyRequests, "login", page)
}

// passwordCheckError turns a busy password gate into 503 with Retry-After.
func passwordCheckError(err error) error {
	if errors.Is(err, auth.ErrBusy) {
		return domain.Unavailable()
	}
	return err
}

// lockKinds names the kinds of limits whose delay started, for the audit
// log (never the address).
func lockKinds(keys []string) string {
	var kinds []string
	for _, k := range keys {
		kind, _, _ := strings.Cut(k, ":")
		kinds = append(kinds, kind)
	}
	return strings.Join(kinds, ",")
}
