package kla

import (
	"context"
	"math"
	"sort"
	"strconv"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// The regent's dashboard: a region's score, its trend, the regions below
// ranked weakest first, missing or stale indicators and the road to the
// next category, from the aggregates of aggregate.go.

// codeLen is the length of a region code at a level.
func codeLen(level domain.RegionLevel) int {
	switch level {
	case domain.LevelProvince:
		return 2
	case domain.LevelRegency:
		return 5
	case domain.LevelDistrict:
		return 8
	}
	return 13
}

// roundValue rounds a value derived from sums to nine decimals, so that a
// sum kept by adding differences (rollup.go) and a fresh one, which may
// differ in the last bits, give the same value and the same points.
func roundValue(x float64) float64 {
	if math.Abs(x) >= 1e6 {
		return x
	}
	return math.Round(x*1e9) / 1e9
}

// resolve turns the aggregate rows of one region (group) into values: the
// entry at the region itself when there is one; otherwise the shallowest
// level below that has entries, combined by unit (mean of percentages and
// rates, sum of counts, any for availability). Self-assessed and verified
// are resolved separately.
func resolve(inds []domain.KLAIndicator, groupLen int, rows []agg) map[string]Value {
	// By indicator, then depth (rows is reordered in place).
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Indicator != rows[j].Indicator {
			return rows[i].Indicator < rows[j].Indicator
		}
		return rows[i].Len < rows[j].Len
	})
	return newResolver(inds).group(groupLen, rows)
}

// resolver resolves the rows of one group after another against one
// catalogue, reusing its map and numbers: a ranking resolves a hundred
// villages.
type resolver struct {
	inds []domain.KLAIndicator
	at   map[string]int // an indicator's place in inds
	out  map[string]Value
	nums []float64 // the values' numbers (room for two per indicator: append never moves them)
}

func newResolver(inds []domain.KLAIndicator) *resolver {
	r := &resolver{inds: inds, at: make(map[string]int, len(inds)), out: make(map[string]Value, len(inds)),
		nums: make([]float64, 0, 2*len(inds))}
	for i, ind := range inds {
		if _, ok := r.at[ind.ID]; !ok {
			r.at[ind.ID] = i
		}
	}
	return r
}

// group is resolve of rows already sorted by indicator and depth, which
// it only reads. The map it returns, and the numbers it points to, are
// the resolver's: valid until its next call.
func (r *resolver) group(groupLen int, rows []agg) map[string]Value {
	clear(r.out)
	r.nums = r.nums[:0]
	keep := func(x float64) *float64 {
		r.nums = append(r.nums, x)
		return &r.nums[len(r.nums)-1]
	}
	for i := 0; i < len(rows); {
		j := i + 1
		for j < len(rows) && rows[j].Indicator == rows[i].Indicator {
			j++
		}
		rs := rows[i:j]
		i = j
		k, ok := r.at[rs[0].Indicator]
		if !ok {
			continue
		}
		ind := r.inds[k]
		// combine puts n values of sum, pos of them above zero, together by
		// unit: the sum of counts, whether any is available, else the mean.
		combine := func(n int, sum float64, pos int) float64 {
			switch ind.Unit {
			case domain.UnitCount:
				return roundValue(sum)
			case domain.UnitAvailability:
				if pos > 0 {
					return 1
				}
				return 0
			}
			return roundValue(sum / float64(n))
		}
		// Each of self-assessed and verified from the shallowest depth at
		// or below the group that has one.
		v := Value{Source: "aggregated"}
		for _, a := range rs {
			if a.Len < groupLen {
				continue
			}
			if v.Self == nil && a.SelfN > 0 {
				v.Self = keep(combine(a.SelfN, a.SelfSum, a.SelfPos))
				if a.Len == groupLen {
					v.Source = "entered"
				}
				v.Reports, v.Evidence = a.SelfN, a.Evidence
			}
			if v.Verified == nil && a.VerN > 0 {
				v.Verified = keep(combine(a.VerN, a.VerSum, a.VerPos))
			}
		}
		r.out[ind.ID] = v
	}
	return r.out
}

// MinCell is the smallest number of cases a computed indicator is shown
// for: a share of fewer cases could identify a child in a small village
// (DOMAIN 7: small cells suppressed). Below it the entered value stays.
const MinCell = 5

// applyComputed puts the figures from case records into the computed
// indicators when there are enough cases to count (else the entered value
// stays).
func applyComputed(inds []domain.KLAIndicator, vals map[string]Value, c CaseCount) {
	for _, ind := range inds {
		var num, den int
		switch ind.Computed {
		case domain.ComputedServices:
			num, den = c.Served, c.ChildCases
		case domain.ComputedRestorative:
			num, den = c.ABHRestor, c.ABHClosed
		default:
			continue
		}
		if den < MinCell {
			continue
		}
		x := float64(num) / float64(den) * 100
		vals[ind.ID] = Value{Self: &x, Verified: &x, Source: "computed", Reports: 1, Evidence: 1,
			Detail: strconv.Itoa(num) + "/" + strconv.Itoa(den)}
	}
}

// TrendPoint is one year of the trend.
type TrendPoint struct {
	Year          int     `json:"year"`
	Total         float64 `json:"total"`
	VerifiedTotal float64 `json:"verified_total"`
	Category      string  `json:"category"`
	Missing       int     `json:"missing"`
}

// RankRow is one region in a ranking.
type RankRow struct {
	Code, Name    string
	Total         float64
	VerifiedTotal float64
	Category      string
	Missing       int
}

// MissingRow is an indicator without a value in the year.
type MissingRow struct {
	Indicator  domain.KLAIndicator
	AgencyName string
	LastYear   int      // 0 when never entered
	LastValue  *float64 // the last known value (stale data)
}

// Dashboard is everything the regent's page shows.
type Dashboard struct {
	Region        domain.Region
	Year          int
	Regime        domain.KLARegime
	Score         Score
	Trend         []TrendPoint
	Children      []RankRow
	Grandchildren []RankRow
	Missing       []MissingRow
	Road          Road
	Agencies      map[string]string
}

// TrendYears is how many years the trend shows.
const TrendYears = 5

type yearly struct {
	regime domain.KLARegime
	inds   []domain.KLAIndicator
	rub    Rubric
}

// loadYear returns the catalogue and rubric of year, read once per cache
// (one page's build).
func loadYear(ctx context.Context, st *store.Store, year int, cache map[string]yearly) (yearly, error) {
	key := strconv.Itoa(year)
	if y, ok := cache[key]; ok {
		return y, nil
	}
	g, err := RegimeFor(ctx, st, year)
	if err != nil {
		return yearly{}, err
	}
	var inds []domain.KLAIndicator
	for _, y := range cache {
		if y.regime.ID == g.ID {
			inds = y.inds // the same catalogue as another year's
			break
		}
	}
	if inds == nil {
		if inds, err = Indicators(ctx, st, g.ID); err != nil {
			return yearly{}, err
		}
	}
	rules, err := StoredRules(ctx, st, g.ID, year)
	if err != nil {
		return yearly{}, err
	}
	y := yearly{regime: g, inds: inds, rub: RubricFor(inds, rules)}
	cache[key] = y
	return y, nil
}

// ScoreRegion scores one region and year (for the API and exports).
// Authorization: PermViewDashboard, region inside the caller's.
func ScoreRegion(ctx context.Context, st *store.Store, sc domain.Scope, region string, year int) (Score, domain.KLARegime, error) {
	cache := map[string]yearly{}
	y, err := loadYear(ctx, st, year, cache)
	if err != nil {
		return Score{}, domain.KLARegime{}, err
	}
	reg, err := st.GetRegion(ctx, region)
	if err != nil {
		return Score{}, y.regime, err
	}
	rows, err := aggregate(ctx, st, sc, y.regime.ID, region, year, year)
	if err != nil {
		return Score{}, y.regime, err
	}
	vals := resolve(y.inds, codeLen(reg.Level), rows)
	cc, err := CaseCounts(ctx, st, sc, region, 0, []int{year})
	if err != nil {
		return Score{}, y.regime, err
	}
	for _, c := range cc {
		applyComputed(y.inds, vals, c)
	}
	return Evaluate(y.inds, y.rub, vals), y.regime, nil
}

// BuildDashboard assembles the dashboard of a region and year: score,
// trend over TrendYears years, children and grandchildren ranked weakest
// first, missing or stale indicators and the road to the next category:
// the region's roll-ups (rollup.go) and those of the regions below, and
// one scan of its cases per computed indicator, whatever the region's
// size. Authorization: PermViewDashboard, region inside the caller's.
func BuildDashboard(ctx context.Context, st *store.Store, sc domain.Scope, region string, year int) (Dashboard, error) {
	return buildDashboard(ctx, st, caches{}, sc, region, year)
}

// caches are what a dashboard may read through: the case counts (nil:
// counted) and the readings of the regions below a region (nil: read).
type caches struct {
	cases *CaseCache
	below *belowCache
}

// buildDashboard is BuildDashboard reading through c.
func buildDashboard(ctx context.Context, st *store.Store, c caches, sc domain.Scope, region string, year int) (Dashboard, error) {
	d := Dashboard{Year: year, Agencies: map[string]string{}}
	reg, err := st.GetRegion(ctx, region)
	if err != nil {
		return d, err
	}
	if !sc.Contains(region) {
		return d, domain.NotFound("region")
	}
	d.Region = reg
	yc := map[string]yearly{}
	cur, err := loadYear(ctx, st, year, yc)
	if err != nil {
		return d, err
	}
	d.Regime = cur.regime
	ags, err := Agencies(ctx, st)
	if err != nil {
		return d, err
	}
	for _, a := range ags {
		d.Agencies[a.Code] = a.Name
	}
	glen := codeLen(reg.Level)
	from := year - TrendYears + 1
	years := []int{}
	for y := from; y <= year; y++ {
		years = append(years, y)
	}
	perYear, cases, err := scanYears(ctx, st, c.cases, sc, region, years, yc)
	if err != nil {
		return d, err
	}
	lastKnown := map[string]float64{}
	lastYear := map[string]int{}
	for _, y := range years {
		yy, err := loadYear(ctx, st, y, yc)
		if err != nil {
			return d, err
		}
		vals := resolve(yy.inds, glen, perYear[y])
		for _, c := range cases {
			if c.Year == y {
				applyComputed(yy.inds, vals, c)
			}
		}
		s := Evaluate(yy.inds, yy.rub, vals)
		d.Trend = append(d.Trend, TrendPoint{Year: y, Total: s.Total, VerifiedTotal: s.VerifiedTotal, Category: s.Category, Missing: s.MissingCount})
		if y == year {
			d.Score = s
		} else if yy.regime.ID == cur.regime.ID {
			for id, v := range vals {
				if v.Self != nil {
					lastKnown[id], lastYear[id] = *v.Self, y
				}
			}
		}
	}
	d.Missing = missingRows(d.Score, d.Agencies, lastKnown, lastYear)
	d.Road = RoadToNext(d.Score, lastKnown)

	// Rankings below.
	if reg.Level < domain.LevelVillage {
		if d.Children, err = rank(ctx, st, c, sc, cur, region, reg.Level+1, year); err != nil {
			return d, err
		}
	}
	if reg.Level+1 < domain.LevelVillage {
		if d.Grandchildren, err = rank(ctx, st, c, sc, cur, region, reg.Level+2, year); err != nil {
			return d, err
		}
	}
	return d, nil
}

// scanYears reads what the trend window needs: the values of region and
// below per year (one grouped scan per regime in the window) and the case
// counts of the computed indicators.
func scanYears(ctx context.Context, st *store.Store, cache *CaseCache, sc domain.Scope, region string, years []int, yc map[string]yearly) (map[int][]agg, []CaseCount, error) {
	perYear := map[int][]agg{}
	byRegime := map[string][]int{}
	for _, y := range years {
		yy, err := loadYear(ctx, st, y, yc)
		if err != nil {
			return nil, nil, err
		}
		byRegime[yy.regime.ID] = append(byRegime[yy.regime.ID], y)
	}
	for g, ys := range byRegime {
		rows, err := aggregate(ctx, st, sc, g, region, ys[0], ys[len(ys)-1])
		if err != nil {
			return nil, nil, err
		}
		for _, a := range rows {
			perYear[a.Year] = append(perYear[a.Year], a)
		}
	}
	cases, err := caseCountsVia(ctx, st, cache, sc, region, 0, years)
	if err != nil {
		return nil, nil, err
	}
	return perYear, cases, nil
}

// missingRows lists the indicators of a score without a value, with the
// last value known from an earlier year (stale data).
func missingRows(sc Score, agencies map[string]string, lastKnown map[string]float64, lastYear map[string]int) []MissingRow {
	var out []MissingRow
	for _, is := range sc.Indicators {
		if !is.Missing {
			continue
		}
		m := MissingRow{Indicator: is.Indicator, AgencyName: agencies[is.Indicator.Agency]}
		if y, ok := lastYear[is.Indicator.ID]; ok {
			v := lastKnown[is.Indicator.ID]
			m.LastYear, m.LastValue = y, &v
		}
		out = append(out, m)
	}
	return out
}

// rank scores every region at level under root, weakest first. Regions
// without any data score zero and come first: missing data is shown.
func rank(ctx context.Context, st *store.Store, c caches, sc domain.Scope, y yearly, root string, level domain.RegionLevel, year int) ([]RankRow, error) {
	names, err := regionNames(ctx, st, root, int(level)-int(domain.RegionLevelOf(root)))
	if err != nil {
		return nil, err
	}
	glen := codeLen(level)
	byGroup, err := c.below.below(ctx, st, sc, y.regime.ID, root, glen, year)
	if err != nil {
		return nil, err
	}
	cases, err := caseCountsVia(ctx, st, c.cases, sc, root, glen, []int{year})
	if err != nil {
		return nil, err
	}
	caseBy := map[string]CaseCount{}
	for _, cc := range cases {
		caseBy[cc.Group] = cc
	}
	out := make([]RankRow, 0, len(names))
	res := newResolver(y.inds)
	for code, name := range names {
		vals := res.group(glen, byGroup[code])
		if cc, ok := caseBy[code]; ok {
			applyComputed(y.inds, vals, cc)
		}
		s := evaluate(y.inds, y.rub, vals, false)
		out = append(out, RankRow{Code: code, Name: name, Total: s.Total, VerifiedTotal: s.VerifiedTotal, Category: s.Category, Missing: s.MissingCount})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Total != out[j].Total {
			return out[i].Total < out[j].Total
		}
		return out[i].Code < out[j].Code
	})
	return out, nil
}

// CurrentYear is the KLA year shown by default: the evaluation of year Y
// happens in the first half of Y+1, so until June the previous year is the
// one being filled in. Pure: anyone may call it.
func CurrentYear(now time.Time) int {
	now = now.In(domain.WIB)
	if now.Month() <= time.June {
		return now.Year() - 1
	}
	return now.Year()
}
