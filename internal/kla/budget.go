package kla

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Programme budgets: programmes, their activities and sub-activities per
// agency and year. Money sits on sub-activities (whole rupiah); the lines
// above show the sums.

// AddBudgetItem adds a programme, an activity under a programme or a
// sub-activity under an activity, and returns its id. Authorization:
// PermManageKLA, or PermEnterKLA for one's own agency; region inside the
// caller's.
func AddBudgetItem(ctx context.Context, st *store.Store, sc domain.Scope, b domain.KLABudgetItem) (string, error) {
	if err := mayActFor(ctx, st, sc, b.Agency); err != nil {
		return "", err
	}
	if !domain.ValidRegionCode(b.RegionCode) || !sc.Contains(b.RegionCode) {
		return "", domain.NotFound("region")
	}
	f := domain.FieldErrors{}
	if strings.TrimSpace(b.Name) == "" || len(b.Name) > 300 {
		f["name"] = domain.M("kla.field.text_required", 300)
	}
	if len(b.Code) > 40 {
		f["code"] = domain.M("kla.field.too_long", 40)
	}
	if b.Year < 2000 || b.Year > 2100 {
		f["year"] = domain.M("kla.field.year")
	}
	if b.Budget < 0 || b.Realised < 0 {
		f["budget"] = domain.M("kla.field.amounts")
	}
	wantParent := map[string]string{domain.BudgetProgramme: "", domain.BudgetActivity: domain.BudgetProgramme, domain.BudgetSubActivity: domain.BudgetActivity}
	parentLevel, ok := wantParent[b.Level]
	if !ok {
		f["level"] = domain.M("kla.field.level")
	}
	if len(f) > 0 {
		return "", domain.InvalidFields(f)
	}
	if b.Level != domain.BudgetSubActivity {
		b.Budget, b.Realised = 0, 0
	}
	var id string
	err := st.InTx(ctx, func(tx *store.Tx) error {
		var parent any
		if parentLevel != "" {
			var lvl, region, agency string
			var year int
			err := tx.QueryRowContext(ctx, `SELECT level, region_code, agency, year FROM kla_budget_items WHERE id = $1`, b.ParentID).
				Scan(&lvl, &region, &agency, &year)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && (lvl != parentLevel || region != b.RegionCode || agency != b.Agency || year != b.Year)) {
				return domain.InvalidFields(domain.FieldErrors{"parent_id": domain.M("kla.field.parent." + parentLevel)})
			}
			if err != nil {
				return fmt.Errorf("kla: budget line parent: %w", err)
			}
			parent = b.ParentID
		}
		id = tx.NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO kla_budget_items (id, region_code, year, agency, parent_id, level, code, name,
			budget, realised, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			id, b.RegionCode, b.Year, b.Agency, parent, b.Level, b.Code, b.Name, b.Budget, b.Realised, tx.Now()); err != nil {
			return fmt.Errorf("kla: budget line: %w", err)
		}
		return tx.Audit(ctx, sc, "kla.budget.add", "kla_budget_item", id, b.RegionCode, b.Level+" "+b.Code)
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// SetBudgetRealised updates the realisation (and budget) of a
// sub-activity. Authorization: as AddBudgetItem, for the line's agency and
// region.
func SetBudgetRealised(ctx context.Context, st *store.Store, sc domain.Scope, id string, budget, realised int64) error {
	var region, agency, level string
	err := st.QueryRowContext(ctx, `SELECT region_code, agency, level FROM kla_budget_items WHERE id = $1`, id).Scan(&region, &agency, &level)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !sc.Contains(region)) {
		return domain.NotFound("budget line")
	}
	if err != nil {
		return fmt.Errorf("kla: budget: %w", err)
	}
	if err := mayActFor(ctx, st, sc, agency); err != nil {
		return err
	}
	if level != domain.BudgetSubActivity {
		return domain.InvalidFields(domain.FieldErrors{"budget": domain.M("kla.field.sub_activity_only")})
	}
	if budget < 0 || realised < 0 {
		return domain.InvalidFields(domain.FieldErrors{"budget": domain.M("kla.field.amounts")})
	}
	return st.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE kla_budget_items SET budget = $1, realised = $2, updated_at = $3 WHERE id = $4`,
			budget, realised, tx.Now(), id); err != nil {
			return fmt.Errorf("kla: budget: %w", err)
		}
		return tx.Audit(ctx, sc, "kla.budget.realised", "kla_budget_item", id, region, fmt.Sprintf("%d/%d", realised, budget))
	})
}

// ListBudget returns the budget tree of a region's subtree and year
// (optionally of one agency): programmes with their activities and
// sub-activities, sums rolled up. Authorization: PermViewDashboard or
// PermEnterKLA; region inside the caller's.
func ListBudget(ctx context.Context, st *store.Store, sc domain.Scope, region string, year int, agency string) ([]*domain.KLABudgetItem, error) {
	if !sc.Can(domain.PermViewDashboard) && !sc.Can(domain.PermEnterKLA) {
		return nil, forbidden("kla.err.no_access")
	}
	if region == "" {
		region = sc.RegionCode
	}
	if !sc.Contains(region) {
		return nil, domain.NotFound("region")
	}
	where, args := subtreeClause("region_code", region, 3)
	order, err := store.Rows(ctx, st, func(r *sql.Rows) (*domain.KLABudgetItem, error) {
		b := &domain.KLABudgetItem{}
		return b, r.Scan(&b.ID, &b.RegionCode, &b.Year, &b.Agency, &b.ParentID, &b.Level, &b.Code, &b.Name, &b.Budget, &b.Realised)
	}, `SELECT id, region_code, year, agency, COALESCE(parent_id, ''), level, code, name, budget, realised
		FROM kla_budget_items WHERE year = $1 AND ($2 = '' OR agency = $2) AND `+where+` ORDER BY agency, code, name`,
		append([]any{year, agency}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("kla: budget: %w", err)
	}
	all := make(map[string]*domain.KLABudgetItem, len(order))
	for _, b := range order {
		all[b.ID] = b
	}
	var roots []*domain.KLABudgetItem
	for _, b := range order {
		if p, ok := all[b.ParentID]; ok {
			p.Children = append(p.Children, b)
		} else if b.ParentID == "" {
			roots = append(roots, b)
		}
	}
	for _, r := range roots {
		rollUp(r)
	}
	return roots, nil
}

// rollUp sets the sums of a line with lines below it.
func rollUp(b *domain.KLABudgetItem) {
	if len(b.Children) == 0 {
		return
	}
	b.Budget, b.Realised = 0, 0
	for _, c := range b.Children {
		rollUp(c)
		b.Budget += c.Budget
		b.Realised += c.Realised
	}
}
