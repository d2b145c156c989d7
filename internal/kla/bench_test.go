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
// year), on each engine, and reports p50/p95 and the ratio: the dashboard
// as BuildDashboard builds it (counting the cases), and as the web pages
// build it (kla.Reader, the case counts shared a while).
//
//	go test -run '^$' -bench KLADashboard -benchtime 1x -timeout 60m ./internal/kla
//
// LINDU_BENCH_KLA_DB=/path/kla.db keeps (and reuses) the SQLite database,
// LINDU_BENCH_KLA_PG=postgres://... a PostgreSQL one; either may be made
// with "lindu demo generate --kla-years 2023,2024,2025" (add "--cases
// 100000 --region 61.07" for the cases behind the computed indicators).
func BenchmarkKLADashboard(b *testing.B) {
	for _, d := range storetest.Engines(b) {
		b.Run(string(d), func(b *testing.B) {
			u := ""
			if d == store.SQLite && os.Getenv("LINDU_BENCH_KLA_DB") != "" {
				u = "sqlite:" + os.Getenv("LINDU_BENCH_KLA_DB")
			}
			if d == store.Postgres {
				u = os.Getenv("LINDU_BENCH_KLA_PG")
			}
			st := storetest.Open(b, d, storetest.Options{Regions: "-", URL: u, RootRegion: "-"})
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
			pages := kla.NewReader(st, time.Hour)
			for _, region := range []string{"61.07", "61"} {
				const runs = 15
				var live, shared, raw []time.Duration
				for i := 0; i < runs+1; i++ {
					t0 := time.Now()
					if _, err := kla.BuildDashboard(bg, st, sys, region, 2025); err != nil {
						b.Fatal(err)
					}
					t1 := time.Now()
					if _, err := pages.BuildDashboard(bg, sys, region, 2025); err != nil {
						b.Fatal(err)
					}
					t2 := time.Now()
					if _, err := kla.RawTotal(bg, st, regime, region, 2025); err != nil {
						b.Fatal(err)
					}
					if i > 0 { // the first run warms the caches
						live, shared, raw = append(live, t1.Sub(t0)), append(shared, t2.Sub(t1)), append(raw, time.Since(t2))
					}
				}
				p := func(xs []time.Duration, q float64) time.Duration {
					s := append([]time.Duration(nil), xs...)
					sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
					return s[int(q*float64(len(s)-1)+0.5)]
				}
				l50, l95, s50, s95, r50, r95 := p(live, .5), p(live, .95), p(shared, .5), p(shared, .95), p(raw, .5), p(raw, .95)
				b.Logf("%s %s: dashboard p50 %v p95 %v (ratio %.1f×); as the pages build it p50 %v p95 %v (ratio %.1f×); raw aggregate p50 %v p95 %v",
					d, region, l50, l95, float64(l50)/float64(r50), s50, s95, float64(s50)/float64(r50), r50, r95)
				b.ReportMetric(float64(l50.Microseconds())/1000, fmt.Sprintf("dash_p50_ms_%s", region))
				b.ReportMetric(float64(l95.Microseconds())/1000, fmt.Sprintf("dash_p95_ms_%s", region))
				b.ReportMetric(float64(s50.Microseconds())/1000, fmt.Sprintf("pages_p50_ms_%s", region))
				b.ReportMetric(float64(s95.Microseconds())/1000, fmt.Sprintf("pages_p95_ms_%s", region))
				b.ReportMetric(float64(r50.Microseconds())/1000, fmt.Sprintf("raw_p50_ms_%s", region))
				b.ReportMetric(float64(l50)/float64(r50), fmt.Sprintf("ratio_%s", region))
				b.ReportMetric(float64(s50)/float64(r50), fmt.Sprintf("pages_ratio_%s", region))
			}
		})
	}
}
