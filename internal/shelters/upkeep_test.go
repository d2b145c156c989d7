package shelters_test

import (
	"testing"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// D-T7: a host's incentives sum per year; the per-night incentive of a
// stay is its nights × the rate (9 nights), once per stay; the ledger's
// rows reconcile to its total. Trainings and supervision visits are kept,
// and a place whose next visit is due (or never visited) is listed.
func TestUpkeep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorldAt(t, d, time.Date(2026, 3, 1, 1, 0, 0, 0, time.UTC))
		p := w.house(t, "Rumah Aman Insentif", 2)
		other := w.house(t, "Rumah Aman Lain", 1)
		if _, err := w.sh.AddTraining(ctx, w.sup, p.ID, "Pertolongan pertama psikologis", "2026-02-10"); err != nil {
			t.Fatal(err)
		}
		if tr, err := w.sh.Trainings(ctx, w.cw, p.ID); err != nil || len(tr) != 1 {
			t.Fatalf("trainings %+v %v", tr, err)
		}
		c, v := w.child(t, 1)
		st, err := w.sh.PlaceChild(ctx, w.cw, domain.NewStay{PlaceID: p.ID, CaseID: c, VictimID: v, Reason: "r"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.sh.IncentiveForStay(ctx, w.sup, st.ID, 50000, "2026-03-12"); err == nil {
			t.Fatal("per-night incentive of a running stay")
		}
		w.clk.Advance(9 * 24 * time.Hour)
		if err := w.sh.EndStay(ctx, w.cw, st.ID, "pulang", "home"); err != nil {
			t.Fatal(err)
		}
		pn, err := w.sh.IncentiveForStay(ctx, w.sup, st.ID, 50000, "2026-03-12")
		if err != nil || pn.Nights != 9 || pn.Amount != 450000 {
			t.Fatalf("per night: %+v %v", pn, err)
		}
		if _, err := w.sh.IncentiveForStay(ctx, w.sup, st.ID, 50000, "2026-03-13"); err == nil {
			t.Fatal("the same stay paid twice")
		}
		if _, err := w.sh.AddIncentive(ctx, w.cw, domain.Incentive{PlaceID: p.ID, Kind: domain.IncentiveGoods, Amount: 150000, GivenOn: "2026-03-01"}); err == nil {
			t.Fatal("a caseworker recorded an incentive")
		}
		for _, in := range []domain.Incentive{
			{PlaceID: p.ID, Kind: domain.IncentiveGoods, Amount: 150000, GivenOn: "2026-03-01", Basis: "sembako Maret"},
			{PlaceID: p.ID, Kind: domain.IncentiveReimbursement, Amount: 75000, GivenOn: "2026-01-20", Basis: "transport"},
			{PlaceID: p.ID, Kind: domain.IncentiveCash, Amount: 999999, GivenOn: "2025-12-31"},
			{PlaceID: other.ID, Kind: domain.IncentiveGoods, Amount: 100000, GivenOn: "2026-02-01"},
		} {
			if _, err := w.sh.AddIncentive(ctx, w.sup, in); err != nil {
				t.Fatal(err)
			}
		}
		rows, total, err := w.sh.Ledger(ctx, w.sup, 2026, p.ID)
		if err != nil || len(rows) != 3 || total != 450000+150000+75000 {
			t.Fatalf("ledger 2026 for the host: %d rows, total %d (%v)", len(rows), total, err)
		}
		var sum int64
		for _, r := range rows {
			sum += r.Amount
		}
		if sum != total {
			t.Fatalf("rows %d != total %d", sum, total)
		}
		if _, all, _ := w.sh.Ledger(ctx, w.sup, 2026, ""); all != total+100000 {
			t.Fatalf("ledger 2026 for the region: %d", all)
		}
		// Supervision visits.
		due, err := w.sh.VisitsDue(ctx, w.sup, "2026-03-10")
		if err != nil || len(due) != 2 {
			t.Fatalf("never visited: %+v %v", due, err)
		}
		if _, err := w.sh.AddVisit(ctx, w.sup, domain.SupervisionVisit{PlaceID: p.ID, VisitedOn: "2026-03-10", Findings: "Kamar bersih",
			NextDue: "2026-04-10"}); err != nil {
			t.Fatal(err)
		}
		if due, _ := w.sh.VisitsDue(ctx, w.sup, "2026-03-10"); len(due) != 1 || due[0].PlaceID != other.ID {
			t.Fatalf("due after a visit: %+v", due)
		}
		if due, _ := w.sh.VisitsDue(ctx, w.sup, "2026-04-10"); len(due) != 2 {
			t.Fatalf("due on the next date: %+v", due)
		}
		// The supervisors are told once when the next visit is due.
		w.clk.Advance(time.Date(2026, 4, 10, 2, 0, 0, 0, time.UTC).Sub(w.clk.Now()))
		for range 2 {
			if _, err := w.sh.RemindVisitsDue(ctx); err != nil {
				t.Fatal(err)
			}
		}
		var reminders int
		if err := w.st.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE recipient_user_id = $1 AND idempotency_key LIKE 'visit-due:%'`,
			w.supU.ID).Scan(&reminders); err != nil || reminders != 1 {
			t.Fatalf("%d reminders to the supervisor (%v), want 1", reminders, err)
		}
		vs, err := w.sh.Visits(ctx, w.cw, p.ID)
		if err != nil || len(vs) != 1 || vs[0].Findings != "" {
			t.Fatalf("a caseworker reads findings: %+v %v", vs, err)
		}
		if vs, _ := w.sh.Visits(ctx, w.sup, p.ID); vs[0].Findings != "Kamar bersih" {
			t.Fatalf("supervisor's findings: %+v", vs)
		}
	})
}

// Reviews: an emergency placement is due for review 72 hours after it
// starts (the worker is told once); recording the review plans the next
// one 14 days later; ending the stay stops its clocks.
func TestStayReviews(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d)
		p := w.house(t, "Rumah Aman Tinjau", 1)
		c, v := w.child(t, 1)
		st, err := w.sh.PlaceChild(ctx, w.cw, domain.NewStay{PlaceID: p.ID, CaseID: c, VictimID: v, Reason: "darurat", Emergency: true})
		if err != nil || st.NextReview == nil || st.NextReview.Sub(*st.FromAt) != 72*time.Hour {
			t.Fatalf("first review: %+v %v", st.NextReview, err)
		}
		count := func() int {
			var n int
			if err := w.st.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE recipient_user_id = $1 AND body LIKE '%injau%'`, w.cwU.ID).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		w.clk.Advance(72*time.Hour + time.Minute)
		for range 2 {
			if _, err := w.cs.RunEscalations(ctx, "a", 100); err != nil {
				t.Fatal(err)
			}
		}
		if n := count(); n != 1 {
			t.Fatalf("%d review reminders to the worker, want 1", n)
		}
		if err := w.sh.ReviewStay(ctx, w.cw, st.ID, " "); err == nil {
			t.Fatal("a review without its conclusion")
		}
		if err := w.sh.ReviewStay(ctx, w.cw, st.ID, "Anak mulai tenang; ibu belum aman"); err != nil {
			t.Fatal(err)
		}
		got, _ := w.sh.GetStay(ctx, w.cw, st.ID)
		if got.NextReview == nil || got.NextReview.Sub(w.clk.Now()) != 14*24*time.Hour {
			t.Fatalf("next review %v", got.NextReview)
		}
		if err := w.sh.EndStay(ctx, w.cw, st.ID, "pulang", "home"); err != nil {
			t.Fatal(err)
		}
		var open int
		if err := w.st.QueryRowContext(ctx, `SELECT COUNT(*) FROM deadlines WHERE subject_type IN ('stay', 'stay_review') AND met_at IS NULL`).Scan(&open); err != nil || open != 0 {
			t.Fatalf("%d clocks still open after the stay ended (%v)", open, err)
		}
	})
}
