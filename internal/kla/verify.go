package kla

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Verification: the KLA task force (gugus tugas) checks the evidence of a
// self-assessed value and accepts it, with a verified value, or rejects it.

// VerifyValue records the task force's verdict on a value: accepted with
// a verified value (the self-assessed one when nil), or rejected (no
// verified value). Authorization: PermVerifyKLA, region inside the
// caller's.
func VerifyValue(ctx context.Context, st *store.Store, sc domain.Scope, regime, region string, year int, indicator string,
	accept bool, verified *float64, note string) error {
	return verifyValue(ctx, st, sc, regime, ValueRef{RegionCode: region, Year: year, IndicatorID: indicator}, false, accept, verified, note)
}

// VerifyShown records the verdict on a value as VerifyValue does, but
// only on the value as the verifier was shown it: ref.Version must be its
// version now (ValueVersion). A value entered again or given a verdict
// since the page was shown, or a ref without a version, is refused
// (conflict, kla.err.value_changed) and nothing is written.
// Authorization: as VerifyValue — PermVerifyKLA, region inside the
// caller's.
func VerifyShown(ctx context.Context, st *store.Store, sc domain.Scope, regime string, ref ValueRef, accept bool,
	verified *float64, note string) error {
	return verifyValue(ctx, st, sc, regime, ref, true, accept, verified, note)
}

// verifyValue records a verdict on the value ref names; with checked, only
// at ref.Version.
func verifyValue(ctx context.Context, st *store.Store, sc domain.Scope, regime string, ref ValueRef, checked, accept bool,
	verified *float64, note string) error {
	region, year, indicator := ref.RegionCode, ref.Year, ref.IndicatorID
	if err := mayVerify(sc, note); err != nil {
		return err
	}
	if !sc.Contains(region) {
		return domain.NotFound("KLA value")
	}
	byID, err := indicatorsByID(ctx, st, regime)
	if err != nil {
		return err
	}
	ind, ok := byID[indicator]
	if !ok {
		return domain.NotFound("KLA value")
	}
	if verified != nil {
		if m := ind.ValidKLAValue(*verified); m.Key != "" {
			return domain.InvalidFields(domain.FieldErrors{"verified_value": m})
		}
	}
	return st.InTx(ctx, func(tx *store.Tx) error {
		var (
			self    sql.NullFloat64
			was     string
			updated time.Time
		)
		err := tx.QueryRowContext(ctx, `SELECT self_value, verify_status, updated_at FROM kla_values WHERE region_code = $1
			AND year = $2 AND regime = $3 AND indicator_id = $4`, region, year, regime, indicator).Scan(&self, &was, &updated)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.NotFound("KLA value")
		}
		if err != nil {
			return fmt.Errorf("kla: verify value: %w", err)
		}
		if checked {
			shown := domain.KLAValue{Status: was, UpdatedAt: updated}
			if self.Valid {
				shown.SelfValue = &self.Float64
			}
			if ref.Version == "" || ValueVersion(shown) != ref.Version {
				return domain.E(domain.EConflict, "kla.err.value_changed")
			}
		}
		status, kind := domain.KLAVerified, "verified"
		var v *float64
		if accept {
			v = verified
			if v == nil && self.Valid {
				x := self.Float64
				v = &x
			}
		} else {
			status, kind = domain.KLARejected, "rejected"
		}
		d := newRollupDelta()
		if err := d.watch(ctx, tx, regime, region, year, indicator); err != nil {
			return err
		}
		// The row must still be as read (PostgreSQL runs at read
		// committed; SQLite holds the write lock already).
		res, err := tx.ExecContext(ctx, `UPDATE kla_values SET verified_value = $1, verify_status = $2, verified_at = $3,
			verified_by = $4 WHERE region_code = $5 AND year = $6 AND regime = $7 AND indicator_id = $8
			AND verify_status = $9 AND updated_at = $10`,
			v, status, tx.Now(), sc.Actor(), region, year, regime, indicator, was, updated)
		if err != nil {
			return fmt.Errorf("kla: verify value: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return domain.E(domain.EConflict, "kla.err.value_changed")
		}
		if err := d.settle(ctx, tx); err != nil {
			return err
		}
		if err := addHistory(ctx, tx, sc, regime, region, year, indicator, historyEntry{kind: kind, value: v, note: note}); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "kla.value."+kind, "kla_value", regime+"/"+indicator, region, fmt.Sprintf("year %d", year))
	})
}

// mayVerify checks what every verdict requires of the caller and the
// note: PermVerifyKLA, and a note of at most 2000 bytes. The region of
// each value must also lie inside the caller's (else not found).
func mayVerify(sc domain.Scope, note string) error {
	if !sc.Can(domain.PermVerifyKLA) {
		return forbidden("kla.err.verify_forbidden")
	}
	if len(note) > 2000 {
		return domain.InvalidFields(domain.FieldErrors{"note": domain.M("kla.field.too_long", 2000)})
	}
	return nil
}

// indicatorsByID maps the indicators of regime by id.
func indicatorsByID(ctx context.Context, st *store.Store, regime string) (map[string]domain.KLAIndicator, error) {
	inds, err := Indicators(ctx, st, regime)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]domain.KLAIndicator, len(inds))
	for _, i := range inds {
		byID[i.ID] = i
	}
	return byID, nil
}
