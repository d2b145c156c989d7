package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"lindu/internal/server"
	"lindu/internal/store"
)

// flashIn is the message key a redirect leaves for the next page ("" if
// none), and fails the test if the Location still carries it.
func flashIn(t testing.TB, h http.Header) string {
	t.Helper()
	if loc := h.Get("Location"); strings.Contains(loc, "ok=") {
		t.Errorf("the flash is still in the URL: %s", loc)
	}
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == "lindu_flash" && c.MaxAge > 0 {
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.MaxAge > 60 {
				t.Errorf("flash cookie %+v", c)
			}
			return c.Value
		}
	}
	return ""
}

// A success message is shown once, on the page after the form, and never
// from the URL: a bookmark of that page shows no stale message.
func TestFlashShownOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	sup := w.loggedIn("sup")
	sup.get("/tim")
	code, _, h := sup.post("/tim", url.Values{"csrf": {sup.csrf}, "name": {"UPTD Uji Flash"}, "kind": {"uptd"}, "region_code": {"61.07.01"}})
	if code != http.StatusSeeOther || h.Get("Location") != "/tim" {
		t.Fatalf("create team: %d %q", code, h.Get("Location"))
	}
	if k := flashIn(t, h); k != "team_created" {
		t.Fatalf("flash %q", k)
	}
	const msg = "Tim dibuat."
	if _, body, _ := sup.get("/tim"); !strings.Contains(body, msg) {
		t.Fatal("the page after the form shows no message")
	}
	if _, body, _ := sup.get("/tim"); strings.Contains(body, msg) {
		t.Fatal("the message is shown twice")
	}
	if _, body, _ := sup.get("/tim?ok=team_created"); strings.Contains(body, msg) {
		t.Fatal("a URL with ?ok= shows a message")
	}
	// Logging out (outside the staff pages) says so once on the home page.
	code, _, h = sup.post("/logout", url.Values{"csrf": {sup.csrf}})
	if code != http.StatusSeeOther || h.Get("Location") != "/" || flashIn(t, h) != "logged_out" {
		t.Fatalf("logout: %d %q", code, h.Get("Location"))
	}
	if _, body, _ := sup.get("/"); !strings.Contains(body, "Anda telah keluar.") {
		t.Fatal("no message after logging out")
	}
	u, _ := url.Parse(w.ts.URL)
	sup.c.Jar.SetCookies(u, []*http.Cookie{{Name: "lindu_flash", Value: "<script>", Path: "/"}})
	if code, body, _ := sup.get("/"); code != 200 || strings.Contains(body, `class="flash"`) {
		t.Fatalf("a malformed key: %d", code)
	}
}
