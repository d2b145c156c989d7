package web

import (
	"net/http"

	"lindu/internal/auth"
	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/login"
)

// The second step of a login (/login/totp): a code from the user's
// authenticator app, within the user's second-factor limit.

// TOTPPage asks for the second factor.
type TOTPPage struct {
	Base
	Next string
}

// totpForm asks for the code. Authorization: a session whose password was
// right and whose second factor is pending.
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

// totpVerify checks the code; a code is used once. Authorization: as
// totpForm, within login.TOTPLimitsFor (refused with 503 when the limits
// cannot be read). A pass that cannot be audited is refused, like a login
// (RecordLogin); a failure that cannot be audited is logged and refused.
func (s *Server) totpVerify(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	p := httpx.PrincipalFrom(r.Context())
	if p == nil || p.Session == nil || p.Pending != httpx.PendingTOTP {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	if !s.checkCSRF(r, p.Session.CSRFToken) {
		s.fail(w, r, domain.E(domain.EForbidden, "error.csrf"))
		return
	}
	ctx := r.Context()
	b := s.base(w, r, "totp.title")
	page := TOTPPage{Base: b, Next: localPath(r.PostFormValue("next"), "")}
	limits := login.TOTPLimitsFor(p.User.ID)
	att, err := login.TakeAttempt(ctx, s.st, limits)
	if err != nil {
		s.fail(w, r, s.limitsDown(ctx, "second factor", err))
		return
	}
	if !att.Allowed {
		page.Error = b.T("login.throttled", att.Until.In(b.Zone).Format("15:04:05 MST"))
		s.retryAfter(w, att.Until)
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
		if err := s.st.Audit(ctx, p.Scope, "auth.totp_failed", "user", p.User.ID, p.User.RegionCode, ""); err != nil {
			s.log.ErrorContext(ctx, "login: audit of a failed code not written", "err", err.Error())
		}
		page.Error = b.T("totp.failed")
		s.render(w, r, http.StatusUnauthorized, "totp", page)
		return
	}
	if err := login.Succeeded(ctx, s.st, limits); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.st.Audit(ctx, p.Scope, "auth.totp_passed", "user", p.User.ID, p.User.RegionCode, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	passed := true
	if err := s.st.UpdateSession(ctx, p.Session.TokenHash, &passed, nil); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, localPath(page.Next, "/beranda"), http.StatusSeeOther)
}
