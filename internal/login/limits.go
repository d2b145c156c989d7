// Package login owns the login limits: how many password and second-factor
// attempts a username, an address and a signed-in user may make, the short
// growing delays beyond them, and the admins' page of running delays
// (locks.go). Its rows live in the login_throttle table.
//
// It is a package of its own rather than part of package auth because the
// store core imports auth (password hashing, tokens) and these limits are
// written on the store core: login → store → auth.
package login

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	"lindu/internal/store"
)

// Every password (or TOTP) attempt is first taken against a set of limits
// in one transaction, before any password is hashed: the attempt is
// counted as a failure in advance, and refused outright while a limit's
// delay runs. A correct password then takes its count back. So 200
// parallel guesses from one address cost at most a handful of hashes, and
// the decision holds across several lindu processes on one database.
//
// There are no long locks: beyond Free failures within the window each
// further failure doubles a short delay up to Max. The limit on a
// (username, address) pair stops a guesser at one address; the one on an
// address stops a guesser trying many usernames; the one on a username
// alone only slows a guesser spread over many addresses (a few seconds), so
// nobody can keep the real user out from elsewhere.

// Limit is one counter an attempt is taken against.
type Limit struct {
	Key  string
	Free int           // failures within the window before any delay
	Base time.Duration // the first delay, doubled with each further failure
	Max  time.Duration // the longest delay
}

// window: failures older than this (with no attempt since) are forgotten.
const window = time.Hour

// LimitsFor returns the limits of a password login for username from
// address ip. Authorization: anyone (it only names counters); the login
// handler calls it with the username typed and the client's address.
func LimitsFor(username, ip string) []Limit {
	ip = LimitAddress(ip)
	return []Limit{
		{Key: "ua:" + username + "|" + ip, Free: 5, Base: 30 * time.Second, Max: 15 * time.Minute},
		// A whole office may share one address behind NAT.
		{Key: "ip:" + ip, Free: 30, Base: 30 * time.Second, Max: 15 * time.Minute},
		{Key: "u:" + username, Free: 20, Base: time.Second, Max: 5 * time.Second},
	}
}

// LimitAddress is the part of a client address a limit counts: an IPv4
// address whole, an IPv6 address by its /64 prefix (one subscriber holds a
// whole /64, 2^64 addresses), written "2001:db8:1:2::/64". Anything that is
// no address is returned as it is. Authorization: anyone (a pure function);
// any limit counted per client address should use it.
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
// (already past the password, so per user alone). Authorization: anyone
// (it only names counters); the second-factor step of a login and the
// account page's current-code check call it for the signed-in user.
func TOTPLimitsFor(userID string) []Limit {
	return []Limit{{Key: "totp:" + userID, Free: 5, Base: 30 * time.Second, Max: 15 * time.Minute}}
}

// PasswordCheckLimitsFor returns the limits of a signed-in user confirming
// their current password (changing the password or the second factor).
// Authorization: anyone (it only names counters); the account page calls
// it for the signed-in user.
func PasswordCheckLimitsFor(userID string) []Limit {
	return []Limit{{Key: "pw:" + userID, Free: 5, Base: 30 * time.Second, Max: 15 * time.Minute}}
}

// Attempt is the outcome of taking an attempt against limits.
type Attempt struct {
	Allowed bool
	// Until is when the next attempt will be taken, when refused.
	Until time.Time
	// Locked lists the keys whose delay this attempt started (for the audit log).
	Locked []string
}

// counter is a limit's row as read in TakeAttempt.
type counter struct {
	failures int
	last     sql.NullTime
	until    sql.NullTime
}

// sorted returns a copy of limits in key order, the order rows are locked
// in, so two attempts never wait on each other in a circle.
func sorted(limits []Limit) []Limit {
	limits = append([]Limit(nil), limits...)
	sort.Slice(limits, func(i, j int) bool { return limits[i].Key < limits[j].Key })
	return limits
}

// TakeAttempt counts an attempt against every limit at once, or refuses it
// (counting nothing) while any limit's delay runs. Call it before hashing
// the password; call Succeeded when it was right, GiveBack when it could
// not be judged. Authorization: anyone — it is what stands between an
// anonymous client and the password check.
func TakeAttempt(ctx context.Context, st *store.Store, limits []Limit) (Attempt, error) {
	limits = sorted(limits)
	var res Attempt
	err := st.InTx(ctx, func(tx *store.Tx) error {
		res = Attempt{Allowed: true}
		now := tx.Now()
		rows := make([]counter, len(limits))
		for i, l := range limits {
			c, err := readCounter(ctx, tx, st.Dialect(), l.Key)
			if err != nil {
				return err
			}
			rows[i] = c
			if c.until.Valid && c.until.Time.After(now) {
				res.Allowed = false
				if c.until.Time.After(res.Until) {
					res.Until = c.until.Time.UTC()
				}
			}
		}
		if !res.Allowed {
			return nil
		}
		for i, l := range limits {
			locked, err := countFailure(ctx, tx, l, rows[i])
			if err != nil {
				return err
			}
			if locked {
				res.Locked = append(res.Locked, l.Key)
			}
		}
		return nil
	})
	if err != nil {
		return Attempt{}, fmt.Errorf("login: take attempt: %w", err)
	}
	return res, nil
}

// readCounter creates the row of key if missing and reads it, locked for
// the rest of the transaction on PostgreSQL (SQLite's write transaction
// holds the whole database).
func readCounter(ctx context.Context, tx *store.Tx, d store.Dialect, key string) (counter, error) {
	var c counter
	if _, err := tx.ExecContext(ctx, `INSERT INTO login_throttle (key, failures, first_at, last_at) VALUES ($1, 0, $2, $2)
		ON CONFLICT (key) DO NOTHING`, key, tx.Now()); err != nil {
		return c, fmt.Errorf("create counter: %w", err)
	}
	q := `SELECT failures, last_at, locked_until FROM login_throttle WHERE key = $1`
	if d == store.Postgres {
		q += ` FOR UPDATE`
	}
	if err := tx.QueryRowContext(ctx, q, key).Scan(&c.failures, &c.last, &c.until); err != nil {
		return c, fmt.Errorf("read counter: %w", err)
	}
	return c, nil
}

// countFailure counts one failure in advance on l (forgetting failures
// older than the window) and starts its delay beyond the free ones; locked
// reports a delay started.
func countFailure(ctx context.Context, tx *store.Tx, l Limit, c counter) (locked bool, err error) {
	now := tx.Now()
	f := c.failures
	if !c.last.Valid || now.Sub(c.last.Time) > window {
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
		locked = true
	}
	if _, err := tx.ExecContext(ctx, `UPDATE login_throttle SET failures = $2, last_at = $3, locked_until = $4
		WHERE key = $1`, l.Key, f, now, until); err != nil {
		return false, fmt.Errorf("count failure: %w", err)
	}
	return locked, nil
}

// Succeeded takes back the attempt a right password or code had counted:
// the limits of the user (keys starting "ua:", "u:", "totp:", "pw:") are
// cleared, an address's limit ("ip:") only loses this attempt.
// Authorization: only after the secret taken against limits was checked
// right.
func Succeeded(ctx context.Context, st *store.Store, limits []Limit) error {
	err := st.InTx(ctx, func(tx *store.Tx) error {
		for _, l := range limits {
			var err error
			if strings.HasPrefix(l.Key, "ip:") {
				_, err = tx.ExecContext(ctx, `UPDATE login_throttle SET failures = failures - 1
					WHERE key = $1 AND failures > 0 AND locked_until IS NULL`, l.Key)
			} else {
				_, err = tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE key = $1`, l.Key)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("login: attempt succeeded: %w", err)
	}
	return nil
}

// GiveBack takes back an attempt that was counted but could not be judged
// (hashing busy, database error): each limit loses this one failure and
// nothing else. A delay already running stays, or a guesser who keeps the
// password gate busy would lift their own delay with every 503.
// Authorization: only for an attempt taken with TakeAttempt and not judged.
func GiveBack(ctx context.Context, st *store.Store, limits []Limit) error {
	limits = sorted(limits)
	err := st.InTx(ctx, func(tx *store.Tx) error {
		for _, l := range limits {
			if _, err := tx.ExecContext(ctx, `UPDATE login_throttle SET failures = failures - 1
				WHERE key = $1 AND failures > 0`, l.Key); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("login: give attempt back: %w", err)
	}
	return nil
}
