package kla_test

import (
	"math"
	"slices"
	"testing"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// Completeness per agency on a fixture counted by hand (shipped catalogue:
// 31 indicators of 1000/31 points each under the default rubric; year
// 2025, regency 61.07):
//
//	dinkes (7, 8, 9, 10, 11, 12, 15): 11 = 100 % at the regency, verified;
//	7 = 0 per 1000 (best) at the regency; 9 = 50 % at district 61.07.01
//	(resolved from below); 8 only in 2023 (stale); 10 only in 2020 (before
//	the window: not stale); 12 in 2025 but in 13.01 (another province).
//	→ expected 7, entered 3, verified 1, stale 1, missing 8 10 12 15,
//	points 2.5 × 1000/31.
//	disdik (16, 17, 18): all 100 %, all verified → 3 3 3 0, nothing lost.
//	dp3a (8 indicators): only K4 in 2024 → 8 0 0 1, all 8 shares lost.
//
// Operators: the dinkes operators of the regency and of both districts
// count for the regency; for district 61.07.01 the one of 61.07.02 does
// not; one in 13.01 and a disabled one never; only those inside the
// caller's region are named.
func TestCompletenessByAgency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st, op, adm := setup(t, d)
		sys := access.System("test")
		put := func(sc domain.Scope, ind, region string, year int, v float64) {
			t.Helper()
			if err := kla.PutValues(bg, st, sc, regime, []domain.KLAValueInput{{IndicatorID: ind, RegionCode: region, Year: year, Value: v}}); err != nil {
				t.Fatalf("put %s %s %d: %v", ind, region, year, err)
			}
		}
		put(adm, "11", "61.07", 2025, 100)
		put(adm, "7", "61.07", 2025, 0)
		put(op, "9", "61.07.01", 2025, 50)
		put(adm, "8", "61.07", 2023, 10)
		put(adm, "10", "61.07", 2020, 5)
		put(sys, "12", "13.01", 2025, 7)
		for _, id := range []string{"16", "17", "18"} {
			put(adm, id, "61.07", 2025, 100)
			if err := kla.VerifyValue(bg, st, adm, regime, "61.07", 2025, id, true, nil, ""); err != nil {
				t.Fatal(err)
			}
		}
		if err := kla.VerifyValue(bg, st, adm, regime, "61.07", 2025, "11", true, nil, ""); err != nil {
			t.Fatal(err)
		}
		put(adm, "K4", "61.07", 2024, 1)
		for _, u := range []struct{ name, region string }{{"op-kes-reg", "61.07"}, {"op-kes-b", "61.07.02"}, {"op-kes-far", "13.01"}, {"op-kes-off", "61.07"}} {
			x, err := st.CreateUser(bg, sys, domain.NewUser{Username: u.name, Role: domain.RoleOPDOperator, RegionCode: u.region, Password: "correct horse battery"})
			if err != nil {
				t.Fatal(err)
			}
			if err := kla.SetUserAgency(bg, st, sys, x.ID, "dinkes"); err != nil {
				t.Fatal(err)
			}
			if u.name == "op-kes-off" {
				off := true
				if _, err := st.UpdateUser(bg, sys, x.ID, domain.UserUpdate{Disabled: &off}); err != nil {
					t.Fatal(err)
				}
			}
		}

		share := 1000.0 / 31
		c, err := kla.CompletenessByAgency(bg, st, adm, "61.07", 2025)
		if err != nil {
			t.Fatal(err)
		}
		if c.Region.Code != "61.07" || c.Year != 2025 || c.Regime.ID != regime || len(c.Agencies) != 14 {
			t.Fatalf("table: %s %d %s, %d agencies", c.Region.Code, c.Year, c.Regime.ID, len(c.Agencies))
		}
		if sc, _, err := kla.ScoreRegion(bg, st, adm, "61.07", 2025); err != nil || math.Abs(sc.Total-c.Score.Total) > 1e-9 || math.Abs(c.Score.Total-5.5*1000/31) > 1e-6 {
			t.Errorf("score %.4f, ScoreRegion's %.4f (%v), want 5.5 shares", c.Score.Total, sc.Total, err)
		}
		total := 0
		for _, a := range c.Agencies {
			total += a.Expected
		}
		if total != 31 {
			t.Errorf("%d indicators expected in all, want 31", total)
		}
		type want struct {
			expected, entered, verified, stale int
			missing                            []string
			lost                               float64
			ops                                []string
		}
		check := func(c kla.Completeness, code string, w want) {
			t.Helper()
			a, ok := c.Agency(code)
			if !ok {
				t.Fatalf("%s: no row", code)
			}
			var missing []string
			for _, m := range a.Missing {
				missing = append(missing, m.ID)
			}
			if a.Expected != w.expected || a.Entered != w.entered || a.Verified != w.verified || a.Stale != w.stale ||
				!slices.Equal(missing, w.missing) || math.Abs(a.PointsLost-w.lost) > 1e-6 || !slices.Equal(a.Operators, w.ops) {
				t.Errorf("%s in %s: expected %d entered %d verified %d stale %d missing %v lost %.4f operators %v; want %+v (lost %.4f)",
					code, c.Region.Code, a.Expected, a.Entered, a.Verified, a.Stale, missing, a.PointsLost, a.Operators, w, w.lost)
			}
		}
		check(c, "dinkes", want{7, 3, 1, 1, []string{"8", "10", "12", "15"}, 4.5 * share, []string{"op-dinkes", "op-kes-b", "op-kes-reg"}})
		check(c, "disdik", want{3, 3, 3, 0, nil, 0, nil})
		check(c, "dp3a", want{8, 0, 0, 1, []string{"K3", "K4", "K6", "K7", "3", "5", "21", "22"}, 8 * share, nil})
		if a, _ := c.Agency("dinkes"); a.StaleYear["8"] != 2023 || a.Agency.Name != "Dinas Kesehatan" {
			t.Errorf("dinkes: stale years %v, name %q", a.StaleYear, a.Agency.Name)
		}
		// The agency losing the most points first, the complete one last.
		if c.Agencies[0].Agency.Code != "dp3a" || c.Agencies[1].Agency.Code != "dinkes" || c.Agencies[len(c.Agencies)-1].Agency.Code != "disdik" {
			t.Errorf("order: %s, %s ... %s", c.Agencies[0].Agency.Code, c.Agencies[1].Agency.Code, c.Agencies[len(c.Agencies)-1].Agency.Code)
		}
		for i := 1; i < len(c.Agencies); i++ {
			if c.Agencies[i].PointsLost > c.Agencies[i-1].PointsLost+1e-9 {
				t.Errorf("row %d loses more than the row before", i)
			}
		}

		// The district: only what was entered there counts, and only the
		// operators who may enter its values.
		c, err = kla.CompletenessByAgency(bg, st, op, "61.07.01", 2025)
		if err != nil {
			t.Fatal(err)
		}
		check(c, "dinkes", want{7, 1, 0, 0, []string{"7", "8", "10", "11", "12", "15"}, 6.5 * share, []string{"op-dinkes"}})
		check(c, "disdik", want{3, 0, 0, 0, []string{"16", "17", "18"}, 3 * share, nil})
		// The regency's operator may enter the district's values too, but
		// is named only to a caller whose region holds the regency.
		if c, err = kla.CompletenessByAgency(bg, st, adm, "61.07.01", 2025); err != nil {
			t.Fatal(err)
		}
		check(c, "dinkes", want{7, 1, 0, 0, []string{"7", "8", "10", "11", "12", "15"}, 6.5 * share, []string{"op-dinkes", "op-kes-reg"}})

		// Who may see it: as the dashboard.
		if _, err := kla.CompletenessByAgency(bg, st, adm, "13.01", 2025); !domain.IsNotFound(err) {
			t.Errorf("region outside the caller's: %v", err)
		}
		if _, err := kla.CompletenessByAgency(bg, st, op, "61.07", 2025); !domain.IsNotFound(err) {
			t.Errorf("district operator on the regency: %v", err)
		}
		resp := access.ForUser(domain.User{ID: "r", Role: domain.RoleResponder, RegionCode: "61.07"}, "127.0.0.1", "test")
		if _, err := kla.CompletenessByAgency(bg, st, resp, "61.07", 2025); domain.CodeOf(err) != domain.EForbidden {
			t.Errorf("responder: %v", err)
		}
	})
}
