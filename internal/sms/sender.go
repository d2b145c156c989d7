// Package sms delivers the outbox: a sender that claims due messages
// (safely across lindu instances), hands them to the gateway of their
// channel (Kannel for SMS, the WhatsApp Cloud API) several at a time — a
// recipient's one after the other, in the order they were enqueued — and
// retries with backoff while a gateway is down. A message accepted by a
// gateway is never handed over again. Sent messages are recorded in
// commits shared with the other writes of the moment (store.Committer).
package sms

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
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
	Store    *store.Store
	Log      *slog.Logger
	Metrics  *metrics.Registry  // optional
	Gateways map[string]Gateway // by outbox channel: "sms", "whatsapp"
	Instance string
	Interval time.Duration // poll interval, default 2 s
	Batch    int           // messages claimed at once, default 50
	// Concurrency is how many messages go to a channel's gateway at once:
	// by default what the gateway says (a Concurrency() int method), else 8.
	Concurrency int
	BackoffBase time.Duration // first retry delay, default 5 s; doubles up to BackoffMax
	BackoffMax  time.Duration // default 10 min
	StaleAfter  time.Duration // claims older than this are released, default 5 min
	MaxAttempts int           // then the message fails; default 50
	// Commit records sent messages in transactions shared with other
	// writes (optional: the sender makes its own on Store; give the
	// gateways' delivery callbacks the same one to share their commits).
	Commit *store.Committer

	once    sync.Once
	wake    map[string]chan struct{} // by channel: messages may be due in the outbox
	took    map[string]chan struct{} // by channel: messages were taken (Take)
	running atomic.Int32             // Run calls under way
	mu      sync.Mutex
	up      map[string]bool
	taken   map[string][]outbox.Send // by channel: claimed at their enqueue, not yet in a round
}

func (s *Sender) init() {
	s.once.Do(func() {
		s.wake, s.took = map[string]chan struct{}{}, map[string]chan struct{}{}
		for c := range s.Gateways {
			s.wake[c] = make(chan struct{}, 1)
			s.took[c] = make(chan struct{}, 1)
		}
		if s.Interval <= 0 {
			s.Interval = 2 * time.Second
		}
		if s.Batch <= 0 {
			s.Batch = 50
		}
		if s.Commit == nil {
			s.Commit = &store.Committer{Store: s.Store}
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
	for _, w := range s.wake {
		select {
		case w <- struct{}{}:
		default:
		}
	}
}

// Claimant is the sender's instance name when it takes channel's replies
// claimed at their enqueue (intake.Handoff): while Run runs and the
// channel's gateway took the last message it was given. Otherwise "": the
// reply stays pending, for the next claim (after the messages waiting for
// a gateway that was down, in their order).
func (s *Sender) Claimant(channel string) string {
	s.init()
	if s.running.Load() == 0 || s.Gateways[channel] == nil {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.up[channel] {
		return ""
	}
	return s.Instance
}

// Take gives the sender a committed message claimed for it (Claimant): it
// goes to the gateway with the messages on their way, without a claim of
// its own. One that Run does not send (it stops first) stays claimed until
// the claim goes stale, and is then sent as after a crash.
func (s *Sender) Take(m outbox.Send) {
	s.init()
	took, ok := s.took[m.Channel]
	if !ok {
		return // no gateway (Claimant never named it): the claim goes stale, the message waits as any of the channel
	}
	s.mu.Lock()
	if s.taken == nil {
		s.taken = map[string][]outbox.Send{}
	}
	s.taken[m.Channel] = append(s.taken[m.Channel], m)
	s.mu.Unlock()
	select {
	case took <- struct{}{}:
	default:
	}
}

// takeTaken returns the messages taken for channel since the last call.
func (s *Sender) takeTaken(channel string) []outbox.Send {
	s.mu.Lock()
	defer s.mu.Unlock()
	ms := s.taken[channel]
	delete(s.taken, channel)
	return ms
}

// Run sends until ctx ends, each channel on its own: what is due when it
// starts, at each Wake (also while it is sending: new messages join those
// on their way), what is taken (Take) and every Interval.
func (s *Sender) Run(ctx context.Context) {
	s.init()
	s.running.Add(1)
	defer s.running.Add(-1)
	var wg sync.WaitGroup
	for c, wake := range s.wake {
		took := s.took[c]
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(s.Interval)
			defer t.Stop()
			// A round for what was taken alone claims nothing: the outbox
			// has nothing new then (a reply of intake's is either taken or
			// announced by Wake).
			claim := true
			for {
				s.roundChannel(ctx, c, wake, took, claim)
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					claim = true
				case <-wake:
					claim = true
				case <-took:
					claim = false
				}
			}
		}()
	}
	wg.Wait()
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
			n, r := s.roundChannel(ctx, c, nil, nil, true)
			mu.Lock()
			sent, retried = sent+n, retried+r
			mu.Unlock()
		}()
	}
	wg.Wait()
	return sent, retried
}

// roundChannel sends what is due on one channel: it claims up to Batch
// messages at a time, takes those handed to it (Take), and keeps up to
// Concurrency of them with the gateway at once, a recipient's messages one
// after the other in the order they were enqueued; a signal on wake (nil:
// none) while messages are on their way makes it claim again, one on took
// (nil: none) look at what was taken. claimFirst false skips the first claim
// (a round for taken messages). Until the gateway has taken a message (in this
// round, or in the last one that tried any), it is given one at a time: a
// gateway that is down sees one try, and the rest wait without an attempt
// counted.
func (s *Sender) roundChannel(ctx context.Context, channel string, wake, took <-chan struct{}, claimFirst bool) (sent, retried int) {
	type result struct {
		to string
		outcome
	}
	type claim struct {
		msgs []outbox.Send
		err  error
	}
	s.mu.Lock()
	proven := s.up[channel]
	s.mu.Unlock()
	concurrency := s.concurrency(channel)
	results := make(chan result, concurrency)
	claims := make(chan claim, 1)
	queues := map[string][]outbox.Send{} // by recipient: claimed, not yet handed over
	var ready []string                   // recipients with a message queued and none in flight
	inflight, held := 0, 0               // messages with the gateway; claimed and not done
	var records sync.WaitGroup           // what the gateways answered, being written down
	defer records.Wait()
	more, claiming, down, tried := claimFirst, false, false, false
	queue := func(msgs []outbox.Send) {
		for _, m := range msgs {
			q, known := queues[m.To]
			queues[m.To] = append(q, m)
			if !known {
				ready = append(ready, m.To)
			}
		}
		held += len(msgs)
	}
	for {
		queue(s.takeTaken(channel))
		for len(ready) > 0 && !down && ctx.Err() == nil && (inflight == 0 || proven && inflight < concurrency) {
			to := ready[0]
			ready = ready[1:]
			m := queues[to][0]
			queues[to] = queues[to][1:]
			inflight++
			tried = true
			records.Add(1)
			go func() {
				defer records.Done()
				o, pid, err := s.hand(ctx, m)
				results <- result{to, o} // the next message may go to the gateway now
				s.record(ctx, m, o, pid, err)
			}()
		}
		if (down || ctx.Err() != nil) && len(ready) > 0 {
			// Put back what was not handed over: the gateway just failed
			// (do not hammer it; no attempt counted), or lindu stops.
			for _, to := range ready {
				for _, m := range queues[to] {
					s.hold(ctx, m, down)
				}
				held -= len(queues[to])
				delete(queues, to)
			}
			ready = nil
		}
		// Claim the next messages while these are on their way, so the
		// gateway never waits for the database.
		if more && !claiming && !down && ctx.Err() == nil && held < 2*concurrency {
			claiming = true
			go func() {
				msgs, err := outbox.Claim(ctx, s.Store, s.Instance, []string{channel}, s.Batch, s.StaleAfter)
				claims <- claim{msgs, err}
			}()
		}
		if inflight == 0 && !claiming {
			break
		}
		select {
		case c := <-claims:
			claiming = false
			if c.err != nil && ctx.Err() == nil {
				s.Log.Error("outbox claim failed", "channel", channel, "err", c.err.Error())
			}
			more = c.err == nil && len(c.msgs) == s.Batch
			queue(c.msgs)
		case <-wake:
			more = true // new messages: claim them too
		case <-took: // taken at the top of the loop
		case r := <-results:
			inflight--
			held--
			switch r.outcome {
			case accepted:
				sent++
				proven = true
			case refused:
				proven = true // the gateway answered
			case failed:
				retried++
				down = true
			}
			if len(queues[r.to]) > 0 {
				ready = append(ready, r.to)
			} else {
				delete(queues, r.to)
			}
		}
	}
	if tried {
		s.setUp(channel, !down)
	}
	return sent, retried
}

// hold puts back a claimed message that was not tried, without counting
// the attempt: due again with the retry of the message that failed when
// the gateway is down, at once when lindu stops.
func (s *Sender) hold(ctx context.Context, m outbox.Send, gatewayDown bool) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	why, next := "lindu stopped", time.Now()
	if gatewayDown {
		why, next = "gateway down", time.Now().Add(s.BackoffBase)
	}
	if err := outbox.Release(rctx, s.Store, m.ID, why, next); err != nil {
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

// outcome is what became of one message given to the gateway.
type outcome int

const (
	accepted outcome = iota // the gateway took it
	refused                 // the gateway refused it for good
	failed                  // the gateway failed (down, overloaded): retried later
	notOurs                 // not sent: the claim was taken over
)

// hand gives m to its gateway and says how it went; record then writes
// that down.
func (s *Sender) hand(ctx context.Context, m outbox.Send) (outcome, string, error) {
	// A batch can outlast the claim timeout on a slow gateway; then another
	// instance may have taken the rest over. Never send what is not ours: a
	// claim younger than half StaleAfter is ours for sure (another instance
	// releases it only after StaleAfter); an older one is renewed first,
	// which fails when it was taken over.
	if s.Store.Now().Sub(m.ClaimedAt) > s.StaleAfter/2 {
		if mine, err := outbox.RenewClaim(ctx, s.Store, m.ID, s.Instance); err != nil || !mine {
			if err != nil {
				s.Log.Error("outbox: renewing a claim failed", "outbox_id", m.ID, "err", err.Error())
			}
			return notOurs, "", nil
		}
	}
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	pid, err := s.Gateways[m.Channel].Send(sctx, m.ID, m.To, m.Body)
	var de *domain.Error
	switch {
	case err == nil:
		return accepted, pid, nil
	case errors.As(err, &de) && de.Code != domain.EUnavailable && de.Code != domain.ETooMany:
		return refused, "", err
	default:
		return failed, "", err
	}
}

// record writes down what hand returned.
func (s *Sender) record(ctx context.Context, m outbox.Send, o outcome, pid string, err error) {
	// Record with a context that outlives shutdown: the gateway has the
	// message, the database must know it.
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer rcancel()
	switch o {
	case accepted:
		parts := 1
		if p, ok := s.Gateways[m.Channel].(interface{ Parts(string) int }); ok {
			parts = p.Parts(m.Body)
		}
		if err := outbox.CommitSent(rctx, s.commit(), m.ID, pid, parts); err != nil {
			s.Log.Error("outbox: recording a sent message failed", "outbox_id", m.ID, "err", err.Error())
		}
		s.inc("lindu_outbox_sent_total", m.Channel)
	case refused:
		s.Log.Warn("outbox: gateway refused a message", "outbox_id", m.ID, "channel", m.Channel, "err", err.Error())
		if err := outbox.Failed(rctx, s.Store, m.ID, err.Error()); err != nil {
			s.Log.Error("outbox: recording a failure failed", "outbox_id", m.ID, "err", err.Error())
		}
		s.inc("lindu_outbox_failed_total", m.Channel)
	case failed:
		s.retry(rctx, m, err.Error())
	}
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

// concurrency is how many messages go to channel's gateway at once.
func (s *Sender) concurrency(channel string) int {
	if s.Concurrency > 0 {
		return s.Concurrency
	}
	if g, ok := s.Gateways[channel].(interface{ Concurrency() int }); ok && g.Concurrency() > 0 {
		return g.Concurrency()
	}
	return 8
}

func (s *Sender) commit() *store.Committer {
	s.init()
	return s.Commit
}

func (s *Sender) inc(name, channel string) {
	if s.Metrics != nil {
		s.Metrics.Add(name, 1, channel)
	}
}
