package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Allow counts one hit for key in a fixed window and reports whether it is
// within limit, and if not, when the window ends. Kept in the database so
// every lindu instance counts together.
func (s *Store) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Time, error) {
	now := s.utc()
	var start time.Time
	var hits int
	// One statement, so concurrent requests (and instances) cannot both
	// read the same count: the row lock orders them.
	err := s.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1)
			ON CONFLICT (key) DO UPDATE SET
			  hits = CASE WHEN rate_limits.window_start <= $3 THEN 1 ELSE rate_limits.hits + 1 END,
			  window_start = CASE WHEN rate_limits.window_start <= $3 THEN excluded.window_start ELSE rate_limits.window_start END
			RETURNING window_start, hits`, key, now, now.Add(-window)).Scan(&start, &hits)
		if err != nil {
			return fmt.Errorf("store: rate limit: %w", err)
		}
		return nil
	})
	if err != nil {
		return false, time.Time{}, err
	}
	return hits <= limit, start.UTC().Add(window), nil
}
