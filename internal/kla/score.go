package kla

// Scoring: values to points under a rubric, totals per cluster and
// region, the category, and the road to the next category.

import (
	"math"
	"sort"

	"lindu/internal/domain"
)

// Points turns a value into points under rule r for an indicator of
// polarity p. Linear: the share of the way from Worst to Best (clamped).
// Threshold: the largest fraction among the steps reached (value at or
// above the step for higher-is-better, at or below for lower-is-better).
// Both are monotone: a better value never earns fewer points.
// Pure: anyone may call it.
func Points(r domain.KLARule, p domain.Polarity, v float64) float64 {
	switch r.Method {
	case domain.RubricThreshold:
		steps, err := ParseSteps(r.Steps)
		if err != nil {
			return 0
		}
		best := 0.0
		for _, s := range steps {
			reached := v >= s.Value
			if p == domain.Lower {
				reached = v <= s.Value
			}
			if reached && s.Fraction > best {
				best = s.Fraction
			}
		}
		return r.MaxPoints * best
	default:
		if r.Best == r.Worst {
			return 0
		}
		f := (v - r.Worst) / (r.Best - r.Worst)
		return r.MaxPoints * math.Max(0, math.Min(1, f))
	}
}

// Value is what is known of one indicator in one region and year.
type Value struct {
	Self, Verified *float64
	Source         string // entered (at the region itself), aggregated (from below), computed (from case records)
	Reports        int    // how many entries it was made of
	Evidence       int    // how many of them carry evidence
	Detail         string // computed: "12 of 15 cases"
}

// IndicatorScore is one line of a score.
type IndicatorScore struct {
	Indicator      domain.KLAIndicator
	Rule           domain.KLARule
	Value          Value
	Points         float64 // from the self-assessed value
	VerifiedPoints float64 // from the verified value
	Missing        bool    // no self-assessed value: scores zero
}

// ClusterScore sums a cluster.
type ClusterScore struct {
	Cluster  string  `json:"cluster"`
	Points   float64 `json:"points"`
	Verified float64 `json:"verified_points"`
	Max      float64 `json:"max"`
	Missing  int     `json:"missing"`
}

// Score is the evaluation of one region and year.
type Score struct {
	Total            float64
	VerifiedTotal    float64
	Category         string
	VerifiedCategory string
	Max              float64
	Clusters         []ClusterScore
	Indicators       []IndicatorScore
	MissingCount     int
	EvidenceShare    float64 // share of entered values with evidence (0-1)
}

// Evaluate scores values (by indicator id) under a rubric. Missing values
// score zero and are listed as missing. Pure: anyone may call it.
func Evaluate(inds []domain.KLAIndicator, rub Rubric, vals map[string]Value) Score {
	var sc Score
	clusters := map[string]*ClusterScore{}
	var order []string
	reports, evidence := 0, 0
	for _, ind := range inds {
		rule := rub[ind.ID]
		v := vals[ind.ID]
		is := IndicatorScore{Indicator: ind, Rule: rule, Value: v, Missing: v.Self == nil}
		if v.Self != nil {
			is.Points = Points(rule, ind.Polarity, *v.Self)
		}
		if v.Verified != nil {
			is.VerifiedPoints = Points(rule, ind.Polarity, *v.Verified)
		}
		if is.Missing {
			sc.MissingCount++
		}
		reports += v.Reports
		evidence += v.Evidence
		sc.Total += is.Points
		sc.VerifiedTotal += is.VerifiedPoints
		sc.Max += rule.MaxPoints
		c, ok := clusters[ind.Cluster]
		if !ok {
			c = &ClusterScore{Cluster: ind.Cluster}
			clusters[ind.Cluster] = c
			order = append(order, ind.Cluster)
		}
		c.Points += is.Points
		c.Verified += is.VerifiedPoints
		c.Max += rule.MaxPoints
		if is.Missing {
			c.Missing++
		}
		sc.Indicators = append(sc.Indicators, is)
	}
	for _, k := range order {
		sc.Clusters = append(sc.Clusters, *clusters[k])
	}
	if reports > 0 {
		sc.EvidenceShare = float64(evidence) / float64(reports)
	}
	sc.Category = domain.KLACategory(sc.Total)
	sc.VerifiedCategory = domain.KLACategory(sc.VerifiedTotal)
	return sc
}

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
