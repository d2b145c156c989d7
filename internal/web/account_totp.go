package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/skip2/go-qrcode"

	"lindu/internal/auth"
	"lindu/internal/domain"
	"lindu/internal/httpx"
)

// accountTOTPEnable turns the user's second factor on, or replaces it
// (which needs the current password and a code of the current secret: a
// stolen session must not swap it). Authorization: the signed-in user, for
// themself, also while they must still enrol.
func (s *Server) accountTOTPEnable(w http.ResponseWriter, r *http.Request) {
	p := httpx.PrincipalFrom(r.Context())
	ctx := r.Context()
	secret := strings.TrimSpace(r.PostFormValue("secret"))
	code := r.PostFormValue("code")
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
			s.accountInvalid(w, r, fields)
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

// accountTOTPDisable turns the user's second factor off, with the current
// password and code. Authorization: the signed-in user, for themself, when
// their role need not keep one.
func (s *Server) accountTOTPDisable(w http.ResponseWriter, r *http.Request) {
	p := httpx.PrincipalFrom(r.Context())
	if s.auth.Needs2FA(p.User.Role) {
		s.fail(w, r, domain.E(domain.EForbidden, "account.err.keep_2fa"))
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
		s.accountInvalid(w, r, fields)
		return
	}
	if err := s.st.SetTOTP(r.Context(), p.Scope, p.User.ID, "", 0); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/account?ok=totp_disabled", http.StatusSeeOther)
}

// TOTPQR is the enrolment's otpauth URI as a QR code for the authenticator
// app to scan: an inline SVG drawn from the code's modules (no image
// service, no script), with a text alternative; the secret and the URI
// stay on the page for typing. Empty when the code cannot be made.
func (p AccountPage) TOTPQR() template.HTML {
	if p.TOTPURI == "" {
		return ""
	}
	modules, err := qrModules(p.TOTPURI)
	if err != nil {
		return ""
	}
	return template.HTML(qrSVG(modules, p.T("account.totp_qr_alt")))
}

// qrModules is the QR code of text (error correction level M, with its
// quiet zone): true for a dark module.
func qrModules(text string) ([][]bool, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("web: qr code: %w", err)
	}
	return q.Bitmap(), nil
}

// qrSVG draws modules as one path, a run of dark modules per segment.
func qrSVG(modules [][]bool, alt string) string {
	n := len(modules)
	var d strings.Builder
	for y, row := range modules {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			fmt.Fprintf(&d, "M%d %dh%dv1h-%dz", start, y, x-start, x-start)
		}
	}
	size := strconv.Itoa(n)
	return `<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ` + size + ` ` + size + `" width="200" height="200" role="img" aria-label="` +
		template.HTMLEscapeString(alt) + `" shape-rendering="crispEdges"><rect width="` + size + `" height="` + size + `" fill="#fff"/><path fill="#000" d="` +
		d.String() + `"/></svg>`
}
