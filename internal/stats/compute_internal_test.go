package stats

import (
	"testing"
	"time"

	"lindu/internal/domain"
)

// TestSLAHandComputed is H-T7: ten cases with known response times, two
// never reached after 30 hours, one reached at exactly 24 hours; one more
// case still inside its 24 hours is not counted.
func TestSLAHandComputed(t *testing.T) {
	now := time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC)
	rep := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	var cs []*caseFact
	for _, h := range []float64{1, 2, 5, 10, 20, 24, 30, 48} {
		at := rep.Add(time.Duration(h * float64(time.Hour)))
		cs = append(cs, &caseFact{year: 2025, reported: rep, responded: &at})
	}
	cs = append(cs, &caseFact{year: 2025, reported: now.Add(-30 * time.Hour)}, &caseFact{year: 2025, reported: now.Add(-31 * time.Hour)},
		&caseFact{year: 2025, reported: now.Add(-2 * time.Hour)}, &caseFact{year: 2024, reported: rep.AddDate(-1, 0, 0)})
	s := slaOf(cs, 2025, now)
	// Within: 1, 2, 5, 10, 20 and 24 h = 6; breached: 30 h, 48 h and the
	// two never reached = 4; n = 10; share 60 %; median of the eight
	// reached (1 2 5 10 | 20 24 30 48) = (10 + 20) / 2 = 15 h.
	if s.N != 10 || s.Within != 6 || s.Breached != 4 || s.Pending != 1 || s.Reached != 8 || s.Share != 60 || s.MedianHours != 15 {
		t.Fatalf("SLA = %+v", s)
	}
}

// TestFormatChange is H-T6: 92 → 78 is "−14 (−15,2 %)"; a change from 0
// is "n/a", never infinity; a hidden cell hides the change.
func TestFormatChange(t *testing.T) {
	tb := newTable("x", []int{2022, 2023}, gN, []Row{{Key: "a"}, {Key: "b"}, {Key: "c"}})
	tb.Rows[0].Cells[0].V, tb.Rows[0].Cells[1].V = 92, 78
	tb.Rows[1].Cells[0].V, tb.Rows[1].Cells[1].V = 0, 7
	tb.Rows[2].Cells[0].V, tb.Rows[2].Cells[1].Hidden = 12, true
	cases := []struct {
		row        int
		lang, want string
	}{
		{0, "id", "−14 (−15,2 %)"}, {0, "en", "−14 (−15.2%)"}, {1, "id", "+7 (t/a)"},
	}
	for _, c := range cases {
		if got := FormatChange(c.lang, tb.ChangeOf(c.row, 0), "t/a"); got != c.want {
			t.Errorf("row %d %s = %q, want %q", c.row, c.lang, got, c.want)
		}
	}
	if tb.ChangeOf(2, 0).Shown {
		t.Error("a change built on a hidden cell is shown")
	}
	if got := FormatInt("id", 3202); got != "3.202" {
		t.Errorf("FormatInt = %q", got)
	}
	if got := FormatDecimal("id", 15.76, 2); got != "15,76" {
		t.Errorf("FormatDecimal = %q", got)
	}
}

// TestSetSuppression is H-T3 and H-T4 on the published set: a district
// with 3 victims is withheld with complements in its column, and no
// withheld cell of any table can be solved from the union of all tables
// (they share the year totals of victims, cases and type counts).
func TestSetSuppression(t *testing.T) {
	region := domain.Region{Code: "61.07", Name: "Bengkayang"}
	kids := []domain.Region{{Code: "61.07.01", Name: "A"}, {Code: "61.07.02", Name: "B"}, {Code: "61.07.03", Name: "C"}, {Code: "61.07.04", Name: "D"}}
	var cs []*caseFact
	add := func(district string, n, year int, sex string, a int, typ string) {
		for i := 0; i < n; i++ {
			ag := a
			cs = append(cs, &caseFact{region: district + ".2001", year: year, reported: time.Date(year, 3, 1, 0, 0, 0, 0, time.UTC),
				types: []string{typ}, victims: []victimFact{{sex: sex, age: &ag, types: []string{typ}, place: "household"}}})
		}
	}
	add("61.07.01", 3, 2025, "P", 8, "sexual")
	add("61.07.02", 12, 2025, "L", 10, "physical")
	add("61.07.03", 9, 2025, "P", 14, "physical")
	add("61.07.04", 20, 2025, "P", 30, "psychological")
	add("61.07.01", 11, 2024, "P", 8, "physical")
	add("61.07.02", 8, 2024, "L", 10, "physical")
	add("61.07.03", 7, 2024, "P", 14, "neglect")
	add("61.07.04", 15, 2024, "P", 30, "psychological")
	set := compute(cs, region, kids, 2025, time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), Pessel)
	raw := cloneSet(set)
	Apply(&set, Rule{Threshold: 5})
	if c := set.Table("districts").Rows[0].Cells[1]; !c.Hidden || c.V != 0 {
		t.Fatalf("district with 3 victims: %+v", c)
	}
	others := 0
	for _, r := range set.Table("districts").Rows[1:4] {
		if r.Cells[1].Hidden {
			others++
		}
	}
	if others == 0 {
		t.Error("no complement in the district column: 3 = total − shown districts")
	}
	// The raw and the published set number their cells alike: mark the
	// published set's withheld cells in the raw system.
	sys, where := buildSystem(&raw)
	hidden := make([]bool, len(sys.Values))
	for k, ats := range where {
		a := ats[0]
		hidden[k] = set.Tables[a.t].Rows[a.row].Cells[a.cell].Hidden
	}
	if solved := Solvable(sys, hidden); len(solved) > 0 {
		t.Fatalf("%d withheld cells can be worked out from the published tables", len(solved))
	}
	nHidden := 0
	for _, h := range hidden {
		if h {
			nHidden++
		}
	}
	if nHidden == 0 {
		t.Fatal("nothing withheld")
	}
	for _, tb := range set.Tables {
		for _, r := range tb.Rows {
			for _, c := range r.Cells {
				if !c.Hidden && c.V > 0 && c.V < 5 {
					t.Errorf("table %s row %s shows %d", tb.ID, r.Key, c.V)
				}
			}
		}
	}
}
