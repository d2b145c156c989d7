package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// The duty roster (piket): which caseworker takes the cases no team takes,
// per region and time. Routing reads it (dutyFor).

// maxShift is the longest duty shift.
const maxShift = 31 * 24 * time.Hour

// AddDuty puts a user on duty for a region. Authorization: PermManageTeams
// for a region inside the caller's.
func (s *Service) AddDuty(ctx context.Context, sc domain.Scope, d domain.DutyShift) (domain.DutyShift, error) {
	if !sc.Can(domain.PermManageTeams) {
		return d, domain.E(domain.EForbidden, "teams.err.forbidden_duty")
	}
	f := domain.FieldErrors{}
	if !domain.ValidRegionCode(d.RegionCode) || !sc.Contains(d.RegionCode) {
		f["region_code"] = domain.M("teams.field.duty_region")
	}
	if d.StartsAt.IsZero() || !d.EndsAt.After(d.StartsAt) || d.EndsAt.Sub(d.StartsAt) > maxShift {
		f["ends_at"] = domain.M("teams.field.duty_end")
	}
	if err := invalid(f); err != nil {
		return d, err
	}
	d.StartsAt, d.EndsAt = d.StartsAt.UTC(), d.EndsAt.UTC()
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		d.ID = tx.NewID()
		var ur, role string
		var disabled bool
		err := tx.QueryRowContext(ctx, `SELECT region_code, role, disabled FROM users WHERE id = $1`, d.UserID).Scan(&ur, &role, &disabled)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("cases: duty user: %w", err)
		}
		if err != nil || disabled || !domain.RegionWithin(d.RegionCode, ur) || !canWork(domain.Role(role)) {
			return domain.InvalidFields(domain.FieldErrors{"user_id": domain.M("teams.field.duty_user")})
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO duty_roster (id, user_id, region_code, starts_at, ends_at) VALUES ($1,$2,$3,$4,$5)`,
			d.ID, d.UserID, d.RegionCode, d.StartsAt, d.EndsAt); err != nil {
			return fmt.Errorf("cases: add duty: %w", err)
		}
		return tx.Audit(ctx, sc, "duty.add", "duty", d.ID, d.RegionCode, "user="+d.UserID)
	})
	return d, err
}

// ListDuty lists shifts in sc's region that end after from. Authorization:
// PermViewCases.
func (s *Service) ListDuty(ctx context.Context, sc domain.Scope, from time.Time) ([]domain.DutyShift, error) {
	if !sc.Can(domain.PermViewCases) {
		return nil, domain.E(domain.EForbidden, "teams.err.forbidden_view_duty")
	}
	where, args := store.ScopeClause("d.region_code", sc.RegionCode, 1)
	args = append(args, from.UTC())
	out, err := store.Rows(ctx, s.st, func(rows *sql.Rows) (domain.DutyShift, error) {
		var d domain.DutyShift
		err := rows.Scan(&d.ID, &d.UserID, &d.Username, &d.RegionCode, &d.StartsAt, &d.EndsAt)
		d.StartsAt, d.EndsAt = d.StartsAt.UTC(), d.EndsAt.UTC()
		return d, err
	}, `SELECT d.id, d.user_id, u.username, d.region_code, d.starts_at, d.ends_at FROM duty_roster d
		JOIN users u ON u.id = d.user_id WHERE `+where+` AND d.ends_at > $`+strconv.Itoa(len(args))+` ORDER BY d.starts_at`, args...)
	if err != nil {
		return nil, fmt.Errorf("cases: duty: %w", err)
	}
	if out == nil {
		out = []domain.DutyShift{}
	}
	return out, nil
}
