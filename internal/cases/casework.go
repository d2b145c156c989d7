package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Case management after the first contact (issue 12): the office's rules
// (which steps a supervisor approves, what restarts on reopening), and
// reading a case's assessments, plan, visits and approvals together. The
// changes are in assessment.go, plan.go, visits.go and approvals.go.

// caseworkSetting is the settings key of the casework rules (JSON).
const caseworkSetting = "casework.rules"

// CaseworkRules returns the office's casework rules (the defaults when
// none were set). Anyone who may see cases may read them.
func (s *Service) CaseworkRules(ctx context.Context) (domain.CaseworkRules, error) {
	return readRules(ctx, s.st)
}

// readRules reads the casework rules through q.
func readRules(ctx context.Context, q store.Querier) (domain.CaseworkRules, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, caseworkSetting).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.DefaultCaseworkRules(), nil
	}
	if err != nil {
		return domain.DefaultCaseworkRules(), fmt.Errorf("cases: casework rules: %w", err)
	}
	return parseRules(v)
}

// parseRules reads the casework rules from their setting's stored value
// ("" for none: the defaults).
func parseRules(v string) (domain.CaseworkRules, error) {
	r := domain.DefaultCaseworkRules()
	if v == "" {
		return r, nil
	}
	var stored domain.CaseworkRules
	if err := json.Unmarshal([]byte(v), &stored); err != nil {
		return r, fmt.Errorf("cases: casework rules: %w", err)
	}
	r.SelfApproval = stored.SelfApproval
	for _, k := range domain.ApprovalKinds {
		if on, ok := stored.Approve[k]; ok {
			r.Approve[k] = on
		}
	}
	for t, p := range stored.Reopen {
		r.Reopen[t] = p
	}
	return r, nil
}

// SetCaseworkRules stores the casework rules. They apply to the whole
// deployment. Authorization: PermManageTeams and a deployment-wide region
// (like the deadline rules).
func (s *Service) SetCaseworkRules(ctx context.Context, sc domain.Scope, r domain.CaseworkRules) error {
	if !sc.Can(domain.PermManageTeams) || !s.st.DeploymentWide(sc) {
		return domain.E(domain.EForbidden, "teams.err.deployment_wide")
	}
	out := domain.CaseworkRules{Approve: map[domain.ApprovalKind]bool{}, Reopen: map[domain.ViolenceType]string{},
		SelfApproval: r.SelfApproval}
	for _, k := range domain.ApprovalKinds {
		out.Approve[k] = r.Approve[k]
	}
	for t, p := range r.Reopen {
		if !t.Valid() || !oneOf(p, domain.ReopenPolicies) {
			return domain.InvalidFields(domain.FieldErrors{"reopen_" + string(t): domain.M("plan.field.reopen_policy")})
		}
		out.Reopen[t] = p
	}
	b, err := json.Marshal(out)
	if err != nil {
		return fmt.Errorf("cases: casework rules: %w", err)
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SetSetting(ctx, caseworkSetting, string(b)); err != nil {
			return err
		}
		return tx.Audit(ctx, sc, "casework.rules", "setting", caseworkSetting, sc.RegionCode, string(b))
	})
}

// oneOf reports whether v is one of list.
func oneOf(v string, list []string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// beginWork locks an open case for a casework change by sc: sc handles it
// (its lead, a member of its teams, or a case manager of the region);
// anyone else, and an emergency access, gets not found.
func (s *Service) beginWork(ctx context.Context, tx *store.Tx, sc domain.Scope, caseID string) (lockedCase, error) {
	lc, err := s.lockHandled(ctx, tx, sc, caseID)
	if err != nil {
		return lc, err
	}
	if !lc.status.Open() {
		return lc, domain.E(domain.EConflict, "case.err.closed_reopen")
	}
	return lc, nil
}

// lockHandled locks a case sc handles, open or closed (else not found).
func (s *Service) lockHandled(ctx context.Context, tx *store.Tx, sc domain.Scope, caseID string) (lockedCase, error) {
	if !sc.Can(domain.PermWorkCases) {
		return lockedCase{}, domain.NotFound("case")
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
		return lc, domain.NotFound("case")
	}
	return lc, nil
}

// touchCase marks a case changed (its version and time), so a form opened
// before the change knows it is stale.
func touchCase(ctx context.Context, tx *store.Tx, caseID string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET updated_at = $1, version = version + 1 WHERE id = $2`, tx.Now(), caseID); err != nil {
		return fmt.Errorf("cases: touch case: %w", err)
	}
	return nil
}

// Casework is a case's management after the first contact, as one reader
// may see it: assessments (newest first), the plan and its actions, the
// visits, the approvals (newest first) and the office's rules.
type Casework struct {
	Assessments []domain.Assessment  `json:"assessments"`
	Plan        *domain.CasePlan     `json:"plan,omitempty"`
	Visits      []domain.Visit       `json:"visits"`
	Approvals   []domain.Approval    `json:"approvals"`
	Consents    []domain.Consent     `json:"consents"`
	Rules       domain.CaseworkRules `json:"rules"`
	// Masked is set when personal fields were withheld from the reader.
	Masked bool `json:"personal_masked,omitempty"`
	// CanWork is whether the reader handles the case (may change it).
	CanWork bool `json:"can_work"`
}

// GetCasework reads a case's casework. Personal fields (notes, goals,
// actions, outcomes, comments) only for those who see the case's personal
// data (caseView); the read is audited. Authorization: PermViewCases on a
// case sc can see (else not found).
func (s *Service) GetCasework(ctx context.Context, sc domain.Scope, caseID string) (Casework, error) {
	return s.getCasework(ctx, sc, caseID, true)
}

// CaseworkOnPage is GetCasework for the case page, which has just read the
// case with GetCase (that read is the audited view of the page).
// Authorization: as GetCasework.
func (s *Service) CaseworkOnPage(ctx context.Context, sc domain.Scope, caseID string) (Casework, error) {
	return s.getCasework(ctx, sc, caseID, false)
}

func (s *Service) getCasework(ctx context.Context, sc domain.Scope, caseID string, audit bool) (Casework, error) {
	var cw Casework
	h, region, err := s.caseHandlingOf(ctx, s.st, sc, caseID)
	if err != nil {
		return cw, err
	}
	v, err := s.caseView(ctx, s.st, sc, h)
	if err != nil {
		return cw, err
	}
	rsc := sc
	if !v.personal {
		rsc = withoutPersonal(sc)
	}
	cw.CanWork = v.personal && v.until == nil && sc.Can(domain.PermWorkCases) && (sc.System || sc.Contains(region))
	if cw.Rules, err = s.CaseworkRules(ctx); err != nil {
		return cw, err
	}
	now := s.st.Now()
	if cw.Assessments, err = s.readAssessments(ctx, rsc, caseID, &cw.Masked); err != nil {
		return cw, err
	}
	if cw.Plan, err = s.readPlan(ctx, rsc, caseID, region, now, &cw.Masked); err != nil {
		return cw, err
	}
	if cw.Plan != nil {
		cw.Plan.NeedsApproval = cw.Rules.Approve[domain.ApprovePlan]
	}
	if cw.Visits, err = s.readVisits(ctx, rsc, caseID, region, now, &cw.Masked); err != nil {
		return cw, err
	}
	if cw.Consents, err = s.readConsents(ctx, rsc, caseID, &cw.Masked); err != nil {
		return cw, err
	}
	if cw.Approvals, err = s.readApprovals(ctx, rsc, `a.case_id = $1`, []any{caseID}, "a.requested_at DESC", 200, &cw.Masked); err != nil {
		return cw, err
	}
	if audit && v.personal && !sc.System {
		if err := s.st.InTx(ctx, func(tx *store.Tx) error {
			return tx.Audit(ctx, sc, "case.casework.view", "case", caseID, region, "")
		}); err != nil {
			return cw, err
		}
	}
	return cw, nil
}

// userNames maps user ids to usernames (for the people named in casework).
func userNames(ctx context.Context, q store.Querier, ids []string) (map[string]string, error) {
	out := map[string]string{}
	var uniq []string
	for _, id := range ids {
		if id != "" && out[id] == "" {
			out[id] = id
			uniq = append(uniq, id)
		}
	}
	if len(uniq) == 0 {
		return out, nil
	}
	ph := make([]string, len(uniq))
	args := make([]any, len(uniq))
	for i, id := range uniq {
		ph[i] = fmt.Sprintf("$%d", i+1)
		args[i] = id
	}
	rows, err := q.QueryContext(ctx, `SELECT id, username FROM users WHERE id IN (`+strings.Join(ph, ",")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("cases: user names: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("cases: user names: %w", err)
		}
		out[id] = name
	}
	return out, rows.Err()
}

// todayIn is today's date in a region's time zone.
func todayIn(now time.Time, region string) string { return localDay(now, region) }
