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
	"strings"
	"time"

	"lindu/internal/chanlog"
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
	// MediaArrived is called after a message with media was stored (the
	// media fetcher wakes up); optional.
	MediaArrived func()
	// Commit writes the channel log in transactions shared with the
	// other small writes of the moment (nil: the handler's own).
	Commit *store.Committer

	exchanges chanlog.Pending
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
	start := time.Now()
	keys, status := h.handle(r.Context(), wh)
	h.Log.Debug("whatsapp: webhook", "messages", len(keys), "status", status)
	// The exchange goes to the channel log with the next shared commit,
	// not in a commit of its own before the answer (the messages
	// themselves are committed by now).
	h.exchanges.Add(h.Commit, h.Store, h.Log, chanlog.Entry{Channel: "whatsapp", Direction: chanlog.In, MessageKey: strings.Join(keys, " "),
		Method: r.Method, URL: r.URL.Path, Status: status, Elapsed: time.Since(start), Request: chanlog.RedactJSON(body)})
	if status != http.StatusOK {
		http.Error(w, "try again", status)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// handle acts on a verified webhook and returns the keys of its messages
// and the status to answer: 200 once everything is committed (or was
// before), 503 when storing failed (Meta retries the whole webhook; the
// keys make that harmless). What is not lindu's (another object, another
// field, another phone number) is acknowledged, logged and counted.
func (h *Handler) handle(ctx context.Context, wh Webhook) ([]string, int) {
	var keys []string
	if wh.Object != "whatsapp_business_account" {
		h.Log.Warn("whatsapp: webhook for another object acknowledged and ignored", "object", oneWord(wh.Object))
		h.Intake.Count(domain.ChannelWhatsApp, intake.OutcomeIgnored)
		return nil, http.StatusOK
	}
	for _, e := range wh.Entry {
		for _, c := range e.Changes {
			if c.Field != "messages" {
				h.Log.Info("whatsapp: webhook field that is not messages acknowledged and ignored", "field", oneWord(c.Field))
				h.Intake.Count(domain.ChannelWhatsApp, intake.OutcomeIgnored)
				continue
			}
			if id := c.Value.Metadata.PhoneNumberID; h.Settings.PhoneNumberID != "" && id != h.Settings.PhoneNumberID {
				h.Log.Warn("whatsapp: webhook for another phone number acknowledged and ignored", "phone_number_id", oneWord(id),
					"messages", len(c.Value.Messages), "statuses", len(c.Value.Statuses))
				h.Intake.Count(domain.ChannelWhatsApp, intake.OutcomeIgnored)
				continue
			}
			for _, e := range c.Value.Errors {
				h.Log.Warn("whatsapp: the Cloud API reported an error", "error", e.String())
				h.Intake.Count(domain.ChannelWhatsApp, intake.OutcomeIgnored)
			}
			for _, m := range c.Value.Messages {
				if m.ID == "" {
					h.Log.Warn("whatsapp: message without an id acknowledged and ignored", "type", oneWord(m.Type))
					h.Intake.Count(domain.ChannelWhatsApp, intake.OutcomeRefused)
					continue
				}
				from, ok := Sender(m, c.Value.Contacts)
				if !ok {
					h.Log.Warn("whatsapp: message without a usable sender acknowledged and ignored", "message_key", "wa:"+m.ID,
						"type", oneWord(m.Type))
					h.Intake.Count(domain.ChannelWhatsApp, intake.OutcomeRefused)
					continue
				}
				msg := Interpret(m)
				msg.From = from
				keys = append(keys, msg.Key)
				res, err := h.Intake.Handle(ctx, msg)
				if err != nil {
					h.Log.Error("whatsapp: storing a message failed; Meta will retry", "message_key", msg.Key, "err", err.Error())
					return keys, http.StatusServiceUnavailable
				}
				if len(msg.Media) > 0 && !res.Duplicate && h.MediaArrived != nil {
					h.MediaArrived()
				}
				if res.Kind == intake.KindIgnored {
					h.Log.Info("whatsapp: message recorded and ignored", "message_key", msg.Key, "why", msg.Ignored,
						"duplicate", res.Duplicate)
				} else {
					h.Log.Info("whatsapp: message", "message_key", msg.Key, "kind", res.Kind, "duplicate", res.Duplicate,
						"report_id", res.ReportID, "media", len(msg.Media))
				}
			}
			for _, s := range c.Value.Statuses {
				st := map[string]string{"sent": outbox.DeliverySent, "delivered": outbox.DeliveryDelivered, "read": outbox.DeliveryDelivered,
					"failed": outbox.DeliveryFailed}[s.Status]
				if st == "" {
					h.Log.Info("whatsapp: unknown status acknowledged and ignored", "status", oneWord(s.Status))
					continue
				}
				var why []string
				for _, e := range s.Errors {
					why = append(why, e.String())
				}
				found, err := outbox.RecordDeliveryByProviderID(ctx, h.Store, "whatsapp", s.ID, s.Status, st, strings.Join(why, "; "))
				if err != nil {
					h.Log.Error("whatsapp: recording a status failed", "err", err.Error())
					return keys, http.StatusServiceUnavailable
				}
				h.Intake.CountDelivery(domain.ChannelWhatsApp, st)
				if !found {
					h.Log.Info("whatsapp: status of a message lindu did not send", "status", s.Status)
				}
			}
		}
	}
	return keys, http.StatusOK
}

// oneWord keeps a value from outside short and on one line for a log.
func oneWord(s string) string {
	s = strings.Join(strings.Fields(s), "_")
	if len(s) > 40 {
		s = s[:40]
	}
	return s
}

// Client sends text messages through the Graph API and fetches media: the
// sms package's gateway for the "whatsapp" channel. Each exchange goes to
// the channel log (redacted) when Store is set.
type Client struct {
	Settings Settings
	HTTP     *http.Client
	Store    *store.Store // the channel log's; optional
	Log      *slog.Logger // optional
	// Commit writes the channel-log entries of sends in transactions
	// shared with the other small writes of the moment (nil: the
	// client's own on Store).
	Commit *store.Committer

	exchanges chanlog.Pending
}

func (c *Client) base() string {
	if c.Settings.APIURL == "" {
		return DefaultAPIURL
	}
	return strings.TrimRight(c.Settings.APIURL, "/")
}

func (c *Client) http() *http.Client {
	if c.HTTP == nil {
		return http.DefaultClient
	}
	return c.HTTP
}

// Send posts one text message and returns its wamid. A recipient in E.164
// goes in "to"; a business-scoped user id (a sender with a username) in
// "recipient".
func (c *Client) Send(ctx context.Context, outboxID, to, body string) (string, error) {
	msg := map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual",
		"type": "text", "text": map[string]any{"preview_url": false, "body": body}}
	if strings.HasPrefix(to, "+") {
		msg["to"] = strings.TrimPrefix(to, "+")
	} else {
		msg["recipient"] = to
	}
	payload, _ := json.Marshal(msg)
	u := c.base() + "/" + c.Settings.PhoneNumberID + "/messages"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(payload))
	if err != nil {
		return "", domain.Errorf(domain.EInvalid, "whatsapp: bad API URL")
	}
	req.Header.Set("Authorization", "Bearer "+c.Settings.AccessToken)
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	entry := chanlog.Entry{Channel: "whatsapp", Direction: chanlog.Out, OutboxID: outboxID, Method: http.MethodPost, URL: chanlog.RedactURL(u),
		Request: chanlog.RedactJSON(payload)}
	resp, err := c.http().Do(req)
	if err != nil {
		entry.Elapsed, entry.Error = time.Since(start), "unreachable"
		c.exchanges.Add(c.Commit, c.Store, c.Log, entry)
		return "", fmt.Errorf("whatsapp: Graph API unreachable")
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	entry.Elapsed, entry.Status, entry.Response = time.Since(start), resp.StatusCode, chanlog.RedactJSON(b)
	id, err := sendAnswer(resp.StatusCode, b)
	if err != nil {
		entry.Error = err.Error()
	}
	c.exchanges.Add(c.Commit, c.Store, c.Log, entry)
	return id, err
}

// graphError is the error the Graph API answers with.
func graphError(b []byte) string {
	var e struct {
		Error struct {
			Message string `json:"message"`
			Code    int    `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &e) != nil || e.Error.Code == 0 {
		return ""
	}
	return fmt.Sprintf(" %d %s", e.Error.Code, oneLine(e.Error.Message))
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 160 {
		s = s[:160]
	}
	return s
}

// sendAnswer reads the Graph API's answer to a send.
func sendAnswer(code int, b []byte) (string, error) {
	switch {
	case code >= 200 && code < 300:
		var out struct {
			Messages []struct {
				ID string `json:"id"`
			} `json:"messages"`
		}
		if err := json.Unmarshal(b, &out); err != nil || len(out.Messages) == 0 || out.Messages[0].ID == "" {
			return "", fmt.Errorf("whatsapp: unexpected answer")
		}
		return out.Messages[0].ID, nil
	case code == http.StatusTooManyRequests:
		return "", domain.Errorf(domain.ETooMany, "whatsapp: rate limited")
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return "", domain.Errorf(domain.EUnauthorized, "whatsapp: access token refused (%d%s)", code, graphError(b))
	case code >= 400 && code < 500:
		return "", domain.Errorf(domain.EInvalid, "whatsapp: message refused (%d%s)", code, graphError(b))
	default:
		return "", fmt.Errorf("whatsapp: Graph API answered %d", code)
	}
}
