// Package sms delivers the outbox: a sender that claims due messages
// (safely across lindu instances), hands each to the gateway of its
// channel (Kannel for SMS, the WhatsApp Cloud API) and retries with
// backoff while a gateway is down. A message accepted by a gateway is
// never handed over again.
package sms

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"lindu/internal/domain"
	"lindu/internal/metrics"
	"lindu/internal/outbox"
	"lindu/internal/store"
)

// Gateway hands one message to a provider and returns the provider's
// message id. A *domain.Error (invalid, unauthorized, forbidden) means the
// provider refused the message for good; any other error is retried.
type Gateway interface {
	Send(ctx context.Context, outboxID, to, body string) (providerID string, err error)
}

// Sender delivers outbox messages through gateways.
type Sender struct {
	Store       *store.Store
	Log         *slog.Logger
	Metrics     *metrics.Registry  // optional
	Gateways    map[string]Gateway // by outbox channel: "sms", "whatsapp"
	Instance    string
	Interval    time.Duration // poll interval, default 2 s
	Batch       int           // default 50
	BackoffBase time.Duration // first retry delay, default 5 s; doubles up to BackoffMax
	BackoffMax  time.Duration // default 10 min
	StaleAfter  time.Duration // claims older than this are released, default 5 min
	MaxAttempts int           // then the message fails; default 50

	once sync.Once
	wake chan struct{}
	mu   sync.Mutex
	up   map[string]bool
}

func (s *Sender) init() {
	s.once.Do(func() {
		s.wake = make(chan struct{}, 1)
		if s.Interval <= 0 {
			s.Interval = 2 * time.Second
		}
		if s.Batch <= 0 {
			s.Batch = 50
		}
		if s.BackoffBase <= 0 {
			s.BackoffBase = 5 * time.Second
		}
		if s.BackoffMax <= 0 {
			s.BackoffMax = 10 * time.Minute
		}
		if s.StaleAfter <= 0 {
			s.StaleAfter = 5 * time.Minute
		}
		if s.MaxAttempts <= 0 {
			s.MaxAttempts = 50
		}
		if s.Log == nil {
			s.Log = slog.Default()
		}
		if s.Metrics != nil {
			s.Metrics.Counter("lindu_outbox_sent_total", "Messages accepted by a gateway, by channel.", "channel")
			s.Metrics.Counter("lindu_outbox_retries_total", "Sends that failed and will be retried, by channel.", "channel")
			s.Metrics.Counter("lindu_outbox_failed_total", "Messages refused for good, by channel.", "channel")
			for c := range s.Gateways {
				for _, n := range []string{"lindu_outbox_sent_total", "lindu_outbox_retries_total", "lindu_outbox_failed_total"} {
					s.Metrics.Add(n, 0, c)
				}
			}
		}
	})
}

// Wake makes the sender look for work now (after a reply was enqueued).
func (s *Sender) Wake() {
	s.init()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run sends until ctx ends.
func (s *Sender) Run(ctx context.Context) {
	s.init()
	t := time.NewTicker(s.Interval)
	defer t.Stop()
	for {
		s.Round(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.wake:
		}
	}
}

// Round sends everything due now and returns how many messages a gateway
// accepted and how many will be retried. Each channel goes on its own:
// while one gateway is down its messages wait (the first failure counts
// as an attempt, the rest of its batch does not), and the other channels'
// messages go out as usual.
func (s *Sender) Round(ctx context.Context) (sent, retried int) {
	s.init()
	channels := make([]string, 0, len(s.Gateways))
	for c := range s.Gateways {
		channels = append(channels, c)
	}
	slices.Sort(channels)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, c := range channels {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, r := s.roundChannel(ctx, c)
			mu.Lock()
			sent, retried = sent+n, retried+r
			mu.Unlock()
		}()
	}
	wg.Wait()
	return sent, retried
}

// roundChannel sends what is due on one channel.
func (s *Sender) roundChannel(ctx context.Context, channel string) (sent, retried int) {
	for ctx.Err() == nil {
		msgs, err := outbox.Claim(ctx, s.Store, s.Instance, []string{channel}, s.Batch, s.StaleAfter)
		if err != nil {
			if ctx.Err() == nil {
				s.Log.Error("outbox claim failed", "channel", channel, "err", err.Error())
			}
			return
		}
		down := false
		for _, m := range msgs {
			if down {
				// The gateway just failed: do not hammer it; these messages
				// did not get a try, so it does not count against them.
				s.hold(ctx, m)
				continue
			}
			ok, gatewayDown := s.send(ctx, m)
			if ok {
				sent++
			} else if gatewayDown {
				retried++
				down = true
			}
		}
		s.setUp(channel, !down)
		if len(msgs) < s.Batch || down {
			return
		}
	}
	return
}

// hold puts back a claimed message that was not tried, without counting
// the attempt, due again with the retry of the message that failed.
func (s *Sender) hold(ctx context.Context, m outbox.Send) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := outbox.Release(rctx, s.Store, m.ID, "gateway down", time.Now().Add(s.BackoffBase)); err != nil {
		s.Log.Error("outbox: putting back a message failed", "outbox_id", m.ID, "err", err.Error())
	}
}

// setUp records whether channel's gateway took the last message it was
// given (lindu_gateway_up{channel}).
func (s *Sender) setUp(channel string, up bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.up == nil {
		s.up = map[string]bool{}
	}
	s.up[channel] = up
}

// Up reports, per channel, whether its gateway took the last message it
// was given (true before the first try).
func (s *Sender) Up() map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]bool{}
	for c := range s.Gateways {
		up, seen := s.up[c]
		out[c] = up || !seen
	}
	return out
}

func (s *Sender) send(ctx context.Context, m outbox.Send) (ok, retry bool) {
	gw := s.Gateways[m.Channel]
	// A batch can outlast the claim timeout on a slow gateway; then another
	// instance may have taken the rest over. Never send what is not ours.
	if mine, err := outbox.RenewClaim(ctx, s.Store, m.ID, s.Instance); err != nil || !mine {
		if err != nil {
			s.Log.Error("outbox: renewing a claim failed", "outbox_id", m.ID, "err", err.Error())
		}
		return false, false
	}
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	pid, err := gw.Send(sctx, m.ID, m.To, m.Body)
	cancel()
	// Record with a context that outlives shutdown: the gateway has the
	// message, the database must know it.
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer rcancel()
	if err == nil {
		parts := 1
		if p, ok := gw.(interface{ Parts(string) int }); ok {
			parts = p.Parts(m.Body)
		}
		if err := outbox.SentParts(rctx, s.Store, m.ID, pid, parts); err != nil {
			s.Log.Error("outbox: recording a sent message failed", "outbox_id", m.ID, "err", err.Error())
		}
		s.inc("lindu_outbox_sent_total", m.Channel)
		return true, false
	}
	var de *domain.Error
	if errors.As(err, &de) && de.Code != domain.EUnavailable && de.Code != domain.ETooMany {
		s.Log.Warn("outbox: gateway refused a message", "outbox_id", m.ID, "channel", m.Channel, "err", err.Error())
		if err := outbox.Failed(rctx, s.Store, m.ID, err.Error()); err != nil {
			s.Log.Error("outbox: recording a failure failed", "outbox_id", m.ID, "err", err.Error())
		}
		s.inc("lindu_outbox_failed_total", m.Channel)
		return false, false
	}
	s.retry(rctx, m, err.Error())
	return false, true
}

func (s *Sender) retry(ctx context.Context, m outbox.Send, msg string) {
	if m.Attempts >= s.MaxAttempts {
		if err := outbox.Failed(ctx, s.Store, m.ID, "gave up after "+msg); err != nil {
			s.Log.Error("outbox: recording a failure failed", "outbox_id", m.ID, "err", err.Error())
		}
		s.inc("lindu_outbox_failed_total", m.Channel)
		return
	}
	d := s.BackoffBase
	for i := 1; i < m.Attempts && d < s.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, s.BackoffMax)
	s.Log.Warn("outbox: gateway unavailable, will retry", "outbox_id", m.ID, "channel", m.Channel, "attempt", m.Attempts,
		"retry_in", d.String(), "err", msg)
	if err := outbox.Retry(context.WithoutCancel(ctx), s.Store, m.ID, msg, time.Now().Add(d)); err != nil {
		s.Log.Error("outbox: scheduling a retry failed", "outbox_id", m.ID, "err", err.Error())
	}
	s.inc("lindu_outbox_retries_total", m.Channel)
}

func (s *Sender) inc(name, channel string) {
	if s.Metrics != nil {
		s.Metrics.Add(name, 1, channel)
	}
}
