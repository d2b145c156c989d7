// Package jobs runs lindu's background work: the escalator that fires due
// deadline escalations. Every job is safe to run in several lindu
// instances at once; each unit of work is claimed exactly once.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"time"

	"lindu/internal/cases"
	"lindu/internal/metrics"
)

// Escalator fires due escalation steps every Interval.
type Escalator struct {
	Cases    *cases.Service
	Log      *slog.Logger
	Metrics  *metrics.Registry // optional
	Interval time.Duration     // default 15 s
	Batch    int               // steps per round, default 200
	Instance string            // names this process in fired_by; default host:pid:random
	// Reminders are other exactly-once reminders run each round (a safe
	// house's supervision visit due); each returns how many messages it
	// wrote.
	Reminders []func(context.Context) (int, error)
}

// InstanceName names this process for claims and logs.
func InstanceName() string {
	host, _ := os.Hostname()
	b := make([]byte, 3)
	rand.Read(b)
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b))
}

// Run works until ctx ends. A failing round is logged and retried at the
// next tick; nothing is lost because the work lives in the database.
func (e *Escalator) Run(ctx context.Context) {
	e.defaults()
	if e.Metrics != nil {
		e.Metrics.Counter("lindu_escalations_fired_total", "Escalation steps fired (messages written to the outbox).")
		e.Metrics.Counter("lindu_escalations_skipped_total", "Escalation steps skipped because the deadline was met or the case closed.")
		e.Metrics.Counter("lindu_escalation_messages_total", "Outbox messages written by escalations.")
		e.Metrics.Counter("lindu_escalation_errors_total", "Failed escalator rounds.")
	}
	t := time.NewTicker(e.Interval)
	defer t.Stop()
	for {
		e.Round(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (e *Escalator) defaults() {
	if e.Interval <= 0 {
		e.Interval = 15 * time.Second
	}
	if e.Batch <= 0 {
		e.Batch = 200
	}
	if e.Instance == "" {
		e.Instance = InstanceName()
	}
}

// Round fires everything due now (in batches) and returns the totals.
func (e *Escalator) Round(ctx context.Context) cases.EscalationResult {
	e.defaults()
	var total cases.EscalationResult
	for ctx.Err() == nil {
		r, err := e.Cases.RunEscalations(ctx, e.Instance, e.Batch)
		total.Fired += r.Fired
		total.Skipped += r.Skipped
		total.Messages += r.Messages
		if err != nil {
			if ctx.Err() == nil {
				e.Log.Error("escalator round failed", "err", err.Error())
				e.inc("lindu_escalation_errors_total", 1)
			}
			break
		}
		if r.Fired+r.Skipped < e.Batch {
			break
		}
	}
	for _, remind := range e.Reminders {
		n, err := remind(ctx)
		total.Messages += n
		if err != nil && ctx.Err() == nil {
			e.Log.Error("reminders failed", "err", err.Error())
			e.inc("lindu_escalation_errors_total", 1)
		}
	}
	if total.Fired+total.Skipped > 0 {
		e.Log.Info("escalations", "fired", total.Fired, "skipped", total.Skipped, "messages", total.Messages)
	}
	e.inc("lindu_escalations_fired_total", total.Fired)
	e.inc("lindu_escalations_skipped_total", total.Skipped)
	e.inc("lindu_escalation_messages_total", total.Messages)
	return total
}

func (e *Escalator) inc(name string, n int) {
	if e.Metrics != nil && n > 0 {
		e.Metrics.Add(name, float64(n))
	}
}
