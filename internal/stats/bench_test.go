package stats

import (
	"context"
	"database/sql"
	"os"
	"testing"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// Benchmarks on a database of realistic volume (not part of the test
// command; they skip without one):
//
//	lindu demo generate --cases 100000 --region 61.07 --data-dir /tmp/d
//	LINDU_STATS_DB=sqlite:/tmp/d/lindu.db go test ./internal/stats -run - -bench . -benchtime 5x
//
// BenchmarkCompute is what the staff page does on a cold cache (read the
// region's cases of two years, build every table); BenchmarkRawReads is
// its baseline: the same four reads, rows scanned and thrown away.
func benchStore(b *testing.B) (*store.Store, string, int) {
	u := os.Getenv("LINDU_STATS_DB")
	if u == "" {
		b.Skip("LINDU_STATS_DB not set")
	}
	st, err := store.Open(context.Background(), u, store.Options{Box: storetest.Box(b), RootRegion: "61.07"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	return st, "61.07", time.Now().In(domain.WIB).Year()
}

func BenchmarkCompute(b *testing.B) {
	st, region, year := benchStore(b)
	s := New(st)
	for b.Loop() {
		if _, err := s.compute(context.Background(), region, year); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkApply(b *testing.B) {
	st, region, year := benchStore(b)
	set, err := New(st).compute(context.Background(), region, year)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		c := cloneSet(set)
		Apply(&c, Rule{Threshold: DefaultThreshold})
	}
}

func BenchmarkRawReads(b *testing.B) {
	st, region, year := benchStore(b)
	zone := domain.ZoneFor(region)
	start := time.Date(year-1, 1, 1, 0, 0, 0, 0, zone).UTC()
	end := time.Date(year+1, 1, 1, 0, 0, 0, 0, zone).UTC()
	where, args := store.ScopeClause("c.region_code", region, 3)
	args = append([]any{start, end}, args...)
	cond := `c.reported_at >= $1 AND c.reported_at < $2 AND ` + where
	qs := []string{
		`SELECT c.id, c.region_code, c.status, c.kdrt, c.reported_at, c.responded_at, c.place FROM cases c WHERE ` + cond,
		`SELECT t.case_id, t.type FROM case_types t JOIN cases c ON c.id = t.case_id WHERE ` + cond,
		`SELECT v.id, v.case_id, v.sex, v.age, v.place, t.type FROM cases c JOIN victims v ON v.case_id = c.id
			LEFT JOIN victim_types t ON t.victim_id = v.id WHERE ` + cond,
		`SELECT p.case_id, p.sex, p.relation FROM perpetrators p JOIN cases c ON c.id = p.case_id WHERE ` + cond,
	}
	for b.Loop() {
		for _, q := range qs {
			if err := eachRow(context.Background(), st, q, args, func(r *sql.Rows) error { return nil }); err != nil {
				b.Fatal(err)
			}
		}
	}
}
