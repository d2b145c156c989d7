package server_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lindu/internal/demo"
	"lindu/internal/kla"
	"lindu/internal/server"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// The KLA pages in a real browser: the demo health-office operator enters
// a value with evidence on the entry form, then the regent (viewer) opens
// the dashboard and sees score, category, charts with their tables, the
// road to the next category, and no accessibility basics broken, on a
// desktop and a phone.
func TestBrowserKLA(t *testing.T) {
	t.Parallel()
	execPath := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), browserBudget)
	defer cancel()

	st := storetest.Open(t, store.SQLite, storetest.Options{})
	accounts, err := demo.Load(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	year := kla.CurrentYear(time.Now())
	if _, err := demo.LoadKLA(ctx, st, year); err != nil {
		t.Fatal(err)
	}
	pw := map[string]string{}
	for _, a := range accounts {
		pw[a.Username] = a.Password
	}
	srv, err := server.New(server.Options{Store: st, RootRegion: "61.07", Version: "test", Log: slog.New(slog.NewTextHandler(t.Output(), nil))})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()

	c := newChrome(t, ctx, execPath)
	bctx, must, do, navigateVia, text, checkA11y := c.ctx, c.must, c.do, c.navigateVia, c.text, c.checkA11y
	login := func(user string) {
		t.Helper()
		do("open login", chromedp.Navigate(ts.URL+"/login"))
		navigateVia("log in as "+user, chromedp.SendKeys(chromedp.ID("username"), user),
			chromedp.SendKeys(chromedp.ID("password"), pw[user]), chromedp.Click(chromedp.ID("login-submit")))
		do("wait", chromedp.WaitVisible(chromedp.CSS("main h1")))
	}
	clear := func(ids ...string) {
		t.Helper()
		for _, id := range ids {
			_, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`(() => { document.getElementById("`+id+`").value = ""; return true })()`))
			must("clear "+id, err)
		}
	}
	shots := os.Getenv("LINDU_TEST_SHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	screenshot := func(name string) {
		png, err := chromedp.Run(bctx, chromedp.CaptureScreenshot())
		must("screenshot", err)
		must("save", os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644))
	}

	// 1. Data entry by the health office's operator.
	login("operator")
	do("open entry", chromedp.Navigate(ts.URL+"/kla/isi"), chromedp.WaitVisible(chromedp.ID("entry-form")))
	if a := text("#my-agency"); a != "Dinas Kesehatan" {
		t.Errorf("entry page agency %q", a)
	}
	if body := text("#entry-form"); strings.Contains(body, "Angka partisipasi pendidikan") || !strings.Contains(body, "imunisasi dasar lengkap") {
		t.Error("the entry form shows another agency's indicators, or not the operator's own")
	}
	checkA11y("KLA entry")
	// A bad value is refused, nothing saved.
	clear("value_11")
	resp, err := chromedp.RunResponse(bctx, chromedp.SendKeys(chromedp.ID("value_11"), "140"), chromedp.Click(chromedp.ID("entry-save")))
	if err != nil || resp == nil || resp.Status != 422 {
		t.Fatalf("save a bad value: %v %+v", err, resp)
	}
	if e := text("#row-11 .field-error"); !strings.Contains(e, "antara 0 dan 100") {
		t.Errorf("bad value: error %q", e)
	}
	clear("value_11", "note_11")
	navigateVia("save a good value", chromedp.SendKeys(chromedp.ID("value_11"), "96.5"),
		chromedp.SendKeys(chromedp.ID("note_11"), "Laporan PWS imunisasi"), chromedp.Click(chromedp.ID("entry-save")))
	if f := text("p.flash"); f == "" {
		t.Error("no confirmation after saving")
	}
	if v, err := chromedp.Run(bctx, chromedp.Value(chromedp.ID("value_11"))); err != nil || v != "96.5" {
		t.Errorf("value after saving: %q %v", v, err)
	}
	screenshot("kla-entry")
	navigateVia("logout", chromedp.Click(chromedp.ID("logout")))

	// 2. The regent's dashboard.
	login("bupati")
	navigateVia("open dashboard", chromedp.Navigate(ts.URL+"/kla"))
	do("wait for the score", chromedp.WaitVisible(chromedp.ID("kla-total")))
	total, cat := text("#kla-total"), text("#kla-category")
	if total == "" || cat == "" {
		t.Fatalf("dashboard: total %q category %q", total, cat)
	}
	for _, sel := range []string{"#cluster-table", "#trend-table", "#missing-table", "#indicator-table", "#rank-children", "#rank-grandchildren"} {
		if text(sel) == "" {
			t.Errorf("dashboard: %s is empty", sel)
		}
	}
	n, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("svg.chart").length`))
	if err != nil || n != 2 {
		t.Errorf("dashboard: %d charts (%v), want 2", n, err)
	}
	if !strings.Contains(text("#indicator-table"), "96.5") {
		t.Error("the operator's new value is not on the dashboard")
	}
	checkA11y("KLA dashboard")
	screenshot("kla-dashboard")
	do("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait), chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("kla-total")))
	w, err := chromedp.Run(bctx, chromedp.Evaluate[pageWidth](overflowJS))
	must("measure", err)
	if w.ScrollWidth > w.InnerWidth+1 {
		t.Errorf("KLA dashboard on a phone scrolls sideways: %v > %v (%s)", w.ScrollWidth, w.InnerWidth, w.Widest)
	}
	screenshot("kla-dashboard-phone")
	t.Logf("screenshots in %s", shots)
}
