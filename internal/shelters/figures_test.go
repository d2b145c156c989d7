package shelters_test

import (
	"testing"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// D-T8 and D-T9 on a hand-computed fixture, both databases:
//
//	child 1: house A 1–10 Mar 2025, then home
//	child 2: house A from 20 Dec 2025, moved to LKSA B on 5 Jan 2026, staying
//	child 3: LKSA B 1 Feb – 1 Jun 2026, then to relatives
//
// 2025: 0 in LKSA, 1 back to family, 0 LKSA admissions; 2026: 2 in LKSA,
// 1 back to family, 2 LKSA admissions, both with the gatekeeping decision.
// Population return 2026: A 1 + 0 − 1 = 0; B 0 + 2 − 1 = 1 (the move is
// an exit from A and an admission to B, once each).
func TestFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorldAt(t, d, time.Date(2025, 2, 1, 2, 0, 0, 0, time.UTC))
		a := w.house(t, "Rumah Aman A", 2)
		b, err := w.sh.CreatePlace(ctx, w.sup, domain.NewPlace{Kind: domain.PlaceLKSA, Name: "LKSA B", RegionCode: "61.07.01",
			Owner: domain.OwnerCommunity, Capacity: 10, PermitExpires: "2030-01-01"})
		if err != nil {
			t.Fatal(err)
		}
		c1, v1 := w.child(t, 1)
		c2, v2 := w.child(t, 2)
		c3, v3 := w.child(t, 3)
		to := func(y int, m time.Month, day int) {
			w.clk.Advance(time.Date(y, m, day, 2, 0, 0, 0, time.UTC).Sub(w.clk.Now()))
		}
		to(2025, 3, 1)
		s1, err := w.sh.PlaceChild(ctx, w.cw, domain.NewStay{PlaceID: a.ID, CaseID: c1, VictimID: v1, Reason: "r"})
		if err != nil {
			t.Fatal(err)
		}
		to(2025, 3, 10)
		if err := w.sh.EndStay(ctx, w.cw, s1.ID, "pulang", "home"); err != nil {
			t.Fatal(err)
		}
		to(2025, 12, 20)
		s2, err := w.sh.PlaceChild(ctx, w.cw, domain.NewStay{PlaceID: a.ID, CaseID: c2, VictimID: v2, Reason: "r"})
		if err != nil {
			t.Fatal(err)
		}
		to(2026, 1, 5)
		if _, err := w.sh.MoveChild(ctx, w.cw, s2.ID, b.ID, "jangka panjang", "tidak ada kerabat"); err != nil {
			t.Fatal(err)
		}
		to(2026, 2, 1)
		s3, err := w.sh.PlaceChild(ctx, w.cw, domain.NewStay{PlaceID: b.ID, CaseID: c3, VictimID: v3, Reason: "r", Gatekeeping: "g"})
		if err != nil {
			t.Fatal(err)
		}
		to(2026, 6, 1)
		if err := w.sh.EndStay(ctx, w.cw, s3.ID, "ke paman", "kin"); err != nil {
			t.Fatal(err)
		}
		to(2027, 1, 15)
		years, err := w.sh.CareByYear(ctx, w.sup, 2025, 2026)
		if err != nil {
			t.Fatal(err)
		}
		want := []struct{ in, fam, adm, gate int }{{0, 1, 0, 0}, {2, 1, 2, 2}}
		for i, y := range years {
			if y.InLKSA != want[i].in || y.ToFamily != want[i].fam || y.LKSAAdmissions != want[i].adm || y.WithGatekeeping != want[i].gate {
				t.Errorf("%d: %+v, want %+v", y.Year, y, want[i])
			}
		}
		ret, err := w.sh.PopulationReturn(ctx, w.sup, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][4]int{}
		for _, r := range ret {
			if r.Opening+r.Admissions-r.Exits != r.Closing {
				t.Errorf("%s: %d + %d - %d != %d", r.Name, r.Opening, r.Admissions, r.Exits, r.Closing)
			}
			got[r.Name] = [4]int{r.Opening, r.Admissions, r.Exits, r.Closing}
		}
		if got["Rumah Aman A"] != [4]int{1, 0, 1, 0} || got["LKSA B"] != [4]int{0, 2, 1, 1} {
			t.Fatalf("population return 2026: %v", got)
		}
		kinds, err := w.sh.PlacesByKind(ctx, w.sup)
		if err != nil || len(kinds) != 2 {
			t.Fatalf("by kind: %+v %v", kinds, err)
		}
		for _, k := range kinds {
			if k.Kind == domain.PlaceLKSA && (k.Capacity != 10 || k.Staying != 1 || k.Active != 1) {
				t.Fatalf("LKSA row %+v", k)
			}
		}
	})
}
