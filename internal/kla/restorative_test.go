package kla_test

import (
	"math"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// Indicator 22 (share of ABH cases resolved by restorative justice) is
// computed from case records: ABH cases closed in the year, restorative
// when a law_enforcement or legal_aid service names "diversi" or
// "restorat" in its provider. Other service types, other case types,
// cases closed in another year and cases still open do not count.
func TestIndicator22FromABHCases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		clk := storetest.NewClock(time.Date(2025, 3, 10, 9, 0, 0, 0, domain.WIB))
		st := storetest.Open(t, d, storetest.Options{Now: clk.Now})
		if _, err := kla.EnsureShipped(bg, st); err != nil {
			t.Fatal(err)
		}
		sys := access.System("test")
		type svc struct{ typ, provider string }
		mk := func(types []domain.ViolenceType, services []svc, close bool) {
			t.Helper()
			c, err := cases.New(st, cases.Options{}).CreateCase(bg, sys, domain.NewCase{RegionCode: "61.07.01", Priority: domain.PriorityMedium, Types: types,
				Summary: "Kasus uji ABH"})
			if err != nil {
				t.Fatalf("create case: %v", err)
			}
			for _, s := range services {
				if err := cases.New(st, cases.Options{}).AddDetail(bg, sys, c.ID, cases.CaseDetail{Service: &domain.Service{Type: s.typ, Provider: s.provider,
					GivenOn: clk.Now().In(domain.WIB).Format("2006-01-02")}}); err != nil {
					t.Fatalf("add service: %v", err)
				}
			}
			if close {
				if _, err := cases.New(st, cases.Options{}).Transition(bg, sys, c.ID, domain.Transition{To: domain.StatusClosed, Note: "Selesai"}); err != nil {
					t.Fatalf("close: %v", err)
				}
			}
		}
		abh := []domain.ViolenceType{domain.VABH}
		// Closed in 2025: 5 ABH cases, 2 resolved by diversion / restorative justice.
		mk(abh, []svc{{"law_enforcement", "Diversi di Polres Bengkayang"}}, true)
		mk(abh, []svc{{"psychosocial", "UPTD PPA"}, {"legal_aid", "LBH: Keadilan RESTORATIF"}}, true)
		mk(abh, []svc{{"law_enforcement", "Polres Bengkayang (persidangan)"}}, true)
		mk(abh, []svc{{"psychosocial", "Diversi (salah jenis layanan)"}}, true) // wrong service type
		mk(abh, nil, true)
		// Not counted: ABH still open; a non-ABH case with a diversion.
		mk(abh, []svc{{"law_enforcement", "Diversi"}}, false)
		mk([]domain.ViolenceType{domain.VPhysical}, []svc{{"law_enforcement", "Diversi"}}, true)
		// Closed in 2026: one restorative ABH case, another year.
		clk.Advance(365 * 24 * time.Hour)
		mk(abh, []svc{{"law_enforcement", "diversi"}}, true)

		check := func(year int, want float64, detail string) {
			t.Helper()
			s, _, err := kla.ScoreRegion(bg, st, sys, "61.07", year)
			if err != nil {
				t.Fatal(err)
			}
			for _, is := range s.Indicators {
				if is.Indicator.ID != "22" {
					continue
				}
				v := is.Value
				if v.Source != "computed" || v.Self == nil || math.Abs(*v.Self-want) > 1e-9 || v.Verified == nil || *v.Verified != want || v.Detail != detail {
					t.Errorf("year %d: indicator 22 = %+v (self %v), want computed %v (%s)", year, v, v.Self, want, detail)
				}
				return
			}
			t.Fatalf("year %d: no indicator 22", year)
		}
		check(2025, 40, "2/5")
		cc, err := kla.CaseCounts(bg, st, sys, "61.07", 0, []int{2025})
		if err != nil || len(cc) != 1 || cc[0].ABHClosed != 5 || cc[0].ABHRestor != 2 {
			t.Errorf("case counts 2025: %+v %v", cc, err)
		}
		// No ABH case closed in 2024, and one in 2026 (fewer than MinCell,
		// which could identify the child): the indicator is not computed.
		for _, year := range []int{2024, 2026} {
			s, _, err := kla.ScoreRegion(bg, st, sys, "61.07", year)
			if err != nil {
				t.Fatal(err)
			}
			for _, is := range s.Indicators {
				if is.Indicator.ID == "22" && is.Value.Source == "computed" {
					t.Errorf("%d with %s: computed from too few cases", year, is.Value.Detail)
				}
			}
		}
	})
}
