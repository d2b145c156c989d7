package server_test

import (
	"regexp"
	"strings"
	"testing"

	"lindu/internal/server"
	"lindu/internal/store"
)

// The TOTP enrolment on /account shows a QR code drawn on the page (an
// inline SVG with a text alternative, nothing fetched), and still the key
// and the otpauth address for typing.
func TestAccountTOTPQRCode(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{Require2FA: true})
	b := w.browser()
	b.login("sup", pw)
	code, page, _ := b.get("/account?enroll=1")
	if code != 200 {
		t.Fatalf("/account: %d", code)
	}
	for _, re := range []string{`<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \d+ \d+"[^>]* role="img" aria-label="Kode QR[^"]+"`,
		`<path fill="#000" d="M[0-9 hvMz-]+"/></svg>`, `id="totp-secret">[A-Z2-7 ]{16,}<`, `<code>otpauth://totp/`} {
		if !regexp.MustCompile(re).MatchString(page) {
			t.Errorf("enrolment page without %s", re)
		}
	}
	if strings.Contains(page, "<img") || strings.Contains(page, "chart.googleapis") {
		t.Error("the QR code is fetched from somewhere")
	}
}
