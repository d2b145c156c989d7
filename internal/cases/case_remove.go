package cases

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Removing a victim, perpetrator or service entered by mistake. The record
// leaves the case, but not its history: every value it held is written to
// case_changes (old → empty) with the reason, so the history still shows
// what was removed, by whom and why.

// Removal reason limits (characters).
const (
	MinRemoveReason = 5
	MaxRemoveReason = 1000
)

// RemoveDetail removes a victim ("victim"), perpetrator ("perpetrator") or
// service ("service") of a case, with a reason. Services and placements
// given to a removed victim stay, for the case as a whole. Authorization:
// as EditVictim.
func (s *Service) RemoveDetail(ctx context.Context, sc domain.Scope, caseID, kind, id string, version int, reason string) error {
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n < MinRemoveReason || n > MaxRemoveReason {
		return domain.InvalidFields(domain.FieldErrors{"reason": domain.M("case.field.remove_reason", MinRemoveReason, MaxRemoveReason)})
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		lc, err := s.beginEdit(ctx, tx, sc, caseID, version)
		if err != nil {
			return err
		}
		var cs changeSet
		switch kind {
		case "victim":
			cs, err = s.removeVictim(ctx, tx, caseID, id)
		case "perpetrator":
			cs, err = s.removePerpetrator(ctx, tx, caseID, id)
		case "service":
			cs, err = s.removeService(ctx, tx, caseID, id)
		default:
			return domain.NotFound(kind)
		}
		if err != nil {
			return err
		}
		cs = append(cs, fieldChange{entity: kind, entityID: id, field: domain.ChangeRemoved, new: reason, personal: true})
		return s.saveChanges(ctx, tx, sc, caseID, lc, "removed", cs)
	})
}

func (s *Service) removeVictim(ctx context.Context, tx *store.Tx, caseID, id string) (changeSet, error) {
	v, err := s.readVictim(ctx, tx, caseID, id)
	if err != nil {
		return nil, err
	}
	cs := victimChanges(v, domain.Victim{ID: id})
	var refs changeSet
	for _, t := range []string{"services", "placements"} {
		ids, err := store.Rows(ctx, tx, scanString, `SELECT id FROM `+t+` WHERE victim_id = $1`, id)
		if err != nil {
			return nil, fmt.Errorf("cases: remove victim: %w", err)
		}
		for _, rid := range ids {
			refs.add(strings.TrimSuffix(t, "s"), rid, "victim_id", id, "", false)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE `+t+` SET victim_id = NULL WHERE victim_id = $1`, id); err != nil {
			return nil, fmt.Errorf("cases: remove victim: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM victim_types WHERE victim_id = $1`, id); err != nil {
		return nil, fmt.Errorf("cases: remove victim: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM victims WHERE id = $1`, id); err != nil {
		return nil, fmt.Errorf("cases: remove victim: %w", err)
	}
	if err := tx.DropNames(ctx, store.NamesVictims, id); err != nil {
		return nil, err
	}
	return append(cs, refs...), nil
}

func (s *Service) removePerpetrator(ctx context.Context, tx *store.Tx, caseID, id string) (changeSet, error) {
	p, err := s.readPerpetrator(ctx, tx, caseID, id)
	if err != nil {
		return nil, err
	}
	var cs changeSet
	cs.add("perpetrator", id, "name", p.Name, "", true)
	cs.add("perpetrator", id, "sex", string(p.Sex), "", false)
	cs.add("perpetrator", id, "age", ageText(p.Age), "", false)
	cs.add("perpetrator", id, "relation", p.Relation, "", false)
	cs.add("perpetrator", id, "education", p.Education, "", false)
	cs.add("perpetrator", id, "occupation", p.Occupation, "", false)
	if _, err := tx.ExecContext(ctx, `DELETE FROM perpetrators WHERE id = $1`, id); err != nil {
		return nil, fmt.Errorf("cases: remove perpetrator: %w", err)
	}
	return cs, nil
}

func (s *Service) removeService(ctx context.Context, tx *store.Tx, caseID, id string) (changeSet, error) {
	sv, err := s.readService(ctx, tx, caseID, id)
	if err != nil {
		return nil, err
	}
	cs := serviceChanges(sv, domain.Service{ID: id})
	if _, err := tx.ExecContext(ctx, `DELETE FROM services WHERE id = $1`, id); err != nil {
		return nil, fmt.Errorf("cases: remove service: %w", err)
	}
	return cs, nil
}
