package kla

import (
	"context"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// CaseCache keeps the case counts behind the two computed indicators of
// cluster V a short while, shared by every request of the process: the
// dashboard, the completeness table and the home pages read a region's
// cases once per TTL instead of on every view (at 100,000 cases in a
// regency one reading takes seconds), and concurrent first views wait for
// one reading. Counts older than the TTL are still shown while one
// request's reading of newer ones runs in the background, so only a
// region's first view (or one after five TTLs without a view) waits for
// the cases. The counts shown are then at most a few TTLs old; the
// functions without a cache (BuildDashboard, ScoreRegion, exports, the
// API) count the cases as they are.
type CaseCache struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]caseEntry
	g   singleflight.Group
}

type caseEntry struct {
	rows []CaseCount
	at   time.Time
}

// caseCacheMax bounds the cached regions × year windows.
const caseCacheMax = 256

// staleFor is how many TTLs old counts may still be shown while newer
// ones are read.
const staleFor = 5

// NewCaseCache makes a cache whose counts live ttl. Anyone may call it.
func NewCaseCache(ttl time.Duration) *CaseCache {
	return &CaseCache{ttl: ttl, m: map[string]caseEntry{}}
}

// counts is countCases through the cache: the counts of root's cases per
// region code and year from..to. The rows are shared: read only.
func (c *CaseCache) counts(ctx context.Context, st *store.Store, root string, from, to int) ([]CaseCount, error) {
	key := root + "|" + strconv.Itoa(from) + "|" + strconv.Itoa(to)
	now := st.Now()
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	read := func(ctx context.Context) func() (any, error) {
		return func() (any, error) {
			rows, err := countCases(ctx, st, root, from, to)
			if err != nil {
				return nil, err
			}
			c.mu.Lock()
			defer c.mu.Unlock()
			if len(c.m) >= caseCacheMax {
				for k, old := range c.m {
					if now.Sub(old.at) >= c.ttl || len(c.m) >= caseCacheMax {
						delete(c.m, k)
					}
				}
			}
			c.m[key] = caseEntry{rows: rows, at: now}
			return rows, nil
		}
	}
	switch age := now.Sub(e.at); {
	case ok && age < c.ttl:
		return e.rows, nil
	case ok && age < staleFor*c.ttl:
		// Shown as they are; newer ones are read for the next views (a
		// failed reading is tried again by the next view).
		c.g.DoChan(key, read(context.WithoutCancel(ctx)))
		return e.rows, nil
	}
	v, err, _ := c.g.Do(key, read(ctx))
	if err != nil {
		return nil, err
	}
	return v.([]CaseCount), nil
}

// Reader builds the KLA pages' figures with the case counts read through
// a CaseCache, and what the dashboard reads of the regions below a region
// kept while that region's version stands still (belowCache): the web
// pages hold one for the process. Everything else is as the package
// functions of the same names.
type Reader struct {
	st    *store.Store
	cases *CaseCache
	below *belowCache
}

// NewReader returns a Reader of st whose case counts live ttl. Anyone may
// call it.
func NewReader(st *store.Store, ttl time.Duration) *Reader {
	return &Reader{st: st, cases: NewCaseCache(ttl), below: newBelowCache()}
}

// BuildDashboard is BuildDashboard with case counts up to the cache's TTL
// old. Authorization: as BuildDashboard.
func (r *Reader) BuildDashboard(ctx context.Context, sc domain.Scope, region string, year int) (Dashboard, error) {
	return buildDashboard(ctx, r.st, caches{cases: r.cases, below: r.below}, sc, region, year)
}

// CompletenessByAgency is CompletenessByAgency with case counts up to the
// cache's TTL old. Authorization: as CompletenessByAgency.
func (r *Reader) CompletenessByAgency(ctx context.Context, sc domain.Scope, region string, year int) (Completeness, error) {
	return completenessByAgency(ctx, r.st, r.cases, sc, region, year)
}
