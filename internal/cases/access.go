package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Who sees what of a case: which cases a caller sees at all (caseScope),
// need-to-know access to a case's personal data (SPEC B), and emergency
// access (akses darurat).

// Emergency access reason limits (characters).
const (
	MinAccessReason = 20
	MaxAccessReason = 1000
)

// caseScope returns the SQL condition that limits cases (table alias a) to
// what sc may see, numbering arguments from n: the region prefix, and for a
// responder only the cases of their teams or assigned to them. A scope
// without PermViewCases sees nothing.
func caseScope(sc domain.Scope, a string, n int) (string, []any) {
	if !sc.Can(domain.PermViewCases) {
		return "1=0", nil
	}
	cond, args := store.ScopeClause(a+".region_code", sc.RegionCode, n)
	return responderOnly(sc, a, cond, args, n)
}

// inboxScope is caseScope for the inbox's statements, run on every view:
// on PostgreSQL the region is written into the SQL (store.ScopeLiteral).
func (s *Service) inboxScope(sc domain.Scope, a string, n int) (string, []any) {
	lit, ok := s.st.ScopeLiteral(a+".region_code", sc.RegionCode)
	if !ok || !sc.Can(domain.PermViewCases) {
		return caseScope(sc, a, n)
	}
	return responderOnly(sc, a, lit, nil, n)
}

// responderOnly adds to a region condition (with its arguments, numbered
// from n) what limits a responder to the cases they or their teams
// handle.
func responderOnly(sc domain.Scope, a, cond string, args []any, n int) (string, []any) {
	if sc.Role == domain.RoleResponder && !sc.System {
		k := n + len(args)
		cond += fmt.Sprintf(` AND (%[1]s.assignee_id = $%[2]d OR %[1]s.team_id IN (SELECT team_id FROM team_members WHERE user_id = $%[2]d)
			OR %[1]s.support_team_id IN (SELECT team_id FROM team_members WHERE user_id = $%[2]d))`, a, k)
		args = append(args, sc.UserID)
	}
	return cond, args
}

// caseHandling is what the need-to-know decision looks at: a case and who
// handles it.
type caseHandling struct {
	id, assignee, team, support string
}

// caseView is the outcome of the need-to-know decision for one caller and
// one case.
type caseView struct {
	personal    bool       // the caller sees the case's personal data
	until       *time.Time // ... through an emergency access ending then
	requestable bool       // the caller may open it with an emergency access
}

// caseView decides whether sc may see the personal data of case h, which
// sc can already see (caseScope decides that). It is the one place that
// decides who; which fields are personal is decided where they are read
// (store.Reveal with the scope this narrows). Personal data of a case is for
//   - lindu itself and those who manage cases in the region: supervisors
//     and admins (PermManageCases);
//   - the case's lead (assignee) and the members of its lead and support
//     teams (a responder sees no other case);
//   - a user holding an unexpired emergency access to the case;
//
// and never for a role without PermViewPersonal. Any other caller who may
// see personal data (another caseworker of the region) sees the case
// masked and may ask for emergency access.
func (s *Service) caseView(ctx context.Context, q store.Querier, sc domain.Scope, h caseHandling) (caseView, error) {
	switch {
	case !sc.Personal:
		return caseView{}, nil
	case sc.System || sc.Can(domain.PermManageCases):
		return caseView{personal: true}, nil
	case sc.UserID == "":
		return caseView{}, nil
	case sc.UserID == h.assignee:
		return caseView{personal: true}, nil
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM team_members WHERE user_id = $1 AND team_id IN ($2, $3)`,
		sc.UserID, h.team, h.support).Scan(&n); err != nil {
		return caseView{}, fmt.Errorf("cases: case access: %w", err)
	}
	if n > 0 {
		return caseView{personal: true}, nil
	}
	var until time.Time
	err := q.QueryRowContext(ctx, `SELECT expires_at FROM case_access_grants WHERE case_id = $1 AND user_id = $2 AND expires_at > $3
		ORDER BY expires_at DESC LIMIT 1`, h.id, sc.UserID, s.st.Now()).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) {
		return caseView{requestable: sc.Can(domain.PermViewCases)}, nil
	}
	if err != nil {
		return caseView{}, fmt.Errorf("cases: case access: %w", err)
	}
	until = until.UTC()
	return caseView{personal: true, until: &until}, nil
}

// caseHandlingOf reads who handles case id, if sc can see it, and the
// case's region.
func (s *Service) caseHandlingOf(ctx context.Context, q store.Querier, sc domain.Scope, id string) (caseHandling, string, error) {
	where, args := readScope(sc, "c", 2)
	h := caseHandling{id: id}
	var region string
	err := q.QueryRowContext(ctx, `SELECT c.region_code, COALESCE(c.assignee_id, ''), COALESCE(c.team_id, ''), COALESCE(c.support_team_id, '')
		FROM cases c WHERE c.id = $1 AND `+where, append([]any{id}, args...)...).Scan(&region, &h.assignee, &h.team, &h.support)
	if errors.Is(err, sql.ErrNoRows) {
		return h, "", domain.NotFound("case")
	}
	if err != nil {
		return h, "", fmt.Errorf("cases: case: %w", err)
	}
	return h, region, nil
}

// caseViewByID is caseView for a case known by id (not found when sc
// cannot see it).
func (s *Service) caseViewByID(ctx context.Context, sc domain.Scope, id string) (caseView, error) {
	h, _, err := s.caseHandlingOf(ctx, s.st, sc, id)
	if err != nil {
		return caseView{}, err
	}
	return s.caseView(ctx, s.st, sc, h)
}

// GrantEmergencyAccess opens the personal data of a case to a caller who
// does not handle it (akses darurat), for the configured time (default 4
// hours), with a reason of at least MinAccessReason characters. The grant
// is stored with the reason sealed, written to the case's timeline and the
// audit log, and the region's supervisors are notified, all in one
// transaction. Authorization: PermViewPersonal and a case visible to the
// caller (else not found) whose personal data the caller does not see yet
// (else conflict).
func (s *Service) GrantEmergencyAccess(ctx context.Context, sc domain.Scope, caseID, reason string) (domain.AccessGrant, error) {
	if !sc.Personal || sc.System || sc.UserID == "" {
		return domain.AccessGrant{}, domain.NotFound("case")
	}
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n < MinAccessReason || n > MaxAccessReason || !utf8.ValidString(reason) {
		return domain.AccessGrant{}, domain.InvalidFields(domain.FieldErrors{
			"reason": domain.M("case.field.access_reason", MinAccessReason, MaxAccessReason)})
	}
	var g domain.AccessGrant
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		now := tx.Now()
		g = domain.AccessGrant{ID: tx.NewID(), CaseID: caseID, UserID: sc.UserID, Reason: reason, GrantedAt: now,
			ExpiresAt: now.Add(s.emergencyTTL)}
		lc, err := s.lockCase(ctx, tx, sc, caseID)
		if err != nil {
			return err
		}
		v, err := s.caseView(ctx, tx, sc, caseHandling{id: caseID, assignee: lc.assignee.String, team: lc.team.String,
			support: lc.support.String})
		if err != nil {
			return err
		}
		if v.personal {
			return domain.E(domain.EConflict, "case.err.already_personal")
		}
		if !v.requestable {
			return domain.NotFound("case")
		}
		enc, err := s.st.Seal(store.FieldGrantReason, reason)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_access_grants (id, case_id, user_id, reason_enc, granted_at, expires_at)
			VALUES ($1,$2,$3,$4,$5,$6)`, g.ID, caseID, sc.UserID, enc, g.GrantedAt, g.ExpiresAt); err != nil {
			return fmt.Errorf("cases: emergency access: %w", err)
		}
		if err := s.caseEvent(ctx, tx, sc, caseID, "emergency_access", lc.status, lc.status, reason); err != nil {
			return err
		}
		if err := notifyEmergencyAccess(ctx, tx, sc, g, lc); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "case.emergency_access", "case", caseID, lc.region,
			"grant="+g.ID+" expires="+g.ExpiresAt.Format(time.RFC3339))
	})
	if err != nil {
		return domain.AccessGrant{}, err
	}
	return g, nil
}
