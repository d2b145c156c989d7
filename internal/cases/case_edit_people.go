package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Changing a victim, a perpetrator or a service of a case. Each reads the
// stored record (personal fields opened: the editor handles the case),
// lets apply change it, checks it as an addition is checked, records the
// fields that differ and writes the record back.

// EditVictim changes a victim of a case in place (the victim made from a
// report is completed, never duplicated). Authorization: PermWorkCases on
// an open case sc handles (beginEdit); a victim of another case is not
// found.
func (s *Service) EditVictim(ctx context.Context, sc domain.Scope, caseID, victimID string, version int, apply func(*domain.Victim)) error {
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		lc, err := s.beginEdit(ctx, tx, sc, caseID, version)
		if err != nil {
			return err
		}
		cur, err := s.readVictim(ctx, tx, caseID, victimID)
		if err != nil {
			return err
		}
		next := cur
		next.Types = append([]domain.ViolenceType(nil), cur.Types...)
		next.Disabilities = append([]string(nil), cur.Disabilities...)
		apply(&next)
		next.ID = cur.ID
		if err := validateVictim(&next); err != nil {
			return err
		}
		cs := victimChanges(cur, next)
		if len(cs) == 0 {
			return nil
		}
		if err := s.updateVictim(ctx, tx, next); err != nil {
			return err
		}
		return s.saveChanges(ctx, tx, sc, caseID, lc, "edit", cs)
	})
}

// readVictim reads a victim of a case with its personal fields opened.
func (s *Service) readVictim(ctx context.Context, tx *store.Tx, caseID, id string) (domain.Victim, error) {
	v := domain.Victim{ID: id}
	var name, disability, disabilities string
	var age sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT name_enc, sex, age, disability_enc, disabilities_enc, education, occupation, marital_status, place
		FROM victims WHERE id = $1 AND case_id = $2`, id, caseID).Scan(&name, &v.Sex, &age, &disability, &disabilities, &v.Education,
		&v.Occupation, &v.MaritalStatus, &v.Place)
	if errors.Is(err, sql.ErrNoRows) {
		return v, domain.NotFound("victim")
	}
	if err != nil {
		return v, fmt.Errorf("cases: read victim: %w", err)
	}
	v.Age = intPtr(age)
	if v.Name, err = s.st.Open(store.FieldVictimName, name); err != nil {
		return v, err
	}
	if v.Disability, err = s.st.Open(store.FieldVictimDisability, disability); err != nil {
		return v, err
	}
	ds, err := s.st.Open(store.FieldVictimDisabilities, disabilities)
	if err != nil {
		return v, err
	}
	if ds != "" {
		v.Disabilities = strings.Split(ds, ",")
	}
	v.Types, err = store.Rows(ctx, tx, func(rows *sql.Rows) (domain.ViolenceType, error) {
		var t domain.ViolenceType
		err := rows.Scan(&t)
		return t, err
	}, `SELECT type FROM victim_types WHERE victim_id = $1 ORDER BY type`, id)
	return v, err
}

// victimChanges lists the victim fields that differ. Names, disabilities
// and the disability note are personal; the rest are codes or numbers.
func victimChanges(a, b domain.Victim) changeSet {
	var cs changeSet
	id := a.ID
	cs.add("victim", id, "name", a.Name, b.Name, true)
	cs.add("victim", id, "sex", string(a.Sex), string(b.Sex), false)
	cs.add("victim", id, "age", ageText(a.Age), ageText(b.Age), false)
	cs.add("victim", id, "education", a.Education, b.Education, false)
	cs.add("victim", id, "occupation", a.Occupation, b.Occupation, false)
	cs.add("victim", id, "marital_status", a.MaritalStatus, b.MaritalStatus, false)
	cs.add("victim", id, "disabilities", joinCodes(a.Disabilities), joinCodes(b.Disabilities), true)
	cs.add("victim", id, "disability", a.Disability, b.Disability, true)
	cs.add("victim", id, "place", a.Place, b.Place, false)
	cs.add("victim", id, "types", joinCodes(a.Types), joinCodes(b.Types), false)
	return cs
}

// ageText is an age as history stores it ("" for unknown).
func ageText(a *int) string {
	if a == nil {
		return ""
	}
	return strconv.Itoa(*a)
}

// updateVictim writes a changed victim and its types. It is the one place
// a victim's name is written after creation (insertVictim writes it at
// creation).
func (s *Service) updateVictim(ctx context.Context, tx *store.Tx, v domain.Victim) error {
	name, err := s.st.Seal(store.FieldVictimName, v.Name)
	if err != nil {
		return err
	}
	disability, err := s.st.Seal(store.FieldVictimDisability, v.Disability)
	if err != nil {
		return err
	}
	disabilities, err := s.st.Seal(store.FieldVictimDisabilities, strings.Join(v.Disabilities, ","))
	if err != nil {
		return err
	}
	var age any
	if v.Age != nil {
		age = *v.Age
	}
	if _, err := tx.ExecContext(ctx, `UPDATE victims SET name_enc = $1, sex = $2, age = $3, disability_enc = $4, disabilities_enc = $5,
		education = $6, occupation = $7, marital_status = $8, place = $9 WHERE id = $10`, name, string(v.Sex), age, disability, disabilities,
		v.Education, v.Occupation, v.MaritalStatus, v.Place, v.ID); err != nil {
		return fmt.Errorf("cases: edit victim: %w", err)
	}
	if err := tx.IndexNames(ctx, store.NamesVictims, v.ID, v.Name); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM victim_types WHERE victim_id = $1`, v.ID); err != nil {
		return fmt.Errorf("cases: victim types: %w", err)
	}
	seen := map[domain.ViolenceType]bool{}
	for _, t := range v.Types {
		if seen[t] {
			continue
		}
		seen[t] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO victim_types (victim_id, type) VALUES ($1, $2)`, v.ID, string(t)); err != nil {
			return fmt.Errorf("cases: victim types: %w", err)
		}
	}
	return nil
}

// EditPerpetrator changes a perpetrator of a case. Authorization: as
// EditVictim.
func (s *Service) EditPerpetrator(ctx context.Context, sc domain.Scope, caseID, id string, version int, apply func(*domain.Perpetrator)) error {
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		lc, err := s.beginEdit(ctx, tx, sc, caseID, version)
		if err != nil {
			return err
		}
		cur, err := s.readPerpetrator(ctx, tx, caseID, id)
		if err != nil {
			return err
		}
		next := cur
		apply(&next)
		next.ID = cur.ID
		if err := invalid(perpetratorFields(&next)); err != nil {
			return err
		}
		var cs changeSet
		cs.add("perpetrator", id, "name", cur.Name, next.Name, true)
		cs.add("perpetrator", id, "sex", string(cur.Sex), string(next.Sex), false)
		cs.add("perpetrator", id, "age", ageText(cur.Age), ageText(next.Age), false)
		cs.add("perpetrator", id, "relation", cur.Relation, next.Relation, false)
		cs.add("perpetrator", id, "education", cur.Education, next.Education, false)
		cs.add("perpetrator", id, "occupation", cur.Occupation, next.Occupation, false)
		if len(cs) == 0 {
			return nil
		}
		name, err := s.st.Seal(store.FieldPerpetratorName, next.Name)
		if err != nil {
			return err
		}
		var age any
		if next.Age != nil {
			age = *next.Age
		}
		if _, err := tx.ExecContext(ctx, `UPDATE perpetrators SET name_enc = $1, sex = $2, age = $3, relation = $4, education = $5,
			occupation = $6 WHERE id = $7`, name, string(next.Sex), age, next.Relation, next.Education, next.Occupation, id); err != nil {
			return fmt.Errorf("cases: edit perpetrator: %w", err)
		}
		return s.saveChanges(ctx, tx, sc, caseID, lc, "edit", cs)
	})
}

// readPerpetrator reads a perpetrator of a case, the name opened.
func (s *Service) readPerpetrator(ctx context.Context, tx *store.Tx, caseID, id string) (domain.Perpetrator, error) {
	p := domain.Perpetrator{ID: id}
	var name string
	var age sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT name_enc, sex, age, relation, education, occupation FROM perpetrators WHERE id = $1 AND case_id = $2`,
		id, caseID).Scan(&name, &p.Sex, &age, &p.Relation, &p.Education, &p.Occupation)
	if errors.Is(err, sql.ErrNoRows) {
		return p, domain.NotFound("perpetrator")
	}
	if err != nil {
		return p, fmt.Errorf("cases: read perpetrator: %w", err)
	}
	p.Age = intPtr(age)
	p.Name, err = s.st.Open(store.FieldPerpetratorName, name)
	return p, err
}

// EditService changes a service of a case; changing its type to law
// enforcement meets the police clock, as adding one does. Authorization:
// as EditVictim.
func (s *Service) EditService(ctx context.Context, sc domain.Scope, caseID, id string, version int, apply func(*domain.Service)) error {
	today := s.st.Now().In(domain.ZoneFor(sc.RegionCode)).Format("2006-01-02")
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		lc, err := s.beginEdit(ctx, tx, sc, caseID, version)
		if err != nil {
			return err
		}
		cur, err := s.readService(ctx, tx, caseID, id)
		if err != nil {
			return err
		}
		next := cur
		apply(&next)
		next.ID = cur.ID
		next.Provider, next.Outcome = strings.TrimSpace(next.Provider), strings.TrimSpace(next.Outcome)
		if err := invalid(serviceFields(&next, today)); err != nil {
			return err
		}
		vid, err := victimRef(ctx, tx, caseID, next.VictimID)
		if err != nil {
			return err
		}
		cs := serviceChanges(cur, next)
		if len(cs) == 0 {
			return nil
		}
		if err := s.updateService(ctx, tx, next, vid); err != nil {
			return err
		}
		if next.Type == "law_enforcement" && cur.Type != next.Type {
			if err := meetDeadline(ctx, tx, "case", caseID, domain.DeadlinePolice, tx.Now()); err != nil {
				return err
			}
		}
		return s.saveChanges(ctx, tx, sc, caseID, lc, "edit", cs)
	})
}

func serviceChanges(a, b domain.Service) changeSet {
	var cs changeSet
	id := a.ID
	cs.add("service", id, "type", a.Type, b.Type, false)
	cs.add("service", id, "victim_id", a.VictimID, b.VictimID, false)
	cs.add("service", id, "given_on", a.GivenOn, b.GivenOn, false)
	cs.add("service", id, "ended_on", a.EndedOn, b.EndedOn, false)
	cs.add("service", id, "provider", a.Provider, b.Provider, true)
	cs.add("service", id, "outcome", a.Outcome, b.Outcome, true)
	cs.add("service", id, "note", a.Note, b.Note, true)
	return cs
}

// readService reads a service of a case, its personal fields opened.
func (s *Service) readService(ctx context.Context, tx *store.Tx, caseID, id string) (domain.Service, error) {
	sv := domain.Service{ID: id}
	var provider, outcome, note string
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(victim_id, ''), type, provider_enc, given_on, ended_on, outcome_enc, note_enc, created_by
		FROM services WHERE id = $1 AND case_id = $2`, id, caseID).Scan(&sv.VictimID, &sv.Type, &provider, &sv.GivenOn, &sv.EndedOn, &outcome,
		&note, &sv.CreatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return sv, domain.NotFound("service")
	}
	if err != nil {
		return sv, fmt.Errorf("cases: read service: %w", err)
	}
	if sv.Provider, err = s.st.Open(store.FieldServiceProvider, provider); err != nil {
		return sv, err
	}
	if sv.Outcome, err = s.st.Open(store.FieldServiceOutcome, outcome); err != nil {
		return sv, err
	}
	sv.Note, err = s.st.Open(store.FieldServiceNote, note)
	return sv, err
}

// updateService writes a changed service.
func (s *Service) updateService(ctx context.Context, tx *store.Tx, sv domain.Service, vid sql.NullString) error {
	provider, err := s.st.Seal(store.FieldServiceProvider, sv.Provider)
	if err != nil {
		return err
	}
	outcome, err := s.st.Seal(store.FieldServiceOutcome, sv.Outcome)
	if err != nil {
		return err
	}
	note, err := s.st.Seal(store.FieldServiceNote, sv.Note)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE services SET victim_id = $1, type = $2, provider_enc = $3, restorative = $4, given_on = $5,
		ended_on = $6, outcome_enc = $7, note_enc = $8 WHERE id = $9`, vid, sv.Type, provider, domain.RestorativeProvider(sv.Provider),
		sv.GivenOn, sv.EndedOn, outcome, note, sv.ID); err != nil {
		return fmt.Errorf("cases: edit service: %w", err)
	}
	return nil
}
