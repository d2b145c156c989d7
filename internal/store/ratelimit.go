package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// RateLimitRetention is how long a rate-limit window is kept: longer than
// any window Allow is asked for. The table is where abuse control keeps
// what it needs about the public (a keyed hash of an address or a phone
// number), so it is purged, unlike the audit log.
const RateLimitRetention = 24 * time.Hour

// Allow counts one hit for key in a fixed window and reports whether it is
// within limit, and if not, when the window ends. Kept in the database so
// every lindu instance counts together. The key (which names an address or
// a phone number) is stored only as a keyed hash, and windows older than
// RateLimitRetention are purged whenever a new window starts.
func (s *Store) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Time, error) {
	var ok bool
	var reset time.Time
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		ok, reset, err = tx.Allow(ctx, key, limit, window)
		return err
	})
	if err != nil {
		return false, time.Time{}, err
	}
	return ok, reset, nil
}

// Allow counts one hit for key in the transaction, as Store.Allow does,
// so a request that writes (a public report) counts and writes in one
// commit. A hit is counted only if the transaction commits: a caller that
// refuses the request over the limit may roll back, and the next request
// finds the same count and is refused again until the window ends.
func (t *Tx) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Time, error) {
	if window > RateLimitRetention {
		return false, time.Time{}, fmt.Errorf("store: rate limit window %s is longer than the retention", window)
	}
	if t.single {
		return t.allowLater(ctx, key, limit, window)
	}
	if err := t.flush(ctx); err != nil {
		return false, time.Time{}, err
	}
	ok, reset, fresh, err := t.st.count(ctx, t.tx, key, limit, window)
	if fresh {
		t.newWindow = true
	}
	return ok, reset, err
}

// count is Allow's one statement: it reports whether the hit is within
// limit, when the window ends, and whether it started a new window.
func (s *Store) count(ctx context.Context, tx *sql.Tx, key string, limit int, window time.Duration) (bool, time.Time, bool, error) {
	key = s.box.Hash("rate_limits.key", key)
	now := s.utc()
	var start time.Time
	var hits int
	// One statement, so concurrent requests (and instances) cannot both
	// read the same count: the row lock orders them.
	err := s.txQueryRow(ctx, tx, `INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1)
		ON CONFLICT (key) DO UPDATE SET
		  hits = CASE WHEN rate_limits.window_start <= $3 THEN 1 ELSE rate_limits.hits + 1 END,
		  window_start = CASE WHEN rate_limits.window_start <= $3 THEN excluded.window_start ELSE rate_limits.window_start END
		RETURNING window_start, hits`, key, now, now.Add(-window)).Scan(&start, &hits)
	if err != nil {
		return false, time.Time{}, false, fmt.Errorf("store: rate limit: %w", err)
	}
	return hits <= limit, start.UTC().Add(window), hits == 1, nil
}

// allowLater is Allow in a write tried as one statement (Tx.single): the
// hit is counted by a kept statement that fails the whole statement when
// it is over the limit (lindu_over_limit, migration 0037, which raises an
// error that says so), and the write then runs again in a transaction,
// where Allow tells when the window ends; the failed statement counted
// nothing. Within the limit it reports true and no end. Whether the
// window is new is not read back: the write purges old windows as after a
// new one (purgeSometimes, at most once a minute).
func (t *Tx) allowLater(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Time, error) {
	if limit < 1 && t.wantsTx() { // the first hit is over it already
		return false, time.Time{}, errNeedsTx
	}
	now := t.st.utc()
	t.newWindow = true
	return true, time.Time{}, t.ExecLater(ctx, `INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1)
		ON CONFLICT (key) DO UPDATE SET
		  hits = CASE WHEN rate_limits.window_start <= $3 THEN 1
		    WHEN rate_limits.hits >= $4 THEN lindu_over_limit() ELSE rate_limits.hits + 1 END,
		  window_start = CASE WHEN rate_limits.window_start <= $3 THEN excluded.window_start ELSE rate_limits.window_start END`,
		t.st.box.Hash("rate_limits.key", key), now, now.Add(-window), limit)
}

// purgeSometimes purges old rate-limit windows after a commit that
// started a new window, at most once a minute: housekeeping in its own
// statement (a commit of its own for every new client would double the
// cost of a burst of reports from many addresses). A failure here must not
// refuse the request that counted; a later new window tries again.
func (s *Store) purgeSometimes(ctx context.Context) {
	now := s.utc()
	if last := s.lastPurge.Load(); now.UnixNano()-last >= int64(purgeEvery) && s.lastPurge.CompareAndSwap(last, now.UnixNano()) {
		if _, err := s.PurgeRateLimits(ctx); err != nil {
			s.lastPurge.Store(last)
		}
	}
}

// purgeEvery is how often Allow purges old rate-limit windows at most.
const purgeEvery = time.Minute

// PurgeRateLimits deletes the rate-limit windows older than
// RateLimitRetention and returns how many it deleted.
func (s *Store) PurgeRateLimits(ctx context.Context) (int, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM rate_limits WHERE window_start < $1`, s.utc().Add(-RateLimitRetention))
	if err != nil {
		return 0, fmt.Errorf("store: purge rate limits: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
