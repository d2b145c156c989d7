package domain_test

import (
	"math"
	"reflect"
	"testing"

	"lindu/internal/domain"
)

func yes(b bool) *bool { return &b }
func val(v int) *int   { return &v }

// F-T1 and F-T2 against a hand-computed fixture: three sections, graded
// options, a scale, weights and one N/A answer.
//
//	A: a1 yes/no 10 pts ×1 → yes 10/10; a2 yes/no 10 pts ×2 (wajib) → no 0/20
//	B: b1 options {0, 40, 60} ×1 → "40" 40/60; b2 options {0, 35, 50} ×1 → N/A (out)
//	C: c1 scale 0..4, 20 pts ×0.5 → 3 → 7.5/10
//
// A 10/30 = 33.33 %; B 40/60 = 66.67 %; C 7.5/10 = 75 %; total 57.5/100
// = 57.5 %. a2 is wajib and failed → "belum memenuhi" whatever the total.
func TestScoreAudit(t *testing.T) {
	tpl := domain.AuditTemplate{Failed: "belum memenuhi", Bands: []domain.PredicateBand{{MinPercent: 85, Label: "Utama"},
		{MinPercent: 50, Label: "Madya"}, {MinPercent: 0, Label: "Pratama"}},
		Sections: []domain.AuditSection{
			{Key: "A", Items: []domain.AuditItem{{Key: "a1", Type: domain.AnswerYesNo, Points: 10, Weight: 1},
				{Key: "a2", Type: domain.AnswerYesNo, Points: 10, Weight: 2, Mandatory: true}}},
			{Key: "B", Items: []domain.AuditItem{{Key: "b1", Type: domain.AnswerOptions, Weight: 1, Options: []domain.AuditOption{{Key: "0", Points: 0},
				{Key: "40", Points: 40}, {Key: "60", Points: 60}}}, {Key: "b2", Type: domain.AnswerOptions, Weight: 1,
				Options: []domain.AuditOption{{Key: "none", Points: 0}, {Key: "shared", Points: 35}, {Key: "own", Points: 50}}}}},
			{Key: "C", Items: []domain.AuditItem{{Key: "c1", Type: domain.AnswerScale, Max: 4, Points: 20, Weight: 0.5}}},
		}}
	answers := []domain.AuditAnswer{{Item: "a1", Yes: yes(true)}, {Item: "a2", Yes: yes(false)}, {Item: "b1", Option: "40"},
		{Item: "b2", NA: true}, {Item: "c1", Value: val(3)}}
	got := domain.ScoreAudit(tpl, answers)
	want := []float64{33.33, 66.67, 75}
	for i, s := range got.Sections {
		if math.Abs(s.Percent-want[i]) > 0.005 {
			t.Errorf("section %s: %.2f %%, want %.2f", s.Key, s.Percent, want[i])
		}
	}
	if got.Scored != 57.5 || got.Reachable != 100 || got.Percent != 57.5 {
		t.Errorf("total %.2f/%.2f = %.2f %%, want 57.5/100 = 57.5 %%", got.Scored, got.Reachable, got.Percent)
	}
	if got.Predicate != "belum memenuhi" || !reflect.DeepEqual(got.MandatoryFailed, []string{"a2"}) {
		t.Errorf("predicate %q, mandatory failed %v", got.Predicate, got.MandatoryFailed)
	}
	// b1 scores 40 of 60, above half its points: not a finding.
	if !reflect.DeepEqual(got.Findings, []string{"a2"}) {
		t.Errorf("findings %v, want [a2]", got.Findings)
	}
	// The wajib item fixed in a re-audit: the predicate follows the band.
	answers[1].Yes = yes(true)
	got = domain.ScoreAudit(tpl, answers)
	if got.Percent != 77.5 || got.Predicate != "Madya" || len(got.MandatoryFailed) != 0 {
		t.Errorf("re-audit: %.2f %% %q %v", got.Percent, got.Predicate, got.MandatoryFailed)
	}
	// An unanswered item is listed, not scored.
	got = domain.ScoreAudit(tpl, answers[:4])
	if !reflect.DeepEqual(got.Unanswered, []string{"c1"}) {
		t.Errorf("unanswered %v", got.Unanswered)
	}
}
