package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	"lindu/internal/domain"
)

// Login limits. Every password (or TOTP) attempt is first taken against a
// set of limits in one transaction, before any password is hashed: the
// attempt is counted as a failure in advance, and refused outright while a
// limit's delay runs. A correct password then takes its count back. So 200
// parallel guesses from one address cost at most a handful of hashes, and
// the decision holds across several lindu processes on one database.
//
// There are no long locks: beyond Free failures within the window each
// further failure doubles a short delay up to Max. The limit on a
// (username, address) pair stops a guesser at one address; the one on an
// address stops a guesser trying many usernames; the one on a username
// alone only slows a guesser spread over many addresses (a few seconds), so
// nobody can keep the real user out from elsewhere.
type LoginLimit struct {
	Key  string
	Free int           // failures within the window before any delay
	Base time.Duration // the first delay, doubled with each further failure
	Max  time.Duration // the longest delay
}

// loginWindow: failures older than this (with no attempt since) are forgotten.
const loginWindow = time.Hour

// LoginLimitsFor returns the limits of a password login for username from
// address ip.
func LoginLimitsFor(username, ip string) []LoginLimit {
	ip = LimitAddress(ip)
	return []LoginLimit{
		{Key: "ua:" + username + "|" + ip, Free: 5, Base: 30 * time.Second, Max: 15 * time.Minute},
		// A whole office may share one address behind NAT.
		{Key: "ip:" + ip, Free: 30, Base: 30 * time.Second, Max: 15 * time.Minute},
		{Key: "u:" + username, Free: 20, Base: time.Second, Max: 5 * time.Second},
	}
}

// LimitAddress is the part of a client address a limit counts: an IPv4
// address whole (also when written IPv4-mapped), an IPv6 address by its /64
// prefix (one subscriber holds a whole /64, 2^64 addresses), written
// "2001:db8:1:2::/64"; anything else as it is. Every per-address limit
// (logins here, public reports and status look-ups in intake) counts
// through it. Pure: anyone may call it.
func LimitAddress(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	if a = a.Unmap(); a.Is4() {
		return a.String()
	}
	p, err := a.Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}

// TOTPLimitsFor returns the limits of second-factor attempts of a user
// (already past the password, so per user alone).
func TOTPLimitsFor(userID string) []LoginLimit {
	return []LoginLimit{{Key: "totp:" + userID, Free: 5, Base: 30 * time.Second, Max: 15 * time.Minute}}
}

// PasswordCheckLimitsFor returns the limits of a signed-in user confirming
// their current password (changing the password or the second factor).
func PasswordCheckLimitsFor(userID string) []LoginLimit {
	return []LoginLimit{{Key: "pw:" + userID, Free: 5, Base: 30 * time.Second, Max: 15 * time.Minute}}
}

// LoginAttempt is the outcome of taking an attempt against limits.
type LoginAttempt struct {
	Allowed bool
	// Until is when the next attempt will be taken, when refused.
	Until time.Time
	// Locked lists the keys whose delay this attempt started (for the audit log).
	Locked []string
}

// TakeLoginAttempt counts an attempt against every limit at once, or
// refuses it (counting nothing) while any limit's delay runs. Call it
// before hashing the password; call LoginSucceeded when it was right.
func (s *Store) TakeLoginAttempt(ctx context.Context, limits []LoginLimit) (LoginAttempt, error) {
	now := s.utc()
	var res LoginAttempt
	// Rows are locked in key order so two attempts never wait on each other
	// in a circle.
	limits = append([]LoginLimit(nil), limits...)
	sort.Slice(limits, func(i, j int) bool { return limits[i].Key < limits[j].Key })
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res = LoginAttempt{Allowed: true}
		type row struct {
			failures int
			last     sql.NullTime
			until    sql.NullTime
		}
		rows := make([]row, len(limits))
		for i, l := range limits {
			if _, err := tx.ExecContext(ctx, `INSERT INTO login_throttle (key, failures, first_at, last_at) VALUES ($1, 0, $2, $2)
				ON CONFLICT (key) DO NOTHING`, l.Key, now); err != nil {
				return fmt.Errorf("store: login limit: %w", err)
			}
			q := `SELECT failures, last_at, locked_until FROM login_throttle WHERE key = $1`
			if s.dialect == Postgres {
				q += ` FOR UPDATE`
			}
			if err := tx.QueryRowContext(ctx, q, l.Key).Scan(&rows[i].failures, &rows[i].last, &rows[i].until); err != nil {
				return fmt.Errorf("store: login limit: %w", err)
			}
			if rows[i].until.Valid && rows[i].until.Time.After(now) {
				res.Allowed = false
				if rows[i].until.Time.After(res.Until) {
					res.Until = rows[i].until.Time.UTC()
				}
			}
		}
		if !res.Allowed {
			return nil
		}
		for i, l := range limits {
			f := rows[i].failures
			if !rows[i].last.Valid || now.Sub(rows[i].last.Time) > loginWindow {
				f = 0
			}
			f++
			var until any
			if f > l.Free {
				d := l.Base << min(f-l.Free-1, 20)
				if d > l.Max || d <= 0 {
					d = l.Max
				}
				until = now.Add(d)
				res.Locked = append(res.Locked, l.Key)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE login_throttle SET failures = $2, last_at = $3, locked_until = $4
				WHERE key = $1`, l.Key, f, now, until); err != nil {
				return fmt.Errorf("store: login limit: %w", err)
			}
		}
		return nil
	})
	return res, err
}

// LoginSucceeded takes back the attempt a right password or code had
// counted: the limits of the user (keys starting "ua:", "u:", "totp:",
// "pw:") are cleared, an address's limit ("ip:") only loses this attempt.
func (s *Store) LoginSucceeded(ctx context.Context, limits []LoginLimit) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, l := range limits {
			var err error
			if strings.HasPrefix(l.Key, "ip:") {
				_, err = tx.ExecContext(ctx, `UPDATE login_throttle SET failures = failures - 1
					WHERE key = $1 AND failures > 0 AND locked_until IS NULL`, l.Key)
			} else {
				_, err = tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE key = $1`, l.Key)
			}
			if err != nil {
				return fmt.Errorf("store: login limit: %w", err)
			}
		}
		return nil
	})
}

// LoginLock is one login limit with failures, for the admins' page.
type LoginLock struct {
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

func parseLockKey(k string) LoginLock {
	l := LoginLock{Key: k}
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

// ListLoginLocks returns the login limits with failures in the last window,
// running delays first. Pruning: rows without failures or delay for a day
// are deleted on the way. Authorization: PermManageUsers with a region
// covering the deployment's root region (addresses are not regional).
func (s *Store) ListLoginLocks(ctx context.Context, sc domain.Scope, root string) ([]LoginLock, error) {
	if !sc.Can(domain.PermManageUsers) || !sc.Contains(root) {
		return nil, domain.Errorf(domain.EForbidden, "not allowed")
	}
	now := s.utc()
	if _, err := s.w.ExecContext(ctx, `DELETE FROM login_throttle WHERE (locked_until IS NULL OR locked_until < $1)
		AND (last_at IS NULL OR last_at < $2)`, now, now.Add(-24*time.Hour)); err != nil {
		return nil, fmt.Errorf("store: login locks: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT key, failures, last_at, locked_until FROM login_throttle
		WHERE failures > 0 AND (last_at > $1 OR locked_until > $2)
		ORDER BY CASE WHEN locked_until > $2 THEN 0 ELSE 1 END, last_at DESC LIMIT 500`, now.Add(-loginWindow), now)
	if err != nil {
		return nil, fmt.Errorf("store: login locks: %w", err)
	}
	defer rows.Close()
	var out []LoginLock
	for rows.Next() {
		var k string
		var f int
		var last, until sql.NullTime
		if err := rows.Scan(&k, &f, &last, &until); err != nil {
			return nil, err
		}
		l := parseLockKey(k)
		l.Failures = f
		if last.Valid {
			l.LastAt = last.Time.UTC()
		}
		if until.Valid && until.Time.After(now) {
			l.Until = until.Time.UTC()
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Username == "" {
			continue
		}
		var n int
		if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE username = $1`, out[i].Username).Scan(&n); err != nil {
			return nil, fmt.Errorf("store: login locks: %w", err)
		}
		if n == 0 {
			// Not even the key leaves the store: it holds what was typed.
			// Nobody real is held up by it, so there is nothing to lift.
			out[i].Key, out[i].Username, out[i].UnknownUser = "", "", true
		}
	}
	return out, nil
}

// LiftLoginLock forgets the failures of one limit key; audited.
// Authorization: as ListLoginLocks.
func (s *Store) LiftLoginLock(ctx context.Context, sc domain.Scope, root, key string) error {
	if !sc.Can(domain.PermManageUsers) || !sc.Contains(root) {
		return domain.Errorf(domain.EForbidden, "not allowed")
	}
	l := parseLockKey(key)
	if l.Kind == "other" {
		return domain.Errorf(domain.ENotFound, "no such lock")
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE key = $1`, key)
		if err != nil {
			return fmt.Errorf("store: lift login lock: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return domain.Errorf(domain.ENotFound, "no such lock")
		}
		// The audit entry names the kind and the username or user, not the
		// address (a staff member's network address is kept only here, for
		// a day).
		detail := "kind=" + l.Kind
		if l.Username != "" {
			detail += " username=" + l.Username
		}
		if l.UserID != "" {
			detail += " user_id=" + l.UserID
		}
		return s.audit(ctx, tx, sc, "auth.login_lock_lifted", "", "", root, detail)
	})
}

// GiveBackLoginAttempt takes back an attempt that was counted but could not
// be judged (hashing busy, database error): each limit loses this one
// failure and nothing else. A delay already running stays, or a guesser who
// keeps the password gate busy would lift their own delay with every 503.
func (s *Store) GiveBackLoginAttempt(ctx context.Context, limits []LoginLimit) error {
	limits = append([]LoginLimit(nil), limits...)
	sort.Slice(limits, func(i, j int) bool { return limits[i].Key < limits[j].Key })
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, l := range limits {
			if _, err := tx.ExecContext(ctx, `UPDATE login_throttle SET failures = failures - 1
				WHERE key = $1 AND failures > 0`, l.Key); err != nil {
				return fmt.Errorf("store: login limit: %w", err)
			}
		}
		return nil
	})
}
