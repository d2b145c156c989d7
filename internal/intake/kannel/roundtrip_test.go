package kannel_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"lindu/internal/domain"
	"lindu/internal/intake"
	"lindu/internal/intake/intaketest"
	"lindu/internal/intake/kannel"
	"lindu/internal/server"
	"lindu/internal/sms"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// rtFrontend is the HTTP server smsbox calls in the round-trip benchmark:
// receive calls go to the handler of the round (lindu or the responder),
// delivery reports to whoever sent the message (the responder's outbox ids
// start with "resp-"). It records the distinct SMS (Kannel's %I) answered
// 2xx per sender and the delivered reports per side.
type rtFrontend struct {
	lindu, responder http.Handler
	toLindu          atomic.Bool
	mu               sync.Mutex
	first, lastIn    time.Time         // first receive call of the round, last 2xx answer to one
	in               map[string]string // Kannel id → sender, answered 2xx
	calls            int               // receive calls this round
	delivered        map[string]int    // DLR type 1 calls by side ("lindu", "responder") this round
	// receive calls in flight now and at most this round, and their time
	// in all (how much smsbox asks of the receiver at once, how long each
	// waits)
	inflight, maxInflight int
	busy                  time.Duration
}

func (f *rtFrontend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	side := "responder"
	if f.toLindu.Load() {
		side = "lindu"
	}
	if strings.HasSuffix(r.URL.Path, "/dlr") {
		side = "lindu"
		if strings.HasPrefix(q.Get("id"), "resp-") {
			side = "responder"
		}
	}
	h := f.responder
	if side == "lindu" {
		h = f.lindu
	}
	receive := strings.HasSuffix(r.URL.Path, "/receive")
	if receive {
		f.mu.Lock()
		if f.calls == 0 {
			f.first = time.Now()
		}
		f.calls++
		f.inflight++
		f.maxInflight = max(f.maxInflight, f.inflight)
		f.mu.Unlock()
	}
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
	h.ServeHTTP(rec, r)
	if receive {
		f.mu.Lock()
		f.inflight--
		f.busy += time.Since(start)
		f.mu.Unlock()
	}
	if rec.code < 200 || rec.code > 299 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if receive {
		f.in[q.Get("id")] = q.Get("from")
		f.lastIn = time.Now()
	} else if q.Get("type") == "1" {
		f.delivered[side]++
	}
}

func (f *rtFrontend) round(toLindu bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.toLindu.Store(toLindu)
	f.first, f.lastIn, f.calls, f.in, f.delivered = time.Time{}, time.Time{}, 0, map[string]string{}, map[string]int{}
	f.maxInflight, f.busy = 0, 0
}

// responder is the baseline: for each SMS it hands one reply to Kannel's
// sendsms at once (the same kannel.Client lindu's sender uses, with a
// dlr-url, without a database) and then answers smsbox 200; it answers
// delivery reports 200.
func responder(c *kannel.Client) http.Handler {
	const reply = "lindu: Laporan diterima, kode AB12-CD34. Petugas akan menghubungi Anda. Bila anak dalam bahaya, telepon SAPA 129."
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if strings.HasSuffix(r.URL.Path, "/receive") {
			if _, err := c.Send(r.Context(), "resp-"+q.Get("smsc")+"-"+q.Get("id"), q.Get("from"), reply); err != nil {
				http.Error(w, "try again", http.StatusServiceUnavailable)
				return
			}
		}
		w.WriteHeader(http.StatusOK)
	})
}

// rtResult is one round of the round-trip benchmark.
type rtResult struct {
	name     string
	n, calls int
	// from the first receive call to the last SMS answered / the last
	// reply on the phone / the last delivery report
	in, replies, dlrEnd time.Duration
	rate                float64       // replies per second
	maxInflight         int           // receive calls at once, at most
	meanCall            time.Duration // a receive call's mean time
}

// TestKannelRoundTripThroughput measures SMS round trips through the real
// Kannel: N SMS from fakesmsc (the phone network) go through bearerbox and
// smsbox to the frontend, and each is answered by an SMS that must arrive
// back at fakesmsc — through lindu (receive handler on the full server,
// store, outbox, sender, sendsms, delivery reports) and through a trivial
// responder that hands a reply to sendsms inside the receive call, in the
// same run and through the same bearerbox and smsbox, alternating
// responder, lindu, responder, lindu. It logs both rates and their ratio;
// it asserts only correctness (every SMS answered exactly once, every
// reply of lindu's sent once and delivered), never a time. Run it with
// LINDU_BENCH_KANNEL=1 (LINDU_BENCH_KANNEL_RT_N sets N, default 300):
//
//	LINDU_BENCH_KANNEL=1 go test -run TestKannelRoundTripThroughput -v ./internal/intake/kannel
func TestKannelRoundTripThroughput(t *testing.T) {
	if os.Getenv("LINDU_BENCH_KANNEL") != "1" {
		t.Skip("set LINDU_BENCH_KANNEL=1 to measure SMS round trips through Kannel")
	}
	needKannel(t)
	n := 300
	if v, err := strconv.Atoi(os.Getenv("LINDU_BENCH_KANNEL_RT_N")); err == nil && v > 0 && v <= 100000 {
		n = v
	}
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st := storetest.Open(t, d, storetest.Options{})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		base := "http://" + ln.Addr().String()
		ks := kannel.Settings{Username: "lindu", Password: "bench", Secret: "bench-kannel", From: "1234", PublicURL: base}
		g := startGateway(t, ks, 100)
		ks.SendsmsURL = g.sendsmsURL()
		log := slog.New(slog.DiscardHandler)

		// lindu as "lindu serve" wires it (cmd/lindu/channels.go): the
		// sender's defaults, one Committer for the sender, the client and
		// the handler, connections kept for as many requests as the sender
		// makes at once. The responder uses the same HTTP client settings.
		hc := func() *http.Client {
			return &http.Client{Timeout: 30 * time.Second, Transport: intaketest.LocalOnly(&http.Transport{Proxy: nil,
				MaxIdleConns: 100, MaxIdleConnsPerHost: 96, IdleConnTimeout: 90 * time.Second})}
		}
		commit := &store.Committer{Store: st}
		sender := &sms.Sender{Store: st, Log: log, Instance: "bench", Commit: commit,
			Gateways: map[string]sms.Gateway{"sms": &kannel.Client{Settings: ks, HTTP: hc(), Store: st, Log: log, Commit: commit}}}
		svc := &intake.Service{Store: st, Region: "61.07", Sent: sender.Wake, Handoff: sender}
		svc.InTx = commit.DoKey // messages that arrive together share a commit
		srv, err := server.New(server.Options{Store: st, Log: log, RootRegion: "61.07",
			Channels: []interface{ Routes(*http.ServeMux) }{&kannel.Handler{Settings: ks, Intake: svc, Store: st, Log: log, Commit: commit}}})
		if err != nil {
			t.Fatal(err)
		}
		fe := &rtFrontend{lindu: srv, responder: responder(&kannel.Client{Settings: ks, HTTP: hc()})}
		fe.round(false)
		hs := &http.Server{Handler: fe}
		go hs.Serve(ln)
		ctx, cancel := context.WithCancel(bg)
		done := make(chan struct{})
		go func() { defer close(done); sender.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done; hs.Close() })

		// Each round its own 200 senders: fakesmsc picks among them at
		// random, so about 150 SMS start a report and the others join their
		// sender's, the same mix in every round.
		rounds := 0
		senders := func() []string {
			rounds++
			var msgs []string
			for i := range 200 {
				msgs = append(msgs, fmt.Sprintf("+628137%02d%04d 1234 text Laporan uji nomor %d anak dalam bahaya tolong", rounds, i, i))
			}
			return msgs
		}
		replied := 0 // lindu's replies before this round
		measure := func(name string, n int) rtResult {
			toLindu := name == "lindu"
			fe.round(toLindu)
			p := g.phone(n, 0, senders()...)
			got := p.out.gotMessages
			deadline := time.Now().Add(time.Duration(n)*50*time.Millisecond + 60*time.Second)
			for got() < n {
				if time.Now().After(deadline) {
					fe.mu.Lock()
					defer fe.mu.Unlock()
					t.Fatalf("%s: %d of %d replies arrived (%d SMS answered, %d calls)", name, got(), n, len(fe.in), fe.calls)
				}
				time.Sleep(2 * time.Millisecond)
			}
			repliesAt := time.Now()
			// Wait for the delivery reports, so that no work of this round
			// runs into the next.
			side := "responder"
			if toLindu {
				side = "lindu"
			}
			for {
				fe.mu.Lock()
				k := fe.delivered[side]
				fe.mu.Unlock()
				if k >= n {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s: %d of %d delivery reports", name, k, n)
				}
				time.Sleep(2 * time.Millisecond)
			}
			dlrAt := time.Now()
			time.Sleep(time.Second) // a late duplicate would show now
			fe.mu.Lock()
			defer fe.mu.Unlock()
			r := rtResult{name: name, n: n, calls: fe.calls, in: fe.lastIn.Sub(fe.first), replies: repliesAt.Sub(fe.first), dlrEnd: dlrAt.Sub(fe.first),
				maxInflight: fe.maxInflight}
			if fe.calls > 0 {
				r.meanCall = fe.busy / time.Duration(fe.calls)
			}
			r.rate = float64(n) / r.replies.Seconds()
			// Exactly once: every SMS answered, each sender got as many
			// replies as it sent SMS, nothing more.
			if len(fe.in) != n {
				t.Errorf("%s: %d distinct SMS answered 2xx, want %d", name, len(fe.in), n)
			}
			sentBy := map[string]int{}
			for _, from := range fe.in {
				sentBy[from]++
			}
			gotBy := map[string]int{}
			for _, m := range gotRE.FindAllStringSubmatch(p.out.String(), -1) {
				gotBy[m[2]]++
			}
			if total := got(); total != n {
				t.Errorf("%s: %d replies arrived for %d SMS", name, total, n)
			}
			for from, k := range sentBy {
				if gotBy[from] != k {
					t.Errorf("%s: %s sent %d SMS and got %d replies", name, from, k, gotBy[from])
				}
			}
			if toLindu {
				rows := outboxFor(t, st, "reply:kannel:")
				if len(rows)-replied != n {
					t.Errorf("lindu: %d replies in the outbox for %d SMS", len(rows)-replied, n)
				}
				replied = len(rows)
				for _, row := range rows {
					if row.Attempts != 1 || row.Status != "delivered" {
						t.Errorf("lindu: reply %s %s after %d attempts", row.Key, row.Status, row.Attempts)
					}
				}
			}
			return r
		}
		measure("warm-up", 100)
		measure("lindu", 100) // warm-up
		var results []rtResult
		best := map[string]rtResult{}
		for _, name := range []string{"responder", "lindu", "responder", "lindu"} {
			r := measure(name, n)
			results = append(results, r)
			if r.rate > best[name].rate {
				best[name] = r
			}
		}
		for _, r := range results {
			t.Logf("%-9s %d SMS: %.0f round trips/s (after the first SMS: last SMS answered %s, last reply on the phone %s, last delivery report %s), %d receive calls, at most %d at once, %s each on average",
				r.name, r.n, r.rate, r.in.Round(time.Millisecond), r.replies.Round(time.Millisecond), r.dlrEnd.Round(time.Millisecond), r.calls,
				r.maxInflight, r.meanCall.Round(10*time.Microsecond))
		}
		msgsIn, reports, _ := (&intake.Service{Store: st}).InboundCounts(bg, domain.ChannelSMS)
		t.Logf("%s: best of 2 rounds: responder %.0f round trips/s, lindu %.0f round trips/s, lindu/responder = %.2f (%d SMS stored, %d reports)",
			d, best["responder"].rate, best["lindu"].rate, best["lindu"].rate/best["responder"].rate, msgsIn, reports)
	})
}
