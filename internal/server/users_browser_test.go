package server_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"lindu/internal/server"
	"lindu/internal/store"
)

// In headless Chromium (when LINDU_TEST_CHROMIUM is set): the user list's
// pager on a 390 px phone: it fits without sideways scrolling, names the
// current page, and its links lead on and back.
func TestBrowserUserPagerOnPhone(t *testing.T) {
	t.Parallel()
	execPath := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), browserBudget)
	defer cancel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	// 120 more viewers (three pages of 50), written directly: no need to
	// hash 120 passwords.
	if err := w.st.InTx(bg, func(tx *store.Tx) error {
		for i := 0; i < 120; i++ {
			if _, err := tx.ExecContext(bg, `INSERT INTO users (id, username, role, region_code, password_hash, created_at, updated_at)
				VALUES ($1, $2, 'viewer', '61.07.01', 'x', $3, $3)`, tx.NewID(), fmt.Sprintf("pemantau-%03d", i), tx.Now()); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	c := newChrome(t, ctx, execPath)
	do, navigateVia, text := c.do, c.navigateVia, c.text
	do("phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait))
	do("open the login page", chromedp.Navigate(w.ts.URL+"/login"))
	navigateVia("log in", chromedp.SendKeys(chromedp.ID("username"), "reg-admin"), chromedp.SendKeys(chromedp.ID("password"), pw),
		chromedp.Click(chromedp.ID("login-submit")))
	navigateVia("open page 2 of the user list", chromedp.Navigate(w.ts.URL+"/users?page=2"))
	c.checkA11y("user list, page 2")
	pw, err := chromedp.Run(c.ctx, chromedp.Evaluate[pageWidth](overflowJS))
	c.must("measure the user list", err)
	if pw.ScrollWidth > pw.InnerWidth+1 {
		t.Errorf("user list on a %v px phone scrolls sideways: %v px (widest: %s)", pw.InnerWidth, pw.ScrollWidth, pw.Widest)
	}
	if got := text(`nav.pager[aria-label="Halaman"] [aria-current="page"]`); got != "Halaman 2 dari 3" {
		t.Errorf("current page reads %q", got)
	}
	navigateVia("follow the next link", chromedp.Click(`nav.pager a[rel="next"]`))
	if got := text(`nav.pager [aria-current="page"]`); got != "Halaman 3 dari 3" {
		t.Errorf("after next, current page reads %q", got)
	}
	navigateVia("follow the previous link", chromedp.Click(`nav.pager a[rel="prev"]`))
	if got := text(`nav.pager [aria-current="page"]`); got != "Halaman 2 dari 3" {
		t.Errorf("after previous, current page reads %q", got)
	}
}
