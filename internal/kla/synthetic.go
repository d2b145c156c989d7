package kla

import (
	"context"
	"database/sql"
	"fmt"

	"lindu/internal/store"
)

// GenerateValues fills kla_values with synthetic self-assessed values for
// every village (level 4), every indicator of regime and every year, for
// benchmarks: one INSERT ... SELECT per province and year, computed inside
// the database, each value valid for its indicator's unit (0 or 1 for
// availability, whole numbers for counts, 0-100 otherwise); about half
// also carry a verified value. Values already there are kept. It returns
// the number of rows written; progress, when not nil, hears the provinces
// × years done of the total. Not for production data: benchmarks and
// "lindu demo generate --kla-years" only; it checks no scope. The
// province's roll-ups are rebuilt in the same transaction.
func GenerateValues(ctx context.Context, st *store.Store, regime string, years []int, progress func(done, total int)) (int64, error) {
	codes, err := store.Rows(ctx, st, func(r *sql.Rows) (string, error) {
		var c string
		return c, r.Scan(&c)
	}, `SELECT code FROM regions WHERE level = 1 ORDER BY code`)
	if err != nil {
		return 0, fmt.Errorf("kla: generate values: %w", err)
	}
	rnd := `(ABS(RANDOM()) % 1000) / 10.0`
	// a value of the indicator's unit (i.unit) from rnd
	byUnit := func(rnd string) string {
		return `CASE i.unit WHEN 'availability' THEN (CASE WHEN ` + rnd + ` < 70 THEN 1 ELSE 0 END)
			WHEN 'count' THEN CAST(` + rnd + ` / 5 AS INTEGER) ELSE ` + rnd + ` END`
	}
	if st.Dialect() == store.Postgres {
		rnd = `FLOOR(RANDOM() * 1000) / 10.0`
	}
	var total int64
	done := 0
	for _, p := range codes {
		for _, y := range years {
			var n int64
			err := st.InTx(ctx, func(tx *store.Tx) error {
				res, err := tx.ExecContext(ctx, `INSERT INTO kla_values (region_code, year, regime, indicator_id, self_value, verified_value,
					verify_status, has_evidence, updated_at, updated_by)
					SELECT r.code, $1, i.regime, i.id, `+byUnit(rnd)+`, CASE WHEN `+rnd+` < 50 THEN `+byUnit(rnd)+` ELSE NULL END, 'pending', 1, $2, 'bench'
					FROM regions r CROSS JOIN kla_indicators i
					WHERE r.level = 4 AND r.parent_code LIKE $3 AND i.regime = $4
					ON CONFLICT (region_code, year, regime, indicator_id) DO NOTHING`, y, tx.Now(), p+".%", regime)
				if err != nil {
					return err
				}
				if n, err = res.RowsAffected(); err != nil {
					return err
				}
				return rebuildRollups(ctx, tx, regime, y, p)
			})
			if err != nil {
				return total, fmt.Errorf("kla: generate values %s %d: %w", p, y, err)
			}
			total += n
			done++
			if progress != nil {
				progress(done, len(codes)*len(years))
			}
		}
	}
	// Full statistics: sampled ones (PRAGMA optimize's analysis_limit, on
	// the write connection) see one year in the first thousand entries of
	// kla_values_year and make SQLite read a whole year for a regency.
	if err := st.InTx(ctx, func(tx *store.Tx) error {
		if st.Dialect() != store.SQLite {
			_, err := tx.ExecContext(ctx, `ANALYZE kla_values, kla_rollups`)
			return err
		}
		var limit int
		if err := tx.QueryRowContext(ctx, `PRAGMA analysis_limit`).Scan(&limit); err != nil {
			return err
		}
		for _, q := range []string{`PRAGMA analysis_limit = 0`, `ANALYZE kla_values`, `ANALYZE kla_rollups`,
			fmt.Sprintf(`PRAGMA analysis_limit = %d`, limit)} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return total, fmt.Errorf("kla: generate values: analyze: %w", err)
	}
	return total, nil
}
