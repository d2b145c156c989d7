package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// The registry of service providers (penyedia layanan) a child is referred
// to: puskesmas and hospitals, the police PPA unit, prosecutors, courts,
// legal aid, psychologists, Dinsos, LKSA, religious counsellors. The
// contact person and phone are sealed; the phone's lookup hash lets a
// provider without an account answer a referral by SMS or WhatsApp.

// SaveProvider adds a provider (p.ID "") or changes one. Authorization:
// PermManageCases in a region containing the provider's.
func (s *Service) SaveProvider(ctx context.Context, sc domain.Scope, p domain.Provider) (domain.Provider, error) {
	if !sc.Can(domain.PermManageCases) {
		return p, domain.E(domain.EForbidden, "case.err.supervisor_only")
	}
	fe := p.Validate()
	if p.RegionCode == "" || !sc.Contains(p.RegionCode) {
		fe["region_code"] = domain.M("referral.field.provider_region")
	}
	if len(fe) > 0 {
		return p, domain.InvalidFields(fe)
	}
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		if name, err := regionName(ctx, tx, p.RegionCode); err != nil {
			return err
		} else if name == "" {
			return domain.InvalidFields(domain.FieldErrors{"region_code": domain.M("referral.field.provider_region")})
		}
		contact, err := s.st.Seal(store.FieldProviderContact, strings.TrimSpace(p.Contact))
		if err != nil {
			return err
		}
		phone, err := s.st.Seal(store.FieldProviderPhone, p.Phone)
		if err != nil {
			return err
		}
		var hash any
		if p.Phone != "" {
			hash = s.st.LookupHash(store.HashPhone, p.Phone)
		}
		now := tx.Now()
		services := strings.Join(p.Services, ",")
		if p.ID == "" {
			p.ID, p.Active = tx.NewID(), true
			if _, err := tx.ExecContext(ctx, `INSERT INTO providers (id, region_code, name, kind, services, contact_enc, phone_enc, phone_hash, active,
				created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$10)`, p.ID, p.RegionCode, p.Name, p.Kind, services, contact, phone,
				hash, true, now); err != nil {
				return fmt.Errorf("cases: provider: %w", err)
			}
			return tx.Audit(ctx, sc, "provider.create", "provider", p.ID, p.RegionCode, "kind="+p.Kind)
		}
		old, err := s.providerIn(ctx, tx, sc, p.ID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE providers SET region_code = $1, name = $2, kind = $3, services = $4, contact_enc = $5, phone_enc = $6,
			phone_hash = $7, active = $8, updated_at = $9 WHERE id = $10`, p.RegionCode, p.Name, p.Kind, services, contact, phone, hash, p.Active, now, p.ID)
		if err != nil {
			return fmt.Errorf("cases: provider: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return domain.NotFound("provider")
		}
		return tx.Audit(ctx, sc, "provider.update", "provider", p.ID, old.RegionCode, fmt.Sprintf("kind=%s active=%v", p.Kind, p.Active))
	})
	return p, err
}

// providerIn reads a provider visible to sc: in sc's region, or in a
// region containing it (a provincial hospital serves the regency).
func (s *Service) providerIn(ctx context.Context, q store.Querier, sc domain.Scope, id string) (domain.Provider, error) {
	ps, err := s.readProviders(ctx, q, sc, `p.id = $1`, []any{id})
	if err != nil {
		return domain.Provider{}, err
	}
	if len(ps) == 0 || !(sc.Contains(ps[0].RegionCode) || domain.RegionWithin(sc.RegionCode, ps[0].RegionCode)) {
		return domain.Provider{}, domain.NotFound("provider")
	}
	return ps[0], nil
}

// GetProvider reads a provider. Authorization: PermWorkCases; the
// provider in or above sc's region (else not found); contact only for a
// scope that sees personal data.
func (s *Service) GetProvider(ctx context.Context, sc domain.Scope, id string) (domain.Provider, error) {
	if !sc.Can(domain.PermWorkCases) {
		return domain.Provider{}, domain.NotFound("provider")
	}
	return s.providerIn(ctx, s.st, sc, id)
}

// ListProviders lists the providers serving sc's region (in it or above
// it), by name; activeOnly leaves out deactivated ones. Authorization:
// PermWorkCases (else none).
func (s *Service) ListProviders(ctx context.Context, sc domain.Scope, activeOnly bool) ([]domain.Provider, error) {
	if !sc.Can(domain.PermWorkCases) {
		return nil, nil
	}
	where, args := store.ScopeClause("p.region_code", sc.RegionCode, 1)
	var up []string
	for c := domain.ParentRegionCode(sc.RegionCode); c != ""; c = domain.ParentRegionCode(c) {
		args = append(args, c)
		up = append(up, fmt.Sprintf("$%d", len(args)))
	}
	if len(up) > 0 {
		where = "(" + where + " OR p.region_code IN (" + strings.Join(up, ",") + "))"
	}
	if activeOnly {
		args = append(args, true)
		where += fmt.Sprintf(" AND p.active = $%d", len(args))
	}
	return s.readProviders(ctx, s.st, sc, where, args)
}

// readProviders reads providers matching where (alias p).
func (s *Service) readProviders(ctx context.Context, q store.Querier, sc domain.Scope, where string, args []any) ([]domain.Provider, error) {
	type row struct {
		p                        domain.Provider
		services, contact, phone string
	}
	rows, err := store.Rows(ctx, q, func(r *sql.Rows) (row, error) {
		var x row
		err := r.Scan(&x.p.ID, &x.p.RegionCode, &x.p.RegionName, &x.p.Name, &x.p.Kind, &x.services, &x.contact, &x.phone, &x.p.Active, &x.p.Accounts)
		return x, err
	}, `SELECT p.id, p.region_code, COALESCE(r.name, ''), p.name, p.kind, p.services, p.contact_enc, p.phone_enc, p.active,
		(SELECT COUNT(*) FROM users u WHERE u.provider_id = p.id AND NOT u.disabled)
		FROM providers p LEFT JOIN regions r ON r.code = p.region_code WHERE `+where+` ORDER BY p.name, p.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("cases: providers: %w", err)
	}
	out := make([]domain.Provider, 0, len(rows))
	var masked bool
	for _, x := range rows {
		p := x.p
		if x.services != "" {
			p.Services = strings.Split(x.services, ",")
		}
		if p.Contact, err = s.st.Reveal(sc, store.FieldProviderContact, x.contact, &masked); err != nil {
			return nil, err
		}
		if p.Phone, err = s.st.Reveal(sc, store.FieldProviderPhone, x.phone, &masked); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// LinkProviderAccount binds a staff account of role provider to a
// provider (providerID "" unbinds it). Authorization: PermManageUsers over
// the account's region and a provider sc can see.
func (s *Service) LinkProviderAccount(ctx context.Context, sc domain.Scope, userID, providerID string) error {
	if !sc.Can(domain.PermManageUsers) {
		return domain.E(domain.EForbidden, "case.err.supervisor_only")
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		var role, region string
		err := tx.QueryRowContext(ctx, `SELECT role, region_code FROM users WHERE id = $1`, userID).Scan(&role, &region)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !sc.Contains(region)) {
			return domain.NotFound("user")
		}
		if err != nil {
			return fmt.Errorf("cases: provider account: %w", err)
		}
		if domain.Role(role) != domain.RoleProvider {
			return domain.InvalidFields(domain.FieldErrors{"user_id": domain.M("referral.field.account_role")})
		}
		var pid any
		if providerID != "" {
			if _, err := s.providerIn(ctx, tx, sc, providerID); err != nil {
				return err
			}
			pid = providerID
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET provider_id = $1 WHERE id = $2`, pid, userID); err != nil {
			return fmt.Errorf("cases: provider account: %w", err)
		}
		return tx.Audit(ctx, sc, "provider.account", "user", userID, region, "provider="+providerID)
	})
}

// providerOfUser is the provider a provider account belongs to ("" none).
func providerOfUser(ctx context.Context, q store.Querier, userID string) (string, error) {
	var pid sql.NullString
	err := q.QueryRowContext(ctx, `SELECT provider_id FROM users WHERE id = $1`, userID).Scan(&pid)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("cases: provider of user: %w", err)
	}
	return pid.String, nil
}
