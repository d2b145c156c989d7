package kla

import (
	"context"
	"sort"
	"sync"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// belowCache keeps what aggregateBelow read of the regions under a
// province, regency or district, grouped by region, for as long as that
// region's version (kla_versions) stands still. Every write that changes
// a value at or below the region raises its version in the same
// transaction (rollupDelta.flush, rebuildRollups), so a kept reading is
// the one the database would give now: the dashboard of a regency reads
// one counter instead of its villages' 3,844 values (a third of the
// page's work), and every process of a shared database sees the others'
// writes through the counter. The version is read before the values, so
// a write committed in between only makes the kept reading newer than its
// version: the next view reads again.
type belowCache struct {
	mu   sync.Mutex
	m    map[belowKey]belowEntry
	rows int // agg rows kept, at most max
	max  int
}

type belowKey struct {
	regime, root   string
	groupLen, year int
}

type belowEntry struct {
	version int64
	groups  map[string][]agg
	rows    int
}

// belowCacheRows bounds the rows kept (about 130 bytes each with their
// strings, 32 MB in all): the villages of 65 regencies (3,844 rows for
// Bengkayang's 124) or the districts of 25 provinces.
const belowCacheRows = 250_000

func newBelowCache() *belowCache {
	return &belowCache{m: map[belowKey]belowEntry{}, max: belowCacheRows}
}

// groupBelow sorts rows by region, indicator and depth and splits them
// by region; each region's rows are sorted as resolver.group wants them.
func groupBelow(rows []agg) map[string][]agg {
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.Group != b.Group {
			return a.Group < b.Group
		}
		if a.Indicator != b.Indicator {
			return a.Indicator < b.Indicator
		}
		return a.Len < b.Len
	})
	out := map[string][]agg{}
	for i := 0; i < len(rows); {
		j := i + 1
		for j < len(rows) && rows[j].Group == rows[i].Group {
			j++
		}
		out[rows[i].Group] = rows[i:j:j]
		i = j
	}
	return out
}

// below is aggregateBelow grouped by groupBelow, through c when c is not
// nil and root has a version (a province, regency or district). The
// groups may be shared with other requests: read only.
// Authorization: as aggregateBelow.
func (c *belowCache) below(ctx context.Context, st *store.Store, sc domain.Scope, regime, root string, groupLen, year int) (map[string][]agg, error) {
	if c == nil || !rollupLevel(len(root)) {
		rows, err := aggregateBelow(ctx, st, sc, regime, root, groupLen, year)
		return groupBelow(rows), err
	}
	if err := mayViewDashboard(sc, root); err != nil {
		return nil, err
	}
	v, err := regionVersion(ctx, st, regime, root, year)
	if err != nil {
		return nil, err
	}
	k := belowKey{regime: regime, root: root, groupLen: groupLen, year: year}
	c.mu.Lock()
	e, ok := c.m[k]
	c.mu.Unlock()
	if ok && e.version == v {
		return e.groups, nil
	}
	rows, err := aggregateBelow(ctx, st, sc, regime, root, groupLen, year)
	if err != nil {
		return nil, err
	}
	e = belowEntry{version: v, groups: groupBelow(rows), rows: len(rows)}
	if e.rows > c.max {
		return e.groups, nil // too large to keep
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[k]; ok {
		if old.version > v {
			return e.groups, nil // another request kept a newer reading
		}
		c.rows -= old.rows
		delete(c.m, k)
	}
	for k2, old := range c.m {
		if c.rows+e.rows <= c.max {
			break
		}
		c.rows -= old.rows
		delete(c.m, k2)
	}
	c.m[k] = e
	c.rows += e.rows
	return e.groups, nil
}
