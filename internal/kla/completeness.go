package kla

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Completeness per agency (kelengkapan data per OPD), the DHIS2
// reporting-rate view of the KLA values: for a region and year, how many
// of each agency's indicators have a value, how many are verified and how
// many only have an old value, and which agency holds the score back.

// AgencyCompleteness is one agency's row of the completeness table.
//
//   - Expected: the indicators of the year's catalogue assigned to the
//     agency (an indicator without an agency is counted under Agency.Code
//     "").
//   - Entered: those with a self-assessed value for the year, as the
//     dashboard resolves it (at the region itself, else combined from the
//     regions below); a computed indicator of cluster V counts once it is
//     computed from enough cases.
//   - Verified: those with a verified value for the year, resolved alike.
//   - Stale (data lama): those without a value for the year that had one in
//     one of the TrendYears-1 years before it under the same catalogue; the
//     dashboard's "missing or stale" list shows that old value. Stale
//     indicators are not entered: they are part of Missing.
//   - PointsLost: the points the agency's indicators could earn and do not
//     (their maximum minus the self-assessed points): the agency losing the
//     most holds the score back most.
type AgencyCompleteness struct {
	Agency     domain.KLAAgency
	Expected   int
	Entered    int
	Verified   int
	Stale      int
	Points     float64 // self-assessed points of its indicators
	MaxPoints  float64 // their maximum
	PointsLost float64
	// Missing are the expected indicators without a value for the year,
	// in catalogue order; StaleYear gives the year of the old value of
	// those that are stale.
	Missing   []domain.KLAIndicator
	StaleYear map[string]int
	// Operators are the usernames of the active operator accounts
	// (opd_operator) bound to the agency that may enter the region's
	// values (their region contains it or lies inside it), inside the
	// caller's region.
	Operators []string
}

// Completeness is the completeness table of a region and year.
type Completeness struct {
	Region domain.Region
	Year   int
	Regime domain.KLARegime
	// Score is the region's score for the year (as ScoreRegion's).
	Score Score
	// Agencies hold the score back most first: most points lost, then
	// most indicators missing, then by name.
	Agencies []AgencyCompleteness
}

// Agency returns the row of agency code (ok false when it has no
// indicator).
func (c Completeness) Agency(code string) (AgencyCompleteness, bool) {
	for _, a := range c.Agencies {
		if a.Agency.Code == code {
			return a, true
		}
	}
	return AgencyCompleteness{}, false
}

// CompletenessByAgency builds the completeness table of a region and year
// (see AgencyCompleteness for what each figure counts). Two grouped range
// scans over the values (the year, the years before it) and one over the
// operator accounts. Authorization: as the dashboard — PermViewDashboard
// (else forbidden), region inside the caller's (else not found).
func CompletenessByAgency(ctx context.Context, st *store.Store, sc domain.Scope, region string, year int) (Completeness, error) {
	return completenessByAgency(ctx, st, nil, sc, region, year)
}

// completenessByAgency is CompletenessByAgency reading the case counts
// through cases (nil: none).
func completenessByAgency(ctx context.Context, st *store.Store, cases *CaseCache, sc domain.Scope, region string, year int) (Completeness, error) {
	c := Completeness{Year: year}
	if !sc.Can(domain.PermViewDashboard) {
		return c, forbidden("kla.err.dashboard_forbidden")
	}
	reg, err := st.GetRegion(ctx, region)
	if err != nil {
		return c, err
	}
	if !sc.Contains(reg.Code) {
		return c, domain.NotFound("region")
	}
	c.Region = reg
	cache := map[string]yearly{}
	cur, err := loadYear(ctx, st, year, cache)
	if err != nil {
		return c, err
	}
	c.Regime = cur.regime
	glen := codeLen(reg.Level)

	// This year's values, as the score sees them.
	rows, err := aggregate(ctx, st, sc, cur.regime.ID, reg.Code, year, year)
	if err != nil {
		return c, err
	}
	vals := resolve(cur.inds, glen, rows)
	counts, err := caseCountsVia(ctx, st, cases, sc, reg.Code, 0, []int{year})
	if err != nil {
		return c, err
	}
	for _, cc := range counts {
		applyComputed(cur.inds, vals, cc)
	}
	score := Evaluate(cur.inds, cur.rub, vals)
	c.Score = score

	// The years before, for stale values: the latest year with a value.
	staleYear := map[string]int{}
	if from := year - TrendYears + 1; from < year {
		old, err := aggregate(ctx, st, sc, cur.regime.ID, reg.Code, from, year-1)
		if err != nil {
			return c, err
		}
		perYear := map[int][]agg{}
		for _, a := range old {
			perYear[a.Year] = append(perYear[a.Year], a)
		}
		for y := from; y < year; y++ {
			yy, err := loadYear(ctx, st, y, cache)
			if err != nil {
				return c, err
			}
			if yy.regime.ID != cur.regime.ID || len(perYear[y]) == 0 {
				continue
			}
			for id, v := range resolve(cur.inds, glen, perYear[y]) {
				if v.Self != nil {
					staleYear[id] = y
				}
			}
		}
	}

	ags, err := Agencies(ctx, st)
	if err != nil {
		return c, err
	}
	names := map[string]domain.KLAAgency{}
	for _, a := range ags {
		names[a.Code] = a
	}
	rowsBy := map[string]*AgencyCompleteness{}
	var order []string
	for _, is := range score.Indicators {
		code := is.Indicator.Agency
		r := rowsBy[code]
		if r == nil {
			a, ok := names[code]
			if !ok {
				a = domain.KLAAgency{Code: code, Kind: "opd"}
			}
			r = &AgencyCompleteness{Agency: a, StaleYear: map[string]int{}}
			rowsBy[code] = r
			order = append(order, code)
		}
		r.Expected++
		r.Points += is.Points
		r.MaxPoints += is.Rule.MaxPoints
		if is.Missing {
			r.Missing = append(r.Missing, is.Indicator)
			if y, ok := staleYear[is.Indicator.ID]; ok {
				r.Stale++
				r.StaleYear[is.Indicator.ID] = y
			}
		} else {
			r.Entered++
		}
		if is.Value.Verified != nil {
			r.Verified++
		}
	}
	ops, err := agencyOperators(ctx, st, sc, reg.Code)
	if err != nil {
		return c, err
	}
	for _, code := range order {
		r := rowsBy[code]
		r.PointsLost = r.MaxPoints - r.Points
		if r.PointsLost < 1e-9 {
			r.PointsLost = 0
		}
		r.Operators = ops[code]
		c.Agencies = append(c.Agencies, *r)
	}
	sort.SliceStable(c.Agencies, func(i, j int) bool {
		a, b := c.Agencies[i], c.Agencies[j]
		if a.PointsLost != b.PointsLost {
			return a.PointsLost > b.PointsLost
		}
		if len(a.Missing) != len(b.Missing) {
			return len(a.Missing) > len(b.Missing)
		}
		return a.Agency.Name < b.Agency.Name
	})
	return c, nil
}

// agencyOperators lists, by agency, the usernames of the active operators
// inside sc's region who may enter region's values: their region contains
// region or lies inside it.
func agencyOperators(ctx context.Context, st *store.Store, sc domain.Scope, region string) (map[string][]string, error) {
	where, args := store.ScopeClause("region_code", sc.RegionCode, 2)
	type op struct{ name, region, agency string }
	list, err := store.Rows(ctx, st, func(r *sql.Rows) (op, error) {
		var o op
		return o, r.Scan(&o.name, &o.region, &o.agency)
	}, `SELECT username, region_code, agency FROM users WHERE role = $1 AND agency <> '' AND NOT disabled AND `+where+`
		ORDER BY username`, append([]any{string(domain.RoleOPDOperator)}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("kla: agency operators: %w", err)
	}
	out := map[string][]string{}
	for _, o := range list {
		if domain.RegionWithin(region, o.region) || domain.RegionWithin(o.region, region) {
			out[o.agency] = append(out[o.agency], o.name)
		}
	}
	return out, nil
}
