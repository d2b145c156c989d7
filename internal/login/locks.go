package login

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// The admins' view of the login limits (/users/kunci-masuk): which limits
// have recent failures or a running delay, and lifting a delay that holds
// up a legitimate user.

// Lock is one login limit with failures, for the admins' page.
type Lock struct {
	Key      string
	Kind     string // "user_address", "address", "user", "totp", "password_check"
	Username string // for user_address and user
	Address  string // for user_address and address
	UserID   string // for totp and password_check
	// UnknownUser: the username typed is no account (shown blank: it may
	// be a password typed into the wrong field).
	UnknownUser bool
	Failures    int
	LastAt      time.Time
	Until       time.Time // zero when no delay runs
}

// parseLockKey reads what a limit's key names (see LimitsFor,
// TOTPLimitsFor, PasswordCheckLimitsFor); Kind "other" for a key none of
// them writes.
func parseLockKey(k string) Lock {
	l := Lock{Key: k}
	kind, rest, _ := strings.Cut(k, ":")
	switch kind {
	case "ua":
		l.Kind = "user_address"
		l.Username, l.Address, _ = strings.Cut(rest, "|")
	case "ip":
		l.Kind, l.Address = "address", rest
	case "u":
		l.Kind, l.Username = "user", rest
	case "totp":
		l.Kind, l.UserID = "totp", rest
	case "pw":
		l.Kind, l.UserID = "password_check", rest
	default:
		l.Kind = "other"
	}
	return l
}

// mayManageLocks: login limits are not regional (addresses have no
// region), so only user managers of the whole deployment see and lift them.
func mayManageLocks(sc domain.Scope, root string) error {
	if !sc.Can(domain.PermManageUsers) || !sc.Contains(root) {
		return domain.E(domain.EForbidden, "locks.err.forbidden")
	}
	return nil
}

// ListLocks returns the login limits with failures in the last window,
// running delays first. Pruning: rows without failures or delay for a day
// are deleted on the way. Authorization: PermManageUsers with a region
// covering the deployment's root region root (addresses are not regional).
func ListLocks(ctx context.Context, st *store.Store, sc domain.Scope, root string) ([]Lock, error) {
	if err := mayManageLocks(sc, root); err != nil {
		return nil, err
	}
	now := st.Now()
	if err := st.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE (locked_until IS NULL OR locked_until < $1)
			AND (last_at IS NULL OR last_at < $2)`, now, now.Add(-24*time.Hour))
		return err
	}); err != nil {
		return nil, fmt.Errorf("login: prune locks: %w", err)
	}
	out, err := store.Rows(ctx, st, func(rows *sql.Rows) (Lock, error) {
		var k string
		var f int
		var last, until sql.NullTime
		if err := rows.Scan(&k, &f, &last, &until); err != nil {
			return Lock{}, err
		}
		l := parseLockKey(k)
		l.Failures = f
		if last.Valid {
			l.LastAt = last.Time.UTC()
		}
		if until.Valid && until.Time.After(now) {
			l.Until = until.Time.UTC()
		}
		return l, nil
	}, `SELECT key, failures, last_at, locked_until FROM login_throttle
		WHERE failures > 0 AND (last_at > $1 OR locked_until > $2)
		ORDER BY CASE WHEN locked_until > $2 THEN 0 ELSE 1 END, last_at DESC LIMIT 500`, now.Add(-window), now)
	if err != nil {
		return nil, fmt.Errorf("login: list locks: %w", err)
	}
	for i := range out {
		if out[i].Username == "" {
			continue
		}
		var n int
		if err := st.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE username = $1`, out[i].Username).Scan(&n); err != nil {
			return nil, fmt.Errorf("login: list locks: %w", err)
		}
		if n == 0 {
			// Not even the key leaves this package: it holds what was
			// typed. Nobody real is held up by it, so there is nothing to
			// lift.
			out[i].Key, out[i].Username, out[i].UnknownUser = "", "", true
		}
	}
	return out, nil
}

// LiftLock forgets the failures of one limit key; audited without the
// address. Authorization: as ListLocks.
func LiftLock(ctx context.Context, st *store.Store, sc domain.Scope, root, key string) error {
	if err := mayManageLocks(sc, root); err != nil {
		return err
	}
	l := parseLockKey(key)
	if l.Kind == "other" {
		return domain.E(domain.ENotFound, "locks.err.not_found")
	}
	return st.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE key = $1`, key)
		if err != nil {
			return fmt.Errorf("login: lift lock: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("login: lift lock: %w", err)
		}
		if n == 0 {
			return domain.E(domain.ENotFound, "locks.err.not_found")
		}
		// The audit entry names the kind and the username or user, not the
		// address (a staff member's network address is kept only in
		// login_throttle, for a day).
		detail := "kind=" + l.Kind
		if l.Username != "" {
			detail += " username=" + l.Username
		}
		if l.UserID != "" {
			detail += " user_id=" + l.UserID
		}
		if err := tx.Audit(ctx, sc, "auth.login_lock_lifted", "", "", root, detail); err != nil {
			return fmt.Errorf("login: lift lock: %w", err)
		}
		return nil
	})
}
