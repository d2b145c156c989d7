package kla

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// The scoring rubric: per regime, indicator and year, the rule that turns
// a value into points; the built-in default where none is stored.

// Total is the number of points of a full score.
const Total = 1000.0

// Rubric maps indicator ids to their rules.
type Rubric map[string]domain.KLARule

// DefaultRule is the built-in rule of an indicator when the rubric of its
// regime and year says nothing: every indicator weighs the same (1000/n
// points) and earns them linearly between a "worst" and a "best" value by
// unit and polarity, or fully when available. Weights are not published
// (DOMAIN 1): administrators set their own rubric.
// Pure: anyone may call it.
func DefaultRule(ind domain.KLAIndicator, n int) domain.KLARule {
	r := domain.KLARule{IndicatorID: ind.ID, Method: domain.RubricLinear, MaxPoints: Total / float64(n)}
	switch ind.Unit {
	case domain.UnitAvailability:
		r.Method, r.Steps = domain.RubricThreshold, "1:1"
	case domain.UnitPercent:
		r.Worst, r.Best = 0, 100
		if ind.Polarity == domain.Lower {
			r.Worst, r.Best = 30, 0
		}
	case domain.UnitCount:
		r.Worst, r.Best = 0, 10
	default: // rates per 1000
		r.Worst, r.Best = 0, 100
		if ind.Polarity == domain.Lower {
			r.Worst, r.Best = 40, 0
		}
	}
	return r
}

// RubricFor completes stored rules with the default for every indicator
// without one. Pure: anyone may call it.
func RubricFor(inds []domain.KLAIndicator, stored []domain.KLARule) Rubric {
	r := Rubric{}
	for _, ind := range inds {
		r[ind.ID] = DefaultRule(ind, len(inds))
	}
	for _, s := range stored {
		if _, ok := r[s.IndicatorID]; ok {
			r[s.IndicatorID] = s
		}
	}
	return r
}

// MaxTotal is the sum of the rubric's maximum points.
func (r Rubric) MaxTotal() float64 {
	t := 0.0
	for _, x := range r {
		t += x.MaxPoints
	}
	return t
}

// Step is one threshold of a threshold rule.
type Step struct{ Value, Fraction float64 }

// ParseSteps reads "value:fraction,value:fraction" (fractions of the
// maximum points, 0-1). Its error is a coded invalid error whose key says
// which step is wrong. Pure: anyone may call it.
func ParseSteps(s string) ([]Step, error) {
	var out []Step
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		a, b, ok := strings.Cut(part, ":")
		if !ok {
			return nil, domain.E(domain.EInvalid, "kla.rule.step_format", clip(part))
		}
		v, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
		f, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
		if err1 != nil || err2 != nil || math.IsNaN(v) || math.IsInf(v, 0) || !(f >= 0 && f <= 1) {
			return nil, domain.E(domain.EInvalid, "kla.rule.step_numbers", clip(part))
		}
		out = append(out, Step{v, f})
	}
	if len(out) == 0 {
		return nil, domain.E(domain.EInvalid, "kla.rule.no_steps")
	}
	return out, nil
}

// ValidateRule says why a rule cannot be used (a zero Msg when it can).
// Pure: anyone may call it.
func ValidateRule(r domain.KLARule) domain.Msg {
	if !(r.MaxPoints >= 0 && r.MaxPoints <= Total) {
		return domain.M("kla.rule.max_points", int(Total))
	}
	switch r.Method {
	case domain.RubricLinear:
		if r.Worst == r.Best || math.IsNaN(r.Worst) || math.IsNaN(r.Best) || math.IsInf(r.Worst, 0) || math.IsInf(r.Best, 0) {
			return domain.M("kla.rule.worst_best")
		}
	case domain.RubricThreshold:
		if _, err := ParseSteps(r.Steps); err != nil {
			if e, ok := domain.AsError(err); ok {
				return e.Msg()
			}
			return domain.M("kla.rule.no_steps")
		}
	default:
		return domain.M("kla.rule.method")
	}
	return domain.Msg{}
}

// ValidateRuleFor checks a rule against its indicator: besides
// ValidateRule, a linear rule must point the indicator's way (best above
// worst when higher is better, below when lower is), so a better value
// never scores less. Pure: anyone may call it.
func ValidateRuleFor(ind domain.KLAIndicator, r domain.KLARule) domain.Msg {
	if m := ValidateRule(r); m.Key != "" {
		return m
	}
	if r.Method == domain.RubricLinear {
		if ind.Polarity == domain.Higher && r.Best < r.Worst {
			return domain.M("kla.rule.higher")
		}
		if ind.Polarity == domain.Lower && r.Best > r.Worst {
			return domain.M("kla.rule.lower")
		}
	}
	return domain.Msg{}
}

// ruleField names the part of a rule ValidateRuleFor's message is about:
// "max", "method", "steps" or "best".
func ruleField(r domain.KLARule) string {
	switch {
	case !(r.MaxPoints >= 0 && r.MaxPoints <= Total):
		return "max"
	case r.Method != domain.RubricLinear && r.Method != domain.RubricThreshold:
		return "method"
	case r.Method == domain.RubricThreshold:
		return "steps"
	}
	return "best"
}

// CheckRubric says what is wrong with a rubric for a regime's indicators
// from year on, per field: "year", and "<part>_<indicator id>" with part
// max, method, steps or best (the inputs of the rubric form). Pure: anyone
// may call it.
func CheckRubric(inds []domain.KLAIndicator, year int, rules []domain.KLARule) domain.FieldErrors {
	f := domain.FieldErrors{}
	if year < 2000 || year > 2100 {
		f["year"] = domain.M("kla.field.year")
	}
	byID := make(map[string]domain.KLAIndicator, len(inds))
	for _, i := range inds {
		byID[i.ID] = i
	}
	for _, r := range rules {
		ind, ok := byID[r.IndicatorID]
		if !ok {
			f["rules"] = domain.M("kla.row.unknown_indicator", clip(r.IndicatorID))
			continue
		}
		if m := ValidateRuleFor(ind, r); m.Key != "" {
			f[ruleField(r)+"_"+r.IndicatorID] = m
		}
	}
	return f
}

// StoredRules returns the rules in force for a regime in year: per
// indicator, the rule with the latest year at or before it. Indicators
// without a stored rule are absent (RubricFor supplies the default).
// Reference data: anyone may call it.
func StoredRules(ctx context.Context, st *store.Store, regime string, year int) ([]domain.KLARule, error) {
	out, err := store.Rows(ctx, st, func(r *sql.Rows) (domain.KLARule, error) {
		var k domain.KLARule
		return k, r.Scan(&k.IndicatorID, &k.Year, &k.Method, &k.MaxPoints, &k.Worst, &k.Best, &k.Steps)
	}, `SELECT r.indicator_id, r.year, r.method, r.max_points, r.worst, r.best, r.steps
		FROM kla_rubric r WHERE r.regime = $1 AND r.year = (SELECT MAX(x.year) FROM kla_rubric x
		WHERE x.regime = r.regime AND x.indicator_id = r.indicator_id AND x.year <= $2) ORDER BY r.indicator_id`, regime, year)
	if err != nil {
		return nil, fmt.Errorf("kla: rubric: %w", err)
	}
	return out, nil
}

// SetRubric stores the rules of a regime from year on, replacing the rules
// of that exact year, after CheckRubric. Authorization: PermManageKLA over
// the whole deployment.
func SetRubric(ctx context.Context, st *store.Store, sc domain.Scope, regime string, year int, rules []domain.KLARule) error {
	if err := mayManage(st, sc, "kla.err.manage_rubric"); err != nil {
		return err
	}
	inds, err := Indicators(ctx, st, regime)
	if err != nil {
		return err
	}
	if len(inds) == 0 {
		return domain.NotFound("regime")
	}
	if f := CheckRubric(inds, year, rules); len(f) > 0 {
		return domain.InvalidFields(f)
	}
	return st.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM kla_rubric WHERE regime = $1 AND year = $2`, regime, year); err != nil {
			return fmt.Errorf("kla: set rubric: %w", err)
		}
		for _, r := range rules {
			if _, err := tx.ExecContext(ctx, `INSERT INTO kla_rubric (regime, year, indicator_id, method, max_points, worst, best, steps)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, regime, year, r.IndicatorID, r.Method, r.MaxPoints, r.Worst, r.Best, r.Steps); err != nil {
				return fmt.Errorf("kla: set rubric: %w", err)
			}
		}
		return tx.Audit(ctx, sc, "kla.rubric.set", "kla_regime", regime, sc.RegionCode, fmt.Sprintf("year %d, %d rules", year, len(rules)))
	})
}
