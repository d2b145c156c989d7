package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Allow counts one hit for key in a fixed window and reports whether it is
// within limit, and if not, when the window ends. Kept in the database so
// every lindu instance counts together.
func (s *Store) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Time, error) {
	now := s.utc()
	allowed := true
	var resetAt time.Time
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var start time.Time
		var hits int
		err := tx.QueryRowContext(ctx, `SELECT window_start, hits FROM rate_limits WHERE key = $1`, key).Scan(&start, &hits)
		switch {
		case errors.Is(err, sql.ErrNoRows) || (err == nil && now.Sub(start) >= window):
			start, hits = now, 0
		case err != nil:
			return fmt.Errorf("store: rate limit: %w", err)
		}
		hits++
		resetAt = start.Add(window)
		if hits > limit {
			allowed = false
			return nil // do not count refused hits: the window does not grow
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, $3)
			ON CONFLICT (key) DO UPDATE SET window_start = excluded.window_start, hits = excluded.hits`, key, start, hits)
		if err != nil {
			return fmt.Errorf("store: rate limit: %w", err)
		}
		return nil
	})
	return allowed, resetAt, err
}
