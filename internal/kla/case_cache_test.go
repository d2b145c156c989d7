package kla_test

import (
	"reflect"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// The pages' Reader shows what BuildDashboard and CompletenessByAgency
// show, with the case counts read once per TTL: a case closed since is
// counted by the package functions at once and by the Reader once the TTL
// has passed (after one more view of the old counts while the new ones
// are read, unless they are five TTLs old). The counts of a window of years, per region group, are the
// counts of each year.
func TestReaderSharesCaseCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		clk := storetest.NewClock(time.Date(2025, 3, 10, 9, 0, 0, 0, domain.WIB))
		st := storetest.Open(t, d, storetest.Options{Now: clk.Now})
		if _, err := kla.EnsureShipped(bg, st); err != nil {
			t.Fatal(err)
		}
		sys := access.System("test")
		cs := cases.New(st, cases.Options{})
		closeABH := func(region, provider string) {
			t.Helper()
			c, err := cs.CreateCase(bg, sys, domain.NewCase{RegionCode: region, Priority: domain.PriorityMedium,
				Types: []domain.ViolenceType{domain.VABH}, Summary: "Kasus uji ABH"})
			if err != nil {
				t.Fatal(err)
			}
			if err := cs.AddDetail(bg, sys, c.ID, cases.CaseDetail{Service: &domain.Service{Type: "law_enforcement", Provider: provider,
				GivenOn: clk.Now().In(domain.WIB).Format("2006-01-02")}}); err != nil {
				t.Fatal(err)
			}
			if _, err := cs.Transition(bg, sys, c.ID, domain.Transition{To: domain.StatusClosed, Note: "Selesai"}); err != nil {
				t.Fatal(err)
			}
		}
		for i, r := range []string{"61.07.01", "61.07.01", "61.07.02", "61.07.02.2001", "61.07"} {
			closeABH(r, map[bool]string{true: "Diversi", false: "Pengadilan"}[i < 2])
		}

		r := kla.NewReader(st, 2*time.Minute)
		indicator22 := func(s kla.Score) string {
			for _, is := range s.Indicators {
				if is.Indicator.ID == "22" {
					return is.Value.Source + " " + is.Value.Detail
				}
			}
			return ""
		}
		live, err := kla.BuildDashboard(bg, st, sys, "61.07", 2025)
		if err != nil {
			t.Fatal(err)
		}
		shared, err := r.BuildDashboard(bg, sys, "61.07", 2025)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(live, shared) || indicator22(live.Score) != "computed 2/5" {
			t.Fatalf("the Reader's dashboard differs: %+v\nfrom %+v (22: %s)", shared, live, indicator22(live.Score))
		}
		// Two more restorative ABH cases closed in 2025.
		closeABH("61.07.02", "Diversi")
		closeABH("61.07.02", "Restoratif")
		if live, err = kla.BuildDashboard(bg, st, sys, "61.07", 2025); err != nil || indicator22(live.Score) != "computed 4/7" {
			t.Fatalf("live after two more: %s %v", indicator22(live.Score), err)
		}
		if shared, err = r.BuildDashboard(bg, sys, "61.07", 2025); err != nil || indicator22(shared.Score) != "computed 2/5" {
			t.Fatalf("shared within the TTL: %s %v", indicator22(shared.Score), err)
		}
		c, err := r.CompletenessByAgency(bg, sys, "61.07", 2025)
		if err != nil || indicator22(c.Score) != "computed 2/5" {
			t.Fatalf("completeness within the TTL: %s %v", indicator22(c.Score), err)
		}
		// After the TTL the old counts are shown once more while the new
		// ones are read in the background; then the new ones.
		clk.Advance(2 * time.Minute)
		if shared, err = r.BuildDashboard(bg, sys, "61.07", 2025); err != nil || indicator22(shared.Score) != "computed 2/5" {
			t.Fatalf("first view after the TTL: %s %v", indicator22(shared.Score), err)
		}
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			if shared, err = r.BuildDashboard(bg, sys, "61.07", 2025); err != nil {
				t.Fatal(err)
			}
			if reflect.DeepEqual(live, shared) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("shared after the TTL: %s", indicator22(shared.Score))
			}
		}
		if c, err = r.CompletenessByAgency(bg, sys, "61.07", 2025); err != nil || indicator22(c.Score) != "computed 4/7" {
			t.Fatalf("completeness after the TTL: %s %v", indicator22(c.Score), err)
		}
		// Counts five TTLs old are not shown: the view waits for new ones.
		closeABH("61.07.02", "Pengadilan")
		clk.Advance(10 * time.Minute)
		if c, err = r.CompletenessByAgency(bg, sys, "61.07", 2025); err != nil || indicator22(c.Score) != "computed 4/8" {
			t.Fatalf("completeness after five TTLs: %s %v", indicator22(c.Score), err)
		}

		clk.Advance(365 * 24 * time.Hour) // 2026
		closeABH("61.07.01", "Diversi")
		// A window of years is the sum of its years, per group.
		for _, glen := range []int{0, 8} {
			all, err := kla.CaseCounts(bg, st, sys, "61.07", glen, []int{2024, 2025, 2026})
			if err != nil {
				t.Fatal(err)
			}
			var each []kla.CaseCount
			for _, y := range []int{2024, 2025, 2026} {
				cc, err := kla.CaseCounts(bg, st, sys, "61.07", glen, []int{y})
				if err != nil {
					t.Fatal(err)
				}
				each = append(each, cc...)
			}
			byKey := func(cs []kla.CaseCount) map[string]kla.CaseCount {
				m := map[string]kla.CaseCount{}
				for _, c := range cs {
					m[c.Group+"|"+time.Date(c.Year, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006")] = c
				}
				return m
			}
			if !reflect.DeepEqual(byKey(all), byKey(each)) || len(all) == 0 {
				t.Errorf("group length %d: window %+v, years one by one %+v", glen, all, each)
			}
		}

	})
}
