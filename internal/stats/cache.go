package stats

import (
	"context"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// Cache keeps a region's computed figures a short while, shared by every
// request of the process: the staff page and the home pages read a
// regency's cases once per TTL instead of on every view (at 100,000 cases
// one reading takes seconds on SQLite), and concurrent first views wait
// for one computation. Publishing never uses it: a release is computed
// from the records as they are.
type Cache struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]cacheEntry
	g   singleflight.Group
}

type cacheEntry struct {
	set Set
	at  time.Time
}

// cacheMax bounds the cached sets (region × year).
const cacheMax = 64

// NewCache makes a cache whose sets live ttl.
func NewCache(ttl time.Duration) *Cache { return &Cache{ttl: ttl, m: map[string]cacheEntry{}} }

// WithCache returns the area reading through c.
func (s *Service) WithCache(c *Cache) *Service { return &Service{st: s.st, cache: c} }

// computeCached is compute through the cache (a copy: callers may apply
// disclosure control to it).
func (s *Service) computeCached(ctx context.Context, region string, year int) (Set, error) {
	if s.cache == nil {
		return s.compute(ctx, region, year)
	}
	c := s.cache
	key := region + "|" + strconv.Itoa(year)
	now := s.st.Now()
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < c.ttl {
		return cloneSet(e.set), nil
	}
	v, err, _ := c.g.Do(key, func() (any, error) {
		set, err := s.compute(ctx, region, year)
		if err != nil {
			return Set{}, err
		}
		c.mu.Lock()
		if len(c.m) >= cacheMax {
			for k, old := range c.m {
				if now.Sub(old.at) >= c.ttl || len(c.m) >= cacheMax {
					delete(c.m, k)
				}
			}
		}
		c.m[key] = cacheEntry{set: set, at: now}
		c.mu.Unlock()
		return set, nil
	})
	if err != nil {
		return Set{}, err
	}
	return cloneSet(v.(Set)), nil
}
