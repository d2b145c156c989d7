package whatsapp_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/intake"
	"lindu/internal/intake/whatsapp"
	"lindu/internal/sms"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

var bg = context.Background()

const secret = "app-secret"

func body(wamid, from, text string) []byte {
	return []byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",
	"metadata":{"phone_number_id":"PNID"},"contacts":[{"wa_id":"` + from + `"}],"messages":[{"from":"` + from + `","id":"` + wamid +
		`","timestamp":"1700000000","type":"text","text":{"body":"` + text + `"}}]}}]}]}`)
}

func TestWhatsAppWebhook(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st := storetest.Open(t, d, storetest.Options{})
		var mu sync.Mutex
		var sent []map[string]any
		graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/PNID/messages" || r.Header.Get("Authorization") != "Bearer tok" {
				http.Error(w, "no", http.StatusUnauthorized)
				return
			}
			var m map[string]any
			json.NewDecoder(r.Body).Decode(&m)
			mu.Lock()
			sent = append(sent, m)
			mu.Unlock()
			io.WriteString(w, `{"messaging_product":"whatsapp","messages":[{"id":"wamid.OUT1"}]}`)
		}))
		defer graph.Close()
		ws := whatsapp.Settings{VerifyToken: "vt", AppSecret: secret, AccessToken: "tok", PhoneNumberID: "PNID", APIURL: graph.URL}
		log := slog.New(slog.DiscardHandler)
		h := &whatsapp.Handler{Settings: ws, Intake: &intake.Service{Store: st, Region: "61.07"}, Store: st, Log: log}
		mux := http.NewServeMux()
		h.Routes(mux)
		srv := httptest.NewServer(mux)
		defer srv.Close()

		// Handshake.
		resp, _ := http.Get(srv.URL + "/channels/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=vt&hub.challenge=12345")
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || string(b) != "12345" {
			t.Fatalf("handshake %d %q", resp.StatusCode, b)
		}
		resp, _ = http.Get(srv.URL + "/channels/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=bad&hub.challenge=1")
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("bad token: %d", resp.StatusCode)
		}
		post := func(b []byte, sig string) int {
			req, _ := http.NewRequest("POST", srv.URL+"/channels/whatsapp/webhook", strings.NewReader(string(b)))
			if sig != "" {
				req.Header.Set("X-Hub-Signature-256", sig)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		msg := body("wamid.IN1", "6281277770001", "Ada anak ditelantarkan di rumah kosong")
		// Forged and unsigned: 401, nothing stored.
		if c := post(msg, ""); c != 401 {
			t.Fatalf("unsigned: %d", c)
		}
		if c := post(msg, whatsapp.Sign("wrong", msg)); c != 401 {
			t.Fatalf("forged: %d", c)
		}
		if c := post(append(msg, ' '), whatsapp.Sign(secret, msg)); c != 401 {
			t.Fatalf("tampered: %d", c)
		}
		if n, _, _ := cases.New(st, cases.Options{}).InboundCounts(bg, domain.ChannelWhatsApp); n != 0 {
			t.Fatalf("forged webhooks stored %d messages", n)
		}
		// Signed, twice (Meta retries): one report.
		for i := 0; i < 2; i++ {
			if c := post(msg, whatsapp.Sign(secret, msg)); c != 200 {
				t.Fatalf("signed: %d", c)
			}
		}
		n, reports, _ := cases.New(st, cases.Options{}).InboundCounts(bg, domain.ChannelWhatsApp)
		if n != 1 || reports != 1 {
			t.Fatalf("messages %d reports %d", n, reports)
		}
		// The reply goes out through the Graph API.
		sender := &sms.Sender{Store: st, Log: log, Instance: "t", Gateways: map[string]sms.Gateway{"whatsapp": &whatsapp.Client{Settings: ws}}}
		if s, _ := sender.Round(bg); s != 1 {
			t.Fatalf("sent %d", s)
		}
		if s, _ := sender.Round(bg); s != 0 {
			t.Fatalf("sent again: %d", s)
		}
		mu.Lock()
		if len(sent) != 1 || sent[0]["to"] != "6281277770001" || !strings.Contains(sent[0]["text"].(map[string]any)["body"].(string), "Laporan diterima") {
			t.Fatalf("graph got %v", sent)
		}
		mu.Unlock()
		// Status callback: delivered.
		status := []byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"statuses":[{"id":"wamid.OUT1","status":"delivered","timestamp":"1700000001","recipient_id":"6281277770001"}]}}]}]}`)
		if c := post(status, whatsapp.Sign(secret, status)); c != 200 {
			t.Fatalf("status: %d", c)
		}
		rows, _ := st.OutboxByKeyPrefix(bg, access.System("t"), "reply:wa:")
		if len(rows) != 1 || rows[0].Status != store.DeliveryDelivered || rows[0].ProviderID != "wamid.OUT1" {
			t.Fatalf("outbox %+v", rows)
		}
	})
}

func FuzzWebhook(f *testing.F) {
	f.Add(body("wamid.X", "6281200000000", "halo"))
	f.Add([]byte(`{"entry":[{"changes":[{"value":{"statuses":[{"id":"x","status":"read"}]}}]}]}`))
	f.Add([]byte(`{"entry":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		wh, err := whatsapp.Parse(b)
		if err != nil {
			return
		}
		for _, e := range wh.Entry {
			for _, c := range e.Changes {
				for _, m := range c.Value.Messages {
					if whatsapp.TextOf(m) == "" {
						t.Fatal("empty text for a message")
					}
				}
			}
		}
		if !whatsapp.ValidSignature(secret, b, whatsapp.Sign(secret, b)) {
			t.Fatal("own signature rejected")
		}
	})
}
