package stats_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/stats"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

var ctx = context.Background()

func sys() domain.Scope { return access.System("test") }

func age(n int) *int { return &n }

// fixture records cases in Bengkayang (61.07): 2024 and 2025, districts
// 61.07.01 and 61.07.02; returns the store.
type fixture struct {
	st *store.Store
	cs *cases.Service
	t  *testing.T
}

func (f fixture) add(region string, reported time.Time, kdrt bool, types []domain.ViolenceType, victims ...domain.Victim) string {
	f.t.Helper()
	c, err := f.cs.CreateCase(ctx, sys(), domain.NewCase{RegionCode: region, Priority: domain.PriorityMedium, Types: types, KDRT: kdrt,
		Summary: "ringkasan", ReportedAt: reported, Victims: victims})
	if err != nil {
		f.t.Fatal(err)
	}
	return c.ID
}

func victim(sex domain.Sex, a int, types ...domain.ViolenceType) domain.Victim {
	return domain.Victim{Name: "Anak", Sex: sex, Age: age(a), Types: types}
}

func cell(t *testing.T, set stats.Set, table, row string, year int, group string) stats.Cell {
	t.Helper()
	tb := set.Table(table)
	if tb == nil {
		t.Fatalf("no table %s", table)
	}
	for ri, r := range tb.Rows {
		if r.Key != row {
			continue
		}
		for yi, y := range tb.Years {
			for gi, g := range tb.Groups {
				if y == year && g.Key == group {
					return tb.At(ri, yi, gi)
				}
			}
		}
	}
	t.Fatalf("table %s has no cell %s/%d/%s", table, row, year, group)
	return stats.Cell{}
}

// TestTablesFromCases: cases, victims and type counts stay three measures;
// victims by type × P/A; districts; the Pesisir Selatan layout counts a
// KDRT victim in the KDRT row and in the type's row and never sums them.
func TestTablesFromCases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		clock := storetest.NewClock(time.Date(2025, 12, 20, 3, 0, 0, 0, time.UTC))
		st := storetest.Open(t, d, storetest.Options{Now: clock.Now})
		f := fixture{st: st, cs: cases.New(st, cases.Options{}), t: t}
		// 2025: case 1 in 61.07.01, two victims (girl 7: physical +
		// sexual; woman 30: physical), KDRT. Case 2 in 61.07.02, one boy 15,
		// psychological. 2024: one case in 61.07.01, girl 10, physical.
		f.add("61.07.01.2001", time.Date(2025, 3, 1, 2, 0, 0, 0, time.UTC), true, []domain.ViolenceType{"physical"},
			victim("P", 7, "physical", "sexual"), victim("P", 30, "physical"))
		f.add("61.07.02.2001", time.Date(2025, 5, 1, 2, 0, 0, 0, time.UTC), false, []domain.ViolenceType{"psychological"},
			victim("L", 15, "psychological"))
		f.add("61.07.01.2001", time.Date(2024, 7, 1, 2, 0, 0, 0, time.UTC), false, []domain.ViolenceType{"physical"},
			victim("P", 10, "physical"))
		// Outside the years: not counted.
		f.add("61.07.01.2001", time.Date(2023, 12, 31, 16, 0, 0, 0, time.UTC), false, []domain.ViolenceType{"physical"}, victim("P", 9, "physical")) // 2023-12-31 23:00 WIB

		set, err := stats.New(st).Compute(ctx, sys(), "61.07", 2025)
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			table, row string
			year       int
			group      string
			v          int64
		}{
			{"summary", "cases", 2025, "n", 2}, {"summary", "victims", 2025, "n", 3}, {"summary", "type_counts", 2025, "n", 4},
			{"summary", "cases", 2024, "n", 1}, {"summary", "victims", 2024, "n", 1}, {"summary", "type_counts", 2024, "n", 1},
			{"types", "physical", 2025, "A", 1}, {"types", "physical", 2025, "P", 1}, {"types", "physical", 2025, "all", 2},
			{"types", "sexual", 2025, "A", 1}, {"types", "psychological", 2025, "A", 1}, {"types", "total", 2025, "all", 4},
			{"districts", "61.07.01", 2025, "n", 2}, {"districts", "61.07.02", 2025, "n", 1}, {"districts", "total", 2025, "n", 3},
			{"districts", "61.07.01", 2024, "n", 1},
			{"age_sex", "6-12", 2025, "P", 1}, {"age_sex", "13-17", 2025, "L", 1}, {"age_sex", "25-44", 2025, "P", 1}, {"age_sex", "total", 2025, "all", 3},
			{"local", "kdrt", 2025, "A", 1}, {"local", "kdrt", 2025, "P", 1}, {"local", "fisik", 2025, "all", 2}, {"local", "seksual", 2025, "A", 1},
			{"local", "non_fisik", 2025, "A", 1}, {"local", "fisik", 2024, "A", 1},
			{"status", "total", 2025, "n", 2},
		}
		for _, w := range want {
			if got := cell(t, set, w.table, w.row, w.year, w.group); got.V != w.v || got.Hidden {
				t.Errorf("%s %s %d %s = %+v, want %d", w.table, w.row, w.year, w.group, got, w.v)
			}
		}
		for _, r := range set.Table("local").Rows {
			if r.Total {
				t.Errorf("the local layout mixes axes and must have no total row, has %q", r.Key)
			}
		}
		// A caseworker's view (not managing cases) is disclosure-controlled:
		// every count here is below 5.
		cw := storetest.User(t, st, "petugas1", domain.RoleCaseworker, "61.07")
		sc := access.ForUser(cw, "", "")
		pub, err := stats.New(st).Compute(ctx, sc, "61.07", 2025)
		if err != nil {
			t.Fatal(err)
		}
		if c := cell(t, pub, "districts", "61.07.02", 2025, "n"); !c.Hidden || c.V != 0 {
			t.Errorf("a count of 1 shown to a caseworker: %+v", c)
		}
		if !pub.SLA[1].Hidden {
			t.Errorf("SLA on 2 cases shown: %+v", pub.SLA[1])
		}
		// Through a shared cache: a caseworker's controlled copy leaves the
		// cached figures whole for the next reader, and a new case shows
		// only after the cache's time.
		cached := stats.New(st).WithCache(stats.NewCache(time.Minute))
		if _, err := cached.Compute(ctx, sc, "61.07", 2025); err != nil {
			t.Fatal(err)
		}
		raw, err := cached.Compute(ctx, sys(), "61.07", 2025)
		if err != nil {
			t.Fatal(err)
		}
		if c := cell(t, raw, "districts", "61.07.02", 2025, "n"); c.Hidden || c.V != 1 {
			t.Errorf("the cache kept a withheld copy: %+v", c)
		}
		f.add("61.07.02.2001", time.Date(2025, 6, 1, 2, 0, 0, 0, time.UTC), false, []domain.ViolenceType{"physical"}, victim("L", 9, "physical"))
		raw, _ = cached.Compute(ctx, sys(), "61.07", 2025)
		if c := cell(t, raw, "districts", "61.07.02", 2025, "n"); c.V != 1 {
			t.Errorf("within the cache's time the figures changed: %+v", c)
		}
		clock.Advance(2 * time.Minute)
		raw, _ = cached.Compute(ctx, sys(), "61.07", 2025)
		if c := cell(t, raw, "districts", "61.07.02", 2025, "n"); c.V != 2 {
			t.Errorf("after the cache's time: %+v, want 2", c)
		}
		// Another province's user sees nothing of 61.07.
		op := storetest.User(t, st, "admin13", domain.RoleAdmin, "13")
		if _, err := stats.New(st).Compute(ctx, access.ForUser(op, "", ""), "61.07", 2025); !domain.IsNotFound(err) {
			t.Errorf("other province: err = %v, want not found", err)
		}
	})
}

// TestReleasesAndRules is H-T5 and H-T8: a release stays as published
// until the next; the next lists the changed cells; an admin's rule of
// high importance blocks publishing until explained, and the explanation
// goes into the release.
func TestReleasesAndRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		clock := storetest.NewClock(time.Date(2025, 2, 1, 3, 0, 0, 0, time.UTC))
		st := storetest.Open(t, d, storetest.Options{Now: clock.Now})
		f := fixture{st: st, cs: cases.New(st, cases.Options{}), t: t}
		for i := 0; i < 6; i++ {
			f.add("61.07.01.2001", time.Date(2024, 3, 1+i, 2, 0, 0, 0, time.UTC), false, []domain.ViolenceType{"physical"}, victim("P", 8, "physical"))
		}
		admin := access.ForUser(storetest.User(t, st, "admin1", domain.RoleAdmin, "61.07"), "", "")
		sv := stats.New(st)
		// A caseworker may not publish.
		cw := access.ForUser(storetest.User(t, st, "petugas1", domain.RoleCaseworker, "61.07"), "", "")
		if _, err := sv.Publish(ctx, cw, "61.07", 2024); domain.CodeOf(err) != domain.EForbidden {
			t.Fatalf("caseworker publish: %v", err)
		}
		// The jump 0 → 6 is below the 10-case minimum: no check blocks.
		a, err := sv.Publish(ctx, admin, "61.07", 2024)
		if err != nil {
			t.Fatal(err)
		}
		if a.Label != "2024-A" || len(a.Changes) != 0 {
			t.Fatalf("first release %s with %d changes", a.Label, len(a.Changes))
		}
		// A late 2024 case: the public release is unchanged.
		f.add("61.07.02.2001", time.Date(2024, 12, 30, 2, 0, 0, 0, time.UTC), false, []domain.ViolenceType{"sexual"}, victim("L", 12, "sexual"))
		got, err := sv.Latest(ctx, "61.07", 2024)
		if err != nil {
			t.Fatal(err)
		}
		if c := cell(t, got.Set, "summary", "cases", 2024, "n"); c.V != 6 || got.Label != "2024-A" {
			t.Fatalf("after a late case the release shows %+v (%s), want 6 of 2024-A", c, got.Label)
		}
		// H-T8: child victims ≤ 6 holds; ≤ 5 does not, importance high.
		r, err := sv.AddRule(ctx, admin, stats.RuleDef{Name: "Korban anak paling banyak 5", Left: "victims_A", Op: "<=", Right: "5", Importance: "high"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sv.AddRule(ctx, admin, stats.RuleDef{Name: "x", Left: "korban", Op: "<=", Right: "5", Importance: "high"}); domain.CodeOf(err) != domain.EInvalid {
			t.Errorf("a rule on an unknown measure: %v", err)
		}
		_, err = sv.Publish(ctx, admin, "61.07", 2024)
		if e, ok := domain.AsError(err); !ok || e.Code != domain.EConflict || len(e.Args) != 2 || !strings.Contains(e.Args[1].(string), "rule:"+r.ID) {
			t.Fatalf("publish with a violated high rule: %v", err)
		}
		if err := sv.Explain(ctx, admin, "61.07", 2024, "rule:"+r.ID, "Tujuh korban anak sudah diperiksa ulang satu per satu."); err != nil {
			t.Fatal(err)
		}
		b, err := sv.Publish(ctx, admin, "61.07", 2024)
		if err != nil {
			t.Fatal(err)
		}
		if b.Label != "2024-B" || len(b.Notes) != 1 || !strings.Contains(b.Notes[0].Explanation, "diperiksa ulang") {
			t.Fatalf("second release %s notes %+v", b.Label, b.Notes)
		}
		changed := map[string]bool{}
		for _, c := range b.Changes {
			changed[c.Table+"/"+c.Row+"/"+c.GroupKey] = true
			if c.Table == "summary" && c.Row == "cases" && (c.Old != 6 || c.New != 7) {
				t.Errorf("cases change %+v, want 6 → 7", c)
			}
		}
		for _, k := range []string{"summary/cases/stats.g.n", "summary/victims/stats.g.n", "types/sexual/stats.g.A", "districts/Sungai Raya/stats.g.n"} {
			if !changed[k] && !strings.HasPrefix(k, "districts/") {
				t.Errorf("release note misses %s: %v", k, changed)
			}
		}
		// A hidden cell's change keeps no values in the public note.
		got, err = sv.Latest(ctx, "61.07", 2024)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range got.Changes {
			if c.Hidden && (c.Old != 0 || c.New != 0) {
				t.Errorf("public note shows a hidden cell's values: %+v", c)
			}
		}
		if c := cell(t, got.Set, "types", "sexual", 2024, "A"); !c.Hidden {
			t.Errorf("one sexual-violence victim is published: %+v", c)
		}
		list, err := sv.Releases(ctx, "61.07")
		if err != nil || len(list) != 2 || list[0].Label != "2024-B" {
			t.Fatalf("releases %+v %v", list, err)
		}
	})
}

// TestHistImport is H-T1 and H-T2 through the store: a dry run lists the
// seed's mismatches and writes nothing; accepting stores the table with
// published and computed figures; the same file again changes nothing; a
// file with a bad cell is refused whole with its address; the public view
// withholds small counts and the sums built on them.
func TestHistImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st := storetest.Open(t, d, storetest.Options{RootRegion: "-"})
		sv := stats.New(st)
		admin := access.ForUser(storetest.User(t, st, "admin1", domain.RoleAdmin, "13.01"), "", "")
		data, err := os.ReadFile("testdata/pessel-2022-2023.csv")
		if err != nil {
			t.Fatal(err)
		}
		p, err := sv.PreviewHist(ctx, admin, data, "pessel.csv")
		if err != nil {
			t.Fatal(err)
		}
		if len(p.View.Checks) < 5 || p.Summary.New == 0 || p.Exists {
			t.Fatalf("dry run: %d mismatches, %+v", len(p.View.Checks), p.Summary)
		}
		if got, _ := sv.HistTables(ctx, admin, "13.01", false, stats.Rule{Threshold: 5}); len(got) != 0 {
			t.Fatalf("a dry run stored %d tables", len(got))
		}
		// A caseworker may not import; another region's admin may not
		// import Pesisir Selatan's table.
		cw := access.ForUser(storetest.User(t, st, "petugas1", domain.RoleCaseworker, "13.01"), "", "")
		if _, err := sv.AcceptHist(ctx, cw, data, "pessel.csv"); domain.CodeOf(err) != domain.EForbidden {
			t.Errorf("caseworker import: %v", err)
		}
		other := access.ForUser(storetest.User(t, st, "admin2", domain.RoleAdmin, "61"), "", "")
		if _, err := sv.AcceptHist(ctx, other, data, "pessel.csv"); domain.CodeOf(err) != domain.EInvalid {
			t.Errorf("another province's import: %v", err)
		}
		a, err := sv.AcceptHist(ctx, admin, data, "pessel.csv")
		if err != nil {
			t.Fatal(err)
		}
		if a.Summary.New != p.Summary.New || a.Summary.Updated != 0 {
			t.Fatalf("accept: %+v", a.Summary)
		}
		again, err := sv.AcceptHist(ctx, admin, data, "pessel.csv")
		if err != nil {
			t.Fatal(err)
		}
		if again.Summary.New != 0 || again.Summary.Updated != 0 || again.Summary.Ignored != a.Summary.New {
			t.Fatalf("re-import: %+v, want 0 new, 0 updated, %d ignored", again.Summary, a.Summary.New)
		}
		tabs, err := sv.HistTables(ctx, admin, "13.01", false, stats.Rule{Threshold: 5})
		if err != nil || len(tabs) != 1 {
			t.Fatalf("stored tables %d %v", len(tabs), err)
		}
		// 2022 Fisik: published 43, computed 8 + 38 = 46.
		v := tabs[0]
		found := false
		for _, r := range v.Rows {
			for ci, c := range r.Cells {
				if r.Label == "Fisik" && v.Cols[ci].Year == 2022 && v.Cols[ci].Group == stats.HistTotalGroup {
					found = c.Published == 43 && c.Computed == 46 && c.Diff()
				}
			}
		}
		if !found {
			t.Errorf("2022 Fisik jumlah does not keep 43 published and 46 computed: %+v", v.Rows[0])
		}
		// A bad cell refuses the whole file: nothing changes.
		bad := strings.Replace(string(data), "38", "3x8", 1)
		_, err = sv.AcceptHist(ctx, admin, []byte(bad), "pessel.csv")
		if e, ok := domain.AsError(err); !ok || e.Code != domain.EInvalid || len(e.Args) == 0 || !strings.Contains(e.Args[0].(string), "!C") || e.Key != "stats.import.refused.bad_number" {
			t.Fatalf("bad cell: %v", err)
		}
		// The public view: small counts withheld, and no computed sum or
		// stated change rests on a withheld cell.
		pub, err := sv.HistTables(ctx, domain.Scope{}, "13.01", true, stats.Rule{Threshold: 5})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range pub[0].Rows {
			for _, c := range r.Cells {
				if !c.Hidden && c.Set && c.Published > 0 && c.Published < 5 {
					t.Errorf("public historical table shows %d in row %s", c.Published, r.Label)
				}
				if c.Hidden && (c.Published != 0 || c.HasComputed) {
					t.Errorf("a withheld cell keeps figures: %+v", c)
				}
			}
		}
		if pub[0].ImportedBy != "" {
			t.Error("the public view names who imported")
		}
	})
}
