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
	"lindu/internal/login"
	"lindu/internal/store"
)

// Staff login (/login): username and password, counted against the login
// limits before any password is hashed; the second factor follows on
// /login/totp (login_totp.go).

// LoginPage is the login form.
type LoginPage struct {
	Base
	Username string
	Next     string
}

// loginForm shows the form. Authorization: anyone; a signed-in user goes
// home.
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if p := httpx.PrincipalFrom(r.Context()); p != nil && p.Session != nil && p.Ready() {
		http.Redirect(w, r, "/beranda", http.StatusSeeOther)
		return
	}
	b := s.base(w, r, "login.title")
	s.render(w, r, http.StatusOK, "login", LoginPage{Base: b, Next: localPath(r.URL.Query().Get("next"), "")})
}

// login checks a username and password. Authorization: anyone, within the
// login limits (login.LimitsFor); when the limits cannot be read the
// attempt is refused with 503, never let through unchecked.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, domain.E(domain.EInvalid, "error.invalid"))
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
	if len(username) > 100 || len(password) > 1024 {
		page.Error = b.T("login.failed")
		s.render(w, r, http.StatusUnauthorized, "login", page)
		return
	}
	// The attempt is counted before any password is hashed (see
	// login.TakeAttempt): a flood of guesses is refused cheaply.
	limits := login.LimitsFor(username, ip)
	att, err := login.TakeAttempt(ctx, s.st, limits)
	if err != nil {
		s.fail(w, r, s.limitsDown(ctx, "login", err))
		return
	}
	if !att.Allowed {
		s.loginThrottled(w, r, page, att.Until)
		return
	}
	cred, ok, err := s.checkPassword(ctx, username, password)
	if err != nil {
		// The attempt was not judged (hashing busy, database down): give it back.
		s.giveBack(ctx, "login", limits)
		s.fail(w, r, passwordCheckError(err))
		return
	}
	if !ok {
		s.loginFailed(ctx, access.Public(ip, r.UserAgent()), cred, att.Locked)
		page.Error = b.T("login.failed")
		s.render(w, r, http.StatusUnauthorized, "login", page)
		return
	}
	if err := login.Succeeded(ctx, s.st, limits); err != nil {
		s.fail(w, r, err)
		return
	}
	s.startSession(w, r, cred.User, ip, b.Lang, page.Next)
}

// checkPassword looks the user up and checks the password within the
// password gate; an unknown username costs the same hashing. ok is false
// for a wrong password, an unknown username or a disabled account.
func (s *Server) checkPassword(ctx context.Context, username, password string) (store.Credentials, bool, error) {
	cred, err := s.st.CredentialsByUsername(ctx, username)
	switch {
	case domain.IsNotFound(err):
		return store.Credentials{}, false, s.gate.Burn(ctx, password)
	case err != nil:
		return store.Credentials{}, false, err
	}
	ok, err := s.gate.Verify(ctx, password, cred.PasswordHash)
	if errors.Is(err, auth.ErrBadHash) {
		s.log.ErrorContext(ctx, "login: stored hash unreadable", "user_id", cred.User.ID)
		ok, err = false, nil
	}
	return cred, ok && !cred.User.Disabled, err
}

// loginFailed records a refused login in the audit log. The log is
// append-only: the attempt is named only with a real username, never with
// whatever was typed (it may be a password). The login is refused whatever
// happens; a failure to record it is logged.
func (s *Server) loginFailed(ctx context.Context, sc domain.Scope, cred store.Credentials, locked []string) {
	detail := "unknown username"
	if cred.User.ID != "" {
		sc.Username, detail = cred.User.Username, ""
	}
	if len(locked) > 0 {
		detail = strings.TrimSpace(detail + " delay=" + lockKinds(locked))
	}
	if err := s.st.Audit(ctx, sc, "auth.login_failed", "user", cred.User.ID, cred.User.RegionCode, detail); err != nil {
		s.log.ErrorContext(ctx, "login: audit of a failed login not written", "err", err.Error())
	}
}

// startSession signs a user in whose password was right: it ends any
// session this browser had (no session fixation), records the login (a
// login that cannot be recorded is refused) and sends the user on to their
// second factor, its enrolment, or next.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u domain.User, ip, lang, next string) {
	ctx := r.Context()
	if c, err := r.Cookie(s.auth.SessionCookieName()); err == nil {
		if old, err := s.st.SessionByToken(ctx, c.Value); err == nil {
			if err := s.st.DeleteSession(ctx, access.ForUser(old.User, ip, r.UserAgent()), old.TokenHash); err != nil {
				// The new session gets a new token either way.
				s.log.WarnContext(ctx, "login: earlier session not ended", "err", err.Error())
			}
		}
	}
	pending := s.auth.PendingFor(u, false)
	tok, err := s.st.CreateSession(ctx, u.ID, ip, lang, pending == httpx.PendingNone)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	detail := "factor=password"
	if pending == httpx.PendingTOTP {
		detail = "factor=password,totp_pending"
	}
	// The session's token has not left the server: refused here, it is
	// never used and expires.
	if err := s.st.RecordLogin(ctx, access.ForUser(u, ip, r.UserAgent()), u, detail); err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: s.auth.SessionCookieName(), Value: tok, Path: "/", HttpOnly: true,
		Secure: s.opt.SecureCookies, SameSite: http.SameSiteLaxMode})
	switch pending {
	case httpx.PendingTOTP:
		http.Redirect(w, r, "/login/totp?next="+url.QueryEscape(next), http.StatusSeeOther)
	case httpx.PendingEnroll:
		http.Redirect(w, r, "/account?enroll=1", http.StatusSeeOther)
	default:
		http.Redirect(w, r, localPath(next, "/beranda"), http.StatusSeeOther)
	}
}

// loginThrottled answers an attempt refused by a login limit.
func (s *Server) loginThrottled(w http.ResponseWriter, r *http.Request, page LoginPage, until time.Time) {
	page.Error = page.T("login.throttled", until.In(page.Zone).Format("15:04:05 MST"))
	s.retryAfter(w, until)
	s.render(w, r, http.StatusTooManyRequests, "login", page)
}

// retryAfter tells the client when a delay ends.
func (s *Server) retryAfter(w http.ResponseWriter, until time.Time) {
	w.Header().Set("Retry-After", fmt.Sprint(int(until.Sub(s.now()).Seconds())+1))
}

// limitsDown is the answer to a password or code check whose limits could
// not be read or counted: the check is refused (503, logged), so a broken
// limits table never lets a guesser past them.
func (s *Server) limitsDown(ctx context.Context, what string, err error) error {
	s.log.ErrorContext(ctx, "login limits unavailable: "+what+" refused", "err", err.Error())
	return domain.Unavailable()
}

// giveBack returns an attempt that could not be judged to the limits. If
// that fails the attempt stays counted: the limits err on the safe side.
func (s *Server) giveBack(ctx context.Context, what string, limits []login.Limit) {
	if err := login.GiveBack(context.WithoutCancel(ctx), s.st, limits); err != nil {
		s.log.WarnContext(ctx, "login limits: unjudged "+what+" attempt not given back", "err", err.Error())
	}
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
