package kla

// The road to the next category (jalan menuju kategori berikutnya): which
// indicators gain the most points for the smallest change.

import (
	"math"
	"sort"

	"lindu/internal/domain"
)

// RoadStep is one suggested improvement.
type RoadStep struct {
	Indicator domain.KLAIndicator
	From      *float64 // current value (nil: missing)
	To        float64  // value to reach
	Gain      float64  // points gained
	Effort    float64  // size of the change as a share of the rule's range (0-1)
}

// Road is the way to the next category.
type Road struct {
	Next   string
	From   float64 // points where the next category starts
	Needed float64 // points still needed
	Steps  []RoadStep
	Enough bool // the steps together gain at least Needed
}

// RoadToNext finds the points still needed for the next category and the
// indicators that gain the most points for the smallest change: for each
// indicator the next sensible step (availability 0→1, the next threshold,
// or a tenth of a linear range; a missing value re-entered at its last
// known figure), ranked by points per unit of effort and taken greedily
// until the gap is closed (at most 8 steps). Pure: anyone may call it.
func RoadToNext(sc Score, lastKnown map[string]float64) Road {
	var road Road
	next, from, ok := domain.NextKLACategory(sc.Total)
	if !ok {
		return road
	}
	road.Next, road.From = next, from
	road.Needed = math.Ceil((from-sc.Total)*100) / 100
	var cands []RoadStep
	for _, is := range sc.Indicators {
		if st, ok := nextStep(is, lastKnown); ok {
			cands = append(cands, st)
		}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		ei, ej := cands[i].Gain/math.Max(cands[i].Effort, 0.01), cands[j].Gain/math.Max(cands[j].Effort, 0.01)
		if ei != ej {
			return ei > ej
		}
		return cands[i].Gain > cands[j].Gain
	})
	got := 0.0
	for _, c := range cands {
		if got >= road.Needed || len(road.Steps) >= 8 {
			break
		}
		road.Steps = append(road.Steps, c)
		got += c.Gain
	}
	road.Enough = got >= road.Needed
	return road
}

func nextStep(is IndicatorScore, lastKnown map[string]float64) (RoadStep, bool) {
	ind, r := is.Indicator, is.Rule
	st := RoadStep{Indicator: ind, From: is.Value.Self}
	if is.Value.Self == nil {
		last, ok := lastKnown[ind.ID]
		if !ok {
			return st, false
		}
		st.To, st.Gain, st.Effort = last, Points(r, ind.Polarity, last), 0.01
		return st, st.Gain > 0
	}
	v := *is.Value.Self
	cur := Points(r, ind.Polarity, v)
	if cur >= r.MaxPoints {
		return st, false
	}
	switch r.Method {
	case domain.RubricThreshold:
		steps, err := ParseSteps(r.Steps)
		if err != nil {
			return st, false
		}
		lo, hi := steps[0].Value, steps[0].Value
		for _, s := range steps {
			lo, hi = math.Min(lo, s.Value), math.Max(hi, s.Value)
		}
		span := math.Max(hi-lo, math.Max(math.Abs(hi), 1))
		found := false
		for _, s := range steps {
			gain := r.MaxPoints*s.Fraction - cur
			if gain <= 0 {
				continue
			}
			eff := math.Abs(s.Value-v) / span
			if !found || gain/math.Max(eff, 0.01) > st.Gain/math.Max(st.Effort, 0.01) {
				st.To, st.Gain, st.Effort, found = s.Value, gain, eff, true
			}
		}
		if ind.Unit == domain.UnitAvailability {
			// Making something available is one discrete step, counted
			// like a tenth of a linear range.
			st.Effort = 0.1
		}
		return st, found
	default:
		to := v + (r.Best-r.Worst)/10
		if (r.Best > r.Worst && to > r.Best) || (r.Best < r.Worst && to < r.Best) {
			to = r.Best
		}
		if ind.Unit == domain.UnitPercent {
			to = math.Max(0, math.Min(100, to))
		}
		if ind.Unit == domain.UnitCount {
			to = math.Ceil(to)
		}
		st.To = to
		st.Gain = Points(r, ind.Polarity, to) - cur
		st.Effort = math.Abs(to-v) / math.Abs(r.Best-r.Worst)
		return st, st.Gain > 0
	}
}
