package demo_test

import (
	"context"
	"testing"

	"lindu/internal/demo"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// Generated cases are routed as an office routes them: each to its
// village's taskforce, with its district's team in support; every village
// and district gets one team, once, however many times cases are added.
// Each case comes with the report it was verified from, and a few reports
// wait for triage.
func TestGenerateRoutesToTeams(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st := storetest.Open(t, d, storetest.Options{Regions: "61.07"})
		count := func(q string) int {
			t.Helper()
			var n int
			if err := st.QueryRowContext(ctx, q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		for run := 1; run <= 2; run++ {
			if n, err := demo.Generate(ctx, st, 300, "61.07.01", int64(run), nil); err != nil || n != 300 {
				t.Fatalf("run %d: generated %d (%v)", run, n, err)
			}
			villages := count(`SELECT COUNT(*) FROM regions WHERE code LIKE '61.07.01.%'`)
			if got := count(`SELECT COUNT(*) FROM teams WHERE kind = 'village_taskforce' AND region_code LIKE '61.07.01.%'`); got != villages || villages == 0 {
				t.Errorf("run %d: %d village taskforces for %d villages", run, got, villages)
			}
			if got := count(`SELECT COUNT(*) FROM teams WHERE kind = 'district_team'`); got != 1 {
				t.Errorf("run %d: %d district teams, want the one of 61.07.01", run, got)
			}
			if got := count(`SELECT COUNT(*) FROM cases c JOIN teams v ON v.id = c.team_id AND v.region_code = c.region_code
				JOIN teams k ON k.id = c.support_team_id AND k.region_code = '61.07.01'`); got != 300*run {
				t.Errorf("run %d: %d of %d cases routed to their village's and district's teams", run, got, 300*run)
			}
			// Every case came from one report, verified into it, of its
			// region and time; one report more waits for triage.
			if got := count(`SELECT COUNT(*) FROM cases c JOIN reports r ON r.case_id = c.id AND r.status = 'verified'
				AND r.region_code = c.region_code AND r.received_at = c.reported_at AND r.triaged_at IS NOT NULL`); got != 300*run {
				t.Errorf("run %d: %d of %d cases have their verified report", run, got, 300*run)
			}
			if got := count(`SELECT COUNT(*) FROM reports`); got != 301*run {
				t.Errorf("run %d: %d reports, want %d", run, got, 301*run)
			}
			if got := count(`SELECT COUNT(*) FROM reports WHERE status = 'new' AND case_id IS NULL AND triaged_at IS NULL
				AND region_code LIKE '61.07.01.%'`); got != run {
				t.Errorf("run %d: %d reports waiting for triage, want %d", run, got, run)
			}
		}
		// The descriptions are sealed, and open with the key.
		var enc string
		if err := st.QueryRowContext(ctx, `SELECT description_enc FROM reports WHERE status = 'new' LIMIT 1`).Scan(&enc); err != nil {
			t.Fatal(err)
		}
		if desc, err := st.Open(store.FieldReportDescription, enc); err != nil || desc == "" || desc == enc {
			t.Errorf("a generated report's description does not open (%q, %v)", desc, err)
		}
	})
}
