package httpx

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// ServeAttachment answers with a file to be saved, never shown in the
// page: Content-Disposition attachment (the name in ASCII and in UTF-8),
// the given type with nosniff, a content security policy that lets the
// file run nothing if a browser opens it anyway, and no caching anywhere.
func ServeAttachment(w http.ResponseWriter, name, mime string, data []byte) {
	h := w.Header()
	if mime == "" {
		mime = "application/octet-stream"
	}
	h.Set("Content-Type", mime)
	h.Set("Content-Disposition", `attachment; filename="`+asciiName(name)+`"; filename*=UTF-8''`+url.PathEscape(name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox; frame-ancestors 'none'; form-action 'none'; base-uri 'none'")
	h.Set("Cache-Control", "no-store, no-cache, must-revalidate, private, max-age=0")
	h.Set("Pragma", "no-cache")
	h.Set("Expires", "0")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data) // a client gone away cannot be told
}

// asciiName is name with everything but letters, digits and ".-_ " of
// ASCII replaced by "_", for clients that ignore filename*.
func asciiName(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_', r == ' ':
			return r
		}
		return '_'
	}, name)
}
