package server_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/auth"
	"lindu/internal/server"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// syncBuffer collects the server's log lines (written from its goroutines).
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// renameTable takes a table away (or gives it back), as a database that
// lost it or cannot reach it would.
func (w *world) renameTable(from, to string) {
	w.t.Helper()
	if err := w.st.InTx(bg, func(tx *store.Tx) error {
		_, err := tx.ExecContext(bg, `ALTER TABLE `+from+` RENAME TO `+to)
		return err
	}); err != nil {
		w.t.Fatalf("rename %s: %v", from, err)
	}
}

// When the login limits cannot be read, no password or code is judged:
// the login, its second factor and the account page's current-password
// check answer 503 with Retry-After and let nobody in; with the limits
// back, the same credentials work.
func TestLoginFailsClosedWithoutLimits(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		logs := &syncBuffer{}
		w := newWorld(t, d, server.Options{Log: slog.New(slog.NewTextHandler(logs, nil))})
		// sup has a second factor: after the password, the code is asked.
		secret := auth.NewTOTPSecret()
		if err := w.st.SetTOTP(bg, access.ForUser(w.users["sup"], "", ""), w.users["sup"].ID, secret, 0); err != nil {
			t.Fatal(err)
		}
		pending := w.browser()
		if code, h := pending.login("sup", pw); code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login/totp") {
			t.Fatalf("sup's password: %d %s", code, h.Get("Location"))
		}
		pending.get("/login/totp")
		admin := w.loggedIn("reg-admin")
		admin.get("/account")

		w.renameTable("login_throttle", "login_throttle_gone")
		for _, password := range []string{pw, "a wrong password"} {
			b := w.browser()
			code, h := b.login("cw-a", password)
			if code != http.StatusServiceUnavailable || h.Get("Retry-After") == "" {
				t.Fatalf("login (%q) without limits: %d, Retry-After %q", password, code, h.Get("Retry-After"))
			}
			if code, _, h := b.get("/beranda"); code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login") {
				t.Fatalf("after a login without limits: %d %s", code, h.Get("Location"))
			}
		}
		c, _ := auth.TOTPCode(secret, w.clock.Now())
		if code, _, _ := pending.post("/login/totp", url.Values{"csrf": {pending.csrf}, "code": {c}}); code != http.StatusServiceUnavailable {
			t.Fatalf("second factor without limits: %d", code)
		}
		if code, _, h := pending.get("/beranda"); code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login/totp") {
			t.Fatalf("second factor passed without limits: %d %s", code, h.Get("Location"))
		}
		const next = "another long passphrase"
		if code, _, _ := admin.post("/account/password", url.Values{"csrf": {admin.csrf}, "current": {pw},
			"new": {next}, "repeat": {next}}); code != http.StatusServiceUnavailable {
			t.Fatalf("password change without limits: %d", code)
		}
		if !strings.Contains(logs.String(), "login limits unavailable") {
			t.Errorf("the refusals were not logged:\n%s", logs.String())
		}

		w.renameTable("login_throttle_gone", "login_throttle")
		if code, h := w.browser().login("cw-a", pw); code != http.StatusSeeOther || h.Get("Location") != "/beranda" {
			t.Fatalf("login with the limits back: %d %s", code, h.Get("Location"))
		}
		if code, _, h := pending.post("/login/totp", url.Values{"csrf": {pending.csrf}, "code": {c}}); code != http.StatusSeeOther || h.Get("Location") != "/beranda" {
			t.Fatalf("second factor with the limits back: %d %s", code, h.Get("Location"))
		}
		if code, _ := w.browser().login("reg-admin", pw); code != http.StatusSeeOther {
			t.Fatalf("the password changed while the limits were gone: %d", code)
		}
	})
}

// A failed login whose audit entry cannot be written is still refused as
// a wrong password (and the failure is logged); a right password whose
// login cannot be recorded is refused, with no session.
func TestLoginWithoutAudit(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		logs := &syncBuffer{}
		w := newWorld(t, d, server.Options{Log: slog.New(slog.NewTextHandler(logs, nil))})
		w.renameTable("audit_log", "audit_log_gone")
		b := w.browser()
		b.get("/login")
		code, body, _ := b.post("/login", url.Values{"csrf": {b.csrf}, "username": {"cw-a"}, "password": {"a wrong password"}})
		if code != http.StatusUnauthorized || !strings.Contains(body, "Nama pengguna atau kata sandi salah") {
			t.Fatalf("wrong password without the audit log: %d", code)
		}
		if !strings.Contains(logs.String(), "audit of a failed login not written") {
			t.Errorf("the lost audit entry was not logged:\n%s", logs.String())
		}
		if code, _ := b.login("cw-a", pw); code == http.StatusSeeOther {
			t.Fatal("a login that cannot be recorded succeeded")
		}
		if code, _, h := b.get("/beranda"); code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login") {
			t.Fatalf("session after an unrecorded login: %d %s", code, h.Get("Location"))
		}
		w.renameTable("audit_log_gone", "audit_log")
		w.clock.Advance(time.Second)
		if code, h := w.browser().login("cw-a", pw); code != http.StatusSeeOther || h.Get("Location") != "/beranda" {
			t.Fatalf("login with the audit log back: %d %s", code, h.Get("Location"))
		}
	})
}
