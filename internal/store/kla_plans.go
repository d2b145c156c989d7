package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"lindu/internal/domain"
)

// Performance agreements (Perjanjian Kinerja KLA) and programme budgets.

// mayActFor reports whether the caller may change the records of agency:
// PermManageKLA for every agency, PermEnterKLA for the agency bound to the
// account.
func (s *Store) mayActFor(ctx context.Context, sc domain.Scope, agency string) error {
	if sc.Can(domain.PermManageKLA) {
		return nil
	}
	if !sc.Can(domain.PermEnterKLA) {
		return forbidden("your role does not enter KLA data")
	}
	mine, err := s.UserAgency(ctx, sc.UserID)
	if err != nil {
		return err
	}
	if mine == "" || mine != agency {
		return forbidden("you enter data only for your own agency")
	}
	return nil
}

func validDate(d string) bool {
	_, err := time.Parse("2006-01-02", d)
	return err == nil
}

// CreateKLAAgreement records an agreement with its commitments.
// Authorization: PermManageKLA; region inside the caller's.
func (s *Store) CreateKLAAgreement(ctx context.Context, sc domain.Scope, a domain.KLAAgreement) (string, error) {
	if !sc.Can(domain.PermManageKLA) {
		return "", forbidden("only an administrator records agreements")
	}
	if !domain.ValidRegionCode(a.RegionCode) || !sc.Contains(a.RegionCode) {
		return "", domain.NotFound("region")
	}
	f := map[string]string{}
	if strings.TrimSpace(a.Title) == "" || len(a.Title) > 300 {
		f["title"] = "a title of 1-300 characters is required"
	}
	if a.Year < 2000 || a.Year > 2100 {
		f["year"] = "2000-2100"
	}
	if a.SignedOn != "" && !validDate(a.SignedOn) {
		f["signed_on"] = "a date like 2025-01-31"
	}
	for i, c := range a.Commitments {
		for k, v := range validateCommitment(c) {
			f[fmt.Sprintf("commitments[%d].%s", i, k)] = v
		}
	}
	var n int
	s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM kla_agencies WHERE code = $1`, a.Agency).Scan(&n)
	if n == 0 {
		f["agency"] = "unknown party"
	}
	if len(f) > 0 {
		return "", domain.Invalid("the agreement has errors", f)
	}
	now := s.utc()
	id := newID(now)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO kla_agreements (id, region_code, year, agency, title, signed_on, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, a.RegionCode, a.Year, a.Agency, a.Title, a.SignedOn, now); err != nil {
			return fmt.Errorf("store: create agreement: %w", err)
		}
		for i, c := range a.Commitments {
			if err := insertCommitment(ctx, tx, id, i+1, c, now); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, sc, "kla.agreement.create", "kla_agreement", id, a.RegionCode, a.Agency)
	})
	return id, err
}

func validateCommitment(c domain.KLACommitment) map[string]string {
	f := map[string]string{}
	if strings.TrimSpace(c.Name) == "" || len(c.Name) > 300 {
		f["name"] = "a name of 1-300 characters is required"
	}
	if strings.TrimSpace(c.Unit) == "" || len(c.Unit) > 40 {
		f["unit"] = "a unit is required"
	}
	if !c.Polarity.Valid() {
		f["polarity"] = "higher or lower"
	}
	if !(c.Target > 0) || math.IsInf(c.Target, 0) {
		f["target"] = "a target above zero"
	}
	if !validDate(c.PeriodStart) || !validDate(c.PeriodEnd) || c.PeriodEnd < c.PeriodStart {
		f["period"] = "a period from one date to a later one"
	}
	return f
}

func insertCommitment(ctx context.Context, tx *sql.Tx, agreement string, pos int, c domain.KLACommitment, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO kla_commitments (id, agreement_id, position, name, unit, polarity, target,
		period_start, period_end) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		newID(now), agreement, pos, c.Name, c.Unit, string(c.Polarity), c.Target, c.PeriodStart, c.PeriodEnd); err != nil {
		return fmt.Errorf("store: add commitment: %w", err)
	}
	return nil
}

// AddKLACommitment adds a commitment to an agreement. Authorization:
// PermManageKLA, agreement in scope.
func (s *Store) AddKLACommitment(ctx context.Context, sc domain.Scope, agreementID string, c domain.KLACommitment) error {
	if !sc.Can(domain.PermManageKLA) {
		return forbidden("only an administrator changes agreements")
	}
	if f := validateCommitment(c); len(f) > 0 {
		return domain.Invalid("the commitment has errors", f)
	}
	now := s.utc()
	return s.tx(ctx, func(tx *sql.Tx) error {
		var region string
		var pos int
		err := tx.QueryRowContext(ctx, `SELECT a.region_code, (SELECT COUNT(*) FROM kla_commitments c WHERE c.agreement_id = a.id)
			FROM kla_agreements a WHERE a.id = $1`, agreementID).Scan(&region, &pos)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !sc.Contains(region)) {
			return domain.NotFound("agreement")
		}
		if err != nil {
			return err
		}
		if err := insertCommitment(ctx, tx, agreementID, pos+1, c, now); err != nil {
			return err
		}
		return s.audit(ctx, tx, sc, "kla.commitment.add", "kla_agreement", agreementID, region, c.Name)
	})
}

// AddKLARealisation records a realisation of a commitment (the cumulative
// figure to that date). Authorization: PermManageKLA, or PermEnterKLA for
// the agreement's own agency; agreement in scope.
func (s *Store) AddKLARealisation(ctx context.Context, sc domain.Scope, commitmentID string, r domain.KLARealisation) error {
	var region, agency string
	err := s.r.QueryRowContext(ctx, `SELECT a.region_code, a.agency FROM kla_commitments c JOIN kla_agreements a ON a.id = c.agreement_id
		WHERE c.id = $1`, commitmentID).Scan(&region, &agency)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !sc.Contains(region)) {
		return domain.NotFound("commitment")
	}
	if err != nil {
		return fmt.Errorf("store: realisation: %w", err)
	}
	if err := s.mayActFor(ctx, sc, agency); err != nil {
		return err
	}
	f := map[string]string{}
	if !validDate(r.OnDate) {
		f["on_date"] = "a date like 2025-06-30"
	}
	if math.IsNaN(r.Value) || math.IsInf(r.Value, 0) || r.Value < 0 {
		f["value"] = "a number, 0 or more"
	}
	if len(r.Note) > 1000 {
		f["note"] = "1000 characters at most"
	}
	if len(f) > 0 {
		return domain.Invalid("the realisation has errors", f)
	}
	now := s.utc()
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO kla_realisations (id, commitment_id, on_date, value, note, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, newID(now), commitmentID, r.OnDate, r.Value, r.Note, sc.Actor(), now); err != nil {
			return fmt.Errorf("store: realisation: %w", err)
		}
		return s.audit(ctx, tx, sc, "kla.realisation.add", "kla_commitment", commitmentID, region, fmt.Sprintf("%s: %g", r.OnDate, r.Value))
	})
}

// ListKLAAgreements lists the agreements of the caller's region (or of
// one region below it) for a year, optionally of one agency, with their
// commitments and realisations. Authorization: PermViewDashboard or
// PermEnterKLA.
func (s *Store) ListKLAAgreements(ctx context.Context, sc domain.Scope, region string, year int, agency string) ([]domain.KLAAgreement, error) {
	if !sc.Can(domain.PermViewDashboard) && !sc.Can(domain.PermEnterKLA) {
		return nil, forbidden("no access to agreements")
	}
	if region == "" {
		region = sc.RegionCode
	}
	if !sc.Contains(region) {
		return nil, domain.NotFound("region")
	}
	where, args := subtreeClause("a.region_code", region, 3)
	q := `SELECT a.id, a.region_code, a.year, a.agency, COALESCE(g.name, a.agency), COALESCE(g.kind, 'opd'), a.title, a.signed_on
		FROM kla_agreements a LEFT JOIN kla_agencies g ON g.code = a.agency WHERE a.year = $1 AND ($2 = '' OR a.agency = $2) AND ` + where +
		` ORDER BY g.kind, g.name, a.created_at`
	rows, err := s.r.QueryContext(ctx, q, append([]any{year, agency}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: agreements: %w", err)
	}
	var out []domain.KLAAgreement
	idx := map[string]int{}
	for rows.Next() {
		var a domain.KLAAgreement
		if err := rows.Scan(&a.ID, &a.RegionCode, &a.Year, &a.Agency, &a.AgencyName, &a.AgencyKind, &a.Title, &a.SignedOn); err != nil {
			rows.Close()
			return nil, err
		}
		idx[a.ID] = len(out)
		out = append(out, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	crows, err := s.r.QueryContext(ctx, `SELECT c.id, c.agreement_id, c.name, c.unit, c.polarity, c.target, c.period_start, c.period_end
		FROM kla_commitments c JOIN kla_agreements a ON a.id = c.agreement_id
		WHERE a.year = $1 AND ($2 = '' OR a.agency = $2) AND `+where+` ORDER BY c.agreement_id, c.position`, append([]any{year, agency}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: commitments: %w", err)
	}
	cidx := map[string][2]int{}
	for crows.Next() {
		var c domain.KLACommitment
		if err := crows.Scan(&c.ID, &c.AgreementID, &c.Name, &c.Unit, &c.Polarity, &c.Target, &c.PeriodStart, &c.PeriodEnd); err != nil {
			crows.Close()
			return nil, err
		}
		i, ok := idx[c.AgreementID]
		if !ok {
			continue
		}
		cidx[c.ID] = [2]int{i, len(out[i].Commitments)}
		out[i].Commitments = append(out[i].Commitments, c)
	}
	crows.Close()
	rrows, err := s.r.QueryContext(ctx, `SELECT r.id, r.commitment_id, r.on_date, r.value, r.note, r.created_by, r.created_at
		FROM kla_realisations r JOIN kla_commitments c ON c.id = r.commitment_id JOIN kla_agreements a ON a.id = c.agreement_id
		WHERE a.year = $1 AND ($2 = '' OR a.agency = $2) AND `+where+` ORDER BY r.commitment_id, r.on_date, r.created_at`, append([]any{year, agency}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: realisations: %w", err)
	}
	defer rrows.Close()
	for rrows.Next() {
		var r domain.KLARealisation
		var cid string
		if err := rrows.Scan(&r.ID, &cid, &r.OnDate, &r.Value, &r.Note, &r.By, &r.At); err != nil {
			return nil, err
		}
		r.At = r.At.UTC()
		if p, ok := cidx[cid]; ok {
			c := &out[p[0]].Commitments[p[1]]
			c.Realisations = append(c.Realisations, r)
		}
	}
	return out, rrows.Err()
}

// AddKLABudgetItem adds a programme, an activity under a programme or a
// sub-activity under an activity. Money sits on sub-activities.
// Authorization: PermManageKLA, or PermEnterKLA for one's own agency.
func (s *Store) AddKLABudgetItem(ctx context.Context, sc domain.Scope, b domain.KLABudgetItem) (string, error) {
	if err := s.mayActFor(ctx, sc, b.Agency); err != nil {
		return "", err
	}
	if !domain.ValidRegionCode(b.RegionCode) || !sc.Contains(b.RegionCode) {
		return "", domain.NotFound("region")
	}
	f := map[string]string{}
	if strings.TrimSpace(b.Name) == "" || len(b.Name) > 300 {
		f["name"] = "a name of 1-300 characters is required"
	}
	if len(b.Code) > 40 {
		f["code"] = "40 characters at most"
	}
	if b.Year < 2000 || b.Year > 2100 {
		f["year"] = "2000-2100"
	}
	if b.Budget < 0 || b.Realised < 0 {
		f["budget"] = "amounts are 0 or more"
	}
	wantParent := map[string]string{domain.BudgetProgramme: "", domain.BudgetActivity: domain.BudgetProgramme, domain.BudgetSubActivity: domain.BudgetActivity}
	parentLevel, ok := wantParent[b.Level]
	if !ok {
		f["level"] = "programme, activity or sub_activity"
	}
	if len(f) > 0 {
		return "", domain.Invalid("the budget line has errors", f)
	}
	if b.Level != domain.BudgetSubActivity {
		b.Budget, b.Realised = 0, 0
	}
	now := s.utc()
	id := newID(now)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var parent any
		if parentLevel != "" {
			var lvl, region, agency string
			var year int
			err := tx.QueryRowContext(ctx, `SELECT level, region_code, agency, year FROM kla_budget_items WHERE id = $1`, b.ParentID).
				Scan(&lvl, &region, &agency, &year)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && (lvl != parentLevel || region != b.RegionCode || agency != b.Agency || year != b.Year)) {
				return domain.Invalid("bad parent", map[string]string{"parent_id": "choose the " + parentLevel + " this line belongs to"})
			}
			if err != nil {
				return err
			}
			parent = b.ParentID
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO kla_budget_items (id, region_code, year, agency, parent_id, level, code, name,
			budget, realised, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			id, b.RegionCode, b.Year, b.Agency, parent, b.Level, b.Code, b.Name, b.Budget, b.Realised, now); err != nil {
			return fmt.Errorf("store: budget item: %w", err)
		}
		return s.audit(ctx, tx, sc, "kla.budget.add", "kla_budget_item", id, b.RegionCode, b.Level+" "+b.Code)
	})
	return id, err
}

// SetKLABudgetRealised updates the realisation (and budget) of a
// sub-activity. Authorization: as AddKLABudgetItem.
func (s *Store) SetKLABudgetRealised(ctx context.Context, sc domain.Scope, id string, budget, realised int64) error {
	var region, agency, level string
	err := s.r.QueryRowContext(ctx, `SELECT region_code, agency, level FROM kla_budget_items WHERE id = $1`, id).Scan(&region, &agency, &level)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !sc.Contains(region)) {
		return domain.NotFound("budget line")
	}
	if err != nil {
		return err
	}
	if err := s.mayActFor(ctx, sc, agency); err != nil {
		return err
	}
	if level != domain.BudgetSubActivity {
		return domain.Invalid("amounts sit on sub-activities", map[string]string{"budget": "edit a sub-activity"})
	}
	if budget < 0 || realised < 0 {
		return domain.Invalid("bad amount", map[string]string{"budget": "amounts are 0 or more"})
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE kla_budget_items SET budget = $1, realised = $2, updated_at = $3 WHERE id = $4`,
			budget, realised, s.utc(), id); err != nil {
			return fmt.Errorf("store: budget: %w", err)
		}
		return s.audit(ctx, tx, sc, "kla.budget.realised", "kla_budget_item", id, region, fmt.Sprintf("%d/%d", realised, budget))
	})
}

// ListKLABudget returns the budget tree of a region's subtree and year
// (optionally one agency): programmes with their activities and
// sub-activities, sums rolled up. Authorization: PermViewDashboard or
// PermEnterKLA.
func (s *Store) ListKLABudget(ctx context.Context, sc domain.Scope, region string, year int, agency string) ([]*domain.KLABudgetItem, error) {
	if !sc.Can(domain.PermViewDashboard) && !sc.Can(domain.PermEnterKLA) {
		return nil, forbidden("no access to budgets")
	}
	if region == "" {
		region = sc.RegionCode
	}
	if !sc.Contains(region) {
		return nil, domain.NotFound("region")
	}
	where, args := subtreeClause("region_code", region, 3)
	rows, err := s.r.QueryContext(ctx, `SELECT id, region_code, year, agency, COALESCE(parent_id, ''), level, code, name, budget, realised
		FROM kla_budget_items WHERE year = $1 AND ($2 = '' OR agency = $2) AND `+where+` ORDER BY agency, code, name`,
		append([]any{year, agency}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: budget: %w", err)
	}
	defer rows.Close()
	all := map[string]*domain.KLABudgetItem{}
	var order []*domain.KLABudgetItem
	for rows.Next() {
		b := &domain.KLABudgetItem{}
		if err := rows.Scan(&b.ID, &b.RegionCode, &b.Year, &b.Agency, &b.ParentID, &b.Level, &b.Code, &b.Name, &b.Budget, &b.Realised); err != nil {
			return nil, err
		}
		all[b.ID] = b
		order = append(order, b)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var roots []*domain.KLABudgetItem
	for _, b := range order {
		if p, ok := all[b.ParentID]; ok {
			p.Children = append(p.Children, b)
		} else if b.ParentID == "" {
			roots = append(roots, b)
		}
	}
	var roll func(b *domain.KLABudgetItem)
	roll = func(b *domain.KLABudgetItem) {
		if len(b.Children) == 0 {
			return
		}
		b.Budget, b.Realised = 0, 0
		for _, c := range b.Children {
			roll(c)
			b.Budget += c.Budget
			b.Realised += c.Realised
		}
	}
	for _, r := range roots {
		roll(r)
	}
	return roots, nil
}
