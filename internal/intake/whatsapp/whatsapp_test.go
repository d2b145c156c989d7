package whatsapp_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lindu/internal/domain"
	"lindu/internal/intake"
	"lindu/internal/intake/intaketest"
	"lindu/internal/intake/whatsapp"
	"lindu/internal/outbox"
	"lindu/internal/sms"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

var bg = context.Background()

const secret = "app-secret"

// testSettings are the settings the recordings in testdata go with (the
// recorded signatures are Meta's: signed() signs again with AppSecret).
var testSettings = whatsapp.Settings{VerifyToken: "verify-token-of-the-test", AppSecret: secret, AccessToken: "EAAGm0PX4ZCpsBAtestaccesstoken",
	PhoneNumberID: "106540352242922"}

// newHandler is the webhook handler as the server mounts it.
func newHandler(st *store.Store) intaketest.Provider {
	return &whatsapp.Handler{Settings: testSettings, Intake: &intake.Service{Store: st, Region: "61.07"}, Store: st,
		Log: slog.New(slog.DiscardHandler)}
}

// signed signs a recorded webhook with the test's app secret, as Meta signs
// with the app's.
func signed(r *intaketest.Request) {
	r.Header.Set("X-Hub-Signature-256", whatsapp.Sign(secret, r.Body))
}

func unsigned(r *intaketest.Request) { r.Header.Del("X-Hub-Signature-256") }

// tampered is signed, then changed on the way.
func tampered(r *intaketest.Request) {
	signed(r)
	r.Body = []byte(strings.Replace(string(r.Body), "rumah kosong", "rumah kos", 1))
}

const (
	wamidOut1 = "wamid.HBgNNjI4MTI3Nzc3MDAwMRUCABEYEjk4QjZCQjA2RjdCRjQyN0M3MQA="
	wamidOut2 = "wamid.HBgNNjI4MTI3Nzc3MDAwMhUCABEYEkE1RjBDNkE4NzNEMDk4QTc0NwA="
	textWamid = "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjA1A2B3C4D5E6F7A8B9C0DQA=="
)

// Real Meta Cloud API webhooks (testdata/*.http): the handshake; each
// message kind stored once as a report (text, caption, button text, or a
// note for a kind without text) with its reply; a retry changes nothing;
// unsigned, forged and tampered webhooks store nothing; status callbacks
// move the outbox message on.
func TestWhatsAppRecorded(t *testing.T) {
	const reply = "Laporan diterima, kode"
	wa := func(key string) string { return "wa:" + key }
	w := func(n string) string { return "wamid.HBgNNjI4MTI3Nzc3MDEw" + n + "FQIAEhgUM0VCMEU1QjkA" }
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		h := intaketest.Start(t, d, "whatsapp", newHandler)
		h.Seed(t, intaketest.Sent{ID: "01902f6c-8a3e-7b41-9c2d-3e4f5a6b7d01", ProviderID: wamidOut1, To: "+6281277770001", Body: "lindu"},
			intaketest.Sent{ID: "01902f6c-8a3e-7b41-9c2d-3e4f5a6b7d02", ProviderID: wamidOut2, To: "+6281277770002", Body: "lindu"},
			intaketest.Sent{ID: "01902f6c-8a3e-7b41-9c2d-3e4f5a6b7d03", ProviderID: "wamid.HBgNNjI4MTI3Nzc3MDAwMxUCABEYEkI3RjBDNkE4NzNEMDk4QTc0OAA=",
				To: "+6281277770003", Body: "lindu"})
		h.Run(t, []intaketest.Case{
			{Label: "verification", Request: "verify.http", Status: 200, Body: "1158201444"},
			{Label: "verification with a wrong token", Request: "verify-wrong-token.http", Status: 403},
			{Label: "unsigned", Request: "text.http", Prep: unsigned, Status: 401},
			{Label: "forged", Request: "forged.http", Status: 401},
			{Label: "tampered", Request: "text.http", Prep: tampered, Status: 401},
			{Label: "text", Request: "text.http", Prep: signed, Status: 200,
				Message: &intaketest.Message{Key: wa(textWamid), Kind: "report", From: "+6281277770001",
					Text: "Ada anak ditelantarkan di rumah kosong dekat pasar Bengkayang"},
				Reply: reply},
			{Label: "retried by Meta", Request: "text.http", Prep: signed, Status: 200},
			{Label: "image with caption", Request: "image.http", Prep: signed, Status: 200,
				Message: &intaketest.Message{Key: wa("wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjA2B3C4D5E6F7A8B9C0D1EQA=="), Kind: "report",
					From: "+6281277770002", Text: "Anak ini dipukul ayahnya, foto dari tetangga", Media: []string{"1003383421387256"}},
				Reply: reply},
			{Label: "voice note", Request: "audio.http", Prep: signed, Status: 200,
				Message: &intaketest.Message{Key: wa("wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjA3C4D5E6F7A8B9C0D1E2FQA=="), Kind: "report",
					From: "+6281277770003", Text: "[Pesan suara WhatsApp]", Media: []string{"1531219227491842"}},
				Reply: reply},
			{Label: "location", Request: "location.http", Prep: signed, Status: 200,
				Message: &intaketest.Message{Key: wa("wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjA4D5E6F7A8B9C0D1E2F3AQA=="), Kind: "report",
					From: "+6281277770004",
					Text: "[Lokasi dibagikan: Pasar Bengkayang — Jl. Pasar, Bengkayang — 0.819800, 109.479500 — https://www.openstreetmap.org/?mlat=0.819800&mlon=109.479500"},
				Reply: reply},
			{Label: "unsupported kind", Request: "unsupported.http", Prep: signed, Status: 200,
				Message: &intaketest.Message{Key: wa("wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjA5E6F7A8B9C0D1E2F3A4BQA=="), Kind: "report",
					From: "+6281277770005",
					Text: `[Pesan WhatsApp jenis "unsupported" yang belum dikenal lindu; lihat di WhatsApp] (131051 Message type unknown: Message type is currently not supported.)`},
				Reply: reply},
			{Label: "button reply", Request: "button.http", Prep: signed, Status: 200,
				Message: &intaketest.Message{Key: wa("wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjA6F7A8B9C0D1E2F3A4B5CQA=="), Kind: "help",
					From: "+6281277770006"},
				Reply: "Tulis laporan Anda"},

			{Label: "username sender", Request: "username.http", Prep: signed, Status: 200,
				Message: &intaketest.Message{Key: wa(w("01")), Kind: "report", From: "ID.1502576394655843",
					Text: "Tolong, ada anak dikurung di gudang belakang pasar"},
				Reply: reply},
			{Label: "video with caption", Request: "video.http", Prep: signed, Status: 200,
				Message: &intaketest.Message{Key: wa(w("02")), Kind: "report", From: "+6281277770011",
					Text: "Video anak dipukul di depan rumah", Media: []string{"1282356239195831"}},
				Reply: reply},
			{Label: "document with file name", Request: "document.http", Prep: signed, Status: 200,
				Message: &intaketest.Message{Key: wa(w("03")), Kind: "report", From: "+6281277770012",
					Text: "Surat keterangan dari sekolah\n[Dokumen WhatsApp: surat-sekolah.pdf]", Media: []string{"775123908634210"}},
				Reply: reply},
			{Label: "sticker", Request: "sticker.http", Prep: signed, Status: 200,
				Message: &intaketest.Message{Key: wa(w("04")), Kind: "report", From: "+6281277770013",
					Text: "[Stiker WhatsApp]", Media: []string{"1098765432109876"}},
				Reply: reply},
			{Label: "contact card", Request: "contacts.http", Prep: signed, Status: 200,
				Message: &intaketest.Message{Key: wa(w("05")), Kind: "report", From: "+6281277770014",
					Text: "[Kontak dibagikan: Bu Sari Kader +62 812-7777-0099]"},
				Reply: reply},
			{Label: "interactive button reply", Request: "interactive-button.http", Prep: signed, Status: 200,
				Message: &intaketest.Message{Key: wa(w("06")), Kind: "report", From: "+6281277770015",
					Text: "Anak tetangga ditelantarkan"},
				Reply: reply},
			{Label: "interactive list reply", Request: "interactive-list.http", Prep: signed, Status: 200,
				Message: &intaketest.Message{Key: wa(w("07")), Kind: "report", From: "+6281277770016",
					Text: "Kekerasan fisik Anak dipukul orang tua"},
				Reply: reply},
			{Label: "reaction", Request: "reaction.http", Prep: signed, Status: 200,
				Message: &intaketest.Message{Key: wa(w("08")), Kind: "ignored"}},
			{Label: "reaction removed", Request: "reaction-removed.http", Prep: signed, Status: 200,
				Message: &intaketest.Message{Key: wa(w("09")), Kind: "ignored"}},
			{Label: "edit", Request: "edit.http", Prep: signed, Status: 200,
				Message: &intaketest.Message{Key: wa(w("10")), Kind: "edit",
					Text: "Ada anak ditelantarkan di rumah kosong dekat pasar Bengkayang\n[Pengirim mengubah pesannya menjadi:] Ada anak ditelantarkan di rumah kosong dekat pasar Bengkayang, RT 04"}},
			{Label: "deletion", Request: "revoke.http", Prep: signed, Status: 200,
				Message: &intaketest.Message{Key: wa(w("11")), Kind: "revoke",
					Text: "RT 04\n[Pengirim menghapus salah satu pesannya di WhatsApp"}},
			{Label: "deletion of an unknown message", Request: "revoke-unknown.http", Prep: signed, Status: 200,
				Message: &intaketest.Message{Key: wa(w("12")), Kind: "ignored"}},
			{Label: "system notice", Request: "system.http", Prep: signed, Status: 200,
				Message: &intaketest.Message{Key: wa(w("13")), Kind: "ignored"}},
			{Label: "another field", Request: "other-field.http", Prep: signed, Status: 200},
			{Label: "another phone number", Request: "other-phone.http", Prep: signed, Status: 200},
			{Label: "another object", Request: "other-object.http", Prep: signed, Status: 200},
			{Label: "value-level error", Request: "value-errors.http", Prep: signed, Status: 200},
			{Label: "no usable sender", Request: "no-sender.http", Prep: signed, Status: 200},

			{Label: "status sent", Request: "status-sent.http", Prep: signed, Status: 200,
				Delivery: &intaketest.Delivery{OutboxID: "01902f6c-8a3e-7b41-9c2d-3e4f5a6b7d01", Code: "sent", Status: outbox.DeliverySent, Outbox: "sent"}},
			{Label: "status delivered", Request: "status-delivered.http", Prep: signed, Status: 200,
				Delivery: &intaketest.Delivery{OutboxID: "01902f6c-8a3e-7b41-9c2d-3e4f5a6b7d01", Code: "delivered", Status: outbox.DeliveryDelivered, Outbox: "delivered"}},
			{Label: "status read", Request: "status-read.http", Prep: signed, Status: 200,
				Delivery: &intaketest.Delivery{OutboxID: "01902f6c-8a3e-7b41-9c2d-3e4f5a6b7d01", Code: "read", Status: outbox.DeliveryDelivered, Outbox: "delivered"}},
			{Label: "status repeated", Request: "status-read.http", Prep: signed, Status: 200},
			{Label: "status failed", Request: "status-failed.http", Prep: signed, Status: 200,
				Delivery: &intaketest.Delivery{OutboxID: "01902f6c-8a3e-7b41-9c2d-3e4f5a6b7d02", Code: "failed", Status: outbox.DeliveryFailed, Outbox: "failed"}},
			{Label: "status of an unknown message", Request: "status-unknown-message.http", Prep: signed, Status: 200},
			{Label: "status failed with its reason", Request: "status-failed-reason.http", Prep: signed, Status: 200,
				Delivery: &intaketest.Delivery{OutboxID: "01902f6c-8a3e-7b41-9c2d-3e4f5a6b7d03", Code: "failed", Status: outbox.DeliveryFailed,
					Outbox: "failed", Detail: "131026 Message undeliverable: Message Undeliverable."}},
			{Label: "status forged", Request: "status-failed.http", Prep: unsigned, Status: 401},
		})
	})
}

// The reply to a WhatsApp report goes out once through the Graph API (a
// fake one on 127.0.0.1, reached through the local-only transport), and
// Meta's status callback marks it delivered.
func TestWhatsAppReplyRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		h := intaketest.Start(t, d, "whatsapp", newHandler)
		graph := intaketest.NewGateway(t, intaketest.Answer{Status: 200, Body: readFile(t, "graph-sent.json")})
		req, err := intaketest.LoadRequest(filepath.Join(h.Dir, "text.http"))
		if err != nil {
			t.Fatal(err)
		}
		signed(&req)
		if out := h.Do(t, req, ""); out.Status != 200 || len(out.Messages) != 1 || len(out.Outbox) != 1 {
			t.Fatalf("text: %d, %d messages, %d outbox", out.Status, len(out.Messages), len(out.Outbox))
		}

		ws := testSettings
		ws.APIURL = graph.URL
		sender := &sms.Sender{Store: h.Store, Log: slog.New(slog.DiscardHandler), Instance: "t",
			Gateways: map[string]sms.Gateway{"whatsapp": &whatsapp.Client{Settings: ws, HTTP: intaketest.Client()}}}
		if s, _ := sender.Round(bg); s != 1 {
			t.Fatalf("sent %d", s)
		}
		if s, _ := sender.Round(bg); s != 0 {
			t.Fatalf("sent again: %d", s)
		}
		got := graph.Requests()
		if len(got) != 1 {
			t.Fatalf("Graph API got %d requests", len(got))
		}
		var m struct {
			To   string `json:"to"`
			Text struct {
				Body string `json:"body"`
			} `json:"text"`
		}
		if err := json.Unmarshal(got[0].Body, &m); err != nil || m.To != "6281277770001" || !strings.Contains(m.Text.Body, "Laporan diterima") {
			t.Fatalf("Graph API got %s (%v)", got[0].Body, err)
		}

		status, err := intaketest.LoadRequest(filepath.Join(h.Dir, "status-delivered.http"))
		if err != nil {
			t.Fatal(err)
		}
		signed(&status)
		if out := h.Do(t, status, ""); out.Status != 200 || len(out.Deliveries) != 1 {
			t.Fatalf("status: %d, deliveries %+v", out.Status, out.Deliveries)
		}
		rows := h.Outbox(t)
		if len(rows) != 1 || rows[0].Status != outbox.DeliveryDelivered || rows[0].ProviderID != wamidOut1 {
			t.Fatalf("outbox %+v", rows)
		}
	})
}

// The outbound client against recorded Graph API answers: what it sends,
// and how each answer maps to a wamid or a coded error (the sender retries
// only what is not the message's or the settings' fault).
func TestWhatsAppClient(t *testing.T) {
	for _, c := range []struct {
		name   string
		status int
		answer string // file in testdata, or the body itself
		wantID string
		code   domain.ErrorCode // with wantID: none; EInternal: an uncoded (transient) error
	}{
		{"sent", 200, "graph-sent.json", wamidOut1, ""},
		{"token expired", 401, "graph-token-expired.json", "", domain.EUnauthorized},
		{"recipient not allowed", 400, "graph-not-allowed.json", "", domain.EInvalid},
		{"rate limited", 429, "graph-rate-limited.json", "", domain.ETooMany},
		{"server error", 500, "graph-server-error.json", "", domain.EInternal},
		{"not JSON", 200, "<html>proxy error</html>", "", domain.EInternal},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := c.answer
			if strings.HasSuffix(body, ".json") {
				body = readFile(t, body)
			}
			graph := intaketest.NewGateway(t, intaketest.Answer{Status: c.status, Body: body,
				Header: http.Header{"Content-Type": {"application/json; charset=UTF-8"}}})
			ws := testSettings
			ws.APIURL = graph.URL + "/v21.0"
			cl := &whatsapp.Client{Settings: ws, HTTP: intaketest.Client()}
			id, err := cl.Send(bg, "outbox-1", "+6281277770001", "lindu: Laporan diterima, kode 482-719-538.")
			switch {
			case c.wantID != "" && (err != nil || id != c.wantID):
				t.Errorf("Send = %q, %v; want %q", id, err, c.wantID)
			case c.wantID == "" && (err == nil || domain.CodeOf(err) != c.code):
				t.Errorf("Send = %q, %v (code %q); want an error coded %q", id, err, domain.CodeOf(err), c.code)
			case err != nil && strings.Contains(err.Error(), ws.AccessToken):
				t.Errorf("error %q shows the access token", err)
			}
			got := graph.Requests()
			if len(got) != 1 {
				t.Fatalf("Graph API got %d requests", len(got))
			}
			r := got[0]
			var m map[string]any
			if r.Method != http.MethodPost || r.Path != "/v21.0/106540352242922/messages" ||
				r.Header.Get("Authorization") != "Bearer "+ws.AccessToken || json.Unmarshal(r.Body, &m) != nil ||
				m["to"] != "6281277770001" || m["type"] != "text" || m["messaging_product"] != "whatsapp" {
				t.Errorf("request %s %s %q %s", r.Method, r.Path, r.Header.Get("Authorization"), r.Body)
			}
		})
	}
	// Without an API URL the client would call graph.facebook.com: in a
	// test the local-only transport refuses before anything is dialled.
	cl := &whatsapp.Client{Settings: testSettings, HTTP: intaketest.Client()}
	if _, err := cl.Send(bg, "outbox-1", "+6281277770001", "halo"); err == nil {
		t.Fatal("a test reached graph.facebook.com")
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func body(wamid, from, text string) []byte {
	return []byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",
	"metadata":{"phone_number_id":"PNID"},"contacts":[{"wa_id":"` + from + `"}],"messages":[{"from":"` + from + `","id":"` + wamid +
		`","timestamp":"1700000000","type":"text","text":{"body":"` + text + `"}}]}}]}]}`)
}

func FuzzWebhook(f *testing.F) {
	f.Add(body("wamid.X", "6281200000000", "halo"))
	f.Add([]byte(`{"entry":[{"changes":[{"value":{"statuses":[{"id":"x","status":"read"}]}}]}]}`))
	f.Add([]byte(`{"entry":null}`))
	// Every recorded webhook body is a seed too.
	files, _ := filepath.Glob(filepath.Join("testdata", "*.http"))
	for _, p := range files {
		if r, err := intaketest.LoadRequest(p); err == nil && len(r.Body) > 0 {
			f.Add(r.Body)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		wh, err := whatsapp.Parse(b)
		if err != nil {
			return
		}
		for _, e := range wh.Entry {
			for _, c := range e.Changes {
				for _, m := range c.Value.Messages {
					// Every message is text for a report, an edit, a
					// deletion or an event to ignore: never nothing.
					msg := whatsapp.Interpret(m)
					switch {
					case msg.Event == intake.EventIgnore && msg.Ignored == "":
						t.Fatal("ignored without saying why")
					case msg.Event == intake.EventRevoke:
					case msg.Event == "" || msg.Event == intake.EventEdit:
						if strings.TrimSpace(msg.Text) == "" && m.Type != "text" {
							t.Fatalf("empty text for a %q message", m.Type)
						}
					}
					whatsapp.Sender(m, c.Value.Contacts)
				}
			}
		}
		if !whatsapp.ValidSignature(secret, b, whatsapp.Sign(secret, b)) {
			t.Fatal("own signature rejected")
		}
	})
}
