package kannel_test

import (
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"lindu/internal/domain"
	"lindu/internal/intake"
	"lindu/internal/intake/kannel"
	"lindu/internal/store"
)

// down answers 503 to Kannel while lindu is "down" (its database
// unreachable: what lindu answers then), and serves as usual otherwise.
func down(flag *atomic.Bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if flag.Load() && strings.HasPrefix(r.URL.Path, "/channels/kannel/receive") {
				http.Error(w, "try again", http.StatusServiceUnavailable)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// English texts smsbox sends a sender by default when it gives up.
var kannelEnglish = []string{"Could not fetch content", "Request Failed", "Result could not be represented"}

// lindu is down longer than the 8 minutes the former setup covered
// (scaled: smsbox retries 40 times a second apart, lindu is down for 12
// seconds, longer than smsbox's old default window would be at this
// scale): every SMS sent meanwhile becomes exactly one report once lindu
// is back, each sender gets lindu's reply, and no Kannel text reaches a
// sender.
func TestKannelLongOutageLosesNothing(t *testing.T) {
	var isDown atomic.Bool
	isDown.Store(true)
	l, g := startLinduWith(t, store.SQLite, 40, down(&isDown), nil)
	const n = 6
	var msgs []string
	for i := range n {
		msgs = append(msgs, "+62812888800"+strconv.Itoa(10+i)+" 1234 text Anak nomor "+strconv.Itoa(i)+" ditelantarkan di kebun sawit")
	}
	p := g.phone(n, 0.2, msgs...)
	eventually(t, 15*time.Second, "the phone sent its SMS", func() bool { return p.sent() >= n })
	time.Sleep(12 * time.Second) // the outage
	svc := &intake.Service{Store: l.st, Region: "61.07"}
	if m, _, err := svc.InboundCounts(bg, domain.ChannelSMS); err != nil || m != 0 {
		t.Fatalf("stored %d messages while down (%v)", m, err)
	}
	isDown.Store(false)
	t.Cleanup(func() {
		if t.Failed() {
			m, r, err := svc.InboundCounts(bg, domain.ChannelSMS)
			t.Logf("stored %d messages, %d reports (%v); phones got %q", m, r, err, g.received(""))
		}
	})
	// fakesmsc picks its messages at random among msgs: a sender may send
	// twice, and the second SMS joins their report.
	senders := func() int {
		var k int
		if err := l.st.QueryRowContext(bg, `SELECT COUNT(DISTINCT phone_hash) FROM inbound_messages WHERE channel = 'sms'`).Scan(&k); err != nil {
			t.Fatal(err)
		}
		return k
	}
	eventually(t, 45*time.Second, "every SMS stored once lindu is back", func() bool {
		m, r, err := svc.InboundCounts(bg, domain.ChannelSMS)
		return err == nil && m == n && r == senders()
	})
	eventually(t, 30*time.Second, "each SMS's reply", func() bool { return len(g.received("")) == n })
	time.Sleep(2 * time.Second) // any late retry would store a second copy now
	if m, r, _ := svc.InboundCounts(bg, domain.ChannelSMS); m != n || r != senders() {
		t.Fatalf("after the retries settled: %d messages, %d reports; want %d messages, one report per sender", m, r, n)
	}
	for _, text := range g.received("") {
		for _, en := range kannelEnglish {
			if strings.Contains(text, en) {
				t.Errorf("a sender got Kannel's English text %q", text)
			}
		}
		if !strings.Contains(text, "Laporan diterima") && !strings.Contains(text, "Pesan ditambahkan") {
			t.Errorf("a sender got %q, want lindu's reply", text)
		}
	}
}

// When smsbox gives up (an outage longer than its retry window), the
// sender gets the Indonesian text of lindu's configuration — try again,
// or call SAPA 129 — never Kannel's English default.
func TestKannelGivingUpSpeaksIndonesian(t *testing.T) {
	var isDown atomic.Bool
	isDown.Store(true)
	_, g := startLinduWith(t, store.SQLite, 2, down(&isDown), nil)
	const from = "+6281288880099"
	g.phone(1, 0.1, from+" 1234 text Ada anak dipukul di pasar")
	eventually(t, 30*time.Second, "smsbox's answer to the sender", func() bool { return len(g.received(from)) > 0 })
	got := g.received(from)
	if len(got) != 1 || !strings.Contains(strings.ReplaceAll(got[0], "+", " "), "SAPA 129") {
		t.Fatalf("the sender got %q, want the Indonesian text %q", got, kannel.ReplyCouldNotFetch)
	}
}
