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
// the database. It returns the number of rows written. Not for production
// data: benchmarks and the bench subcommand only; it checks no scope.
func GenerateValues(ctx context.Context, st *store.Store, regime string, years []int, progress func(done int)) (int64, error) {
	codes, err := store.Rows(ctx, st, func(r *sql.Rows) (string, error) {
		var c string
		return c, r.Scan(&c)
	}, `SELECT code FROM regions WHERE level = 1 ORDER BY code`)
	if err != nil {
		return 0, fmt.Errorf("kla: generate values: %w", err)
	}
	rnd := `(ABS(RANDOM()) % 1000) / 10.0`
	analyze := `ANALYZE`
	if st.Dialect() == store.Postgres {
		rnd, analyze = `FLOOR(RANDOM() * 1000) / 10.0`, `ANALYZE kla_values`
	}
	var total int64
	for _, p := range codes {
		for _, y := range years {
			var n int64
			err := st.InTx(ctx, func(tx *store.Tx) error {
				res, err := tx.ExecContext(ctx, `INSERT INTO kla_values (region_code, year, regime, indicator_id, self_value, verified_value,
					verify_status, has_evidence, updated_at, updated_by)
					SELECT r.code, $1, i.regime, i.id, `+rnd+`, CASE WHEN `+rnd+` < 50 THEN `+rnd+` ELSE NULL END, 'pending', 1, $2, 'bench'
					FROM regions r CROSS JOIN kla_indicators i
					WHERE r.level = 4 AND r.parent_code LIKE $3 AND i.regime = $4
					ON CONFLICT (region_code, year, regime, indicator_id) DO NOTHING`, y, tx.Now(), p+".%", regime)
				if err != nil {
					return err
				}
				n, err = res.RowsAffected()
				return err
			})
			if err != nil {
				return total, fmt.Errorf("kla: generate values %s %d: %w", p, y, err)
			}
			total += n
			if progress != nil {
				progress(int(total))
			}
		}
	}
	if err := st.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, analyze)
		return err
	}); err != nil {
		return total, fmt.Errorf("kla: generate values: analyze: %w", err)
	}
	return total, nil
}
