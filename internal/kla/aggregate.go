package kla

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// The SQL behind the dashboard: values summarised per indicator and depth
// of the region tree, read from the roll-ups of rollup.go for provinces,
// regencies and districts and from the values themselves for villages,
// and the case counts behind the two computed indicators. Only counts and
// sums leave these queries.

// agg summarises the values of one indicator at one depth of the region
// tree (Len is the length of the region codes: 2 province, 5 regency,
// 8 district, 13 village). Self* are the self-assessed values, Ver* the
// verified ones; *Pos count those above zero.
type agg struct {
	Group     string // the region the row belongs to (the root, or a child/grandchild code)
	Year      int
	Indicator string
	Len       int
	SelfN     int
	SelfSum   float64
	SelfPos   int
	VerN      int
	VerSum    float64
	VerPos    int
	Evidence  int // self-assessed values with evidence
}

// aggCols are the columns of an agg summed over kla_values v.
const aggCols = `v.indicator_id, length(v.region_code), COUNT(v.self_value), COALESCE(SUM(v.self_value), 0),
	COALESCE(SUM(CASE WHEN v.self_value > 0 THEN 1 ELSE 0 END), 0), COUNT(v.verified_value), COALESCE(SUM(v.verified_value), 0),
	COALESCE(SUM(CASE WHEN v.verified_value > 0 THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN v.self_value IS NOT NULL AND v.has_evidence = 1 THEN 1 ELSE 0 END), 0)`

// rollupAggCols are the same columns of a roll-up row r.
const rollupAggCols = `r.indicator_id, r.depth, r.self_n, r.self_sum, r.self_pos, r.ver_n, r.ver_sum, r.ver_pos, r.evidence`

// scanAgg reads aggCols (or rollupAggCols) after a leading year (byYear)
// or group column.
func scanAgg(byYear bool) func(*sql.Rows) (agg, error) {
	return func(rows *sql.Rows) (agg, error) {
		var a agg
		first := any(&a.Group)
		if byYear {
			first = &a.Year
		}
		err := rows.Scan(first, &a.Indicator, &a.Len, &a.SelfN, &a.SelfSum, &a.SelfPos, &a.VerN, &a.VerSum, &a.VerPos, &a.Evidence)
		return a, err
	}
}

// mayViewDashboard checks PermViewDashboard and that root is inside the
// caller's region.
func mayViewDashboard(sc domain.Scope, root string) error {
	if !sc.Can(domain.PermViewDashboard) {
		return forbidden("kla.err.dashboard_forbidden")
	}
	if !sc.Contains(root) {
		return domain.NotFound("region")
	}
	return nil
}

// aggregate summarises the values of root and everything below it per
// year (from..to), indicator and depth: root's roll-up rows, or a
// village's own values. Authorization:
// PermViewDashboard, root inside the caller's region.
func aggregate(ctx context.Context, st *store.Store, sc domain.Scope, regime, root string, from, to int) ([]agg, error) {
	if err := mayViewDashboard(sc, root); err != nil {
		return nil, err
	}
	if to < from {
		return nil, nil
	}
	// One range of the key per year.
	years := make([]string, 0, to-from+1)
	for y := from; y <= to; y++ {
		years = append(years, strconv.Itoa(y))
	}
	inYears := `IN (` + strings.Join(years, ", ") + `)`
	var out []agg
	var err error
	if rollupLevel(len(root)) {
		out, err = store.Rows(ctx, st, scanAgg(true), `SELECT r.year, `+rollupAggCols+` FROM kla_rollups r
			WHERE r.regime = $1 AND r.year `+inYears+` AND r.region_code = $2`, regime, root)
	} else { // a village: its own values
		out, err = store.Rows(ctx, st, scanAgg(true), `SELECT v.year, `+aggCols+` FROM kla_values v
			WHERE v.region_code = $1 AND v.year `+inYears+` AND v.regime = $2
			GROUP BY v.year, v.indicator_id, length(v.region_code)`, root, regime)
	}
	if err != nil {
		return nil, fmt.Errorf("kla: aggregate: %w", err)
	}
	for i := range out {
		out[i].Group = root
	}
	return out, nil
}

// aggregateBelow summarises, for one year, the values under root grouped
// by the region at code length groupLen (a child or grandchild of root),
// indicator and depth: the roll-up rows of those regions, or the values
// of the villages under root. Authorization: as aggregate.
func aggregateBelow(ctx context.Context, st *store.Store, sc domain.Scope, regime, root string, groupLen, year int) ([]agg, error) {
	if err := mayViewDashboard(sc, root); err != nil {
		return nil, err
	}
	var out []agg
	var err error
	if rollupLevel(groupLen) {
		where, args := below("r.region_code", root, 4)
		out, err = store.Rows(ctx, st, scanAgg(false), `SELECT r.region_code, `+rollupAggCols+` FROM kla_rollups r
			WHERE r.regime = $1 AND r.year = $2 AND length(r.region_code) = $3 AND `+where,
			append([]any{regime, year, groupLen}, args...)...)
	} else {
		// Villages: the values of each village under root, one range of
		// the key each (not every year of every village under root), one
		// value per village and indicator.
		where, args := below("g.code", root, 4)
		out, err = store.Rows(ctx, st, func(r *sql.Rows) (agg, error) {
			var a agg
			var self, ver sql.NullFloat64
			var evidence int
			if err := r.Scan(&a.Group, &a.Indicator, &self, &ver, &evidence); err != nil {
				return a, err
			}
			a.Len = len(a.Group)
			if self.Valid {
				a.SelfN, a.SelfSum, a.Evidence = 1, self.Float64, evidence
				if self.Float64 > 0 {
					a.SelfPos = 1
				}
			}
			if ver.Valid {
				a.VerN, a.VerSum = 1, ver.Float64
				if ver.Float64 > 0 {
					a.VerPos = 1
				}
			}
			return a, nil
		}, `SELECT v.region_code, v.indicator_id, v.self_value, v.verified_value, v.has_evidence FROM kla_values v
			WHERE v.region_code IN (SELECT g.code FROM regions g WHERE `+where+` AND length(g.code) = $3)
			AND v.year = $2 AND v.regime = $1`, append([]any{regime, year, groupLen}, args...)...)
	}
	if err != nil {
		return nil, fmt.Errorf("kla: aggregate below: %w", err)
	}
	for i := range out {
		out[i].Year = year
	}
	return out, nil
}

// RawTotal is the plain aggregate the benchmark compares the dashboard
// with: the average self-assessed value per indicator over root's subtree
// for one year, with no scoring at all; it returns how many indicators
// have values. For benchmarks only: it checks no scope.
func RawTotal(ctx context.Context, st *store.Store, regime, root string, year int) (int, error) {
	where, args := subtreeClause("region_code", root, 3)
	ids, err := store.Rows(ctx, st, func(r *sql.Rows) (string, error) {
		var id string
		var avg sql.NullFloat64
		return id, r.Scan(&id, &avg)
	}, `SELECT indicator_id, AVG(self_value) FROM kla_values
		WHERE regime = $1 AND year = $2 AND `+where+` GROUP BY indicator_id`, append([]any{regime, year}, args...)...)
	if err != nil {
		return 0, fmt.Errorf("kla: raw total: %w", err)
	}
	return len(ids), nil
}

// CaseCount is what lindu's case records say for the two computed
// indicators of cluster V, for one region group and year.
type CaseCount struct {
	Group                string
	Year                 int
	ChildCases, Served   int // cases with a child victim; those that received a service
	ABHClosed, ABHRestor int // ABH cases closed; those closed by restorative justice (diversi)
}

// CaseCounts counts, per year and per region group (the root itself when
// groupLen is 0, else codes cut to groupLen), the cases behind the
// computed indicators:
//   - children needing special protection who received services: cases
//     reported in the year (excluding unverified "new" ones) with a victim
//     under 18 or no victim with a known age; served = with at least one
//     service recorded;
//   - ABH cases resolved by restorative justice: cases of type "abh" closed
//     in the year; restorative = with a service of type law_enforcement or
//     legal_aid whose provider names "diversi" or "restorat" (the
//     convention for recording a diversion under UU 11/2012 SPPA; the
//     provider is sealed, so its services.restorative flag, set when it
//     is stored, is what is counted).
//
// Only counts leave the case tables. Authorization: PermViewDashboard,
// root inside the caller's region.
func CaseCounts(ctx context.Context, st *store.Store, sc domain.Scope, root string, groupLen int, years []int) ([]CaseCount, error) {
	return caseCountsVia(ctx, st, nil, sc, root, groupLen, years)
}

// caseCountsVia is CaseCounts reading through cache (nil: none).
func caseCountsVia(ctx context.Context, st *store.Store, cache *CaseCache, sc domain.Scope, root string, groupLen int, years []int) ([]CaseCount, error) {
	if err := mayViewDashboard(sc, root); err != nil {
		return nil, err
	}
	if len(years) == 0 {
		return nil, nil
	}
	from, to := slices.Min(years), slices.Max(years)
	var rows []CaseCount
	var err error
	if cache != nil {
		// The dashboard's trend window, so its trend, rankings and the
		// completeness table of the same year share one reading.
		rows, err = cache.counts(ctx, st, root, min(from, to-TrendYears+1), to)
	} else {
		rows, err = countCases(ctx, st, root, from, to)
	}
	if err != nil {
		return nil, err
	}
	return groupCases(rows, root, groupLen, years), nil
}

// groupCases adds up the counts per case region code of countCases into
// the groups of CaseCounts, for the years asked; groups without a case
// are left out.
func groupCases(rows []CaseCount, root string, groupLen int, years []int) []CaseCount {
	type key struct {
		group string
		year  int
	}
	sums := map[key]*CaseCount{}
	var keys []key
	for _, r := range rows {
		if !slices.Contains(years, r.Year) {
			continue
		}
		k := key{root, r.Year}
		if groupLen > 0 {
			if len(r.Group) < groupLen {
				continue // a case recorded above the groups
			}
			k.group = r.Group[:groupLen]
		}
		c := sums[k]
		if c == nil {
			c = &CaseCount{Group: k.group, Year: k.year}
			sums[k] = c
			keys = append(keys, k)
		}
		c.ChildCases += r.ChildCases
		c.Served += r.Served
		c.ABHClosed += r.ABHClosed
		c.ABHRestor += r.ABHRestor
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].group != keys[j].group {
			return keys[i].group < keys[j].group
		}
		return keys[i].year < keys[j].year
	})
	out := make([]CaseCount, 0, len(keys))
	for _, k := range keys {
		if c := sums[k]; c.ChildCases > 0 || c.ABHClosed > 0 {
			out = append(out, *c)
		}
	}
	return out
}

// countCases counts the cases of CaseCounts under root (and at it) for
// the years from..to per case region code (CaseCount.Group) and year, in
// one scan of the region's cases per indicator, on the store's pool for
// long reads (store.Bulk).
func countCases(ctx context.Context, st *store.Store, root string, from, to int) ([]CaseCount, error) {
	st = st.Bulk()
	where, wargs := subtreeClause("c.region_code", root, 1)
	// The year of a time column: the first year whose end is after it
	// (its bounds are added to args).
	var args []any
	yearOf := func(col string) string {
		if from == to {
			return strconv.Itoa(to)
		}
		b := strings.Builder{}
		b.WriteString("CASE")
		for y := from; y < to; y++ {
			args = append(args, time.Date(y+1, 1, 1, 0, 0, 0, 0, domain.WIB).UTC())
			fmt.Fprintf(&b, " WHEN %s < $%d THEN %d", col, len(args), y)
		}
		fmt.Fprintf(&b, " ELSE %d END", to)
		return b.String()
	}
	start := time.Date(from, 1, 1, 0, 0, 0, 0, domain.WIB).UTC()
	end := time.Date(to+1, 1, 1, 0, 0, 0, 0, domain.WIB).UTC()
	byKey := map[string]*CaseCount{}
	var out []*CaseCount
	get := func(region string, y int) *CaseCount {
		k := region + "|" + strconv.Itoa(y)
		if c, ok := byKey[k]; ok {
			return c
		}
		c := &CaseCount{Group: region, Year: y}
		byKey[k] = c
		out = append(out, c)
		return c
	}

	args = wargs[:len(wargs):len(wargs)]
	yc := yearOf("c.reported_at")
	args = append(args, start, end)
	children := `SELECT c.region_code, ` + yc + `, COUNT(*),
		COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM services sv WHERE sv.case_id = c.id) THEN 1 ELSE 0 END), 0)
		FROM cases c WHERE ` + where + ` AND c.reported_at >= $` + strconv.Itoa(len(args)-1) + ` AND c.reported_at < $` + strconv.Itoa(len(args)) + `
		AND c.status <> 'new'
		AND (EXISTS (SELECT 1 FROM victims v WHERE v.case_id = c.id AND v.age < 18)
		     OR NOT EXISTS (SELECT 1 FROM victims v WHERE v.case_id = c.id AND v.age IS NOT NULL))
		GROUP BY 1, 2`
	cs, err := countRows(ctx, st, children, args)
	if err != nil {
		return nil, err
	}
	for _, n := range cs {
		c := get(n.group, n.year)
		c.ChildCases, c.Served = n.all, n.some
	}

	args = wargs[:len(wargs):len(wargs)]
	yc = yearOf("c.closed_at")
	args = append(args, start, end)
	abh := `SELECT c.region_code, ` + yc + `, COUNT(*), COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM services sv WHERE sv.case_id = c.id
		AND sv.type IN ('law_enforcement', 'legal_aid') AND sv.restorative)
		THEN 1 ELSE 0 END), 0)
		FROM cases c JOIN case_types ct ON ct.case_id = c.id AND ct.type = 'abh'
		WHERE ` + where + ` AND c.closed_at >= $` + strconv.Itoa(len(args)-1) + ` AND c.closed_at < $` + strconv.Itoa(len(args)) + `
		AND c.status = 'closed'
		GROUP BY 1, 2`
	as, err := countRows(ctx, st, abh, args)
	if err != nil {
		return nil, err
	}
	for _, n := range as {
		c := get(n.group, n.year)
		c.ABHClosed, c.ABHRestor = n.all, n.some
	}
	res := make([]CaseCount, len(out))
	for i, c := range out {
		res[i] = *c
	}
	return res, nil
}

// groupCount is one row of a case count: a region code, a year, all
// cases and those that count.
type groupCount struct {
	group     string
	year      int
	all, some int
}

func countRows(ctx context.Context, st *store.Store, q string, args []any) ([]groupCount, error) {
	out, err := store.Rows(ctx, st, func(r *sql.Rows) (groupCount, error) {
		var g groupCount
		return g, r.Scan(&g.group, &g.year, &g.all, &g.some)
	}, q, args...)
	if err != nil {
		return nil, fmt.Errorf("kla: case counts: %w", err)
	}
	return out, nil
}

// regionNames returns the codes and names of the regions depth levels
// below root (1: children, 2: grandchildren). Reference data.
func regionNames(ctx context.Context, st *store.Store, root string, depth int) (map[string]string, error) {
	q := `SELECT code, name FROM regions WHERE parent_code = $1`
	args := []any{root}
	if depth == 2 { // one range of the codes under root
		where, a := below("code", root, 1)
		q, args = `SELECT code, name FROM regions WHERE `+where+` AND length(code) = $`+strconv.Itoa(len(a)+1),
			append(a, codeLen(domain.RegionLevelOf(root)+2))
	} else if depth != 1 {
		return nil, fmt.Errorf("kla: region names: depth %d", depth)
	}
	type pair struct{ code, name string }
	rows, err := store.Rows(ctx, st, func(r *sql.Rows) (pair, error) {
		var p pair
		return p, r.Scan(&p.code, &p.name)
	}, q, args...)
	if err != nil {
		return nil, fmt.Errorf("kla: region names: %w", err)
	}
	out := make(map[string]string, len(rows))
	for _, p := range rows {
		out[p.code] = p.name
	}
	return out, nil
}
