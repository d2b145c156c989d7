package kannel_test

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/intake"
	"lindu/internal/intake/kannel"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// benchSeq makes message ids distinct across every run of the benchmark
// function (the framework calls it again with a larger b.N).
var benchSeq atomic.Int64

// receiveURL is a request as smsbox's get-url makes it.
func receiveURL(secret string, n int64, from string) string {
	v := url.Values{}
	v.Set("secret", secret)
	v.Set("from", from)
	v.Set("to", "1234")
	v.Set("text", "Anak tetangga dipukul setiap malam, tolong bantu")
	v.Set("time", strconv.FormatInt(time.Now().Unix(), 10))
	v.Set("smsc", "FAKE")
	v.Set("id", fmt.Sprintf("bench-%012d", n))
	v.Set("coding", "0")
	v.Set("charset", "UTF-8")
	return "/channels/kannel/receive?" + v.Encode()
}

// benchPhone gives each message its own sender, so every message is a new
// report (the heaviest path: report, inbound row and reply in one
// transaction).
func benchPhone(n int64) string { return fmt.Sprintf("+62812%08d", n%100000000) }

// BenchmarkKannelReceive is lindu's receive handler alone: requests as
// smsbox makes them, served in process (httptest recorder, no network)
// against a real store, each with a distinct Kannel message id and sender.
// It reports msgs/s beside ns/op. "serial" is one request at a time;
// "parallel" is GOMAXPROCS concurrent callers (smsbox calls concurrently).
func BenchmarkKannelReceive(b *testing.B) {
	for _, d := range storetest.Engines(b) {
		b.Run(string(d), func(b *testing.B) {
			st := storetest.Open(b, d, storetest.Options{})
			const secret = "bench-secret"
			log := slog.New(slog.DiscardHandler)
			h := &kannel.Handler{Settings: kannel.Settings{Secret: secret}, Store: st, Log: log,
				Intake: &intake.Service{Store: st, Region: "61.07"}}
			mux := http.NewServeMux()
			h.Routes(mux)
			one := func(b *testing.B) {
				n := benchSeq.Add(1)
				req := httptest.NewRequest(http.MethodGet, receiveURL(secret, n, benchPhone(n)), nil)
				req.RemoteAddr = "127.0.0.1:40000"
				w := httptest.NewRecorder()
				mux.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("receive answered %d %q", w.Code, w.Body.String())
				}
			}
			b.Run("serial", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					one(b)
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
			})
			b.Run("parallel", func(b *testing.B) {
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						one(b)
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
			})
		})
	}
}

// frontend is the HTTP server smsbox calls: one port, one Kannel
// configuration, and a handler that is switched between lindu and a
// trivial static responder, so both are measured through the very same
// bearerbox and smsbox processes.
type frontend struct {
	handler atomic.Pointer[http.Handler]
	mu      sync.Mutex
	first   time.Time // first request of the current round
	last    time.Time // latest 2xx answer
	ok      int       // 2xx answers this round
	calls   int       // requests this round
	target  int
	done    chan struct{}
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (s *statusRecorder) WriteHeader(c int) { s.code = c; s.ResponseWriter.WriteHeader(c) }

func (f *frontend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	if f.calls == 0 {
		f.first = time.Now()
	}
	f.calls++
	f.mu.Unlock()
	rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
	(*f.handler.Load()).ServeHTTP(rec, r)
	if rec.code >= 200 && rec.code < 300 {
		f.mu.Lock()
		f.ok++
		f.last = time.Now()
		if f.ok == f.target {
			close(f.done)
		}
		f.mu.Unlock()
	}
}

// round switches to h and resets the counters for n messages.
func (f *frontend) round(h http.Handler, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handler.Store(&h)
	f.first, f.last, f.ok, f.calls, f.target = time.Time{}, time.Time{}, 0, 0, n
	f.done = make(chan struct{})
}

type roundResult struct {
	name           string
	n, calls       int
	span, wall     time.Duration
	rate, wallRate float64
}

// TestKannelInboundThroughput measures inbound SMS end to end through
// the real Kannel (fakesmsc → bearerbox → smsbox → HTTP): the same N SMS
// handled by lindu (receive handler, real store) and by a static
// responder that answers 200 "ok", in the same run and through the same
// bearerbox and smsbox. It logs both rates and their ratio; it asserts
// only that every SMS arrived (lindu: stored exactly once), never a time.
// Run it with LINDU_BENCH_KANNEL=1 (LINDU_BENCH_KANNEL_N sets N, default
// 2000):
//
//	LINDU_BENCH_KANNEL=1 go test -run TestKannelInboundThroughput -v ./internal/intake/kannel
func TestKannelInboundThroughput(t *testing.T) {
	if os.Getenv("LINDU_BENCH_KANNEL") != "1" {
		t.Skip("set LINDU_BENCH_KANNEL=1 to measure inbound throughput through Kannel")
	}
	needKannel(t)
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("LINDU_BENCH_KANNEL_N")); err == nil && v > 0 && v <= 100000 {
		n = v
	}
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st := storetest.Open(t, d, storetest.Options{})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		base := "http://" + ln.Addr().String()
		ks := kannel.Settings{Username: "lindu", Password: "bench", Secret: "bench-kannel", PublicURL: base}
		log := slog.New(slog.DiscardHandler)
		lmux := http.NewServeMux()
		(&kannel.Handler{Settings: ks, Store: st, Log: log, Intake: &intake.Service{Store: st, Region: "61.07"}}).Routes(lmux)
		static := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			io.WriteString(w, "ok\n")
		})
		fe := &frontend{}
		fe.round(static, 0)
		hs := &http.Server{Handler: fe}
		go hs.Serve(ln)
		t.Cleanup(func() { hs.Close() })
		g := startGateway(t, ks, 100)

		// 200 senders: fakesmsc picks among them at random, so most
		// messages join an earlier report of their sender (within 30
		// minutes) and some start a new one. Kannel gives every SMS its
		// own id (%I).
		var msgs []string
		for i := 0; i < 200; i++ {
			msgs = append(msgs, fmt.Sprintf("+6281377%06d 1234 text Laporan uji nomor %d anak dalam bahaya tolong", i, i))
		}
		measure := func(name string, h http.Handler, n int) roundResult {
			fe.round(h, n)
			start := time.Now()
			g.phone(n, 0, msgs...)
			select {
			case <-fe.done:
			case <-time.After(time.Duration(n)*20*time.Millisecond + 60*time.Second):
				fe.mu.Lock()
				defer fe.mu.Unlock()
				t.Fatalf("%s: only %d of %d SMS answered 2xx (%d calls)", name, fe.ok, n, fe.calls)
			}
			fe.mu.Lock()
			defer fe.mu.Unlock()
			r := roundResult{name: name, n: n, calls: fe.calls, span: fe.last.Sub(fe.first), wall: fe.last.Sub(start)}
			r.rate = float64(n-1) / r.span.Seconds()
			r.wallRate = float64(n) / r.wall.Seconds()
			return r
		}
		// Warm up Kannel's and Go's connections with a few messages.
		measure("warm-up", static, 200)
		var results []roundResult
		before := 0
		for _, round := range []string{"static", "lindu", "static", "lindu"} {
			h := http.Handler(static)
			if round == "lindu" {
				h = lmux
			}
			r := measure(round, h, n)
			results = append(results, r)
			if round == "lindu" {
				time.Sleep(500 * time.Millisecond) // a late duplicate would show
				msgsIn, _, err := cases.New(st, cases.Options{}).InboundCounts(bg, domain.ChannelSMS)
				if err != nil {
					t.Fatal(err)
				}
				if msgsIn-before != n {
					t.Errorf("lindu stored %d messages for %d SMS", msgsIn-before, n)
				}
				before = msgsIn
			}
		}
		_, reports, _ := cases.New(st, cases.Options{}).InboundCounts(bg, domain.ChannelSMS)
		var best = map[string]roundResult{}
		for _, r := range results {
			t.Logf("%-6s %d SMS: %.0f msgs/s between first request and last answer (%s), %.0f msgs/s from fakesmsc start (%s), %d HTTP calls",
				r.name, r.n, r.rate, r.span.Round(time.Millisecond), r.wallRate, r.wall.Round(time.Millisecond), r.calls)
			if r.rate > best[r.name].rate {
				best[r.name] = r
			}
		}
		t.Logf("%s: best of 2 rounds: static %.0f msgs/s, lindu %.0f msgs/s, lindu/static = %.2f (%d reports from %d SMS)",
			d, best["static"].rate, best["lindu"].rate, best["lindu"].rate/best["static"].rate, reports, 2*n)
	})
}
