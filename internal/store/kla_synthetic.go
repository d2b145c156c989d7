package store

import (
	"context"
	"fmt"
)

// GenerateKLAValues fills kla_values with synthetic self-assessed values
// for every village (level 4) under root ("" = all of Indonesia), every
// indicator of regime and every year, for benchmarks: one INSERT ... SELECT
// per province and year, computed inside the database. It returns the
// number of rows written. Not for production data.
func (s *Store) GenerateKLAValues(ctx context.Context, regime string, years []int, progress func(done int)) (int64, error) {
	provs, err := s.r.QueryContext(ctx, `SELECT code FROM regions WHERE level = 1 ORDER BY code`)
	if err != nil {
		return 0, err
	}
	var codes []string
	for provs.Next() {
		var c string
		provs.Scan(&c)
		codes = append(codes, c)
	}
	provs.Close()
	rnd := `(ABS(RANDOM()) % 1000) / 10.0`
	if s.dialect == Postgres {
		rnd = `FLOOR(RANDOM() * 1000) / 10.0`
	}
	now := s.utc()
	var total int64
	for _, p := range codes {
		for _, y := range years {
			res, err := s.w.ExecContext(ctx, `INSERT INTO kla_values (region_code, year, regime, indicator_id, self_value, verified_value,
				verify_status, has_evidence, updated_at, updated_by)
				SELECT r.code, $1, i.regime, i.id, `+rnd+`, CASE WHEN `+rnd+` < 50 THEN `+rnd+` ELSE NULL END, 'pending', 1, $2, 'bench'
				FROM regions r CROSS JOIN kla_indicators i
				WHERE r.level = 4 AND r.parent_code LIKE $3 AND i.regime = $4
				ON CONFLICT (region_code, year, regime, indicator_id) DO NOTHING`, y, now, p+".%", regime)
			if err != nil {
				return total, fmt.Errorf("store: generate kla values %s %d: %w", p, y, err)
			}
			n, _ := res.RowsAffected()
			total += n
			if progress != nil {
				progress(int(total))
			}
		}
	}
	if s.dialect == Postgres {
		_, err = s.w.ExecContext(ctx, `ANALYZE kla_values`)
	} else {
		_, err = s.w.ExecContext(ctx, `ANALYZE`)
	}
	return total, err
}
