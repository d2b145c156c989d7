package store

import (
	"context"
	"database/sql"
	"fmt"

	"lindu/internal/domain"
)

// Sensitive fields that were stored in plaintext before migration 0015 and
// are sealed since: the plaintext column (kept, emptied) and the sealed
// column, with the field name bound into the ciphertext.
var legacyPlaintext = []struct{ table, plain, sealed, field string }{
	{"victims", "disability", "disability_enc", FieldVictimDisability},
	{"placements", "place_name", "place_name_enc", FieldPlacementPlace},
	{"services", "provider", "provider_enc", FieldServiceProvider},
	{"referrals", "agency", "agency_enc", FieldReferralAgency},
	{"reports", "reject_reason", "reject_reason_enc", FieldReportRejectReason},
}

// sealedCaseFieldsVersion is the migration that added the sealed columns.
const sealedCaseFieldsVersion = 15

// sealLegacyPlaintext moves every plaintext value of legacyPlaintext into
// its sealed column and empties the plaintext, inside tx; a service's
// restorative flag is derived from its provider on the way. It is
// idempotent (a second run finds nothing) and returns how many values it
// sealed. Migrate runs it in the transaction of migration 0015, and again
// at every later start in case a process of an older version wrote
// plaintext meanwhile.
func (s *Store) sealLegacyPlaintext(ctx context.Context, tx *sql.Tx) (int, error) {
	total := 0
	for _, c := range legacyPlaintext {
		rows, err := tx.QueryContext(ctx, `SELECT id, `+c.plain+` FROM `+c.table+` WHERE `+c.plain+` <> ''`)
		if err != nil {
			return total, fmt.Errorf("store: seal %s.%s: %w", c.table, c.plain, err)
		}
		type item struct{ id, plain string }
		var items []item
		for rows.Next() {
			var it item
			if err := rows.Scan(&it.id, &it.plain); err != nil {
				rows.Close()
				return total, fmt.Errorf("store: seal %s.%s: %w", c.table, c.plain, err)
			}
			items = append(items, it)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return total, fmt.Errorf("store: seal %s.%s: %w", c.table, c.plain, err)
		}
		for _, it := range items {
			ct, err := s.box.Encrypt(c.field, it.plain)
			if err != nil {
				return total, err
			}
			q := `UPDATE ` + c.table + ` SET ` + c.sealed + ` = $1, ` + c.plain + ` = '' WHERE id = $2`
			args := []any{ct, it.id}
			if c.table == "services" {
				q = `UPDATE services SET provider_enc = $1, provider = '', restorative = $3 WHERE id = $2`
				args = append(args, domain.RestorativeProvider(it.plain))
			}
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return total, fmt.Errorf("store: seal %s.%s: %w", c.table, c.plain, err)
			}
		}
		total += len(items)
	}
	return total, nil
}
