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

// Case load (beban kerja): for a supervisor, each worker's and team's open
// cases, overdue cases, open and overdue plan actions, planned and overdue
// visits, and requests waiting for approval, counted with a handful of
// grouped queries over the cases sc can see.

// CaseLoad counts the case load of every active worker and team of sc's
// region (workers: supervisors, caseworkers, responders and admins).
// Authorization: PermManageCases (else forbidden).
func (s *Service) CaseLoad(ctx context.Context, sc domain.Scope) ([]domain.CaseLoadRow, error) {
	if !sc.Can(domain.PermManageCases) {
		return nil, domain.E(domain.EForbidden, "case.err.supervisor_only")
	}
	now := s.st.Now()
	rows := map[string]*domain.CaseLoadRow{}
	var order []string
	// The workers and teams of the region, so that someone with nothing
	// to do is listed too.
	where, args := store.ScopeClause("u.region_code", sc.RegionCode, 1)
	users, err := store.Rows(ctx, s.st, func(r *sql.Rows) (domain.CaseLoadRow, error) {
		x := domain.CaseLoadRow{Kind: "user"}
		err := r.Scan(&x.ID, &x.Name, &x.Role, &x.RegionCode)
		return x, err
	}, `SELECT u.id, u.username, u.role, u.region_code FROM users u WHERE `+where+` AND NOT u.disabled
		AND u.role IN ('supervisor', 'caseworker', 'responder', 'admin') ORDER BY u.username`, args...)
	if err != nil {
		return nil, fmt.Errorf("cases: case load users: %w", err)
	}
	twhere, targs := store.ScopeClause("t.region_code", sc.RegionCode, 1)
	teams, err := store.Rows(ctx, s.st, func(r *sql.Rows) (domain.CaseLoadRow, error) {
		x := domain.CaseLoadRow{Kind: "team"}
		err := r.Scan(&x.ID, &x.Name, &x.Role, &x.RegionCode)
		return x, err
	}, `SELECT t.id, t.name, t.kind, t.region_code FROM teams t WHERE `+twhere+` ORDER BY t.name`, targs...)
	if err != nil {
		return nil, fmt.Errorf("cases: case load teams: %w", err)
	}
	for _, list := range [][]domain.CaseLoadRow{users, teams} {
		for i := range list {
			r := list[i]
			key := r.Kind + ":" + r.ID
			rows[key] = &r
			order = append(order, key)
		}
	}
	cw, cargs := caseScope(sc, "c", 1)
	nowArg := fmt.Sprintf("$%d", len(cargs)+1)
	add := func(kind string, q string, set func(*domain.CaseLoadRow, int, int)) error {
		qargs := append([]any{}, cargs...)
		if strings.Contains(q, nowArg) {
			qargs = append(qargs, now)
		}
		type cnt struct {
			id   string
			a, b int
		}
		got, err := store.Rows(ctx, s.st, func(r *sql.Rows) (cnt, error) {
			var x cnt
			err := r.Scan(&x.id, &x.a, &x.b)
			return x, err
		}, q, qargs...)
		if err != nil {
			return fmt.Errorf("cases: case load: %w", err)
		}
		for _, x := range got {
			if r := rows[kind+":"+x.id]; r != nil {
				set(r, x.a, x.b)
			}
		}
		return nil
	}
	// Open cases and overdue ones, by lead and by team (lead or support).
	if err := add("user", `SELECT c.assignee_id, COUNT(*), SUM(CASE WHEN c.next_due_at < `+nowArg+` THEN 1 ELSE 0 END)
		FROM cases c WHERE `+cw+` AND c.status <> 'closed' AND c.assignee_id IS NOT NULL GROUP BY c.assignee_id`,
		func(r *domain.CaseLoadRow, a, b int) { r.OpenCases, r.OverdueCases = a, b }); err != nil {
		return nil, err
	}
	for _, col := range []string{"team_id", "support_team_id"} {
		if err := add("team", `SELECT c.`+col+`, COUNT(*), SUM(CASE WHEN c.next_due_at < `+nowArg+` THEN 1 ELSE 0 END)
			FROM cases c WHERE `+cw+` AND c.status <> 'closed' AND c.`+col+` IS NOT NULL
			AND (c.support_team_id IS NULL OR c.team_id IS NULL OR c.team_id <> c.support_team_id OR '`+col+`' = 'team_id') GROUP BY c.`+col,
			func(r *domain.CaseLoadRow, a, b int) { r.OpenCases += a; r.OverdueCases += b }); err != nil {
			return nil, err
		}
	}
	// Plan actions not finished, by the worker responsible; overdue when
	// their clock passed unmet.
	if err := add("user", `SELECT a.responsible_user_id, COUNT(*), SUM(CASE WHEN d.due_at < `+nowArg+` AND d.met_at IS NULL THEN 1 ELSE 0 END)
		FROM case_plan_actions a JOIN cases c ON c.id = a.case_id
		LEFT JOIN deadlines d ON d.subject_type = 'action' AND d.subject_id = a.id
		WHERE `+cw+` AND c.status <> 'closed' AND a.status IN ('planned', 'in_progress') AND a.responsible_user_id IS NOT NULL
		GROUP BY a.responsible_user_id`,
		func(r *domain.CaseLoadRow, a, b int) { r.OpenActions, r.OverdueActions = a, b }); err != nil {
		return nil, err
	}
	// Planned visits, by visitor.
	if err := add("user", `SELECT v.visitor_id, COUNT(*), SUM(CASE WHEN d.due_at < `+nowArg+` AND d.met_at IS NULL THEN 1 ELSE 0 END)
		FROM case_visits v JOIN cases c ON c.id = v.case_id
		LEFT JOIN deadlines d ON d.subject_type = 'visit' AND d.subject_id = v.id
		WHERE `+cw+` AND c.status <> 'closed' AND v.status = 'planned' AND v.visitor_id IS NOT NULL GROUP BY v.visitor_id`,
		func(r *domain.CaseLoadRow, a, b int) { r.PlannedVisits, r.OverdueVisits = a, b }); err != nil {
		return nil, err
	}
	// Requests waiting for a decision, by who asked; for teams, those of
	// their cases.
	if err := add("user", `SELECT a.requested_by, COUNT(*), 0 FROM case_approvals a JOIN cases c ON c.id = a.case_id
		WHERE `+cw+` AND a.status = 'pending' GROUP BY a.requested_by`,
		func(r *domain.CaseLoadRow, a, _ int) { r.PendingApprovals = a }); err != nil {
		return nil, err
	}
	if err := add("team", `SELECT c.team_id, COUNT(*), 0 FROM case_approvals a JOIN cases c ON c.id = a.case_id
		WHERE `+cw+` AND a.status = 'pending' AND c.team_id IS NOT NULL GROUP BY c.team_id`,
		func(r *domain.CaseLoadRow, a, _ int) { r.PendingApprovals = a }); err != nil {
		return nil, err
	}
	out := make([]domain.CaseLoadRow, 0, len(order))
	for _, k := range order {
		out = append(out, *rows[k])
	}
	// Workers first, the busiest on top; then teams likewise.
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind == "user"
		}
		return out[i].OpenCases+out[i].OpenActions+out[i].PlannedVisits > out[j].OpenCases+out[j].OpenActions+out[j].PlannedVisits
	})
	return out, nil
}
