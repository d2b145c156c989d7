package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"lindu/internal/domain"
	"lindu/internal/i18n"
	"lindu/internal/store"
)

// Messages a change sends, written to the outbox in the change's
// transaction (store.Tx.Enqueue). SMS texts are Indonesian (i18n "sms.*")
// and carry case codes and village names, never personal data.

// notifyAssignment tells the lead and the teams of a case that it is
// theirs, except the users in told (a reassignment's previous lead and
// teams, who had the same message already).
func notifyAssignment(ctx context.Context, tx *store.Tx, caseID string, told ...string) error {
	var region, code, priority string
	var version int
	var assignee, team, support sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT region_code, code, priority, version, assignee_id, team_id, support_team_id FROM cases WHERE id = $1`,
		caseID).Scan(&region, &code, &priority, &version, &assignee, &team, &support)
	if err != nil {
		return fmt.Errorf("cases: notify: %w", err)
	}
	recipients, err := caseRecipients(ctx, tx, assignee, team, support)
	if err != nil {
		return err
	}
	recipients = slices.DeleteFunc(recipients, func(uid string) bool { return slices.Contains(told, uid) })
	if len(recipients) == 0 {
		return nil
	}
	var due string
	var dueAt sql.NullTime
	err = tx.QueryRowContext(ctx, `SELECT due_at FROM deadlines WHERE subject_type = 'case' AND subject_id = $1 AND kind = 'ack'`, caseID).Scan(&dueAt)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("cases: notify: %w", err)
	}
	if dueAt.Valid {
		due = dueAt.Time.In(domain.ZoneFor(region)).Format("02-01 15:04 MST")
	}
	village, err := regionName(ctx, tx, region)
	if err != nil {
		return err
	}
	body := domain.FitSMS(village, func(v string) string {
		return i18n.T("id", "sms.assigned", domain.FormatPublicCode(code), v, i18n.T("id", "priority."+priority), due, code)
	})
	for _, uid := range recipients {
		if _, err := tx.Enqueue(ctx, store.Message{Key: "assign:" + caseID + ":" + strconv.Itoa(version) + ":" + uid,
			UserID: uid, Region: region, Body: body, CaseID: caseID}); err != nil {
			return err
		}
	}
	return nil
}

// notifyEmergencyAccess tells the supervisors of the case's region who
// opened it and until when (no personal data: the case code, the village,
// the username).
func notifyEmergencyAccess(ctx context.Context, tx *store.Tx, sc domain.Scope, g domain.AccessGrant, lc lockedCase) error {
	sups, err := supervisorsOf(ctx, tx, lc.region)
	if err != nil {
		return err
	}
	village, err := regionName(ctx, tx, lc.region)
	if err != nil {
		return err
	}
	until := g.ExpiresAt.In(domain.ZoneFor(lc.region)).Format("02-01 15:04 MST")
	body := domain.FitSMS(village, func(v string) string {
		return i18n.T("id", "sms.emergency_access", domain.FormatPublicCode(lc.code), v, sc.Actor(), until)
	})
	for _, uid := range sups {
		if _, err := tx.Enqueue(ctx, store.Message{Key: "emergency:" + g.ID + ":" + uid, UserID: uid, Region: lc.region,
			Body: body, CaseID: g.CaseID}); err != nil {
			return err
		}
	}
	return nil
}

// regionName is a region's name ("" for an unknown code).
func regionName(ctx context.Context, q store.Querier, code string) (string, error) {
	var n string
	err := q.QueryRowContext(ctx, `SELECT name FROM regions WHERE code = $1`, code).Scan(&n)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("cases: region name: %w", err)
	}
	return n, nil
}
