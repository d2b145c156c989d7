package cases_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sort"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/demo"
	"lindu/internal/domain"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// BenchmarkIntake compares public report intake through the case area
// (validation, encryption, report + clock + escalation rows, audit chain,
// one transaction) with a plain INSERT of the same report row through the
// same driver, on each engine.
//
//	go test -run '^$' -bench Intake -benchtime 2000x ./internal/cases
func BenchmarkIntake(b *testing.B) {
	for _, d := range storetest.Engines(b) {
		b.Run(string(d), func(b *testing.B) {
			u := storetest.URL(b, d)
			st := storetest.Open(b, d, storetest.Options{URL: u, Regions: "61.07"})
			cs := area(st)
			pub := access.Public("127.0.0.1", "bench")
			var n atomic.Int64
			b.Run("lindu", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					_, _, err := cs.CreateReport(context.Background(), pub, domain.NewReport{Channel: domain.ChannelAPI,
						IdempotencyKey: "bench-" + strconv.FormatInt(n.Add(1), 10), RegionCode: "61.07.01.2001",
						Description: "Anak terlantar di pasar sejak kemarin malam, belum makan", ContactPhone: "081234567890"}, "61.07")
					if err != nil {
						b.Fatal(err)
					}
				}
			})
			db := rawBenchDB(b, d, u)
			b.Run("plain-insert", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					k := n.Add(1)
					_, err := db.Exec(`INSERT INTO reports (id, code, channel, idempotency_key, received_at, region_code, description_enc,
						child_sex, anonymous, contact_phone_enc, status) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
						fmt.Sprintf("plain-%d", k), fmt.Sprintf("p%08d", k), "api", fmt.Sprintf("plain-key-%d", k), time.Now().UTC(),
						"61.07.01.2001", "Anak terlantar di pasar sejak kemarin malam, belum makan", "", false, "081234567890", "new")
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

func rawBenchDB(b *testing.B, d store.Dialect, u string) *sql.DB {
	var db *sql.DB
	var err error
	if d == store.SQLite {
		db, err = sql.Open("sqlite", "file:"+u[len("sqlite:"):]+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_time_format=sqlite")
		db.SetMaxOpenConns(1)
	} else {
		db, err = sql.Open("pgx", u)
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkInbox measures the supervisor's inbox queries over a large
// number of generated cases (LINDU_BENCH_CASES, default 100000; the figure
// in the closing note uses 1000000) and reports p50/p95 latency.
//
//	LINDU_BENCH_CASES=1000000 go test -run '^$' -bench Inbox -benchtime 200x -timeout 60m ./internal/cases
func BenchmarkInbox(b *testing.B) {
	n := 100000
	if v, err := strconv.Atoi(os.Getenv("LINDU_BENCH_CASES")); err == nil && v > 0 {
		n = v
	}
	for _, d := range storetest.Engines(b) {
		b.Run(string(d), func(b *testing.B) {
			st := storetest.Open(b, d, storetest.Options{Regions: "61.07"})
			cs := area(st)
			t0 := time.Now()
			if _, err := demo.Generate(context.Background(), st, n, "61.07", 1, nil); err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: generated %d cases in %v", d, n, time.Since(t0))
			sup := mkUserB(b, st, "sup", domain.RoleSupervisor, "61.07")
			cw := mkUserB(b, st, "cw-district", domain.RoleCaseworker, "61.07.01")
			queries := []struct {
				name string
				sc   domain.Scope
				f    domain.CaseFilter
			}{
				{"open-regency", access.ForUser(sup, "", ""), domain.CaseFilter{OpenOnly: true}},
				{"overdue-regency", access.ForUser(sup, "", ""), domain.CaseFilter{Due: "overdue"}},
				{"open-district", access.ForUser(cw, "", ""), domain.CaseFilter{OpenOnly: true}},
				{"type-sexual-page3", access.ForUser(sup, "", ""), domain.CaseFilter{Type: domain.VSexual, Offset: 100}},
				{"all-page1", access.ForUser(sup, "", ""), domain.CaseFilter{}},
			}
			for _, q := range queries {
				b.Run(q.name, func(b *testing.B) {
					lat := make([]time.Duration, 0, b.N)
					for i := 0; i < b.N; i++ {
						s := time.Now()
						if _, _, err := cs.ListCases(context.Background(), q.sc, q.f); err != nil {
							b.Fatal(err)
						}
						lat = append(lat, time.Since(s))
					}
					sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
					b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
					b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
				})
			}
		})
	}
}

func mkUserB(b *testing.B, st *store.Store, name string, role domain.Role, region string) domain.User {
	u, err := st.CreateUser(context.Background(), access.System("bench"), domain.NewUser{Username: name, Role: role,
		RegionCode: region, Password: "correct horse battery"})
	if err != nil {
		b.Fatal(err)
	}
	return u
}
