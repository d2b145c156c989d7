package chanlog_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"lindu/internal/chanlog"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// What reaches the channel log: no credential, number, user id, text,
// name or place; texts keep their length, the structure and codes stay.
func TestRedact(t *testing.T) {
	u := chanlog.RedactURL("http://127.0.0.1:13013/cgi-bin/sendsms?username=lindu&password=pw-secret&to=%2B6281200000001&text=Laporan+diterima&coding=0&dlr-mask=31&dlr-url=http%3A%2F%2Fx%2Fdlr%3Fsecret%3Dk")
	for _, leak := range []string{"pw-secret", "6281200000001", "Laporan", "lindu&", "secret%3Dk"} {
		if strings.Contains(u, leak) {
			t.Errorf("URL keeps %q: %s", leak, u)
		}
	}
	if !strings.Contains(u, "coding=0") || !strings.Contains(u, "dlr-mask=31") || !strings.Contains(u, "text=%5B16+chars%5D") {
		t.Errorf("URL lost what is not secret: %s", u)
	}
	j := chanlog.RedactJSON([]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{
		"contacts":[{"profile":{"name":"Anto"},"wa_id":"6281277770001","user_id":"ID.1502576394655843"}],
		"messages":[{"from":"6281277770001","id":"wamid.X","type":"location","location":{"latitude":0.81,"longitude":109.47,"name":"Pasar","address":"Jl. Pasar"}},
		{"from_user_id":"ID.1502576394655843","id":"wamid.Y","type":"text","text":{"body":"Tolong anak saya"}}],
		"statuses":[{"id":"wamid.Z","status":"failed","recipient_id":"6281277770002","errors":[{"code":131026,"title":"Message undeliverable"}]}]}}]}]}`))
	for _, leak := range []string{"6281277770001", "6281277770002", "ID.1502576394655843", "Anto", "0.81", "109.47", "Pasar", "Tolong"} {
		if strings.Contains(j, leak) {
			t.Errorf("JSON keeps %q: %s", leak, j)
		}
	}
	for _, keep := range []string{"wamid.X", "131026", `"status":"failed"`, `"body":"[16 chars]"`, `"type":"location"`} {
		if !strings.Contains(j, keep) {
			t.Errorf("JSON lost %q: %s", keep, j)
		}
	}
	if got := chanlog.RedactJSON([]byte("not json 6281200000001")); strings.Contains(got, "628") {
		t.Errorf("non-JSON kept: %s", got)
	}
}

// FuzzRedactJSON: any body gives valid JSON or a summary, never a phone
// number that stood under a personal key.
func FuzzRedactJSON(f *testing.F) {
	f.Add([]byte(`{"from":"6281277770001","text":{"body":"halo"}}`))
	f.Add([]byte(`[{"wa_id":"628"},{"nested":{"phone":"+62 812"}}]`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"to":12345678}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		out := chanlog.RedactJSON(b)
		if strings.HasPrefix(out, "[") && strings.HasSuffix(out, "not JSON]") {
			return
		}
		var v any
		if err := json.Unmarshal([]byte(out), &v); err != nil && out != "[unprintable]" {
			t.Fatalf("redacted output is not JSON: %q", out)
		}
		var in map[string]any
		if json.Unmarshal(b, &in) == nil {
			for _, k := range []string{"from", "to", "wa_id", "phone", "recipient"} {
				if s, ok := in[k].(string); ok && len(s) >= 6 && strings.Contains(out, `"`+k+`":"`+s+`"`) {
					t.Fatalf("%s kept: %q", k, out)
				}
			}
		}
	})
}

// Entries older than the retention are purged, newer ones stay.
func TestPurge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		clk := storetest.NewClock(time.Now().UTC())
		st := storetest.Open(t, d, storetest.Options{Now: clk.Now, Regions: "-"})
		for range 3 {
			if err := chanlog.Record(context.Background(), st, chanlog.Entry{Channel: "sms", Direction: chanlog.Out, Method: "GET", URL: "/x"}); err != nil {
				t.Fatal(err)
			}
		}
		clk.Advance(chanlog.Retention + time.Hour)
		if err := chanlog.Record(context.Background(), st, chanlog.Entry{Channel: "sms", Direction: chanlog.In, Method: "GET", URL: "/y"}); err != nil {
			t.Fatal(err)
		}
		n, err := chanlog.Purge(context.Background(), st, clk.Now().Add(-chanlog.Retention))
		if err != nil || n != 3 {
			t.Fatalf("purged %d (%v), want 3", n, err)
		}
		var left int
		if err := st.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM channel_log`).Scan(&left); err != nil || left != 1 {
			t.Fatalf("left %d (%v), want 1", left, err)
		}
	})
}
