package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Assessments (asesmen): the risk level and the needs by domain, dated and
// signed; re-assessing adds the next one and keeps the earlier ones.

// assessmentNotes is the sealed part of an assessment.
type assessmentNotes struct {
	Summary string            `json:"summary,omitempty"`
	Notes   map[string]string `json:"notes,omitempty"`
}

// AddAssessment records an assessment of an open case (the next number).
// It writes the timeline and the audit log (risk level, no notes).
// Authorization: PermWorkCases on a case sc handles (beginWork).
func (s *Service) AddAssessment(ctx context.Context, sc domain.Scope, caseID string, a domain.NewAssessment) (domain.Assessment, error) {
	a.Summary = strings.TrimSpace(a.Summary)
	var out domain.Assessment
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		lc, err := s.beginWork(ctx, tx, sc, caseID)
		if err != nil {
			return err
		}
		now := tx.Now()
		if fe := a.Validate(todayIn(now, lc.region)); len(fe) > 0 {
			return domain.InvalidFields(fe)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(number), 0) FROM case_assessments WHERE case_id = $1`, caseID).Scan(&n); err != nil {
			return fmt.Errorf("cases: assessment: %w", err)
		}
		notes := assessmentNotes{Summary: a.Summary, Notes: map[string]string{}}
		var needs []string
		for _, nd := range a.Needs {
			needs = append(needs, nd.Domain+"="+nd.Level)
			if t := strings.TrimSpace(nd.Note); t != "" {
				notes.Notes[nd.Domain] = t
			}
		}
		b, err := json.Marshal(notes)
		if err != nil {
			return fmt.Errorf("cases: assessment: %w", err)
		}
		enc, err := s.st.Seal(store.FieldAssessmentNotes, string(b))
		if err != nil {
			return err
		}
		out = domain.Assessment{ID: tx.NewID(), CaseID: caseID, Number: n + 1, AssessedOn: a.AssessedOn, Risk: a.Risk,
			Needs: a.Needs, Summary: a.Summary, By: sc.Actor(), CreatedAt: now}
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_assessments (id, case_id, number, assessed_on, risk, needs, notes_enc,
			created_by, actor, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`, out.ID, caseID, out.Number, a.AssessedOn, a.Risk,
			strings.Join(needs, ";"), enc, sc.UserID, sc.Actor(), now); err != nil {
			return fmt.Errorf("cases: assessment: %w", err)
		}
		if err := touchCase(ctx, tx, caseID); err != nil {
			return err
		}
		if err := s.caseEvent(ctx, tx, sc, caseID, "assessment", lc.status, lc.status, strconv.Itoa(out.Number)+" "+a.Risk); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "case.assess", "case", caseID, lc.region, "number="+strconv.Itoa(out.Number)+" risk="+a.Risk)
	})
	return out, err
}

// readAssessments reads a case's assessments, newest first (notes only
// for a scope that sees personal data).
func (s *Service) readAssessments(ctx context.Context, sc domain.Scope, caseID string, masked *bool) ([]domain.Assessment, error) {
	type row struct {
		a          domain.Assessment
		needs, enc string
	}
	rows, err := store.Rows(ctx, s.st, func(r *sql.Rows) (row, error) {
		var x row
		err := r.Scan(&x.a.ID, &x.a.Number, &x.a.AssessedOn, &x.a.Risk, &x.needs, &x.enc, &x.a.By, &x.a.CreatedAt)
		return x, err
	}, `SELECT id, number, assessed_on, risk, needs, notes_enc, actor, created_at FROM case_assessments WHERE case_id = $1
		ORDER BY number DESC`, caseID)
	if err != nil {
		return nil, fmt.Errorf("cases: assessments: %w", err)
	}
	out := make([]domain.Assessment, 0, len(rows))
	for _, x := range rows {
		a := x.a
		a.CaseID, a.CreatedAt = caseID, a.CreatedAt.UTC()
		var notes assessmentNotes
		plain, err := s.st.Reveal(sc, store.FieldAssessmentNotes, x.enc, masked)
		if err != nil {
			return nil, err
		}
		if plain != "" {
			if err := json.Unmarshal([]byte(plain), &notes); err != nil {
				return nil, fmt.Errorf("cases: assessment notes: %w", err)
			}
		}
		a.Summary = notes.Summary
		for _, kv := range strings.Split(x.needs, ";") {
			d, lvl, ok := strings.Cut(kv, "=")
			if ok {
				a.Needs = append(a.Needs, domain.AssessmentNeed{Domain: d, Level: lvl, Note: notes.Notes[d]})
			}
		}
		out = append(out, a)
	}
	return out, nil
}
