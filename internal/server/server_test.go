package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/auth"
	"lindu/internal/domain"
	"lindu/internal/server"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

var bg = context.Background()

const pw = "correct horse battery"

// world is a running lindu with users in two districts of Bengkayang.
type world struct {
	t     testing.TB
	st    *store.Store
	ts    *httptest.Server
	srv   *server.Server
	users map[string]domain.User
	clock *storetest.Clock
}

var people = []struct {
	name   string
	role   domain.Role
	region string
	full   string
	phone  string
}{
	{"reg-admin", domain.RoleAdmin, "61.07", "Rahasia Admin Kabupaten", "081200001001"},
	{"admin-a", domain.RoleAdmin, "61.07.01", "Rahasia Admin A", "081200001002"},
	{"admin-b", domain.RoleAdmin, "61.07.02", "Rahasia Admin B", "081200001003"},
	{"cw-a", domain.RoleCaseworker, "61.07.01.2001", "Rahasia Nama A", "081200001004"},
	{"cw-b", domain.RoleCaseworker, "61.07.02", "Rahasia Nama B", "081200001005"},
	{"viewer", domain.RoleViewer, "61.07", "Rahasia Bupati", "081200001006"},
	{"sup", domain.RoleSupervisor, "61.07", "Rahasia Supervisor", "081200001007"},
	{"other-prov", domain.RoleAdmin, "13.01", "Rahasia Pesisir", "081200001008"},
}

func newWorld(t testing.TB, d store.Dialect, opt server.Options) *world {
	t.Helper()
	clk := storetest.NewClock(time.Now().UTC())
	st := storetest.Open(t, d, storetest.Options{Now: clk.Now})
	w := &world{t: t, st: st, users: map[string]domain.User{}, clock: clk}
	for _, p := range people {
		u, err := st.CreateUser(bg, access.System("test"), domain.NewUser{Username: p.name, Role: p.role, RegionCode: p.region,
			FullName: p.full, Email: p.name + "@example.org", Phone: p.phone, Password: pw})
		if err != nil {
			t.Fatal(err)
		}
		w.users[p.name] = u
	}
	opt.Store = st
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = clk.Now
	}
	srv, err := server.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	w.srv = srv
	w.ts = httptest.NewServer(srv)
	t.Cleanup(w.ts.Close)
	return w
}

// browser is a cookie-keeping client that does not follow redirects.
type browser struct {
	w    *world
	c    *http.Client
	csrf string
}

func (w *world) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{w: w, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) get(path string) (int, string, http.Header) {
	b.w.t.Helper()
	resp, err := b.c.Get(b.w.ts.URL + path)
	if err != nil {
		b.w.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfRE.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return resp.StatusCode, string(body), resp.Header
}

func (b *browser) post(path string, form url.Values, hdr ...string) (int, string, http.Header) {
	b.w.t.Helper()
	req, _ := http.NewRequest("POST", b.w.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.w.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfRE.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return resp.StatusCode, string(body), resp.Header
}

func (b *browser) login(user, password string) (int, http.Header) {
	b.w.t.Helper()
	b.get("/login")
	code, _, h := b.post("/login", url.Values{"csrf": {b.csrf}, "username": {user}, "password": {password}})
	if code == http.StatusSeeOther {
		b.get("/beranda") // pick up the session's CSRF token
	}
	return code, h
}

func (w *world) loggedIn(user string) *browser {
	w.t.Helper()
	b := w.browser()
	if code, h := b.login(user, pw); code != http.StatusSeeOther || h.Get("Location") != "/beranda" {
		w.t.Fatalf("login %s: %d %s", user, code, h.Get("Location"))
	}
	return b
}

func (w *world) token(user string) string {
	w.t.Helper()
	tok, _, err := w.st.CreateToken(bg, access.System("test"), w.users[user].ID, "test")
	if err != nil {
		w.t.Fatal(err)
	}
	return tok
}

func (w *world) api(method, path, token string, body any) (int, map[string]any) {
	w.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, w.ts.URL+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		w.t.Fatalf("%s %s: not JSON (%d): %.200s", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode, out
}

func errCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

// A district admin cannot read or change a user of another district,
// through the UI or the API: both answer 404 and nothing changes.
func TestRegionScopeUIAndAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		a := w.loggedIn("admin-a")
		cwA, cwB := w.users["cw-a"], w.users["cw-b"]

		if code, body, _ := a.get("/users/" + cwA.ID); code != 200 || !strings.Contains(body, "Rahasia Nama A") {
			t.Fatalf("in-scope user page: %d", code)
		}
		for _, id := range []string{cwB.ID, w.users["reg-admin"].ID, w.users["other-prov"].ID} {
			if code, body, _ := a.get("/users/" + id); code != 404 || strings.Contains(body, "Rahasia") {
				t.Errorf("UI GET out-of-scope user: %d", code)
			}
			code, _, _ := a.post("/users/"+id, url.Values{"csrf": {a.csrf}, "full_name": {"Diubah"}, "role": {"viewer"},
				"region_code": {"61.07.01"}, "email": {""}, "phone": {""}})
			if code != 404 {
				t.Errorf("UI POST out-of-scope user: %d", code)
			}
		}
		_, list, _ := a.get("/users")
		if strings.Contains(list, "cw-b") || strings.Contains(list, "reg-admin") || !strings.Contains(list, "cw-a") {
			t.Errorf("UI list not scoped")
		}

		tok := w.token("admin-a")
		if code, body := w.api("GET", "/api/v1/users/"+cwB.ID, tok, nil); code != 404 || errCode(body) != "not_found" {
			t.Errorf("API GET out of scope: %d %v", code, body)
		}
		// An API token may not manage users at all (it carries no second
		// factor); the region scope of user changes is tested in the store.
		if code, _ := w.api("PATCH", "/api/v1/users/"+cwB.ID, tok, map[string]any{"full_name": "Diubah", "disabled": true}); code != 403 {
			t.Errorf("API PATCH out of scope: %d", code)
		}
		code, body := w.api("POST", "/api/v1/users", tok, map[string]any{"username": "sneaky", "role": "admin",
			"region_code": "61.07.02", "password": "long enough pw"})
		if code != 403 || errCode(body) != "forbidden" {
			t.Errorf("API create out of scope: %d %v", code, body)
		}
		code, body = w.api("GET", "/api/v1/users?limit=200", tok, nil)
		if code != 200 {
			t.Fatalf("API list: %d", code)
		}
		for _, u := range body["users"].([]any) {
			rc := u.(map[string]any)["region_code"].(string)
			if !domain.RegionWithin(rc, "61.07.01") {
				t.Errorf("API list leaks %s", rc)
			}
			if _, ok := u.(map[string]any)["full_name"]; ok {
				t.Errorf("API list carries personal fields")
			}
		}
		// Nothing changed.
		got, _ := w.st.GetUser(bg, access.System("test"), cwB.ID)
		if got.FullName != "Rahasia Nama B" || got.Disabled || got.Role != domain.RoleCaseworker {
			t.Fatalf("out-of-scope user changed: %+v", got)
		}
		if _, err := w.st.CredentialsByUsername(bg, "sneaky"); !domain.IsNotFound(err) {
			t.Fatal("out-of-scope user created")
		}
	})
}

// A viewer never receives a personal field: not through the API, not on
// any page it can open.
func TestViewerNeverReceivesPersonalData(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		leak := func(where, body string) {
			for _, p := range people {
				if strings.Contains(body, p.full) || strings.Contains(body, p.phone[1:]) || strings.Contains(body, p.name+"@example.org") {
					t.Errorf("%s leaks personal data of %s", where, p.name)
				}
			}
		}
		tok := w.token("viewer")
		for _, path := range []string{"/api/v1/me", "/api/v1/users", "/api/v1/users/" + w.users["cw-a"].ID,
			"/api/v1/users/" + w.users["viewer"].ID, "/api/v1/audit", "/api/v1/regions?parent=61.07"} {
			code, body := w.api("GET", path, tok, nil)
			raw, _ := json.Marshal(body)
			leak("API "+path, string(raw))
			if strings.Contains(string(raw), `"full_name"`) || strings.Contains(string(raw), `"phone"`) {
				t.Errorf("API %s (%d) has a personal field: %s", path, code, raw)
			}
		}
		if code, _ := w.api("GET", "/api/v1/users", tok, nil); code != 403 {
			t.Errorf("viewer lists users: %d", code)
		}
		if code, _ := w.api("GET", "/api/v1/users/"+w.users["cw-a"].ID, tok, nil); code != 404 {
			t.Errorf("viewer reads a user: %d", code)
		}
		b := w.loggedIn("viewer")
		for _, path := range []string{"/beranda", "/account", "/users", "/users/" + w.users["cw-a"].ID,
			"/users/" + w.users["viewer"].ID, "/audit", "/wilayah", "/wilayah/61.07.01", "/"} {
			_, body, _ := b.get(path)
			leak("page "+path, body)
		}
		// A viewer's own account page shows their role but not their name.
		_, body, _ := b.get("/account")
		if !strings.Contains(body, "Pemantau") {
			t.Errorf("account page without role")
		}
	})
}

// Reading personal data through the UI is written to the audit log with
// who, what and from where.
func TestPersonalReadIsAudited(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{})
	b := w.loggedIn("reg-admin")
	id := w.users["cw-a"].ID
	if code, body, _ := b.get("/users/" + id); code != 200 || !strings.Contains(body, "Rahasia Nama A") {
		t.Fatalf("admin view: %d", code)
	}
	es, err := w.st.ListAudit(bg, access.System("test"), domain.AuditFilter{Action: "user.view_personal", ObjectID: id})
	if err != nil || len(es) != 1 {
		t.Fatalf("audit entries %v %v", es, err)
	}
	e := es[0]
	if e.Actor != "reg-admin" || e.IP != "127.0.0.1" || e.RegionCode != "61.07.01.2001" || e.UserAgent == "" {
		t.Fatalf("audit entry %+v", e)
	}
	if strings.Contains(e.Detail, "Rahasia") {
		t.Fatal("audit detail holds personal data")
	}
}

// Beyond five wrong passwords a username is delayed at the guesser's
// address only, briefly: the right password is refused during the delay
// and works after it; the same username from another address and another
// username from the same address are not held up.
func TestLoginThrottled(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{TrustProxy: true})
		attacker := func(b *browser, user, password string) (int, http.Header) {
			b.get("/login")
			code, _, h := b.post("/login", url.Values{"csrf": {b.csrf}, "username": {user}, "password": {password}},
				"X-Forwarded-For", "203.0.113.9")
			return code, h
		}
		b := w.browser()
		for i := 0; i < 6; i++ {
			if code, _ := attacker(b, "cw-a", "wrong password "+string(rune('a'+i))); code != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d", i+1, code)
			}
		}
		code, h := attacker(b, "cw-a", pw)
		if code != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
			t.Fatalf("seventh attempt: %d (Retry-After %q)", code, h.Get("Retry-After"))
		}
		if ra, _ := strconv.Atoi(h.Get("Retry-After")); ra <= 0 || ra > 15*60 {
			t.Fatalf("Retry-After %q: want a short delay", h.Get("Retry-After"))
		}
		// The real cw-a, at the office, logs in.
		if code, _ := w.browser().login("cw-a", pw); code != http.StatusSeeOther {
			t.Fatalf("the real user from another address is held up: %d", code)
		}
		// Another user at the guesser's address is not held up.
		if code, _ := attacker(w.browser(), "cw-b", pw); code != http.StatusSeeOther {
			t.Fatalf("other user at the same address: %d", code)
		}
		// After the delay the right password works there too.
		w.clock.Advance(31 * time.Second)
		if code, _ := attacker(w.browser(), "cw-a", pw); code != http.StatusSeeOther {
			t.Fatalf("after the delay: %d", code)
		}
		w.st.SealAudit(bg)
		es, _ := w.st.ListAudit(bg, access.System("test"), domain.AuditFilter{Action: "auth.login_failed"})
		delayed := 0
		for _, e := range es {
			if strings.Contains(e.Detail, "delay=") {
				delayed++
			}
			if strings.Contains(e.Detail, "203.0.113") {
				t.Fatalf("audit detail names the address: %q", e.Detail)
			}
		}
		if len(es) != 6 || delayed != 1 {
			t.Fatalf("audit: %d failed (want 6), %d starting a delay (want 1)", len(es), delayed)
		}
	})
}

// The admins' page of login delays: an admin of the whole deployment sees
// the delay and lifts it; others are refused.
func TestLoginLocksPage(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	for i := 0; i < 7; i++ {
		w.browser().login("cw-b", "wrong password "+string(rune('a'+i)))
	}
	if code, _ := w.browser().login("cw-b", pw); code != http.StatusTooManyRequests {
		t.Fatalf("cw-b not delayed: %d", code)
	}
	for _, who := range []string{"admin-a", "cw-a", "viewer", "sup"} {
		b := w.loggedIn(who)
		if code, _, _ := b.get("/users/kunci-masuk"); code != http.StatusForbidden && code != http.StatusNotFound {
			t.Errorf("%s opens the login delays: %d", who, code)
		}
		if code, _, _ := b.post("/users/kunci-masuk/lepas", url.Values{"csrf": {b.csrf}, "key": {"ua:cw-b|127.0.0.1"}}); code != http.StatusForbidden && code != http.StatusNotFound {
			t.Errorf("%s lifts a login delay: %d", who, code)
		}
	}
	b := w.loggedIn("reg-admin")
	code, body, _ := b.get("/users/kunci-masuk")
	if code != 200 || !strings.Contains(body, "cw-b") || !strings.Contains(body, "Nama pengguna dari satu alamat") {
		t.Fatalf("admin page: %d", code)
	}
	if code, _, _ := b.post("/users/kunci-masuk/lepas", url.Values{"csrf": {b.csrf}, "key": {"ua:cw-b|127.0.0.1"}}); code != http.StatusSeeOther {
		t.Fatalf("lift: %d", code)
	}
	if code, _ := w.browser().login("cw-b", pw); code != http.StatusSeeOther {
		t.Fatalf("cw-b after the lift: %d", code)
	}
}

func TestLoginFailuresLookAlike(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{})
	_, unknown, _ := func() (int, string, http.Header) {
		b := w.browser()
		b.get("/login")
		return b.post("/login", url.Values{"csrf": {b.csrf}, "username": {"nobody"}, "password": {"x"}})
	}()
	_, wrong, _ := func() (int, string, http.Header) {
		b := w.browser()
		b.get("/login")
		return b.post("/login", url.Values{"csrf": {b.csrf}, "username": {"cw-a"}, "password": {"x"}})
	}()
	if !strings.Contains(unknown, "Nama pengguna atau kata sandi salah") || !strings.Contains(wrong, "Nama pengguna atau kata sandi salah") {
		t.Fatal("unknown user and wrong password must give the same message")
	}
	// A disabled user cannot log in.
	dis := true
	w.st.UpdateUser(bg, access.System("test"), w.users["cw-b"].ID, domain.UserUpdate{Disabled: &dis})
	if code, _ := w.browser().login("cw-b", pw); code != http.StatusUnauthorized {
		t.Fatalf("disabled user logged in: %d", code)
	}
}

// Forms need the session's CSRF token, and cross-site posts are refused.
func TestCSRF(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{})
	b := w.loggedIn("reg-admin")
	form := url.Values{"username": {"newbie"}, "role": {"viewer"}, "region_code": {"61.07"}, "password": {"long enough pw"}}
	if code, _, _ := b.post("/users", form); code != http.StatusForbidden {
		t.Fatalf("no token: %d", code)
	}
	form.Set("csrf", "forged-token-forged-token-forged")
	if code, _, _ := b.post("/users", form); code != http.StatusForbidden {
		t.Fatalf("forged token: %d", code)
	}
	form.Set("csrf", b.csrf)
	if code, _, _ := b.post("/users", form, "Sec-Fetch-Site", "cross-site"); code != http.StatusForbidden {
		t.Fatalf("cross-site post: %d", code)
	}
	if code, _, _ := b.post("/users", form, "Origin", "https://evil.example"); code != http.StatusForbidden {
		t.Fatalf("foreign origin: %d", code)
	}
	if _, err := w.st.CredentialsByUsername(bg, "newbie"); !domain.IsNotFound(err) {
		t.Fatal("a refused form created a user")
	}
	if code, _, _ := b.post("/users", form, "Sec-Fetch-Site", "same-origin"); code != http.StatusCreated {
		t.Fatalf("good form: %d", code)
	}
	// Login form without its token.
	nb := w.browser()
	if code, _, _ := nb.post("/login", url.Values{"username": {"cw-a"}, "password": {pw}}); code != http.StatusForbidden {
		t.Fatalf("login without token: %d", code)
	}
	// Logout without token does not end the session.
	if code, _, _ := b.post("/logout", url.Values{}); code != http.StatusForbidden {
		t.Fatalf("logout without token: %d", code)
	}
	if code, _, _ := b.get("/beranda"); code != 200 {
		t.Fatalf("session ended by a forged logout: %d", code)
	}
}

func TestLogoutEndsSession(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{})
	b := w.loggedIn("cw-a")
	if code, _, h := b.post("/logout", url.Values{"csrf": {b.csrf}}); code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/") {
		t.Fatalf("logout: %d", code)
	}
	if code, _, h := b.get("/beranda"); code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login") {
		t.Fatalf("after logout: %d %s", code, h.Get("Location"))
	}
}

func TestLanguageSwitch(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{})
	b := w.browser()
	_, body, _ := b.get("/")
	if !strings.Contains(body, `<html lang="id">`) || !strings.Contains(body, "Masuk") {
		t.Fatal("default language is not Indonesian")
	}
	if code, _, h := b.post("/lang", url.Values{"csrf": {b.csrf}, "lang": {"en"}, "next": {"/login"}}); code != 303 || h.Get("Location") != "/login" {
		t.Fatalf("switch: %d %s", code, h.Get("Location"))
	}
	_, body, _ = b.get("/login")
	if !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "Staff login") {
		t.Fatal("English not shown")
	}
	// Open redirects are refused.
	if _, _, h := b.post("/lang", url.Values{"csrf": {b.csrf}, "lang": {"id"}, "next": {"//evil.example/x"}}); h.Get("Location") != "/" {
		t.Fatalf("open redirect: %s", h.Get("Location"))
	}
	if code, _, _ := b.post("/lang", url.Values{"csrf": {b.csrf}, "lang": {"xx"}}); code != 422 {
		t.Fatalf("unknown language: %d", code)
	}
}

func TestTOTPRequiredAndUsed(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{Require2FA: true})
	b := w.browser()
	code, h := b.login("sup", pw)
	if code != 303 || h.Get("Location") != "/account?enroll=1" {
		t.Fatalf("supervisor without TOTP: %d %s", code, h.Get("Location"))
	}
	// Everything else sends them back to enrolment, including the API.
	if code, _, h := b.get("/users"); code != 303 || h.Get("Location") != "/account?enroll=1" {
		t.Fatalf("before enrolment: %d %s", code, h.Get("Location"))
	}
	_, page, _ := b.get("/account?enroll=1")
	m := regexp.MustCompile(`name="secret" value="([A-Z2-7]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no TOTP secret on the enrolment page")
	}
	secret := m[1]
	if code, _, _ := b.post("/account/totp", url.Values{"csrf": {b.csrf}, "secret": {secret}, "code": {"000000"}}); code != 422 {
		t.Fatalf("wrong enrolment code: %d", code)
	}
	c, _ := auth.TOTPCode(secret, w.clock.Now())
	if code, _, _ := b.post("/account/totp", url.Values{"csrf": {b.csrf}, "secret": {secret}, "code": {c}}); code != 303 {
		t.Fatalf("enrolment: %d", code)
	}
	if code, _, _ := b.get("/users"); code != 200 {
		t.Fatalf("after enrolment: %d", code)
	}
	// A caseworker is not asked.
	if code, h := w.browser().login("cw-a", pw); code != 303 || h.Get("Location") != "/beranda" {
		t.Fatalf("caseworker: %d %s", code, h.Get("Location"))
	}
	// Next login asks for the code; the code already used is refused.
	w.clock.Advance(10 * time.Second)
	b2 := w.browser()
	if code, h := b2.login("sup", pw); code != 303 || !strings.HasPrefix(h.Get("Location"), "/login/totp") {
		t.Fatalf("second login: %d %s", code, h.Get("Location"))
	}
	b2.get("/login/totp")
	if code, _, _ := b2.post("/login/totp", url.Values{"csrf": {b2.csrf}, "code": {c}}); code != 401 {
		t.Fatalf("replayed code: %d", code)
	}
	if code, _, _ := b2.get("/beranda"); code != 303 {
		t.Fatalf("dashboard before second factor: %d", code)
	}
	w.clock.Advance(30 * time.Second)
	c2, _ := auth.TOTPCode(secret, w.clock.Now())
	if code, _, h := b2.post("/login/totp", url.Values{"csrf": {b2.csrf}, "code": {c2[:3] + " " + c2[3:]}}); code != 303 || h.Get("Location") != "/beranda" {
		t.Fatalf("good code: %d %s", code, h.Get("Location"))
	}
	if code, _, _ := b2.get("/beranda"); code != 200 {
		t.Fatalf("dashboard after second factor: %d", code)
	}
}

func TestAPIErrors(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{})
	tok := w.token("reg-admin")
	cases := []struct {
		name, method, path, token string
		body                      any
		status                    int
		code                      string
	}{
		{"no token", "GET", "/api/v1/me", "", nil, 401, "unauthorized"},
		{"bad token", "GET", "/api/v1/me", "lindu_nope", nil, 401, "unauthorized"},
		{"malformed", "POST", "/api/v1/users", tok, `{"username":`, 422, "invalid"},
		{"not an object", "POST", "/api/v1/users", tok, `[1,2]`, 422, "invalid"},
		{"two objects", "POST", "/api/v1/users", tok, `{} {}`, 422, "invalid"},
		{"unknown field", "POST", "/api/v1/users", tok, `{"username":"x","isAdmin":true}`, 422, "invalid"},
		{"wrong type", "POST", "/api/v1/users", tok, `{"username":5}`, 422, "invalid"},
		{"too large", "POST", "/api/v1/users", tok, `{"full_name":"` + strings.Repeat("a", 70<<10) + `"}`, 413, "too_large"},
		{"fields", "POST", "/api/v1/teams", tok, map[string]any{"name": "Tim", "kind": "king", "region_code": "x"}, 422, "invalid"},
		// Users are managed in the web interface, never with a token (no second factor).
		{"token manages users", "POST", "/api/v1/users", tok, map[string]any{"username": "ok-name", "role": "admin", "region_code": "61.07", "password": "long enough pw"}, 403, "forbidden"},
		{"unknown route", "GET", "/api/v1/nope", tok, nil, 404, "not_found"},
		{"bad region", "GET", "/api/v1/regions/99.99", "", nil, 404, "not_found"},
		{"bad parent", "GET", "/api/v1/regions?parent=x", "", nil, 422, "invalid"},
		{"bad limit", "GET", "/api/v1/regions?limit=100000", "", nil, 422, "invalid"},
		{"bad date", "GET", "/api/v1/audit?from=yesterday", tok, nil, 422, "invalid"},
	}
	n0, _ := w.st.UserCount(bg)
	for _, c := range cases {
		status, body := w.api(c.method, c.path, c.token, c.body)
		if status != c.status || errCode(body) != c.code {
			t.Errorf("%s: %d %v, want %d %s", c.name, status, body, c.status, c.code)
		}
		if msg, _ := body["error"].(map[string]any)["message"].(string); msg == "" {
			t.Errorf("%s: no message", c.name)
		}
	}
	_, body := w.api("POST", "/api/v1/teams", tok, map[string]any{"name": "Tim", "kind": "king", "region_code": "x"})
	fields := body["error"].(map[string]any)["fields"].(map[string]any)
	if fields["kind"] == nil || fields["region_code"] == nil {
		t.Errorf("fields not reported: %v", fields)
	}
	if n1, _ := w.st.UserCount(bg); n1 != n0 {
		t.Fatalf("bad requests created users: %d -> %d", n0, n1)
	}
	// A good request works and answers 201.
	status, body := w.api("POST", "/api/v1/teams", tok, map[string]any{"name": "Tim Kecamatan", "kind": "district_team",
		"region_code": "61.07.03"})
	if status != 201 || body["name"] != "Tim Kecamatan" {
		t.Fatalf("create: %d %v", status, body)
	}
}

func TestOpenAPIMatchesRoutes(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{})
	status, doc := w.api("GET", "/api/v1/openapi.json", "", nil)
	if status != 200 || doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi: %d", status)
	}
	paths := doc["paths"].(map[string]any)
	documented := map[string]bool{}
	for p, ops := range paths {
		for m, op := range ops.(map[string]any) {
			documented[strings.ToUpper(m)+" "+p] = true
			if _, ok := op.(map[string]any)["responses"]; !ok {
				t.Errorf("%s %s has no responses", m, p)
			}
		}
	}
	registered := map[string]bool{}
	for _, r := range w.srv.API.Routes() {
		k := r.Method + " " + r.Path
		registered[k] = true
		if !documented[k] {
			t.Errorf("route %s is not in openapi.json", k)
		}
		op := paths[r.Path].(map[string]any)[strings.ToLower(r.Method)].(map[string]any)
		sec, _ := op["security"].([]any)
		if r.Public != (len(sec) == 0) {
			t.Errorf("%s: public=%v but security=%v", k, r.Public, sec)
		}
	}
	for k := range documented {
		if !registered[k] {
			t.Errorf("openapi.json documents %s, which is not routed", k)
		}
	}
	// Every registered route answers (not the catch-all 404) on the mux.
	for _, r := range w.srv.API.Routes() {
		path := strings.NewReplacer("{code}", "61.07", "{id}", w.users["cw-a"].ID).Replace(r.Path)
		req := httptest.NewRequest(r.Method, path, nil)
		_, pattern := w.srv.Mux.Handler(req)
		if pattern != r.Method+" "+r.Path {
			t.Errorf("%s %s routed to %q", r.Method, path, pattern)
		}
	}
}

func TestOperationsEndpoints(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{})
	for _, p := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(w.ts.URL + p)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %v %v", p, resp, err)
		}
		resp.Body.Close()
	}
	http.Get(w.ts.URL + "/login")
	tok := w.token("cw-a")
	w.api("GET", "/api/v1/me", tok, nil)
	resp, err := http.Get(w.ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`lindu_http_requests_total{method="GET",route="GET /login",code="200"} 1`,
		`lindu_http_requests_total{method="GET",route="GET /api/v1/me",code="200"} 1`,
		"# TYPE lindu_http_request_duration_seconds histogram", "lindu_db_open_connections", "go_goroutines"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	// readyz answers 503 when the database is gone.
	w.st.Close()
	resp, _ = http.Get(w.ts.URL + "/readyz")
	if resp.StatusCode != 503 {
		t.Fatalf("readyz with closed db: %d", resp.StatusCode)
	}
	resp.Body.Close()
	// Security headers on every page.
	resp, _ = http.Get(w.ts.URL + "/healthz")
	if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'self'") || resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Fatal("security headers missing")
	}
	resp.Body.Close()
}

// Pages render for every role without error, and the navigation matches
// the role's permissions.
func TestPagesForEveryRole(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	for _, p := range people[:7] {
		b := w.loggedIn(p.name)
		for _, path := range []string{"/beranda", "/account", "/wilayah", "/wilayah/61.07.01", "/", "/wilayah?q=sungai"} {
			if code, body, _ := b.get(path); code != 200 || !strings.Contains(body, "</html>") {
				t.Errorf("%s %s: %d", p.name, path, code)
			}
		}
		_, body, _ := b.get("/beranda")
		sc := access.ForUser(w.users[p.name], "", "")
		if strings.Contains(body, `href="/audit"`) != sc.Can(domain.PermViewAudit) {
			t.Errorf("%s: audit link shown=%v", p.name, !sc.Can(domain.PermViewAudit))
		}
		if strings.Contains(body, `href="/users"`) != sc.Can(domain.PermManageUsers) {
			t.Errorf("%s: users link wrong", p.name)
		}
		code, _, _ := b.get("/audit")
		if want := map[bool]int{true: 200, false: 403}[sc.Can(domain.PermViewAudit)]; code != want {
			t.Errorf("%s /audit: %d want %d", p.name, code, want)
		}
	}
	// Regions outside the deployment are not browsable.
	if code, _, _ := w.browser().get("/wilayah/13.01"); code != 404 {
		t.Errorf("region outside the deployment: %d", code)
	}
}

func TestUserAdminFlow(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	b := w.loggedIn("admin-a")
	b.get("/users/new")
	code, body, _ := b.post("/users", url.Values{"csrf": {b.csrf}, "username": {"Bad Name"}, "role": {"responder"},
		"region_code": {"61.07.02"}, "phone": {"abc"}})
	if code != 422 || !strings.Contains(body, "Di luar wilayah Anda") && !strings.Contains(body, "huruf kecil") {
		t.Fatalf("bad form: %d", code)
	}
	code, body, _ = b.post("/users", url.Values{"csrf": {b.csrf}, "username": {"satgas-1"}, "role": {"responder"},
		"region_code": {"61.07.01.2001"}, "full_name": {"Nama Satgas"}, "phone": {"0812-3333-4444"}})
	if code != 201 {
		t.Fatalf("create: %d", code)
	}
	m := regexp.MustCompile(`id="new-password">([a-z0-9-]+)<`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("generated password not shown")
	}
	if code, _ := w.browser().login("satgas-1", m[1]); code != 303 {
		t.Fatalf("new user cannot log in: %d", code)
	}
	u, err := w.st.UserByPhone(bg, "+6281233334444")
	if err != nil || u.Username != "satgas-1" {
		t.Fatalf("phone lookup: %v", err)
	}
	// Disable; their session ends.
	sb := w.loggedIn("cw-a")
	code, _, _ = b.post("/users/"+w.users["cw-a"].ID, url.Values{"csrf": {b.csrf}, "role": {"caseworker"},
		"region_code": {"61.07.01.2001"}, "full_name": {"Rahasia Nama A"}, "email": {""}, "phone": {""}, "disabled": {"1"}})
	if code != 303 {
		t.Fatalf("disable: %d", code)
	}
	if code, _, _ := sb.get("/beranda"); code != 303 {
		t.Fatalf("disabled user's session lives: %d", code)
	}
}

// Sessions end after 30 idle minutes and 12 hours after login, however
// busy (ASVS 3.3).
func TestSessionTimeouts(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{})
	b := w.loggedIn("cw-a")
	for i := 0; i < 2; i++ {
		w.clock.Advance(29 * time.Minute)
		if code, _, _ := b.get("/beranda"); code != 200 {
			t.Fatalf("after 29 busy minutes: %d", code)
		}
	}
	w.clock.Advance(31 * time.Minute)
	if code, _, _ := b.get("/beranda"); code != http.StatusSeeOther {
		t.Fatalf("after 31 idle minutes: %d, want the login page", code)
	}
	b = w.loggedIn("cw-a")
	for i := 0; i < 12*60/20-1; i++ {
		w.clock.Advance(20 * time.Minute)
		if code, _, _ := b.get("/beranda"); code != 200 {
			t.Fatalf("busy session ended after %d minutes", (i+1)*20)
		}
	}
	w.clock.Advance(21 * time.Minute)
	if code, _, _ := b.get("/beranda"); code != http.StatusSeeOther {
		t.Fatalf("session alive after 12 hours: %d", code)
	}
}

// Changing the password needs the current one and ends the user's other
// sessions and API tokens; replacing an enrolled second factor needs the
// current password and a current code.
func TestAccountChangesNeedTheCurrentSecrets(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{})
	tok := w.token("reg-admin")
	other := w.loggedIn("reg-admin")
	b := w.loggedIn("reg-admin")
	if code, body, _ := b.post("/account/password", url.Values{"csrf": {b.csrf}, "current": {"not the password"},
		"new": {"another long passphrase"}, "repeat": {"another long passphrase"}}); code != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "Kata sandi salah") {
		t.Fatalf("password change without the current password: %d", code)
	}
	if code, body, _ := b.post("/account/password", url.Values{"csrf": {b.csrf}, "current": {pw},
		"new": {"Password2026!"}, "repeat": {"Password2026!"}}); code != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "terlalu umum") {
		t.Fatalf("common password accepted: %d", code)
	}
	if code, _, _ := b.post("/account/password", url.Values{"csrf": {b.csrf}, "current": {pw},
		"new": {"another long passphrase"}, "repeat": {"another long passphrase"}}); code != http.StatusSeeOther {
		t.Fatalf("password change: %d", code)
	}
	if code, _, _ := other.get("/beranda"); code != http.StatusSeeOther {
		t.Fatalf("the other session survived the password change: %d", code)
	}
	if code, _ := w.api("GET", "/api/v1/me", tok, nil); code != http.StatusUnauthorized {
		t.Fatalf("the API token survived the password change: %d", code)
	}

	// Enrol a second factor, then try to replace it.
	b = w.browser()
	if code, _ := b.login("reg-admin", "another long passphrase"); code != http.StatusSeeOther {
		t.Fatalf("login with the new password: %d", code)
	}
	secret := auth.NewTOTPSecret()
	code0, _ := auth.TOTPCode(secret, w.clock.Now())
	if code, _, _ := b.post("/account/totp", url.Values{"csrf": {b.csrf}, "secret": {secret}, "code": {code0}}); code != http.StatusSeeOther {
		t.Fatalf("enrol: %d", code)
	}
	w.clock.Advance(time.Minute)
	evil := auth.NewTOTPSecret()
	evilCode, _ := auth.TOTPCode(evil, w.clock.Now())
	if code, _, _ := b.post("/account/totp", url.Values{"csrf": {b.csrf}, "secret": {evil}, "code": {evilCode}}); code != http.StatusUnprocessableEntity {
		t.Fatalf("replacing the second factor without the password: %d", code)
	}
	cur, _ := auth.TOTPCode(secret, w.clock.Now())
	if code, _, _ := b.post("/account/totp", url.Values{"csrf": {b.csrf}, "secret": {evil}, "code": {evilCode},
		"current": {"another long passphrase"}, "current_code": {cur}}); code != http.StatusSeeOther {
		t.Fatalf("replacing the second factor with password and code: %d", code)
	}
}
