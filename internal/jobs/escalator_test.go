package jobs_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/jobs"
	"lindu/internal/metrics"
	"lindu/internal/outbox"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// The escalator fires a due step once per step, counts it in the metrics,
// and a second escalator (another instance) finds nothing left to do.
func TestEscalatorRound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		clk := storetest.NewClock(time.Date(2026, 5, 1, 2, 0, 0, 0, time.UTC))
		u := storetest.URL(t, d)
		box := storetest.Box(t)
		st := storetest.Open(t, d, storetest.Options{URL: u, Box: box, Now: clk.Now})
		st2 := storetest.Open(t, d, storetest.Options{URL: u, Box: box, Now: clk.Now, Regions: "-"})
		sys := access.System("test")
		sup, err := st.CreateUser(ctx, sys, domain.NewUser{Username: "sup", Role: domain.RoleSupervisor, RegionCode: "61.07", Password: "long enough pw"})
		if err != nil {
			t.Fatal(err)
		}
		rep, _, err := cases.New(st, cases.Options{}).CreateReport(ctx, access.Public("", ""), domain.NewReport{Channel: domain.ChannelWeb, RegionCode: "61.07.01.2001",
			Description: "laporan uji untuk eskalasi"}, "")
		if err != nil {
			t.Fatal(err)
		}
		log := slog.New(slog.DiscardHandler)
		m := metrics.New()
		a := &jobs.Escalator{Cases: cases.New(st, cases.Options{}), Log: log, Metrics: m, Instance: "a", Batch: 1}
		b := &jobs.Escalator{Cases: cases.New(st2, cases.Options{}), Log: log, Instance: "b"}
		if r := a.Round(ctx); r.Fired != 0 {
			t.Fatalf("early: %+v", r)
		}
		clk.Advance(domain.TriageWindow) // the report waits too long for triage
		ctxRun, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { a.Run(ctxRun); close(done) }()
		deadline := time.Now().Add(10 * time.Second)
		for {
			msgs, _ := outbox.List(ctx, st, sys, outbox.Filter{})
			if len(msgs) == 1 {
				if msgs[0].RecipientID != sup.ID {
					t.Fatalf("message to %s", msgs[0].RecipientID)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the escalator did not fire within 10 s")
			}
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		<-done
		if r := b.Round(ctx); r.Fired != 0 {
			t.Fatalf("second instance fired again: %+v", r)
		}
		var sb stringsBuilder
		m.WriteTo(&sb)
		if want := "lindu_escalations_fired_total 1"; !contains(sb.s, want) {
			t.Fatalf("metrics lack %q:\n%s", want, sb.s)
		}
		_ = rep
	})
}

type stringsBuilder struct{ s string }

func (b *stringsBuilder) Write(p []byte) (int, error) { b.s += string(p); return len(p), nil }

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
