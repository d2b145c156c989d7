package server_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"lindu/internal/kla"
	"lindu/internal/server"
	"lindu/internal/store"
)

// Where a user picks a region — the KLA dashboard, entry, completeness and
// verification pages, the case filter, the statistics, the user list and
// the user forms — the region is named with its kind ("Kec. Sanggau Ledo",
// "Desa Sungai Duri", "Sanggau Ledo District" in English), its code in
// small text after it, never the bare code alone.
func TestRegionPickersNameTheRegion(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	if _, err := kla.EnsureShipped(bg, w.st); err != nil {
		t.Fatal(err)
	}
	// picked is how a region picker holding a region shows it.
	picked := func(id, label, code string) string {
		return `id="` + id + `" name="` + strings.TrimPrefix(id, "f-") + `" value="` + code + `" data-region-picker data-within="61.07" data-label="` +
			label + `"`
	}
	chosen := func(label, code string) string {
		return `<span class="chosen" aria-live="polite">` + label + ` <span class="code">` + code + `</span></span>`
	}
	for _, c := range []struct {
		user, path string
		want       []string
	}{
		{"viewer", "/kla?region=61.07.06", []string{picked("f-region", "Kec. Sanggau Ledo", "61.07.06"), chosen("Kec. Sanggau Ledo", "61.07.06")}},
		{"viewer", "/kla/kelengkapan?region=61.07.06", []string{picked("f-region", "Kec. Sanggau Ledo", "61.07.06")}},
		{"reg-admin", "/kla/isi?region=61.07.01.2001", []string{picked("f-region", "Desa Sungai Duri", "61.07.01.2001"),
			chosen("Desa Sungai Duri", "61.07.01.2001")}},
		{"viewer", "/kla/verifikasi?region=61.07.06", []string{`<option value="61.07.06" selected>Kec. Sanggau Ledo</option>`,
			`<option value="61.07.01">Kec. Sungai Raya</option>`}},
		{"sup", "/kasus?region=61.07.06", []string{picked("f-region", "Kec. Sanggau Ledo", "61.07.06")}},
		{"reg-admin", "/statistik/kelola", []string{`>Kabupaten Bengkayang</option>`, `<option value="61.07.06">Kec. Sanggau Ledo</option>`}},
		{"reg-admin", "/users?region=61.07.01", []string{picked("f-region", "Kec. Sungai Raya", "61.07.01")}},
		{"reg-admin", "/users/new", []string{picked("f-region_code", "Kabupaten Bengkayang", "61.07")}},
		{"reg-admin", "/users/" + w.users["cw-a"].ID, []string{picked("f-region_code", "Desa Sungai Duri", "61.07.01.2001"),
			chosen("Desa Sungai Duri", "61.07.01.2001")}},
	} {
		b := w.loggedIn(c.user)
		code, body, _ := b.get(c.path)
		if code != 200 {
			t.Errorf("%s %s: %d", c.user, c.path, code)
			continue
		}
		checkPage(t, c.path, body)
		for _, want := range c.want {
			if !strings.Contains(body, want) {
				t.Errorf("%s %s: no %s", c.user, c.path, want)
			}
		}
	}
	// In English, the kind in English.
	b := w.loggedIn("viewer")
	if code, _, _ := b.post("/lang", url.Values{"csrf": {b.csrf}, "lang": {"en"}, "next": {"/beranda"}}); code != 303 {
		t.Fatalf("switch to English: %d", code)
	}
	for path, want := range map[string]string{
		"/kla?region=61.07.06":            picked("f-region", "Sanggau Ledo District", "61.07.06"),
		"/kla/verifikasi?region=61.07.06": `<option value="61.07.06" selected>Sanggau Ledo District</option>`,
	} {
		if _, body, _ := b.get(path); !strings.Contains(body, want) {
			t.Errorf("en %s: no %s", path, want)
		}
	}
	// A code of no region stays as typed, with nothing named.
	a := w.loggedIn("reg-admin")
	if _, body, _ := a.get("/users?region=61.07.99"); !strings.Contains(body, `value="61.07.99" data-region-picker data-within="61.07"
    autocomplete="off"`) || !strings.Contains(body, `<span class="chosen" aria-live="polite"></span>`) {
		t.Error("an unknown region is named")
	}
}

// In the browser the picker's field shows the region's name with its kind
// while the form sends its code: the KLA filter sent as it is keeps the
// district; a code typed over the name is sent as typed and comes back
// named; an emptied field sends no region.
func TestRegionPickerInBrowser(t *testing.T) {
	t.Parallel()
	execPath := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), browserBudget)
	defer cancel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	if _, err := kla.EnsureShipped(bg, w.st); err != nil {
		t.Fatal(err)
	}
	c := newChrome(t, ctx, execPath)
	c.do("open the login page", chromedp.Navigate(w.ts.URL+"/login"))
	c.navigateVia("log in", chromedp.SendKeys(chromedp.ID("username"), "viewer"), chromedp.SendKeys(chromedp.ID("password"), pw),
		chromedp.Click(chromedp.ID("login-submit")))
	field := func() (shown, sent string) {
		t.Helper()
		shown, err := chromedp.Run(c.ctx, chromedp.Value(chromedp.ID("f-region")))
		c.must("read the field", err)
		sent, err = chromedp.Run(c.ctx, chromedp.Value(chromedp.CSS(`#kla-filter input[type="hidden"][name="region"]`)))
		c.must("read the code", err)
		return shown, sent
	}
	query := func() url.Values {
		t.Helper()
		loc, err := chromedp.Run(c.ctx, chromedp.Location())
		c.must("read the location", err)
		u, err := url.Parse(loc)
		c.must("parse the location", err)
		return u.Query()
	}
	c.navigateVia("open the dashboard of a district", chromedp.Navigate(w.ts.URL+"/kla?region=61.07.06"))
	if shown, sent := field(); shown != "Kec. Sanggau Ledo" || sent != "61.07.06" {
		t.Fatalf("the field shows %q and sends %q", shown, sent)
	}
	if s := c.text(".region-picker .chosen"); s != "Kec. Sanggau Ledo 61.07.06" {
		t.Errorf("under the field: %q", s)
	}
	c.navigateVia("send the filter", chromedp.Click(chromedp.ID("kla-show")))
	if r := query().Get("region"); r != "61.07.06" {
		t.Fatalf("the filter sent region %q", r)
	}
	// A code typed over the name.
	c.do("type a code", chromedp.Focus(chromedp.ID("f-region")), chromedp.SendKeys(chromedp.ID("f-region"), "61.07.01"))
	if shown, sent := field(); shown != "61.07.01" || sent != "61.07.01" {
		t.Fatalf("after typing a code the field shows %q and sends %q", shown, sent)
	}
	c.navigateVia("send the filter", chromedp.Click(chromedp.ID("kla-show")))
	if r := query().Get("region"); r != "61.07.01" {
		t.Fatalf("the filter sent region %q", r)
	}
	if shown, _ := field(); shown != "Kec. Sungai Raya" {
		t.Errorf("the typed code comes back as %q", shown)
	}
	c.checkA11y("/kla with a district picked")
	// Emptied: no region.
	c.do("empty the field", chromedp.Focus(chromedp.ID("f-region")), chromedp.KeyEvent("\b"))
	if shown, sent := field(); shown != "" || sent != "" {
		t.Fatalf("after emptying the field shows %q and sends %q", shown, sent)
	}
}
