package shelters

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Figures of places and stays (seeds 000 and 003): the population return
// per place and period, children in LKSA against children returned to
// family-based care per year, and places by kind with their capacity and
// occupancy. Every figure is counted from the stays, never typed in.

// ReturnRow is one place's population return for a period: opening +
// admissions − exits = closing (a move is an exit from one place and an
// admission to the other, never counted twice).
type ReturnRow struct {
	PlaceID, Name, Kind                 string
	Opening, Admissions, Exits, Closing int
}

// PopulationReturn counts, for every place of the caller's region, the
// children staying at from, those admitted and those who left in
// [from, to), and those staying at to. Authorization: PermViewCases or
// PermViewDashboard (counts only).
func (s *Service) PopulationReturn(ctx context.Context, sc domain.Scope, from, to time.Time) ([]ReturnRow, error) {
	if !sc.Can(domain.PermViewCases) && !sc.Can(domain.PermViewDashboard) {
		return nil, domain.E(domain.EForbidden, "error.forbidden")
	}
	where, args := store.ScopeClause("p.region_code", sc.RegionCode, 3)
	rows, err := store.Rows(ctx, s.st, func(r *sql.Rows) (ReturnRow, error) {
		var x ReturnRow
		err := r.Scan(&x.PlaceID, &x.Name, &x.Kind, &x.Opening, &x.Admissions, &x.Exits, &x.Closing)
		return x, err
	}, `SELECT p.id, p.name, p.kind,
		COALESCE(SUM(CASE WHEN y.from_at < $1 AND (y.to_at IS NULL OR y.to_at >= $1) THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN y.from_at >= $1 AND y.from_at < $2 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN y.to_at >= $1 AND y.to_at < $2 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN y.from_at < $2 AND (y.to_at IS NULL OR y.to_at >= $2) THEN 1 ELSE 0 END), 0)
		FROM places p LEFT JOIN stays y ON y.place_id = p.id AND y.from_at IS NOT NULL
		WHERE `+where+` GROUP BY p.id, p.name, p.kind ORDER BY p.kind, p.name, p.id`, append([]any{from.UTC(), to.UTC()}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("shelters: population return: %w", err)
	}
	return rows, nil
}

// CareYear is one year of "children in LKSA against family-based care".
type CareYear struct {
	Year int
	// InLKSA counts the children who stayed in an LKSA or panti at any
	// time of the year.
	InLKSA int
	// ToFamily counts the children whose stay ended in the year with a
	// return home, to relatives or to a foster family.
	ToFamily int
	// Admissions to LKSA in the year, and how many carry the gatekeeping
	// decision (why family-based care was not possible).
	LKSAAdmissions, WithGatekeeping int
}

// CareByYear counts CareYear for each year from first to last in the
// caller's region (distinct children). Authorization: as PopulationReturn.
func (s *Service) CareByYear(ctx context.Context, sc domain.Scope, first, last int) ([]CareYear, error) {
	if !sc.Can(domain.PermViewCases) && !sc.Can(domain.PermViewDashboard) {
		return nil, domain.E(domain.EForbidden, "error.forbidden")
	}
	if last < first || last-first > 30 {
		return nil, domain.InvalidFields(domain.FieldErrors{"year": domain.M("field.year")})
	}
	where, args := store.ScopeClause("p.region_code", sc.RegionCode, 3)
	var out []CareYear
	for y := first; y <= last; y++ {
		from := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
		to := from.AddDate(1, 0, 0)
		c := CareYear{Year: y}
		q := func(cond string, dst *int) error {
			return s.st.QueryRowContext(ctx, `SELECT COUNT(DISTINCT y.victim_id) FROM stays y JOIN places p ON p.id = y.place_id
				WHERE y.from_at IS NOT NULL AND `+cond+` AND `+where, append([]any{from, to}, args...)...).Scan(dst)
		}
		inst := `p.kind IN ('lksa', 'panti_elderly', 'panti_disability')`
		if err := q(inst+` AND y.from_at < $2 AND (y.to_at IS NULL OR y.to_at >= $1)`, &c.InLKSA); err != nil {
			return nil, fmt.Errorf("shelters: care by year: %w", err)
		}
		if err := q(`y.to_at >= $1 AND y.to_at < $2 AND y.exit_destination IN ('home', 'kin', 'foster')`, &c.ToFamily); err != nil {
			return nil, fmt.Errorf("shelters: care by year: %w", err)
		}
		if err := s.st.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN y.gatekeeping_by <> '' THEN 1 ELSE 0 END), 0)
			FROM stays y JOIN places p ON p.id = y.place_id WHERE `+inst+` AND y.from_at >= $1 AND y.from_at < $2 AND `+where,
			append([]any{from, to}, args...)...).Scan(&c.LKSAAdmissions, &c.WithGatekeeping); err != nil {
			return nil, fmt.Errorf("shelters: care by year: %w", err)
		}
		out = append(out, c)
	}
	return out, nil
}

// KindRow is the places of one kind: how many (active ones), their
// capacity and how many children stay in them now.
type KindRow struct {
	Kind                              string
	Places, Active, Capacity, Staying int
}

// PlacesByKind counts the caller's region's places by kind.
// Authorization: as PopulationReturn.
func (s *Service) PlacesByKind(ctx context.Context, sc domain.Scope) ([]KindRow, error) {
	if !sc.Can(domain.PermViewCases) && !sc.Can(domain.PermViewDashboard) {
		return nil, domain.E(domain.EForbidden, "error.forbidden")
	}
	where, args := store.ScopeClause("p.region_code", sc.RegionCode, 1)
	rows, err := store.Rows(ctx, s.st, func(r *sql.Rows) (KindRow, error) {
		var x KindRow
		err := r.Scan(&x.Kind, &x.Places, &x.Active, &x.Capacity, &x.Staying)
		return x, err
	}, `SELECT p.kind, COUNT(*), COALESCE(SUM(CASE WHEN p.status IN ('active', 'revocation_proposed') THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(p.capacity), 0), COALESCE(SUM((SELECT COUNT(*) FROM stays y WHERE y.place_id = p.id AND y.status = 'active')), 0)
		FROM places p WHERE `+where+` AND p.status <> 'retired' GROUP BY p.kind ORDER BY p.kind`, args...)
	if err != nil {
		return nil, fmt.Errorf("shelters: places by kind: %w", err)
	}
	return rows, nil
}
