// Package metrics keeps lindu's Prometheus metrics and writes them in the
// Prometheus text exposition format (version 0.0.4). It is small on
// purpose: counters and histograms with fixed label sets, no global
// registry.
package metrics

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
)

// Registry holds the metrics of one process.
type Registry struct {
	mu       sync.Mutex
	counters map[string]*family
	hists    map[string]*histFamily
	gauges   []gaugeFunc
	started  time.Time
}

type family struct {
	help   string
	labels []string
	values map[string]float64 // key: joined label values
}

type histFamily struct {
	help    string
	labels  []string
	buckets []float64
	series  map[string]*hist
}

type hist struct {
	counts []uint64
	sum    float64
	n      uint64
}

type gaugeFunc struct {
	name, help string
	fn         func() float64
}

// New returns an empty registry.
func New() *Registry {
	return &Registry{counters: map[string]*family{}, hists: map[string]*histFamily{}, started: time.Now()}
}

// Counter declares a counter family.
func (r *Registry) Counter(name, help string, labels ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counters[name] = &family{help: help, labels: labels, values: map[string]float64{}}
}

// Inc adds 1 to a counter series.
func (r *Registry) Inc(name string, labelValues ...string) { r.Add(name, 1, labelValues...) }

// Add adds v to a counter series.
func (r *Registry) Add(name string, v float64, labelValues ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f, ok := r.counters[name]
	if !ok || len(labelValues) != len(f.labels) {
		return
	}
	f.values[strings.Join(labelValues, "\x00")] += v
}

// Histogram declares a histogram family with upper bounds.
func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hists[name] = &histFamily{help: help, labels: labels, buckets: buckets, series: map[string]*hist{}}
}

// Observe records v in a histogram series.
func (r *Registry) Observe(name string, v float64, labelValues ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f, ok := r.hists[name]
	if !ok || len(labelValues) != len(f.labels) {
		return
	}
	k := strings.Join(labelValues, "\x00")
	h := f.series[k]
	if h == nil {
		h = &hist{counts: make([]uint64, len(f.buckets))}
		f.series[k] = h
	}
	for i, b := range f.buckets {
		if v <= b {
			h.counts[i]++
		}
	}
	h.sum += v
	h.n++
}

// Gauge declares a gauge read at scrape time.
func (r *Registry) Gauge(name, help string, fn func() float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gauges = append(r.gauges, gaugeFunc{name, help, fn})
}

func labelStr(names []string, key string, extra ...string) string {
	var vals []string
	if len(names) > 0 {
		vals = strings.Split(key, "\x00")
	}
	var parts []string
	for i, n := range names {
		parts = append(parts, fmt.Sprintf(`%s="%s"`, n, escape(vals[i])))
	}
	for i := 0; i+1 < len(extra); i += 2 {
		parts = append(parts, fmt.Sprintf(`%s="%s"`, extra[i], escape(extra[i+1])))
	}
	if len(parts) == 0 {
		return ""
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func escape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

func num(v float64) string {
	if math.IsInf(v, 1) {
		return "+Inf"
	}
	return fmt.Sprintf("%g", v)
}

// WriteTo writes every metric in the text format.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	names := make([]string, 0, len(r.counters))
	for n := range r.counters {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		f := r.counters[n]
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s counter\n", n, f.help, n)
		keys := sortedKeys(f.values)
		for _, k := range keys {
			fmt.Fprintf(&b, "%s%s %s\n", n, labelStr(f.labels, k), num(f.values[k]))
		}
	}
	hn := make([]string, 0, len(r.hists))
	for n := range r.hists {
		hn = append(hn, n)
	}
	sort.Strings(hn)
	for _, n := range hn {
		f := r.hists[n]
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s histogram\n", n, f.help, n)
		keys := make([]string, 0, len(f.series))
		for k := range f.series {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			h := f.series[k]
			for i, ub := range f.buckets {
				fmt.Fprintf(&b, "%s_bucket%s %d\n", n, labelStr(f.labels, k, "le", num(ub)), h.counts[i])
			}
			fmt.Fprintf(&b, "%s_bucket%s %d\n", n, labelStr(f.labels, k, "le", "+Inf"), h.n)
			fmt.Fprintf(&b, "%s_sum%s %g\n", n, labelStr(f.labels, k), h.sum)
			fmt.Fprintf(&b, "%s_count%s %d\n", n, labelStr(f.labels, k), h.n)
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	builtin := []gaugeFunc{
		{"go_goroutines", "Number of goroutines.", func() float64 { return float64(runtime.NumGoroutine()) }},
		{"go_memstats_heap_alloc_bytes", "Heap bytes allocated and in use.", func() float64 { return float64(ms.HeapAlloc) }},
		{"go_memstats_sys_bytes", "Bytes obtained from the OS.", func() float64 { return float64(ms.Sys) }},
		{"process_uptime_seconds", "Seconds since the process started.", func() float64 { return time.Since(r.started).Seconds() }},
	}
	for _, g := range append(builtin, r.gauges...) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n%s %s\n", g.name, g.help, g.name, g.name, num(g.fn()))
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
