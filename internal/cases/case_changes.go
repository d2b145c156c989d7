package cases

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// A case's history (riwayat perubahan): every field changed after creation
// is a row of case_changes with its old and new values sealed; the fields
// of one save share a change id, which the save's one timeline event
// carries too. Whether a reader sees the values is decided per field:
// personal fields (names, the narrative, disabilities, notes) only for
// those who see the case's personal data, coded fields for everyone who
// sees the case.

// fieldChange is one changed field of one save, before it is sealed.
type fieldChange struct {
	entity, entityID string
	field, old, new  string
	personal         bool
}

// changeSet collects the changed fields of one save.
type changeSet []fieldChange

// add records a field of entity when its value changed.
func (cs *changeSet) add(entity, id, field, old, new string, personal bool) {
	if old != new {
		*cs = append(*cs, fieldChange{entity: entity, entityID: id, field: field, old: old, new: new, personal: personal})
	}
}

// fields names the changed fields ("victim.name,victim.education"), for
// the audit log: names, never values.
func (cs changeSet) fields() string {
	var out []string
	seen := map[string]bool{}
	for _, c := range cs {
		f := c.entity + "." + c.field
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return strings.Join(out, ",")
}

// saveChanges writes the history rows of one save, its timeline event
// (kind "edit", or "removed" for a removal), one audit entry naming the
// fields, and bumps the case's version. A save that changes nothing writes
// nothing.
func (s *Service) saveChanges(ctx context.Context, tx *store.Tx, sc domain.Scope, caseID string, lc lockedCase, kind string,
	cs changeSet) error {
	if len(cs) == 0 {
		return nil
	}
	changeID, now := tx.NewID(), tx.Now()
	for _, c := range cs {
		oldEnc, err := s.st.Seal(store.FieldChangeOld, c.old)
		if err != nil {
			return err
		}
		newEnc, err := s.st.Seal(store.FieldChangeNew, c.new)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_changes (id, change_id, case_id, at, actor_id, actor, entity, entity_id, field,
			personal, old_enc, new_enc) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`, tx.NewID(), changeID, caseID, now, sc.UserID,
			sc.Actor(), c.entity, c.entityID, c.field, c.personal, oldEnc, newEnc); err != nil {
			return fmt.Errorf("cases: record change: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO case_events (id, case_id, at, actor_id, actor, kind, from_status, to_status, note_enc,
		change_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,'',$9)`, tx.NewID(), caseID, now, sc.UserID, sc.Actor(), kind, string(lc.status),
		string(lc.status), changeID); err != nil {
		return fmt.Errorf("cases: case event: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET updated_at = $1, version = version + 1 WHERE id = $2`, now, caseID); err != nil {
		return fmt.Errorf("cases: touch case: %w", err)
	}
	action := "case.edit"
	for _, c := range cs {
		if c.field == domain.ChangeRemoved {
			action = "case.remove_" + c.entity
		}
	}
	return tx.Audit(ctx, sc, action, "case", caseID, lc.region, "change="+changeID+" fields="+cs.fields())
}

// changeRow is a case_changes row as read, values still sealed.
type changeRow struct {
	domain.CaseChange
	oldEnc, newEnc string
}

func scanChange(rows *sql.Rows) (changeRow, error) {
	var c changeRow
	err := rows.Scan(&c.ChangeID, &c.At, &c.Actor, &c.Entity, &c.EntityID, &c.Field, &c.Personal, &c.oldEnc, &c.newEnc)
	c.At = c.At.UTC()
	return c, err
}

const changeCols = `change_id, at, actor, entity, entity_id, field, personal, old_enc, new_enc`

// openChanges opens the values of history rows: a personal field's only
// when personal is set (else it is marked masked), coded fields always.
func (s *Service) openChanges(rows []changeRow, personal bool) ([]domain.CaseChange, error) {
	out := make([]domain.CaseChange, 0, len(rows))
	for _, r := range rows {
		c := r.CaseChange
		if c.Personal && !personal {
			c.Masked = r.oldEnc != "" || r.newEnc != ""
			out = append(out, c)
			continue
		}
		var err error
		if c.Old, err = s.st.Open(store.FieldChangeOld, r.oldEnc); err != nil {
			return nil, err
		}
		if c.New, err = s.st.Open(store.FieldChangeNew, r.newEnc); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// CaseChanges is the history of a case's record, oldest first. Values of
// personal fields are shown to those who see the case's personal data
// (need to know, as GetCase), and that view is audited; others see which
// fields changed. Authorization: PermViewCases on a visible case (else not
// found).
func (s *Service) CaseChanges(ctx context.Context, sc domain.Scope, caseID string) ([]domain.CaseChange, error) {
	h, region, err := s.caseHandlingOf(ctx, s.st, sc, caseID)
	if err != nil {
		return nil, err
	}
	view, err := s.caseView(ctx, s.st, sc, h)
	if err != nil {
		return nil, err
	}
	rows, err := store.Rows(ctx, s.st, scanChange, `SELECT `+changeCols+` FROM case_changes WHERE case_id = $1 ORDER BY at, id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("cases: case changes: %w", err)
	}
	out, err := s.openChanges(rows, view.personal)
	if err != nil {
		return nil, err
	}
	if view.personal && !sc.System && len(out) > 0 {
		if err := s.st.Audit(ctx, sc, "case.view_changes", "case", caseID, region, fmt.Sprintf("changes=%d", len(out))); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// loadChanges attaches to each timeline event of c the fields its save
// changed (personal values for readers who may see personal data:
// GetCase's view of the case decides, through sc).
func (s *Service) loadChanges(ctx context.Context, sc domain.Scope, c *domain.Case) error {
	type evChange struct {
		event string
		row   changeRow
	}
	rows, err := store.Rows(ctx, s.st, func(rows *sql.Rows) (evChange, error) {
		var e evChange
		err := rows.Scan(&e.event, &e.row.ChangeID, &e.row.At, &e.row.Actor, &e.row.Entity, &e.row.EntityID, &e.row.Field,
			&e.row.Personal, &e.row.oldEnc, &e.row.newEnc)
		return e, err
	}, `SELECT e.id, ch.change_id, ch.at, ch.actor, ch.entity, ch.entity_id, ch.field, ch.personal, ch.old_enc, ch.new_enc
		FROM case_changes ch JOIN case_events e ON e.change_id = ch.change_id AND e.case_id = ch.case_id
		WHERE ch.case_id = $1 ORDER BY ch.at, ch.id`, c.ID)
	if err != nil {
		return err
	}
	byEvent := map[string][]changeRow{}
	for _, r := range rows {
		byEvent[r.event] = append(byEvent[r.event], r.row)
	}
	for i := range c.Events {
		e := &c.Events[i]
		if rs := byEvent[e.ID]; len(rs) > 0 {
			if e.Changes, err = s.openChanges(rs, sc.Personal); err != nil {
				return err
			}
			if masked(e.Changes) {
				c.PersonalMasked = true
			}
		}
	}
	return nil
}

func masked(cs []domain.CaseChange) bool {
	for _, c := range cs {
		if c.Masked {
			return true
		}
	}
	return false
}

// joinCodes is the stored form of a list of codes in history: sorted,
// comma-separated.
func joinCodes[T ~string](xs []T) string {
	ss := make([]string, len(xs))
	for i, x := range xs {
		ss[i] = string(x)
	}
	sort.Strings(ss)
	return strings.Join(ss, ",")
}
