package sms_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/intake"
	"lindu/internal/outbox"
	"lindu/internal/sms"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

var bg = context.Background()

// fakeGateway is a Gateway whose behaviour is a function field; it
// records every call.
type fakeGateway struct {
	mu    sync.Mutex
	calls []string // outbox ids, in order
	send  func(n int, outboxID, to, body string) (string, error)
}

func (f *fakeGateway) Send(ctx context.Context, outboxID, to, body string) (string, error) {
	f.mu.Lock()
	f.calls = append(f.calls, outboxID)
	n := len(f.calls)
	f.mu.Unlock()
	return f.send(n, outboxID, to, body)
}

func (f *fakeGateway) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// offsetClock is the store's clock: real time plus an offset the test
// moves. The sender schedules retries on real time (time.Now() + backoff),
// the store claims what is due on its clock, so moving the offset to just
// before and just after a backoff shows the schedule.
type offsetClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *offsetClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *offsetClock) set(d time.Duration) {
	c.mu.Lock()
	c.off = d
	c.mu.Unlock()
}

// setup opens a store on the clock and enqueues one SMS reply per phone
// (each free-text message is a report answered with its code).
func setup(t *testing.T, d store.Dialect, clock *offsetClock, phones ...string) *store.Store {
	t.Helper()
	st := storetest.Open(t, d, storetest.Options{Now: clock.Now})
	svc := &intake.Service{Store: st, Region: "61.07"}
	for i, p := range phones {
		if _, err := svc.Handle(bg, intake.Message{Key: fmt.Sprintf("test:%d", i), Channel: domain.ChannelSMS, From: p,
			Text: "anak dipukul tetangga, tolong"}); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(rows(t, st)); got != len(phones) {
		t.Fatalf("%d replies enqueued, want %d", got, len(phones))
	}
	return st
}

func rows(t *testing.T, st *store.Store) []outbox.Row {
	t.Helper()
	r, err := outbox.ByKeyPrefix(bg, st, access.System("test"), "reply:test:")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func newSender(st *store.Store, gw sms.Gateway) *sms.Sender {
	return &sms.Sender{Store: st, Log: slog.New(slog.DiscardHandler), Instance: "test", Gateways: map[string]sms.Gateway{"sms": gw},
		BackoffBase: time.Hour, BackoffMax: 5 * time.Hour, MaxAttempts: 50}
}

var errDown = errors.New("kannel: sendsms unreachable")

// While the gateway is down each retry waits twice as long as the one
// before, up to BackoffMax: base 1 h, then 2 h, 4 h, 5 h (capped), 5 h.
// Before its time a message is not claimed; after it, it is, once.
func TestBackoffSchedule(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		clock := &offsetClock{}
		st := setup(t, d, clock, "+6281200000001")
		gw := &fakeGateway{send: func(int, string, string, string) (string, error) { return "", errDown }}
		s := newSender(st, gw)

		if sent, retried := s.Round(bg); sent != 0 || retried != 1 || gw.count() != 1 {
			t.Fatalf("first round: sent %d retried %d calls %d", sent, retried, gw.count())
		}
		for attempt, wait := range []time.Duration{time.Hour, 2 * time.Hour, 4 * time.Hour, 5 * time.Hour, 5 * time.Hour} {
			attempt++ // the attempt that just failed
			r := rows(t, st)[0]
			if r.Status != "pending" || r.Attempts != attempt || !strings.Contains(r.LastError, "unreachable") {
				t.Fatalf("after attempt %d: %+v", attempt, r)
			}
			clock.set(wait - time.Minute)
			if sent, retried := s.Round(bg); sent+retried != 0 || gw.count() != attempt {
				t.Fatalf("after attempt %d the retry came before %s: sent %d retried %d calls %d", attempt, wait, sent, retried, gw.count())
			}
			clock.set(wait + time.Minute)
			if _, retried := s.Round(bg); retried != 1 || gw.count() != attempt+1 {
				t.Fatalf("after attempt %d no retry %s later: retried %d calls %d", attempt, wait, retried, gw.count())
			}
		}
	})
}

// After MaxAttempts failures the message fails for good and is never
// handed to the gateway again.
func TestGiveUpAfterMaxAttempts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		clock := &offsetClock{}
		st := setup(t, d, clock, "+6281200000002")
		gw := &fakeGateway{send: func(int, string, string, string) (string, error) { return "", errDown }}
		s := newSender(st, gw)
		s.MaxAttempts = 3
		for i := 1; i <= 3; i++ {
			clock.set(time.Duration(i) * 24 * time.Hour) // every retry is due
			s.Round(bg)
			if gw.count() != i {
				t.Fatalf("round %d: %d calls", i, gw.count())
			}
		}
		r := rows(t, st)[0]
		if r.Status != outbox.DeliveryFailed || r.Attempts != 3 || !strings.HasPrefix(r.LastError, "gave up after") {
			t.Fatalf("after 3 failed attempts: %+v", r)
		}
		clock.set(30 * 24 * time.Hour)
		if sent, retried := s.Round(bg); sent+retried != 0 || gw.count() != 3 {
			t.Errorf("a message that was given up was tried again: sent %d retried %d calls %d", sent, retried, gw.count())
		}
	})
}

// A refusal (a *domain.Error other than unavailable / too many) fails the
// message at once; unavailable and too-many are retried.
func TestRefusedIsNotRetried(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		clock := &offsetClock{}
		st := setup(t, d, clock, "+6281200000003", "+6281200000004", "+6281200000005")
		errs := map[string]error{}
		var mu sync.Mutex
		gw := &fakeGateway{send: func(n int, id, to, body string) (string, error) {
			mu.Lock()
			defer mu.Unlock()
			switch to {
			case "+6281200000003":
				errs[id] = domain.Errorf(domain.EInvalid, "kannel: sendsms refused the message (400)")
			case "+6281200000004":
				errs[id] = domain.Errorf(domain.EUnavailable, "gateway busy")
			default:
				errs[id] = domain.Errorf(domain.ETooMany, "throttled")
			}
			return "", errs[id]
		}}
		s := newSender(st, gw)
		s.Batch = 1 // one message per claim, so a failure does not hold back the others
		for range 3 {
			s.Round(bg)
			clock.set(clock.off + 2*time.Hour)
		}
		byStatus := map[string]int{}
		for _, r := range rows(t, st) {
			byStatus[r.Status]++
			var de *domain.Error
			if errors.As(errs[r.ID], &de) && de.Code == domain.EInvalid {
				if r.Status != outbox.DeliveryFailed || r.Attempts != 1 {
					t.Errorf("refused message: %+v, want failed after 1 attempt", r)
				}
			} else if r.Status != "pending" {
				t.Errorf("unavailable/too-many message: %+v, want pending for a retry", r)
			}
		}
		if byStatus[outbox.DeliveryFailed] != 1 || byStatus["pending"] != 2 {
			t.Errorf("statuses %v", byStatus)
		}
	})
}

// When the gateway fails, the rest of the batch is put back without being
// handed to it (no hammering a gateway that is down), and without counting
// an attempt against the messages that were not tried.
func TestGatewayDownHoldsBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		clock := &offsetClock{}
		st := setup(t, d, clock, "+6281200000006", "+6281200000007", "+6281200000008")
		gw := &fakeGateway{send: func(int, string, string, string) (string, error) { return "", errDown }}
		s := newSender(st, gw)
		sent, retried := s.Round(bg)
		if sent != 0 || retried != 1 || gw.count() != 1 {
			t.Fatalf("sent %d retried %d gateway calls %d; want 0, 1, 1", sent, retried, gw.count())
		}
		attempts := 0
		for _, r := range rows(t, st) {
			if r.Status != "pending" {
				t.Errorf("%+v", r)
			}
			attempts += r.Attempts
		}
		if attempts != 1 {
			t.Errorf("%d attempts counted, want 1 (the message the gateway failed)", attempts)
		}
		if up := s.Up(); up["sms"] {
			t.Errorf("gateway health %v, want sms down", up)
		}
	})
}

// Channels fail independently: with Kannel down, the WhatsApp replies in
// the outbox go out in the same round, and the other way round.
func TestChannelsFailIndependently(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		clock := &offsetClock{}
		st := storetest.Open(t, d, storetest.Options{Now: clock.Now})
		svc := &intake.Service{Store: st, Region: "61.07"}
		for i := range 6 {
			ch := domain.ChannelSMS
			if i%2 == 1 {
				ch = domain.ChannelWhatsApp
			}
			if _, err := svc.Handle(bg, intake.Message{Key: fmt.Sprintf("test:%d", i), Channel: ch, From: fmt.Sprintf("+62812000001%02d", i),
				Text: "anak dipukul tetangga, tolong"}); err != nil {
				t.Fatal(err)
			}
		}
		down := &fakeGateway{send: func(int, string, string, string) (string, error) { return "", errDown }}
		up := &fakeGateway{send: func(_ int, id, _, _ string) (string, error) { return "wamid." + id, nil }}
		s := newSender(st, down)
		s.Gateways["whatsapp"] = up
		sent, retried := s.Round(bg)
		if sent != 3 || retried != 1 || up.count() != 3 || down.count() != 1 {
			t.Fatalf("kannel down: sent %d, retried %d, WhatsApp calls %d, Kannel calls %d; want 3, 1, 3, 1", sent, retried, up.count(), down.count())
		}
		health := s.Up()
		if health["sms"] || !health["whatsapp"] {
			t.Fatalf("gateway health %v, want sms down and whatsapp up", health)
		}
		byChannel := map[string][]string{}
		for _, r := range rows(t, st) {
			byChannel[r.Channel] = append(byChannel[r.Channel], r.Status)
		}
		if strings.Join(byChannel["whatsapp"], ",") != "sent,sent,sent" || strings.Join(byChannel["sms"], ",") != "pending,pending,pending" {
			t.Fatalf("statuses %v", byChannel)
		}
		// Kannel back, WhatsApp down: the SMS go, WhatsApp waits.
		clock.set(clock.off + 2*time.Hour)
		s.Gateways["sms"], s.Gateways["whatsapp"] = up, down
		if sent, _ := s.Round(bg); sent != 3 {
			t.Fatalf("kannel back: sent %d, want 3", sent)
		}
	})
}

// A message the gateway accepted is recorded as sent with the provider's
// id and never handed over again; Wake makes a running sender deliver at
// once instead of at its next poll.
func TestSentOnceAndWake(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		clock := &offsetClock{}
		st := setup(t, d, clock)
		gw := &fakeGateway{send: func(n int, id, to, body string) (string, error) {
			if to != "+6281200000009" || !strings.Contains(body, "kode") {
				return "", domain.Errorf(domain.EInvalid, "unexpected message to %s: %q", to, body)
			}
			return "kannel:" + id, nil
		}}
		s := newSender(st, gw)
		s.Interval = time.Hour
		ctx, cancel := context.WithCancel(bg)
		done := make(chan struct{})
		go func() { defer close(done); s.Run(ctx) }()
		defer func() { cancel(); <-done }()
		time.Sleep(100 * time.Millisecond) // the first round finds nothing

		svc := &intake.Service{Store: st, Region: "61.07", Sent: s.Wake}
		if _, err := svc.Handle(bg, intake.Message{Key: "test:0", Channel: domain.ChannelSMS, From: "+6281200000009",
			Text: "anak dipukul tetangga, tolong"}); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for gw.count() == 0 {
			if time.Now().After(deadline) {
				t.Fatal("Wake did not make the sender deliver")
			}
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(100 * time.Millisecond)
		r := rows(t, st)[0]
		if r.Status != outbox.DeliverySent || r.ProviderID != "kannel:"+r.ID || r.Attempts != 1 {
			t.Fatalf("accepted message: %+v", r)
		}
		clock.set(48 * time.Hour)
		s.Wake()
		time.Sleep(200 * time.Millisecond)
		if sent, retried := s.Round(bg); sent+retried != 0 || gw.count() != 1 {
			t.Errorf("an accepted message was handed over again: sent %d retried %d calls %d", sent, retried, gw.count())
		}
	})
}

// A message whose claim expired and was taken over by another instance is
// not sent by the first one when its (slow) batch finally reaches it: the
// sender renews its claim right before each send.
func TestExpiredClaimNotSent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		clock := &offsetClock{}
		st := setup(t, d, clock, "+6281200000091")
		// Instance "a" claims the message, then stalls longer than the
		// claim timeout; instance "b" releases and takes it over.
		msgs, err := outbox.Claim(bg, st, "a", []string{"sms"}, 10, time.Minute)
		if err != nil || len(msgs) != 1 {
			t.Fatalf("claim by a: %d %v", len(msgs), err)
		}
		clock.set(2 * time.Minute)
		taken, err := outbox.Claim(bg, st, "b", []string{"sms"}, 10, time.Minute)
		if err != nil || len(taken) != 1 {
			t.Fatalf("takeover by b: %d %v", len(taken), err)
		}
		if ok, _ := outbox.RenewClaim(bg, st, msgs[0].ID, "a"); ok {
			t.Fatal("a still holds a claim that b took over")
		}
		if ok, _ := outbox.RenewClaim(bg, st, msgs[0].ID, "b"); !ok {
			t.Fatal("b cannot renew its own claim")
		}
		// A sender named "a" that resumes sends nothing; "b" sends once.
		gw := &fakeGateway{}
		a := newSender(st, gw)
		a.Instance = "a"
		if sent, _ := a.Round(bg); sent != 0 || gw.count() != 0 {
			t.Fatalf("a sent %d (gateway saw %d)", sent, gw.count())
		}
	})
}

// deadHandoff claims replies for a sender that never gets them (its
// process died between the commit and the handover).
type deadHandoff struct{}

func (deadHandoff) Claimant(string) string { return "dead" }
func (deadHandoff) Take(outbox.Send)       {}

// A reply of intake is written claimed for a running sender whose gateway
// is up and handed to it in memory (intake.Handoff): it is sent once,
// with no claim and no Wake (the sender's ticker is an hour away). Before
// the gateway took a message, and once Run ended, replies stay pending. A
// reply claimed for a sender that never got it is sent once, after its
// claim went stale.
func TestHandoff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		clock := &offsetClock{}
		st := setup(t, d, clock)
		gw := &fakeGateway{send: func(n int, id, to, body string) (string, error) { return "kannel:" + id, nil }}
		s := newSender(st, gw)
		s.Interval = time.Hour
		s.StaleAfter = time.Minute
		if c := s.Claimant("sms"); c != "" {
			t.Fatalf("claimant %q before Run", c)
		}
		ctx, cancel := context.WithCancel(bg)
		done := make(chan struct{})
		go func() { defer close(done); s.Run(ctx) }()
		stopped := false
		stop := func() {
			if !stopped {
				stopped = true
				cancel()
				<-done
			}
		}
		defer stop()
		waitSent := func(n int, what string) {
			t.Helper()
			deadline := time.Now().Add(10 * time.Second)
			for gw.count() < n {
				if time.Now().After(deadline) {
					t.Fatalf("%s: %d messages sent, want %d", what, gw.count(), n)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		handle := func(svc *intake.Service, i int) {
			t.Helper()
			if _, err := svc.Handle(bg, intake.Message{Key: fmt.Sprintf("test:%d", i), Channel: domain.ChannelSMS,
				From: fmt.Sprintf("+62812000001%02d", i), Text: "anak dipukul tetangga, tolong"}); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(100 * time.Millisecond) // Run's first round finds nothing
		if c := s.Claimant("sms"); c != "" {
			t.Fatalf("claimant %q before the gateway took a message", c)
		}
		// The first reply: pending, claimed after Wake.
		handle(&intake.Service{Store: st, Region: "61.07", Sent: s.Wake, Handoff: s}, 0)
		waitSent(1, "the first reply")
		time.Sleep(100 * time.Millisecond) // its sent mark
		if c := s.Claimant("sms"); c != "test" {
			t.Fatalf("claimant %q with the gateway up, want the instance", c)
		}
		if c := s.Claimant("whatsapp"); c != "" {
			t.Fatalf("claimant %q for a channel without a gateway", c)
		}
		// The next ones: handed over, no Wake.
		handoff := &intake.Service{Store: st, Region: "61.07", Handoff: s}
		for i := 1; i <= 5; i++ {
			handle(handoff, i)
		}
		waitSent(6, "the replies handed over")
		time.Sleep(200 * time.Millisecond) // the sent marks; a second send would show
		for _, r := range rows(t, st) {
			if r.Status != outbox.DeliverySent || r.ProviderID != "kannel:"+r.ID || r.Attempts != 1 {
				t.Errorf("reply %s: %+v, want sent once with its provider id", r.Key, r)
			}
		}
		var claimedAtEnqueue int
		if err := st.QueryRowContext(bg, `SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE 'reply:test:%' AND claimed_by = 'test'
			AND claimed_at = created_at`).Scan(&claimedAtEnqueue); err != nil || claimedAtEnqueue != 5 {
			t.Errorf("%d replies claimed in the transaction that wrote them (%v), want 5", claimedAtEnqueue, err)
		}
		stop()
		if c := s.Claimant("sms"); c != "" {
			t.Fatalf("claimant %q after Run ended", c)
		}
		// Claimed for a sender that died: sent once after the claim went
		// stale, by a Round of this one.
		handle(&intake.Service{Store: st, Region: "61.07", Handoff: deadHandoff{}}, 6)
		if sent, _ := s.Round(bg); sent != 0 {
			t.Fatalf("a fresh claim of another sender was sent (%d)", sent)
		}
		clock.set(2 * time.Minute)
		if sent, _ := s.Round(bg); sent != 1 || gw.count() != 7 {
			t.Fatalf("after the claim went stale: sent %d, gateway calls %d, want 1 and 7", sent, gw.count())
		}
		if sent, _ := s.Round(bg); sent != 0 || gw.count() != 7 {
			t.Fatalf("sent again: %d, gateway calls %d", sent, gw.count())
		}
		r := rows(t, st)
		if last := r[len(r)-1]; last.Status != outbox.DeliverySent || last.Attempts != 2 {
			t.Errorf("the dead sender's reply: %+v, want sent at its second attempt", last)
		}
	})
}
