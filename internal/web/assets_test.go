package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

// A static file's URL carries a hash of its content: it changes when the
// content changes, and only the current hash is cached for a year.
func TestAssetURLsFollowContent(t *testing.T) {
	v1, err := newAssets(fstest.MapFS{"lindu.css": {Data: []byte("body { color: #222; }")}, "lindu.js": {Data: []byte("x()")}})
	if err != nil {
		t.Fatal(err)
	}
	v2, err := newAssets(fstest.MapFS{"lindu.css": {Data: []byte("body { color: #111; }")}, "lindu.js": {Data: []byte("x()")}})
	if err != nil {
		t.Fatal(err)
	}
	if v1.URL("lindu.css") == v2.URL("lindu.css") {
		t.Errorf("the CSS URL did not change with its content: %s", v1.URL("lindu.css"))
	}
	if v1.URL("lindu.js") != v2.URL("lindu.js") {
		t.Errorf("the JS URL changed without a change: %s, %s", v1.URL("lindu.js"), v2.URL("lindu.js"))
	}
	if u := v1.URL("lindu.css"); !strings.HasPrefix(u, "/static/lindu.css?v=") || len(u) != len("/static/lindu.css?v=")+12 {
		t.Errorf("CSS URL %s", u)
	}
	if assetHash([]byte("a")) == assetHash([]byte("b")) {
		t.Error("one hash for two contents")
	}
	if u := v1.URL("nothing.css"); u != "/static/nothing.css" {
		t.Errorf("unknown file: %s", u)
	}
	for _, c := range []struct{ url, cache string }{
		{v1.URL("lindu.css"), assetCacheForever},
		{v2.URL("lindu.css"), "no-cache"}, // an old page's hash: today's file, not cached as that version
		{"/static/lindu.css", "no-cache"},
	} {
		rec := httptest.NewRecorder()
		v1.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, c.url, nil))
		if rec.Code != 200 || rec.Header().Get("Cache-Control") != c.cache || rec.Body.String() != "body { color: #222; }" {
			t.Errorf("%s: %d %q %q", c.url, rec.Code, rec.Header().Get("Cache-Control"), rec.Body.String())
		}
	}
	rec := httptest.NewRecorder()
	v1.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/static/missing.css", nil))
	if rec.Code != 404 {
		t.Errorf("missing file: %d", rec.Code)
	}
}
