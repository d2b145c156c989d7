package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"lindu/internal/domain"
)

// Credentials is what login needs to know about a user.
type Credentials struct {
	User         domain.User
	PasswordHash string
	TOTPSecret   string // decrypted
	TOTPLastStep int64
}

// CredentialsByUsername returns a user's credentials for login, or not found.
// Authorization: none; only the login and CLI code paths call it.
func (s *Store) CredentialsByUsername(ctx context.Context, username string) (Credentials, error) {
	return s.credentials(ctx, "u.username = $1", domain.NormalizeUsername(username))
}

// CredentialsByID returns a user's credentials by id. Authorization: none;
// only the login, the account page (for the signed-in user) and the CLI
// call it.
func (s *Store) CredentialsByID(ctx context.Context, id string) (Credentials, error) {
	return s.credentials(ctx, "u.id = $1", id)
}

func (s *Store) credentials(ctx context.Context, where string, arg any) (Credentials, error) {
	row := s.QueryRowContext(ctx, `SELECT `+userReadCols+`, u.password_hash, u.totp_secret_enc, u.totp_last_step
		FROM users u LEFT JOIN regions r ON r.code = u.region_code WHERE `+where, arg)
	var c Credentials
	var totpEnc string
	u, err := scanUser(row, &c.PasswordHash, &totpEnc, &c.TOTPLastStep)
	if errors.Is(err, sql.ErrNoRows) {
		return Credentials{}, domain.NotFound("user")
	}
	if err != nil {
		return Credentials{}, fmt.Errorf("store: credentials: %w", err)
	}
	u.PersonalMasked = hasPersonal(u)
	c.User = u.User
	if c.TOTPSecret, err = s.Open(FieldUserTOTPSecret, totpEnc); err != nil {
		return Credentials{}, fmt.Errorf("store: credentials: %w", err)
	}
	return c, nil
}

// RecordLogin notes a successful login in the user row and the audit log.
// Authorization: none; only the login calls it, for the user whose
// credentials it checked.
func (s *Store) RecordLogin(ctx context.Context, sc domain.Scope, u domain.User, detail string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET last_login_at = $1 WHERE id = $2`, s.utc(), u.ID); err != nil {
			return fmt.Errorf("store: record login: %w", err)
		}
		return s.audit(ctx, tx, sc, "auth.login", "user", u.ID, u.RegionCode, detail)
	})
}

// SetTOTP stores (enabled=true) or removes (secret "") a user's second
// factor. Authorization: the user themself, or PermManageUsers in scope
// (removal only, for a lost phone).
func (s *Store) SetTOTP(ctx context.Context, sc domain.Scope, id, secret string, step int64) error {
	if sc.UserID != id {
		if !sc.Can(domain.PermManageUsers) || secret != "" {
			return domain.NotFound("user")
		}
	}
	enc, err := s.Seal(FieldUserTOTPSecret, secret)
	if err != nil {
		return fmt.Errorf("store: set totp: %w", err)
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		where, wargs := scopeClause("region_code", sc.RegionCode, 5)
		var region string
		err := tx.QueryRowContext(ctx, `SELECT region_code FROM users WHERE id = $1`, id).Scan(&region)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.NotFound("user")
		}
		if err != nil {
			return fmt.Errorf("store: set totp: %w", err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret_enc = $1, totp_enabled = $2, totp_last_step = $3
			WHERE id = $4 AND `+where, append([]any{enc, secret != "", step, id}, wargs...)...)
		if err != nil {
			return fmt.Errorf("store: set totp: %w", err)
		}
		if err := oneRow(res, "user"); err != nil {
			return err
		}
		action := "auth.totp_enable"
		if secret == "" {
			action = "auth.totp_disable"
		}
		return s.audit(ctx, tx, sc, action, "user", id, region, "")
	})
}

// UseTOTPStep records the step of an accepted code, refusing a replay
// (a step not after the last one used): false means the code was used.
// Authorization: none; only the login and the account page call it, for
// the user whose code they checked.
func (s *Store) UseTOTPStep(ctx context.Context, id string, step int64) (bool, error) {
	var ok bool
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1`, step, id)
		if err != nil {
			return fmt.Errorf("store: use totp step: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("store: use totp step: %w", err)
		}
		ok = n == 1
		return nil
	})
	return ok, err
}
