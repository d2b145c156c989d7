package web

import (
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
)

// ipFailureLimit is higher than the per-username limit: a whole office may
// share one address.
const ipFailureLimit = 30

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

	userKey, ipKey := "user:"+username, "ip:"+ip
	for _, k := range []string{userKey, ipKey} {
		until, err := s.st.LoginLockedUntil(ctx, k)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if !until.IsZero() {
			s.st.Audit(ctx, sc, "auth.login_throttled", "", "", "", "key="+strings.SplitN(k, ":", 2)[0])
			page.Error = b.T("login.throttled", until.In(b.Zone).Format("15:04 MST"))
			w.Header().Set("Retry-After", fmt.Sprint(int(time.Until(until).Seconds())+1))
			s.render(w, r, http.StatusTooManyRequests, "login", page)
			return
		}
	}
	cred, err := s.st.CredentialsByUsername(ctx, username)
	ok := false
	switch {
	case domain.IsNotFound(err):
		auth.BurnTime(password)
	case err != nil:
		s.fail(w, r, err)
		return
	default:
		ok, err = auth.VerifyPassword(password, cred.PasswordHash)
		if err != nil {
			s.log.Error("login: stored hash unreadable", "user_id", cred.User.ID)
			ok = false
		}
		ok = ok && !cred.User.Disabled
	}
	if !ok || len(password) > 1024 {
		s.st.LoginFailed(ctx, userKey)
		s.st.LoginFailedLimit(ctx, ipKey, ipFailureLimit)
		// The audit log is append-only: name the attempt only with a real
		// username, never with whatever was typed (it may be a password).
		detail := "unknown username"
		if cred.User.ID != "" {
			sc.Username, detail = cred.User.Username, ""
		}
		s.st.Audit(ctx, sc, "auth.login_failed", "user", cred.User.ID, cred.User.RegionCode, detail)
		page.Error = b.T("login.failed")
		s.render(w, r, http.StatusUnauthorized, "login", page)
		return
	}
	s.st.LoginSucceeded(ctx, userKey)
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
	key := "totp:" + p.User.ID
	if until, err := s.st.LoginLockedUntil(ctx, key); err != nil {
		s.fail(w, r, err)
		return
	} else if !until.IsZero() {
		page.Error = b.T("login.throttled", until.In(b.Zone).Format("15:04 MST"))
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
		s.st.LoginFailed(ctx, key)
		s.st.Audit(ctx, p.Scope, "auth.totp_failed", "user", p.User.ID, p.User.RegionCode, "")
		page.Error = b.T("totp.failed")
		s.render(w, r, http.StatusUnauthorized, "totp", page)
		return
	}
	s.st.LoginSucceeded(ctx, key)
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
