package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Changing a case after creation: its own fields (EditCase), a victim,
// perpetrator or service (EditVictim, EditPerpetrator, EditService), and
// removing one entered by mistake (RemoveDetail). Every save carries the
// case version its editor read: a stale one is refused and writes nothing.
// A save records each changed field in the case's history (case_changes.go)
// with one timeline event and one audit entry.

// CaseFields are the fields of a case itself that an editor may change.
type CaseFields struct {
	RegionCode   string // a village within the editor's region
	IncidentDate string // YYYY-MM-DD or empty
	Place        string // place category (domain.Places) or empty
	Summary      string // personal: the narrative
	Priority     domain.Priority
	Types        []domain.ViolenceType // "kdrt" sets KDRT instead
	KDRT         bool
	LegalBasis   string
}

// beginEdit locks a case for a change by sc after checking that sc handles
// it (its lead, a member of its teams, or a case manager of the region;
// anyone else: not found), that version is the one stored (else a
// conflict), and that it is open (else "reopen first").
func (s *Service) beginEdit(ctx context.Context, tx *store.Tx, sc domain.Scope, caseID string, version int) (lockedCase, error) {
	if !sc.Can(domain.PermWorkCases) {
		return lockedCase{}, domain.NotFound("case")
	}
	if version <= 0 {
		return lockedCase{}, domain.InvalidFields(domain.FieldErrors{"version": domain.M("case.field.version")})
	}
	lc, err := s.lockCase(ctx, tx, sc, caseID)
	if err != nil {
		return lc, err
	}
	v, err := s.caseView(ctx, tx, sc, caseHandling{id: caseID, assignee: lc.assignee.String, team: lc.team.String, support: lc.support.String})
	if err != nil {
		return lc, err
	}
	if !v.personal || v.until != nil {
		// Editing is for those who handle the case; an emergency access
		// opens it for reading only.
		return lc, domain.NotFound("case")
	}
	if lc.version != version {
		return lc, domain.E(domain.EConflict, "case.err.stale")
	}
	if !lc.status.Open() {
		return lc, domain.E(domain.EConflict, "case.err.closed_reopen")
	}
	return lc, nil
}

// EditCase changes a case's own fields: apply receives the stored values
// and changes what the editor changed. A priority or types change re-plans
// the case's unmet clocks as creation plans them; met clocks stay.
// Authorization: PermWorkCases on an open case sc handles (beginEdit).
func (s *Service) EditCase(ctx context.Context, sc domain.Scope, caseID string, version int, apply func(*CaseFields)) error {
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		lc, err := s.beginEdit(ctx, tx, sc, caseID, version)
		if err != nil {
			return err
		}
		cur, reported, err := s.readCaseFields(ctx, tx, caseID)
		if err != nil {
			return err
		}
		next := cur
		next.Types = append([]domain.ViolenceType(nil), cur.Types...)
		apply(&next)
		if err := s.checkCaseFields(ctx, tx, sc, &next, cur.RegionCode); err != nil {
			return err
		}
		cs := caseFieldChanges(caseID, cur, next)
		if len(cs) == 0 {
			return nil
		}
		summary, err := s.st.Seal(store.FieldCaseSummary, next.Summary)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET region_code = $1, incident_date = $2, place = $3, summary_enc = $4,
			priority = $5, kdrt = $6, legal_basis = $7, type_set = $8 WHERE id = $9`, next.RegionCode, next.IncidentDate, next.Place,
			summary, string(next.Priority), next.KDRT, next.LegalBasis, TypeSet(next.Types), caseID); err != nil {
			return fmt.Errorf("cases: edit case: %w", err)
		}
		if joinCodes(cur.Types) != joinCodes(next.Types) {
			if err := setCaseTypes(ctx, tx, caseID, next.Types); err != nil {
				return err
			}
		}
		if cur.Priority != next.Priority || joinCodes(cur.Types) != joinCodes(next.Types) {
			if err := replanCaseDeadlines(ctx, tx, caseID, reported, next.Priority, next.Types); err != nil {
				return err
			}
		}
		lc.region = next.RegionCode
		return s.saveChanges(ctx, tx, sc, caseID, lc, "edit", cs)
	})
}

// readCaseFields reads a case's own fields (the summary opened) and its
// report time inside tx.
func (s *Service) readCaseFields(ctx context.Context, tx *store.Tx, caseID string) (CaseFields, time.Time, error) {
	var f CaseFields
	var summary string
	var reported time.Time
	err := tx.QueryRowContext(ctx, `SELECT region_code, incident_date, place, summary_enc, priority, kdrt, legal_basis, reported_at
		FROM cases WHERE id = $1`, caseID).Scan(&f.RegionCode, &f.IncidentDate, &f.Place, &summary, &f.Priority, &f.KDRT, &f.LegalBasis, &reported)
	if err != nil {
		return f, reported, fmt.Errorf("cases: read case: %w", err)
	}
	if f.Summary, err = s.st.Open(store.FieldCaseSummary, summary); err != nil {
		return f, reported, err
	}
	f.Types, err = caseTypes(ctx, tx, caseID)
	return f, reported.UTC(), err
}

// checkCaseFields checks and normalises changed case fields as creation
// does; a new village must exist and lie within the editor's region.
func (s *Service) checkCaseFields(ctx context.Context, tx *store.Tx, sc domain.Scope, f *CaseFields, oldRegion string) error {
	f.RegionCode = strings.TrimSpace(f.RegionCode)
	nc := domain.NewCase{RegionCode: f.RegionCode, Priority: f.Priority, Types: f.Types, KDRT: f.KDRT, Summary: f.Summary, Place: f.Place,
		IncidentDate: strings.TrimSpace(f.IncidentDate), LegalBasis: strings.TrimSpace(f.LegalBasis)}
	if err := validateCase(&nc); err != nil {
		return err
	}
	f.Priority, f.Types, f.KDRT, f.Summary, f.IncidentDate, f.LegalBasis = nc.Priority, nc.Types, nc.KDRT, nc.Summary, nc.IncidentDate, nc.LegalBasis
	if f.RegionCode == oldRegion {
		return nil
	}
	if !sc.Contains(f.RegionCode) {
		return domain.InvalidFields(domain.FieldErrors{"region_code": domain.M("case.field.region_outside")})
	}
	return s.regionExists(ctx, tx, f.RegionCode)
}

// caseFieldChanges lists the case fields that differ.
func caseFieldChanges(id string, a, b CaseFields) changeSet {
	var cs changeSet
	cs.add("case", id, "region_code", a.RegionCode, b.RegionCode, false)
	cs.add("case", id, "incident_date", a.IncidentDate, b.IncidentDate, false)
	cs.add("case", id, "place", a.Place, b.Place, false)
	cs.add("case", id, "summary", a.Summary, b.Summary, true)
	cs.add("case", id, "priority", string(a.Priority), string(b.Priority), false)
	cs.add("case", id, "types", joinCodes(a.Types), joinCodes(b.Types), false)
	cs.add("case", id, "kdrt", strconv.FormatBool(a.KDRT), strconv.FormatBool(b.KDRT), false)
	cs.add("case", id, "legal_basis", a.LegalBasis, b.LegalBasis, false)
	return cs
}

// setCaseTypes replaces a case's types.
func setCaseTypes(ctx context.Context, tx *store.Tx, caseID string, types []domain.ViolenceType) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM case_types WHERE case_id = $1`, caseID); err != nil {
		return fmt.Errorf("cases: case types: %w", err)
	}
	for _, t := range types {
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_types (case_id, type) VALUES ($1, $2)`, caseID, string(t)); err != nil {
			return fmt.Errorf("cases: case types: %w", err)
		}
	}
	return nil
}

// replanCaseDeadlines moves a case's unmet acknowledgement and response
// clocks to what its new priority and types give (counted from the report
// time, as addCaseDeadlines does), adds the police clock when the types
// now name sexual violence and drops an unmet one when they no longer do.
// Met clocks and escalation steps that already fired stay as they are.
func replanCaseDeadlines(ctx context.Context, tx *store.Tx, caseID string, reported time.Time, p domain.Priority, types []domain.ViolenceType) error {
	rules, err := slaRules(ctx, tx)
	if err != nil {
		return err
	}
	ack, resp := slaFor(rules, p, types)
	police := false
	for _, t := range types {
		police = police || t == domain.VSexual
	}
	plan := []struct {
		kind domain.DeadlineKind
		due  time.Time
		keep bool
	}{{domain.DeadlineAck, reported.Add(ack), true}, {domain.DeadlineResponse, reported.Add(resp), true},
		{domain.DeadlinePolice, reported.Add(domain.PoliceReportWindow), police}}
	for _, d := range plan {
		var id string
		err := tx.QueryRowContext(ctx, `SELECT id FROM deadlines WHERE subject_type = 'case' AND subject_id = $1 AND kind = $2
			AND met_at IS NULL`, caseID, string(d.kind)).Scan(&id)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("cases: replan deadline: %w", err)
		}
		if id != "" {
			if _, err := tx.ExecContext(ctx, `DELETE FROM escalations WHERE deadline_id = $1 AND fired_at IS NULL`, id); err != nil {
				return fmt.Errorf("cases: replan escalations: %w", err)
			}
			q := `UPDATE deadlines SET due_at = $1 WHERE id = $2`
			args := []any{d.due, id}
			if !d.keep {
				q, args = `DELETE FROM deadlines WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM escalations WHERE deadline_id = $1)`, []any{id}
			}
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return fmt.Errorf("cases: replan deadline: %w", err)
			}
		}
		if d.keep && (id != "" || d.kind == domain.DeadlinePolice) {
			if err := addDeadline(ctx, tx, "case", caseID, d.kind, reported, d.due); err != nil {
				return err
			}
		}
	}
	return recomputeNextDue(ctx, tx, caseID)
}
