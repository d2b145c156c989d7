package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/api"
	"lindu/internal/domain"
	"lindu/internal/server"
	"lindu/internal/store"
)

// FuzzAPICreateUser posts arbitrary bodies to POST /api/v1/users with an
// admin's API token: the answer is 403 (tokens may not manage users), 413
// or 422 with a JSON error, never a 5xx, and never adds a user. The same
// body, when it decodes, goes to the store's CreateUser as that admin:
// a user is added or a coded error (invalid, forbidden, conflict) comes
// back, never an internal one.
func FuzzAPICreateUser(f *testing.F) {
	for _, s := range []string{
		`{"username":"fz-ok","role":"viewer","region_code":"61.07","password":"long enough pw"}`,
		`{"username":"fz","role":"viewer"}`, `{}`, `[]`, `null`, `{"username":`, `{"phone":"+62"}`,
		`{"username":"a\u0000b","role":"admin","region_code":"61.07.01.2001","password":"xxxxxxxxxxxx"}`,
		`{"username":"fz-x","role":"viewer","region_code":"61.07","password":"long enough pw","email":"a@b"}`,
	} {
		f.Add(s)
	}
	w := newWorld(f, store.SQLite, server.Options{})
	tok := w.token("reg-admin")
	admin := access.ForUser(w.users["reg-admin"], "127.0.0.1", "fuzz")
	f.Fuzz(func(t *testing.T, body string) {
		before, _ := w.st.UserCount(bg)
		req, _ := http.NewRequest("POST", w.ts.URL+"/api/v1/users", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		after, _ := w.st.UserCount(bg)
		switch resp.StatusCode {
		case 403, 413, 422:
			if after != before || !strings.Contains(string(raw), `"error"`) {
				t.Fatalf("%d changed users %d -> %d or no JSON error: %s", resp.StatusCode, before, after, raw)
			}
		default:
			t.Fatalf("status %d for %q: %s", resp.StatusCode, body, raw)
		}
		var nu api.NewUserRequest
		if json.Unmarshal([]byte(body), &nu) != nil {
			return
		}
		_, err = w.st.CreateUser(bg, admin, domain.NewUser{Username: nu.Username, Role: domain.Role(nu.Role),
			RegionCode: nu.RegionCode, FullName: nu.FullName, Email: nu.Email, Phone: nu.Phone, Password: nu.Password})
		switch code := domain.CodeOf(err); {
		case err == nil:
			if n, _ := w.st.UserCount(bg); n != after+1 {
				t.Fatalf("CreateUser succeeded but users %d -> %d", after, n)
			}
		case code == domain.EInvalid || code == domain.EForbidden || code == domain.EConflict:
			if n, _ := w.st.UserCount(bg); n != after {
				t.Fatalf("CreateUser refused (%v) but users %d -> %d", err, after, n)
			}
		default:
			t.Fatalf("CreateUser(%q): %v", body, err)
		}
	})
}

// FuzzLoginForm posts arbitrary form bodies to /login: never a 5xx, never a
// session without the right password.
func FuzzLoginForm(f *testing.F) {
	for _, s := range []string{"username=cw-a&password=x", "username=&password=", "username=%ff%fe&password=%00",
		"username=cw-a", "a=b&&&c", "username=" + strings.Repeat("a", 300) + "&password=p", "%", "next=//evil&username=x"} {
		f.Add(s)
	}
	w := newWorld(f, store.SQLite, server.Options{})
	f.Fuzz(func(t *testing.T, body string) {
		w.t = t
		b := w.browser()
		b.get("/login")
		// The fuzzed body plus a valid CSRF token (else every case is 403).
		req, _ := http.NewRequest("POST", w.ts.URL+"/login", strings.NewReader(body+"&csrf="+url.QueryEscape(b.csrf)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("status %d for %q", resp.StatusCode, body)
		}
		if resp.StatusCode == http.StatusSeeOther && strings.Contains(resp.Header.Get("Location"), "beranda") {
			vals, _ := url.ParseQuery(body)
			if vals.Get("password") != pw {
				t.Fatalf("logged in without the password: %q", body)
			}
		}
	})
}

// FuzzRegionQuery sends arbitrary query strings to the public region API:
// 200 or 422, never a 5xx.
func FuzzRegionQuery(f *testing.F) {
	for _, s := range []string{"q=sungai+raya", "parent=61.07&q=a", "q=%25%25%25", "q=_", "level=9", "limit=-1",
		"parent=61.07'--", "q=" + strings.Repeat("x ", 60), "q=%E2%80%AE"} {
		f.Add(s)
	}
	w := newWorld(f, store.SQLite, server.Options{RootRegion: "61.07"})
	f.Fuzz(func(t *testing.T, query string) {
		resp, err := http.Get(w.ts.URL + "/api/v1/regions?" + query)
		if err != nil {
			return // not a valid URL for the client: nothing reached the server
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 && resp.StatusCode != 422 && resp.StatusCode != 400 {
			t.Fatalf("status %d for %q: %s", resp.StatusCode, query, raw)
		}
		if resp.StatusCode == 200 && strings.Contains(string(raw), `"code":"13.`) {
			t.Fatalf("region outside the deployment for %q", query)
		}
	})
}
