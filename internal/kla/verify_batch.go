package kla

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

// Accepting all values shown (terima semua yang tampil): the task force
// accepts a page of values at once, each as VerifyValue would accept it
// with its self-assessed value, but only as it was shown: a value entered
// again or given a verdict meanwhile is not accepted blindly.

// MaxBatch is the most values one batch accepts.
const MaxBatch = 500

// ValueRef names a value shown to the verifier and the version it was
// shown in (ValueVersion).
type ValueRef struct {
	RegionCode  string
	Year        int
	IndicatorID string
	Version     string
}

// ValueVersion is the version of a value as a verifier sees it: its
// verification state, the time of its last entry (to the microsecond, as
// both databases keep it) and the self-assessed value. Entering the value
// again or a verdict on it changes the version.
func ValueVersion(v domain.KLAValue) string {
	self := "-"
	if v.SelfValue != nil {
		self = strconv.FormatFloat(*v.SelfValue, 'g', -1, 64)
	}
	return v.Status + "." + strconv.FormatInt(v.UpdatedAt.UnixMicro(), 10) + "." + self
}

// RefOf is the reference to v as shown now.
func RefOf(v domain.KLAValue) ValueRef {
	return ValueRef{RegionCode: v.RegionCode, Year: v.Year, IndicatorID: v.IndicatorID, Version: ValueVersion(v)}
}

// AcceptValues accepts every value of refs with its self-assessed value
// as the verified value, all in one transaction or none: each gets the
// history entry and the audit entry of a single acceptance (VerifyValue).
// It refuses the whole batch when a value is unknown or outside the
// caller's region (not found), appears twice (invalid), or is no longer
// at the version shown or already verified (conflict, with the count of
// such values). It returns how many values were accepted. Authorization:
// as VerifyValue — PermVerifyKLA, each value's region inside the caller's.
func AcceptValues(ctx context.Context, st *store.Store, sc domain.Scope, regime string, refs []ValueRef, note string) (int, error) {
	if err := mayVerify(sc, note); err != nil {
		return 0, err
	}
	if len(refs) == 0 {
		return 0, domain.InvalidFields(domain.FieldErrors{"values": domain.M("kla.field.no_values")})
	}
	if len(refs) > MaxBatch {
		return 0, domain.InvalidFields(domain.FieldErrors{"values": domain.M("kla.verify_batch.too_many", MaxBatch)})
	}
	byID, err := indicatorsByID(ctx, st, regime)
	if err != nil {
		return 0, err
	}
	seen := map[string]bool{}
	for _, r := range refs {
		if !sc.Contains(r.RegionCode) {
			return 0, domain.NotFound("KLA value")
		}
		if _, ok := byID[r.IndicatorID]; !ok {
			return 0, domain.NotFound("KLA value")
		}
		key := r.RegionCode + "|" + strconv.Itoa(r.Year) + "|" + r.IndicatorID
		if seen[key] {
			return 0, domain.InvalidFields(domain.FieldErrors{"values": domain.M("kla.verify_batch.twice")})
		}
		seen[key] = true
	}
	err = st.InTx(ctx, func(tx *store.Tx) error {
		changed := 0
		type current struct {
			self    sql.NullFloat64
			status  string
			updated time.Time
		}
		cur := make([]current, len(refs))
		for n, r := range refs {
			c := &cur[n]
			err := tx.QueryRowContext(ctx, `SELECT self_value, verify_status, updated_at FROM kla_values WHERE region_code = $1
				AND year = $2 AND regime = $3 AND indicator_id = $4`, r.RegionCode, r.Year, regime, r.IndicatorID).Scan(&c.self, &c.status, &c.updated)
			if errors.Is(err, sql.ErrNoRows) {
				return domain.NotFound("KLA value")
			}
			if err != nil {
				return fmt.Errorf("kla: accept values: %w", err)
			}
			shown := domain.KLAValue{Status: c.status, UpdatedAt: c.updated}
			if c.self.Valid {
				shown.SelfValue = &c.self.Float64
			}
			if ValueVersion(shown) != r.Version || c.status == domain.KLAVerified {
				changed++
			}
		}
		if changed > 0 {
			return domain.E(domain.EConflict, "kla.verify_batch.changed", changed)
		}
		d := newRollupDelta()
		keys := make([]valueKey, len(refs))
		for i, r := range refs {
			keys[i] = valueKey{regime: regime, region: r.RegionCode, year: r.Year, indicator: r.IndicatorID}
		}
		if err := d.watchAll(ctx, tx, keys); err != nil {
			return err
		}
		for n, r := range refs {
			c := cur[n]
			var v *float64
			if c.self.Valid {
				x := c.self.Float64
				v = &x
			}
			// The row must still be as read (PostgreSQL runs at read
			// committed; SQLite holds the write lock already).
			res, err := tx.ExecContext(ctx, `UPDATE kla_values SET verified_value = $1, verify_status = $2, verified_at = $3,
				verified_by = $4 WHERE region_code = $5 AND year = $6 AND regime = $7 AND indicator_id = $8
				AND verify_status = $9 AND updated_at = $10`,
				v, domain.KLAVerified, tx.Now(), sc.Actor(), r.RegionCode, r.Year, regime, r.IndicatorID, c.status, c.updated)
			if err != nil {
				return fmt.Errorf("kla: accept values: %w", err)
			}
			if k, err := res.RowsAffected(); err != nil || k != 1 {
				return domain.E(domain.EConflict, "kla.verify_batch.changed", 1)
			}
			if err := addHistory(ctx, tx, sc, regime, r.RegionCode, r.Year, r.IndicatorID, historyEntry{kind: "verified", value: v, note: note}); err != nil {
				return err
			}
			if err := tx.Audit(ctx, sc, "kla.value.verified", "kla_value", regime+"/"+r.IndicatorID, r.RegionCode,
				fmt.Sprintf("year %d", r.Year)); err != nil {
				return err
			}
		}
		return d.settle(ctx, tx)
	})
	if err != nil {
		return 0, err
	}
	return len(refs), nil
}
