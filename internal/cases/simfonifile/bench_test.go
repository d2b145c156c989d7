package simfonifile_test

import (
	"os"
	"strconv"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/cases/simfonifile"
	"lindu/internal/demo"
	"lindu/internal/domain"
	"lindu/internal/store/storetest"
)

// BenchmarkSIMFONIFile times the whole export as users get it (the cases'
// query, labels, and the CSV or XLSX written) over the latest 10,000
// victims of LINDU_BENCH_CASES synthetic cases (default 12,000). Not part
// of the normal test run (go test -bench).
func BenchmarkSIMFONIFile(b *testing.B) {
	n := 12000
	if v, err := strconv.Atoi(os.Getenv("LINDU_BENCH_CASES")); err == nil && v > 0 {
		n = v
	}
	for _, d := range storetest.Engines(b) {
		b.Run(string(d), func(b *testing.B) {
			st := storetest.Open(b, d, storetest.Options{Regions: "61.07"})
			cs := cases.New(st, cases.Options{})
			if _, err := demo.Generate(ctx, st, n, "61.07", 1, nil); err != nil {
				b.Fatal(err)
			}
			sup := access.ForUser(storetest.User(b, st, "sup", domain.RoleSupervisor, "61.07"), "127.0.0.1", "bench")
			var from time.Time
			if err := st.QueryRowContext(ctx, `SELECT c.reported_at FROM cases c JOIN victims v ON v.case_id = c.id
				ORDER BY c.reported_at DESC LIMIT 1 OFFSET `+strconv.Itoa(min(9999, n-1))).Scan(&from); err != nil {
				b.Fatal(err)
			}
			f := cases.SIMFONIFilter{From: from.In(domain.WIB).Format("2006-01-02"), To: time.Now().In(domain.WIB).AddDate(1, 0, 0).Format("2006-01-02")}
			for _, format := range simfonifile.Formats {
				b.Run(format, func(b *testing.B) {
					var out simfonifile.Out
					for i := 0; i < b.N; i++ {
						var err error
						if out, err = simfonifile.File(ctx, cs, sup, f, "id", format); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(out.Rows), "victims")
					b.ReportMetric(float64(len(out.Data))/1e6, "MB")
				})
			}
		})
	}
}
