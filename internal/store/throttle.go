package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Login throttling: after MaxLoginFailures consecutive failures for a key
// (a username, or an IP address) further attempts are refused for
// LoginLockout, doubling with every further failure up to a day. Kept in
// the database so every lindu instance sees the same counts.
const (
	MaxLoginFailures = 5
	LoginLockout     = 15 * time.Minute
	failureWindow    = time.Hour
)

// LoginLockedUntil returns when the lock on key ends (zero if not locked).
func (s *Store) LoginLockedUntil(ctx context.Context, key string) (time.Time, error) {
	var until sql.NullTime
	err := s.r.QueryRowContext(ctx, `SELECT locked_until FROM login_throttle WHERE key = $1`, key).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !until.Valid) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("store: throttle: %w", err)
	}
	if until.Time.Before(s.utc()) {
		return time.Time{}, nil
	}
	return until.Time.UTC(), nil
}

// LoginFailed counts a failure for key and returns the lock end if this
// failure locks it (at MaxLoginFailures consecutive failures).
func (s *Store) LoginFailed(ctx context.Context, key string) (time.Time, error) {
	return s.LoginFailedLimit(ctx, key, MaxLoginFailures)
}

// LoginFailedLimit is LoginFailed with another limit (e.g. a higher one for
// an IP address that a whole office may share behind NAT).
func (s *Store) LoginFailedLimit(ctx context.Context, key string, limit int) (time.Time, error) {
	now := s.utc()
	var until time.Time
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var failures int
		var first time.Time
		err := tx.QueryRowContext(ctx, `SELECT failures, first_at FROM login_throttle WHERE key = $1`, key).Scan(&failures, &first)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && now.Sub(first) > failureWindow && failures < limit) {
			failures, first = 0, now
		} else if err != nil {
			return fmt.Errorf("store: throttle: %w", err)
		}
		failures++
		var lock any
		if failures >= limit {
			d := LoginLockout << min(failures-limit, 7)
			if d > 24*time.Hour {
				d = 24 * time.Hour
			}
			until = now.Add(d)
			lock = until
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO login_throttle (key, failures, first_at, locked_until) VALUES ($1,$2,$3,$4)
			ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, first_at = excluded.first_at,
			locked_until = excluded.locked_until`, key, failures, first, lock)
		if err != nil {
			return fmt.Errorf("store: throttle: %w", err)
		}
		return nil
	})
	return until, err
}

// LoginSucceeded clears the failures of key.
func (s *Store) LoginSucceeded(ctx context.Context, key string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE key = $1`, key)
		return err
	})
}
