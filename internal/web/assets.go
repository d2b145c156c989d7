package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"
)

// Static assets (lindu.css, lindu.js, the icon) are embedded in the binary
// and addressed with a hash of their content, /static/lindu.css?v=<hash>
// (templates call {{asset "lindu.css"}}): a versioned URL is cached for a
// year, so a new release's CSS and JS reach every browser at once through
// the new hash, and an unchanged file is never fetched again.

// assetCacheForever is the Cache-Control of a request whose hash matches.
const assetCacheForever = "public, max-age=31536000, immutable"

// assets serves the embedded static files and names their versioned URLs.
type assets struct {
	files http.Handler
	hash  map[string]string // file name → content hash
}

// newAssets hashes every file of fsys once, at startup.
func newAssets(fsys fs.FS) (*assets, error) {
	a := &assets{files: http.StripPrefix("/static/", http.FileServer(http.FS(fsys))), hash: map[string]string{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		a.hash[p] = assetHash(b)
		return nil
	})
	return a, err
}

// assetHash is the version of a file's content in its URL (the first 12
// hex digits of its SHA-256).
func assetHash(content []byte) string {
	h := sha256.Sum256(content)
	return hex.EncodeToString(h[:6])
}

// URL is the versioned address of the static file name (unversioned for a
// name that is not embedded).
func (a *assets) URL(name string) string {
	if h, ok := a.hash[name]; ok {
		return "/static/" + name + "?v=" + h
	}
	return "/static/" + name
}

// ServeHTTP serves GET /static/{name}: for a year when ?v= is the file's
// hash, else to be revalidated each time (an old page asking with an old
// hash gets today's file, never cached as that version).
func (a *assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	h, ok := a.hash[name]
	switch {
	case !ok:
		w.Header().Set("Cache-Control", "no-cache")
	case r.URL.Query().Get("v") == h:
		w.Header().Set("Cache-Control", assetCacheForever)
	default:
		w.Header().Set("Cache-Control", "no-cache")
	}
	if ok {
		w.Header().Set("ETag", `"`+h+`"`)
	}
	a.files.ServeHTTP(w, r)
}
