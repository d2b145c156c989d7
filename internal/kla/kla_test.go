package kla_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/demo"
	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/kla"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

var bg = context.Background()

const regime = kla.Regime2011

// setup opens a store with the shipped catalogue and returns it with the
// scope of a health-office operator in district 61.07.01 and of a
// regency admin.
func setup(t *testing.T, d store.Dialect) (*store.Store, domain.Scope, domain.Scope) {
	t.Helper()
	st := storetest.Open(t, d, storetest.Options{})
	if loaded, err := kla.EnsureShipped(bg, st); err != nil || !loaded {
		t.Fatalf("EnsureShipped: %v %v", loaded, err)
	}
	if loaded, err := kla.EnsureShipped(bg, st); err != nil || loaded {
		t.Fatalf("EnsureShipped twice: %v %v", loaded, err)
	}
	sys := access.System("test")
	op, err := st.CreateUser(bg, sys, domain.NewUser{Username: "op-dinkes", Role: domain.RoleOPDOperator, RegionCode: "61.07.01", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	if err := kla.SetUserAgency(bg, st, sys, op.ID, "dinkes"); err != nil {
		t.Fatal(err)
	}
	adm, err := st.CreateUser(bg, sys, domain.NewUser{Username: "adm", Role: domain.RoleAdmin, RegionCode: "61.07", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	return st, access.ForUser(op, "127.0.0.1", "test"), access.ForUser(adm, "127.0.0.1", "test")
}

// en renders a message in English, as an English-UI user reads it.
func en(m domain.Msg) string { return httpx.Text("en", m) }

// reasons renders a row error's reasons in English.
func reasons(e kla.RowError) string {
	var out []string
	for _, m := range e.Reasons {
		out = append(out, en(m))
	}
	return strings.Join(out, "; ")
}

func count(t *testing.T, st *store.Store, sc domain.Scope) int {
	t.Helper()
	vs, err := kla.ListValues(bg, st, sc, kla.ValueFilter{Regime: regime, Limit: 5000})
	if err != nil {
		t.Fatal(err)
	}
	return len(vs)
}

// An opd_operator of one agency cannot edit another agency's indicators,
// nor a region outside their own; an unbound operator enters nothing.
func TestOperatorLimitedToAgencyAndRegion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st, op, adm := setup(t, d)
		ok := domain.KLAValueInput{IndicatorID: "11", RegionCode: "61.07.01", Year: 2025, Value: 91.5, Note: "Laporan Puskesmas"}
		if err := kla.PutValues(bg, st, op, regime, []domain.KLAValueInput{ok}); err != nil {
			t.Fatalf("own indicator, own region: %v", err)
		}
		bad := []struct {
			name string
			in   domain.KLAValueInput
			want string
		}{
			{"other agency (education)", domain.KLAValueInput{IndicatorID: "17", RegionCode: "61.07.01", Year: 2025, Value: 80}, "belongs to agency disdik"},
			{"other district", domain.KLAValueInput{IndicatorID: "11", RegionCode: "61.07.02", Year: 2025, Value: 80}, "outside your area"},
			{"the regency above", domain.KLAValueInput{IndicatorID: "11", RegionCode: "61.07", Year: 2025, Value: 80}, "outside your area"},
			{"other province", domain.KLAValueInput{IndicatorID: "11", RegionCode: "13.01", Year: 2025, Value: 80}, "outside your area"},
		}
		for _, c := range bad {
			err := kla.PutValues(bg, st, op, regime, []domain.KLAValueInput{ok, c.in})
			var ve *kla.ValuesError
			if !errors.As(err, &ve) || domain.CodeOf(err) != domain.EInvalid || !strings.Contains(en(ve.Rows[1]), c.want) || len(ve.Rows) != 1 {
				t.Errorf("%s: %v", c.name, err)
			}
		}
		if n := count(t, st, adm); n != 1 {
			t.Errorf("after rejected batches: %d values, want 1 (nothing half-written)", n)
		}
		// Verification is the task force's, not the operator's.
		if err := kla.VerifyValue(bg, st, op, regime, "61.07.01", 2025, "11", true, nil, ""); domain.CodeOf(err) != domain.EForbidden {
			t.Errorf("operator verified: %v", err)
		}
		// An operator without an agency enters nothing.
		u, _ := st.CreateUser(bg, access.System("test"), domain.NewUser{Username: "op-none", Role: domain.RoleOPDOperator, RegionCode: "61.07", Password: "correct horse battery"})
		if err := kla.PutValues(bg, st, access.ForUser(u, "", ""), regime, []domain.KLAValueInput{ok}); domain.CodeOf(err) != domain.EForbidden {
			t.Errorf("unbound operator: %v", err)
		}
		// A viewer (task force) verifies but does not enter.
		v, _ := st.CreateUser(bg, access.System("test"), domain.NewUser{Username: "gugus", Role: domain.RoleViewer, RegionCode: "61.07", Password: "correct horse battery"})
		vsc := access.ForUser(v, "", "")
		if err := kla.PutValues(bg, st, vsc, regime, []domain.KLAValueInput{ok}); domain.CodeOf(err) != domain.EForbidden {
			t.Errorf("viewer entered: %v", err)
		}
		cut := 85.0
		if err := kla.VerifyValue(bg, st, vsc, regime, "61.07.01", 2025, "11", true, &cut, "bukti sebagian"); err != nil {
			t.Fatal(err)
		}
		vals, _ := kla.ListValues(bg, st, adm, kla.ValueFilter{Regime: regime, RegionCode: "61.07.01", Year: 2025})
		if len(vals) != 1 || *vals[0].SelfValue != 91.5 || *vals[0].VerifiedValue != 85 || vals[0].Status != domain.KLAVerified {
			t.Fatalf("after verification: %+v", vals)
		}
		// A new self-assessment keeps the verified value apart and goes back to pending.
		ok.Value = 93
		if err := kla.PutValues(bg, st, op, regime, []domain.KLAValueInput{ok}); err != nil {
			t.Fatal(err)
		}
		vals, _ = kla.ListValues(bg, st, adm, kla.ValueFilter{Regime: regime, RegionCode: "61.07.01", Year: 2025})
		if *vals[0].SelfValue != 93 || *vals[0].VerifiedValue != 85 || vals[0].Status != domain.KLAPending {
			t.Fatalf("after re-entry: %+v", vals[0])
		}
		h, err := kla.ValueHistory(bg, st, adm, regime, "61.07.01", 2025, "11")
		if err != nil || len(h) != 3 || h[0].Kind != "entered" || h[1].Kind != "verified" || h[2].Kind != "entered" || *h[1].Value != 85 {
			t.Fatalf("history: %v %+v", err, h)
		}
		// Out-of-region history is not found.
		if _, err := kla.ValueHistory(bg, st, op, regime, "61.07.02", 2025, "11"); !domain.IsNotFound(err) {
			t.Errorf("history outside region: %v", err)
		}
	})
}

// A bulk import with any bad row writes nothing and reports every bad row
// with its line and reason; a good file writes every row.
func TestImportAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st, op, adm := setup(t, d)
		bad := "indicator,region_code,year,value,note,link\n" +
			"11,61.07.01,2025,91,ok,\n" + // 2 fine
			"8,61.07.01,2025,abc,,\n" + // 3 not a number
			"17,61.07.01,2025,80,,\n" + // 4 other agency
			"7,61.07.02,2025,20,,\n" + // 5 other region
			"9,61.07.01,2025,140,,\n" + // 6 percent above 100
			"\n" +
			"12,61.07.01,2025,3.5,,\n" + // 8 count not whole
			"10,61.07.01,2025,4,,javascript:alert(1)\n" + // 9 bad link
			"11,61.07.01,2025,92,,\n" // 10 duplicate of line 2
		_, err := kla.ImportValues(bg, st, op, regime, []byte(bad), "nilai.csv", kla.Target{})
		var re kla.RowErrors
		if !errors.As(err, &re) {
			t.Fatalf("want row errors, got %v", err)
		}
		want := map[int]string{3: "not a number", 4: "belongs to agency", 5: "outside your area", 6: "between 0 and 100",
			8: "whole number", 9: "http(s)", 10: "same indicator"}
		if len(re) != len(want) {
			t.Errorf("got %d row errors, want %d: %+v", len(re), len(want), re)
		}
		for _, e := range re {
			if w, ok := want[e.Line]; !ok || !strings.Contains(reasons(e), w) {
				t.Errorf("line %d: %q (want %q)", e.Line, reasons(e), w)
			}
		}
		if n := count(t, st, adm); n != 0 {
			t.Fatalf("%d values written by a rejected import", n)
		}
		good := "\xef\xbb\xbfindicator;region_code;year;value;note\n11;61.07.01;2025;91,5;Laporan\n8;61.07.01;2025;4,2;\n10;61.07.01;2025;;\n"
		// On the entry page of district 61.07.02 or of 2024 the same file is
		// refused whole, both value rows naming the page's region or year.
		for _, target := range []kla.Target{{Region: "61.07.02", Year: 2025}, {Region: "61.07.01", Year: 2024}} {
			_, err := kla.ImportValues(bg, st, op, regime, []byte(good), "nilai.csv", target)
			var re kla.RowErrors
			if !errors.As(err, &re) || len(re) != 2 {
				t.Fatalf("upload on the page of %+v: %v", target, err)
			}
			for _, e := range re {
				if !strings.Contains(reasons(e), "61.07.02") && !strings.Contains(reasons(e), "2024") {
					t.Errorf("line %d: %q does not name the page's region or year", e.Line, reasons(e))
				}
			}
			if n := count(t, st, adm); n != 0 {
				t.Fatalf("%d values written by an upload for another page", n)
			}
		}
		n, err := kla.ImportValues(bg, st, op, regime, []byte(good), "nilai.csv", kla.Target{Region: "61.07.01", Year: 2025})
		if err != nil || n != 2 {
			t.Fatalf("good import: %d %v", n, err)
		}
		vals, _ := kla.ListValues(bg, st, adm, kla.ValueFilter{Regime: regime, Year: 2025})
		if len(vals) != 2 {
			t.Fatalf("after good import: %+v", vals)
		}
		// XLSX: the template round-trips.
		inds, _ := kla.Indicators(bg, st, regime)
		var mine []domain.KLAIndicator
		for _, i := range inds {
			if i.Agency == "dinkes" {
				mine = append(mine, i)
			}
		}
		rows := kla.TemplateRows(mine, "61.07.01", 2024, nil)
		for i := range rows {
			rows[i][3] = "1"
		}
		x, err := kla.WriteXLSX([]kla.Sheet{kla.TemplateSheet(rows)})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := kla.ImportValues(bg, st, op, regime, x, "templat.xlsx", kla.Target{Region: "61.07.01", Year: 2024}); err != nil || n != len(mine) {
			t.Fatalf("xlsx import: %d %v", n, err)
		}
	})
}

// The rubric of a year applies from that year on; older years keep theirs.
func TestRubricChangesBetweenYears(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st, _, adm := setup(t, d)
		in := []domain.KLAValueInput{}
		for _, y := range []int{2023, 2024, 2025} {
			in = append(in, domain.KLAValueInput{IndicatorID: "11", RegionCode: "61.07", Year: y, Value: 80})
		}
		if err := kla.PutValues(bg, st, adm, regime, in); err != nil {
			t.Fatal(err)
		}
		points := func(y int) float64 {
			s, _, err := kla.ScoreRegion(bg, st, adm, "61.07", y)
			if err != nil {
				t.Fatal(err)
			}
			for _, is := range s.Indicators {
				if is.Indicator.ID == "11" {
					return is.Points
				}
			}
			return -1
		}
		def := 1000.0 / 31 * 0.8
		if p := points(2024); math.Abs(p-def) > 1e-9 {
			t.Fatalf("default rubric: %v want %v", p, def)
		}
		// From 2024: immunisation weighs 100 points, full at 95%, nothing below 50%.
		if err := kla.SetRubric(bg, st, adm, regime, 2024, []domain.KLARule{{IndicatorID: "11", Method: domain.RubricThreshold, MaxPoints: 100, Steps: "50:0.2,80:0.6,95:1"}}); err != nil {
			t.Fatal(err)
		}
		if err := kla.SetRubric(bg, st, adm, regime, 2025, []domain.KLARule{{IndicatorID: "11", Method: domain.RubricLinear, MaxPoints: 50, Worst: 60, Best: 100}}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			year int
			want float64
		}{{2023, def}, {2024, 60}, {2025, 25}} {
			if p := points(c.year); math.Abs(p-c.want) > 1e-9 {
				t.Errorf("year %d: %v points, want %v", c.year, p, c.want)
			}
		}
		op := domain.Scope{Role: domain.RoleOPDOperator, RegionCode: "61.07", Perms: access.Perms(domain.RoleOPDOperator)}
		if err := kla.SetRubric(bg, st, op, regime, 2026, nil); domain.CodeOf(err) != domain.EForbidden {
			t.Errorf("operator set the rubric: %v", err)
		}
	})
}

// The dashboard aggregates districts into the regency, ranks weakest
// first, lists missing indicators and the road to the next category.
func TestDashboard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st, _, adm := setup(t, d)
		in := []domain.KLAValueInput{
			{IndicatorID: "1", RegionCode: "61.07.01", Year: 2025, Value: 90},
			{IndicatorID: "1", RegionCode: "61.07.02", Year: 2025, Value: 70},
			{IndicatorID: "3", RegionCode: "61.07.01", Year: 2025, Value: 4},
			{IndicatorID: "3", RegionCode: "61.07.02", Year: 2025, Value: 3},
			{IndicatorID: "2", RegionCode: "61.07", Year: 2025, Value: 1},
			{IndicatorID: "2", RegionCode: "61.07.01", Year: 2025, Value: 0}, // the regency's own entry wins
			{IndicatorID: "5", RegionCode: "61.07", Year: 2024, Value: 1},    // stale: only last year
		}
		if err := kla.PutValues(bg, st, adm, regime, in); err != nil {
			t.Fatal(err)
		}
		db, err := kla.BuildDashboard(bg, st, adm, "61.07", 2025)
		if err != nil {
			t.Fatal(err)
		}
		vals := map[string]float64{}
		for _, is := range db.Score.Indicators {
			if is.Value.Self != nil {
				vals[is.Indicator.ID] = *is.Value.Self
			}
		}
		if vals["1"] != 80 || vals["3"] != 7 || vals["2"] != 1 {
			t.Errorf("aggregated values %v (want mean 80, sum 7, own 1)", vals)
		}
		if db.Score.MissingCount != 28 || len(db.Missing) != 28 {
			t.Errorf("missing %d/%d, want 28", db.Score.MissingCount, len(db.Missing))
		}
		stale := false
		for _, m := range db.Missing {
			if m.Indicator.ID == "5" && m.LastYear == 2024 && m.AgencyName != "" {
				stale = true
			}
		}
		if !stale {
			t.Error("indicator 5 not shown as stale from 2024 with its agency")
		}
		if len(db.Trend) != kla.TrendYears || db.Trend[len(db.Trend)-1].Year != 2025 {
			t.Errorf("trend %+v", db.Trend)
		}
		if len(db.Children) < 10 || db.Children[len(db.Children)-1].Code != "61.07.01" {
			t.Errorf("children ranking: %d rows, strongest %+v", len(db.Children), db.Children[len(db.Children)-1])
		}
		for i := 1; i < len(db.Children); i++ {
			if db.Children[i].Total < db.Children[i-1].Total {
				t.Fatal("children not ranked weakest first")
			}
		}
		if len(db.Grandchildren) < 100 {
			t.Errorf("villages ranked: %d", len(db.Grandchildren))
		}
		if db.Road.Next != "Pratama" || db.Road.Needed <= 0 {
			t.Errorf("road %+v", db.Road)
		}
		// A district admin cannot see the regency's dashboard.
		u, _ := st.CreateUser(bg, access.System("test"), domain.NewUser{Username: "adm-a", Role: domain.RoleAdmin, RegionCode: "61.07.01", Password: "correct horse battery"})
		if _, err := kla.BuildDashboard(bg, st, access.ForUser(u, "", ""), "61.07", 2025); !domain.IsNotFound(err) {
			t.Errorf("district admin on the regency dashboard: %v", err)
		}
	})
}

// Indicators 21 and 22 come from lindu's case records when there are
// cases: services given to children's cases, and ABH cases closed with a
// diversion recorded as a law-enforcement service naming "diversi".
func TestComputedFromCases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		st := storetest.Open(t, d, storetest.Options{})
		if _, err := demo.Load(bg, st); err != nil {
			t.Fatal(err)
		}
		if _, err := demo.LoadCases(bg, st, 60, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := kla.EnsureShipped(bg, st); err != nil {
			t.Fatal(err)
		}
		sys := access.System("test")
		found := 0
		for _, y := range []int{2024, 2025, 2026, 2027} {
			cc, err := kla.CaseCounts(bg, st, sys, "61.07", 0, []int{y})
			if err != nil {
				t.Fatal(err)
			}
			if len(cc) == 0 {
				continue
			}
			s, _, err := kla.ScoreRegion(bg, st, sys, "61.07", y)
			if err != nil {
				t.Fatal(err)
			}
			for _, is := range s.Indicators {
				if is.Indicator.ID == "21" {
					if cc[0].ChildCases > 0 && cc[0].ChildCases < kla.MinCell {
						if is.Value.Source == "computed" {
							t.Errorf("year %d: indicator 21 computed from %d cases (< %d)", y, cc[0].ChildCases, kla.MinCell)
						}
					} else if cc[0].ChildCases > 0 {
						want := float64(cc[0].Served) / float64(cc[0].ChildCases) * 100
						if is.Value.Source != "computed" || math.Abs(*is.Value.Self-want) > 1e-9 || *is.Value.Verified != *is.Value.Self {
							t.Errorf("year %d: indicator 21 %+v, want computed %v", y, is.Value, want)
						}
						found++
					}
				}
			}
		}
		if found == 0 {
			t.Fatal("no year with children's cases in the demo")
		}
	})
}
