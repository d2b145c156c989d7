package cases

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Adding to a case: a note, a victim, a perpetrator, a service, a
// referral or a placement. Each kind has its check and its insert; AddDetail
// does what they share (lock, timeline, clocks, audit).

// CaseDetail is one addition to a case: a note, victim, perpetrator,
// service, referral or placement. Exactly one field is set.
type CaseDetail struct {
	Note        string
	Victim      *domain.Victim
	Perpetrator *domain.Perpetrator
	Service     *domain.Service
	Referral    *domain.Referral
	Placement   *domain.Placement
}

// addition is a checked CaseDetail: its kind and how to store it. insert
// returns the timeline note.
type addition struct {
	kind   string
	insert func(ctx context.Context, tx *store.Tx, sc domain.Scope, caseID string) (string, error)
}

// AddDetail adds a note, person, service, referral or placement to a case.
// A referral to the police (or a law-enforcement service) meets the
// sexual-violence police clock. Authorization: PermWorkCases on a visible,
// open case (notes also on a closed one).
func (s *Service) AddDetail(ctx context.Context, sc domain.Scope, caseID string, d CaseDetail) error {
	if !sc.Can(domain.PermWorkCases) {
		return domain.NotFound("case")
	}
	today := s.st.Now().In(domain.ZoneFor(sc.RegionCode)).Format("2006-01-02")
	add, err := s.checkDetail(&d, today)
	if err != nil {
		return err
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		lc, err := s.lockCase(ctx, tx, sc, caseID)
		if err != nil {
			return err
		}
		if !lc.status.Open() && add.kind != "note" {
			return domain.E(domain.EConflict, "case.err.closed_reopen")
		}
		note, err := add.insert(ctx, tx, sc, caseID)
		if err != nil {
			if _, ok := domain.AsError(err); ok {
				return err
			}
			return fmt.Errorf("cases: add %s: %w", add.kind, err)
		}
		if add.kind != "note" {
			note = add.kind + ": " + note
		}
		if err := recomputeNextDue(ctx, tx, caseID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET updated_at = $1, version = version + 1 WHERE id = $2`, tx.Now(), caseID); err != nil {
			return fmt.Errorf("cases: touch case: %w", err)
		}
		if err := s.caseEvent(ctx, tx, sc, caseID, add.kind, lc.status, lc.status, note); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "case.add_"+add.kind, "case", caseID, lc.region, "")
	})
}

// checkDetail checks the one addition d carries (dates left empty become
// today) and returns how to store it.
func (s *Service) checkDetail(d *CaseDetail, today string) (addition, error) {
	switch {
	case d.Victim != nil:
		if err := validateVictim(d.Victim); err != nil {
			return addition{}, err
		}
		return addition{"victim", s.addVictim(*d.Victim)}, nil
	case d.Perpetrator != nil:
		return addition{"perpetrator", s.addPerpetrator(d.Perpetrator)}, invalid(perpetratorFields(d.Perpetrator))
	case d.Service != nil:
		return addition{"service", s.addService(d.Service)}, invalid(serviceFields(d.Service, today))
	case d.Referral != nil:
		return addition{"referral", s.addReferral(d.Referral)}, invalid(referralFields(d.Referral, today))
	case d.Placement != nil:
		return addition{"placement", s.addPlacement(d.Placement)}, invalid(placementFields(d.Placement, today))
	}
	d.Note = strings.TrimSpace(d.Note)
	if d.Note == "" || len(d.Note) > maxCaseNote {
		return addition{}, domain.InvalidFields(domain.FieldErrors{"note": domain.M("case.field.note", maxCaseNote)})
	}
	note := d.Note
	return addition{"note", func(context.Context, *store.Tx, domain.Scope, string) (string, error) { return note, nil }}, nil
}

// defaultDate fills an empty date with today, or names a bad one.
func defaultDate(f domain.FieldErrors, field string, v *string, today string) {
	if *v == "" {
		*v = today
	} else if !validDate(*v) {
		f[field] = domain.M("field.date")
	}
}

func (s *Service) addVictim(v domain.Victim) func(context.Context, *store.Tx, domain.Scope, string) (string, error) {
	return func(ctx context.Context, tx *store.Tx, _ domain.Scope, caseID string) (string, error) {
		_, err := s.insertVictim(ctx, tx, caseID, v)
		return "", err
	}
}

func perpetratorFields(p *domain.Perpetrator) domain.FieldErrors {
	f := domain.FieldErrors{}
	p.Name = strings.TrimSpace(p.Name)
	if !domain.ValidRelation(p.Relation) {
		f["relation"] = domain.M("case.field.relation")
	}
	if !p.Sex.Valid() {
		f["sex"] = domain.M("field.sex")
	}
	if !validAge(p.Age) {
		f["age"] = domain.M("field.age")
	}
	if len(p.Name) > maxName {
		f["name"] = domain.M("field.max_chars", maxName)
	}
	simfoniFields(f, p.Education, p.Occupation)
	return f
}

func (s *Service) addPerpetrator(p *domain.Perpetrator) func(context.Context, *store.Tx, domain.Scope, string) (string, error) {
	return func(ctx context.Context, tx *store.Tx, _ domain.Scope, caseID string) (string, error) {
		var age any
		if p.Age != nil {
			age = *p.Age
		}
		name, err := s.st.Seal(store.FieldPerpetratorName, p.Name)
		if err != nil {
			return "", err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO perpetrators (id, case_id, name_enc, sex, age, relation, education, occupation, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`, tx.NewID(), caseID, name, string(p.Sex), age, p.Relation, p.Education, p.Occupation, tx.Now())
		return "", err
	}
}

func serviceFields(sv *domain.Service, today string) domain.FieldErrors {
	f := domain.FieldErrors{}
	if !domain.ValidService(sv.Type) {
		f["type"] = domain.M("case.field.service_type")
	}
	defaultDate(f, "given_on", &sv.GivenOn, today)
	if len(sv.Provider) > maxProvider {
		f["provider"] = domain.M("field.max_chars", maxProvider)
	}
	if len(sv.Note) > maxServiceNote {
		f["note"] = domain.M("field.max_chars", maxServiceNote)
	}
	if len(sv.Outcome) > maxServiceNote {
		f["outcome"] = domain.M("field.max_chars", maxServiceNote)
	}
	if sv.EndedOn != "" && (!validDate(sv.EndedOn) || sv.EndedOn < sv.GivenOn) {
		f["ended_on"] = domain.M("case.field.ended_on")
	}
	return f
}

// addService records a service; one by law enforcement meets the police
// clock. The timeline note is the service's type.
func (s *Service) addService(sv *domain.Service) func(context.Context, *store.Tx, domain.Scope, string) (string, error) {
	return func(ctx context.Context, tx *store.Tx, sc domain.Scope, caseID string) (string, error) {
		vid, err := victimRef(ctx, tx, caseID, sv.VictimID)
		if err != nil {
			return "", err
		}
		provider := strings.TrimSpace(sv.Provider)
		note, err := s.st.Seal(store.FieldServiceNote, sv.Note)
		if err != nil {
			return "", err
		}
		outcome, err := s.st.Seal(store.FieldServiceOutcome, strings.TrimSpace(sv.Outcome))
		if err != nil {
			return "", err
		}
		pr, err := s.st.Seal(store.FieldServiceProvider, provider)
		if err != nil {
			return "", err
		}
		now := tx.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO services (id, case_id, victim_id, type, provider_enc, restorative, given_on, ended_on,
			outcome_enc, note_enc, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`, tx.NewID(), caseID, vid, sv.Type, pr,
			domain.RestorativeProvider(provider), sv.GivenOn, sv.EndedOn, outcome, note, sc.Actor(), now); err != nil {
			return "", err
		}
		if sv.Type == "law_enforcement" {
			if err := meetDeadline(ctx, tx, "case", caseID, domain.DeadlinePolice, now); err != nil {
				return "", err
			}
		}
		return sv.Type, nil
	}
}

func referralFields(rf *domain.Referral, today string) domain.FieldErrors {
	f := domain.FieldErrors{}
	rf.Agency = strings.TrimSpace(rf.Agency)
	if rf.Agency == "" || len(rf.Agency) > maxAgency {
		f["agency"] = domain.M("case.field.agency")
	}
	defaultDate(f, "referred_on", &rf.ReferredOn, today)
	return f
}

// addReferral records a referral; one to the police meets the police
// clock. The timeline note is the agency.
func (s *Service) addReferral(rf *domain.Referral) func(context.Context, *store.Tx, domain.Scope, string) (string, error) {
	return func(ctx context.Context, tx *store.Tx, sc domain.Scope, caseID string) (string, error) {
		reason, err := s.st.Seal(store.FieldReferralReason, rf.Reason)
		if err != nil {
			return "", err
		}
		agency, err := s.st.Seal(store.FieldReferralAgency, rf.Agency)
		if err != nil {
			return "", err
		}
		now := tx.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO referrals (id, case_id, agency, agency_enc, reason_enc, referred_on, created_by, created_at)
			VALUES ($1,$2,'',$3,$4,$5,$6,$7)`, tx.NewID(), caseID, agency, reason, rf.ReferredOn, sc.Actor(), now); err != nil {
			return "", err
		}
		if isPolice(rf.Agency) {
			if err := meetDeadline(ctx, tx, "case", caseID, domain.DeadlinePolice, now); err != nil {
				return "", err
			}
		}
		return rf.Agency, nil
	}
}

// isPolice reports whether an agency is the police.
func isPolice(agency string) bool {
	a := strings.ToLower(agency)
	for _, w := range []string{"polisi", "polres", "polsek", "polda", "police", "ppa polres", "unit ppa"} {
		if strings.Contains(a, w) {
			return true
		}
	}
	return false
}

func placementFields(p *domain.Placement, today string) domain.FieldErrors {
	f := domain.FieldErrors{}
	if !domain.ValidPlacement(p.Kind) {
		f["kind"] = domain.M("case.field.placement_kind")
	}
	p.PlaceName = strings.TrimSpace(p.PlaceName)
	if p.PlaceName == "" || len(p.PlaceName) > maxPlaceName {
		f["place_name"] = domain.M("case.field.place_name")
	}
	defaultDate(f, "from_date", &p.FromDate, today)
	if p.ToDate != "" && (!validDate(p.ToDate) || p.ToDate < p.FromDate) {
		f["to_date"] = domain.M("case.field.to_date")
	}
	return f
}

// addPlacement records where a child is placed. The timeline note is the
// kind of placement.
func (s *Service) addPlacement(p *domain.Placement) func(context.Context, *store.Tx, domain.Scope, string) (string, error) {
	return func(ctx context.Context, tx *store.Tx, _ domain.Scope, caseID string) (string, error) {
		vid, err := victimRef(ctx, tx, caseID, p.VictimID)
		if err != nil {
			return "", err
		}
		place, err := s.st.Seal(store.FieldPlacementPlace, p.PlaceName)
		if err != nil {
			return "", err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO placements (id, case_id, victim_id, kind, place_name, place_name_enc, from_date, to_date, created_at)
			VALUES ($1,$2,$3,$4,'',$5,$6,$7,$8)`, tx.NewID(), caseID, vid, p.Kind, place, p.FromDate, p.ToDate, tx.Now())
		return p.Kind, err
	}
}

// victimRef is the victim a service or placement is for: NULL for none,
// else one of the case's victims.
func victimRef(ctx context.Context, tx *store.Tx, caseID, id string) (sql.NullString, error) {
	if id == "" {
		return sql.NullString{}, nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM victims WHERE id = $1 AND case_id = $2`, id, caseID).Scan(&n); err != nil {
		return sql.NullString{}, fmt.Errorf("cases: victim: %w", err)
	}
	if n == 0 {
		return sql.NullString{}, domain.InvalidFields(domain.FieldErrors{"victim_id": domain.M("case.field.victim_unknown")})
	}
	return sql.NullString{String: id, Valid: true}, nil
}
