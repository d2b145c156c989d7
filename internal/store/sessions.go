package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"lindu/internal/auth"
	"lindu/internal/domain"
)

// Session is a logged-in browser. The cookie holds a random token; the
// database holds only its hash, so a stolen database cannot be replayed.
type Session struct {
	User      domain.User
	CSRFToken string
	MFAPassed bool
	Lang      string
	ExpiresAt time.Time
	LastSeen  time.Time
	TokenHash string
}

// Default session lifetimes (OWASP ASVS 3.3: idle and absolute timeouts).
const (
	DefaultSessionIdle = 30 * time.Minute // ends after this long without a request
	DefaultSessionMax  = 12 * time.Hour   // ends this long after login, whatever happens
)

// SessionIdle is how long a session lives without a request.
func (s *Store) SessionIdle() time.Duration { return s.sessionIdle }

// CreateSession starts a session for a user and returns the cookie token.
func (s *Store) CreateSession(ctx context.Context, userID, ip, lang string, mfaPassed bool) (string, error) {
	tok := auth.RandomToken(32)
	now := s.utc()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, csrf_token, mfa_passed, lang, ip,
			created_at, last_seen_at, expires_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
			auth.TokenHash(tok), userID, auth.RandomToken(24), mfaPassed, lang, ip, now, now, now.Add(s.sessionMax))
		if err != nil {
			return fmt.Errorf("store: create session: %w", err)
		}
		// Housekeeping: drop expired sessions now and then.
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2`, now, now.Add(-s.sessionIdle))
		return err
	})
	return tok, err
}

// SessionByToken returns the live session for a cookie token, or
// EUnauthorized. It refreshes last_seen at most once a minute.
func (s *Store) SessionByToken(ctx context.Context, tok string) (Session, error) {
	if tok == "" || len(tok) > 100 {
		return Session{}, domain.Errorf(domain.EUnauthorized, "not logged in")
	}
	h := auth.TokenHash(tok)
	var ss Session
	var last sql.NullTime
	var u userRow
	err := s.QueryRowContext(ctx, `SELECT `+userCols+`, s.csrf_token, s.mfa_passed, s.lang, s.expires_at, s.last_seen_at
		FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN regions r ON r.code = u.region_code
		WHERE s.id_hash = $1`, h).Scan(&u.ID, &u.Username, &u.Role, &u.RegionCode, &u.RegionName, &u.fullNameEnc,
		&u.emailEnc, &u.phoneEnc, &u.TOTPEnabled, &u.Disabled, &u.CreatedAt, &u.UpdatedAt, &last,
		&ss.CSRFToken, &ss.MFAPassed, &ss.Lang, &ss.ExpiresAt, &ss.LastSeen)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, domain.Errorf(domain.EUnauthorized, "not logged in")
	}
	if err != nil {
		return Session{}, fmt.Errorf("store: session: %w", err)
	}
	now := s.utc()
	if u.Disabled || now.After(ss.ExpiresAt) || now.Sub(ss.LastSeen) > s.sessionIdle {
		return Session{}, domain.Errorf(domain.EUnauthorized, "session ended")
	}
	u.PersonalMasked = hasPersonal(u)
	ss.User = u.User
	ss.TokenHash = h
	if now.Sub(ss.LastSeen) > time.Minute {
		if err := s.tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2`, now, h)
			return err
		}); err != nil {
			return Session{}, fmt.Errorf("store: touch session: %w", err)
		}
	}
	return ss, nil
}

// UpdateSession marks the second factor passed and/or sets the language.
func (s *Store) UpdateSession(ctx context.Context, tokenHash string, mfaPassed *bool, lang *string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if mfaPassed != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE sessions SET mfa_passed = $1 WHERE id_hash = $2`, *mfaPassed, tokenHash); err != nil {
				return fmt.Errorf("store: update session: %w", err)
			}
		}
		if lang != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE sessions SET lang = $1 WHERE id_hash = $2`, *lang, tokenHash); err != nil {
				return fmt.Errorf("store: update session: %w", err)
			}
		}
		return nil
	})
}

// DeleteSession ends a session (logout), writing the audit entry.
func (s *Store) DeleteSession(ctx context.Context, sc domain.Scope, tokenHash string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, tokenHash); err != nil {
			return fmt.Errorf("store: delete session: %w", err)
		}
		return s.audit(ctx, tx, sc, "auth.logout", "user", sc.UserID, sc.RegionCode, "")
	})
}
