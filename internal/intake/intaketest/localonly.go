package intaketest

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"syscall"
	"testing"
	"time"
)

// ErrOffHost is the error of a request LocalOnly refused.
var ErrOffHost = errors.New("intaketest: tests may only reach localhost")

// IsLocalHost reports whether host (a URL's hostname) names this machine:
// localhost, 127.0.0.1 or ::1.
func IsLocalHost(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// LocalOnly returns an HTTP transport for outbound clients in tests. It
// refuses a request for any host but localhost, 127.0.0.1 and ::1 before
// anything is dialled, and its own connections go only to loopback
// addresses and never through a proxy (whatever HTTP_PROXY says). next,
// when not nil, carries the requests it lets through instead (its dialling
// is then its own).
func LocalOnly(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		d := &net.Dialer{Timeout: 5 * time.Second, Control: loopbackOnly}
		next = &http.Transport{Proxy: nil, DialContext: d.DialContext, ForceAttemptHTTP2: false,
			MaxIdleConns: 10, IdleConnTimeout: 30 * time.Second}
	}
	return localOnly{next: next}
}

// Client is an *http.Client on LocalOnly with a timeout, for the outbound
// clients (kannel.Client, whatsapp.Client) of tests.
func Client() *http.Client {
	return &http.Client{Transport: LocalOnly(nil), Timeout: 10 * time.Second}
}

type localOnly struct{ next http.RoundTripper }

func (l localOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	if !IsLocalHost(r.URL.Hostname()) {
		if r.Body != nil {
			_ = r.Body.Close() // a RoundTripper closes the body, even on error
		}
		// Scheme, host and path only: the query may carry a password.
		return nil, fmt.Errorf("%w: refused %s://%s%s", ErrOffHost, r.URL.Scheme, r.URL.Host, r.URL.Path)
	}
	return l.next.RoundTrip(r)
}

// loopbackOnly refuses to connect to anything but a loopback address (a
// "localhost" that resolves elsewhere included).
func loopbackOnly(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrOffHost, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%w: refused to dial %s", ErrOffHost, address)
	}
	return nil
}

// Answer is one canned answer of a fake gateway.
type Answer struct {
	Status int
	Body   string
	Header http.Header
}

// Received is a request a fake gateway got.
type Received struct {
	Method, Path string
	Query        map[string][]string
	Header       http.Header
	Body         []byte
}

// Gateway is a fake provider API on 127.0.0.1 (Kannel's sendsms, the Graph
// API): it answers the requests in turn with its answers (the last one
// again when they run out) and records them.
type Gateway struct {
	URL     string
	mu      sync.Mutex
	answers []Answer
	got     []Received
}

// NewGateway starts a fake gateway, stopped when the test ends.
func NewGateway(t testing.TB, answers ...Answer) *Gateway {
	t.Helper()
	if len(answers) == 0 {
		answers = []Answer{{Status: http.StatusOK}}
	}
	g := &Gateway{answers: answers}
	srv := httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(srv.Close)
	g.URL = srv.URL
	return g
}

func (g *Gateway) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	g.mu.Lock()
	g.got = append(g.got, Received{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body})
	a := g.answers[min(len(g.got), len(g.answers))-1]
	g.mu.Unlock()
	for k, v := range a.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(a.Status)
	_, _ = io.WriteString(w, a.Body) // the client's to read; nothing to do if it went away
}

// Requests returns the requests received so far.
func (g *Gateway) Requests() []Received {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Received(nil), g.got...)
}
