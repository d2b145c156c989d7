package cases_test

import (
	"context"
	"database/sql"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/demo"
	"lindu/internal/domain"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// BenchmarkSearchAndExport measures, at LINDU_BENCH_CASES generated cases
// (default 100,000) whose children all have names in the blind index,
// the inbox's first page (the baseline), a search by a part of a name, a
// search by case code, and the SIMFONI-PPA export of the latest 10,000
// victims. Not part of the normal test run (go test -bench).
func BenchmarkSearchAndExport(b *testing.B) {
	n := 100000
	if v, err := strconv.Atoi(os.Getenv("LINDU_BENCH_CASES")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	for _, d := range storetest.Engines(b) {
		b.Run(string(d), func(b *testing.B) {
			st := storetest.Open(b, d, storetest.Options{Regions: "61.07"})
			cs := area(st)
			t0 := time.Now()
			if _, err := demo.Generate(ctx, st, n, "61.07", 1, nil); err != nil {
				b.Fatal(err)
			}
			nameAll(b, st)
			b.Logf("%s: %d cases generated and named in %v", d, n, time.Since(t0))
			sup := access.ForUser(mkUserB(b, st, "sup", domain.RoleSupervisor, "61.07"), "", "")
			var code string
			if err := st.QueryRowContext(ctx, `SELECT code FROM cases ORDER BY reported_at DESC LIMIT 1 OFFSET 500`).Scan(&code); err != nil {
				b.Fatal(err)
			}
			latency := func(b *testing.B, f func() int) {
				lat := make([]time.Duration, 0, b.N)
				found := 0
				for i := 0; i < b.N; i++ {
					s := time.Now()
					found = f()
					lat = append(lat, time.Since(s))
				}
				sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
				b.ReportMetric(float64(found), "found")
			}
			list := func(q string) func() int {
				return func() int {
					_, total, err := cs.ListCases(ctx, sup, domain.CaseFilter{Query: q})
					if err != nil {
						b.Fatal(err)
					}
					return total
				}
			}
			b.Run("inbox-page1", func(b *testing.B) { latency(b, list("")) })
			b.Run("name-rahma", func(b *testing.B) { latency(b, list("rahma")) })
			b.Run("name-melati-lestari", func(b *testing.B) { latency(b, list("melati lestari")) })
			b.Run("case-code", func(b *testing.B) { latency(b, list(code)) })
			var from time.Time
			if err := st.QueryRowContext(ctx, `SELECT c.reported_at FROM cases c JOIN victims v ON v.case_id = c.id
				ORDER BY c.reported_at DESC LIMIT 1 OFFSET `+strconv.Itoa(min(9999, n-1))).Scan(&from); err != nil {
				b.Fatal(err)
			}
			f := cases.SIMFONIFilter{From: from.In(domain.WIB).Format("2006-01-02"), To: time.Now().In(domain.WIB).AddDate(1, 0, 0).Format("2006-01-02")}
			b.Run("simfoni-export-latest-10k", func(b *testing.B) {
				latency(b, func() int {
					n, err := cs.SIMFONIExport(ctx, sup, f, func(cases.SIMFONIRow) error { return nil })
					if err != nil {
						b.Fatal(err)
					}
					return n
				})
			})
		})
	}
}

// nameAll gives every victim a synthetic name, sealed, then fills the
// blind index as a start does.
func nameAll(b *testing.B, st *store.Store) {
	ctx := context.Background()
	ids, err := store.Rows(ctx, st, func(rs *sql.Rows) (string, error) {
		var id string
		return id, rs.Scan(&id)
	}, `SELECT id FROM victims ORDER BY id`)
	if err != nil {
		b.Fatal(err)
	}
	first := []string{"Melati", "Siti", "Putri", "Ayu", "Dewi", "Nur", "Budi", "Agus", "Rizki", "Dimas", "Yohanes", "Andi", "Fajar", "Intan"}
	family := []string{"Rahmawati", "Lestari", "Simanjuntak", "Hidayat", "Saputra", "Nainggolan", "Pratama", "Wijaya", "Kurniawan", "Anggraini",
		"Sihombing", "Purba", "Setiawan", "Wulandari", "Gunawan", "Siregar", "Halim", "Nugroho", "Susanti", "Rahman"}
	for lo := 0; lo < len(ids); lo += 1000 {
		err := st.InTx(ctx, func(tx *store.Tx) error {
			for i, id := range ids[lo:min(lo+1000, len(ids))] {
				k := lo + i
				enc, err := st.Seal(store.FieldVictimName, first[k%len(first)]+" "+family[(k/len(first))%len(family)])
				if err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `UPDATE victims SET name_enc = $1 WHERE id = $2`, enc, id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if _, err := st.IndexMissingNames(ctx); err != nil {
		b.Fatal(err)
	}
}
