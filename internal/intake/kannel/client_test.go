package kannel_test

import (
	"net/http"
	"strings"
	"testing"

	"lindu/internal/domain"
	"lindu/internal/intake/intaketest"
	"lindu/internal/intake/kannel"
)

// The outbound client against smsbox's sendsms answers (a fake smsbox on
// 127.0.0.1 through the local-only transport): what it sends — the text in
// GSM or UCS-2 coding, the dlr-url that brings the delivery reports back —
// and how each answer maps to success or a coded error.
func TestKannelClient(t *testing.T) {
	for _, c := range []struct {
		name   string
		body   string
		status int
		answer string
		coding string
		code   domain.ErrorCode // "": success; EInternal: an uncoded (transient) error
	}{
		{"accepted", "lindu: Laporan diterima, kode 482-719-538.", 202, "0: Accepted for delivery", "0", ""},
		{"queued", "lindu: Laporan diterima, kode 482-719-538.", 202, "3: Queued for later delivery", "0", ""},
		{"UCS-2 text", "lindu: Kasus 482-719-538 — dikonfirmasi 🙏", 202, "0: Accepted for delivery", "2", ""},
		{"credentials refused", "halo", 403, "Authorization failed for sendsms", "0", domain.EUnauthorized},
		{"message refused", "halo", 400, "Missing receiver number", "0", domain.EInvalid},
		{"smsbox overloaded", "halo", 503, "Sending messages disabled - please try again later.", "0", domain.EInternal},
	} {
		t.Run(c.name, func(t *testing.T) {
			gw := intaketest.NewGateway(t, intaketest.Answer{Status: c.status, Body: c.answer,
				Header: http.Header{"Content-Type": {"text/html"}, "Server": {"Kannel/1.4.5"}}})
			st := kannel.Settings{SendsmsURL: gw.URL + "/cgi-bin/sendsms", Username: "lindu", Password: "pw-kannel-secret",
				Secret: "s3cret-kannel", From: "1234", PublicURL: "http://127.0.0.1:8080"}
			cl := &kannel.Client{Settings: st, HTTP: intaketest.Client()}
			id, err := cl.Send(bg, "01902f6c-8a3e-7b41-9c2d-3e4f5a6b7c81", "+6281234567001", c.body)
			switch {
			case c.code == "" && (err != nil || id != "kannel:01902f6c-8a3e-7b41-9c2d-3e4f5a6b7c81"):
				t.Errorf("Send = %q, %v", id, err)
			case c.code != "" && (err == nil || domain.CodeOf(err) != c.code):
				t.Errorf("Send = %q, %v (code %q); want an error coded %q", id, err, domain.CodeOf(err), c.code)
			case err != nil && (strings.Contains(err.Error(), st.Password) || strings.Contains(err.Error(), st.Secret)):
				t.Errorf("error %q shows a secret", err)
			}
			got := gw.Requests()
			if len(got) != 1 {
				t.Fatalf("smsbox got %d requests", len(got))
			}
			q := got[0].Query
			want := map[string]string{"username": "lindu", "password": st.Password, "to": "+6281234567001", "from": "1234",
				"text": c.body, "charset": "UTF-8", "coding": c.coding, "dlr-mask": "31",
				"dlr-url": kannel.DLRURL(st, "01902f6c-8a3e-7b41-9c2d-3e4f5a6b7c81")}
			if got[0].Method != http.MethodGet || got[0].Path != "/cgi-bin/sendsms" {
				t.Errorf("request %s %s", got[0].Method, got[0].Path)
			}
			for k, v := range want {
				if len(q[k]) != 1 || q[k][0] != v {
					t.Errorf("sendsms %s = %q, want %q", k, q[k], v)
				}
			}
		})
	}

	// smsbox down: an uncoded error (the sender retries), without the URL
	// and its password.
	st := kannel.Settings{SendsmsURL: "http://127.0.0.1:1/cgi-bin/sendsms", Username: "lindu", Password: "pw-kannel-secret"}
	_, err := (&kannel.Client{Settings: st, HTTP: intaketest.Client()}).Send(bg, "x", "+6281234567001", "halo")
	if err == nil || domain.CodeOf(err) != domain.EInternal || strings.Contains(err.Error(), st.Password) {
		t.Errorf("smsbox down: %v", err)
	}
	// A sendsms URL off this machine is refused before anything is dialled.
	st.SendsmsURL = "http://sms-gateway.example.net:13013/cgi-bin/sendsms"
	if _, err := (&kannel.Client{Settings: st, HTTP: intaketest.Client()}).Send(bg, "x", "+6281234567001", "halo"); err == nil {
		t.Error("a test reached sms-gateway.example.net")
	}
}

// How many SMS a text goes out in: 160 GSM 03.38 septets in one SMS, 153 a
// part beyond (extension characters such as € take two); 70 UTF-16 units
// in one UCS-2 SMS, 67 a part beyond.
func TestParts(t *testing.T) {
	for _, c := range []struct {
		text string
		want int
	}{
		{strings.Repeat("a", 160), 1},
		{strings.Repeat("a", 161), 2},
		{strings.Repeat("a", 306), 2},
		{strings.Repeat("a", 307), 3},
		{strings.Repeat("€", 80), 1},
		{strings.Repeat("€", 81), 2},
		{strings.Repeat("é", 160), 1}, // é is in the GSM alphabet
		{strings.Repeat("ş", 70), 1},  // not GSM: UCS-2
		{strings.Repeat("ş", 71), 2},
		{strings.Repeat("🙏", 35), 1}, // a surrogate pair is two units
		{strings.Repeat("🙏", 36), 2},
	} {
		if got := kannel.Parts(c.text); got != c.want {
			t.Errorf("Parts(%d × %q) = %d, want %d", len([]rune(c.text)), []rune(c.text)[0], got, c.want)
		}
	}
}

// A text longer than the configured parts is refused before it reaches
// Kannel (which would cut it without a word); the DLR URL asks for the
// SMSC's answer and the part's id.
func TestClientRefusesTooLong(t *testing.T) {
	g := intaketest.NewGateway(t, intaketest.Answer{Status: 202, Body: "0: Accepted for delivery"})
	st := kannel.Settings{SendsmsURL: g.URL + "/cgi-bin/sendsms", Username: "u", Password: "p", Secret: "s", PublicURL: "http://127.0.0.1:8080"}
	c := &kannel.Client{Settings: st, HTTP: intaketest.Client()}
	_, err := c.Send(bg, "o1", "+6281200000001", strings.Repeat("x", 153*3+1))
	if de, ok := domain.AsError(err); !ok || de.Code != domain.EInvalid || len(g.Requests()) != 0 {
		t.Fatalf("four-part text: %v, %d requests; want refused before Kannel", err, len(g.Requests()))
	}
	st.MaxParts = 4
	c.Settings = st
	if _, err := c.Send(bg, "o1", "+6281200000001", strings.Repeat("x", 153*3+1)); err != nil || len(g.Requests()) != 1 {
		t.Fatalf("with four parts allowed: %v", err)
	}
	dlr := g.Requests()[0].Query["dlr-url"][0]
	if !strings.Contains(dlr, "answer=%A") || !strings.Contains(dlr, "part=%F") {
		t.Fatalf("dlr-url %q lacks %%A or %%F", dlr)
	}
}
