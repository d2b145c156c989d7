package server_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// chrome is a tab of a headless Chromium driven by chromedp, with the
// steps every browser test uses. Each chrome has a browser context of its
// own (cookies, storage: a separate profile), closed when the test ends.
type chrome struct {
	t   *testing.T
	ctx context.Context
}

// theBrowser is the one Chromium of this package's tests: started by the
// first test that needs it, stopped by TestMain. One browser process per
// test (26 of them) spent about a second of CPU and two of wall time each
// on starting and stopping; a browser context per test keeps the tests
// as separate as before.
var theBrowser struct {
	once sync.Once
	ctx  context.Context
	err  error
	stop func()
}

// sharedBrowser starts (once) the package's Chromium at execPath and
// returns its context. It reaches nothing but 127.0.0.1 and runs with a
// profile of its own in a temporary directory.
func sharedBrowser(execPath string) (context.Context, error) {
	theBrowser.once.Do(func() {
		dir, err := os.MkdirTemp("", "lindu-chromium-")
		if err != nil {
			theBrowser.err = err
			return
		}
		allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(),
			chromedp.ExecPath(execPath),
			chromedp.UserDataDir(dir),
			chromedp.Headless,
			chromedp.NoSandbox, // the tests may run as root
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.NoDefaultBrowserCheck,
			chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-extensions", true),
			chromedp.Flag("disable-default-apps", true),
			chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter"),
			chromedp.Flag("no-proxy-server", true),
			chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
			chromedp.Flag("password-store", "basic"),
			chromedp.WindowSize(1280, 900),
		)
		// The protocol's own complaints (events chromedp cannot decode)
		// are not the tests' findings: a step that fails fails its test.
		bctx, bcancel := chromedp.NewContext(allocCtx, chromedp.WithErrorf(func(string, ...any) {}))
		theBrowser.stop = func() {
			bcancel()
			allocCancel()
			_ = os.RemoveAll(dir)
		}
		if err := chromedp.Do(bctx); err != nil {
			theBrowser.err = err
			return
		}
		theBrowser.ctx = bctx
	})
	return theBrowser.ctx, theBrowser.err
}

// stopBrowser stops the package's Chromium, if a test started it.
func stopBrowser() {
	if theBrowser.stop != nil {
		theBrowser.stop()
	}
}

// newChrome opens a tab in a new browser context of the package's
// Chromium; it closes when the test ends or parent is done.
func newChrome(t *testing.T, parent context.Context, execPath string) *chrome {
	t.Helper()
	bctx, err := sharedBrowser(execPath)
	if err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	tctx, cancel := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
	stop := context.AfterFunc(parent, cancel)
	t.Cleanup(func() { stop(); cancel() })
	return &chrome{t: t, ctx: tctx}
}

// must stops the test on err.
func (c *chrome) must(what string, err error) {
	c.t.Helper()
	if err != nil {
		c.t.Fatalf("%s: %v", what, err)
	}
}

// do runs steps that do not load a page.
func (c *chrome) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	c.t.Helper()
	c.must(what, chromedp.Do(c.ctx, steps...))
}

// navigateVia runs steps that cause a page load (a click on a submit
// button, a link) and waits for it; an HTTP error status fails the test.
func (c *chrome) navigateVia(what string, steps ...chromedp.Action[chromedp.Void]) {
	c.t.Helper()
	resp, err := chromedp.RunResponse(c.ctx, steps...)
	c.must(what, err)
	if resp != nil && resp.Status >= 400 {
		c.t.Fatalf("%s: HTTP status %d for %s", what, resp.Status, resp.URL)
	}
}

// text is the visible text of the first element matching sel.
func (c *chrome) text(sel string) string {
	c.t.Helper()
	s, err := chromedp.Run(c.ctx, chromedp.Text(chromedp.CSS(sel)))
	c.must("read text of "+sel, err)
	return strings.TrimSpace(s)
}

// checkA11y runs the accessibility smoke check (a11yJS) on the page.
func (c *chrome) checkA11y(page string) {
	c.t.Helper()
	probs, err := chromedp.Run(c.ctx, chromedp.Evaluate[[]string](a11yJS))
	c.must("accessibility check of "+page, err)
	for _, p := range probs {
		c.t.Errorf("accessibility, %s: %s", page, p)
	}
}

// loginOnPhone sets a 390 x 844 phone viewport and logs user in at base.
func (c *chrome) loginOnPhone(base, user, password string) {
	c.t.Helper()
	c.do("phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait))
	c.do("open the login page", chromedp.Navigate(base+"/login"))
	c.navigateVia("log in as "+user, chromedp.SendKeys(chromedp.ID("username"), user), chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.ID("login-submit")))
}

// fits runs the accessibility check on the page and fails the test when it
// is wider than the viewport (sideways scrolling on a phone).
func (c *chrome) fits(page string) {
	c.t.Helper()
	c.checkA11y(page)
	pw, err := chromedp.Run(c.ctx, chromedp.Evaluate[pageWidth](overflowJS))
	c.must("measure "+page, err)
	if pw.ScrollWidth > pw.InnerWidth+1 {
		c.t.Errorf("%s on a %v px phone scrolls sideways: %v px (widest: %s)", page, pw.InnerWidth, pw.ScrollWidth, pw.Widest)
	}
}
