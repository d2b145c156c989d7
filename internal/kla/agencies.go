package kla

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Agencies (OPD) and the other parties to agreements (business, media,
// community), and the binding of a user account to the agency whose
// indicators it enters.

// Agencies lists agencies and other parties, by kind and name. Reference
// data: anyone may call it.
func Agencies(ctx context.Context, st *store.Store) ([]domain.KLAAgency, error) {
	out, err := store.Rows(ctx, st, func(r *sql.Rows) (domain.KLAAgency, error) {
		var a domain.KLAAgency
		return a, r.Scan(&a.Code, &a.Name, &a.Kind)
	}, `SELECT code, name, kind FROM kla_agencies ORDER BY kind, name`)
	if err != nil {
		return nil, fmt.Errorf("kla: agencies: %w", err)
	}
	return out, nil
}

// UpsertAgencies adds agencies or renames them. Authorization:
// PermManageKLA over the whole deployment (the system scope loads the
// shipped list).
func UpsertAgencies(ctx context.Context, st *store.Store, sc domain.Scope, as []domain.KLAAgency) error {
	if err := mayManage(st, sc, "kla.err.manage_agencies"); err != nil {
		return err
	}
	for _, a := range as {
		if a.Code == "" || a.Name == "" || !oneOf(a.Kind, domain.KLAPartyKinds) {
			return domain.InvalidFields(domain.FieldErrors{"agency": domain.M("kla.field.agency_incomplete")})
		}
	}
	return st.InTx(ctx, func(tx *store.Tx) error {
		for _, a := range as {
			if _, err := tx.ExecContext(ctx, `INSERT INTO kla_agencies (code, name, kind) VALUES ($1, $2, $3)
				ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind`, a.Code, a.Name, a.Kind); err != nil {
				return fmt.Errorf("kla: upsert agency: %w", err)
			}
		}
		return tx.Audit(ctx, sc, "kla.agencies", "kla_agency", "", sc.RegionCode, strconv.Itoa(len(as))+" agencies")
	})
}

// SetUserAgency binds a user (an opd_operator, usually) to an agency; ""
// unbinds. Authorization: PermManageUsers and the user inside the
// caller's region.
func SetUserAgency(ctx context.Context, st *store.Store, sc domain.Scope, userID, agency string) error {
	if !sc.Can(domain.PermManageUsers) {
		return forbidden("kla.err.bind_forbidden")
	}
	return st.InTx(ctx, func(tx *store.Tx) error {
		var region string
		err := tx.QueryRowContext(ctx, `SELECT region_code FROM users WHERE id = $1`, userID).Scan(&region)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !sc.Contains(region)) {
			return domain.NotFound("user")
		}
		if err != nil {
			return fmt.Errorf("kla: user agency: %w", err)
		}
		if agency != "" {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM kla_agencies WHERE code = $1`, agency).Scan(&n); err != nil {
				return fmt.Errorf("kla: user agency: %w", err)
			}
			if n == 0 {
				return domain.InvalidFields(domain.FieldErrors{"agency": domain.M("kla.field.unknown_agency")})
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET agency = $1, updated_at = $2 WHERE id = $3`, agency, tx.Now(), userID); err != nil {
			return fmt.Errorf("kla: user agency: %w", err)
		}
		return tx.Audit(ctx, sc, "user.agency", "user", userID, region, "agency="+agency)
	})
}

// UserAgency returns the agency bound to a user ("" when none or no such
// user). For the KLA checks of the user's own actions and the user pages;
// it reveals no personal data.
func UserAgency(ctx context.Context, st *store.Store, userID string) (string, error) {
	var a string
	err := st.QueryRowContext(ctx, `SELECT agency FROM users WHERE id = $1`, userID).Scan(&a)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("kla: user agency: %w", err)
	}
	return a, nil
}
