package web

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"lindu/internal/httpx"
	"lindu/internal/i18n"
)

// Flash messages ("Penugasan disimpan") are shown once, on the page a form
// redirects to. A handler names the message with withOK (or a literal
// "?ok=key" in its redirect); the flashing wrapper, around every staff page
// and the public forms that redirect with a message, takes the key out of
// the Location and puts it in a short-lived cookie; base() shows the
// message and clears the cookie. A URL with ?ok= shows nothing: a bookmark
// or a shared link never repeats a stale message.

// flashCookie names the cookie carrying the next page's message key.
const flashCookie = "lindu_flash"

// flashParam is the query parameter withOK adds to a redirect for the
// flashing wrapper (never read from a request).
const flashParam = "ok"

// flashKey is what a message key may look like (the part after "flash."),
// with up to three whole numbers for the message (withOKCount).
var flashKey = regexp.MustCompile(`^[a-z0-9_.-]{1,40}(:[0-9]{1,9}){0,3}$`)

// withOK marks a redirect to path with the message flash.<key>: the
// handler must run inside s.staff, s.enrolling or s.flashing.
func withOK(path, key string) string {
	frag := ""
	if i := strings.IndexByte(path, '#'); i >= 0 {
		path, frag = path[:i], path[i:]
	}
	if strings.Contains(path, "?") {
		return path + "&" + flashParam + "=" + key + frag
	}
	return path + "?" + flashParam + "=" + key + frag
}

// withOKCount marks a redirect to path with the message flash.<key> that
// states numbers ("%d nilai diterima"): the numbers travel with the key
// as key:n:m, never as text.
func withOKCount(path, key string, n ...int) string {
	for _, x := range n {
		key += ":" + strconv.Itoa(x)
	}
	return withOK(path, key)
}

// flashText is the message of a flash value (key or key:n:m) in lang; ""
// for an unknown key or numbers that do not fit its message.
func flashText(lang, value string) string {
	parts := strings.Split(value, ":")
	key := "flash." + parts[0]
	if !i18n.Has(lang, key) {
		return ""
	}
	args := make([]any, 0, len(parts)-1)
	for _, p := range parts[1:] {
		n, err := strconv.Atoi(p)
		if err != nil {
			return ""
		}
		args = append(args, n)
	}
	if strings.Count(i18n.T(lang, key), "%d") != len(args) {
		return ""
	}
	return i18n.T(lang, key, args...)
}

// setFlash sets the cookie that shows flash.<key> on the next page.
func (s *Server) setFlash(w http.ResponseWriter, key string) {
	if !flashKey.MatchString(key) {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: httpx.CookieName(flashCookie, s.opt.SecureCookies), Value: key, Path: "/", MaxAge: 60,
		HttpOnly: true, Secure: s.opt.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// takeFlash returns the message key the previous response left, clearing
// its cookie ("" without one). Only a page fetched with GET shows it: the
// redirect leads there, and a form answered in place (422, 409) leaves the
// message for the page after it.
func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request) string {
	if r.Method != http.MethodGet {
		return ""
	}
	name := httpx.CookieName(flashCookie, s.opt.SecureCookies)
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.opt.SecureCookies,
		SameSite: http.SameSiteLaxMode})
	if !flashKey.MatchString(c.Value) {
		return ""
	}
	return c.Value
}

// flashing wraps a handler whose redirects may carry a message (withOK):
// the message moves from the Location into the flash cookie.
func (s *Server) flashing(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h(&flashWriter{ResponseWriter: w, s: s}, r)
	}
}

// flashWriter rewrites a redirect's Location before its header is sent.
type flashWriter struct {
	http.ResponseWriter
	s    *Server
	done bool
}

func (f *flashWriter) WriteHeader(code int) {
	if !f.done && code >= 300 && code < 400 {
		if loc := f.Header().Get("Location"); loc != "" {
			if rest, key := splitFlash(loc); key != "" {
				f.Header().Set("Location", rest)
				f.s.setFlash(f.ResponseWriter, key)
			}
		}
	}
	f.done = true
	f.ResponseWriter.WriteHeader(code)
}

func (f *flashWriter) Write(b []byte) (int, error) {
	f.done = true
	return f.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (f *flashWriter) Unwrap() http.ResponseWriter { return f.ResponseWriter }

// splitFlash removes every ok= parameter from a redirect's location and
// returns the location without them and the last key ("" if none).
func splitFlash(loc string) (rest, key string) {
	frag := ""
	if i := strings.IndexByte(loc, '#'); i >= 0 {
		loc, frag = loc[:i], loc[i:]
	}
	i := strings.IndexByte(loc, '?')
	if i < 0 {
		return loc + frag, ""
	}
	path, query := loc[:i], loc[i+1:]
	var kept []string
	for _, p := range strings.Split(query, "&") {
		if k, v, _ := strings.Cut(p, "="); k == flashParam {
			key = v
			continue
		}
		kept = append(kept, p)
	}
	if key == "" && len(kept) == len(strings.Split(query, "&")) {
		return loc + frag, ""
	}
	if len(kept) > 0 {
		path += "?" + strings.Join(kept, "&")
	}
	return path + frag, key
}
