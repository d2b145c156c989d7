package server

import (
	"context"
	"net/http"
	"runtime"
	"time"

	"lindu/internal/cases"
	"lindu/internal/metrics"
	"lindu/internal/outbox"
)

// metricsHandler serves the registry in the Prometheus text format.
// Readings taken at scrape time (database queries) share a deadline
// shorter than Prometheus' default scrape timeout of 10 s.
func metricsHandler(m *metrics.Registry) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 8*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_, _ = m.Write(ctx, w) // a failed write means the scraper went away; the status is sent
	})
}

// registerMetrics declares the metrics of the server itself: the
// database pool and the build. The areas declare theirs where they are
// wired (README "Metrics and alerts" lists them all).
func registerMetrics(m *metrics.Registry, o Options) {
	m.Gauge("lindu_db_open_connections", "Open database connections (write pool).", func() float64 {
		return float64(o.Store.Stats().OpenConnections)
	})
	m.CounterFunc("lindu_db_waits_total", "Times a request waited for a database connection (write pool).", func() float64 {
		return float64(o.Store.Stats().WaitCount)
	})
	m.CounterFunc("lindu_db_wait_seconds_total", "Time spent waiting for a database connection (write pool).", func() float64 {
		return o.Store.Stats().WaitDuration.Seconds()
	})
	// What operators alert on: a channel's outbox growing or ageing (its
	// gateway is down), clocks of children's cases running out.
	channels := []string{"sms", "whatsapp"}
	backlog := func(ctx context.Context, value func(outbox.Backlog) float64) ([]metrics.Sample, error) {
		b, err := outbox.Backlogs(ctx, o.Store)
		if err != nil {
			return nil, err
		}
		var out []metrics.Sample
		for _, c := range channels {
			out = append(out, metrics.Sample{LabelValues: []string{c}, Value: value(b[c])})
		}
		return out, nil
	}
	m.GaugeVecFunc("lindu_outbox_pending", "Outbox messages waiting to be sent, by channel.", []string{"channel"},
		func(ctx context.Context) ([]metrics.Sample, error) {
			return backlog(ctx, func(b outbox.Backlog) float64 { return float64(b.Pending) })
		})
	m.GaugeVecFunc("lindu_outbox_oldest_pending_seconds", "Age of the oldest outbox message waiting to be sent, by channel (0: none).",
		[]string{"channel"}, func(ctx context.Context) ([]metrics.Sample, error) {
			return backlog(ctx, func(b outbox.Backlog) float64 { return b.Oldest.Seconds() })
		})
	m.GaugeVecFunc("lindu_overdue_deadlines", "Clocks past due and not met (open cases and reports awaiting triage), by kind.",
		[]string{"kind"}, func(ctx context.Context) ([]metrics.Sample, error) {
			n, err := o.Cases.OverdueByKind(ctx)
			if err != nil {
				return nil, err
			}
			var out []metrics.Sample
			for _, k := range cases.AllDeadlineKinds {
				out = append(out, metrics.Sample{LabelValues: []string{string(k)}, Value: float64(n[k])})
			}
			return out, nil
		})
	m.GaugeVecFunc("lindu_build_info", "Build information: always 1, the version and Go version in labels.",
		[]string{"version", "goversion"}, func(context.Context) ([]metrics.Sample, error) {
			v := o.Version
			if v == "" {
				v = "unknown"
			}
			return []metrics.Sample{{LabelValues: []string{v, runtime.Version()}, Value: 1}}, nil
		})
}
