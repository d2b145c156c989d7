package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"lindu/internal/domain"
)

// NormalizeRegionName is the form names are searched in: lower case,
// letters and digits only, single spaces ("KAB. BENGKAYANG" → "kab bengkayang").
func NormalizeRegionName(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		} else {
			space = true
		}
	}
	return b.String()
}

// RegionCount returns how many regions of each level are loaded.
func (s *Store) RegionCount(ctx context.Context) (map[domain.RegionLevel]int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT level, COUNT(*) FROM regions GROUP BY level`)
	if err != nil {
		return nil, fmt.Errorf("store: count regions: %w", err)
	}
	defer rows.Close()
	out := map[domain.RegionLevel]int{}
	for rows.Next() {
		var l domain.RegionLevel
		var n int
		if err := rows.Scan(&l, &n); err != nil {
			return nil, err
		}
		out[l] = n
	}
	return out, rows.Err()
}

// RegionBatch inserts regions in one transaction, leaving existing codes
// untouched (so a second process importing at the same time is harmless).
func (s *Store) RegionBatch(ctx context.Context, rs []domain.Region) error {
	if len(rs) == 0 {
		return nil
	}
	per := s.maxParams() / 5
	return s.tx(ctx, func(tx *sql.Tx) error {
		for start := 0; start < len(rs); start += per {
			end := min(start+per, len(rs))
			var sb strings.Builder
			sb.WriteString(`INSERT INTO regions (code, parent_code, level, name, name_search) VALUES `)
			args := make([]any, 0, (end-start)*5)
			for i, r := range rs[start:end] {
				if i > 0 {
					sb.WriteByte(',')
				}
				n := len(args)
				fmt.Fprintf(&sb, "($%d,$%d,$%d,$%d,$%d)", n+1, n+2, n+3, n+4, n+5)
				var parent any
				if r.ParentCode != "" {
					parent = r.ParentCode
				}
				args = append(args, r.Code, parent, int(r.Level), r.Name, NormalizeRegionName(r.Name))
			}
			sb.WriteString(` ON CONFLICT (code) DO NOTHING`)
			if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
				return fmt.Errorf("store: insert regions: %w", err)
			}
		}
		return nil
	})
}

// lockRegions serialises the first-run region import across processes.
const lockRegions = 0x726567696f6e

// WithImportLock runs fn while holding the cross-process import lock, so two
// lindu processes starting together import the reference data once.
func (s *Store) WithImportLock(ctx context.Context, fn func() error) error {
	if s.dialect != Postgres {
		return fn()
	}
	return s.withLock(ctx, lockRegions, func(*sql.Conn) error { return fn() })
}

// GetRegion returns one region with its path of ancestor names. Regions are
// public reference data: no scope applies. Regions found are kept in
// memory (regionCache): the public intake checks every report's village,
// and most pages name their region.
func (s *Store) GetRegion(ctx context.Context, code string) (domain.Region, error) {
	if !domain.ValidRegionCode(code) {
		return domain.Region{}, domain.NotFound("region")
	}
	if r, ok := s.regions.get(code); ok {
		return r, nil
	}
	var r domain.Region
	var parent sql.NullString
	err := s.QueryRowContext(ctx, `SELECT code, parent_code, level, name FROM regions WHERE code = $1`, code).
		Scan(&r.Code, &parent, &r.Level, &r.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return r, domain.NotFound("region")
	}
	if err != nil {
		return r, fmt.Errorf("store: get region: %w", err)
	}
	r.ParentCode = parent.String
	path, err := s.regionPath(ctx, code)
	if err != nil {
		return r, err
	}
	r.Path = path
	s.regions.put(r)
	return r, nil
}

// regionPath returns the names from the province down to code.
func (s *Store) regionPath(ctx context.Context, code string) ([]string, error) {
	var codes []string
	for c := code; c != ""; c = domain.ParentRegionCode(c) {
		codes = append([]string{c}, codes...)
	}
	ph := make([]string, len(codes))
	args := make([]any, len(codes))
	for i, c := range codes {
		ph[i] = fmt.Sprintf("$%d", i+1)
		args[i] = c
	}
	rows, err := s.QueryContext(ctx, `SELECT code, name FROM regions WHERE code IN (`+strings.Join(ph, ",")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: region path: %w", err)
	}
	defer rows.Close()
	names := map[string]string{}
	for rows.Next() {
		var c, n string
		if err := rows.Scan(&c, &n); err != nil {
			return nil, err
		}
		names[c] = n
	}
	out := make([]string, 0, len(codes))
	for _, c := range codes {
		if n, ok := names[c]; ok {
			out = append(out, n)
		}
	}
	return out, rows.Err()
}

// RegionNames returns the names of the stored regions among codes, from
// memory where it can (regionCache): one statement reads the ones not kept
// yet. Lists name each row's village this way instead of joining regions
// in every list query (a b-tree probe of 91,000 regions per row).
func (s *Store) RegionNames(ctx context.Context, codes []string) (map[string]string, error) {
	out := make(map[string]string, len(codes))
	asked := make(map[string]bool, len(codes))
	var missing []any
	for _, c := range codes {
		if asked[c] {
			continue
		}
		asked[c] = true
		if n, ok := s.regions.name(c); ok {
			out[c] = n
			continue
		}
		missing = append(missing, c)
	}
	type named struct{ code, name string }
	scan := func(rows *sql.Rows) (named, error) {
		var r named
		err := rows.Scan(&r.code, &r.name)
		return r, err
	}
	// In statements of at most regionNamesPerRead codes: an export names
	// up to 100,000 cases' villages, and a statement takes at most 32,766
	// parameters on SQLite, 65,535 on PostgreSQL.
	for len(missing) > 0 {
		part := missing[:min(len(missing), regionNamesPerRead)]
		missing = missing[len(part):]
		ph := make([]string, len(part))
		for i := range part {
			ph[i] = "$" + strconv.Itoa(i+1)
		}
		found, err := Rows(ctx, s, scan, `SELECT code, name FROM regions WHERE code IN (`+strings.Join(ph, ",")+`)`, part...)
		if err != nil {
			return nil, fmt.Errorf("store: region names: %w", err)
		}
		for _, r := range found {
			out[r.code] = r.name
			s.regions.putName(r.code, r.name)
		}
	}
	return out, nil
}

// regionNamesPerRead is how many codes RegionNames reads in one statement.
var regionNamesPerRead = 1000

// RegionExists tells whether code is a stored region, from memory when
// GetRegion has read it before, else from q (a transaction's own view).
func (s *Store) RegionExists(ctx context.Context, q Querier, code string) (bool, error) {
	if _, ok := s.regions.get(code); ok {
		return true, nil
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions WHERE code = $1`, code).Scan(&n); err != nil {
		return false, fmt.Errorf("store: check region: %w", err)
	}
	return n > 0, nil
}

// regionCache keeps regions GetRegion has read. A stored region is never
// changed or removed (RegionBatch only adds codes it does not have), so a
// kept one is never stale, in this process or beside another one; codes
// not found are not kept, since an import may add them. On SQLite every
// write empties the readers' page caches, so without it each public
// report re-read the region's index pages from the file twice (a third of
// intake's CPU on the 200,000-case bench). At most regionCacheMax regions
// are kept (a regency's villages many times over); past it the cache
// starts again.
type regionCache struct {
	mu    sync.RWMutex
	m     map[string]domain.Region
	names map[string]string // RegionNames: the name alone, for lists
}

const regionCacheMax = 20000

func (c *regionCache) get(code string) (domain.Region, bool) {
	c.mu.RLock()
	r, ok := c.m[code]
	c.mu.RUnlock()
	r.Path = slices.Clone(r.Path) // the caller's own
	return r, ok
}

func (c *regionCache) put(r domain.Region) {
	r.Path = slices.Clone(r.Path)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= regionCacheMax {
		c.m = make(map[string]domain.Region)
	}
	c.m[r.Code] = r
	c.mu.Unlock()
	c.putName(r.Code, r.Name)
}

// name is a kept region's name.
func (c *regionCache) name(code string) (string, bool) {
	c.mu.RLock()
	n, ok := c.names[code]
	c.mu.RUnlock()
	return n, ok
}

func (c *regionCache) putName(code, name string) {
	c.mu.Lock()
	if c.names == nil || len(c.names) >= regionCacheMax {
		c.names = make(map[string]string)
	}
	c.names[code] = name
	c.mu.Unlock()
}

// RegionQuery selects regions.
type RegionQuery struct {
	Parent string // children of this code ("" = provinces, unless Query is set)
	Within string // restrict to this code and below (e.g. the deployment's root)
	Query  string // name search (all words must occur); searches below Parent
	Level  domain.RegionLevel
	Limit  int
}

// SearchRegions lists regions: the children of Parent, or, with a Query,
// regions anywhere below Parent (or Within) whose name contains every word.
// Results of a search are ordered by level (provinces first), then name.
func (s *Store) SearchRegions(ctx context.Context, q RegionQuery) ([]domain.Region, error) {
	limit := q.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if q.Parent != "" && !domain.ValidRegionCode(q.Parent) {
		return nil, domain.InvalidFields(domain.FieldErrors{"parent": domain.M("field.region_code_format")})
	}
	if q.Within != "" {
		c, a := scopeClause("code", q.Within, len(args)+1)
		conds = append(conds, c)
		args = append(args, a...)
	}
	words := strings.Fields(NormalizeRegionName(q.Query))
	if len(words) > 6 {
		words = words[:6]
	}
	switch {
	case len(words) > 0:
		if q.Parent != "" {
			conds = append(conds, "code LIKE "+arg(q.Parent+".%"))
		}
		for _, w := range words {
			conds = append(conds, "name_search LIKE "+arg("%"+w+"%"))
		}
	case q.Parent != "":
		conds = append(conds, "parent_code = "+arg(q.Parent))
	default:
		conds = append(conds, "parent_code IS NULL")
	}
	if q.Level != 0 {
		conds = append(conds, "level = "+arg(int(q.Level)))
	}
	sqlq := `SELECT code, parent_code, level, name FROM regions WHERE ` + strings.Join(conds, " AND ") +
		` ORDER BY level, name, code LIMIT ` + fmt.Sprint(limit)
	rows, err := s.QueryContext(ctx, sqlq, args...)
	if err != nil {
		return nil, fmt.Errorf("store: search regions: %w", err)
	}
	defer rows.Close()
	out := []domain.Region{}
	for rows.Next() {
		var r domain.Region
		var parent sql.NullString
		if err := rows.Scan(&r.Code, &parent, &r.Level, &r.Name); err != nil {
			return nil, err
		}
		r.ParentCode = parent.String
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Searches show where each hit is (many villages share a name).
	if len(words) > 0 {
		for i := range out {
			if out[i].Level > domain.LevelProvince {
				p, err := s.regionPath(ctx, out[i].ParentCode)
				if err != nil {
					return nil, err
				}
				out[i].Path = p
			}
		}
	}
	return out, nil
}
