package server_test

import (
	"bytes"
	"net/http"
	"net/url"
	"testing"
	"time"

	"lindu/internal/auth"
	"lindu/internal/server"
	"lindu/internal/store"
)

// apiWithSession calls the JSON API with the browser's session cookie (no
// token), as the web page's scripts would.
func (b *browser) apiWithSession(method, path, body string) int {
	b.w.t.Helper()
	req, _ := http.NewRequest(method, b.w.ts.URL+path, bytes.NewReader([]byte(body)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := b.c.Do(req)
	if err != nil {
		b.w.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// otherCode returns a six-digit code that is not the valid one.
func otherCode(valid string) string {
	if valid == "123456" {
		return "654321"
	}
	return "123456"
}

// TestOwnSecretsNeedTheSecondFactor (ASVS 2.5, 3.3): one's own password
// changes only on the account page with the current password; with TOTP on,
// changing the password or the second factor also needs a current code,
// whose guesses are throttled and which cannot be replayed.
func TestOwnSecretsNeedTheSecondFactor(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{})
	me := w.users["reg-admin"]
	b := w.loggedIn("reg-admin")
	const stolen = "a passphrase the thief chose"

	// A stolen session may not set the password without the current one:
	// not through the API with the cookie, not through the admins' user form.
	if code := b.apiWithSession("PATCH", "/api/v1/users/"+me.ID, `{"password":"`+stolen+`"}`); code != http.StatusForbidden {
		t.Fatalf("own password through the API with a session: %d, want 403", code)
	}
	b.get("/users/" + me.ID)
	if code, _, _ := b.post("/users/"+me.ID, url.Values{"csrf": {b.csrf}, "full_name": {"Rahasia Admin Kabupaten"},
		"email": {"reg-admin@example.org"}, "phone": {"081200001001"}, "password": {stolen}}); code == http.StatusSeeOther {
		t.Fatal("own password changed through the admins' user form without the current one")
	}
	if code, _ := w.browser().login("reg-admin", stolen); code == http.StatusSeeOther {
		t.Fatal("the thief's password works")
	}

	// Enrol a second factor.
	b = w.loggedIn("reg-admin")
	b.get("/account")
	secret := auth.NewTOTPSecret()
	c0, _ := auth.TOTPCode(secret, w.clock.Now())
	if code, _, _ := b.post("/account/totp", url.Values{"csrf": {b.csrf}, "secret": {secret}, "code": {c0}}); code != http.StatusSeeOther {
		t.Fatalf("enrol: %d", code)
	}
	w.clock.Advance(time.Minute)
	b.get("/account")

	// The password alone no longer changes the password.
	const next = "the owner's next passphrase"
	if code, _, _ := b.post("/account/password", url.Values{"csrf": {b.csrf}, "current": {pw},
		"new": {next}, "repeat": {next}}); code != http.StatusUnprocessableEntity {
		t.Fatalf("password change with TOTP on but no code: %d, want 422", code)
	}
	// Nor disables the second factor.
	if code, _, _ := b.post("/account/totp/disable", url.Values{"csrf": {b.csrf}, "current": {pw}}); code != http.StatusUnprocessableEntity {
		t.Fatalf("second factor disabled without a code: %d, want 422", code)
	}

	// Guessing the current code (with the password known) is throttled.
	evil := auth.NewTOTPSecret()
	throttled := false
	for i := 0; i < 8 && !throttled; i++ {
		valid, _ := auth.TOTPCode(secret, w.clock.Now())
		evilCode, _ := auth.TOTPCode(evil, w.clock.Now())
		code, _, _ := b.post("/account/totp", url.Values{"csrf": {b.csrf}, "secret": {evil}, "code": {evilCode},
			"current": {pw}, "current_code": {otherCode(valid)}})
		switch code {
		case http.StatusTooManyRequests:
			throttled = true
		case http.StatusUnprocessableEntity:
		default:
			t.Fatalf("guess %d of the current code: %d", i+1, code)
		}
	}
	if !throttled {
		t.Fatal("8 wrong current codes were never delayed")
	}
	w.clock.Advance(16 * time.Minute)

	// With the password and a current code the password changes; the same
	// code cannot be used again.
	b.get("/account")
	cur, _ := auth.TOTPCode(secret, w.clock.Now())
	if code, _, _ := b.post("/account/password", url.Values{"csrf": {b.csrf}, "current": {pw}, "current_code": {cur},
		"new": {next}, "repeat": {next}}); code != http.StatusSeeOther {
		t.Fatalf("password change with password and code: %d", code)
	}
	b.get("/account")
	if code, _, _ := b.post("/account/totp/disable", url.Values{"csrf": {b.csrf}, "current": {next}, "current_code": {cur}}); code != http.StatusUnprocessableEntity {
		t.Fatalf("a used code accepted again: %d", code)
	}
	w.clock.Advance(time.Minute)
	cur, _ = auth.TOTPCode(secret, w.clock.Now())
	if code, _, _ := b.post("/account/totp/disable", url.Values{"csrf": {b.csrf}, "current": {next}, "current_code": {cur}}); code != http.StatusSeeOther {
		t.Fatalf("second factor disabled with password and code: %d", code)
	}
}
