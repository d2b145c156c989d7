package httpx

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/metrics"
)

// statusWriter records the status code and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	size   int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.size += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Observe logs every request (method, route pattern, status, duration;
// never the query string or body, which may hold personal data), counts
// it in the metrics, and turns a panic into a 500. The metric labels come
// from small fixed sets (MetricMethod, the mux's route patterns or
// "unmatched", status codes), so requests cannot add series at will.
func Observe(log *slog.Logger, m *metrics.Registry, next http.Handler) http.Handler {
	m.Counter("lindu_http_requests_total", "HTTP requests by method, route pattern and status code.", "method", "route", "code")
	m.Histogram("lindu_http_request_duration_seconds", "HTTP request latency by route pattern.",
		[]float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}, "route")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		rt := &routeHolder{}
		r = r.WithContext(context.WithValue(r.Context(), routeKey{}, rt))
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("panic", "route", rt.pattern, "panic", v, "stack", string(debug.Stack()))
				if sw.status == 0 {
					http.Error(sw, "internal error", http.StatusInternalServerError)
				}
			}
			route := rt.pattern
			if route == "" {
				route = "unmatched"
			}
			d := time.Since(start)
			code := sw.status
			if code == 0 {
				code = http.StatusOK // nothing written: net/http answers 200
			}
			m.Inc("lindu_http_requests_total", MetricMethod(r.Method), route, strconv.Itoa(code))
			m.Observe("lindu_http_request_duration_seconds", d.Seconds(), route)
			level := slog.LevelInfo
			if sw.status >= 500 {
				level = slog.LevelError
			}
			log.Log(r.Context(), level, "request", "method", r.Method, "route", route, "status", sw.status,
				"bytes", sw.size, "ms", float64(d.Microseconds())/1000)
		}()
		next.ServeHTTP(sw, r)
	})
}

// MetricMethod is the method label of a request: the method when it is
// one lindu or a browser uses, else "other" (any token is a valid method,
// and each would be a new series).
func MetricMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return method
	}
	return "other"
}

type routeKey struct{}

// routeHolder carries the matched route pattern back out to Observe: the
// mux sets Pattern on the request it receives, which middleware in between
// may have replaced (r.WithContext).
type routeHolder struct{ pattern string }

// RecordRoute wraps the mux, the innermost handler, so Observe learns the
// pattern that matched.
func RecordRoute(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { // also when the handler panics
			if rt, ok := r.Context().Value(routeKey{}).(*routeHolder); ok {
				rt.pattern = r.Pattern
			}
		}()
		mux.ServeHTTP(w, r)
	})
}

// ErrorWriter answers a request with err the way its front end does: the
// JSON error under /api/, the HTML error page elsewhere. Middleware that
// refuses a request before it reaches a handler uses one, so a refusal
// looks like any other error of the same endpoint.
type ErrorWriter func(w http.ResponseWriter, r *http.Request, err error)

// LimitBodies caps every request body at max bytes, and at upload bytes
// for paths under the given prefixes (file uploads; an entry with a "*"
// element is a whole path whose "*" stands for any one element, as in
// "/kasus/*/dokumen"), so no
// form or JSON endpoint can be made to read or spool an unbounded body. A
// body announced as too large is refused at once through fail.
func LimitBodies(max, upload int64, uploadPrefixes []string, fail ErrorWriter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			limit := max
			for _, p := range uploadPrefixes {
				if underPrefix(r.URL.Path, p) {
					limit = upload
				}
			}
			if r.ContentLength > limit {
				// Do not read the body; close the connection after answering.
				w.Header().Set("Connection", "close")
				fail(w, r, &http.MaxBytesError{Limit: limit})
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(w, r)
	})
}

// underPrefix reports whether path starts with prefix or, for a prefix
// with a "*" element, is that path with any one non-empty element in place
// of the "*".
func underPrefix(path, prefix string) bool {
	if !strings.Contains(prefix, "*") {
		return strings.HasPrefix(path, prefix)
	}
	pp, ps := strings.Split(prefix, "/"), strings.Split(path, "/")
	if len(ps) != len(pp) {
		return false
	}
	for i, e := range pp {
		if (e == "*" && ps[i] == "") || (e != "*" && ps[i] != e) {
			return false
		}
	}
	return true
}

// CheckFormText refuses, through fail, a request whose query string or
// URL-encoded form holds text that domain.CheckText rejects (invalid UTF-8,
// NUL and other control characters; tab and line breaks are allowed, as in
// a textarea). It parses the form itself, so handlers find it parsed. Paths
// under skip (SMS gateways, whose text must become a report whatever it
// holds) are left alone; multipart forms are checked by their handlers.
func CheckFormText(skip []string, fail ErrorWriter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, p := range skip {
			if strings.HasPrefix(r.URL.Path, p) {
				next.ServeHTTP(w, r)
				return
			}
		}
		ct, _, _ := strings.Cut(strings.ToLower(r.Header.Get("Content-Type")), ";")
		if r.Method != http.MethodGet && r.Method != http.MethodHead && strings.TrimSpace(ct) == "application/x-www-form-urlencoded" {
			if err := r.ParseForm(); err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					fail(w, r, err)
				} else {
					fail(w, r, domain.E(domain.EInvalid, "error.malformed_form"))
				}
				return
			}
		}
		bad := map[string]string{}
		for _, vals := range []url.Values{r.URL.Query(), r.PostForm} {
			for k, vs := range vals {
				if msg := domain.CheckText(k, false); msg != "" {
					bad["_"] = msg
				}
				for _, v := range vs {
					if msg := domain.CheckText(v, true); msg != "" {
						bad[k] = msg
					}
				}
			}
		}
		if len(bad) > 0 {
			fail(w, r, domain.InvalidFields(keyed(bad)))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// HSTS tells browsers to reach lindu only over HTTPS for a year (set when
// the public URL is https; a TLS-terminating proxy serves it).
func HSTS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		next.ServeHTTP(w, r)
	})
}

// SecurityHeaders sets headers that keep pages from being framed, sniffed
// or made to load anything from elsewhere (all assets are embedded), and
// "Cache-Control: no-store" unless the handler sets another: pages, JSON,
// file downloads and exports hold personal or official data that must not
// stay in a shared or browser cache (only /static/ assets are cacheable).
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "+
			"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		next.ServeHTTP(w, r)
	})
}

// CrossOrigin refuses cross-site unsafe requests (CSRF) using the browser's
// Sec-Fetch-Site and Origin headers (net/http's CrossOriginProtection).
// Requests without those headers (API clients, SMS gateways) pass; the
// HTML forms carry a per-session token as a second line of defence.
func CrossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Permintaan lintas situs ditolak / cross-origin request refused", http.StatusForbidden)
	}))
	return cop.Handler(next)
}
