package audits

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"lindu/internal/domain"
	"lindu/internal/i18n"
	"lindu/internal/kla"
	"lindu/internal/store"
)

// TeamMember is a child auditor: first name, age and forum only.
type TeamMember struct {
	FirstName string `json:"first_name"`
	Age       int    `json:"age"`
	Forum     string `json:"forum"`
}

// Answer is an item's answer with the children's own rating (1-5: the
// emoji scale, 0 none).
type Answer struct {
	domain.AuditAnswer
	ChildRating int `json:"child_rating,omitempty"`
}

// Audit is one audit of a facility.
type Audit struct {
	ID              string             `json:"id"`
	FacilityID      string             `json:"facility_id"`
	FacilityName    string             `json:"facility_name"`
	Kind            string             `json:"kind"`
	TemplateVersion int                `json:"template_version"`
	PlannedOn       string             `json:"planned_on"`
	Status          string             `json:"status"` // planned, draft, submitted
	Team            []TeamMember       `json:"team,omitempty"`
	Facilitator     string             `json:"facilitator"`
	RecheckOf       string             `json:"recheck_of,omitempty"`
	Answers         []Answer           `json:"answers,omitempty"`
	Score           *domain.AuditScore `json:"score,omitempty"`
	ChildrenPercent float64            `json:"children_percent"`
	SubmittedAt     *time.Time         `json:"submitted_at,omitempty"`
	Version         int                `json:"version"`
}

// Audit statuses.
const (
	AuditPlanned   = "planned"
	AuditDraft     = "draft"
	AuditSubmitted = "submitted"
)

// Action statuses.
const (
	ActionOpen     = "open"     // the agency has not answered
	ActionAnswered = "answered" // the agency says what it did; waiting for the children's re-check
	ActionClosed   = "closed"   // the children's re-check passed the item (or a facilitator closed it with a reason)
)

// Action is a finding for the owning agency.
type Action struct {
	ID, AuditID, FacilityID, FacilityName, Item, Label, Agency, AgencyName, DueOn, Status string
	Response, RespondedBy, ClosedBy, CloseReason, RecheckAuditID                          string
}

// ActionWindow is how long an agency has to act on a finding.
const ActionWindow = 30 * 24 * time.Hour

func mayRun(sc domain.Scope) bool { return sc.Can(domain.PermRunAudits) }

// CreateFacility registers a facility in the caller's region.
// Authorization: PermRunAudits or PermManageKLA.
func (s *Service) CreateFacility(ctx context.Context, sc domain.Scope, f domain.Facility) (domain.Facility, error) {
	if !mayRun(sc) && !sc.Can(domain.PermManageKLA) {
		return f, domain.E(domain.EForbidden, "error.forbidden")
	}
	f.Name, f.Agency, f.Location = strings.TrimSpace(f.Name), strings.TrimSpace(f.Agency), strings.TrimSpace(f.Location)
	fe := domain.FieldErrors{}
	if f.Kind != domain.FacilityRBRA && f.Kind != domain.FacilityPRA && f.Kind != domain.FacilityOther {
		fe["kind"] = domain.M("audit.field.kind")
	}
	if f.Name == "" || utf8.RuneCountInString(f.Name) > 200 {
		fe["name"] = domain.M("audit.field.name")
	}
	if f.Agency == "" {
		fe["agency"] = domain.M("audit.field.agency")
	}
	if !domain.RegionWithin(f.RegionCode, sc.RegionCode) {
		fe["region_code"] = domain.M("report.field.region_outside_service")
	}
	if len(fe) > 0 {
		return f, domain.InvalidFields(fe)
	}
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions WHERE code = $1`, f.RegionCode).Scan(&n); err != nil {
			return fmt.Errorf("audits: region: %w", err)
		}
		if n == 0 {
			return domain.InvalidFields(domain.FieldErrors{"region_code": domain.M("report.field.region")})
		}
		f.ID, f.CreatedAt = tx.NewID(), tx.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO facilities (id, kind, name, region_code, agency, location, created_by, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, f.ID, f.Kind, f.Name, f.RegionCode, f.Agency, f.Location, sc.Actor(), f.CreatedAt); err != nil {
			return fmt.Errorf("audits: facility: %w", err)
		}
		return tx.Audit(ctx, sc, "facility.create", "facility", f.ID, f.RegionCode, "kind="+f.Kind)
	})
	return f, err
}

// facility reads a facility in sc's region.
func (s *Service) facility(ctx context.Context, q store.Querier, sc domain.Scope, id string) (domain.Facility, error) {
	where, args := store.ScopeClause("region_code", sc.RegionCode, 2)
	var f domain.Facility
	err := q.QueryRowContext(ctx, `SELECT id, kind, name, region_code, agency, location, created_at FROM facilities WHERE id = $1 AND `+where,
		append([]any{id}, args...)...).Scan(&f.ID, &f.Kind, &f.Name, &f.RegionCode, &f.Agency, &f.Location, &f.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return f, domain.NotFound("facility")
	}
	if err != nil {
		return f, fmt.Errorf("audits: facility: %w", err)
	}
	return f, nil
}

// validTeam checks child auditors: a first name (one word, letters), an
// age of 6-18, a forum; nothing else is kept of a child.
func validTeam(team []TeamMember) bool {
	if len(team) == 0 || len(team) > 30 {
		return false
	}
	for _, m := range team {
		n := strings.TrimSpace(m.FirstName)
		if n == "" || utf8.RuneCountInString(n) > 30 || strings.ContainsFunc(n, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '-' }) ||
			m.Age < 6 || m.Age > 18 || strings.TrimSpace(m.Forum) == "" {
			return false
		}
	}
	return true
}

// PlanAudit plans an audit of a facility with the current template and the
// children's team; recheckOf names the audit whose findings it re-checks.
// Authorization: PermRunAudits in the facility's region.
func (s *Service) PlanAudit(ctx context.Context, sc domain.Scope, facilityID, plannedOn string, team []TeamMember, recheckOf string) (Audit, error) {
	if !mayRun(sc) {
		return Audit{}, domain.E(domain.EForbidden, "error.forbidden")
	}
	fe := domain.FieldErrors{}
	if _, err := time.Parse("2006-01-02", plannedOn); err != nil {
		fe["planned_on"] = domain.M("field.date")
	}
	if !validTeam(team) {
		fe["team"] = domain.M("audit.field.team")
	}
	if len(fe) > 0 {
		return Audit{}, domain.InvalidFields(fe)
	}
	var id string
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		f, err := s.facility(ctx, tx, sc, facilityID)
		if err != nil {
			return err
		}
		t, err := s.Template(ctx, f.Kind, 0)
		if err != nil {
			return err
		}
		b, _ := json.Marshal(team)
		enc, err := s.st.Seal(store.FieldAuditTeam, string(b))
		if err != nil {
			return err
		}
		id = tx.NewID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO audits (id, facility_id, template_version, planned_on, status, team_enc, facilitator_id, facilitator,
			recheck_of, created_at) VALUES ($1,$2,$3,$4,'planned',$5,$6,$7,$8,$9)`, id, facilityID, t.Version, plannedOn, enc, sc.UserID, sc.Actor(),
			recheckOf, tx.Now()); err != nil {
			return fmt.Errorf("audits: plan: %w", err)
		}
		return tx.Audit(ctx, sc, "audit.plan", "facility", facilityID, f.RegionCode, "audit="+id)
	})
	if err != nil {
		return Audit{}, err
	}
	return s.GetAudit(ctx, sc, id)
}

// SaveAnswers stores answers (a draft, completed later): each item of the
// audit's template version, with the children's own rating. A submitted
// audit does not change. Authorization: PermRunAudits in the region.
func (s *Service) SaveAnswers(ctx context.Context, sc domain.Scope, auditID string, answers []Answer) error {
	if !mayRun(sc) {
		return domain.E(domain.EForbidden, "error.forbidden")
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		_, t, err := s.lockDraft(ctx, tx, sc, auditID)
		if err != nil {
			return err
		}
		items := map[string]bool{}
		for _, sec := range t.Sections {
			for _, it := range sec.Items {
				items[it.Key] = true
			}
		}
		for _, an := range answers {
			if !items[an.Item] || an.ChildRating < 0 || an.ChildRating > 5 || utf8.RuneCountInString(an.Note) > 1000 {
				return domain.InvalidFields(domain.FieldErrors{"answer." + an.Item: domain.M("audit.field.answer")})
			}
			note, err := s.st.Seal(store.FieldAuditNote, strings.TrimSpace(an.Note))
			if err != nil {
				return err
			}
			an.Note = ""
			b, _ := json.Marshal(an.AuditAnswer)
			if _, err := tx.ExecContext(ctx, `INSERT INTO audit_answers (id, audit_id, item, answer, child_rating, note_enc) VALUES ($1,$2,$3,$4,$5,$6)
				ON CONFLICT (audit_id, item) DO UPDATE SET answer = excluded.answer, child_rating = excluded.child_rating, note_enc = excluded.note_enc`,
				tx.NewID(), auditID, an.Item, string(b), an.ChildRating, note); err != nil {
				return fmt.Errorf("audits: answers: %w", err)
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE audits SET status = 'draft', version = version + 1 WHERE id = $1`, auditID)
		return err
	})
}

// lockDraft is lockAudit for a change only an audit not yet submitted
// takes.
func (s *Service) lockDraft(ctx context.Context, tx *store.Tx, sc domain.Scope, id string) (Audit, domain.AuditTemplate, error) {
	a, t, err := s.lockAudit(ctx, tx, sc, id)
	if err == nil && a.Status == AuditSubmitted {
		err = domain.E(domain.EConflict, "audit.err.submitted")
	}
	return a, t, err
}

// lockAudit reads an audit of sc's region with its template version.
func (s *Service) lockAudit(ctx context.Context, tx *store.Tx, sc domain.Scope, id string) (Audit, domain.AuditTemplate, error) {
	var a Audit
	var facility string
	err := tx.QueryRowContext(ctx, `SELECT facility_id, template_version, status, recheck_of FROM audits WHERE id = $1`, id).
		Scan(&facility, &a.TemplateVersion, &a.Status, &a.RecheckOf)
	if errors.Is(err, sql.ErrNoRows) {
		return a, domain.AuditTemplate{}, domain.NotFound("audit")
	}
	if err != nil {
		return a, domain.AuditTemplate{}, fmt.Errorf("audits: audit: %w", err)
	}
	f, err := s.facility(ctx, tx, sc, facility)
	if err != nil {
		return a, domain.AuditTemplate{}, domain.NotFound("audit")
	}
	a.ID, a.FacilityID, a.Kind, a.FacilityName = id, facility, f.Kind, f.Name
	t, err := s.Template(ctx, f.Kind, a.TemplateVersion)
	return a, t, err
}

func (s *Service) answers(ctx context.Context, q store.Querier, auditID string, notes bool) ([]Answer, error) {
	return store.Rows(ctx, q, func(r *sql.Rows) (Answer, error) {
		var a Answer
		var body, enc string
		if err := r.Scan(&body, &a.ChildRating, &enc); err != nil {
			return a, err
		}
		if err := json.Unmarshal([]byte(body), &a.AuditAnswer); err != nil {
			return a, err
		}
		var err error
		if notes {
			a.Note, err = s.st.Open(store.FieldAuditNote, enc)
		}
		return a, err
	}, `SELECT answer, child_rating, note_enc FROM audit_answers WHERE audit_id = $1 ORDER BY item`, auditID)
}

// childrenPercent is the children's own view: their mean rating (1-5) as
// a percentage (1 → 0 %, 5 → 100 %), 0 without ratings.
func childrenPercent(answers []Answer) float64 {
	n, sum := 0, 0
	for _, a := range answers {
		if a.ChildRating > 0 {
			n++
			sum += a.ChildRating
		}
	}
	if n == 0 {
		return 0
	}
	return float64(int((float64(sum)/float64(n)-1)/4*10000+0.5)) / 100
}

// Submit scores an audit with its template version (the stored score
// never changes when the template does) and turns every finding into an
// action for the facility's agency, due in ActionWindow. A re-check closes
// the open actions of its facility whose item now passes. Every item must
// be answered (N/A counts). Authorization: PermRunAudits in the region.
func (s *Service) Submit(ctx context.Context, sc domain.Scope, auditID string) (domain.AuditScore, error) {
	if !mayRun(sc) {
		return domain.AuditScore{}, domain.E(domain.EForbidden, "error.forbidden")
	}
	var score domain.AuditScore
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
		a, t, err := s.lockDraft(ctx, tx, sc, auditID)
		if err != nil {
			return err
		}
		ans, err := s.answers(ctx, tx, auditID, false)
		if err != nil {
			return err
		}
		plain := make([]domain.AuditAnswer, len(ans))
		for i, x := range ans {
			plain[i] = x.AuditAnswer
		}
		score = domain.ScoreAudit(t, plain)
		if len(score.Unanswered) > 0 {
			return domain.E(domain.EConflict, "audit.err.unanswered", len(score.Unanswered))
		}
		f, err := s.facility(ctx, tx, sc, a.FacilityID)
		if err != nil {
			return err
		}
		now := tx.Now()
		b, _ := json.Marshal(score)
		regime, indicator := "", ""
		if score.Passed {
			var planned string
			if err := tx.QueryRowContext(ctx, `SELECT planned_on FROM audits WHERE id = $1`, auditID).Scan(&planned); err != nil {
				return fmt.Errorf("audits: submit: %w", err)
			}
			if regime, indicator, err = s.klaLink(ctx, t, planned); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE audits SET status = 'submitted', score_percent = $1, children_percent = $2, predicate = $3, result = $4,
			submitted_at = $5, version = version + 1, kla_regime = $6, kla_indicator = $7 WHERE id = $8`,
			score.Percent, childrenPercent(ans), score.Predicate, string(b), now, regime, indicator, auditID); err != nil {
			return fmt.Errorf("audits: submit: %w", err)
		}
		labels := map[string]string{}
		for _, sec := range t.Sections {
			for _, it := range sec.Items {
				labels[it.Key] = it.Label
			}
		}
		finding := map[string]bool{}
		for _, k := range score.Findings {
			finding[k] = true
			// An item already waiting for the agency keeps its action.
			var open int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_actions WHERE facility_id = $1 AND item = $2 AND status <> 'closed'`,
				a.FacilityID, k).Scan(&open); err != nil {
				return fmt.Errorf("audits: action: %w", err)
			}
			if open > 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO audit_actions (id, audit_id, facility_id, item, label, agency, due_on, status, created_at)
				VALUES ($1,$2,$3,$4,$5,$6,$7,'open',$8)`, tx.NewID(), auditID, a.FacilityID, k, labels[k], f.Agency,
				now.Add(ActionWindow).Format("2006-01-02"), now); err != nil {
				return fmt.Errorf("audits: action: %w", err)
			}
		}
		// The children's re-check closes what now passes.
		if a.RecheckOf != "" {
			answered := map[string]bool{}
			for _, x := range ans {
				answered[x.Item] = !x.NA
			}
			if _, err := tx.ExecContext(ctx, `UPDATE audit_actions SET status = 'closed', closed_by = $1, closed_at = $2, recheck_audit_id = $3
				WHERE facility_id = $4 AND status <> 'closed' AND audit_id <> $3 AND item IN (`+quoted(passed(answered, finding))+`)`,
				sc.Actor(), now, auditID, a.FacilityID); err != nil {
				return fmt.Errorf("audits: re-check: %w", err)
			}
		}
		return tx.Audit(ctx, sc, "audit.submit", "facility", a.FacilityID, f.RegionCode, fmt.Sprintf("audit=%s percent=%.2f", auditID, score.Percent))
	})
	return score, err
}

// passed lists the items a re-check answered that are not findings.
func passed(answered, finding map[string]bool) []string {
	var out []string
	for k, ok := range answered {
		if ok && !finding[k] {
			out = append(out, k)
		}
	}
	return out
}

// quoted is a SQL list of item keys (keys come from the template: letters,
// digits and _ only; anything else is dropped).
func quoted(keys []string) string {
	var parts []string
	for _, k := range keys {
		if k != "" && !strings.ContainsFunc(k, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '-' }) {
			parts = append(parts, "'"+k+"'")
		}
	}
	if len(parts) == 0 {
		return "''"
	}
	return strings.Join(parts, ",")
}

// GetAudit returns an audit of sc's region; the team and notes for those
// who run audits. Authorization: PermRunAudits, PermManageKLA or
// PermViewDashboard in the region.
func (s *Service) GetAudit(ctx context.Context, sc domain.Scope, id string) (Audit, error) {
	if !mayRun(sc) && !sc.Can(domain.PermViewDashboard) {
		return Audit{}, domain.NotFound("audit")
	}
	var a Audit
	var teamEnc, result string
	var submitted sql.NullTime
	err := s.st.QueryRowContext(ctx, `SELECT a.id, a.facility_id, f.name, f.kind, a.template_version, a.planned_on, a.status, a.team_enc, a.facilitator,
		a.recheck_of, a.result, a.children_percent, a.submitted_at, a.version FROM audits a JOIN facilities f ON f.id = a.facility_id WHERE a.id = $1`, id).
		Scan(&a.ID, &a.FacilityID, &a.FacilityName, &a.Kind, &a.TemplateVersion, &a.PlannedOn, &a.Status, &teamEnc, &a.Facilitator, &a.RecheckOf,
			&result, &a.ChildrenPercent, &submitted, &a.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return a, domain.NotFound("audit")
	}
	if err != nil {
		return a, fmt.Errorf("audits: audit: %w", err)
	}
	if _, err := s.facility(ctx, s.st, sc, a.FacilityID); err != nil {
		return Audit{}, domain.NotFound("audit")
	}
	if submitted.Valid {
		t := submitted.Time.UTC()
		a.SubmittedAt = &t
	}
	if result != "" {
		var sc domain.AuditScore
		if err := json.Unmarshal([]byte(result), &sc); err == nil {
			a.Score = &sc
		}
	}
	team := mayRun(sc) || sc.System
	if team {
		plain, err := s.st.Open(store.FieldAuditTeam, teamEnc)
		if err != nil {
			return a, err
		}
		_ = json.Unmarshal([]byte(plain), &a.Team)
	}
	if a.Answers, err = s.answers(ctx, s.st, id, mayRun(sc) || sc.System); err != nil {
		return a, err
	}
	return a, nil
}

// Actions lists audit actions: an agency's operator sees only their
// agency's; those who run audits or manage the KLA see every action of
// their region. Authorization: PermAnswerActions (own agency), PermRunAudits
// or PermManageKLA.
func (s *Service) Actions(ctx context.Context, sc domain.Scope, agency string) ([]Action, error) {
	switch {
	case mayRun(sc) || sc.Can(domain.PermManageKLA):
	case sc.Can(domain.PermAnswerActions):
		mine, err := kla.UserAgency(ctx, s.st, sc.UserID)
		if err != nil {
			return nil, err
		}
		if mine == "" {
			return nil, nil
		}
		agency = mine
	default:
		return nil, domain.E(domain.EForbidden, "error.forbidden")
	}
	where, args := store.ScopeClause("f.region_code", sc.RegionCode, 1)
	cond := ""
	if agency != "" {
		args = append(args, agency)
		cond = fmt.Sprintf(" AND x.agency = $%d", len(args))
	}
	return store.Rows(ctx, s.st, func(r *sql.Rows) (Action, error) {
		var x Action
		return x, r.Scan(&x.ID, &x.AuditID, &x.FacilityID, &x.FacilityName, &x.Item, &x.Label, &x.Agency, &x.AgencyName, &x.DueOn, &x.Status,
			&x.Response, &x.RespondedBy, &x.ClosedBy, &x.CloseReason, &x.RecheckAuditID)
	}, `SELECT x.id, x.audit_id, x.facility_id, f.name, x.item, x.label, x.agency, COALESCE(k.name, x.agency), x.due_on, x.status, x.response,
		x.responded_by, x.closed_by, x.close_reason, x.recheck_audit_id FROM audit_actions x JOIN facilities f ON f.id = x.facility_id
		LEFT JOIN kla_agencies k ON k.code = x.agency WHERE `+where+cond+`
		ORDER BY x.due_on, f.name, x.item`, args...)
}

// Respond records the agency's answer to an action (what it did); only
// the children's re-check closes it. Authorization: PermAnswerActions of
// the action's agency.
func (s *Service) Respond(ctx context.Context, sc domain.Scope, actionID, response string) error {
	response = strings.TrimSpace(response)
	if !sc.Can(domain.PermAnswerActions) {
		return domain.NotFound("action")
	}
	mine, err := kla.UserAgency(ctx, s.st, sc.UserID)
	if err != nil {
		return err
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		var agency, status, region string
		err := tx.QueryRowContext(ctx, `SELECT x.agency, x.status, f.region_code FROM audit_actions x JOIN facilities f ON f.id = x.facility_id WHERE x.id = $1`,
			actionID).Scan(&agency, &status, &region)
		if errors.Is(err, sql.ErrNoRows) || err == nil && (mine != agency && !sc.Can(domain.PermManageKLA) || !domain.RegionWithin(region, sc.RegionCode)) {
			return domain.NotFound("action")
		}
		if err != nil {
			return fmt.Errorf("audits: action: %w", err)
		}
		if status == ActionClosed {
			return domain.E(domain.EConflict, "audit.err.closed")
		}
		if response == "" || utf8.RuneCountInString(response) > 2000 {
			return domain.InvalidFields(domain.FieldErrors{"response": domain.M("audit.field.response")})
		}
		if _, err := tx.ExecContext(ctx, `UPDATE audit_actions SET status = 'answered', response = $1, responded_by = $2, responded_at = $3 WHERE id = $4`,
			response, sc.Actor(), tx.Now(), actionID); err != nil {
			return fmt.Errorf("audits: respond: %w", err)
		}
		return tx.Audit(ctx, sc, "audit.action_respond", "action", actionID, region, "agency="+agency)
	})
}

// Override closes an action without the children's re-check, with the
// reason (audited). Authorization: PermRunAudits in the region.
func (s *Service) Override(ctx context.Context, sc domain.Scope, actionID, reason string) error {
	reason = strings.TrimSpace(reason)
	if !mayRun(sc) {
		return domain.NotFound("action")
	}
	if reason == "" {
		return domain.InvalidFields(domain.FieldErrors{"reason": domain.M("audit.field.override")})
	}
	return s.st.InTx(ctx, func(tx *store.Tx) error {
		var region, status string
		err := tx.QueryRowContext(ctx, `SELECT f.region_code, x.status FROM audit_actions x JOIN facilities f ON f.id = x.facility_id WHERE x.id = $1`,
			actionID).Scan(&region, &status)
		if errors.Is(err, sql.ErrNoRows) || err == nil && !domain.RegionWithin(region, sc.RegionCode) {
			return domain.NotFound("action")
		}
		if err != nil {
			return fmt.Errorf("audits: action: %w", err)
		}
		if status == ActionClosed {
			return domain.E(domain.EConflict, "audit.err.closed")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE audit_actions SET status = 'closed', closed_by = $1, closed_at = $2, close_reason = $3 WHERE id = $4`,
			sc.Actor(), tx.Now(), reason, actionID); err != nil {
			return fmt.Errorf("audits: override: %w", err)
		}
		return tx.Audit(ctx, sc, "audit.action_override", "action", actionID, region, "")
	})
}

// Reminder offsets of an open action: 7 days and 1 day before its due
// date, and 1 day after.
var reminderOffsets = []struct {
	days int
	key  string
}{{-7, "d-7"}, {-1, "d-1"}, {1, "d+1"}}

// RemindActions texts the operators of each agency about their actions
// that are not closed, 7 days and 1 day before the due date and 1 day
// after — each reminder once (its outbox key), however often this runs or
// on how many instances, and caught up when a day was missed (a reminder
// whose day has passed is still sent, unless a later one is due).
// Authorization: lindu itself (the escalator job).
func (s *Service) RemindActions(ctx context.Context) (int, error) {
	today := s.st.Now().Format("2006-01-02")
	type row struct{ id, agency, dueOn, label, facility, region string }
	rows, err := store.Rows(ctx, s.st, func(r *sql.Rows) (row, error) {
		var x row
		return x, r.Scan(&x.id, &x.agency, &x.dueOn, &x.label, &x.facility, &x.region)
	}, `SELECT x.id, x.agency, x.due_on, x.label, f.name, f.region_code FROM audit_actions x JOIN facilities f ON f.id = x.facility_id
		WHERE x.status <> 'closed'`)
	if err != nil {
		return 0, fmt.Errorf("audits: reminders: %w", err)
	}
	n := 0
	for _, x := range rows {
		due, err := time.Parse("2006-01-02", x.dueOn)
		if err != nil {
			continue
		}
		// The latest offset whose day has come: earlier ones are not
		// worth sending any more.
		pick := ""
		for _, o := range reminderOffsets {
			if due.AddDate(0, 0, o.days).Format("2006-01-02") <= today {
				pick = o.key
			}
		}
		if pick == "" {
			continue
		}
		err = s.st.InTx(ctx, func(tx *store.Tx) error {
			users, err := store.Rows(ctx, tx, func(r *sql.Rows) (string, error) {
				var id string
				return id, r.Scan(&id)
			}, `SELECT id FROM users WHERE agency = $1 AND disabled = $2 ORDER BY id`, x.agency, false)
			if err != nil {
				return err
			}
			key := map[string]string{"d-7": "sms.audit.action_week", "d-1": "sms.audit.action_tomorrow", "d+1": "sms.audit.action_late"}[pick]
			body := domain.FitSMS(x.facility, func(name string) string {
				return i18n.T("id", key, name, due.Format("02-01-2006"))
			})
			for _, u := range users {
				ok, err := tx.Enqueue(ctx, store.Message{Key: "audit-action:" + x.id + ":" + pick + ":" + u, UserID: u, Region: x.region, Body: body})
				if err != nil {
					return err
				}
				if ok {
					n++
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// FacilityRow is a facility with its latest submitted audit.
type FacilityRow struct {
	domain.Facility
	AgencyName    string  `json:"agency_name"`
	LastAuditID   string  `json:"last_audit_id,omitempty"`
	LastSubmitted string  `json:"last_submitted,omitempty"` // YYYY-MM-DD
	LastPercent   float64 `json:"last_percent"`
	LastPredicate string  `json:"last_predicate,omitempty"`
}

// ListFacilities lists the facilities of the caller's region with their
// latest result. Authorization: PermRunAudits, PermManageKLA or
// PermViewDashboard.
func (s *Service) ListFacilities(ctx context.Context, sc domain.Scope) ([]FacilityRow, error) {
	if !mayRun(sc) && !sc.Can(domain.PermViewDashboard) && !sc.Can(domain.PermManageKLA) {
		return nil, domain.E(domain.EForbidden, "error.forbidden")
	}
	where, args := store.ScopeClause("f.region_code", sc.RegionCode, 1)
	return store.Rows(ctx, s.st, func(r *sql.Rows) (FacilityRow, error) {
		var x FacilityRow
		var last sql.NullTime
		err := r.Scan(&x.ID, &x.Kind, &x.Name, &x.RegionCode, &x.RegionName, &x.Agency, &x.AgencyName, &x.Location, &x.CreatedAt, &x.LastAuditID, &last,
			&x.LastPercent, &x.LastPredicate)
		if last.Valid {
			x.LastSubmitted = last.Time.UTC().Format("2006-01-02")
		}
		return x, err
	}, `SELECT f.id, f.kind, f.name, f.region_code, COALESCE(r.name, ''), f.agency, COALESCE(k.name, f.agency), f.location, f.created_at,
		COALESCE(la.id, ''), la.submitted_at, COALESCE(la.score_percent, 0), COALESCE(la.predicate, '')
		FROM facilities f LEFT JOIN regions r ON r.code = f.region_code LEFT JOIN kla_agencies k ON k.code = f.agency
		LEFT JOIN audits la ON la.id = (SELECT a.id FROM audits a WHERE a.facility_id = f.id AND a.status = 'submitted'
			ORDER BY a.submitted_at DESC, a.id DESC LIMIT 1)
		WHERE `+where+` ORDER BY f.kind, f.name`, args...)
}

// AuditRow is an audit in a list.
type AuditRow struct {
	ID              string  `json:"id"`
	FacilityID      string  `json:"facility_id"`
	FacilityName    string  `json:"facility_name"`
	PlannedOn       string  `json:"planned_on"`
	Status          string  `json:"status"`
	Predicate       string  `json:"predicate,omitempty"`
	Percent         float64 `json:"percent"`
	ChildrenPercent float64 `json:"children_percent"`
	TemplateVersion int     `json:"template_version"`
}

// ListAudits lists the audits of the caller's region, latest first
// (facilityID: only that facility's, its score history). Authorization:
// as ListFacilities.
func (s *Service) ListAudits(ctx context.Context, sc domain.Scope, facilityID string) ([]AuditRow, error) {
	if !mayRun(sc) && !sc.Can(domain.PermViewDashboard) && !sc.Can(domain.PermManageKLA) {
		return nil, domain.E(domain.EForbidden, "error.forbidden")
	}
	where, args := store.ScopeClause("f.region_code", sc.RegionCode, 1)
	cond := ""
	if facilityID != "" {
		args = append(args, facilityID)
		cond = fmt.Sprintf(" AND a.facility_id = $%d", len(args))
	}
	return store.Rows(ctx, s.st, func(r *sql.Rows) (AuditRow, error) {
		var x AuditRow
		return x, r.Scan(&x.ID, &x.FacilityID, &x.FacilityName, &x.PlannedOn, &x.Status, &x.Predicate, &x.Percent, &x.ChildrenPercent,
			&x.TemplateVersion)
	}, `SELECT a.id, a.facility_id, f.name, a.planned_on, a.status, a.predicate, a.score_percent, a.children_percent, a.template_version
		FROM audits a JOIN facilities f ON f.id = a.facility_id WHERE `+where+cond+` ORDER BY a.planned_on DESC, a.created_at DESC LIMIT 200`, args...)
}
