// Package whatsapp connects lindu to the WhatsApp Business Cloud API: the
// webhook verification handshake, signed webhooks (X-Hub-Signature-256)
// with inbound messages handled exactly like SMS and status callbacks
// recorded on the outbox, and outbound text through the Graph API.
package whatsapp

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/intake"
	"lindu/internal/outbox"
	"lindu/internal/store"
)

// Settings are lindu's WhatsApp settings.
type Settings struct {
	VerifyToken   string
	AppSecret     string
	AccessToken   string
	PhoneNumberID string
	APIURL        string // default https://graph.facebook.com/v21.0
}

// DefaultAPIURL is the Graph API base.
const DefaultAPIURL = "https://graph.facebook.com/v21.0"

// Handler serves /channels/whatsapp/webhook.
type Handler struct {
	Settings Settings
	Intake   *intake.Service
	Store    *store.Store
	Log      *slog.Logger
}

// Routes registers the webhook.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /channels/whatsapp/webhook", h.verify)
	mux.HandleFunc("POST /channels/whatsapp/webhook", h.post)
}

func (h *Handler) verify(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tok := q.Get("hub.verify_token")
	if h.Settings.VerifyToken == "" || q.Get("hub.mode") != "subscribe" ||
		subtle.ConstantTimeCompare([]byte(tok), []byte(h.Settings.VerifyToken)) != 1 {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, q.Get("hub.challenge"))
}

// ValidSignature checks X-Hub-Signature-256 ("sha256=<hex>") over body.
func ValidSignature(secret string, body []byte, header string) bool {
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok || secret == "" {
		return false
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}

// Sign returns the X-Hub-Signature-256 value of body (for tests and tools).
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Webhook is the part of a webhook payload lindu reads.
type Webhook struct {
	Object string `json:"object"`
	Entry  []struct {
		Changes []struct {
			Field string `json:"field"`
			Value struct {
				Messages []InMessage `json:"messages"`
				Statuses []Status    `json:"statuses"`
			} `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

// InMessage is an inbound message.
type InMessage struct {
	From      string `json:"from"`
	ID        string `json:"id"`
	Timestamp string `json:"timestamp"`
	Type      string `json:"type"`
	Text      struct {
		Body string `json:"body"`
	} `json:"text"`
	Image struct {
		Caption string `json:"caption"`
	} `json:"image"`
	Button struct {
		Text string `json:"text"`
	} `json:"button"`
}

// Status is a status callback for a message lindu sent.
type Status struct {
	ID     string `json:"id"`
	Status string `json:"status"` // sent, delivered, read, failed
}

// Parse reads a webhook body.
func Parse(body []byte) (Webhook, error) {
	var wh Webhook
	if err := json.Unmarshal(body, &wh); err != nil {
		return wh, domain.Errorf(domain.EInvalid, "whatsapp: bad webhook JSON")
	}
	return wh, nil
}

// TextOf is what lindu stores of a message: its text, a caption, or a
// note that a message without text arrived (never dropped).
func TextOf(m InMessage) string {
	switch {
	case m.Text.Body != "":
		return m.Text.Body
	case m.Image.Caption != "":
		return m.Image.Caption
	case m.Button.Text != "":
		return m.Button.Text
	}
	return "[pesan WhatsApp jenis " + m.Type + " tanpa teks; lihat di WhatsApp]"
}

func (h *Handler) post(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	if !ValidSignature(h.Settings.AppSecret, body, r.Header.Get("X-Hub-Signature-256")) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	wh, err := Parse(body)
	if err != nil {
		http.Error(w, "bad JSON", http.StatusBadRequest)
		return
	}
	for _, e := range wh.Entry {
		for _, c := range e.Changes {
			for _, m := range c.Value.Messages {
				from, ok := domain.NormalizePhone("+" + strings.TrimPrefix(m.From, "+"))
				if m.ID == "" || !ok {
					continue
				}
				msg := intake.Message{Key: "wa:" + m.ID, Channel: domain.ChannelWhatsApp, From: from, Text: TextOf(m)}
				if ts, err := strconv.ParseInt(m.Timestamp, 10, 64); err == nil && ts > 0 {
					msg.ReceivedAt = time.Unix(ts, 0)
				}
				res, err := h.Intake.Handle(r.Context(), msg)
				if err != nil {
					h.Log.Error("whatsapp: storing a message failed; Meta will retry", "err", err.Error())
					http.Error(w, "try again", http.StatusServiceUnavailable)
					return
				}
				h.Log.Info("whatsapp: message", "kind", res.Kind, "duplicate", res.Duplicate, "report_id", res.ReportID)
			}
			for _, s := range c.Value.Statuses {
				st := map[string]string{"sent": outbox.DeliverySent, "delivered": outbox.DeliveryDelivered, "read": outbox.DeliveryDelivered,
					"failed": outbox.DeliveryFailed}[s.Status]
				if st == "" {
					continue
				}
				if _, err := outbox.RecordDeliveryByProviderID(r.Context(), h.Store, "whatsapp", s.ID, s.Status, st); err != nil {
					h.Log.Error("whatsapp: recording a status failed", "err", err.Error())
					http.Error(w, "try again", http.StatusServiceUnavailable)
					return
				}
			}
		}
	}
	w.WriteHeader(http.StatusOK)
}

// Client sends text messages through the Graph API: the sms package's
// gateway for the "whatsapp" channel.
type Client struct {
	Settings Settings
	HTTP     *http.Client
}

// Send posts one text message and returns its wamid.
func (c *Client) Send(ctx context.Context, outboxID, to, body string) (string, error) {
	base := c.Settings.APIURL
	if base == "" {
		base = DefaultAPIURL
	}
	payload, _ := json.Marshal(map[string]any{
		"messaging_product": "whatsapp", "recipient_type": "individual", "to": strings.TrimPrefix(to, "+"),
		"type": "text", "text": map[string]any{"preview_url": false, "body": body},
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(base, "/")+"/"+c.Settings.PhoneNumberID+"/messages",
		bytes.NewReader(payload))
	if err != nil {
		return "", domain.Errorf(domain.EInvalid, "whatsapp: bad API URL")
	}
	req.Header.Set("Authorization", "Bearer "+c.Settings.AccessToken)
	req.Header.Set("Content-Type", "application/json")
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("whatsapp: Graph API unreachable")
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		var out struct {
			Messages []struct {
				ID string `json:"id"`
			} `json:"messages"`
		}
		if err := json.Unmarshal(b, &out); err != nil || len(out.Messages) == 0 || out.Messages[0].ID == "" {
			return "", fmt.Errorf("whatsapp: unexpected answer")
		}
		return out.Messages[0].ID, nil
	case resp.StatusCode == http.StatusTooManyRequests:
		return "", domain.Errorf(domain.ETooMany, "whatsapp: rate limited")
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return "", domain.Errorf(domain.EUnauthorized, "whatsapp: access token refused (%d)", resp.StatusCode)
	case resp.StatusCode >= 400 && resp.StatusCode < 500:
		return "", domain.Errorf(domain.EInvalid, "whatsapp: message refused (%d)", resp.StatusCode)
	default:
		return "", fmt.Errorf("whatsapp: Graph API answered %d", resp.StatusCode)
	}
}
