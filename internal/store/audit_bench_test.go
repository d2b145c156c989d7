package store_test

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/store/storetest"
)

// sealer is the store's audit sealer where it has one (this file also runs
// against older code, which chained entries under a lock instead).
type sealer interface {
	SealAudit(context.Context) (int, error)
}

// BenchmarkAuditedRead measures reads of personal data (an admin opening a
// user's record, one audit entry each) with 1 and 8 concurrent clients, with
// the audit sealer running every second as in lindu serve. Figures, not
// assertions:
//
//	LINDU_TEST_POSTGRES=postgres://... go test -run '^$' -bench AuditedRead -benchtime 5s ./internal/store
func BenchmarkAuditedRead(b *testing.B) {
	for _, d := range storetest.Engines(b) {
		b.Run(string(d), func(b *testing.B) {
			st := storetest.Open(b, d, storetest.Options{Regions: "61.07"})
			ctx := context.Background()
			admin := mkUserB(b, st, "bench-admin", domain.RoleAdmin, "61.07")
			var ids []string
			for i := 0; i < 50; i++ {
				u, err := st.CreateUser(ctx, access.System("bench"), domain.NewUser{Username: "bench-u" + strconv.Itoa(i),
					Role: domain.RoleCaseworker, RegionCode: "61.07", FullName: "Nama Rahasia " + strconv.Itoa(i),
					Phone: "08120000" + strconv.Itoa(1000+i), Password: "correct horse battery"})
				if err != nil {
					b.Fatal(err)
				}
				ids = append(ids, u.ID)
			}
			sc := access.ForUser(admin, "127.0.0.1", "bench")
			if s, ok := any(st).(sealer); ok {
				sctx, stop := context.WithCancel(ctx)
				done := make(chan struct{})
				go func() {
					defer close(done)
					t := time.NewTicker(time.Second)
					defer t.Stop()
					for {
						select {
						case <-sctx.Done():
							return
						case <-t.C:
							s.SealAudit(sctx)
						}
					}
				}()
				b.Cleanup(func() { stop(); <-done })
			}
			for _, clients := range []int{1, 8} {
				b.Run("clients="+strconv.Itoa(clients), func(b *testing.B) {
					var next atomic.Int64
					var wg sync.WaitGroup
					start := time.Now()
					for c := 0; c < clients; c++ {
						wg.Add(1)
						go func() {
							defer wg.Done()
							for {
								i := next.Add(1)
								if i > int64(b.N) {
									return
								}
								u, err := st.GetUser(ctx, sc, ids[i%int64(len(ids))])
								if err != nil || u.FullName == "" {
									b.Error(err)
									return
								}
							}
						}()
					}
					wg.Wait()
					b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "reads/s")
				})
			}
		})
	}
}

// BenchmarkAuditSeal measures how many pending entries the sealer chains
// per second (it must outpace the audited actions lindu serve takes).
func BenchmarkAuditSeal(b *testing.B) {
	for _, d := range storetest.Engines(b) {
		b.Run(string(d), func(b *testing.B) {
			st := storetest.Open(b, d, storetest.Options{Regions: "-"})
			s, ok := any(st).(sealer)
			if !ok {
				b.Skip("no audit sealer in this code")
			}
			ctx := context.Background()
			for i := 0; i < b.N; i++ {
				if err := st.Audit(ctx, access.System("bench"), "bench.event", "thing", strconv.Itoa(i), "61.07", ""); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			start := time.Now()
			n, err := s.SealAudit(ctx)
			if err != nil || n != b.N {
				b.Fatalf("sealed %d of %d: %v", n, b.N, err)
			}
			b.ReportMetric(float64(n)/time.Since(start).Seconds(), "entries/s")
		})
	}
}
