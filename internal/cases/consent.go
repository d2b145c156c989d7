package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Consent and the legal basis for holding and sharing a child's data
// (UU 27/2022 PDP; DOMAIN 7): guardian consent, the child's assent, a legal
// obligation or the child's vital interest, recorded for the case or for
// one referral, with who recorded it and when; a withdrawal is recorded,
// never deleted. A parent who is the alleged perpetrator cannot consent.

// RecordConsent records consent or a legal basis for an open case.
// Authorization: PermWorkCases on a case sc handles (beginWork).
func (s *Service) RecordConsent(ctx context.Context, sc domain.Scope, caseID string, c domain.NewConsent) (domain.Consent, error) {
	var out domain.Consent
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		lc, err := s.beginWork(ctx, tx, sc, caseID)
		if err != nil {
			return err
		}
		perps, err := s.perpetratorsOf(ctx, tx, caseID)
		if err != nil {
			return err
		}
		now := tx.Now()
		if c.GivenOn == "" {
			c.GivenOn = localDay(now, lc.region)
		}
		if fe := c.Validate(localDay(now, lc.region), perps); len(fe) > 0 {
			return domain.InvalidFields(fe)
		}
		if c.ReferralID != "" {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM referrals WHERE id = $1 AND case_id = $2`, c.ReferralID, caseID).Scan(&n); err != nil {
				return fmt.Errorf("cases: consent: %w", err)
			}
			if n == 0 {
				return domain.InvalidFields(domain.FieldErrors{"referral_id": domain.M("consent.field.referral")})
			}
		}
		relation := c.Relation
		if c.Basis != domain.BasisGuardian {
			relation = ""
		}
		enc, err := s.st.Seal(store.FieldConsentGivenBy, strings.TrimSpace(c.GivenBy))
		if err != nil {
			return err
		}
		out = domain.Consent{ID: tx.NewID(), ReferralID: c.ReferralID, Basis: c.Basis, GivenBy: strings.TrimSpace(c.GivenBy), Relation: relation,
			GivenOn: c.GivenOn, RecordedBy: sc.Actor(), RecordedAt: now}
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_consents (id, case_id, referral_id, basis, given_by_enc, relation, given_on, recorded_by,
			recorder, recorded_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`, out.ID, caseID, c.ReferralID, c.Basis, enc, relation, c.GivenOn,
			sc.UserID, sc.Actor(), now); err != nil {
			return fmt.Errorf("cases: consent: %w", err)
		}
		if err := touchCase(ctx, tx, caseID); err != nil {
			return err
		}
		if err := s.caseEvent(ctx, tx, sc, caseID, "consent_"+c.Basis, lc.status, lc.status, ""); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "case.consent.record", "case", caseID, lc.region, "consent="+out.ID+" basis="+c.Basis)
	})
	return out, err
}

// WithdrawConsent records the withdrawal of a consent, with a reason.
// Referrals already sent stay as they are (the worker revokes them if they
// must stop); no new referral relies on it. Authorization: PermWorkCases
// on a case sc handles (open or closed).
func (s *Service) WithdrawConsent(ctx context.Context, sc domain.Scope, caseID, consentID, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 2000 {
		return domain.InvalidFields(domain.FieldErrors{"reason": domain.M("consent.field.withdraw_reason")})
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		lc, err := s.lockHandled(ctx, tx, sc, caseID)
		if err != nil {
			return err
		}
		enc, err := s.st.Seal(store.FieldConsentWithdraw, reason)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE case_consents SET withdrawn_at = $1, withdrawn_by = $2, withdraw_enc = $3
			WHERE id = $4 AND case_id = $5 AND withdrawn_at IS NULL`, tx.Now(), sc.Actor(), enc, consentID, caseID)
		if err != nil {
			return fmt.Errorf("cases: withdraw consent: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			var k int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_consents WHERE id = $1 AND case_id = $2`, consentID, caseID).Scan(&k); err != nil {
				return fmt.Errorf("cases: withdraw consent: %w", err)
			}
			if k == 0 {
				return domain.NotFound("consent")
			}
			return domain.E(domain.EConflict, "consent.err.withdrawn")
		}
		if err := touchCase(ctx, tx, caseID); err != nil {
			return err
		}
		if err := s.caseEvent(ctx, tx, sc, caseID, "consent_withdrawn", lc.status, lc.status, reason); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "case.consent.withdraw", "case", caseID, lc.region, "consent="+consentID)
	})
}

// activeConsent is the consent a new referral relies on: the one named
// (active, of the case) or else the case's newest active one not tied to
// another referral ("" when there is none).
func activeConsent(ctx context.Context, tx *store.Tx, caseID, consentID string) (string, error) {
	q := `SELECT id FROM case_consents WHERE case_id = $1 AND withdrawn_at IS NULL AND referral_id = '' ORDER BY recorded_at DESC LIMIT 1`
	args := []any{caseID}
	if consentID != "" {
		q = `SELECT id FROM case_consents WHERE case_id = $1 AND withdrawn_at IS NULL AND id = $2`
		args = append(args, consentID)
	}
	var id string
	err := tx.QueryRowContext(ctx, q, args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("cases: consent: %w", err)
	}
	return id, nil
}

// perpetratorsOf reads a case's perpetrators' relation, sex and name
// (names opened for the check only).
func (s *Service) perpetratorsOf(ctx context.Context, tx *store.Tx, caseID string) ([]domain.Perpetrator, error) {
	rows, err := store.Rows(ctx, tx, func(r *sql.Rows) (domain.Perpetrator, error) {
		var p domain.Perpetrator
		var enc string
		if err := r.Scan(&p.Relation, &p.Sex, &enc); err != nil {
			return p, err
		}
		var err error
		p.Name, err = s.st.Open(store.FieldPerpetratorName, enc)
		return p, err
	}, `SELECT relation, sex, name_enc FROM perpetrators WHERE case_id = $1`, caseID)
	if err != nil {
		return nil, fmt.Errorf("cases: perpetrators: %w", err)
	}
	return rows, nil
}

// readConsents reads a case's consents, newest first.
func (s *Service) readConsents(ctx context.Context, sc domain.Scope, caseID string, masked *bool) ([]domain.Consent, error) {
	type row struct {
		c          domain.Consent
		given, wdr string
		withdrawn  sql.NullTime
	}
	rows, err := store.Rows(ctx, s.st, func(r *sql.Rows) (row, error) {
		var x row
		err := r.Scan(&x.c.ID, &x.c.ReferralID, &x.c.Basis, &x.given, &x.c.Relation, &x.c.GivenOn, &x.c.RecordedBy, &x.c.RecordedAt,
			&x.withdrawn, &x.c.WithdrawnBy, &x.wdr)
		return x, err
	}, `SELECT id, referral_id, basis, given_by_enc, relation, given_on, recorder, recorded_at, withdrawn_at, withdrawn_by, withdraw_enc
		FROM case_consents WHERE case_id = $1 ORDER BY recorded_at DESC`, caseID)
	if err != nil {
		return nil, fmt.Errorf("cases: consents: %w", err)
	}
	out := make([]domain.Consent, 0, len(rows))
	for _, x := range rows {
		c := x.c
		c.RecordedAt, c.WithdrawnAt = c.RecordedAt.UTC(), ptrTime(x.withdrawn)
		if c.GivenBy, err = s.st.Reveal(sc, store.FieldConsentGivenBy, x.given, masked); err != nil {
			return nil, err
		}
		if c.WithdrawReason, err = s.st.Reveal(sc, store.FieldConsentWithdraw, x.wdr, masked); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}
