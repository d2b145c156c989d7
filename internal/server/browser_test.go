package server_test

// A real browser test: headless Chromium, driven with chromedp, against the
// whole handler in this process. It logs in with a demo account, switches
// languages, browses the user list, uses the region picker (JavaScript),
// logs out, and on each page checks a few accessibility basics and, on a
// phone-sized viewport, that the page does not scroll sideways.
//
// It runs when LINDU_TEST_CHROMIUM names a Chromium binary, e.g.
//
//	LINDU_TEST_CHROMIUM=/usr/bin/chromium go test ./internal/server/ -run Browser
//
// and is skipped otherwise, unless LINDU_TEST_REQUIRE_BROWSER=1 (CI), which
// turns the skip into a failure.

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lindu/internal/demo"
	"lindu/internal/server"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// browserBudget bounds the whole browser test.
const browserBudget = 90 * time.Second

// chromiumPath returns the browser to drive, or skips (or fails) the test.
func chromiumPath(t *testing.T) string {
	t.Helper()
	p := os.Getenv("LINDU_TEST_CHROMIUM")
	if p == "" {
		if os.Getenv("LINDU_TEST_REQUIRE_BROWSER") == "1" {
			t.Fatal("LINDU_TEST_REQUIRE_BROWSER=1 but LINDU_TEST_CHROMIUM is not set (e.g. LINDU_TEST_CHROMIUM=/usr/bin/chromium)")
		}
		t.Skip("LINDU_TEST_CHROMIUM not set; skipping the headless browser test")
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("LINDU_TEST_CHROMIUM=%s: %v", p, err)
	}
	return p
}

// a11yJS lists accessibility problems of the current page: html[lang]
// missing, not exactly one h1, form controls without a label, duplicate ids
// (which break label[for] associations).
const a11yJS = `(() => {
  const probs = [];
  if (!(document.documentElement.getAttribute("lang") || "").trim()) probs.push("html element has no lang attribute");
  const h1 = document.querySelectorAll("h1").length;
  if (h1 !== 1) probs.push("page has " + h1 + " h1 elements, want exactly 1");
  const seen = {};
  document.querySelectorAll("[id]").forEach((el) => {
    if (seen[el.id]) probs.push("duplicate id #" + el.id);
    seen[el.id] = true;
  });
  document.querySelectorAll("input, select, textarea").forEach((el, i) => {
    const type = (el.getAttribute("type") || "").toLowerCase();
    if (el.tagName === "INPUT" && ["hidden", "submit", "button", "reset", "image"].includes(type)) return;
    const name = el.id ? "#" + el.id : el.tagName.toLowerCase() + "[name=" + (el.getAttribute("name") || "?") + "] (no id, element " + i + ")";
    const byFor = el.id && Array.from(document.querySelectorAll("label[for]")).some((l) => l.htmlFor === el.id && l.textContent.trim() !== "");
    const byAria = (el.getAttribute("aria-label") || "").trim() !== "" ||
      (el.getAttribute("aria-labelledby") || "").split(/\s+/).some((id) => id && document.getElementById(id) && document.getElementById(id).textContent.trim() !== "");
    const wrap = el.closest("label");
    const byWrap = wrap && wrap.textContent.trim() !== "";
    if (!byFor && !byAria && !byWrap) probs.push("form control " + name + " has no label");
  });
  return probs;
})()`

// overflowJS reports the page's width against the viewport's.
const overflowJS = `({scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
  widest: (() => { let w = null, max = 0; document.querySelectorAll("body *").forEach((el) => {
    const r = el.getBoundingClientRect(); if (r.right > max && !el.closest(".table-wrap, .visually-hidden")) { max = r.right; w = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + String(el.className).split(" ").join(".") : ""); } });
    return w + " (right edge " + Math.round(max) + ")"; })()})`

type pageWidth struct {
	ScrollWidth float64 `json:"scrollWidth"`
	InnerWidth  float64 `json:"innerWidth"`
	Widest      string  `json:"widest"`
}

func TestBrowser(t *testing.T) {
	t.Parallel()
	execPath := chromiumPath(t)

	ctx, cancel := context.WithTimeout(context.Background(), browserBudget)
	defer cancel()

	// The application, in this process.
	st := storetest.Open(t, store.SQLite, storetest.Options{})
	accounts, err := demo.Load(ctx, st)
	if err != nil {
		t.Fatalf("demo.Load: %v", err)
	}
	var adminPassword string
	for _, a := range accounts {
		if a.Username == "admin" {
			adminPassword = a.Password
		}
	}
	if adminPassword == "" {
		t.Fatalf("demo.Load returned no account named admin: %+v", accounts)
	}
	srv, err := server.New(server.Options{Store: st, RootRegion: "61.07", Version: "test",
		Log: slog.New(slog.NewTextHandler(t.Output(), nil))})
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	if u, err := url.Parse(ts.URL); err != nil || u.Hostname() != "127.0.0.1" {
		t.Fatalf("test server at %s, want 127.0.0.1", ts.URL)
	}

	// The browser: headless, its own profile, no traffic but to 127.0.0.1.
	c := newChrome(t, ctx, execPath)
	bctx, must, do, navigateVia, text := c.ctx, c.must, c.do, c.navigateVia, c.text

	shots := t.TempDir()
	path := func() string {
		t.Helper()
		loc, err := chromedp.Run(bctx, chromedp.Location())
		must("read location", err)
		u, err := url.Parse(loc)
		must("parse location "+loc, err)
		return u.Path
	}
	lang := func() string {
		t.Helper()
		l, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.documentElement.lang`))
		must("read html[lang]", err)
		return l
	}
	checkA11y := func(page string) {
		t.Helper()
		probs, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](a11yJS))
		must("accessibility check of "+page, err)
		for _, p := range probs {
			t.Errorf("accessibility, %s: %s", page, p)
		}
	}
	checkNoOverflow := func(page string) {
		t.Helper()
		w, err := chromedp.Run(bctx, chromedp.Evaluate[pageWidth](overflowJS))
		must("measure "+page, err)
		if w.InnerWidth <= 0 || w.InnerWidth > 500 {
			t.Fatalf("%s: viewport is %v px wide, want the phone viewport", page, w.InnerWidth)
		}
		t.Logf("%s on the phone: page %v px wide, viewport %v px", page, w.ScrollWidth, w.InnerWidth)
		if w.ScrollWidth > w.InnerWidth+1 {
			t.Errorf("%s on a %v px wide phone scrolls sideways: page is %v px wide (widest element outside .table-wrap: %s)",
				page, w.InnerWidth, w.ScrollWidth, w.Widest)
		}
	}
	screenshot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(bctx, chromedp.CaptureScreenshot())
		must("screenshot "+name, err)
		if len(png) < 100 {
			t.Fatalf("screenshot %s: only %d bytes", name, len(png))
		}
		must("save screenshot "+name, os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644))
	}
	const phoneW, phoneH = 390, 844
	desktop := chromedp.EmulateViewport(1280, 900)
	phone := chromedp.EmulateViewport(phoneW, phoneH, chromedp.EmulatePortrait)

	// 1. The public home page, in Indonesian by default.
	do("open the home page", desktop, chromedp.Navigate(ts.URL+"/"))
	if got := lang(); got != "id" {
		t.Errorf(`home page: <html lang=%q>, want "id"`, got)
	}
	if got := text("#login-link"); got != "Masuk" {
		t.Errorf(`home page: login link reads %q, want "Masuk"`, got)
	}
	checkA11y("home page")

	// 2. Log in as the demo admin.
	do("open the login page", chromedp.Navigate(ts.URL+"/login"))
	checkA11y("login page")
	navigateVia("log in",
		chromedp.SendKeys(chromedp.ID("username"), "admin"),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.ID("login-submit")),
	)
	do("wait for the dashboard", chromedp.WaitVisible(chromedp.CSS("main h1")))
	if p := path(); p != "/beranda" {
		t.Fatalf("after logging in the browser is at %s (page says %q), want /beranda", p, text("main"))
	}
	if h := text("main h1"); !strings.Contains(h, "Selamat datang, admin") {
		t.Errorf(`dashboard heading is %q, want it to contain "Selamat datang, admin"`, h)
	}
	// Users and the audit log are under "Lainnya" (closed): read every link.
	nav, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.querySelector("header nav").textContent`))
	must("read the navigation", err)
	for _, item := range []string{"Pengguna", "Log audit", "Lainnya"} {
		if !strings.Contains(nav, item) {
			t.Errorf("dashboard navigation %q lacks %q", nav, item)
		}
	}
	checkA11y("dashboard")

	// Screenshots of the dashboard, and no sideways scrolling on a phone.
	screenshot("dashboard-desktop")
	do("switch to the phone viewport", phone, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("main h1")))
	screenshot("dashboard-phone")
	checkNoOverflow("dashboard")
	do("switch to the desktop viewport", desktop)

	// 3. Switch to English and back.
	navigateVia("switch to English", chromedp.Click(chromedp.ID("lang-switch")))
	if got := lang(); got != "en" {
		t.Errorf(`after the language switch: <html lang=%q>, want "en"`, got)
	}
	if p := path(); p != "/beranda" {
		t.Errorf("after the language switch the browser is at %s, want /beranda", p)
	}
	if h := text("main h1"); !strings.Contains(h, "Welcome, admin") {
		t.Errorf(`English dashboard heading is %q, want it to contain "Welcome, admin"`, h)
	}
	checkA11y("dashboard (English)")
	navigateVia("switch back to Indonesian", chromedp.Click(chromedp.ID("lang-switch")))
	if got := lang(); got != "id" {
		t.Errorf(`after switching back: <html lang=%q>, want "id"`, got)
	}
	if h := text("main h1"); !strings.Contains(h, "Selamat datang, admin") {
		t.Errorf(`dashboard heading after switching back is %q, want it to contain "Selamat datang, admin"`, h)
	}

	// 4. The user list shows the demo caseworker.
	do("open the user list", chromedp.Navigate(ts.URL+"/users"))
	if p := path(); p != "/users" {
		t.Fatalf("user list: browser is at %s, want /users", p)
	}
	if tbl := text("main table tbody"); !strings.Contains(tbl, "peksos") {
		t.Errorf("user list table does not list peksos; it reads %q", tbl)
	}
	checkA11y("user list")
	do("switch to the phone viewport", phone, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("main h1")))
	screenshot("users-phone")
	checkNoOverflow("user list")
	do("switch to the desktop viewport", desktop)

	// 5. The region picker on the new-user form (JavaScript).
	do("open the new-user form", chromedp.Navigate(ts.URL+"/users/new"))
	if p := path(); p != "/users/new" {
		t.Fatalf("new-user form: browser is at %s, want /users/new", p)
	}
	checkA11y("new-user form")
	// The field starts with the admin's own region code; clear it as a
	// user would (select all, type over it).
	do("clear the region picker",
		chromedp.WaitVisible(chromedp.ID("f-region_code")),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`(() => { const el = document.getElementById("f-region_code"); el.value = ""; return el.value === ""; })()`)(ctx, tg)
			return err
		}),
	)
	do("type in the region picker", chromedp.SendKeys(chromedp.ID("f-region_code"), "sungai raya"))
	{
		pctx, pcancel := context.WithTimeout(bctx, 10*time.Second)
		err := chromedp.Do(pctx, chromedp.WaitVisible(chromedp.CSS(".region-picker .choices button")))
		pcancel()
		if err != nil {
			t.Fatalf("region picker: no suggestion appeared within 10 s after typing %q: %v", "sungai raya", err)
		}
	}
	choice := text(".region-picker .choices button")
	if !strings.Contains(strings.ToLower(choice), "sungai raya") {
		t.Errorf("region picker: first suggestion %q does not mention Sungai Raya", choice)
	}
	do("pick the first suggestion", chromedp.Click(chromedp.CSS(".region-picker .choices button")))
	// The field shows the region's name with its kind; the form sends its code.
	val, err := chromedp.Run(bctx, chromedp.Value(chromedp.CSS(`.region-picker input[type="hidden"][name="region_code"]`)))
	must("read the region field", err)
	if !strings.HasPrefix(val, "61.07") {
		t.Errorf("region picker: after choosing %q the form sends %q, want a code starting with 61.07", choice, val)
	}
	shown, err := chromedp.Run(bctx, chromedp.Value(chromedp.ID("f-region_code")))
	must("read the region field", err)
	if !strings.HasPrefix(choice, shown+" ") || !strings.HasSuffix(strings.ToLower(shown), "sungai raya") || shown == "Sungai Raya" {
		t.Errorf("region picker: after choosing %q the field shows %q, want the name with its kind", choice, shown)
	}
	if chosen := text(".region-picker .chosen"); !strings.Contains(strings.ToLower(chosen), "sungai raya") {
		t.Errorf("region picker: the chosen region reads %q, want the name of the choice", chosen)
	}
	checkA11y("new-user form after picking a region")

	// 6. Log out: back on the home page with a message; the dashboard is
	//    closed again.
	navigateVia("log out", chromedp.Click(chromedp.ID("logout")))
	if p := path(); p != "/" {
		t.Errorf("after logging out the browser is at %s, want /", p)
	}
	do("wait for the logout message", chromedp.WaitVisible(chromedp.CSS("main .flash")))
	if f := text("main .flash"); f != "Anda telah keluar." {
		t.Errorf(`after logging out the message reads %q, want "Anda telah keluar."`, f)
	}
	checkA11y("home page after logout")
	do("open the dashboard after logout", chromedp.Navigate(ts.URL+"/beranda"))
	if p := path(); p != "/login" {
		t.Errorf("after logout /beranda leads to %s, want /login", p)
	}
	checkA11y("login page after logout")

	// The requests of the logged-in browser are counted under their route
	// pattern, like anonymous ones, not as "unmatched".
	resp, err := http.Get(ts.URL + "/metrics")
	must("GET /metrics", err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	must("read /metrics", err)
	for _, route := range []string{"GET /login", "GET /beranda", "GET /users", "POST /logout"} {
		if !strings.Contains(string(body), `route="`+route+`"`) {
			t.Errorf("metrics: no lindu_http_requests_total series for route %q after the browser used it (logged-in requests are counted as route=\"unmatched\"?)", route)
		}
	}

	for _, name := range []string{"dashboard-desktop", "dashboard-phone", "users-phone"} {
		if fi, err := os.Stat(filepath.Join(shots, name+".png")); err != nil || fi.Size() == 0 {
			t.Errorf("screenshot %s missing: %v", name, err)
		}
	}
}
