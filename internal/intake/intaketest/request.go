package intaketest

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"net/textproto"
	"os"
	"strings"
)

// Request is one recorded raw HTTP request, as the gateway sent it.
//
// A recording (a .http file in a provider's testdata) is the request as it
// goes over the wire: optional "#" comment lines saying where it comes
// from, the request line, the header lines, an empty line and the body.
// The body runs to the end of the file less one final newline (so editors
// may keep one). Content-Length is recomputed when the request is sent.
type Request struct {
	Method string
	Target string // path and query, exactly as recorded
	Header http.Header
	Body   []byte
}

// LoadRequest reads the recording at path.
func LoadRequest(path string) (Request, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Request{}, fmt.Errorf("intaketest: %w", err)
	}
	req, err := ParseRequest(raw)
	if err != nil {
		return Request{}, fmt.Errorf("intaketest: %s: %w", path, err)
	}
	return req, nil
}

// ParseRequest reads a recording (see Request).
func ParseRequest(raw []byte) (Request, error) {
	raw = bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))
	for bytes.HasPrefix(raw, []byte("#")) || bytes.HasPrefix(raw, []byte("\n")) {
		i := bytes.IndexByte(raw, '\n')
		if i < 0 {
			return Request{}, fmt.Errorf("no request line")
		}
		raw = raw[i+1:]
	}
	head, body, _ := bytes.Cut(raw, []byte("\n\n"))
	line, headers, _ := bytes.Cut(head, []byte("\n"))
	f := strings.Fields(string(line))
	if len(f) != 3 || !strings.HasPrefix(f[2], "HTTP/") || !strings.HasPrefix(f[1], "/") {
		return Request{}, fmt.Errorf("request line %q: want METHOD /path HTTP/1.1", line)
	}
	h := http.Header{}
	if len(headers) > 0 {
		mh, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(append(headers, '\n', '\n')))).ReadMIMEHeader()
		if err != nil {
			return Request{}, fmt.Errorf("headers: %w", err)
		}
		h = http.Header(mh)
	}
	h.Del("Content-Length")
	body = bytes.TrimSuffix(body, []byte("\n"))
	return Request{Method: f[0], Target: f[1], Header: h, Body: body}, nil
}

// HTTP returns the request to serve, from remoteAddr.
func (r Request) HTTP(remoteAddr string) (*http.Request, error) {
	req, err := http.NewRequest(r.Method, "http://lindu.test"+r.Target, bytes.NewReader(r.Body))
	if err != nil {
		return nil, fmt.Errorf("intaketest: %w", err)
	}
	req.Header = r.Header.Clone()
	if host := r.Header.Get("Host"); host != "" {
		req.Host = host
	}
	req.RemoteAddr = remoteAddr
	req.RequestURI = r.Target
	return req, nil
}
