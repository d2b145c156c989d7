package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/server"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// tcpProxy forwards connections to a database; Close cuts every
// connection and refuses new ones, as a database that went down would.
type tcpProxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func startProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
	t.Cleanup(p.Close)
	return p
}

func (p *tcpProxy) Close() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// With the database unreachable every endpoint answers 503 with
// Retry-After: the JSON error under /api/, the Indonesian error page
// elsewhere; never 500, never a login redirect or a 401 for a good token.
func TestDatabaseDownAnswers503(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		if d != store.Postgres {
			t.Skip("made unreachable through a TCP proxy: PostgreSQL only (SQLite's busy and I/O errors: TestUnreachableErrors in httpx)")
		}
		u, err := url.Parse(storetest.URL(t, d))
		if err != nil {
			t.Fatal(err)
		}
		proxy := startProxy(t, u.Host)
		u.Host = proxy.ln.Addr().String()
		clk := storetest.NewClock(time.Now().UTC())
		st := storetest.Open(t, d, storetest.Options{URL: u.String(), Now: clk.Now})
		w := &world{t: t, st: st, users: map[string]domain.User{}, clock: clk}
		usr, err := st.CreateUser(bg, access.System("test"), domain.NewUser{Username: "reg-admin", Role: domain.RoleAdmin,
			RegionCode: "61.07", FullName: "Rahasia Admin", Password: pw})
		if err != nil {
			t.Fatal(err)
		}
		w.users["reg-admin"] = usr
		srv, err := server.New(server.Options{Store: st, Log: slog.New(slog.DiscardHandler), Now: clk.Now, ReportMinFormAge: -1})
		if err != nil {
			t.Fatal(err)
		}
		w.srv, w.ts = srv, httptest.NewServer(srv)
		t.Cleanup(w.ts.Close)
		tok := w.token("reg-admin")
		staff := w.loggedIn("reg-admin")
		anon := w.browser()
		anon.get("/login")
		loginCSRF := anon.csrf
		visitor := w.browser()
		hidden := openReportForm(t, visitor)

		proxy.Close()

		report, _ := json.Marshal(capiGoodReport(nil))
		apiCalls := []struct{ method, path, token, body string }{
			{"POST", "/api/v1/reports", "", string(report)},
			{"GET", "/api/v1/reports/482719538/status", "", ""},
			// A region not read before (one read before is answered from
			// memory: regions never change once stored).
			{"GET", "/api/v1/regions/61.72", "", ""},
			{"GET", "/api/v1/cases", tok, ""},
			{"GET", "/api/v1/reports", tok, ""},
			{"GET", "/api/v1/me", tok, ""},
		}
		for _, c := range apiCalls {
			var body any
			if c.body != "" {
				body = c.body
			}
			code, raw, h := capiDo(w, c.method, c.path, c.token, body)
			if code != http.StatusServiceUnavailable || h.Get("Retry-After") == "" ||
				!strings.HasPrefix(h.Get("Content-Type"), "application/json") || errCode(capiJSON(t, raw)) != "unavailable" {
				t.Errorf("%s %s with the database down: %d Retry-After=%q %s %.200s", c.method, c.path, code, h.Get("Retry-After"),
					h.Get("Content-Type"), raw)
			}
		}
		form := reportForm()
		for k, v := range hidden {
			form[k] = v
		}
		pages := []struct {
			name string
			do   func() (int, string, http.Header)
		}{
			{"POST /login", func() (int, string, http.Header) {
				return anon.post("/login", url.Values{"csrf": {loginCSRF}, "username": {"reg-admin"}, "password": {pw}})
			}},
			{"GET /kasus", func() (int, string, http.Header) { return staff.get("/kasus") }},
			{"GET /beranda", func() (int, string, http.Header) { return staff.get("/beranda") }},
			{"GET /wilayah", func() (int, string, http.Header) { return w.browser().get("/wilayah") }},
			{"GET /lapor/status", func() (int, string, http.Header) { return w.browser().get("/lapor/status?kode=482719538") }},
			{"POST /lapor", func() (int, string, http.Header) { return visitor.post("/lapor", form) }},
		}
		for _, p := range pages {
			code, body, h := p.do()
			if code != http.StatusServiceUnavailable || h.Get("Retry-After") == "" ||
				!strings.HasPrefix(h.Get("Content-Type"), "text/html") || !strings.Contains(body, "Layanan sedang tidak tersedia") {
				t.Errorf("%s with the database down: %d Retry-After=%q %s %.300s", p.name, code, h.Get("Retry-After"), h.Get("Content-Type"), body)
			}
		}
	})
}

// A body over the limit is refused with the front end's own error: the
// JSON error under /api/ (announced or streamed), the error page elsewhere.
func TestBodyLimitAnswersLikeTheFrontEnd(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{ReportMinFormAge: -1})
		big := `{"description":"` + strings.Repeat("a", 3<<20) + `"}`
		// Announced length over the global limit.
		code, raw, h := capiDo(w, "POST", "/api/v1/reports", "", big)
		if code != http.StatusRequestEntityTooLarge || !strings.HasPrefix(h.Get("Content-Type"), "application/json") ||
			errCode(capiJSON(t, raw)) != "too_large" {
			t.Errorf("announced big body: %d %s %.200s", code, h.Get("Content-Type"), raw)
		}
		// Streamed (no Content-Length).
		req, _ := http.NewRequest("POST", w.ts.URL+"/api/v1/reports", io.MultiReader(strings.NewReader(big)))
		req.Header.Set("Content-Type", "application/json")
		req.ContentLength = -1
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || errCode(capiJSON(t, raw)) != "too_large" {
			t.Errorf("streamed big body: %d %.200s", resp.StatusCode, raw)
		}
		// Web form.
		b := w.browser()
		code2, body, h2 := b.post("/lapor", url.Values{"description": {strings.Repeat("a", 3<<20)}})
		if code2 != http.StatusRequestEntityTooLarge || !strings.HasPrefix(h2.Get("Content-Type"), "text/html") ||
			!strings.Contains(body, "terlalu besar") {
			t.Errorf("big form: %d %s %.200s", code2, h2.Get("Content-Type"), body)
		}
		if n := reportCount(t, w); n != 0 {
			t.Errorf("%d reports stored from refused bodies", n)
		}
	})
}

// Text with NUL or other control characters, or that is not UTF-8, is
// refused with 422 and the field named, on the API and the web forms, and
// nothing is stored.
func TestTextFieldsRefuseControlCharactersAndBadUTF8(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{ReportMinFormAge: -1})
		tok := w.token("reg-admin")
		bodies := []struct{ name, path, token, body, field string }{
			{"report NUL", "/api/v1/reports", "", `{"description":"Anak dipukul setiap malam\u0000 oleh ayahnya","region_code":"61.07.01.2001","anonymous":true}`, "description"},
			{"report ESC", "/api/v1/reports", "", `{"description":"Anak dipukul setiap malam \u001b[31m oleh ayahnya","region_code":"61.07.01.2001","anonymous":true}`, "description"},
			{"report bad UTF-8", "/api/v1/reports", "", "{\"description\":\"Anak dipukul setiap malam \xff\xfe oleh ayahnya\",\"region_code\":\"61.07.01.2001\",\"anonymous\":true}", ""},
			{"case", "/api/v1/cases", tok, `{"region_code":"61.07.01.2001","summary":"Ringkasan\u0007 kasus","types":["physical"]}`, "summary"},
			{"user", "/api/v1/users", tok, `{"username":"budi\u0000","role":"viewer","region_code":"61.07","password":"correct horse battery staple"}`, "username"},
		}
		for _, c := range bodies {
			code, raw, _ := capiDo(w, "POST", c.path, c.token, c.body)
			m := capiJSON(t, raw)
			if code != http.StatusUnprocessableEntity || errCode(m) != "invalid" {
				t.Errorf("%s: %d %.300s", c.name, code, raw)
				continue
			}
			if c.field != "" {
				f, _ := m["error"].(map[string]any)["fields"].(map[string]any)
				if f[c.field] == nil {
					t.Errorf("%s: field %s not named: %.300s", c.name, c.field, raw)
				}
			}
		}
		// A note on an existing case.
		cs, err := w.srv.Cases.CreateCase(bg, w.scope("reg-admin"), domain.NewCase{RegionCode: "61.07.01.2001", Summary: "Kasus uji",
			Types: []domain.ViolenceType{"physical"}})
		if err != nil {
			t.Fatal(err)
		}
		code, raw, _ := capiDo(w, "POST", "/api/v1/cases/"+cs.ID+"/notes", tok, `{"text":"catatan\u0000"}`)
		if code != http.StatusUnprocessableEntity {
			t.Errorf("note with NUL: %d %.300s", code, raw)
		}
		// Multi-line text stays allowed.
		code, raw, _ = capiDo(w, "POST", "/api/v1/reports", "", `{"description":"Anak dipukul setiap malam\r\n\toleh ayahnya","region_code":"61.07.01.2001","anonymous":true}`)
		if code != http.StatusCreated {
			t.Errorf("multi-line description: %d %.300s", code, raw)
		}
		// Web form.
		b := w.browser()
		hidden := openReportForm(t, b)
		form := reportForm()
		for k, v := range hidden {
			form[k] = v
		}
		form.Set("description", "Anak dipukul\x00 setiap malam oleh ayahnya")
		code2, body, h := b.post("/lapor", form)
		if code2 != http.StatusUnprocessableEntity || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
			t.Errorf("web form with NUL: %d %.300s", code2, body)
		}
		form.Set("description", "Anak dipukul \xff setiap malam oleh ayahnya")
		if code2, body, _ = b.post("/lapor", form); code2 != http.StatusUnprocessableEntity {
			t.Errorf("web form with bad UTF-8: %d %.300s", code2, body)
		}
		if n := reportCount(t, w); n != 1 {
			t.Errorf("%d reports stored, want only the multi-line one", n)
		}
	})
}

// HSTS only when the public URL is https; every answer but static assets
// says no-store, downloads and exports included.
func TestHSTSAndNoStore(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{HSTS: true, RootRegion: "61.07"})
		if _, err := kla.EnsureShipped(bg, w.st); err != nil {
			t.Fatal(err)
		}
		_, _, h := w.browser().get("/")
		if !strings.Contains(h.Get("Strict-Transport-Security"), "max-age=") {
			t.Errorf("HSTS missing with https: %q", h.Get("Strict-Transport-Security"))
		}
		plain := newWorld(t, d, server.Options{})
		if _, _, h := plain.browser().get("/"); h.Get("Strict-Transport-Security") != "" {
			t.Errorf("HSTS over plain http: %q", h.Get("Strict-Transport-Security"))
		}
		b := w.loggedIn("reg-admin")
		for _, p := range []string{"/kla/ekspor.csv", "/kla/ekspor.xlsx", "/kla/templat.csv", "/kla/templat.xlsx", "/kasus", "/api/v1/regions"} {
			code, _, h := b.get(p)
			if code != http.StatusOK || h.Get("Cache-Control") != "no-store" {
				t.Errorf("GET %s: %d Cache-Control %q, want 200 no-store", p, code, h.Get("Cache-Control"))
			}
		}
		if _, _, h := b.get("/static/app.css"); strings.Contains(h.Get("Cache-Control"), "no-store") {
			t.Errorf("static assets: Cache-Control %q", h.Get("Cache-Control"))
		}
	})
}

// With Secure cookies the session and CSRF cookies carry the __Host-
// prefix (Secure, Path=/, no Domain), and login, the session and logout
// use that name.
func TestHostPrefixedCookiesWhenSecure(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{SecureCookies: true})
		// The test speaks plain HTTP, so cookies are carried by hand (a
		// cookie jar keeps Secure cookies for https).
		get := func(path string, cookies ...*http.Cookie) *http.Response {
			req, _ := http.NewRequest("GET", w.ts.URL+path, nil)
			for _, c := range cookies {
				req.AddCookie(c)
			}
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			return resp
		}
		resp := get("/login")
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var csrf *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == "__Host-lindu_csrf" {
				csrf = c
			}
		}
		if csrf == nil || !csrf.Secure || csrf.Path != "/" || csrf.Domain != "" {
			t.Fatalf("anonymous CSRF cookie: %v", resp.Cookies())
		}
		m := csrfRE.FindSubmatch(body)
		form := url.Values{"csrf": {string(m[1])}, "username": {"reg-admin"}, "password": {pw}}
		req, _ := http.NewRequest("POST", w.ts.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: csrf.Name, Value: csrf.Value})
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var sess *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == "__Host-lindu_session" {
				sess = c
			}
			if c.Name == "lindu_session" {
				t.Errorf("unprefixed session cookie set")
			}
		}
		if resp.StatusCode != http.StatusSeeOther || sess == nil || !sess.Secure || sess.Path != "/" || sess.Domain != "" || !sess.HttpOnly {
			t.Fatalf("login: %d %v", resp.StatusCode, resp.Cookies())
		}
		if resp := get("/beranda", &http.Cookie{Name: sess.Name, Value: sess.Value}); resp.StatusCode != http.StatusOK {
			t.Errorf("session under __Host- name not read: %d", resp.StatusCode)
		}
		if resp := get("/beranda", &http.Cookie{Name: "lindu_session", Value: sess.Value}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("session accepted under the unprefixed name: %d", resp.StatusCode)
		}
		// Logout clears the prefixed cookie.
		resp = get("/beranda", &http.Cookie{Name: sess.Name, Value: sess.Value})
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		tokm := csrfRE.FindSubmatch(page)
		req, _ = http.NewRequest("POST", w.ts.URL+"/logout", bytes.NewReader([]byte(url.Values{"csrf": {string(tokm[1])}}.Encode())))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: sess.Name, Value: sess.Value})
		resp, err = http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		cleared := false
		for _, c := range resp.Cookies() {
			cleared = cleared || (c.Name == "__Host-lindu_session" && c.MaxAge < 0)
		}
		if resp.StatusCode != http.StatusSeeOther || !cleared {
			t.Errorf("logout: %d %v", resp.StatusCode, resp.Cookies())
		}
		if resp := get("/beranda", &http.Cookie{Name: sess.Name, Value: sess.Value}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("session still valid after logout: %d", resp.StatusCode)
		}
	})
}
