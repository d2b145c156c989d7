package stats

import (
	"context"
	"fmt"
	"strconv"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// settingThreshold is the settings key of the disclosure threshold.
const settingThreshold = "stats.threshold"

// DefaultThreshold: counts 1..4 are withheld (SPEC H: below 5).
const DefaultThreshold = 5

// Rule returns the deployment's disclosure rule (threshold 5 unless an
// admin set 3..10). Anyone may call it.
func (s *Service) Rule(ctx context.Context) (Rule, error) {
	v, err := s.st.GetSetting(ctx, settingThreshold)
	if err != nil {
		return Rule{}, fmt.Errorf("stats: threshold: %w", err)
	}
	r := Rule{Threshold: DefaultThreshold}
	if n, err := strconv.Atoi(v); err == nil && n >= 3 && n <= 10 {
		r.Threshold = n
	}
	return r, nil
}

// SetThreshold sets the disclosure threshold (3..10) for the deployment.
// Authorization: PermPublishStats, deployment-wide admins only.
func (s *Service) SetThreshold(ctx context.Context, sc domain.Scope, n int) error {
	if !sc.Can(domain.PermPublishStats) || !s.st.DeploymentWide(sc) {
		return domain.E(domain.EForbidden, "error.forbidden")
	}
	if n < 3 || n > 10 {
		return domain.InvalidFields(domain.FieldErrors{"threshold": domain.M("stats.err.threshold")})
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SetSetting(ctx, settingThreshold, strconv.Itoa(n)); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "stats.threshold", "setting", settingThreshold, s.st.RootRegion(), strconv.Itoa(n))
	})
}

// Apply withholds the set's small counts and the complements that protect
// them, across all its tables at once (tables that share a total are one
// system), and zeroes every withheld value: what remains may be published.
// The 24-hour measure of a year with fewer evaluated cases than the
// threshold is withheld too (a rate built on a small count).
func Apply(set *Set, r Rule) {
	sys, where := buildSystem(set)
	hidden, _ := Protect(sys, r)
	for i, h := range hidden {
		if !h {
			continue
		}
		for _, a := range where[i] {
			c := &set.Tables[a.t].Rows[a.row].Cells[a.cell]
			c.Hidden, c.V = true, 0
		}
	}
	for i := range set.SLA {
		sl := &set.SLA[i]
		if sl.N < r.Threshold {
			*sl = SLA{Year: sl.Year, Hidden: true}
		}
	}
	set.Suppressed = true
	set.Threshold = r.Threshold
}

// cellAt is where a cell of the system sits in a set.
type cellAt struct{ t, row, cell int }

// buildSystem is the set as one linear system: every cell (a shared total
// once) and every total's equation, rows and groups.
func buildSystem(set *Set) (System, [][]cellAt) {
	var sys System
	type at = cellAt
	var where [][]at
	ref := map[string]int{}
	idx := make([][][]int, len(set.Tables))
	for ti := range set.Tables {
		t := &set.Tables[ti]
		idx[ti] = make([][]int, len(t.Rows))
		for ri := range t.Rows {
			idx[ti][ri] = make([]int, len(t.Rows[ri].Cells))
			for ci, c := range t.Rows[ri].Cells {
				i, ok := -1, false
				if c.Ref != "" {
					i, ok = ref[c.Ref]
				}
				if !ok {
					i = len(sys.Values)
					sys.Values = append(sys.Values, c.V)
					where = append(where, nil)
					if c.Ref != "" {
						ref[c.Ref] = i
					}
				}
				where[i] = append(where[i], at{ti, ri, ci})
				idx[ti][ri][ci] = i
			}
		}
	}
	for ti := range set.Tables {
		t := &set.Tables[ti]
		totalRow, totalGroup := -1, -1
		for ri, row := range t.Rows {
			if row.Total {
				totalRow = ri
			}
		}
		for gi, g := range t.Groups {
			if g.Total {
				totalGroup = gi
			}
		}
		for yi := range t.Years {
			for gi := range t.Groups {
				if totalRow < 0 {
					break
				}
				eq := Equation{Total: idx[ti][totalRow][t.cellIndex(yi, gi)]}
				for ri := range t.Rows {
					if ri != totalRow {
						eq.Parts = append(eq.Parts, idx[ti][ri][t.cellIndex(yi, gi)])
					}
				}
				sys.Eqs = append(sys.Eqs, eq)
			}
			if totalGroup < 0 {
				continue
			}
			for ri := range t.Rows {
				eq := Equation{Total: idx[ti][ri][t.cellIndex(yi, totalGroup)]}
				for gi := range t.Groups {
					if gi != totalGroup {
						eq.Parts = append(eq.Parts, idx[ti][ri][t.cellIndex(yi, gi)])
					}
				}
				sys.Eqs = append(sys.Eqs, eq)
			}
		}
	}
	return sys, where
}
