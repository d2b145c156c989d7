package store

import (
	"context"
	"database/sql"
	"fmt"

	"lindu/internal/domain"
	"lindu/internal/secret"
)

// encryptedColumns lists every encrypted column, with the field name bound
// into its ciphertext. Later migrations add their columns here.
var encryptedColumns = []struct{ table, column, field, hashColumn, hashField string }{
	{"users", "full_name_enc", "users.full_name", "", ""},
	{"users", "email_enc", "users.email", "", ""},
	{"users", "phone_enc", "users.phone", "phone_hash", "phone"},
	{"users", "totp_secret_enc", "users.totp_secret", "", ""},
	{"outbox", "to_phone_enc", "outbox.to_phone", "", ""},
	{"case_access_grants", "reason_enc", "case_access_grants.reason", "", ""},
	{"victims", "disability_enc", "victims.disability", "", ""},
	{"placements", "place_name_enc", "placements.place_name", "", ""},
	{"services", "provider_enc", "services.provider", "", ""},
	{"referrals", "agency_enc", "referrals.agency", "", ""},
	{"reports", "reject_reason_enc", "reports.reject_reason", "", ""},
}

// Reencrypt rewrites every encrypted field with the box's active key and
// recomputes the lookup hashes, in one transaction per table row batch.
// Run it after putting a new key first in the key file; afterwards the old
// keys can be removed. It returns the number of values rewritten.
func (s *Store) Reencrypt(ctx context.Context, sc domain.Scope) (int, error) {
	active := s.box.ActiveKeyID()
	total := 0
	for _, c := range encryptedColumns {
		sel := `SELECT id, ` + c.column + ` FROM ` + c.table + ` WHERE ` + c.column + ` <> ''`
		rows, err := s.w.QueryContext(ctx, sel)
		if err != nil {
			return total, fmt.Errorf("store: reencrypt %s.%s: %w", c.table, c.column, err)
		}
		type item struct{ id, ct string }
		var items []item
		for rows.Next() {
			var it item
			if err := rows.Scan(&it.id, &it.ct); err != nil {
				rows.Close()
				return total, err
			}
			if secret.KeyIDOf(it.ct) != active || c.hashColumn != "" {
				items = append(items, it)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return total, err
		}
		err = s.tx(ctx, func(tx *sql.Tx) error {
			for _, it := range items {
				pt, err := s.box.Decrypt(c.field, it.ct)
				if err != nil {
					return fmt.Errorf("store: reencrypt %s.%s id %s: %w", c.table, c.column, it.id, err)
				}
				ct, err := s.box.Encrypt(c.field, pt)
				if err != nil {
					return err
				}
				q := `UPDATE ` + c.table + ` SET ` + c.column + ` = $1 WHERE id = $2`
				args := []any{ct, it.id}
				if c.hashColumn != "" {
					q = `UPDATE ` + c.table + ` SET ` + c.column + ` = $1, ` + c.hashColumn + ` = $3 WHERE id = $2`
					args = append(args, s.box.Hash(c.hashField, pt))
				}
				if _, err := tx.ExecContext(ctx, q, args...); err != nil {
					return fmt.Errorf("store: reencrypt: %w", err)
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += len(items)
	}
	err := s.Audit(ctx, sc, "key.rotate", "key", active, "", fmt.Sprintf("values=%d", total))
	return total, err
}

// CountForeignCiphertexts returns how many encrypted values are sealed with
// a key other than the active one (0 once rotation is complete).
func (s *Store) CountForeignCiphertexts(ctx context.Context) (int, error) {
	active := s.box.ActiveKeyID()
	n := 0
	for _, c := range encryptedColumns {
		rows, err := s.r.QueryContext(ctx, `SELECT `+c.column+` FROM `+c.table+` WHERE `+c.column+` <> ''`)
		if err != nil {
			return 0, err
		}
		for rows.Next() {
			var ct string
			if err := rows.Scan(&ct); err != nil {
				rows.Close()
				return 0, err
			}
			if secret.KeyIDOf(ct) != active {
				n++
			}
		}
		rows.Close()
	}
	return n, nil
}
