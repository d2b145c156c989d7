package kla_test

import (
	"fmt"
	"os"
	"sort"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/kla"
	"lindu/internal/regiondata"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// BenchmarkKLADashboard measures the dashboard at regency (61.07) and
// province (61) level with values for every village of Indonesia
// (83,763 × 31 indicators × 3 years ≈ 7.8M rows), against the raw SQL
// aggregate over the same rows (AVG per indicator over the subtree, one
// year), on each engine, and reports p50/p95 and the ratio.
//
//	go test -run '^$' -bench KLADashboard -benchtime 1x -timeout 60m ./internal/kla
//
// LINDU_BENCH_KLA_DB=/path/kla.db keeps (and reuses) the SQLite database.
func BenchmarkKLADashboard(b *testing.B) {
	for _, d := range storetest.Engines(b) {
		b.Run(string(d), func(b *testing.B) {
			u := ""
			if d == store.SQLite && os.Getenv("LINDU_BENCH_KLA_DB") != "" {
				u = "sqlite:" + os.Getenv("LINDU_BENCH_KLA_DB")
			}
			st := storetest.Open(b, d, storetest.Options{Regions: "-", URL: u})
			if n, _ := st.RegionCount(bg); n[4] == 0 {
				if _, err := regiondata.Load(bg, st, "", nil); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := kla.EnsureShipped(bg, st); err != nil {
				b.Fatal(err)
			}
			years := []int{2023, 2024, 2025}
			sys := access.System("bench")
			if n, _ := kla.RawTotal(bg, st, regime, "61.07", 2025); n == 0 {
				t0 := time.Now()
				rows, err := kla.GenerateValues(bg, st, regime, years, nil)
				if err != nil {
					b.Fatal(err)
				}
				b.Logf("%s: generated %d values in %s", d, rows, time.Since(t0).Round(time.Second))
			}
			for _, region := range []string{"61.07", "61"} {
				const runs = 15
				var dash, raw []time.Duration
				for i := 0; i < runs+1; i++ {
					t0 := time.Now()
					if _, err := kla.BuildDashboard(bg, st, sys, region, 2025); err != nil {
						b.Fatal(err)
					}
					el := time.Since(t0)
					t1 := time.Now()
					if _, err := kla.RawTotal(bg, st, regime, region, 2025); err != nil {
						b.Fatal(err)
					}
					el2 := time.Since(t1)
					if i > 0 { // the first run warms the caches
						dash, raw = append(dash, el), append(raw, el2)
					}
				}
				p := func(xs []time.Duration, q float64) time.Duration {
					s := append([]time.Duration(nil), xs...)
					sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
					return s[int(q*float64(len(s)-1)+0.5)]
				}
				d50, d95, r50, r95 := p(dash, .5), p(dash, .95), p(raw, .5), p(raw, .95)
				b.Logf("%s %s: dashboard p50 %v p95 %v; raw aggregate p50 %v p95 %v; ratio p50 %.1f×",
					d, region, d50, d95, r50, r95, float64(d50)/float64(r50))
				b.ReportMetric(float64(d50.Microseconds())/1000, fmt.Sprintf("dash_p50_ms_%s", region))
				b.ReportMetric(float64(d95.Microseconds())/1000, fmt.Sprintf("dash_p95_ms_%s", region))
				b.ReportMetric(float64(r50.Microseconds())/1000, fmt.Sprintf("raw_p50_ms_%s", region))
				b.ReportMetric(float64(d50)/float64(r50), fmt.Sprintf("ratio_%s", region))
			}
		})
	}
}
