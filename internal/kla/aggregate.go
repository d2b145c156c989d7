package kla

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// The SQL behind the dashboard: values summarised per indicator and depth
// of the region tree in grouped range scans, and the case counts behind
// the two computed indicators. Only counts and sums leave these queries.

// agg summarises the values of one indicator at one depth of the region
// tree (Len is the length of the region codes: 2 province, 5 regency,
// 8 district, 13 village). Self* are the self-assessed values, Ver* the
// verified ones.
type agg struct {
	Group     string // the region the row belongs to (the root, or a child/grandchild code)
	Year      int
	Indicator string
	Len       int
	SelfN     int
	SelfAvg   float64
	SelfSum   float64
	SelfMax   float64
	VerN      int
	VerAvg    float64
	VerSum    float64
	VerMax    float64
	Evidence  int
	Updated   time.Time
}

const aggCols = `v.indicator_id, length(v.region_code), COUNT(v.self_value), COALESCE(AVG(v.self_value), 0),
	COALESCE(SUM(v.self_value), 0), COALESCE(MAX(v.self_value), 0), COUNT(v.verified_value), COALESCE(AVG(v.verified_value), 0),
	COALESCE(SUM(v.verified_value), 0), COALESCE(MAX(v.verified_value), 0), SUM(v.has_evidence), MAX(v.updated_at)`

// scanAgg reads aggCols after a leading year (byYear) or group column.
func scanAgg(byYear bool) func(*sql.Rows) (agg, error) {
	return func(rows *sql.Rows) (agg, error) {
		var a agg
		var upd any
		first := any(&a.Group)
		if byYear {
			first = &a.Year
		}
		if err := rows.Scan(first, &a.Indicator, &a.Len, &a.SelfN, &a.SelfAvg, &a.SelfSum, &a.SelfMax, &a.VerN, &a.VerAvg,
			&a.VerSum, &a.VerMax, &a.Evidence, &upd); err != nil {
			return a, err
		}
		a.Updated = anyTime(upd)
		return a, nil
	}
}

// anyTime reads an aggregate of a timestamp column: PostgreSQL returns a
// time, SQLite (MAX over a column) a string in its time format.
func anyTime(v any) time.Time {
	switch t := v.(type) {
	case time.Time:
		return t.UTC()
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999", time.RFC3339Nano} {
			if x, err := time.Parse(layout, t); err == nil {
				return x.UTC()
			}
		}
	case []byte:
		return anyTime(string(t))
	}
	return time.Time{}
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
// year (from..to), indicator and depth, in one grouped range scan.
// Authorization: PermViewDashboard, root inside the caller's region.
func aggregate(ctx context.Context, st *store.Store, sc domain.Scope, regime, root string, from, to int) ([]agg, error) {
	if err := mayViewDashboard(sc, root); err != nil {
		return nil, err
	}
	where, args := subtreeClause("v.region_code", root, 4)
	out, err := store.Rows(ctx, st, scanAgg(true), `SELECT v.year, `+aggCols+` FROM kla_values v
		WHERE v.regime = $1 AND v.year >= $2 AND v.year <= $3 AND `+where+`
		GROUP BY v.year, v.indicator_id, length(v.region_code)`, append([]any{regime, from, to}, args...)...)
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
// indicator and depth. Rows above groupLen are left out. Authorization:
// as aggregate.
func aggregateBelow(ctx context.Context, st *store.Store, sc domain.Scope, regime, root string, groupLen, year int) ([]agg, error) {
	if err := mayViewDashboard(sc, root); err != nil {
		return nil, err
	}
	where, args := below("v.region_code", root, 4)
	out, err := store.Rows(ctx, st, scanAgg(false), `SELECT substr(v.region_code, 1, $3) AS grp, `+aggCols+` FROM kla_values v
		WHERE v.regime = $1 AND v.year = $2 AND length(v.region_code) >= $3 AND `+where+`
		GROUP BY grp, v.indicator_id, length(v.region_code)`, append([]any{regime, year, groupLen}, args...)...)
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
	if err := mayViewDashboard(sc, root); err != nil {
		return nil, err
	}
	grp := "''"
	if groupLen > 0 {
		grp = fmt.Sprintf("substr(c.region_code, 1, %d)", groupLen)
	}
	where, wargs := subtreeClause("c.region_code", root, 3)
	byKey := map[string]*CaseCount{}
	var out []*CaseCount
	get := func(g string, y int) *CaseCount {
		if groupLen == 0 {
			g = root
		}
		k := fmt.Sprintf("%s|%d", g, y)
		if c, ok := byKey[k]; ok {
			return c
		}
		c := &CaseCount{Group: g, Year: y}
		byKey[k] = c
		out = append(out, c)
		return c
	}
	groupBy := " GROUP BY 1"
	if groupLen == 0 {
		groupBy = ""
	}
	children := `SELECT ` + grp + `, COUNT(*), COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM services sv WHERE sv.case_id = c.id) THEN 1 ELSE 0 END), 0)
		FROM cases c WHERE c.reported_at >= $1 AND c.reported_at < $2 AND c.status <> 'new' AND ` + where + `
		AND (EXISTS (SELECT 1 FROM victims v WHERE v.case_id = c.id AND v.age < 18)
		     OR NOT EXISTS (SELECT 1 FROM victims v WHERE v.case_id = c.id AND v.age IS NOT NULL))` + groupBy
	abh := `SELECT ` + grp + `, COUNT(*), COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM services sv WHERE sv.case_id = c.id
		AND sv.type IN ('law_enforcement', 'legal_aid') AND sv.restorative)
		THEN 1 ELSE 0 END), 0)
		FROM cases c JOIN case_types ct ON ct.case_id = c.id AND ct.type = 'abh'
		WHERE c.closed_at >= $1 AND c.closed_at < $2 AND c.status = 'closed' AND ` + where + groupBy
	for _, y := range years {
		start := time.Date(y, 1, 1, 0, 0, 0, 0, domain.WIB).UTC()
		end := time.Date(y+1, 1, 1, 0, 0, 0, 0, domain.WIB).UTC()
		args := append([]any{start, end}, wargs...)
		cs, err := countRows(ctx, st, children, args)
		if err != nil {
			return nil, err
		}
		for _, n := range cs {
			c := get(n.group, y)
			c.ChildCases, c.Served = n.all, n.some
		}
		as, err := countRows(ctx, st, abh, args)
		if err != nil {
			return nil, err
		}
		for _, n := range as {
			c := get(n.group, y)
			c.ABHClosed, c.ABHRestor = n.all, n.some
		}
	}
	res := make([]CaseCount, 0, len(out))
	for _, c := range out {
		if c.ChildCases > 0 || c.ABHClosed > 0 {
			res = append(res, *c)
		}
	}
	return res, nil
}

// groupCount is one row of a case count: a region group, all cases and
// those that count.
type groupCount struct {
	group     string
	all, some int
}

func countRows(ctx context.Context, st *store.Store, q string, args []any) ([]groupCount, error) {
	out, err := store.Rows(ctx, st, func(r *sql.Rows) (groupCount, error) {
		var g groupCount
		return g, r.Scan(&g.group, &g.all, &g.some)
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
	if depth == 2 {
		q = `SELECT code, name FROM regions WHERE parent_code IN (SELECT code FROM regions WHERE parent_code = $1)`
	} else if depth != 1 {
		return nil, fmt.Errorf("kla: region names: depth %d", depth)
	}
	type pair struct{ code, name string }
	rows, err := store.Rows(ctx, st, func(r *sql.Rows) (pair, error) {
		var p pair
		return p, r.Scan(&p.code, &p.name)
	}, q, root)
	if err != nil {
		return nil, fmt.Errorf("kla: region names: %w", err)
	}
	out := make(map[string]string, len(rows))
	for _, p := range rows {
		out[p.code] = p.name
	}
	return out, nil
}
