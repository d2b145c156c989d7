package server_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/server"
	"lindu/internal/store"
)

// desktopHeaderJS measures the staff header on a wide screen: its height,
// the right edge of what it shows, the links in its row and under
// "Lainnya".
const desktopHeaderJS = `(() => { const h = document.querySelector("header.top"); const shown = (el) => el.checkVisibility() && el.getBoundingClientRect().height > 0;
  const right = Math.max(...Array.from(h.querySelectorAll("a, button, summary")).filter(shown).map((el) => el.getBoundingClientRect().right));
  const more = document.getElementById("nav-more");
  return {height: h.getBoundingClientRect().height, right: right, width: window.innerWidth, page: document.documentElement.scrollWidth,
    row: Array.from(h.querySelectorAll("nav a")).filter((a) => shown(a) && !a.closest("#nav-more")).map((a) => a.getAttribute("href")),
    more: more ? Array.from(more.querySelectorAll("a")).map((a) => a.getAttribute("href")) : []}; })()`

type desktopHeader struct {
	Height float64  `json:"height"`
	Right  float64  `json:"right"`
	Width  float64  `json:"width"`
	Page   float64  `json:"page"`
	Row    []string `json:"row"`
	More   []string `json:"more"`
}

// On a 1280 px screen the staff header of every role is one row in both
// languages (it wrapped to two or three before): a long navigation keeps
// its main links in the row and puts the less used ones under "Lainnya",
// a menu that opens under it, marks the page shown from it, and closes on
// Escape. Every link stays reachable. (The phone menu: TestPhoneNav.)
func TestDesktopHeaderOneRow(t *testing.T) {
	t.Parallel()
	execPath := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), browserBudget)
	defer cancel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	if _, err := kla.EnsureShipped(bg, w.st); err != nil {
		t.Fatal(err)
	}
	op := w.addUser("op-kes", domain.RoleOPDOperator, "61.07")
	if err := kla.SetUserAgency(bg, w.st, access.System("test"), op.ID, "dinkes"); err != nil {
		t.Fatal(err)
	}
	w.addUser("fasil", domain.RoleFacilitator, "61.07")
	w.addUser("satgas", domain.RoleResponder, "61.07.01.2001")
	w.addUser("pkm", domain.RoleProvider, "61.07")
	c := newChrome(t, ctx, execPath)
	c.do("start the browser", chromedp.Navigate("about:blank"))
	for _, user := range []string{"reg-admin", "admin-a", "sup", "cw-a", "viewer", "op-kes", "fasil", "satgas", "pkm"} {
		t.Run(user, func(t *testing.T) {
			uctx, ucancel := chromedp.NewContext(c.ctx, chromedp.WithNewBrowserContext())
			defer ucancel()
			u := &chrome{t: t, ctx: uctx}
			u.do("desktop viewport", chromedp.EmulateViewport(1280, 900))
			u.do("open the login page", chromedp.Navigate(w.ts.URL+"/login"))
			u.navigateVia("log in as "+user, chromedp.SendKeys(chromedp.ID("username"), user), chromedp.SendKeys(chromedp.ID("password"), pw),
				chromedp.Click(chromedp.ID("login-submit")))
			for _, lang := range []string{"id", "en"} {
				if lang == "en" {
					u.navigateVia("switch to English", chromedp.Click(chromedp.ID("lang-switch")))
				}
				h, err := chromedp.Run(u.ctx, chromedp.Evaluate[desktopHeader](desktopHeaderJS))
				u.must("measure the header", err)
				if h.Height > 64 || h.Right > h.Width || h.Page > h.Width {
					t.Errorf("%s (%s) at 1280 px: header %v px tall, reaching %v px (page %v px), want one row within the screen; row %v",
						user, lang, h.Height, h.Right, h.Page, h.Row)
				}
				if len(h.Row)+len(h.More) < 3 || len(h.More) == 1 {
					t.Errorf("%s (%s): %d links in the row, %d under more", user, lang, len(h.Row), len(h.More))
				}
				if user == "reg-admin" && lang == "id" {
					u.checkMoreMenu(h)
				}
			}
		})
	}
}

// checkMoreMenu opens "Lainnya" on the page shown, checks that its links
// show under it and that the page opened from it marks the menu, and that
// Escape closes it.
func (c *chrome) checkMoreMenu(h desktopHeader) {
	t := c.t
	t.Helper()
	if len(h.More) < 2 || len(h.Row) > 8 {
		t.Fatalf("the administrator's navigation: row %v, more %v", h.Row, h.More)
	}
	for _, href := range []string{"/beranda", "/kasus", "/kla"} {
		if !contains(h.Row, href) {
			t.Errorf("%s is not in the header's row: %v", href, h.Row)
		}
	}
	c.do("open the more menu", chromedp.Click(chromedp.CSS("#nav-more > summary")))
	shown, err := chromedp.Run(c.ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll("#nav-more a")).filter((a) => {
	  const r = a.getBoundingClientRect(); return a.checkVisibility() && r.height >= 44 && r.bottom <= window.innerHeight; }).length`))
	c.must("measure the more menu", err)
	if shown != len(h.More) {
		t.Errorf("the more menu shows %d of its %d links", shown, len(h.More))
	}
	c.checkA11y("the more menu open")
	c.navigateVia("follow a link of the more menu", chromedp.Click(chromedp.CSS(`#nav-more a[href="/users"]`)))
	cur, err := chromedp.Run(c.ctx, chromedp.Evaluate[string](`(() => { const s = document.querySelector("#nav-more > summary");
	  const a = document.querySelector('#nav-more a[aria-current="page"]'); return (s ? s.className : "") + " " + (a ? a.getAttribute("href") : ""); })()`))
	c.must("read the current page", err)
	if strings.TrimSpace(cur) != "current /users" {
		t.Errorf("on /users the more menu reads %q, want the menu marked current", cur)
	}
	c.do("open the more menu", chromedp.Click(chromedp.CSS("#nav-more > summary")), chromedp.KeyEvent("\x1b"))
	open, err := chromedp.Run(c.ctx, chromedp.Evaluate[bool](`document.getElementById("nav-more").open`))
	c.must("read the more menu", err)
	if open {
		t.Error("Escape does not close the more menu")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
