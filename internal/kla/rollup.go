package kla

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"

	"lindu/internal/store"
)

// Roll-ups (kla_rollups): the values of every province, regency and
// district — the region's own and everything below it — summed per
// catalogue, year, indicator and the depth the values were entered at
// (the length of those regions' codes), as DHIS2 keeps analytics tables,
// but exact and current: every write of a value changes them by the
// difference it makes, in the same transaction (putValue, VerifyValue,
// AcceptValues through rollupDelta), and the synthetic generator rebuilds
// a province's from its values (rebuildRollups). The dashboard, the
// completeness table and the value counts read a province's few thousand
// roll-up rows instead of its hundreds of thousands of values. Villages,
// the deepest level, have none: their values are their own.
//
// Counts are exact. Sums are sums of floating-point numbers kept by
// adding differences, so they may differ from a fresh SUM in the last
// bits; a sum whose count falls to zero is reset to zero, and resolve
// rounds what it derives from them (roundValue).

// rollupLevels are the code lengths of the levels with roll-ups: province,
// regency, district.
func rollupLevel(codeLen int) bool { return codeLen == 2 || codeLen == 5 || codeLen == 8 }

// rollupKey is one roll-up row: the values of region (and below) for one
// catalogue, year and indicator entered at regions of code length depth.
type rollupKey struct {
	region, regime string
	year           int
	indicator      string
	depth          int
}

func (k rollupKey) less(o rollupKey) bool {
	if k.region != o.region {
		return k.region < o.region
	}
	if k.regime != o.regime {
		return k.regime < o.regime
	}
	if k.year != o.year {
		return k.year < o.year
	}
	if k.indicator != o.indicator {
		return k.indicator < o.indicator
	}
	return k.depth < o.depth
}

// rollupRow is what values add to a roll-up row (or, negative, take away).
type rollupRow struct {
	n, selfN, selfPos, verN, verPos, evidence, pending, verified, rejected int
	selfSum, verSum                                                        float64
}

func (r rollupRow) zero() bool { return r == rollupRow{} }

func (r *rollupRow) add(o rollupRow, sign int) {
	r.n += sign * o.n
	r.selfN += sign * o.selfN
	r.selfPos += sign * o.selfPos
	r.verN += sign * o.verN
	r.verPos += sign * o.verPos
	r.evidence += sign * o.evidence
	r.pending += sign * o.pending
	r.verified += sign * o.verified
	r.rejected += sign * o.rejected
	r.selfSum += float64(sign) * o.selfSum
	r.verSum += float64(sign) * o.verSum
}

// valueState is what the roll-ups count of one stored value; the zero
// valueState is no value (stored false), which counts nothing.
type valueState struct {
	stored         bool
	self, verified sql.NullFloat64
	hasEvidence    int
	status         string
}

// row is the roll-up row of one value.
func (v valueState) row() rollupRow {
	if !v.stored {
		return rollupRow{}
	}
	r := rollupRow{n: 1}
	if v.self.Valid {
		r.selfN, r.selfSum = 1, v.self.Float64
		if v.self.Float64 > 0 {
			r.selfPos = 1
		}
		if v.hasEvidence == 1 {
			r.evidence = 1
		}
	}
	if v.verified.Valid {
		r.verN, r.verSum = 1, v.verified.Float64
		if v.verified.Float64 > 0 {
			r.verPos = 1
		}
	}
	switch v.status {
	case "pending":
		r.pending = 1
	case "verified":
		r.verified = 1
	case "rejected":
		r.rejected = 1
	}
	return r
}

// valueStateCols are the columns of kla_values a valueState is read from,
// in scanState's order.
const valueStateCols = `self_value, verified_value, has_evidence, verify_status`

func scanState(row interface{ Scan(...any) error }, v *valueState) error {
	v.stored = true
	return row.Scan(&v.self, &v.verified, &v.hasEvidence, &v.status)
}

// readState reads the stored state of a value in tx (the zero valueState
// when there is none); lock locks its row on PostgreSQL (SQLite's write
// transaction holds the database already) so that no other transaction
// changes it before this one ends.
func readState(ctx context.Context, tx *store.Tx, k valueKey, lock bool) (valueState, error) {
	q := `SELECT ` + valueStateCols + ` FROM kla_values WHERE region_code = $1 AND year = $2 AND regime = $3 AND indicator_id = $4`
	if lock && tx.Store().Dialect() == store.Postgres {
		q += ` FOR UPDATE`
	}
	var v valueState
	err := scanState(tx.QueryRowContext(ctx, q, k.region, k.year, k.regime, k.indicator), &v)
	if errors.Is(err, sql.ErrNoRows) {
		return valueState{}, nil
	}
	if err != nil {
		return valueState{}, fmt.Errorf("kla: read value: %w", err)
	}
	return v, nil
}

// valueKey names one value of kla_values.
type valueKey struct {
	regime, region string
	year           int
	indicator      string
}

func (k valueKey) less(o valueKey) bool {
	return rollupKey{region: k.region, regime: k.regime, year: k.year, indicator: k.indicator}.less(
		rollupKey{region: o.region, regime: o.regime, year: o.year, indicator: o.indicator})
}

// rollupDelta keeps the roll-ups in step with a transaction's writes of
// values: watch each value before writing it, settle before the
// transaction ends. Settle adds each watched value's difference to the
// roll-ups of its region and the regions above it, in key order, so that
// two transactions never wait for each other's roll-up rows in a circle.
type rollupDelta struct {
	watched map[valueKey]valueState
	order   []valueKey
	m       map[rollupKey]*rollupRow
	// changed are the regions with roll-ups whose values (their own or
	// below them) changed: flush raises their versions. Kept apart from
	// m, where one village's difference may cancel another's.
	changed map[versionKey]bool
}

// versionKey names one counter of kla_versions.
type versionKey struct {
	regime string
	year   int
	region string
}

func (k versionKey) less(o versionKey) bool {
	return rollupKey{region: k.region, regime: k.regime, year: k.year}.less(rollupKey{region: o.region, regime: o.regime, year: o.year})
}

func newRollupDelta() *rollupDelta {
	return &rollupDelta{watched: map[valueKey]valueState{}, m: map[rollupKey]*rollupRow{}, changed: map[versionKey]bool{}}
}

// watch reads (and on PostgreSQL locks) the value of indicator in region
// and year as it is before the transaction writes it.
func (d *rollupDelta) watch(ctx context.Context, tx *store.Tx, regime, region string, year int, indicator string) error {
	k := valueKey{regime: regime, region: region, year: year, indicator: indicator}
	if _, ok := d.watched[k]; ok {
		return nil
	}
	v, err := readState(ctx, tx, k, true)
	if err != nil {
		return err
	}
	d.watched[k] = v
	d.order = append(d.order, k)
	return nil
}

// watchAll watches the values of keys in key order: transactions that
// lock the values they write this way before writing them never wait for
// each other's values in a circle, whatever order they write them in.
func (d *rollupDelta) watchAll(ctx context.Context, tx *store.Tx, keys []valueKey) error {
	keys = slices.Clone(keys)
	sort.Slice(keys, func(i, j int) bool { return keys[i].less(keys[j]) })
	for _, k := range keys {
		if err := d.watch(ctx, tx, k.regime, k.region, k.year, k.indicator); err != nil {
			return err
		}
	}
	return nil
}

// settle reads the watched values as the transaction left them, writes
// their differences to the roll-ups and forgets them.
func (d *rollupDelta) settle(ctx context.Context, tx *store.Tx) error {
	for _, k := range d.order {
		now, err := readState(ctx, tx, k, false)
		if err != nil {
			return err
		}
		d.change(k, d.watched[k], now)
	}
	clear(d.watched)
	d.order = d.order[:0]
	return d.flush(ctx, tx)
}

// change records that value k went from old to new.
func (d *rollupDelta) change(k valueKey, old, new valueState) {
	diff := new.row()
	diff.add(old.row(), -1)
	if diff.zero() {
		return
	}
	for _, l := range []int{2, 5, 8} {
		if l > len(k.region) {
			break
		}
		rk := rollupKey{region: k.region[:l], regime: k.regime, year: k.year, indicator: k.indicator, depth: len(k.region)}
		r := d.m[rk]
		if r == nil {
			r = &rollupRow{}
			d.m[rk] = r
		}
		r.add(diff, 1)
		d.changed[versionKey{regime: k.regime, year: k.year, region: k.region[:l]}] = true
	}
}

// flush writes the differences gathered by change in tx, then raises the
// versions of the regions whose values changed, and forgets them. A roll-up
// row whose count falls to zero is deleted; one that would fall below zero
// means the roll-ups were out of step with the values, and fails the
// transaction rather than hiding it. Both kinds of rows are written in key
// order, roll-ups first: transactions never wait for each other in a circle.
func (d *rollupDelta) flush(ctx context.Context, tx *store.Tx) error {
	keys := make([]rollupKey, 0, len(d.m))
	for k, r := range d.m {
		if !r.zero() {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].less(keys[j]) })
	for _, k := range keys {
		r := d.m[k]
		var n int
		if err := tx.QueryRowContext(ctx, `INSERT INTO kla_rollups (region_code, regime, year, indicator_id, depth, n, self_n,
			self_sum, self_pos, ver_n, ver_sum, ver_pos, evidence, pending, verified, rejected)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
			ON CONFLICT (region_code, regime, year, indicator_id, depth) DO UPDATE SET n = kla_rollups.n + excluded.n,
			self_n = kla_rollups.self_n + excluded.self_n,
			self_sum = CASE WHEN kla_rollups.self_n + excluded.self_n = 0 THEN 0 ELSE kla_rollups.self_sum + excluded.self_sum END,
			self_pos = kla_rollups.self_pos + excluded.self_pos, ver_n = kla_rollups.ver_n + excluded.ver_n,
			ver_sum = CASE WHEN kla_rollups.ver_n + excluded.ver_n = 0 THEN 0 ELSE kla_rollups.ver_sum + excluded.ver_sum END,
			ver_pos = kla_rollups.ver_pos + excluded.ver_pos, evidence = kla_rollups.evidence + excluded.evidence,
			pending = kla_rollups.pending + excluded.pending, verified = kla_rollups.verified + excluded.verified,
			rejected = kla_rollups.rejected + excluded.rejected
			RETURNING n`, k.region, k.regime, k.year, k.indicator, k.depth, r.n, r.selfN, r.selfSum, r.selfPos,
			r.verN, r.verSum, r.verPos, r.evidence, r.pending, r.verified, r.rejected).Scan(&n); err != nil {
			return fmt.Errorf("kla: roll-up: %w", err)
		}
		switch {
		case n < 0:
			return fmt.Errorf("kla: roll-up %s %d %s %s out of step with the values (%d values)", k.region, k.year, k.regime, k.indicator, n)
		case n == 0:
			if _, err := tx.ExecContext(ctx, `DELETE FROM kla_rollups WHERE region_code = $1 AND regime = $2 AND year = $3
				AND indicator_id = $4 AND depth = $5 AND n = 0`, k.region, k.regime, k.year, k.indicator, k.depth); err != nil {
				return fmt.Errorf("kla: roll-up: %w", err)
			}
		}
	}
	clear(d.m)
	versions := make([]versionKey, 0, len(d.changed))
	for k := range d.changed {
		versions = append(versions, k)
	}
	sort.Slice(versions, func(i, j int) bool { return versions[i].less(versions[j]) })
	for _, k := range versions {
		if _, err := tx.ExecContext(ctx, `INSERT INTO kla_versions (regime, year, region_code, version) VALUES ($1, $2, $3, 1)
			ON CONFLICT (regime, year, region_code) DO UPDATE SET version = kla_versions.version + 1`, k.regime, k.year, k.region); err != nil {
			return fmt.Errorf("kla: version: %w", err)
		}
	}
	clear(d.changed)
	return nil
}

// regionVersion is the version of root's values (its own and below it)
// for a catalogue and year: kla_versions' counter, 0 when there is none
// (no write since migration 0035). Only provinces, regencies and
// districts have one.
func regionVersion(ctx context.Context, st *store.Store, regime, root string, year int) (int64, error) {
	var v int64
	err := st.QueryRowContext(ctx, `SELECT version FROM kla_versions WHERE regime = $1 AND year = $2 AND region_code = $3`,
		regime, year, root).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("kla: version: %w", err)
	}
	return v, nil
}

// rollupSums are the columns summing rows of kla_rollups, in the order of
// the roll-up columns after depth.
const rollupSums = `SUM(n), SUM(self_n), SUM(self_sum), SUM(self_pos), SUM(ver_n), SUM(ver_sum), SUM(ver_pos),
	SUM(evidence), SUM(pending), SUM(verified), SUM(rejected)`

// valueRollup is the roll-up columns after depth of a single value of
// kla_values, for adding values to sums of roll-ups.
const valueRollup = `1 AS n, CASE WHEN self_value IS NULL THEN 0 ELSE 1 END AS self_n, COALESCE(self_value, 0) AS self_sum,
	CASE WHEN self_value > 0 THEN 1 ELSE 0 END AS self_pos, CASE WHEN verified_value IS NULL THEN 0 ELSE 1 END AS ver_n,
	COALESCE(verified_value, 0) AS ver_sum, CASE WHEN verified_value > 0 THEN 1 ELSE 0 END AS ver_pos,
	CASE WHEN self_value IS NOT NULL AND has_evidence = 1 THEN 1 ELSE 0 END AS evidence,
	CASE WHEN verify_status = 'pending' THEN 1 ELSE 0 END AS pending,
	CASE WHEN verify_status = 'verified' THEN 1 ELSE 0 END AS verified,
	CASE WHEN verify_status = 'rejected' THEN 1 ELSE 0 END AS rejected`

// rebuildRollups recomputes in tx the roll-ups of one province (and of
// its regencies and districts) for a catalogue and year from the values,
// as migration 0030 built them all: districts from their values, then
// regencies from their districts and own values, then the province.
func rebuildRollups(ctx context.Context, tx *store.Tx, regime string, year int, province string) error {
	if len(province) != 2 {
		return fmt.Errorf("kla: rebuild roll-ups: %q is not a province", province)
	}
	where, args := subtreeClause("region_code", province, 3)
	args = append([]any{regime, year}, args...)
	cols := `region_code, regime, year, indicator_id, depth, n, self_n, self_sum, self_pos, ver_n, ver_sum, ver_pos,
		evidence, pending, verified, rejected`
	if _, err := tx.ExecContext(ctx, `DELETE FROM kla_rollups WHERE regime = $1 AND year = $2 AND `+where, args...); err != nil {
		return fmt.Errorf("kla: rebuild roll-ups: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO kla_rollups (`+cols+`)
		SELECT substr(region_code, 1, 8), regime, year, indicator_id, length(region_code), `+rollupSums+`
		FROM (SELECT region_code, regime, year, indicator_id, `+valueRollup+`
			FROM kla_values WHERE regime = $1 AND year = $2 AND length(region_code) >= 8 AND `+where+`) AS v
		GROUP BY regime, year, substr(region_code, 1, 8), indicator_id, length(region_code)
		ORDER BY regime, year, substr(region_code, 1, 8), indicator_id, length(region_code)`, args...); err != nil {
		return fmt.Errorf("kla: rebuild roll-ups: %w", err)
	}
	for _, l := range []int{5, 2} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO kla_rollups (`+cols+`)
			SELECT substr(region_code, 1, `+fmt.Sprint(l)+`), regime, year, indicator_id, depth, `+rollupSums+`
			FROM (SELECT `+cols+` FROM kla_rollups WHERE regime = $1 AND year = $2 AND length(region_code) = `+fmt.Sprint(l+3)+` AND `+where+`
				UNION ALL
				SELECT region_code, regime, year, indicator_id, `+fmt.Sprint(l)+`, `+valueRollup+`
				FROM kla_values WHERE regime = $1 AND year = $2 AND length(region_code) = `+fmt.Sprint(l)+` AND `+where+`) AS below
			GROUP BY regime, year, substr(region_code, 1, `+fmt.Sprint(l)+`), indicator_id, depth
			ORDER BY regime, year, substr(region_code, 1, `+fmt.Sprint(l)+`), indicator_id, depth`, args...); err != nil {
			return fmt.Errorf("kla: rebuild roll-ups: %w", err)
		}
	}
	// Every region of the province with a version or roll-ups: a new
	// version.
	if _, err := tx.ExecContext(ctx, `UPDATE kla_versions SET version = version + 1 WHERE regime = $1 AND year = $2 AND `+where, args...); err != nil {
		return fmt.Errorf("kla: rebuild roll-ups: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO kla_versions (regime, year, region_code, version)
		SELECT DISTINCT regime, year, region_code, 1 FROM kla_rollups WHERE regime = $1 AND year = $2 AND `+where+`
		ON CONFLICT (regime, year, region_code) DO NOTHING`, args...); err != nil {
		return fmt.Errorf("kla: rebuild roll-ups: %w", err)
	}
	return nil
}
