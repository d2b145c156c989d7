package store_test

import (
	"sort"
	"strings"
	"testing"
	"time"

	"lindu/internal/regiondata"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// A database written by an older lindu, with these fields in plaintext,
// ends with none left after migrating, and every value reads back.
func TestUpgradeSealsPlaintextFields(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		box := storetest.Box(t)
		u := storetest.URL(t, d)
		st, err := store.Open(ctx, u, store.Options{Box: box, RootRegion: "61.07"})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if _, err := st.MigrateTo(ctx, 13); err != nil {
			t.Fatal(err)
		}
		if _, err := regiondata.Load(ctx, st, "61.07.01", nil); err != nil {
			t.Fatal(err)
		}
		db := rawDB(t, d, u)
		now := time.Date(2025, 6, 1, 3, 0, 0, 0, time.UTC)
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO cases (id, code, region_code, status, priority, reported_at, created_at, updated_at)
				VALUES ('c1', '100000001', '61.07.01.2001', 'closed', 'medium', $1, $1, $1)`, []any{now}},
			{`INSERT INTO victims (id, case_id, sex, disability, created_at) VALUES ('v1', 'c1', 'P', $1, $2)`, []any{storetest.SealDisability, now}},
			{`INSERT INTO victims (id, case_id, sex, disability, created_at) VALUES ('v2', 'c1', 'L', '', $1)`, []any{now}},
			{`INSERT INTO services (id, case_id, type, provider, given_on, created_at) VALUES ('s1', 'c1', 'law_enforcement', $1, '2025-06-01', $2)`,
				[]any{storetest.SealProvider, now}},
			{`INSERT INTO services (id, case_id, type, provider, given_on, created_at) VALUES ('s2', 'c1', 'health', 'Puskesmas', '2025-06-01', $1)`,
				[]any{now}},
			{`INSERT INTO referrals (id, case_id, agency, referred_on, created_at) VALUES ('r1', 'c1', $1, '2025-06-01', $2)`, []any{storetest.SealAgency, now}},
			{`INSERT INTO placements (id, case_id, kind, place_name, from_date, created_at) VALUES ('p1', 'c1', 'safe_house', $1, '2025-06-01', $2)`,
				[]any{storetest.SealPlace, now}},
			{`INSERT INTO reports (id, code, channel, received_at, region_code, description_enc, status, reject_reason)
				VALUES ('rep1', '100000002', 'web', $1, '61.07.01.2001', '', 'rejected', $2)`, []any{now, storetest.SealReject}},
		} {
			if _, err := db.Exec(q.sql, q.args...); err != nil {
				t.Fatalf("old schema insert: %v\n%s", err, q.sql)
			}
		}
		applied, err := st.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) == 0 {
			t.Fatal("nothing migrated")
		}
		storetest.CheckSealedAtRest(t, db, box)
		var restorative []string
		rows, err := db.Query(`SELECT id FROM services WHERE restorative ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			rows.Scan(&id)
			restorative = append(restorative, id)
		}
		rows.Close()
		if strings.Join(restorative, ",") != "s1" {
			t.Errorf("restorative services after upgrade: %v, want s1", restorative)
		}
		c, err := area(st).GetCase(ctx, sys(), "c1")
		if err != nil {
			t.Fatal(err)
		}
		vals := storetest.SealedValues(c)
		sort.Strings(vals)
		want := []string{storetest.SealDisability, storetest.SealProvider, "Puskesmas", storetest.SealAgency, storetest.SealPlace}
		sort.Strings(want)
		if got, want := strings.Join(vals, "|"), strings.Join(want, "|"); got != want {
			t.Errorf("after upgrade the case reads %q, want %q", got, want)
		}
		r, err := area(st).GetReport(ctx, sys(), "rep1")
		if err != nil || r.RejectReason != storetest.SealReject {
			t.Errorf("reject reason after upgrade %q, %v", r.RejectReason, err)
		}
		// Idempotent: plaintext written later (by an older process sharing
		// the database) is sealed at the next start; sealed values stay.
		if _, err := db.Exec(`UPDATE victims SET disability = 'tunanetra' WHERE id = 'v2'`); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		storetest.CheckSealedAtRest(t, db, box)
		c, err = area(st).GetCase(ctx, sys(), "c1")
		if err != nil || len(c.Victims) != 2 || c.Victims[0].Disability != storetest.SealDisability || c.Victims[1].Disability != "tunanetra" {
			t.Errorf("after the second start: %+v %v", c.Victims, err)
		}
	})
}

// The rate-limit table keeps no address in the clear and forgets windows
// after RateLimitRetention.
func TestRateLimitsHashedAndPurged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		clk := storetest.NewClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC))
		u := storetest.URL(t, d)
		st := storetest.Open(t, d, storetest.Options{Now: clk.Now, URL: u, Regions: "-"})
		db := rawDB(t, d, u)
		for i := 0; i < 3; i++ {
			if ok, _, err := st.Allow(ctx, "report-ip:203.0.113.7", 2, time.Hour); err != nil || ok != (i < 2) {
				t.Fatalf("hit %d: ok=%v %v", i, ok, err)
			}
		}
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM rate_limits WHERE key LIKE '%203.0.113%'`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d rate-limit keys name the address (%v)", n, err)
		}
		clk.Advance(store.RateLimitRetention + time.Minute)
		if ok, _, err := st.Allow(ctx, "status-ip:198.51.100.1", 60, 10*time.Minute); err != nil || !ok {
			t.Fatalf("new window: %v %v", ok, err)
		}
		if err := db.QueryRow(`SELECT COUNT(*) FROM rate_limits`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("%d rate-limit windows after the retention, want only the new one (%v)", n, err)
		}
		if _, _, err := st.Allow(ctx, "x", 1, 2*store.RateLimitRetention); err == nil {
			t.Error("a window longer than the retention is accepted")
		}
	})
}
