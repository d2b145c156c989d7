package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"lindu/internal/domain"
)

// KLAAgg summarises the values of one indicator at one depth of the
// region tree (Len is the length of the region codes: 2 province,
// 5 regency, 8 district, 13 village). Self* are the self-assessed values,
// Ver* the verified ones.
type KLAAgg struct {
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

const klaAggCols = `v.indicator_id, length(v.region_code), COUNT(v.self_value), COALESCE(AVG(v.self_value), 0),
	COALESCE(SUM(v.self_value), 0), COALESCE(MAX(v.self_value), 0), COUNT(v.verified_value), COALESCE(AVG(v.verified_value), 0),
	COALESCE(SUM(v.verified_value), 0), COALESCE(MAX(v.verified_value), 0), SUM(v.has_evidence), MAX(v.updated_at)`

func scanAgg(rows *sql.Rows, group *string, year *int) (KLAAgg, error) {
	var a KLAAgg
	var upd any
	dst := []any{}
	if group != nil {
		dst = append(dst, &a.Group)
	}
	if year != nil {
		dst = append(dst, &a.Year)
	}
	dst = append(dst, &a.Indicator, &a.Len, &a.SelfN, &a.SelfAvg, &a.SelfSum, &a.SelfMax, &a.VerN, &a.VerAvg, &a.VerSum,
		&a.VerMax, &a.Evidence, &upd)
	if err := rows.Scan(dst...); err != nil {
		return a, err
	}
	a.Updated = anyTime(upd)
	return a, nil
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

// KLAAggregate summarises the values of root and everything below it per
// year (from..to), indicator and depth, in one grouped range scan.
// Authorization: PermViewDashboard, root inside the caller's region.
func (s *Store) KLAAggregate(ctx context.Context, sc domain.Scope, regime, root string, from, to int) ([]KLAAgg, error) {
	if !sc.Can(domain.PermViewDashboard) {
		return nil, forbidden("no access to dashboards")
	}
	if !sc.Contains(root) {
		return nil, domain.NotFound("region")
	}
	where, args := subtreeClause("v.region_code", root, 4)
	rows, err := s.r.QueryContext(ctx, `SELECT v.year, `+klaAggCols+` FROM kla_values v
		WHERE v.regime = $1 AND v.year >= $2 AND v.year <= $3 AND `+where+`
		GROUP BY v.year, v.indicator_id, length(v.region_code)`, append([]any{regime, from, to}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: kla aggregate: %w", err)
	}
	defer rows.Close()
	var out []KLAAgg
	var y int
	for rows.Next() {
		a, err := scanAgg(rows, nil, &y)
		if err != nil {
			return nil, err
		}
		a.Group = root
		out = append(out, a)
	}
	return out, rows.Err()
}

// KLAAggregateBelow summarises, for one year, the values under root grouped
// by the region at code length groupLen (a child or grandchild of root),
// indicator and depth. Rows above groupLen are left out.
func (s *Store) KLAAggregateBelow(ctx context.Context, sc domain.Scope, regime, root string, groupLen, year int) ([]KLAAgg, error) {
	if !sc.Can(domain.PermViewDashboard) {
		return nil, forbidden("no access to dashboards")
	}
	if !sc.Contains(root) {
		return nil, domain.NotFound("region")
	}
	where, args := below("v.region_code", root, 4)
	rows, err := s.r.QueryContext(ctx, `SELECT substr(v.region_code, 1, $3) AS grp, `+klaAggCols+` FROM kla_values v
		WHERE v.regime = $1 AND v.year = $2 AND length(v.region_code) >= $3 AND `+where+`
		GROUP BY grp, v.indicator_id, length(v.region_code)`, append([]any{regime, year, groupLen}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: kla aggregate below: %w", err)
	}
	defer rows.Close()
	var out []KLAAgg
	var g string
	for rows.Next() {
		a, err := scanAgg(rows, &g, nil)
		if err != nil {
			return nil, err
		}
		a.Year = year
		out = append(out, a)
	}
	return out, rows.Err()
}

// KLARawTotal is the plain aggregate the benchmark compares the dashboard
// with: the average self-assessed value per indicator over root's subtree
// for one year, with no scoring at all.
func (s *Store) KLARawTotal(ctx context.Context, regime, root string, year int) (int, error) {
	where, args := subtreeClause("region_code", root, 3)
	rows, err := s.r.QueryContext(ctx, `SELECT indicator_id, AVG(self_value) FROM kla_values
		WHERE regime = $1 AND year = $2 AND `+where+` GROUP BY indicator_id`, append([]any{regime, year}, args...)...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id string
		var avg sql.NullFloat64
		if err := rows.Scan(&id, &avg); err != nil {
			return 0, err
		}
		n++
	}
	return n, rows.Err()
}

// KLACaseCount is what lindu's case records say for the two computed
// indicators of cluster V, for one region group and year.
type KLACaseCount struct {
	Group                string
	Year                 int
	ChildCases, Served   int // cases with a child victim; those that received a service
	ABHClosed, ABHRestor int // ABH cases closed; those closed by restorative justice (diversi)
}

// KLACaseCounts counts, per year and per region group (the root itself
// when groupLen is 0, else codes cut to groupLen), the cases behind the
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
// Only counts leave the store. Authorization: PermViewDashboard.
func (s *Store) KLACaseCounts(ctx context.Context, sc domain.Scope, root string, groupLen int, years []int) ([]KLACaseCount, error) {
	if !sc.Can(domain.PermViewDashboard) {
		return nil, forbidden("no access to dashboards")
	}
	if !sc.Contains(root) {
		return nil, domain.NotFound("region")
	}
	grp := "''"
	if groupLen > 0 {
		grp = fmt.Sprintf("substr(c.region_code, 1, %d)", groupLen)
	}
	where, wargs := subtreeClause("c.region_code", root, 3)
	byKey := map[string]*KLACaseCount{}
	var out []*KLACaseCount
	get := func(g string, y int) *KLACaseCount {
		if groupLen == 0 {
			g = root
		}
		k := fmt.Sprintf("%s|%d", g, y)
		if c, ok := byKey[k]; ok {
			return c
		}
		c := &KLACaseCount{Group: g, Year: y}
		byKey[k] = c
		out = append(out, c)
		return c
	}
	for _, y := range years {
		start := time.Date(y, 1, 1, 0, 0, 0, 0, domain.WIB).UTC()
		end := time.Date(y+1, 1, 1, 0, 0, 0, 0, domain.WIB).UTC()
		args := append([]any{start, end}, wargs...)
		q := `SELECT ` + grp + `, COUNT(*), COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM services sv WHERE sv.case_id = c.id) THEN 1 ELSE 0 END), 0)
			FROM cases c WHERE c.reported_at >= $1 AND c.reported_at < $2 AND c.status <> 'new' AND ` + where + `
			AND (EXISTS (SELECT 1 FROM victims v WHERE v.case_id = c.id AND v.age < 18)
			     OR NOT EXISTS (SELECT 1 FROM victims v WHERE v.case_id = c.id AND v.age IS NOT NULL))
			GROUP BY 1`
		if groupLen == 0 {
			q = strings.Replace(q, "GROUP BY 1", "", 1)
		}
		if err := s.scanCaseCounts(ctx, q, args, func(g string, a, b int) { c := get(g, y); c.ChildCases, c.Served = a, b }); err != nil {
			return nil, err
		}
		q = `SELECT ` + grp + `, COUNT(*), COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM services sv WHERE sv.case_id = c.id
			AND sv.type IN ('law_enforcement', 'legal_aid') AND sv.restorative)
			THEN 1 ELSE 0 END), 0)
			FROM cases c JOIN case_types ct ON ct.case_id = c.id AND ct.type = 'abh'
			WHERE c.closed_at >= $1 AND c.closed_at < $2 AND c.status = 'closed' AND ` + where + ` GROUP BY 1`
		if groupLen == 0 {
			q = strings.Replace(q, "GROUP BY 1", "", 1)
		}
		if err := s.scanCaseCounts(ctx, q, args, func(g string, a, b int) { c := get(g, y); c.ABHClosed, c.ABHRestor = a, b }); err != nil {
			return nil, err
		}
	}
	res := make([]KLACaseCount, 0, len(out))
	for _, c := range out {
		if c.ChildCases > 0 || c.ABHClosed > 0 {
			res = append(res, *c)
		}
	}
	return res, nil
}

func (s *Store) scanCaseCounts(ctx context.Context, q string, args []any, fn func(g string, a, b int)) error {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: kla case counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var g string
		var a, b int
		if err := rows.Scan(&g, &a, &b); err != nil {
			return err
		}
		fn(g, a, b)
	}
	return rows.Err()
}

// KLARegionNames returns the codes and names of the regions depth levels
// below root (1: children, 2: grandchildren). Reference data.
func (s *Store) KLARegionNames(ctx context.Context, root string, depth int) (map[string]string, error) {
	q := `SELECT code, name FROM regions WHERE parent_code = $1`
	if depth == 2 {
		q = `SELECT code, name FROM regions WHERE parent_code IN (SELECT code FROM regions WHERE parent_code = $1)`
	} else if depth != 1 {
		return nil, fmt.Errorf("store: region names: depth %d", depth)
	}
	rows, err := s.r.QueryContext(ctx, q, root)
	if err != nil {
		return nil, fmt.Errorf("store: region names: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var c, n string
		if err := rows.Scan(&c, &n); err != nil {
			return nil, err
		}
		out[c] = n
	}
	return out, rows.Err()
}
