package kla

// Scoring: values to points under a rubric, totals per cluster and
// region, the category, and the road to the next category.

import (
	"math"
	"sync"
	"sync/atomic"

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
		steps := parsedSteps(r.Steps)
		if steps == nil {
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

// stepsCache keeps threshold steps parsed, by their text (nil: not
// valid): Points runs for every indicator of every region a dashboard
// ranks. Rubrics are few; past stepsCacheMax texts are parsed each time.
var (
	stepsCache  sync.Map // string → []Step, shared: read only
	stepsCached atomic.Int64
)

const stepsCacheMax = 4096

func parsedSteps(text string) []Step {
	if v, ok := stepsCache.Load(text); ok {
		return v.([]Step)
	}
	steps, err := ParseSteps(text)
	if err != nil {
		steps = nil
	}
	if stepsCached.Add(1) <= stepsCacheMax {
		stepsCache.Store(text, steps)
	}
	return steps
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
	return evaluate(inds, rub, vals, true)
}

// evaluate is Evaluate; without detail the score has no lines of
// indicators and clusters (a ranking's row needs its totals, categories
// and missing count only).
func evaluate(inds []domain.KLAIndicator, rub Rubric, vals map[string]Value, detail bool) Score {
	var sc Score
	var clusters map[string]*ClusterScore
	var order []string
	if detail {
		sc.Indicators = make([]IndicatorScore, 0, len(inds))
		clusters = map[string]*ClusterScore{}
	}
	reports, evidence := 0, 0
	for _, ind := range inds {
		rule := rub[ind.ID]
		v := vals[ind.ID]
		is := IndicatorScore{Missing: v.Self == nil}
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
		if !detail {
			continue
		}
		is.Indicator, is.Rule, is.Value = ind, rule, v
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
