package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"
)

// WhatsApp webhook intake: signed Cloud API webhooks carrying a text
// message, each from its own number, against a bare handler that checks
// the same HMAC and inserts one row durably. lindu's replies go to a local
// fake of the Graph API (its outbox sends them meanwhile, as in real use).
func init() {
	register(workload{name: "whatsapp", doc: "WhatsApp webhook intake (signed text messages) vs a handler doing the HMAC check and one durable insert", run: runWhatsApp})
}

const (
	waSecret  = "bench-app-secret"
	waPhoneID = "106540352242922"
)

func runWhatsApp(ctx context.Context, e *env) ([]line, error) {
	if _, err := e.dataset(ctx); err != nil {
		return nil, err
	}
	var sent atomic.Int64
	graph, stopGraph := baseline(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		n := sent.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"messaging_product":"whatsapp","contacts":[{"input":"x","wa_id":"x"}],"messages":[{"id":"wamid.bench%d"}]}`, n)
	}))
	defer stopGraph()
	srv, err := e.startServer(ctx, []string{"LINDU_WHATSAPP_APP_SECRET=" + waSecret, "LINDU_WHATSAPP_VERIFY_TOKEN=bench",
		"LINDU_WHATSAPP_ACCESS_TOKEN=bench-token", "LINDU_WHATSAPP_PHONE_NUMBER_ID=" + waPhoneID, "LINDU_WHATSAPP_API_URL=" + graph})
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	db, err := e.sqlDB(ctx)
	if err != nil {
		return nil, err
	}
	drop, err := benchTable(ctx, e, db, "bench_wa", "id TEXT PRIMARY KEY, sender TEXT NOT NULL, body TEXT NOT NULL, created_at TIMESTAMP NOT NULL")
	if err != nil {
		return nil, err
	}
	defer drop()
	// The reports filed here leave the data set when the workload ends
	// (dropBenchReports), and any an interrupted run left.
	if err := dropBenchReports(ctx, db, "wa:wamid.bench.%"); err != nil {
		return nil, err
	}
	defer func() {
		if err := dropBenchReports(context.Background(), db, "wa:wamid.bench.%"); err != nil {
			fmt.Fprintln(os.Stderr, "whatsapp: removing the bench reports:", err)
		}
	}()
	ins := `INSERT INTO bench_wa (id, sender, body, created_at) VALUES (` + e.ph(1) + `, ` + e.ph(2) + `, ` + e.ph(3) + `, ` + e.ph(4) + `)`
	base, stop := baseline(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if !validSignature(body, r.Header.Get("X-Hub-Signature-256")) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var hook struct {
			Entry []struct {
				Changes []struct {
					Value struct {
						Messages []struct {
							From string `json:"from"`
							ID   string `json:"id"`
							Text struct {
								Body string `json:"body"`
							} `json:"text"`
						} `json:"messages"`
					} `json:"value"`
				} `json:"changes"`
			} `json:"entry"`
		}
		if err := json.Unmarshal(body, &hook); err != nil || len(hook.Entry) == 0 || len(hook.Entry[0].Changes) == 0 ||
			len(hook.Entry[0].Changes[0].Value.Messages) == 0 {
			http.Error(w, "bad payload", http.StatusBadRequest)
			return
		}
		m := hook.Entry[0].Changes[0].Value.Messages[0]
		if e.insertOne(w, r, db, ins, m.ID, m.From, m.Text.Body, time.Now().UTC()) {
			w.WriteHeader(http.StatusOK)
		}
	}))
	defer stop()

	run := time.Now().UnixNano() % 1_000_000
	var seq atomic.Int64
	c := newClient()
	post := func(u string) func(int, int) error {
		return func(int, int) error {
			i := seq.Add(1)
			// Each message from its own number and with its own id: the
			// per-number limits and the idempotency of repeats are not
			// what is measured here.
			from := fmt.Sprintf("62812%03d%05d", run%1000, i%100000)
			body := webhookText(from, fmt.Sprintf("wamid.bench.%d.%d", run, i),
				"Ada anak ditelantarkan di rumah kosong dekat pasar Bengkayang, tolong dibantu")
			_, err := c.do("POST", u, strings.NewReader(body), map[string]string{"Content-Type": "application/json",
				"X-Hub-Signature-256": "sha256=" + sign(body)}, 200)
			return err
		}
	}
	// Before each phase lindu sends the replies the last one left (two
	// minutes at most): its sending runs during its own phase, as in real
	// use, not into the baseline's on the same database.
	settle := func() {
		for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			var n int
			if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE channel = 'whatsapp' AND status IN ('pending', 'sending')`).Scan(&n); err != nil || n == 0 {
				return
			}
		}
	}
	var lines []line
	for _, clients := range []int{1, 8} {
		a, b := e.abab(clients, post(srv.url+"/channels/whatsapp/webhook"), post(base+"/"), settle)
		lines = append(lines, timeRatio(fmt.Sprintf("whatsapp webhook %dc", clients), a, b))
	}
	return lines, nil
}

// webhookText is a Cloud API webhook carrying one text message.
func webhookText(from, id, text string) string {
	b, _ := json.Marshal(map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{
		"id": "109876543210987", "changes": []any{map[string]any{"field": "messages", "value": map[string]any{
			"messaging_product": "whatsapp",
			"metadata":          map[string]string{"display_phone_number": "6285150001234", "phone_number_id": waPhoneID},
			"contacts":          []any{map[string]any{"profile": map[string]string{"name": "Warga"}, "wa_id": from}},
			"messages": []any{map[string]any{"from": from, "id": id, "timestamp": fmt.Sprint(time.Now().Unix()),
				"type": "text", "text": map[string]string{"body": text}}},
		}}}}}})
	return string(b)
}

func sign(body string) string {
	m := hmac.New(sha256.New, []byte(waSecret))
	m.Write([]byte(body))
	return hex.EncodeToString(m.Sum(nil))
}

func validSignature(body []byte, header string) bool {
	got, err := hex.DecodeString(strings.TrimPrefix(header, "sha256="))
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(waSecret))
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}
