package server_test

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lindu/internal/access"
	"lindu/internal/demo"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/server"
	"lindu/internal/store"
)

// navLinksJS lists the hrefs of the staff navigation in the page header.
const navLinksJS = `Array.from(document.querySelectorAll("header.top nav a[href]")).map((a) => a.getAttribute("href"))`

// headerJS measures the staff header and says whether its menu is open.
const headerJS = `(() => { const h = document.querySelector("header.top"); const m = document.querySelector("header.top details.menu");
  return {height: h ? h.getBoundingClientRect().height : 0, open: !!(m && m.open),
    toggle: !!(m && getComputedStyle(m.querySelector("summary")).display !== "none")}; })()`

// scrollersJS lists the tables that scroll sideways inside their .table-wrap.
const scrollersJS = `Array.from(document.querySelectorAll("main .table-wrap")).filter((d) => d.scrollWidth > d.clientWidth + 1).
  map((d) => { const t = d.querySelector("table"); return (t && t.id ? "#" + t.id : "table") + " " + d.scrollWidth + " px"; })`

// chartTextJS lists the chart texts rendered smaller than 12 px.
const chartTextJS = `Array.from(document.querySelectorAll("main svg text")).map((el) => {
  const m = el.getScreenCTM(); const px = parseFloat(getComputedStyle(el).fontSize) * (m ? Math.hypot(m.a, m.b) : 1);
  return {text: el.textContent, px: px}; }).filter((x) => x.px < 11.95).map((x) => x.text + " " + x.px.toFixed(1) + " px")`

// firstScreenJS says whether the score and category are on the first screen
// of a phone, above the filter form.
const firstScreenJS = `(() => { const s = document.getElementById("kla-total"), c = document.getElementById("kla-category"), f = document.getElementById("kla-filter");
  if (!s || !c) return "no score"; const h = window.innerHeight;
  if (s.getBoundingClientRect().bottom > h || c.getBoundingClientRect().bottom > h) return "score below the first screen";
  if (f && f.getBoundingClientRect().top < s.getBoundingClientRect().top) return "filter above the score";
  return ""; })()`

type headerBox struct {
	Height float64 `json:"height"`
	Open   bool    `json:"open"`
	Toggle bool    `json:"toggle"`
}

// On a 390 px phone, every page of every role's staff navigation fits the
// screen (no sideways scrolling) and passes the accessibility check; the
// header is one compact row with a menu button, and the menu opens.
func TestPhoneNav(t *testing.T) {
	t.Parallel()
	execPath := chromiumPath(t)
	// About 200 pages (12 users, two languages). The deadline only stops a
	// hung browser: on a slow 2-core machine, beside the rest of the test
	// command, the pages took 354 s and four browser budgets (360 s) ran
	// out mid-way; eight leave room under the package's 20-minute timeout.
	ctx, cancel := context.WithTimeout(context.Background(), 8*browserBudget)
	defer cancel()

	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	// Realistic KLA data: three years of values, agreements and budgets.
	if _, err := demo.LoadKLA(bg, w.st, kla.CurrentYear(w.clock.Now())); err != nil {
		t.Fatal(err)
	}
	sys := access.System("test")
	op := w.addUser("op-kes", domain.RoleOPDOperator, "61.07")
	if err := kla.SetUserAgency(bg, w.st, sys, op.ID, "dinkes"); err != nil {
		t.Fatal(err)
	}
	w.addUser("fasil", domain.RoleFacilitator, "61.07")
	w.addUser("satgas", domain.RoleResponder, "61.07.01.2001")
	w.addUser("pkm", domain.RoleProvider, "61.07")

	// Who also opens the KLA sections: a manager of the catalogue, the
	// regent, an agency operator, an administrator without KLA data.
	klaSections := map[string]bool{"reg-admin": true, "viewer": true, "op-kes": true, "other-prov": true}
	users := []string{"reg-admin", "admin-a", "admin-b", "cw-a", "cw-b", "viewer", "sup", "other-prov", "op-kes", "fasil", "satgas", "pkm"}
	c := newChrome(t, ctx, execPath)
	c.do("start the browser", chromedp.Navigate("about:blank"))
	start := time.Now()
	var pages atomic.Int64
	// Every role opens each of its pages in Indonesian; in English each
	// page is opened once, by the first role that has it (the English
	// texts' widths are the same whoever reads them), which keeps the
	// test's 200-odd pages from doubling.
	var inEnglish sync.Map
	// The roles run three at a time on goroutines of this test, not as
	// parallel subtests: those would wait for the package's -parallel
	// slots behind every other parallel test (on 2 cores this test then
	// took 180 s of the package's 190 s, 130 s of it queued), while the
	// test already holds its own slot.
	sem := make(chan struct{}, 3)
	var wg sync.WaitGroup
	t.Run("roles", func(t *testing.T) {
		for _, user := range users {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				t.Run(user, func(t *testing.T) {
					// Each user in a fresh browser context: no cookies of another.
					uctx, ucancel := chromedp.NewContext(c.ctx, chromedp.WithNewBrowserContext())
					defer ucancel()
					u := &chrome{t: t, ctx: uctx}
					u.loginOnPhone(w.ts.URL, user, pw)
					// Every role in both languages: the width and accessibility
					// checks of each page hold for the English text too.
					for _, lang := range []string{"id", "en"} {
						if lang != "id" {
							u.navigateVia("switch to English", chromedp.Click(chromedp.ID("lang-switch")))
						}
						once := func(string) bool { return true }
						if lang == "en" {
							once = func(href string) bool { _, seen := inEnglish.LoadOrStore(href, true); return !seen }
						}
						pages.Add(int64(u.phoneNav(w.ts.URL, user+" ("+lang+")", klaSections[user], user != "other-prov", once)))
					}
				})
			}()
		}
		wg.Wait()
	})
	t.Logf("%d pages of %d users in %v", pages.Load(), len(users), time.Since(start).Round(time.Millisecond))
}

// phoneNav checks the header of the page on screen, opens the links of its
// staff navigation that open says to open and checks that each fits the
// phone; it returns the number of pages opened. On /kla it checks the
// dashboard (withData: the user's region has KLA values) and, with
// sections, the KLA sections.
func (c *chrome) phoneNav(base, who string, sections, withData bool, shouldOpen func(href string) bool) int {
	t := c.t
	t.Helper()
	hrefs, err := chromedp.Run(c.ctx, chromedp.Evaluate[[]string](navLinksJS))
	c.must("read the navigation of "+who, err)
	if len(hrefs) < 3 {
		t.Errorf("%s: navigation has %d links: %v", who, len(hrefs), hrefs)
	}
	hb, err := chromedp.Run(c.ctx, chromedp.Evaluate[headerBox](headerJS))
	c.must("measure the header", err)
	if !hb.Toggle || hb.Open || hb.Height > 72 {
		t.Errorf("%s: header on a phone %+v, want a closed menu button and at most 72 px", who, hb)
	}
	pages := 0
	open := func(href string) bool {
		key := href
		if href == "/kla" && sections {
			key += " with its sections" // opened again to reach the tabs
		}
		if !shouldOpen(key) {
			return false
		}
		c.navigateVia(who+" opens "+href, chromedp.Navigate(base+href))
		c.fits(who + " " + href)
		pages++
		return true
	}
	for _, href := range hrefs {
		if ref, err := url.Parse(href); err != nil || ref.IsAbs() || !strings.HasPrefix(href, "/") {
			t.Errorf("%s: navigation link %q", who, href)
			continue
		}
		if !open(href) {
			continue
		}
		switch href {
		case "/tim":
			c.noScrollers(who + " " + href)
		case "/kla":
			c.noScrollers(who + " " + href)
			c.klaDashboardOnPhone(who, withData)
			if !sections {
				continue
			}
			// The KLA sections (tabs of /kla, not in the staff navigation).
			for _, tab := range []string{"/kla/perjanjian", "/kla/anggaran", "/kla/katalog"} {
				if open(tab) {
					c.noScrollers(who + " " + tab)
				}
			}
		}
	}
	if !hb.Toggle {
		return pages
	}
	// The menu opens with the keyboard and shows every link over the page.
	c.do("focus the menu button", chromedp.Focus(chromedp.CSS("header.top details.menu > summary")))
	c.do("open the menu", chromedp.KeyEvent(" "))
	shown, err := chromedp.Run(c.ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll("header.top nav a")).filter((a) => a.getBoundingClientRect().height > 0).length`))
	c.must("count the menu's links", err)
	if shown != len(hrefs) {
		t.Errorf("%s: the open menu shows %d of %d links", who, shown, len(hrefs))
	}
	if hb, err := chromedp.Run(c.ctx, chromedp.Evaluate[headerBox](headerJS)); err != nil || !hb.Open || hb.Height > 72 {
		t.Errorf("%s: header with the menu open %+v %v", who, hb, err)
	}
	c.fits(who + " with the menu open")
	return pages
}

// noScrollers fails the test for each table of the page that scrolls
// sideways on the phone instead of stacking.
func (c *chrome) noScrollers(page string) {
	c.t.Helper()
	wide, err := chromedp.Run(c.ctx, chromedp.Evaluate[[]string](scrollersJS))
	c.must("measure the tables of "+page, err)
	for _, s := range wide {
		c.t.Errorf("%s: table %s scrolls sideways", page, s)
	}
}

// klaDashboardOnPhone checks what the regent reads first on /kla: the score
// and category on the first screen, chart labels of at least 12 px, the
// gain of each step to the next category on screen.
func (c *chrome) klaDashboardOnPhone(user string, withData bool) {
	c.t.Helper()
	msg, err := chromedp.Run(c.ctx, chromedp.Evaluate[string](firstScreenJS))
	c.must("measure the score", err)
	if msg != "" {
		c.t.Errorf("%s /kla: %s", user, msg)
	}
	small, err := chromedp.Run(c.ctx, chromedp.Evaluate[[]string](chartTextJS))
	c.must("measure the charts", err)
	if len(small) > 0 {
		c.t.Errorf("%s /kla: %d chart labels under 12 px, e.g. %s", user, len(small), small[0])
	}
	gains, err := chromedp.Run(c.ctx, chromedp.Evaluate[[]float64](`Array.from(document.querySelectorAll("#road-table td.gain")).map((td) => td.getBoundingClientRect().right)`))
	c.must("measure the road", err)
	if withData && len(gains) == 0 {
		c.t.Errorf("%s /kla: no steps to the next category", user)
	}
	for _, r := range gains {
		if r > 390 {
			c.t.Errorf("%s /kla: a gain of the road is off screen (right edge %.0f px)", user, r)
		}
	}
}
