package metrics

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
)

func scrape(t *testing.T, r *Registry) string {
	t.Helper()
	var b strings.Builder
	if _, err := r.Write(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if p := Lint(out); len(p) > 0 {
		t.Fatalf("lint:\n%s\n--- output:\n%s", strings.Join(p, "\n"), out)
	}
	return out
}

func mustContain(t *testing.T, out string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains("\n"+out, "\n"+l+"\n") {
			t.Errorf("missing line %q in:\n%s", l, out)
		}
	}
}

func mustNotContain(t *testing.T, out string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(out, s) {
			t.Errorf("unexpected %q in:\n%s", s, out)
		}
	}
}

func TestMetricsCountersStartAtZero(t *testing.T) {
	r := New()
	r.Counter("lindu_things_total", "Things.")
	r.Counter("lindu_sent_total", "Sent, by channel.", "channel")
	r.Counter("lindu_unused_total", "Never declared series.", "channel")
	r.Declare("lindu_sent_total", "sms")
	r.Declare("lindu_sent_total", "whatsapp")
	r.Declare("lindu_sent_total", "sms", "extra") // wrong label count: ignored
	r.Histogram("lindu_wait_seconds", "Waits.", []float64{0.1, 1})
	out := scrape(t, r)
	mustContain(t, out,
		"# HELP lindu_things_total Things.", "# TYPE lindu_things_total counter", "lindu_things_total 0",
		`lindu_sent_total{channel="sms"} 0`, `lindu_sent_total{channel="whatsapp"} 0`,
		"# HELP lindu_unused_total Never declared series.", "# TYPE lindu_unused_total counter",
		`lindu_wait_seconds_bucket{le="+Inf"} 0`, "lindu_wait_seconds_count 0", "lindu_wait_seconds_sum 0")
	mustNotContain(t, out, "lindu_unused_total{", "extra")

	r.Inc("lindu_sent_total", "sms")
	r.Add("lindu_sent_total", 2, "sms")
	r.Add("lindu_sent_total", -5, "sms") // counters never go down
	r.Inc("lindu_things_total")
	r.Observe("lindu_wait_seconds", 0.05)
	r.Observe("lindu_wait_seconds", 0.5)
	r.Observe("lindu_wait_seconds", 7)
	out = scrape(t, r)
	mustContain(t, out, `lindu_sent_total{channel="sms"} 3`, `lindu_sent_total{channel="whatsapp"} 0`, "lindu_things_total 1",
		`lindu_wait_seconds_bucket{le="0.1"} 1`, `lindu_wait_seconds_bucket{le="1"} 2`, `lindu_wait_seconds_bucket{le="+Inf"} 3`,
		"lindu_wait_seconds_count 3", "lindu_wait_seconds_sum 7.55")
}

func TestMetricsDeclareTwiceKeepsValues(t *testing.T) {
	r := New()
	r.Counter("lindu_sent_total", "Sent.", "channel")
	r.Inc("lindu_sent_total", "sms")
	r.Counter("lindu_sent_total", "Sent.", "channel") // a second sender on the same registry
	mustContain(t, scrape(t, r), `lindu_sent_total{channel="sms"} 1`)

	for name, declare := range map[string]func(){
		"other labels":  func() { r.Counter("lindu_sent_total", "Sent.", "gateway") },
		"other type":    func() { r.Gauge("lindu_sent_total", "Sent.", func() float64 { return 0 }) },
		"bad name":      func() { r.Counter("lindu-sent_total", "Sent.") },
		"bad label":     func() { r.Counter("lindu_a_total", "A.", "le") },
		"reserved":      func() { r.Counter("lindu_b_total", "B.", "__name") },
		"no help":       func() { r.Counter("lindu_c_total", "") },
		"unsorted hist": func() { r.Histogram("lindu_d_seconds", "D.", []float64{1, 0.5}) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			declare()
		})
	}
}

// TestMetricsScrapeTimeFuncs shows the APIs for values read at scrape time:
// Gauge and CounterFunc for one value, GaugeVecFunc for a labelled family
// such as outbox messages pending per channel (a query per scrape).
func TestMetricsScrapeTimeFuncs(t *testing.T) {
	r := New()
	waits := 0.0
	r.CounterFunc("lindu_db_waits_total", "Waits.", func() float64 { return waits })
	r.Gauge("lindu_db_open_connections", "Open.", func() float64 { return 2 })
	fail := false
	var gotDeadline bool
	r.GaugeVecFunc("lindu_outbox_pending", "Pending, by channel.", []string{"channel"},
		func(ctx context.Context) ([]Sample, error) {
			_, gotDeadline = ctx.Deadline()
			if fail {
				return nil, errors.New("database gone")
			}
			return []Sample{
				{LabelValues: []string{"whatsapp"}, Value: 0},
				{LabelValues: []string{"sms"}, Value: 4},
				{LabelValues: []string{"sms", "x"}, Value: 9}, // wrong label count: dropped
			}, nil
		})
	r.GaugeVecFunc("lindu_build_info", "Build.", []string{"version", "goversion"},
		func(context.Context) ([]Sample, error) {
			return []Sample{{LabelValues: []string{`v1 "q"`, runtime.Version()}, Value: 1}}, nil
		})
	waits = 3
	out := scrape(t, r)
	mustContain(t, out, "# TYPE lindu_db_waits_total counter", "lindu_db_waits_total 3",
		"# TYPE lindu_db_open_connections gauge", "lindu_db_open_connections 2",
		"# TYPE lindu_outbox_pending gauge", `lindu_outbox_pending{channel="sms"} 4`, `lindu_outbox_pending{channel="whatsapp"} 0`,
		`lindu_build_info{version="v1 \"q\"",goversion="`+runtime.Version()+`"} 1`,
		`lindu_metrics_scrape_errors_total{metric="lindu_outbox_pending"} 0`)
	mustNotContain(t, out, `"x"`)
	if i, j := strings.Index(out, `channel="sms"`), strings.Index(out, `channel="whatsapp"`); i > j {
		t.Error("samples not sorted by label")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 1e9)
	defer cancel()
	fail = true
	var b strings.Builder
	if _, err := r.Write(ctx, &b); err != nil {
		t.Fatal(err)
	}
	out = b.String()
	if p := Lint(out); len(p) > 0 {
		t.Fatal(p)
	}
	if !gotDeadline {
		t.Error("the scrape's context did not reach the func")
	}
	mustContain(t, out, "# TYPE lindu_outbox_pending gauge", `lindu_metrics_scrape_errors_total{metric="lindu_outbox_pending"} 1`)
	mustNotContain(t, out, "lindu_outbox_pending{")
}

func TestMetricsRuntimeAndProcess(t *testing.T) {
	out := scrape(t, New())
	mustContain(t, out, "# TYPE go_goroutines gauge", "# TYPE go_memstats_heap_alloc_bytes gauge", "# TYPE go_memstats_sys_bytes gauge")
	if runtime.GOOS != "linux" {
		return
	}
	for _, want := range []string{"process_cpu_seconds_total counter", "process_resident_memory_bytes gauge",
		"process_virtual_memory_bytes gauge", "process_open_fds gauge", "process_max_fds gauge",
		"process_start_time_seconds gauge"} {
		mustContain(t, out, "# TYPE "+want)
	}
	p, err := readProc()
	if err != nil {
		t.Fatal(err)
	}
	if p.residentBytes <= 0 || p.virtualBytes < p.residentBytes || p.openFDs < 3 || p.startTime < 1.5e9 {
		t.Errorf("implausible /proc readings: %+v", p)
	}
}

func TestMetricsEscaping(t *testing.T) {
	r := New()
	r.Counter("lindu_odd_total", "Help with \\ and\nnewline.", "v")
	r.Inc("lindu_odd_total", "a\\b\"c\nd")
	out := scrape(t, r)
	mustContain(t, out, `# HELP lindu_odd_total Help with \\ and\nnewline.`, `lindu_odd_total{v="a\\b\"c\nd"} 1`)
}

// TestMetricsScrapeFuncOutsideLock shows that a scrape-time reading does
// not hold the registry: events are counted while it runs (a slow query
// must not hold up requests), also from goroutines (go test -race).
func TestMetricsScrapeFuncOutsideLock(t *testing.T) {
	r := New()
	r.Counter("lindu_events_total", "Events.")
	r.GaugeVecFunc("lindu_slow", "Slow reading.", nil, func(context.Context) ([]Sample, error) {
		r.Inc("lindu_events_total") // would deadlock if Write held the lock
		return []Sample{{Value: 1}}, nil
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 1000 {
			r.Inc("lindu_events_total")
		}
	}()
	scrape(t, r)
	<-done
	mustContain(t, scrape(t, r), "lindu_events_total 1002", "lindu_slow 1")
}
