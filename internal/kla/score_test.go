package kla

import (
	"context"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"lindu/internal/domain"
)

func TestCategoryBoundaries(t *testing.T) {
	cases := []struct {
		total float64
		want  string
	}{
		{0, ""}, {499.99, ""}, {499.994, ""}, {500, "Pratama"}, {550, "Pratama"}, {600, "Pratama"}, {600.004, "Pratama"},
		{600.5, "Pratama"}, {601, "Madya"}, {700, "Madya"}, {701, "Nindya"}, {800, "Nindya"}, {801, "Utama"},
		{900, "Utama"}, {901, "KLA"}, {1000, "KLA"},
	}
	for _, c := range cases {
		if got := domain.KLACategory(c.total); got != c.want {
			t.Errorf("KLACategory(%v) = %q, want %q", c.total, got, c.want)
		}
	}
	next := []struct {
		total float64
		name  string
		from  float64
		ok    bool
	}{{499, "Pratama", 500, true}, {600, "Madya", 601, true}, {601, "Nindya", 701, true}, {900, "KLA", 901, true}, {901, "", 0, false}, {1000, "", 0, false}}
	for _, c := range next {
		n, f, ok := domain.NextKLACategory(c.total)
		if n != c.name || f != c.from || ok != c.ok {
			t.Errorf("NextKLACategory(%v) = %q %v %v, want %q %v %v", c.total, n, f, ok, c.name, c.from, c.ok)
		}
	}
}

func TestCapaianByPolarity(t *testing.T) {
	cases := []struct {
		p            domain.Polarity
		target, real float64
		want         float64
	}{
		{domain.Higher, 95, 88, 88.0 / 95 * 100},
		{domain.Higher, 10, 10, 100},
		{domain.Higher, 10, 12, 120},
		{domain.Higher, 0, 5, 0},
		{domain.Lower, 15, 17, (2*15 - 17) / 15.0 * 100}, // 86.67%
		{domain.Lower, 15, 15, 100},
		{domain.Lower, 15, 10, (2*15 - 10) / 15.0 * 100}, // better than target: 133.3%
		{domain.Lower, 2, 4, 0},
		{domain.Lower, 2, 5, -50},
	}
	for _, c := range cases {
		if got := domain.Capaian(c.p, c.target, c.real); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("Capaian(%s, %v, %v) = %v, want %v", c.p, c.target, c.real, got, c.want)
		}
	}
	if f := domain.CapaianFormula(domain.Lower); f != "(2 × target − realisasi) / target × 100%" {
		t.Errorf("lower formula %q", f)
	}
	if f := domain.CapaianFormula(domain.Higher); f != "realisasi / target × 100%" {
		t.Errorf("higher formula %q", f)
	}
	st := []struct {
		p          domain.Polarity
		cap, el    float64
		data       bool
		wantStatus string
	}{
		{domain.Higher, 50, 0.5, true, domain.OnTrack},
		{domain.Higher, 35, 0.5, true, domain.AtRisk},
		{domain.Higher, 20, 0.5, true, domain.OffTrack},
		{domain.Lower, 95, 0.5, true, domain.OnTrack},
		{domain.Lower, 80, 0.5, true, domain.AtRisk},
		{domain.Lower, 60, 0.1, true, domain.OffTrack},
		{domain.Higher, 0, 0.5, false, domain.NoData},
	}
	for _, c := range st {
		if got := domain.CommitmentStatus(c.p, c.cap, c.el, c.data); got != c.wantStatus {
			t.Errorf("CommitmentStatus(%s, %v, %v) = %s, want %s", c.p, c.cap, c.el, got, c.wantStatus)
		}
	}
}

// catalogue returns the shipped indicators.
func catalogue(t testing.TB) []domain.KLAIndicator {
	t.Helper()
	_, inds, err := ParseCatalogue(context.Background(), shipped2011, "x.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(inds) != 31 {
		t.Fatalf("shipped catalogue has %d indicators, want 31", len(inds))
	}
	return inds
}

func f(x float64) *float64 { return &x }

// best returns, for each indicator, the value that earns full points.
func bestValues(inds []domain.KLAIndicator, rub Rubric) map[string]Value {
	vals := map[string]Value{}
	for _, ind := range inds {
		r := rub[ind.ID]
		v := r.Best
		if r.Method == domain.RubricThreshold {
			v = 1
		}
		vals[ind.ID] = Value{Self: f(v), Verified: f(v)}
	}
	return vals
}

func TestEvaluateTotalsAndMissing(t *testing.T) {
	inds := catalogue(t)
	rub := RubricFor(inds, nil)
	if math.Abs(rub.MaxTotal()-1000) > 1e-9 {
		t.Fatalf("default rubric totals %v, want 1000", rub.MaxTotal())
	}
	full := Evaluate(inds, rub, bestValues(inds, rub))
	if math.Abs(full.Total-1000) > 1e-9 || full.Category != "KLA" || full.MissingCount != 0 {
		t.Fatalf("full score: %v %q missing %d", full.Total, full.Category, full.MissingCount)
	}
	// Nothing entered: zero, no category, all 31 missing.
	empty := Evaluate(inds, rub, nil)
	if empty.Total != 0 || empty.Category != "" || empty.MissingCount != 31 {
		t.Fatalf("empty: %v %q %d", empty.Total, empty.Category, empty.MissingCount)
	}
	// Drop four indicators: they score zero and are listed as missing.
	vals := bestValues(inds, rub)
	for _, id := range []string{"K1", "4", "7", "24"} {
		delete(vals, id)
	}
	s := Evaluate(inds, rub, vals)
	want := 1000 - 4*1000.0/31
	if math.Abs(s.Total-want) > 1e-9 || s.MissingCount != 4 || s.Category != "Utama" {
		t.Fatalf("four missing: %v (want %v) %q missing %d", s.Total, want, s.Category, s.MissingCount)
	}
	missing := map[string]bool{}
	for _, is := range s.Indicators {
		if is.Missing {
			missing[is.Indicator.ID] = true
			if is.Points != 0 {
				t.Errorf("missing %s scored %v", is.Indicator.ID, is.Points)
			}
		}
	}
	if len(missing) != 4 || !missing["K1"] || !missing["24"] {
		t.Errorf("missing list %v", missing)
	}
	// Verified is kept apart: only self-assessed values leave verified at 0.
	self := map[string]Value{}
	for id, v := range bestValues(inds, rub) {
		self[id] = Value{Self: v.Self}
	}
	s = Evaluate(inds, rub, self)
	if s.VerifiedTotal != 0 || math.Abs(s.Total-1000) > 1e-9 {
		t.Errorf("self only: total %v verified %v", s.Total, s.VerifiedTotal)
	}
}

func TestPointsRules(t *testing.T) {
	lin := domain.KLARule{Method: domain.RubricLinear, MaxPoints: 40, Worst: 0, Best: 100}
	for _, c := range []struct{ v, want float64 }{{-5, 0}, {0, 0}, {50, 20}, {100, 40}, {120, 40}} {
		if got := Points(lin, domain.Higher, c.v); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("linear %v: %v want %v", c.v, got, c.want)
		}
	}
	low := domain.KLARule{Method: domain.RubricLinear, MaxPoints: 30, Worst: 40, Best: 0}
	for _, c := range []struct{ v, want float64 }{{40, 0}, {20, 15}, {0, 30}, {60, 0}} {
		if got := Points(low, domain.Lower, c.v); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("lower linear %v: %v want %v", c.v, got, c.want)
		}
	}
	th := domain.KLARule{Method: domain.RubricThreshold, MaxPoints: 50, Steps: "50:0.25, 80:0.75, 95:1"}
	for _, c := range []struct{ v, want float64 }{{10, 0}, {50, 12.5}, {79.9, 12.5}, {80, 37.5}, {99, 50}} {
		if got := Points(th, domain.Higher, c.v); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("threshold %v: %v want %v", c.v, got, c.want)
		}
	}
	thl := domain.KLARule{Method: domain.RubricThreshold, MaxPoints: 50, Steps: "20:0.5,10:1"}
	for _, c := range []struct{ v, want float64 }{{30, 0}, {20, 25}, {10, 50}, {5, 50}} {
		if got := Points(thl, domain.Lower, c.v); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("lower threshold %v: %v want %v", c.v, got, c.want)
		}
	}
	for _, bad := range []domain.KLARule{{Method: "x", MaxPoints: 1}, {Method: domain.RubricLinear, MaxPoints: 1, Worst: 5, Best: 5},
		{Method: domain.RubricThreshold, MaxPoints: 1, Steps: "a:b"}, {Method: domain.RubricThreshold, MaxPoints: 1, Steps: "5:2"},
		{Method: domain.RubricLinear, MaxPoints: 2000, Worst: 0, Best: 1}} {
		if ValidateRule(bad).Key == "" {
			t.Errorf("rule %+v accepted", bad)
		}
	}
	ind := domain.KLAIndicator{Polarity: domain.Lower}
	if ValidateRuleFor(ind, domain.KLARule{Method: domain.RubricLinear, MaxPoints: 10, Worst: 0, Best: 40}).Key == "" {
		t.Error("a lower-is-better indicator accepted a rising linear rule")
	}
}

// Improving any indicator (or entering a missing one) never lowers the
// score, under random rubrics of both methods.
func TestImprovingNeverLowersScore(t *testing.T) {
	inds := catalogue(t)
	rng := rand.New(rand.NewPCG(1, 2))
	randomRule := func(ind domain.KLAIndicator) domain.KLARule {
		r := domain.KLARule{IndicatorID: ind.ID, MaxPoints: rng.Float64() * 60}
		if rng.IntN(2) == 0 {
			r.Method = domain.RubricLinear
			a, b := rng.Float64()*50, 50+rng.Float64()*50
			if ind.Polarity == domain.Lower {
				a, b = b, a
			}
			r.Worst, r.Best = a, b
		} else {
			r.Method = domain.RubricThreshold
			r.Steps = ""
			for k := 0; k < 1+rng.IntN(4); k++ {
				if k > 0 {
					r.Steps += ","
				}
				r.Steps += ftoa(rng.Float64()*100) + ":" + ftoa(rng.Float64())
			}
		}
		if msg := ValidateRuleFor(ind, r); msg.Key != "" {
			t.Fatalf("generated a bad rule %+v: %s", r, msg)
		}
		return r
	}
	for iter := 0; iter < 300; iter++ {
		var rules []domain.KLARule
		for _, ind := range inds {
			rules = append(rules, randomRule(ind))
		}
		rub := RubricFor(inds, rules)
		vals := map[string]Value{}
		for _, ind := range inds {
			if rng.IntN(5) > 0 {
				vals[ind.ID] = Value{Self: f(rng.Float64() * 100)}
			}
		}
		before := Evaluate(inds, rub, vals).Total
		ind := inds[rng.IntN(len(inds))]
		nv := map[string]Value{}
		for k, v := range vals {
			nv[k] = v
		}
		step := rng.Float64() * 30
		if cur, ok := vals[ind.ID]; ok {
			x := *cur.Self + step
			if ind.Polarity == domain.Lower {
				x = *cur.Self - step
			}
			nv[ind.ID] = Value{Self: &x}
		} else {
			nv[ind.ID] = Value{Self: f(rng.Float64() * 100)} // entering a missing value
		}
		after := Evaluate(inds, rub, nv).Total
		if after < before-1e-9 {
			t.Fatalf("iteration %d: improving %s (%s) lowered the score %v → %v", iter, ind.ID, ind.Polarity, before, after)
		}
	}
}

func ftoa(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) }

func TestRoadToNext(t *testing.T) {
	inds := catalogue(t)
	rub := RubricFor(inds, nil)
	vals := map[string]Value{}
	for _, ind := range inds {
		r := rub[ind.ID]
		switch {
		case r.Method == domain.RubricThreshold:
			vals[ind.ID] = Value{Self: f(0)}
		default:
			mid := (r.Worst + r.Best) / 2
			vals[ind.ID] = Value{Self: &mid}
		}
	}
	s := Evaluate(inds, rub, vals)
	road := RoadToNext(s, nil)
	if road.Next != "Pratama" || road.Needed <= 0 || len(road.Steps) == 0 {
		t.Fatalf("road from %v: %+v", s.Total, road)
	}
	// Availability 0→1 gains a whole indicator for the smallest change: first.
	if road.Steps[0].Indicator.Unit != domain.UnitAvailability {
		t.Errorf("first step is %s (%s), want an availability indicator", road.Steps[0].Indicator.ID, road.Steps[0].Indicator.Unit)
	}
	gain := 0.0
	for _, st := range road.Steps {
		gain += st.Gain
	}
	if road.Enough != (gain >= road.Needed) {
		t.Errorf("Enough=%v but gain %v for need %v", road.Enough, gain, road.Needed)
	}
	// At the top there is no road.
	if r := RoadToNext(Evaluate(inds, rub, bestValues(inds, rub)), nil); r.Next != "" {
		t.Errorf("road from 1000: %+v", r)
	}
}
