// Package metrics keeps lindu's Prometheus metrics and writes them in the
// Prometheus text exposition format (version 0.0.4). It is small on
// purpose: counters and histograms with fixed label sets, gauges and
// counters read at scrape time, the standard go_* and process_* metrics,
// no global registry.
//
// Every family is written from its declaration on, with HELP and TYPE
// even before it has a series, and every series it declares starts at 0,
// so an alert on rate() or increase() sees the first event. Label values
// must come from a small known set (route patterns, channels, outcomes):
// each new combination is a new series kept for the life of the process.
//
// Declaring a family with an invalid name, or the same name twice with
// another type or labels, is a programming error and panics.
package metrics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Kinds of family, as written on the TYPE line.
const (
	kindCounter   = "counter"
	kindGauge     = "gauge"
	kindHistogram = "histogram"
)

// ScrapeErrorsMetric counts scrape-time readings (GaugeVecFunc) that
// failed; their family is then written without samples.
const ScrapeErrorsMetric = "lindu_metrics_scrape_errors_total"

// Registry holds the metrics of one process.
type Registry struct {
	mu       sync.Mutex
	families map[string]*family
	started  time.Time
}

// family is one metric name: a counter or histogram kept here (series),
// or a reading taken at scrape time (fn or vecFn).
type family struct {
	name, help, kind string
	labels           []string
	buckets          []float64 // histograms
	series           map[string]*series
	fn               func() float64
	vecFn            func(context.Context) ([]Sample, error)
}

type series struct {
	value  float64  // counter
	counts []uint64 // histogram: per bucket, not cumulative
	sum    float64
	n      uint64
}

// Sample is one series of a family read at scrape time: its label values,
// in the order the family declared its labels, and its value.
type Sample struct {
	LabelValues []string
	Value       float64
}

// New returns a registry holding only the scrape-error counter.
func New() *Registry {
	r := &Registry{families: map[string]*family{}, started: time.Now()}
	r.Counter(ScrapeErrorsMetric, "Metric readings that failed at scrape time, by metric family.", "metric")
	return r
}

var (
	nameRE  = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	labelRE = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
)

// declare adds f, or returns the family already declared with the same
// type and labels (a second sender on one registry declares again).
func (r *Registry) declare(f *family) *family {
	if !nameRE.MatchString(f.name) {
		panic(fmt.Sprintf("metrics: invalid metric name %q", f.name))
	}
	for _, l := range f.labels {
		if !labelRE.MatchString(l) || strings.HasPrefix(l, "__") || l == "le" || l == "quantile" {
			panic(fmt.Sprintf("metrics: %s: invalid or reserved label name %q", f.name, l))
		}
	}
	if f.help == "" {
		panic("metrics: " + f.name + " has no help text")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := r.families[f.name]; ok {
		if old.kind != f.kind || !slices.Equal(old.labels, f.labels) || (old.fn == nil) != (f.fn == nil) ||
			(old.vecFn == nil) != (f.vecFn == nil) || !slices.Equal(old.buckets, f.buckets) {
			panic("metrics: " + f.name + " declared twice with another type or labels")
		}
		old.help, old.fn, old.vecFn = f.help, f.fn, f.vecFn
		return old
	}
	f.series = map[string]*series{}
	r.families[f.name] = f
	if len(f.labels) == 0 && f.fn == nil && f.vecFn == nil {
		f.series[""] = f.newSeries()
	}
	return f
}

func (f *family) newSeries() *series {
	if f.kind == kindHistogram {
		return &series{counts: make([]uint64, len(f.buckets))}
	}
	return &series{}
}

// Counter declares a counter family (its name ends in _total). Without
// labels its one series is 0 from now on; with labels, Declare the known
// combinations so they start at 0 too.
func (r *Registry) Counter(name, help string, labels ...string) {
	r.declare(&family{name: name, help: help, kind: kindCounter, labels: labels})
}

// Histogram declares a histogram family with sorted upper bounds (the
// +Inf bucket is added). Without labels its series starts empty at once.
func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) {
	if !sort.Float64sAreSorted(buckets) {
		panic("metrics: " + name + ": buckets not sorted")
	}
	r.declare(&family{name: name, help: help, kind: kindHistogram, labels: labels, buckets: buckets})
}

// Declare creates the series of a counter or histogram family with these
// label values, at zero, if it does not exist yet, so it is scraped
// before its first event. Unknown families and wrong label counts are
// ignored, as in Add.
func (r *Registry) Declare(name string, labelValues ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seriesLocked(name, labelValues)
}

// seriesLocked returns the series of a kept family, created if needed, or
// nil when there is no such family or the label count is wrong.
func (r *Registry) seriesLocked(name string, labelValues []string) *series {
	f, ok := r.families[name]
	if !ok || f.fn != nil || f.vecFn != nil || len(labelValues) != len(f.labels) {
		return nil
	}
	k := strings.Join(labelValues, "\x00")
	s := f.series[k]
	if s == nil {
		s = f.newSeries()
		f.series[k] = s
	}
	return s
}

// Inc adds 1 to a counter series.
func (r *Registry) Inc(name string, labelValues ...string) { r.Add(name, 1, labelValues...) }

// Add adds v (>= 0) to a counter series; Add(name, 0, ...) declares it.
func (r *Registry) Add(name string, v float64, labelValues ...string) {
	if v < 0 || math.IsNaN(v) {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if f := r.families[name]; f == nil || f.kind != kindCounter {
		return
	}
	if s := r.seriesLocked(name, labelValues); s != nil {
		s.value += v
	}
}

// Observe records v in a histogram series.
func (r *Registry) Observe(name string, v float64, labelValues ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f := r.families[name]
	if f == nil || f.kind != kindHistogram {
		return
	}
	s := r.seriesLocked(name, labelValues)
	if s == nil {
		return
	}
	for i, b := range f.buckets {
		if v <= b {
			s.counts[i]++
			break
		}
	}
	s.sum += v
	s.n++
}

// Gauge declares a gauge without labels read from fn at scrape time.
func (r *Registry) Gauge(name, help string, fn func() float64) {
	r.declare(&family{name: name, help: help, kind: kindGauge, fn: fn})
}

// CounterFunc declares a counter without labels read from fn at scrape
// time: a cumulative count kept elsewhere, such as database/sql's
// WaitCount. fn must never go down (except when the process restarts).
func (r *Registry) CounterFunc(name, help string, fn func() float64) {
	r.declare(&family{name: name, help: help, kind: kindCounter, fn: fn})
}

// GaugeVecFunc declares a gauge family with labels whose series are read
// from fn at scrape time, such as outbox messages pending per channel
// from a database query. fn gets the scrape's context (with a deadline)
// and returns one Sample per series, label values in the order of labels.
// It should return every known label combination, 0 when there is
// nothing, so a series does not vanish when it becomes 0. When fn fails,
// the family is written without samples and lindu_metrics_scrape_errors_total
// {metric=name} goes up; samples with the wrong label count are dropped.
func (r *Registry) GaugeVecFunc(name, help string, labels []string, fn func(ctx context.Context) ([]Sample, error)) {
	r.declare(&family{name: name, help: help, kind: kindGauge, labels: labels, vecFn: fn})
	r.Declare(ScrapeErrorsMetric, name)
}

// WriteTo writes every metric in the text format, reading scrape-time
// metrics without a deadline; the /metrics handler uses Write.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	return r.Write(context.Background(), w)
}

// Write writes every metric in the text format, families sorted by name.
// Scrape-time readings (Gauge, CounterFunc, GaugeVecFunc) run without the
// registry's lock, so a slow query does not hold up counting requests.
func (r *Registry) Write(ctx context.Context, w io.Writer) (int64, error) {
	r.mu.Lock()
	funcs := make([]*family, 0)
	for _, f := range r.families {
		if f.fn != nil || f.vecFn != nil {
			funcs = append(funcs, f)
		}
	}
	r.mu.Unlock()
	read := map[string][]Sample{}
	failed := map[string]bool{}
	for _, f := range funcs {
		if f.fn != nil {
			read[f.name] = []Sample{{Value: f.fn()}}
			continue
		}
		ss, err := f.vecFn(ctx)
		if err != nil {
			failed[f.name] = true
			r.Inc(ScrapeErrorsMetric, f.name)
			continue
		}
		read[f.name] = ss
	}

	var b strings.Builder
	r.mu.Lock()
	names := make([]string, 0, len(r.families))
	for n := range r.families {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		f := r.families[n]
		writeHeader(&b, f.name, f.help, f.kind)
		switch {
		case f.fn != nil || f.vecFn != nil:
			writeSamples(&b, f, read[n])
		case f.kind == kindHistogram:
			for _, k := range sortedKeys(f.series) {
				writeHist(&b, f, k, f.series[k])
			}
		default:
			for _, k := range sortedKeys(f.series) {
				fmt.Fprintf(&b, "%s%s %s\n", n, labelStr(f.labels, splitKey(f.labels, k)), num(f.series[k].value))
			}
		}
	}
	r.mu.Unlock()
	writeRuntime(&b, r.started)
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

func writeHeader(b *strings.Builder, name, help, kind string) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s %s\n", name, escapeHelp(help), name, kind)
}

// writeSamples writes a scrape-time family's samples, sorted by labels,
// dropping malformed and repeated ones.
func writeSamples(b *strings.Builder, f *family, ss []Sample) {
	lines := map[string]string{}
	for _, s := range ss {
		if len(s.LabelValues) != len(f.labels) {
			continue
		}
		k := strings.Join(s.LabelValues, "\x00")
		lines[k] = fmt.Sprintf("%s%s %s\n", f.name, labelStr(f.labels, s.LabelValues), num(s.Value))
	}
	for _, k := range sortedKeys(lines) {
		b.WriteString(lines[k])
	}
}

func writeHist(b *strings.Builder, f *family, key string, s *series) {
	vals := splitKey(f.labels, key)
	var cum uint64
	for i, ub := range f.buckets {
		cum += s.counts[i]
		fmt.Fprintf(b, "%s_bucket%s %d\n", f.name, labelStr(append(slices.Clone(f.labels), "le"), append(slices.Clone(vals), num(ub))), cum)
	}
	fmt.Fprintf(b, "%s_bucket%s %d\n", f.name, labelStr(append(slices.Clone(f.labels), "le"), append(slices.Clone(vals), "+Inf")), s.n)
	fmt.Fprintf(b, "%s_sum%s %s\n", f.name, labelStr(f.labels, vals), num(s.sum))
	fmt.Fprintf(b, "%s_count%s %d\n", f.name, labelStr(f.labels, vals), s.n)
}

func splitKey(labels []string, key string) []string {
	if len(labels) == 0 {
		return nil
	}
	return strings.Split(key, "\x00")
}

func labelStr(names, vals []string) string {
	if len(names) == 0 {
		return ""
	}
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + `="` + escapeLabel(vals[i]) + `"`
	}
	return "{" + strings.Join(parts, ",") + "}"
}

var (
	labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
)

func escapeLabel(s string) string { return labelEscaper.Replace(s) }
func escapeHelp(s string) string  { return helpEscaper.Replace(s) }

func num(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// writeRuntime writes the go_* metrics and, where /proc/self is readable
// (Linux), the standard process_* metrics.
func writeRuntime(b *strings.Builder, started time.Time) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	gauge := func(name, help string, v float64) {
		writeHeader(b, name, help, kindGauge)
		fmt.Fprintf(b, "%s %s\n", name, num(v))
	}
	gauge("go_goroutines", "Number of goroutines that currently exist.", float64(runtime.NumGoroutine()))
	gauge("go_memstats_heap_alloc_bytes", "Number of heap bytes allocated and still in use.", float64(ms.HeapAlloc))
	gauge("go_memstats_sys_bytes", "Number of bytes obtained from the operating system.", float64(ms.Sys))
	p, err := readProc()
	if err != nil {
		return // not Linux, or /proc not mounted: no process_* metrics
	}
	writeHeader(b, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", kindCounter)
	fmt.Fprintf(b, "process_cpu_seconds_total %s\n", num(p.cpuSeconds))
	gauge("process_resident_memory_bytes", "Resident memory size in bytes.", p.residentBytes)
	gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", p.virtualBytes)
	gauge("process_open_fds", "Number of open file descriptors.", p.openFDs)
	if p.maxFDs > 0 {
		gauge("process_max_fds", "Maximum number of open file descriptors.", p.maxFDs)
	}
	gauge("process_start_time_seconds", "Start time of the process since the Unix epoch in seconds.", p.startTime)
	gauge("process_uptime_seconds", "Seconds since the metrics registry was created (about the process start).",
		time.Since(started).Seconds())
}

var errNoProc = errors.New("metrics: /proc/self not readable")
