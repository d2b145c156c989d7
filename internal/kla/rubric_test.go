package kla

import (
	"testing"

	"lindu/internal/domain"
)

// CheckRubric puts each message under the input it is about, as a key of
// the catalogue: the year, the maximum, the method, the steps, or the
// best value of a linear rule that points the wrong way.
func TestCheckRubric(t *testing.T) {
	inds := []domain.KLAIndicator{{ID: "1", Polarity: domain.Higher}, {ID: "2", Polarity: domain.Lower}, {ID: "3", Polarity: domain.Higher}}
	good := []domain.KLARule{
		{IndicatorID: "1", Method: domain.RubricLinear, MaxPoints: 10, Worst: 0, Best: 100},
		{IndicatorID: "2", Method: domain.RubricLinear, MaxPoints: 10, Worst: 30, Best: 0},
		{IndicatorID: "3", Method: domain.RubricThreshold, MaxPoints: 10, Steps: "50:0.5,80:1"},
	}
	if f := CheckRubric(inds, 2025, good); len(f) != 0 {
		t.Fatalf("good rubric: %v", f)
	}
	bad := []domain.KLARule{
		{IndicatorID: "1", Method: domain.RubricLinear, MaxPoints: 2000, Worst: 0, Best: 100},
		{IndicatorID: "2", Method: domain.RubricLinear, MaxPoints: 10, Worst: 0, Best: 30},
		{IndicatorID: "3", Method: domain.RubricThreshold, MaxPoints: 10, Steps: "50"},
		{IndicatorID: "99", Method: domain.RubricLinear, MaxPoints: 1, Best: 1},
	}
	want := map[string]string{"year": "kla.field.year", "max_1": "kla.rule.max_points", "best_2": "kla.rule.lower",
		"steps_3": "kla.rule.step_format", "rules": "kla.row.unknown_indicator"}
	f := CheckRubric(inds, 1999, bad)
	if len(f) != len(want) {
		t.Errorf("got %v", f)
	}
	for k, key := range want {
		if f[k].Key != key {
			t.Errorf("%s: %q, want %q", k, f[k].Key, key)
		}
	}
	if m := CheckRubric(inds, 2025, []domain.KLARule{{IndicatorID: "1", Method: "x", MaxPoints: 1}})["method_1"]; m.Key != "kla.rule.method" {
		t.Errorf("method: %v", m)
	}
}
