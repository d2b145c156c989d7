// Package kannel connects lindu to a Kannel SMS gateway: smsbox's
// sms-service calls /channels/kannel/receive for every SMS (authenticated
// by a secret in the URL and an optional address allow-list), lindu sends
// through Kannel's sendsms interface with a dlr-url, and Kannel reports
// deliveries to /channels/kannel/dlr. Config prints the smsbox groups
// that match lindu's settings.
package kannel

import (
	"context"
	"crypto/subtle"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"lindu/internal/chanlog"
	"lindu/internal/domain"
	"lindu/internal/intake"
	"lindu/internal/outbox"
	"lindu/internal/store"
)

// Settings are lindu's Kannel settings.
type Settings struct {
	SendsmsURL string // e.g. http://127.0.0.1:13013/cgi-bin/sendsms
	// MaxParts is how many SMS a long text may go out in (sendsms-user's
	// max-messages); longer texts are refused before they reach Kannel,
	// which would cut them silently. Default 3.
	MaxParts  int
	Username  string
	Password  string
	Secret    string   // in the URLs Kannel calls
	From      string   // sender number or short code; optional
	AllowIPs  []string // addresses allowed to call lindu; empty = any
	PublicURL string   // how Kannel reaches lindu, e.g. http://127.0.0.1:8080
	DLRMask   int      // default 31: delivered, failed, queued, sent, rejected
}

// Handler serves the endpoints Kannel calls.
type Handler struct {
	Settings Settings
	Intake   *intake.Service
	Store    *store.Store
	Log      *slog.Logger
	// Commit writes delivery reports and the channel log in transactions
	// shared with other callers (optional: the handler makes its own on
	// Store; give it the sender's to share their commits).
	Commit *store.Committer

	once      sync.Once
	exchanges chanlog.Pending
}

// commit is h.Commit, or the handler's own.
func (h *Handler) commit() *store.Committer {
	h.once.Do(func() {
		if h.Commit == nil {
			h.Commit = &store.Committer{Store: h.Store}
		}
	})
	return h.Commit
}

// Routes registers the endpoints.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /channels/kannel/receive", h.receive)
	mux.HandleFunc("POST /channels/kannel/receive", h.receive)
	mux.HandleFunc("GET /channels/kannel/dlr", h.dlr)
	mux.HandleFunc("POST /channels/kannel/dlr", h.dlr)
}

func (h *Handler) allowed(r *http.Request) bool {
	secret := r.URL.Query().Get("secret")
	if h.Settings.Secret == "" || subtle.ConstantTimeCompare([]byte(secret), []byte(h.Settings.Secret)) != 1 {
		return false
	}
	if len(h.Settings.AllowIPs) == 0 {
		return true
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	for _, a := range h.Settings.AllowIPs {
		if a == host {
			return true
		}
	}
	return false
}

func text(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, msg+"\n")
}

// receive takes one SMS from smsbox. It answers 2xx only once the message
// is committed (or was committed before): anything else makes smsbox
// retry (http-request-retry), and the key makes retries harmless.
func (h *Handler) receive(w http.ResponseWriter, r *http.Request) {
	if !h.allowed(r) {
		text(w, http.StatusUnauthorized, "unauthorized")
		return
	}
	q := r.URL.Query()
	if r.Method == http.MethodPost {
		// post-url: the text is the body; the rest comes in the URL.
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if err != nil {
			text(w, http.StatusBadRequest, "bad body")
			return
		}
		if q.Get("text") == "" {
			q.Set("text", string(body))
		}
	}
	id, smsc := q.Get("id"), q.Get("smsc")
	if id == "" || len(id) > 100 || len(smsc) > 60 {
		text(w, http.StatusBadRequest, "missing message id (%I)")
		return
	}
	from, ok := domain.NormalizePhone(q.Get("from"))
	if !ok {
		// Gateways pass other countries' numbers in international form
		// without "+" (Malaysia's 60..., next door to Bengkayang).
		from, ok = domain.NormalizePhone("+" + strings.TrimPrefix(strings.TrimSpace(q.Get("from")), "00"))
	}
	if !ok {
		// Operator notices from names or short codes are not reports.
		h.Log.Info("kannel: message from a non-phone sender ignored", "smsc", smsc)
		stored(w)
		return
	}
	coding, _ := strconv.Atoi(q.Get("coding"))
	raw := []byte(q.Get("text"))
	msg := intake.Message{Key: "kannel:" + smsc + ":" + id, Channel: domain.ChannelSMS, From: from,
		Text: DecodeText(raw, coding, q.Get("charset"))}
	if coding == 1 && Binary(raw) {
		// 8-bit data (a ringtone, an over-the-air setting, a WAP push):
		// recorded once and counted, not a report.
		msg.Text, msg.Event, msg.Ignored = "", intake.EventIgnore, "binary"
	}
	if ts, err := strconv.ParseInt(q.Get("time"), 10, 64); err == nil && ts > 0 {
		msg.ReceivedAt = time.Unix(ts, 0)
	}
	start := time.Now()
	res, err := h.Intake.Handle(r.Context(), msg)
	entry := chanlog.Entry{Channel: "sms", Direction: chanlog.In, MessageKey: msg.Key, Method: r.Method, URL: chanlog.RedactURL(r.URL.String()),
		Status: http.StatusOK, Elapsed: time.Since(start)}
	if err != nil {
		entry.Status, entry.Error = http.StatusServiceUnavailable, err.Error()
		h.exchanges.Add(h.commit(), h.Store, h.Log, entry)
		h.Log.Error("kannel: storing an SMS failed; smsbox will retry", "smsc", smsc, "err", err.Error())
		text(w, http.StatusServiceUnavailable, "try again")
		return
	}
	h.exchanges.Add(h.commit(), h.Store, h.Log, entry)
	if res.Kind == intake.KindIgnored {
		h.Log.Info("kannel: binary sms recorded and ignored", "message_key", msg.Key, "duplicate", res.Duplicate)
	} else {
		h.Log.Info("kannel: sms", "kind", res.Kind, "duplicate", res.Duplicate, "report_id", res.ReportID)
	}
	stored(w)
}

// stored answers smsbox that an SMS is taken care of: 200 with an empty
// body, which smsbox's omit-empty keeps from becoming a reply SMS (lindu
// replies through sendsms); only when smsbox gives up does it text the
// sender, with reply-couldnotfetch.
func stored(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
}

// Binary reports whether an 8-bit SMS is data rather than text: not UTF-8,
// or holding control characters other than line breaks and tabs.
func Binary(b []byte) bool {
	if !utf8.Valid(b) {
		return true
	}
	for _, r := range string(b) {
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' || r == 0x7f {
			return true
		}
	}
	return false
}

// DecodeText turns the raw text Kannel passes (%b) into UTF-8: UCS-2 /
// UTF-16BE when coding is 2 or the charset says so, UTF-8 when valid,
// else Latin-1 (Kannel's internal charset for GSM texts).
func DecodeText(b []byte, coding int, charset string) string {
	cs := strings.ToUpper(charset)
	if coding == 2 || strings.HasPrefix(cs, "UTF-16") || cs == "UCS-2" || cs == "UCS2" {
		if len(b)%2 == 1 {
			b = b[:len(b)-1]
		}
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		}
		return string(utf16.Decode(u))
	}
	if utf8.Valid(b) {
		return string(b)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// dlr records a delivery report: type is Kannel's %d.
func (h *Handler) dlr(w http.ResponseWriter, r *http.Request) {
	if !h.allowed(r) {
		text(w, http.StatusUnauthorized, "unauthorized")
		return
	}
	q := r.URL.Query()
	id := q.Get("id")
	typ, err := strconv.Atoi(q.Get("type"))
	if id == "" || err != nil {
		text(w, http.StatusBadRequest, "missing id or type")
		return
	}
	status := StatusOf(typ)
	if status == "" {
		text(w, http.StatusOK, "ignored")
		return
	}
	// %A is the SMSC's answer (its reason for a failure); %F the SMSC's id
	// of the part this report is about (a concatenated SMS is reported
	// part by part).
	detail := ""
	if status == outbox.DeliveryFailed {
		detail = oneLine(q.Get("answer"))
	}
	found, err := outbox.CommitDeliveryPart(r.Context(), h.commit(), id, "kannel", strconv.Itoa(typ), q.Get("part"), status, detail)
	if err != nil {
		h.Log.Error("kannel: recording a delivery report failed", "outbox_id", id, "err", err.Error())
		text(w, http.StatusServiceUnavailable, "try again")
		return
	}
	h.Intake.CountDelivery(domain.ChannelSMS, status)
	if !found {
		text(w, http.StatusOK, "unknown message")
		return
	}
	text(w, http.StatusOK, "ok")
}

// StatusOf maps Kannel's DLR type to an outbox delivery status.
func StatusOf(typ int) string {
	switch {
	case typ&1 != 0:
		return outbox.DeliveryDelivered
	case typ&2 != 0 || typ&16 != 0:
		return outbox.DeliveryFailed
	case typ&8 != 0:
		return outbox.DeliverySent
	case typ&4 != 0:
		return outbox.DeliveryQueued
	}
	return ""
}

// Client sends SMS through Kannel's sendsms interface. It is the sms
// package's gateway for the "sms" channel. Each exchange goes to the
// channel log (redacted) when Store is set.
type Client struct {
	Settings Settings
	HTTP     *http.Client
	Store    *store.Store // the channel log's; optional
	Log      *slog.Logger // optional
	// Commit writes the channel log in transactions shared with other
	// callers (optional: the client makes its own on Store; give it the
	// sender's to share their commits).
	Commit *store.Committer
	// Settle is how long to wait, after sendsms was unreachable, from the
	// moment its port answers again before the first message (default
	// RestartSettle).
	Settle time.Duration

	exchanges chanlog.Pending
	mu        sync.Mutex
	down      bool      // the last try found sendsms unreachable
	backAt    time.Time // when its port answered again
}

// RestartSettle is the default wait after smsbox comes back. Kannel
// 1.4.5's smsbox opens its sendsms port before it has connected to
// bearerbox, and a sendsms request in that moment crashes it ("PANIC:
// gwlib/conn.c: lock_out: Assertion `conn != NULL' failed", seen in the
// outage test): so after an outage lindu lets it connect first.
const RestartSettle = 2 * time.Second

// settling reports whether a message must wait: sendsms was unreachable
// and its port is still closed, or opened less than Settle ago.
func (c *Client) settling(sendsmsURL string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.down {
		return false
	}
	u, err := url.Parse(sendsmsURL)
	if err != nil {
		return false
	}
	host := u.Host
	if u.Port() == "" {
		host += ":80"
	}
	conn, err := net.DialTimeout("tcp", host, time.Second)
	if err != nil {
		c.backAt = time.Time{}
		return true
	}
	_ = conn.Close()
	settle := c.Settle
	if settle <= 0 {
		settle = RestartSettle
	}
	if c.backAt.IsZero() {
		c.backAt = time.Now()
	}
	if time.Since(c.backAt) < settle {
		return true
	}
	c.down, c.backAt = false, time.Time{}
	return false
}

func (c *Client) setDown() {
	c.mu.Lock()
	c.down, c.backAt = true, time.Time{}
	c.mu.Unlock()
}

// maxParts is the settings' MaxParts or its default.
func (st Settings) maxParts() int {
	if st.MaxParts <= 0 {
		return 3
	}
	return st.MaxParts
}

// Concurrency is how many messages the sender hands to sendsms at once:
// smsbox answers once bearerbox has queued a message, in tens of
// milliseconds under load (200 ms when it is also taking 300 SMS in), so
// one at a time would cap lindu near 30 SMS a second. Replies to 300 SMS
// through Kannel, PostgreSQL, alternating: 350-476 round trips a second
// with 32 at once, 471-575 with 96.
func (c *Client) Concurrency() int { return 96 }

// Parts is how many SMS body goes out in (domain.SMSParts).
func Parts(body string) int { return domain.SMSParts(body) }

// Parts is the number of SMS body goes out in (the sender records it, so
// a concatenated message counts as delivered only when each part is).
func (c *Client) Parts(body string) int { return Parts(body) }

// IsGSM7 reports whether s fits the GSM 03.38 default alphabet (then one
// SMS holds 160 characters; otherwise UCS-2 and 70).
func IsGSM7(s string) bool { return domain.IsGSM7(s) }

// Send hands one message to Kannel. A text longer than MaxParts SMS is
// refused here: Kannel would cut it without a word.
func (c *Client) Send(ctx context.Context, outboxID, to, body string) (string, error) {
	st := c.Settings
	if n := Parts(body); n > st.maxParts() {
		return "", domain.Errorf(domain.EInvalid, "kannel: text too long: %d SMS, at most %d", n, st.maxParts())
	}
	if c.settling(st.SendsmsURL) {
		return "", domain.Errorf(domain.EUnavailable, "kannel: sendsms coming back; waiting for smsbox to connect first")
	}
	v := url.Values{}
	v.Set("username", st.Username)
	v.Set("password", st.Password)
	v.Set("to", to)
	if st.From != "" {
		v.Set("from", st.From)
	}
	v.Set("text", body)
	v.Set("charset", "UTF-8")
	if IsGSM7(body) {
		v.Set("coding", "0")
	} else {
		v.Set("coding", "2")
	}
	mask := st.DLRMask
	if mask == 0 {
		mask = 31
	}
	v.Set("dlr-mask", strconv.Itoa(mask))
	v.Set("dlr-url", DLRURL(st, outboxID))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, st.SendsmsURL+"?"+v.Encode(), nil)
	if err != nil {
		return "", domain.Errorf(domain.EInvalid, "kannel: bad sendsms URL")
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	start := time.Now()
	entry := chanlog.Entry{Channel: "sms", Direction: chanlog.Out, OutboxID: outboxID, Method: http.MethodGet,
		URL: chanlog.RedactURL(req.URL.String())}
	resp, err := hc.Do(req)
	if err != nil {
		entry.Elapsed, entry.Error = time.Since(start), "unreachable"
		c.exchanges.Add(c.Commit, c.Store, c.Log, entry)
		c.setDown()
		// Never include the URL: it carries the password.
		return "", fmt.Errorf("kannel: sendsms unreachable")
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	answer := strings.TrimSpace(string(b))
	entry.Elapsed, entry.Status, entry.Response = time.Since(start), resp.StatusCode, oneLine(answer)
	c.exchanges.Add(c.Commit, c.Store, c.Log, entry)
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return "kannel:" + outboxID, nil
	case resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusUnauthorized:
		return "", domain.Errorf(domain.EUnauthorized, "kannel: sendsms refused the credentials (%d)", resp.StatusCode)
	case resp.StatusCode >= 400 && resp.StatusCode < 500:
		return "", domain.Errorf(domain.EInvalid, "kannel: sendsms refused the message (%d %s)", resp.StatusCode, oneLine(answer))
	default:
		return "", fmt.Errorf("kannel: sendsms answered %d %s", resp.StatusCode, oneLine(answer))
	}
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 120 {
		s = s[:120]
	}
	return s
}

// DLRURL is the dlr-url of one message: Kannel fills in %d (type), %T
// (time), %i (SMSC id), %F (the SMSC's id of the part) and %A (the SMSC's
// answer: why a message failed).
func DLRURL(st Settings, outboxID string) string {
	return strings.TrimRight(st.PublicURL, "/") + "/channels/kannel/dlr?secret=" + url.QueryEscape(st.Secret) +
		"&id=" + url.QueryEscape(outboxID) + "&type=%d&ts=%T&smsc=%i&part=%F&answer=%A"
}

// ReceiveURL is the get-url of smsbox's sms-service.
func ReceiveURL(st Settings) string {
	return strings.TrimRight(st.PublicURL, "/") + "/channels/kannel/receive?secret=" + url.QueryEscape(st.Secret) +
		"&from=%p&to=%P&text=%b&time=%T&smsc=%i&id=%I&coding=%c&charset=%C"
}

// Texts smsbox sends a sender itself when it could not hand an SMS to
// lindu (reply-couldnotfetch: every retry failed; reply-requestfailed: the
// call could not be made): in Indonesian, saying what to do — send again
// later, or call the national hotline SAPA 129 — instead of Kannel's
// English defaults ("Could not fetch content, sorry.").
const (
	ReplyCouldNotFetch = "lindu: Maaf, pesan Anda belum dapat kami terima karena gangguan. Kirim ulang nanti, atau telepon SAPA 129 bila anak dalam bahaya."
	ReplyRequestFailed = "lindu: Maaf, layanan sedang gangguan dan pesan Anda belum tercatat. Kirim ulang nanti, atau telepon SAPA 129 bila anak dalam bahaya."
)

// Default smsbox retry of a failed call to lindu: every 15 seconds for
// 12 hours, so an outage of lindu or its database up to that long loses
// no SMS.
const (
	DefaultRetries = 2880
	DefaultDelay   = 15
)

// RetryWindow is how long smsbox keeps retrying with retries and delay.
func RetryWindow(retries, delay int) time.Duration {
	return time.Duration(retries) * time.Duration(delay) * time.Second
}

// Config returns the smsbox configuration groups (sms-service and
// sendsms-user) that match st, and as comments the lines for the smsbox
// group: retries and delay are smsbox's http-request-retry and
// http-queue-delay (seconds).
func Config(st Settings, retries, delay int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Kannel groups for lindu (generated by \"lindu kannel config\").\n")
	fmt.Fprintf(&b, "# In the core group keep sms-combine-concatenated-mo = true (the default) so long\n")
	fmt.Fprintf(&b, "# messages reach lindu whole. Add these lines to the smsbox group: smsbox retries\n")
	fmt.Fprintf(&b, "# a failed call to lindu instead of dropping the SMS (the default is no retry), for\n")
	fmt.Fprintf(&b, "# %s with these values, and answers in Indonesian if it still cannot.\n", RetryWindow(retries, delay))
	fmt.Fprintf(&b, "# smsbox keeps its retries in memory: restarting smsbox during an outage of lindu\n")
	fmt.Fprintf(&b, "# loses them; restart smsbox only while lindu answers (GET /readyz is 200).\n")
	fmt.Fprintf(&b, "#   http-request-retry = %d\n#   http-queue-delay = %d\n", retries, delay)
	fmt.Fprintf(&b, "#   reply-couldnotfetch = %q\n#   reply-requestfailed = %q\n\n", ReplyCouldNotFetch, ReplyRequestFailed)
	// max-messages = 1 with omit-empty: lindu's empty answer is no reply,
	// but smsbox can still text the sender when it gives up.
	fmt.Fprintf(&b, "group = sms-service\nkeyword = default\ncatch-all = true\nmax-messages = 1\nomit-empty = true\nconcatenation = true\n")
	fmt.Fprintf(&b, "get-url = %q\n\n", ReceiveURL(st))
	u, _ := url.Parse(st.SendsmsURL)
	fmt.Fprintf(&b, "group = sendsms-user\nusername = %q\npassword = %q\nconcatenation = true\nmax-messages = %d\n", st.Username, st.Password,
		st.maxParts())
	if st.From != "" {
		fmt.Fprintf(&b, "default-sender = %q\n", st.From)
	}
	if u != nil && u.Host != "" {
		fmt.Fprintf(&b, "# lindu sends to %s://%s%s: set sendsms-port = %s in the smsbox group.\n", u.Scheme, u.Host, u.Path, u.Port())
	}
	return b.String()
}
