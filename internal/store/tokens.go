package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"lindu/internal/auth"
	"lindu/internal/domain"
)

// CreateToken makes an API bearer token for a user and returns it; only its
// hash is stored. Authorization: the user themself with PermManageTokens,
// or an admin (PermManageUsers) for a user in scope, or the system (CLI).
func (s *Store) CreateToken(ctx context.Context, sc domain.Scope, userID, name string) (string, domain.APIToken, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "token"
	}
	if utf8.RuneCountInString(name) > domain.MaxTokenName {
		return "", domain.APIToken{}, domain.InvalidFields(domain.FieldErrors{"name": domain.M("field.max_chars", domain.MaxTokenName)})
	}
	self := sc.UserID == userID && sc.Can(domain.PermManageTokens)
	if !self && !sc.Can(domain.PermManageUsers) {
		return "", domain.APIToken{}, domain.E(domain.EForbidden, "token.err.forbidden")
	}
	u, err := s.GetUser(ctx, withoutPersonal(sc), userID)
	if err != nil {
		return "", domain.APIToken{}, err
	}
	if u.Disabled {
		return "", domain.APIToken{}, domain.E(domain.EConflict, "token.err.user_disabled")
	}
	tok := auth.NewAPIToken()
	now := s.utc()
	t := domain.APIToken{ID: newID(now), UserID: userID, Name: name, CreatedAt: now}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($1,$2,$3,$4,$5)`,
			t.ID, userID, name, auth.TokenHash(tok), now)
		if err != nil {
			return fmt.Errorf("store: create token: %w", err)
		}
		return s.audit(ctx, tx, sc, "token.create", "api_token", t.ID, u.RegionCode, "user="+u.Username)
	})
	return tok, t, err
}

// withoutPersonal narrows a scope so a lookup does not decrypt (or audit).
func withoutPersonal(sc domain.Scope) domain.Scope {
	sc.Personal = false
	if sc.System {
		sc.Perms = sc.Perms.With(domain.PermViewUsers)
	}
	return sc
}

// TokenUseResolution is how precisely a token's last use is recorded.
const TokenUseResolution = time.Minute

// errBadToken answers any API token that is not a live one.
func errBadToken() error { return domain.E(domain.EUnauthorized, "token.err.invalid") }

// UserByToken returns the active user owning an API token, or EUnauthorized.
// Authorization: none; the API's authentication calls it with the bearer
// token it was given.
func (s *Store) UserByToken(ctx context.Context, tok string) (domain.User, error) {
	if !strings.HasPrefix(tok, auth.APITokenPrefix) || len(tok) > 100 {
		return domain.User{}, errBadToken()
	}
	var id string
	var lastUsed sql.NullTime
	row := s.QueryRowContext(ctx, `SELECT `+userReadCols+`, t.id, t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id
		LEFT JOIN regions r ON r.code = u.region_code WHERE t.token_hash = $1 AND t.revoked_at IS NULL`, auth.TokenHash(tok))
	u, err := scanUser(row, &id, &lastUsed)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.User{}, errBadToken()
	}
	if err != nil {
		return domain.User{}, fmt.Errorf("store: token: %w", err)
	}
	if u.Disabled {
		return domain.User{}, errBadToken()
	}
	// "Last used" is kept to the minute: a durable commit on every API
	// request would cost more than the request (and serialise all of
	// them on SQLite's one writer).
	now := s.utc()
	if !lastUsed.Valid || now.Sub(lastUsed.Time) >= TokenUseResolution || now.Before(lastUsed.Time) {
		if err := s.tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, now, id)
			return err
		}); err != nil {
			return domain.User{}, fmt.Errorf("store: token: %w", err)
		}
	}
	u.PersonalMasked = hasPersonal(u)
	return u.User, nil
}

// ListTokens lists a user's tokens. Authorization: the user themself, or an
// admin for a user in scope.
func (s *Store) ListTokens(ctx context.Context, sc domain.Scope, userID string) ([]domain.APIToken, error) {
	if _, err := s.GetUser(ctx, withoutPersonal(sc), userID); err != nil {
		return nil, err
	}
	if sc.UserID != userID && !sc.Can(domain.PermManageUsers) {
		return nil, domain.NotFound("user")
	}
	out, err := Rows(ctx, s.r, scanToken, `SELECT id, user_id, name, created_at, last_used_at, revoked_at FROM api_tokens
		WHERE user_id = $1 ORDER BY created_at DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: list tokens: %w", err)
	}
	if out == nil {
		out = []domain.APIToken{}
	}
	return out, nil
}

func scanToken(rows *sql.Rows) (domain.APIToken, error) {
	var t domain.APIToken
	var used, rev sql.NullTime
	if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &t.CreatedAt, &used, &rev); err != nil {
		return t, err
	}
	if used.Valid {
		x := used.Time.UTC()
		t.LastUsedAt = &x
	}
	if rev.Valid {
		x := rev.Time.UTC()
		t.RevokedAt = &x
	}
	t.CreatedAt = t.CreatedAt.UTC()
	return t, nil
}

// RevokeToken revokes a token. Authorization: as ListTokens.
func (s *Store) RevokeToken(ctx context.Context, sc domain.Scope, userID, tokenID string) error {
	u, err := s.GetUser(ctx, withoutPersonal(sc), userID)
	if err != nil {
		return err
	}
	if sc.UserID != userID && !sc.Can(domain.PermManageUsers) {
		return domain.NotFound("user")
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL`,
			s.utc(), tokenID, userID)
		if err != nil {
			return fmt.Errorf("store: revoke token: %w", err)
		}
		if err := oneRow(res, "token"); err != nil {
			return err
		}
		return s.audit(ctx, tx, sc, "token.revoke", "api_token", tokenID, u.RegionCode, "user="+u.Username)
	})
}
