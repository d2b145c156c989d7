package kla

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Performance agreements (Perjanjian Kinerja KLA): a party's measurable
// commitments for a year and the realisations recorded against them. The
// achievement (capaian) arithmetic is domain.Capaian.

func validDate(d string) bool {
	_, err := time.Parse("2006-01-02", d)
	return err == nil
}

// CreateAgreement records an agreement with its commitments and returns
// its id. Authorization: PermManageKLA; region inside the caller's.
func CreateAgreement(ctx context.Context, st *store.Store, sc domain.Scope, a domain.KLAAgreement) (string, error) {
	if !sc.Can(domain.PermManageKLA) {
		return "", forbidden("kla.err.manage_agreements")
	}
	if !domain.ValidRegionCode(a.RegionCode) || !sc.Contains(a.RegionCode) {
		return "", domain.NotFound("region")
	}
	f := domain.FieldErrors{}
	if strings.TrimSpace(a.Title) == "" || len(a.Title) > 300 {
		f["title"] = domain.M("kla.field.text_required", 300)
	}
	if a.Year < 2000 || a.Year > 2100 {
		f["year"] = domain.M("kla.field.year")
	}
	if a.SignedOn != "" && !validDate(a.SignedOn) {
		f["signed_on"] = domain.M("kla.field.date", "2025-01-31")
	}
	for i, c := range a.Commitments {
		for k, v := range validateCommitment(c) {
			f[fmt.Sprintf("commitments[%d].%s", i, k)] = v
		}
	}
	var n int
	if err := st.QueryRowContext(ctx, `SELECT COUNT(*) FROM kla_agencies WHERE code = $1`, a.Agency).Scan(&n); err != nil {
		return "", fmt.Errorf("kla: create agreement: %w", err)
	}
	if n == 0 {
		f["agency"] = domain.M("kla.field.unknown_party")
	}
	if len(f) > 0 {
		return "", domain.InvalidFields(f)
	}
	var id string
	err := st.InTx(ctx, func(tx *store.Tx) error {
		id = tx.NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO kla_agreements (id, region_code, year, agency, title, signed_on, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, a.RegionCode, a.Year, a.Agency, a.Title, a.SignedOn, tx.Now()); err != nil {
			return fmt.Errorf("kla: create agreement: %w", err)
		}
		for i, c := range a.Commitments {
			if err := insertCommitment(ctx, tx, id, i+1, c); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, sc, "kla.agreement.create", "kla_agreement", id, a.RegionCode, a.Agency)
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

func validateCommitment(c domain.KLACommitment) domain.FieldErrors {
	f := domain.FieldErrors{}
	if strings.TrimSpace(c.Name) == "" || len(c.Name) > 300 {
		f["name"] = domain.M("kla.field.text_required", 300)
	}
	if strings.TrimSpace(c.Unit) == "" || len(c.Unit) > 40 {
		f["unit"] = domain.M("kla.field.text_required", 40)
	}
	if !c.Polarity.Valid() {
		f["polarity"] = domain.M("kla.field.polarity")
	}
	if !(c.Target > 0) || math.IsInf(c.Target, 0) {
		f["target"] = domain.M("kla.field.target")
	}
	if !validDate(c.PeriodStart) || !validDate(c.PeriodEnd) || c.PeriodEnd < c.PeriodStart {
		f["period"] = domain.M("kla.field.period")
	}
	return f
}

func insertCommitment(ctx context.Context, tx *store.Tx, agreement string, pos int, c domain.KLACommitment) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO kla_commitments (id, agreement_id, position, name, unit, polarity, target,
		period_start, period_end) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		tx.NewID(), agreement, pos, c.Name, c.Unit, string(c.Polarity), c.Target, c.PeriodStart, c.PeriodEnd); err != nil {
		return fmt.Errorf("kla: add commitment: %w", err)
	}
	return nil
}

// AddCommitment adds a commitment to an agreement. Authorization:
// PermManageKLA, agreement inside the caller's region.
func AddCommitment(ctx context.Context, st *store.Store, sc domain.Scope, agreementID string, c domain.KLACommitment) error {
	if !sc.Can(domain.PermManageKLA) {
		return forbidden("kla.err.manage_agreements")
	}
	if f := validateCommitment(c); len(f) > 0 {
		return domain.InvalidFields(f)
	}
	return st.InTx(ctx, func(tx *store.Tx) error {
		var region string
		var pos int
		err := tx.QueryRowContext(ctx, `SELECT a.region_code, (SELECT COUNT(*) FROM kla_commitments c WHERE c.agreement_id = a.id)
			FROM kla_agreements a WHERE a.id = $1`, agreementID).Scan(&region, &pos)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !sc.Contains(region)) {
			return domain.NotFound("agreement")
		}
		if err != nil {
			return fmt.Errorf("kla: add commitment: %w", err)
		}
		if err := insertCommitment(ctx, tx, agreementID, pos+1, c); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "kla.commitment.add", "kla_agreement", agreementID, region, c.Name)
	})
}

// AddRealisation records a realisation of a commitment (the cumulative
// figure to that date). Authorization: PermManageKLA, or PermEnterKLA for
// the agreement's own agency; agreement inside the caller's region.
func AddRealisation(ctx context.Context, st *store.Store, sc domain.Scope, commitmentID string, r domain.KLARealisation) error {
	var region, agency string
	err := st.QueryRowContext(ctx, `SELECT a.region_code, a.agency FROM kla_commitments c JOIN kla_agreements a ON a.id = c.agreement_id
		WHERE c.id = $1`, commitmentID).Scan(&region, &agency)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !sc.Contains(region)) {
		return domain.NotFound("commitment")
	}
	if err != nil {
		return fmt.Errorf("kla: realisation: %w", err)
	}
	if err := mayActFor(ctx, st, sc, agency); err != nil {
		return err
	}
	f := domain.FieldErrors{}
	if !validDate(r.OnDate) {
		f["on_date"] = domain.M("kla.field.date", "2025-06-30")
	}
	if math.IsNaN(r.Value) || math.IsInf(r.Value, 0) || r.Value < 0 {
		f["value"] = domain.M("kla.field.not_negative")
	}
	if len(r.Note) > 1000 {
		f["note"] = domain.M("kla.field.too_long", 1000)
	}
	if len(f) > 0 {
		return domain.InvalidFields(f)
	}
	return st.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO kla_realisations (id, commitment_id, on_date, value, note, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, tx.NewID(), commitmentID, r.OnDate, r.Value, r.Note, sc.Actor(), tx.Now()); err != nil {
			return fmt.Errorf("kla: realisation: %w", err)
		}
		return tx.Audit(ctx, sc, "kla.realisation.add", "kla_commitment", commitmentID, region, fmt.Sprintf("%s: %g", r.OnDate, r.Value))
	})
}

// ListAgreements lists the agreements of the caller's region (or of one
// region below it) for a year, optionally of one agency, with their
// commitments and realisations. Authorization: PermViewDashboard or
// PermEnterKLA; region inside the caller's.
func ListAgreements(ctx context.Context, st *store.Store, sc domain.Scope, region string, year int, agency string) ([]domain.KLAAgreement, error) {
	if !sc.Can(domain.PermViewDashboard) && !sc.Can(domain.PermEnterKLA) {
		return nil, forbidden("kla.err.no_access")
	}
	if region == "" {
		region = sc.RegionCode
	}
	if !sc.Contains(region) {
		return nil, domain.NotFound("region")
	}
	where, wargs := subtreeClause("a.region_code", region, 3)
	args := append([]any{year, agency}, wargs...)
	match := `a.year = $1 AND ($2 = '' OR a.agency = $2) AND ` + where
	out, err := store.Rows(ctx, st, func(r *sql.Rows) (domain.KLAAgreement, error) {
		var a domain.KLAAgreement
		return a, r.Scan(&a.ID, &a.RegionCode, &a.Year, &a.Agency, &a.AgencyName, &a.AgencyKind, &a.Title, &a.SignedOn)
	}, `SELECT a.id, a.region_code, a.year, a.agency, COALESCE(g.name, a.agency), COALESCE(g.kind, 'opd'), a.title, a.signed_on
		FROM kla_agreements a LEFT JOIN kla_agencies g ON g.code = a.agency WHERE `+match+` ORDER BY g.kind, g.name, a.created_at`, args...)
	if err != nil {
		return nil, fmt.Errorf("kla: agreements: %w", err)
	}
	if len(out) == 0 {
		return []domain.KLAAgreement{}, nil
	}
	idx := make(map[string]int, len(out))
	for i, a := range out {
		idx[a.ID] = i
	}
	cs, err := store.Rows(ctx, st, func(r *sql.Rows) (domain.KLACommitment, error) {
		var c domain.KLACommitment
		return c, r.Scan(&c.ID, &c.AgreementID, &c.Name, &c.Unit, &c.Polarity, &c.Target, &c.PeriodStart, &c.PeriodEnd)
	}, `SELECT c.id, c.agreement_id, c.name, c.unit, c.polarity, c.target, c.period_start, c.period_end
		FROM kla_commitments c JOIN kla_agreements a ON a.id = c.agreement_id
		WHERE `+match+` ORDER BY c.agreement_id, c.position`, args...)
	if err != nil {
		return nil, fmt.Errorf("kla: commitments: %w", err)
	}
	cidx := map[string][2]int{}
	for _, c := range cs {
		i, ok := idx[c.AgreementID]
		if !ok {
			continue
		}
		cidx[c.ID] = [2]int{i, len(out[i].Commitments)}
		out[i].Commitments = append(out[i].Commitments, c)
	}
	type realisation struct {
		commitment string
		r          domain.KLARealisation
	}
	rs, err := store.Rows(ctx, st, func(rows *sql.Rows) (realisation, error) {
		var x realisation
		err := rows.Scan(&x.r.ID, &x.commitment, &x.r.OnDate, &x.r.Value, &x.r.Note, &x.r.By, &x.r.At)
		x.r.At = x.r.At.UTC()
		return x, err
	}, `SELECT r.id, r.commitment_id, r.on_date, r.value, r.note, r.created_by, r.created_at
		FROM kla_realisations r JOIN kla_commitments c ON c.id = r.commitment_id JOIN kla_agreements a ON a.id = c.agreement_id
		WHERE `+match+` ORDER BY r.commitment_id, r.on_date, r.created_at`, args...)
	if err != nil {
		return nil, fmt.Errorf("kla: realisations: %w", err)
	}
	for _, x := range rs {
		if p, ok := cidx[x.commitment]; ok {
			c := &out[p[0]].Commitments[p[1]]
			c.Realisations = append(c.Realisations, x.r)
		}
	}
	return out, nil
}
