package server_test

import (
	"regexp"
	"strings"
	"testing"

	"lindu/internal/server"
	"lindu/internal/store"
)

// Pages link the stylesheet, the script and the icon at content-hashed
// URLs, which are cached for a year; the bare URL is revalidated.
func TestStaticAssetsHashedAndCachedLong(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	b := w.browser()
	_, page, _ := b.get("/")
	for _, name := range []string{"lindu.css", "lindu.js", "favicon.svg"} {
		m := regexp.MustCompile(`"(/static/` + regexp.QuoteMeta(name) + `\?v=[0-9a-f]{12})"`).FindStringSubmatch(page)
		if m == nil {
			t.Errorf("the page links %s without its hash", name)
			continue
		}
		code, body, h := b.get(m[1])
		if code != 200 || body == "" || h.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s: %d Cache-Control %q", m[1], code, h.Get("Cache-Control"))
		}
		if _, _, h := b.get("/static/" + name); strings.Contains(h.Get("Cache-Control"), "max-age=31536000") {
			t.Errorf("GET /static/%s without a hash: Cache-Control %q", name, h.Get("Cache-Control"))
		}
	}
}
