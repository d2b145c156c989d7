package intaketest

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

type recordingTransport struct{ hosts []string }

func (r *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r.hosts = append(r.hosts, req.URL.Host)
	return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("ok")), Request: req}, nil
}

// LocalOnly lets requests for this machine through and refuses every other
// host before its next transport sees it, without showing the query.
func TestLocalOnly(t *testing.T) {
	next := &recordingTransport{}
	c := &http.Client{Transport: LocalOnly(next)}
	for _, u := range []string{"http://localhost:13013/x", "http://127.0.0.1:8080/x", "http://[::1]:8080/x"} {
		resp, err := c.Get(u)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		_ = resp.Body.Close()
	}
	for _, u := range []string{"https://graph.facebook.com/v21.0/1/messages", "http://10.0.0.5:13013/cgi-bin/sendsms?password=pw",
		"http://127.0.0.1.example.net/x", "http://localhost.example.net/x", "http://[::2]/x", "http://0.0.0.0/x"} {
		if _, err := c.Get(u); !errors.Is(err, ErrOffHost) {
			t.Errorf("%s: %v, want refused", u, err)
		}
		// The transport's own error leaves the query out (http.Client adds
		// the URL to it; lindu's clients never show that error).
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := LocalOnly(next).RoundTrip(req); err == nil || strings.Contains(err.Error(), "pw") {
			t.Errorf("%s: error %v, want a refusal without the query", u, err)
		}
	}
	if len(next.hosts) != 3 {
		t.Errorf("next transport saw %q, want the three local requests", next.hosts)
	}
}

// The default transport dials only loopback addresses, whatever a name
// resolves to.
func TestLoopbackOnly(t *testing.T) {
	for addr, ok := range map[string]bool{"127.0.0.1:80": true, "[::1]:80": true, "127.0.0.53:53": true,
		"10.0.0.1:80": false, "[2001:db8::1]:443": false, "93.184.216.34:80": false, "nonsense": false} {
		if err := loopbackOnly("tcp", addr, nil); (err == nil) != ok {
			t.Errorf("loopbackOnly(%s) = %v", addr, err)
		}
	}
	gw := NewGateway(t, Answer{Status: 202, Body: "0: Accepted for delivery"})
	resp, err := Client().Get(gw.URL + "/cgi-bin/sendsms?to=1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 202 || string(b) != "0: Accepted for delivery" || len(gw.Requests()) != 1 || gw.Requests()[0].Query["to"][0] != "1" {
		t.Errorf("gateway answered %d %q; got %+v", resp.StatusCode, b, gw.Requests())
	}
}

func TestParseRequest(t *testing.T) {
	raw := "# recorded from smsbox\r\n# second comment\r\nPOST /channels/kannel/receive?id=1&text=a+b HTTP/1.1\r\n" +
		"Host: 127.0.0.1:8080\r\nContent-Length: 999\r\nX-Kannel-From: +62812\r\n\r\nline one\nline two\n"
	r, err := ParseRequest([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if r.Method != "POST" || r.Target != "/channels/kannel/receive?id=1&text=a+b" || string(r.Body) != "line one\nline two" ||
		r.Header.Get("X-Kannel-From") != "+62812" || r.Header.Get("Content-Length") != "" {
		t.Errorf("parsed %+v body %q", r, r.Body)
	}
	hr, err := r.HTTP("127.0.0.1:1")
	if err != nil || hr.URL.Query().Get("text") != "a b" || hr.Host != "127.0.0.1:8080" || hr.ContentLength != int64(len(r.Body)) {
		t.Errorf("HTTP() = %+v, %v", hr, err)
	}
	for _, bad := range []string{"", "# only a comment\n", "GET\n\n", "GET http://x/ HTTP/1.1\n\n", "GET /x\n\n"} {
		if _, err := ParseRequest([]byte(bad)); err == nil {
			t.Errorf("ParseRequest(%q) accepted", bad)
		}
	}
}
