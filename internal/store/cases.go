package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"lindu/internal/domain"
)

// validateCase checks a new case.
func validateCase(nc *domain.NewCase) error {
	f := map[string]string{}
	if !domain.ValidRegionCode(nc.RegionCode) {
		f["region_code"] = "choose the village where it happened"
	}
	if nc.Priority == "" {
		nc.Priority = domain.PriorityMedium
	}
	if !nc.Priority.Valid() {
		f["priority"] = "high, medium or low"
	}
	if len(nc.Types) == 0 {
		f["types"] = "choose at least one type of violence or problem"
	}
	seen := map[domain.ViolenceType]bool{}
	var types []domain.ViolenceType
	for _, t := range nc.Types {
		if !t.Valid() {
			f["types"] = "unknown type " + string(t)
		} else if !seen[t] {
			seen[t] = true
			types = append(types, t)
		}
	}
	nc.Types = types
	nc.Summary = strings.TrimSpace(nc.Summary)
	if len(nc.Summary) > 20000 {
		f["summary"] = "at most 20000 characters"
	}
	if !domain.ValidPlace(nc.Place) {
		f["place"] = "unknown place"
	}
	if nc.IncidentDate != "" {
		if _, err := time.Parse("2006-01-02", nc.IncidentDate); err != nil {
			f["incident_date"] = "a date YYYY-MM-DD"
		}
	}
	if len(nc.LegalBasis) > 500 {
		f["legal_basis"] = "at most 500 characters"
	}
	for i := range nc.Victims {
		if err := validateVictim(&nc.Victims[i]); err != nil {
			e, _ := domain.AsError(err)
			for k, v := range e.Fields {
				f["victims."+strconv.Itoa(i)+"."+k] = strings.TrimPrefix(v.Key, "field.")
			}
		}
	}
	if len(f) > 0 {
		return domain.Invalid("please correct the marked fields", f)
	}
	return nil
}

func validateVictim(v *domain.Victim) error {
	f := map[string]string{}
	v.Name = strings.TrimSpace(v.Name)
	if len(v.Name) > 200 {
		f["name"] = "at most 200 characters"
	}
	if !v.Sex.Valid() {
		f["sex"] = "L, P or empty"
	}
	if v.Age != nil && (*v.Age < 0 || *v.Age > 120) {
		f["age"] = "an age in years"
	}
	if !domain.ValidPlace(v.Place) {
		f["place"] = "unknown place"
	}
	if len(v.Disability) > 200 || len(v.Education) > 100 {
		f["disability"] = "too long"
	}
	for _, t := range v.Types {
		if !t.Valid() {
			f["types"] = "unknown type " + string(t)
		}
	}
	if len(f) > 0 {
		return domain.Invalid("please correct the marked fields", f)
	}
	return nil
}

// CreateCase enters a case directly (staff). It starts verified and is
// routed at once, unless NeedsReview asks a supervisor to verify it first.
// Authorization: PermManageCases, or PermWorkCases for a case needing
// review; region inside the caller's.
func (s *Store) CreateCase(ctx context.Context, sc domain.Scope, nc domain.NewCase) (domain.Case, error) {
	if !sc.Can(domain.PermManageCases) && !(sc.Can(domain.PermWorkCases) && nc.NeedsReview) {
		return domain.Case{}, domain.Errorf(domain.EForbidden, "your role may not enter cases")
	}
	var id string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = s.createCase(ctx, tx, sc, nc)
		return err
	})
	if err != nil {
		return domain.Case{}, err
	}
	c, err := s.getCase(ctx, sc, id, false)
	if domain.IsNotFound(err) {
		// A responder may enter a case for review that is not (yet) one of
		// their teams': it was stored; they just cannot open it.
		return domain.Case{ID: id, Status: domain.StatusNew, RegionCode: nc.RegionCode}, nil
	}
	return c, err
}

// createCase inserts a case with its victims, clocks and routing inside tx.
func (s *Store) createCase(ctx context.Context, tx *sql.Tx, sc domain.Scope, nc domain.NewCase) (string, error) {
	if err := validateCase(&nc); err != nil {
		return "", err
	}
	if !sc.Contains(nc.RegionCode) {
		return "", domain.Invalid("please correct the marked fields", map[string]string{"region_code": "outside your region"})
	}
	if err := regionExists(ctx, tx, nc.RegionCode); err != nil {
		return "", err
	}
	now := s.utc()
	if nc.ReportedAt.IsZero() || nc.ReportedAt.After(now) {
		nc.ReportedAt = now
	}
	nc.ReportedAt = nc.ReportedAt.UTC().Truncate(time.Microsecond)
	summary, err := s.box.Encrypt(FieldCaseSummary, nc.Summary)
	if err != nil {
		return "", err
	}
	id := newID(now)
	status := domain.StatusVerified
	var verifiedAt any = now
	if nc.NeedsReview {
		status, verifiedAt = domain.StatusNew, nil
	}
	for attempt := 0; ; attempt++ {
		code := domain.NewPublicCode()
		_, err = tx.ExecContext(ctx, `INSERT INTO cases (id, code, region_code, status, priority, summary_enc, place, incident_date,
			legal_basis, reported_at, created_at, updated_at, verified_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`,
			id, code, nc.RegionCode, string(status), string(nc.Priority), summary, nc.Place, nc.IncidentDate, nc.LegalBasis,
			nc.ReportedAt, now, now, verifiedAt)
		if err == nil {
			break
		}
		if isUniqueViolation(err) && strings.Contains(err.Error(), "code") && attempt < 5 {
			continue
		}
		return "", fmt.Errorf("store: create case: %w", err)
	}
	for _, t := range nc.Types {
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_types (case_id, type) VALUES ($1, $2)`, id, string(t)); err != nil {
			return "", fmt.Errorf("store: case types: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET type_set = $1 WHERE id = $2`, TypeSet(nc.Types), id); err != nil {
		return "", fmt.Errorf("store: case types: %w", err)
	}
	for _, v := range nc.Victims {
		if _, err := s.insertVictim(ctx, tx, id, v); err != nil {
			return "", err
		}
	}
	if err := s.caseEvent(ctx, tx, sc, id, "created", "", status, ""); err != nil {
		return "", err
	}
	if err := s.addCaseDeadlines(ctx, tx, id, nc.ReportedAt, nc.Priority, nc.Types); err != nil {
		return "", err
	}
	if err := s.audit(ctx, tx, sc, "case.create", "case", id, nc.RegionCode, "status="+string(status)); err != nil {
		return "", err
	}
	if status == domain.StatusVerified {
		if err := s.routeCase(ctx, tx, id, nc.RegionCode); err != nil {
			return "", err
		}
	}
	return id, nil
}

func (s *Store) insertVictim(ctx context.Context, tx *sql.Tx, caseID string, v domain.Victim) (string, error) {
	if err := validateVictim(&v); err != nil {
		return "", err
	}
	name, err := s.box.Encrypt(FieldVictimName, v.Name)
	if err != nil {
		return "", err
	}
	disability, err := s.box.Encrypt(FieldVictimDisability, v.Disability)
	if err != nil {
		return "", err
	}
	now := s.utc()
	id := newID(now)
	var age any
	if v.Age != nil {
		age = *v.Age
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO victims (id, case_id, name_enc, sex, age, disability_enc, education, place, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`, id, caseID, name, string(v.Sex), age, disability, v.Education, v.Place, now); err != nil {
		return "", fmt.Errorf("store: add victim: %w", err)
	}
	seen := map[domain.ViolenceType]bool{}
	for _, t := range v.Types {
		if seen[t] {
			continue
		}
		seen[t] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO victim_types (victim_id, type) VALUES ($1, $2)`, id, string(t)); err != nil {
			return "", fmt.Errorf("store: victim types: %w", err)
		}
	}
	return id, nil
}

// caseEvent appends a line to a case's timeline.
func (s *Store) caseEvent(ctx context.Context, tx *sql.Tx, sc domain.Scope, caseID, kind string, from, to domain.CaseStatus, note string) error {
	enc, err := s.box.Encrypt(FieldCaseEventNote, note)
	if err != nil {
		return err
	}
	now := s.utc()
	_, err = tx.ExecContext(ctx, `INSERT INTO case_events (id, case_id, at, actor_id, actor, kind, from_status, to_status, note_enc)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`, newID(now), caseID, now, sc.UserID, sc.Actor(), kind, string(from), string(to), enc)
	if err != nil {
		return fmt.Errorf("store: case event: %w", err)
	}
	return nil
}

type lockedCase struct {
	status                  domain.CaseStatus
	responded               bool
	region                  string
	assignee, team, support sql.NullString
	version                 int
	code                    string
}

// lockCase reads a case inside tx if sc may see it.
func (s *Store) lockCase(ctx context.Context, tx *sql.Tx, sc domain.Scope, id string) (lockedCase, error) {
	where, args := caseScope(sc, "c", 2)
	var lc lockedCase
	q := `SELECT c.status, c.region_code, c.assignee_id, c.team_id, c.support_team_id, c.version, c.code, c.responded_at
		FROM cases c WHERE c.id = $1 AND ` + where
	if s.dialect == Postgres {
		q += ` FOR UPDATE OF c`
	}
	var responded sql.NullTime
	err := tx.QueryRowContext(ctx, q, append([]any{id}, args...)...).
		Scan(&lc.status, &lc.region, &lc.assignee, &lc.team, &lc.support, &lc.version, &lc.code, &responded)
	lc.responded = responded.Valid
	if errors.Is(err, sql.ErrNoRows) {
		return lc, domain.NotFound("case")
	}
	if err != nil {
		return lc, fmt.Errorf("store: case: %w", err)
	}
	return lc, nil
}

const caseCols = `c.id, c.code, c.region_code, COALESCE(g.name, ''), c.status, c.priority, c.summary_enc, c.place, c.incident_date,
	c.legal_basis, COALESCE(c.team_id, ''), COALESCE(t1.name, ''), COALESCE(c.support_team_id, ''), COALESCE(t2.name, ''),
	COALESCE(c.assignee_id, ''), COALESCE(u.username, ''), c.reported_at, c.created_at, c.updated_at, c.verified_at,
	c.acknowledged_at, c.responded_at, c.closed_at, c.next_due_at, c.next_due_kind, c.version`

const caseJoins = ` FROM cases c LEFT JOIN regions g ON g.code = c.region_code LEFT JOIN teams t1 ON t1.id = c.team_id
	LEFT JOIN teams t2 ON t2.id = c.support_team_id LEFT JOIN users u ON u.id = c.assignee_id`

func (s *Store) scanCase(sc domain.Scope, row interface{ Scan(...any) error }) (domain.Case, error) {
	var c domain.Case
	var summary string
	var ver, ack, resp, closed, due sql.NullTime
	err := row.Scan(&c.ID, &c.Code, &c.RegionCode, &c.RegionName, &c.Status, &c.Priority, &summary, &c.Place, &c.IncidentDate,
		&c.LegalBasis, &c.TeamID, &c.TeamName, &c.SupportTeamID, &c.SupportTeam, &c.AssigneeID, &c.Assignee, &c.ReportedAt,
		&c.CreatedAt, &c.UpdatedAt, &ver, &ack, &resp, &closed, &due, &c.NextDueKind, &c.Version)
	if err != nil {
		return c, err
	}
	c.ReportedAt, c.CreatedAt, c.UpdatedAt = c.ReportedAt.UTC(), c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	c.VerifiedAt, c.AcknowledgedAt, c.RespondedAt, c.ClosedAt, c.NextDueAt = ptrTime(ver), ptrTime(ack), ptrTime(resp), ptrTime(closed), ptrTime(due)
	c.Summary, err = s.revealField(sc, FieldCaseSummary, summary, &c.PersonalMasked)
	c.Types = []domain.ViolenceType{}
	return c, err
}

// GetCase returns a case with its people, services and timeline.
// Personal fields are filled for scopes that may see them, and that view
// is audited. Authorization: PermViewCases (responders: their teams'
// cases); anything else is not found.
func (s *Store) GetCase(ctx context.Context, sc domain.Scope, id string) (domain.Case, error) {
	return s.getCase(ctx, sc, id, true)
}

func (s *Store) getCase(ctx context.Context, sc domain.Scope, id string, audit bool) (domain.Case, error) {
	// Need to know: from here on sc shows personal data only if caseView
	// says so for this case.
	h, _, err := s.caseHandlingOf(ctx, s.r, sc, id)
	if err != nil {
		return domain.Case{}, err
	}
	view, err := s.caseView(ctx, s.r, sc, h)
	if err != nil {
		return domain.Case{}, err
	}
	sc.Personal = view.personal
	where, args := caseScope(sc, "c", 2)
	row := s.r.QueryRowContext(ctx, `SELECT `+caseCols+caseJoins+` WHERE c.id = $1 AND `+where, append([]any{id}, args...)...)
	c, err := s.scanCase(sc, row)
	if errors.Is(err, sql.ErrNoRows) {
		return c, domain.NotFound("case")
	}
	if err != nil {
		return c, fmt.Errorf("store: get case: %w", err)
	}
	if err := s.loadCaseDetails(ctx, sc, &c); err != nil {
		return c, err
	}
	c.AccessRequestable, c.AccessUntil = view.requestable, view.until
	if audit && sc.Personal && !sc.System {
		detail := "fields=summary,victims,perpetrators,notes,services,referrals,placements"
		if view.until != nil {
			detail += " via=emergency_access"
		}
		if err := s.Audit(ctx, sc, "case.view_personal", "case", id, c.RegionCode, detail); err != nil {
			return c, err
		}
	}
	return c, nil
}

func (s *Store) loadCaseDetails(ctx context.Context, sc domain.Scope, c *domain.Case) error {
	q := func(query string, scan func(*sql.Rows) error) error {
		rows, err := s.r.QueryContext(ctx, query, c.ID)
		if err != nil {
			return fmt.Errorf("store: case details: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return fmt.Errorf("store: case details: %w", err)
			}
		}
		return rows.Err()
	}
	if err := q(`SELECT type FROM case_types WHERE case_id = $1 ORDER BY type`, func(r *sql.Rows) error {
		var t domain.ViolenceType
		err := r.Scan(&t)
		c.Types = append(c.Types, t)
		return err
	}); err != nil {
		return err
	}
	vtypes := map[string][]domain.ViolenceType{}
	if err := q(`SELECT vt.victim_id, vt.type FROM victim_types vt JOIN victims v ON v.id = vt.victim_id WHERE v.case_id = $1 ORDER BY vt.type`,
		func(r *sql.Rows) error {
			var id string
			var t domain.ViolenceType
			err := r.Scan(&id, &t)
			vtypes[id] = append(vtypes[id], t)
			return err
		}); err != nil {
		return err
	}
	if err := q(`SELECT id, name_enc, sex, age, disability_enc, education, place FROM victims WHERE case_id = $1 ORDER BY created_at, id`,
		func(r *sql.Rows) error {
			var v domain.Victim
			var name, disability string
			var age sql.NullInt64
			if err := r.Scan(&v.ID, &name, &v.Sex, &age, &disability, &v.Education, &v.Place); err != nil {
				return err
			}
			if age.Valid {
				a := int(age.Int64)
				v.Age = &a
			}
			v.AgeBand, v.Group = domain.AgeBand(v.Age), domain.VictimGroup(v.Age, v.Sex)
			v.Types = vtypes[v.ID]
			if v.Types == nil {
				v.Types = []domain.ViolenceType{}
			}
			var err error
			if v.Name, err = s.revealField(sc, FieldVictimName, name, &c.PersonalMasked); err != nil {
				return err
			}
			v.Disability, err = s.revealField(sc, FieldVictimDisability, disability, &c.PersonalMasked)
			c.Victims = append(c.Victims, v)
			return err
		}); err != nil {
		return err
	}
	if err := q(`SELECT id, name_enc, sex, age, relation FROM perpetrators WHERE case_id = $1 ORDER BY created_at, id`,
		func(r *sql.Rows) error {
			var p domain.Perpetrator
			var name string
			var age sql.NullInt64
			if err := r.Scan(&p.ID, &name, &p.Sex, &age, &p.Relation); err != nil {
				return err
			}
			if age.Valid {
				a := int(age.Int64)
				p.Age = &a
			}
			var err error
			p.Name, err = s.revealField(sc, FieldPerpetratorName, name, &c.PersonalMasked)
			c.Perpetrators = append(c.Perpetrators, p)
			return err
		}); err != nil {
		return err
	}
	if err := q(`SELECT id, COALESCE(victim_id, ''), type, provider_enc, given_on, note_enc, created_by FROM services WHERE case_id = $1
		ORDER BY given_on, created_at`, func(r *sql.Rows) error {
		var sv domain.Service
		var provider, note string
		if err := r.Scan(&sv.ID, &sv.VictimID, &sv.Type, &provider, &sv.GivenOn, &note, &sv.CreatedBy); err != nil {
			return err
		}
		var err error
		if sv.Provider, err = s.revealField(sc, FieldServiceProvider, provider, &c.PersonalMasked); err != nil {
			return err
		}
		sv.Note, err = s.revealField(sc, FieldServiceNote, note, &c.PersonalMasked)
		c.Services = append(c.Services, sv)
		return err
	}); err != nil {
		return err
	}
	if err := q(`SELECT id, agency_enc, reason_enc, referred_on FROM referrals WHERE case_id = $1 ORDER BY referred_on, created_at`,
		func(r *sql.Rows) error {
			var rf domain.Referral
			var agency, reason string
			if err := r.Scan(&rf.ID, &agency, &reason, &rf.ReferredOn); err != nil {
				return err
			}
			var err error
			if rf.Agency, err = s.revealField(sc, FieldReferralAgency, agency, &c.PersonalMasked); err != nil {
				return err
			}
			rf.Reason, err = s.revealField(sc, FieldReferralReason, reason, &c.PersonalMasked)
			c.Referrals = append(c.Referrals, rf)
			return err
		}); err != nil {
		return err
	}
	if err := q(`SELECT id, COALESCE(victim_id, ''), kind, place_name_enc, from_date, to_date FROM placements WHERE case_id = $1
		ORDER BY from_date, created_at`, func(r *sql.Rows) error {
		var p domain.Placement
		var place string
		if err := r.Scan(&p.ID, &p.VictimID, &p.Kind, &place, &p.FromDate, &p.ToDate); err != nil {
			return err
		}
		var err error
		p.PlaceName, err = s.revealField(sc, FieldPlacementPlace, place, &c.PersonalMasked)
		c.Placements = append(c.Placements, p)
		return err
	}); err != nil {
		return err
	}
	if err := q(`SELECT id, at, actor, kind, from_status, to_status, note_enc FROM case_events WHERE case_id = $1 ORDER BY at, id`,
		func(r *sql.Rows) error {
			var e domain.CaseEvent
			var note string
			if err := r.Scan(&e.ID, &e.At, &e.Actor, &e.Kind, &e.FromStatus, &e.ToStatus, &note); err != nil {
				return err
			}
			e.At = e.At.UTC()
			var err error
			e.Note, err = s.revealField(sc, FieldCaseEventNote, note, &c.PersonalMasked)
			c.Events = append(c.Events, e)
			return err
		}); err != nil {
		return err
	}
	if err := q(`SELECT id, kind, due_at, met_at FROM deadlines WHERE subject_type = 'case' AND subject_id = $1 ORDER BY due_at`,
		func(r *sql.Rows) error {
			var d domain.Deadline
			var met sql.NullTime
			if err := r.Scan(&d.ID, &d.Kind, &d.DueAt, &met); err != nil {
				return err
			}
			d.DueAt = d.DueAt.UTC()
			d.MetAt = ptrTime(met)
			now := s.utc()
			d.Breached = (d.MetAt == nil && now.After(d.DueAt) && c.Status.Open()) || (d.MetAt != nil && d.MetAt.After(d.DueAt))
			c.Deadlines = append(c.Deadlines, d)
			return nil
		}); err != nil {
		return err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+reportCols+` FROM reports r LEFT JOIN regions g ON g.code = r.region_code
		WHERE r.case_id = $1 ORDER BY r.received_at`, c.ID)
	if err != nil {
		return fmt.Errorf("store: case reports: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := s.scanReport(sc, rows)
		if err != nil {
			return err
		}
		// Who reported is for the supervisors who triage, not for everyone
		// working the case (the reporter's identity is confidential).
		if !sc.Can(domain.PermManageCases) {
			if r.ReporterName != "" || r.ContactPhone != "" {
				r.PersonalMasked = true
			}
			r.ReporterName, r.ContactPhone = "", ""
		}
		c.Reports = append(c.Reports, r)
	}
	return rows.Err()
}

// ListCases lists cases visible to sc with the inbox filters, most urgent
// first (next deadline, then newest), without personal fields.
// Authorization: PermViewCases.
func (s *Store) ListCases(ctx context.Context, sc domain.Scope, f domain.CaseFilter) ([]domain.Case, int, error) {
	if !sc.Can(domain.PermViewCases) {
		return nil, 0, domain.Errorf(domain.EForbidden, "your role may not see cases")
	}
	where, args := caseScope(sc, "c", 1)
	conds := []string{where}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	now := s.utc()
	if f.Status != "" {
		conds = append(conds, "c.status = "+arg(string(f.Status)))
	} else if f.OpenOnly {
		// closed_at is set exactly when the status is closed; this form
		// matches the partial indexes of open cases.
		conds = append(conds, "c.closed_at IS NULL")
	}
	switch f.Due {
	case "overdue":
		conds = append(conds, "c.next_due_at < "+arg(now))
	case "soon":
		conds = append(conds, "c.next_due_at >= "+arg(now)+" AND c.next_due_at < "+arg(now.Add(2*time.Hour)))
	}
	if f.RegionCode != "" {
		c, a := scopeClause("c.region_code", f.RegionCode, len(args)+1)
		conds = append(conds, c)
		args = append(args, a...)
	}
	if f.Type != "" {
		conds = append(conds, "c.type_set LIKE "+arg("%,"+string(f.Type)+",%"))
	}
	if f.AssigneeID != "" {
		p := arg(f.AssigneeID)
		conds = append(conds, "(c.assignee_id = "+p+" OR c.team_id IN (SELECT team_id FROM team_members WHERE user_id = "+p+
			") OR c.support_team_id IN (SELECT team_id FROM team_members WHERE user_id = "+p+"))")
	}
	if f.TeamID != "" {
		p := arg(f.TeamID)
		conds = append(conds, "(c.team_id = "+p+" OR c.support_team_id = "+p+")")
	}
	if f.Priority != "" {
		conds = append(conds, "c.priority = "+arg(string(f.Priority)))
	}
	if f.Query != "" {
		if code, ok := domain.NormalizePublicCode(f.Query); ok {
			conds = append(conds, "c.code = "+arg(code))
		} else {
			conds = append(conds, "1=0")
		}
	}
	w := strings.Join(conds, " AND ")
	// The total is exact up to CountCap and capped beyond it: counting a
	// million closed cases on every page view would cost more than it tells.
	var total int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM cases c WHERE `+w+
		` LIMIT `+strconv.Itoa(CountCap+1)+`) x`, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count cases: %w", err)
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	offset := max(f.Offset, 0)
	// Order: cases with a running clock first, earliest deadline first
	// (a small set, read through the next_due_at index); then the others,
	// newest first (read through the reported_at index). Two queries keep
	// both index-ordered.
	var dueCount int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases c WHERE `+w+` AND c.next_due_at IS NOT NULL`, args...).Scan(&dueCount); err != nil {
		return nil, 0, fmt.Errorf("store: count cases: %w", err)
	}
	var rowsets []*sql.Rows
	if offset < dueCount {
		rows, err := s.r.QueryContext(ctx, `SELECT `+caseCols+caseJoins+` WHERE `+w+` AND c.next_due_at IS NOT NULL
			ORDER BY c.next_due_at, c.id LIMIT `+strconv.Itoa(limit)+` OFFSET `+strconv.Itoa(offset), args...)
		if err != nil {
			return nil, 0, fmt.Errorf("store: list cases: %w", err)
		}
		rowsets = append(rowsets, rows)
	}
	if rest := limit - max(0, min(limit, dueCount-offset)); rest > 0 {
		off := max(0, offset-dueCount)
		rows, err := s.r.QueryContext(ctx, `SELECT `+caseCols+caseJoins+` WHERE `+w+` AND c.next_due_at IS NULL
			ORDER BY c.reported_at DESC, c.id DESC LIMIT `+strconv.Itoa(rest)+` OFFSET `+strconv.Itoa(off), args...)
		if err != nil {
			for _, r := range rowsets {
				r.Close()
			}
			return nil, 0, fmt.Errorf("store: list cases: %w", err)
		}
		rowsets = append(rowsets, rows)
	}
	out := []domain.Case{}
	noPersonal := sc
	noPersonal.Personal = false
	for _, rows := range rowsets {
		if err := func() error {
			defer rows.Close()
			for rows.Next() {
				c, err := s.scanCase(noPersonal, rows)
				if err != nil {
					return fmt.Errorf("store: list cases: %w", err)
				}
				c.PersonalMasked = false
				out = append(out, c)
			}
			return rows.Err()
		}(); err != nil {
			return nil, 0, err
		}
	}
	if len(out) > 0 {
		if err := s.fillTypes(ctx, out); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// CountCap is where case totals stop counting exactly.
const CountCap = 1000

func (s *Store) fillTypes(ctx context.Context, cs []domain.Case) error {
	idx := map[string]int{}
	ph := make([]string, len(cs))
	args := make([]any, len(cs))
	for i, c := range cs {
		idx[c.ID] = i
		ph[i] = "$" + strconv.Itoa(i+1)
		args[i] = c.ID
	}
	rows, err := s.r.QueryContext(ctx, `SELECT case_id, type FROM case_types WHERE case_id IN (`+strings.Join(ph, ",")+`) ORDER BY type`, args...)
	if err != nil {
		return fmt.Errorf("store: case types: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var t domain.ViolenceType
		if err := rows.Scan(&id, &t); err != nil {
			return err
		}
		cs[idx[id]].Types = append(cs[idx[id]].Types, t)
	}
	return rows.Err()
}

// Transition moves a case through the workflow. The change, its time,
// actor and note are stored in the timeline; clocks are met; an invalid
// transition changes nothing. Authorization: PermManageCases for verify,
// assign, close and reopen; PermWorkCases (on a visible case) for
// acknowledge, respond, in service and referred.
func (s *Store) Transition(ctx context.Context, sc domain.Scope, id string, t domain.Transition) (domain.Case, error) {
	if !sc.Can(domain.PermWorkCases) {
		return domain.Case{}, domain.NotFound("case")
	}
	t.Note = strings.TrimSpace(t.Note)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		lc, err := s.lockCase(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if err := domain.CheckTransition(lc.status, t, lc.assignee.Valid || lc.team.Valid, lc.responded); err != nil {
			return err
		}
		managerOnly := t.To == domain.StatusVerified || t.To == domain.StatusAssigned || lc.status == domain.StatusClosed
		if managerOnly && !sc.Can(domain.PermManageCases) {
			return domain.Errorf(domain.EForbidden, "only a supervisor may make a case %s", t.To)
		}
		if t.To == domain.StatusClosed && !sc.Can(domain.PermManageCases) && lc.status != domain.StatusInService && lc.status != domain.StatusReferred && lc.status != domain.StatusResponded {
			return domain.Errorf(domain.EForbidden, "only a supervisor may close a case before anyone reached the child")
		}
		return s.applyTransition(ctx, tx, sc, id, lc, t)
	})
	if err != nil {
		return domain.Case{}, err
	}
	return s.getCase(ctx, sc, id, false)
}

func (s *Store) applyTransition(ctx context.Context, tx *sql.Tx, sc domain.Scope, id string, lc lockedCase, t domain.Transition) error {
	now := s.utc()
	sets := []string{"status = $1", "updated_at = $2", "version = version + 1"}
	args := []any{string(t.To), now}
	set := func(col string, v any) {
		args = append(args, v)
		sets = append(sets, col+" = $"+strconv.Itoa(len(args)))
	}
	switch t.To {
	case domain.StatusVerified:
		set("verified_at", now)
		if lc.status == domain.StatusClosed {
			sets = append(sets, "closed_at = NULL", "team_id = NULL", "support_team_id = NULL", "assignee_id = NULL",
				"acknowledged_at = NULL")
		}
	case domain.StatusAssigned:
		if t.TeamID != "" {
			if err := s.checkTeam(ctx, tx, sc, t.TeamID, lc.region); err != nil {
				return err
			}
			set("team_id", t.TeamID)
		}
		if t.AssigneeID != "" {
			if err := s.checkAssignee(ctx, tx, lc.region, t.AssigneeID); err != nil {
				return err
			}
			set("assignee_id", t.AssigneeID)
		}
	case domain.StatusAcknowledged:
		set("acknowledged_at", now)
	case domain.StatusResponded:
		set("responded_at", now)
		sets = append(sets, "acknowledged_at = COALESCE(acknowledged_at, $2)")
	case domain.StatusClosed:
		set("closed_at", now)
	case domain.StatusInService:
		if lc.status == domain.StatusClosed {
			sets = append(sets, "closed_at = NULL")
		}
	}
	args = append(args, id, string(lc.status), lc.version)
	n := len(args)
	res, err := tx.ExecContext(ctx, `UPDATE cases SET `+strings.Join(sets, ", ")+
		fmt.Sprintf(` WHERE id = $%d AND status = $%d AND version = $%d`, n-2, n-1, n), args...)
	if err != nil {
		return fmt.Errorf("store: transition: %w", err)
	}
	if k, _ := res.RowsAffected(); k != 1 {
		return domain.Errorf(domain.EConflict, "the case changed meanwhile; reload and try again")
	}
	if t.To == domain.StatusVerified && lc.status == domain.StatusClosed {
		// Reopened before anyone reached the child: the clocks start again.
		if _, err := tx.ExecContext(ctx, `DELETE FROM deadlines WHERE subject_type = 'case' AND subject_id = $1 AND kind IN ('ack', 'response')`, id); err != nil {
			return fmt.Errorf("store: reopen: %w", err)
		}
		var prio string
		if err := tx.QueryRowContext(ctx, `SELECT priority FROM cases WHERE id = $1`, id).Scan(&prio); err != nil {
			return fmt.Errorf("store: reopen: %w", err)
		}
		types, err := caseTypes(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.addCaseDeadlines(ctx, tx, id, now, domain.Priority(prio), types); err != nil {
			return err
		}
	}
	switch t.To {
	case domain.StatusAcknowledged:
		if err := s.meetDeadline(ctx, tx, "case", id, domain.DeadlineAck, now); err != nil {
			return err
		}
	case domain.StatusResponded:
		for _, k := range []domain.DeadlineKind{domain.DeadlineAck, domain.DeadlineResponse} {
			if err := s.meetDeadline(ctx, tx, "case", id, k, now); err != nil {
				return err
			}
		}
	}
	if err := s.recomputeNextDue(ctx, tx, id); err != nil {
		return err
	}
	if err := s.caseEvent(ctx, tx, sc, id, "transition", lc.status, t.To, t.Note); err != nil {
		return err
	}
	if t.To == domain.StatusAssigned {
		if err := s.notifyAssignment(ctx, tx, id); err != nil {
			return err
		}
	}
	if err := s.audit(ctx, tx, sc, "case.transition", "case", id, lc.region, string(lc.status)+"->"+string(t.To)); err != nil {
		return err
	}
	if t.To == domain.StatusVerified && lc.status == domain.StatusNew {
		return s.routeCase(ctx, tx, id, lc.region) // a reviewed case is routed like a verified report
	}
	return nil
}

// Reassign changes a case's team or lead without changing its status.
// Authorization: PermManageCases.
func (s *Store) Reassign(ctx context.Context, sc domain.Scope, id, teamID, assigneeID, note string) (domain.Case, error) {
	if !sc.Can(domain.PermManageCases) {
		return domain.Case{}, domain.NotFound("case")
	}
	if teamID == "" && assigneeID == "" {
		return domain.Case{}, domain.Invalid("nobody to assign", map[string]string{"assignee_id": "choose a team or a person"})
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		lc, err := s.lockCase(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if !lc.status.Open() {
			return domain.Errorf(domain.EConflict, "the case is closed")
		}
		if lc.status == domain.StatusNew {
			return domain.Errorf(domain.EConflict, "verify the case before assigning it")
		}
		if lc.status == domain.StatusVerified {
			return s.applyTransition(ctx, tx, sc, id, lc, domain.Transition{To: domain.StatusAssigned, TeamID: teamID, AssigneeID: assigneeID, Note: note})
		}
		sets, args := []string{"updated_at = $1", "version = version + 1"}, []any{s.utc()}
		if teamID != "" {
			if err := s.checkTeam(ctx, tx, sc, teamID, lc.region); err != nil {
				return err
			}
			args = append(args, teamID)
			sets = append(sets, "team_id = $"+strconv.Itoa(len(args)))
		}
		if assigneeID != "" {
			if err := s.checkAssignee(ctx, tx, lc.region, assigneeID); err != nil {
				return err
			}
			args = append(args, assigneeID)
			sets = append(sets, "assignee_id = $"+strconv.Itoa(len(args)))
		}
		args = append(args, id)
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET `+strings.Join(sets, ", ")+` WHERE id = $`+strconv.Itoa(len(args)), args...); err != nil {
			return fmt.Errorf("store: reassign: %w", err)
		}
		if err := s.caseEvent(ctx, tx, sc, id, "reassigned", lc.status, lc.status, note); err != nil {
			return err
		}
		if err := s.notifyAssignment(ctx, tx, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, sc, "case.reassign", "case", id, lc.region, "team="+teamID+" assignee="+assigneeID)
	})
	if err != nil {
		return domain.Case{}, err
	}
	return s.getCase(ctx, sc, id, false)
}

// checkTeam accepts a team in the caller's region whose area covers the
// case (a village taskforce only for its own village).
func (s *Store) checkTeam(ctx context.Context, tx *sql.Tx, sc domain.Scope, teamID, caseRegion string) error {
	var region string
	err := tx.QueryRowContext(ctx, `SELECT region_code FROM teams WHERE id = $1`, teamID).Scan(&region)
	if err != nil || !sc.Contains(region) {
		return domain.Invalid("please correct the marked fields", map[string]string{"team_id": "no such team in your region"})
	}
	if !domain.RegionWithin(caseRegion, region) {
		return domain.Invalid("please correct the marked fields", map[string]string{"team_id": "this team does not cover the case's village"})
	}
	return nil
}

// checkAssignee accepts an active user whose region covers the case.
func (s *Store) checkAssignee(ctx context.Context, tx *sql.Tx, caseRegion, userID string) error {
	var region, role string
	var disabled bool
	err := tx.QueryRowContext(ctx, `SELECT region_code, role, disabled FROM users WHERE id = $1`, userID).Scan(&region, &role, &disabled)
	if err != nil || disabled || !domain.RegionWithin(caseRegion, region) {
		return domain.Invalid("please correct the marked fields", map[string]string{"assignee_id": "no such active user for this case's region"})
	}
	if !access_canWork(domain.Role(role)) {
		return domain.Invalid("please correct the marked fields", map[string]string{"assignee_id": "this user's role cannot handle cases"})
	}
	return nil
}

func access_canWork(r domain.Role) bool {
	switch r {
	case domain.RoleAdmin, domain.RoleSupervisor, domain.RoleCaseworker, domain.RoleResponder:
		return true
	}
	return false
}

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

// AddDetail adds a note, person, service, referral or placement to a case.
// A referral to the police meets the sexual-violence police clock.
// Authorization: PermWorkCases on a visible, open case (notes also on a
// closed one).
func (s *Store) AddDetail(ctx context.Context, sc domain.Scope, caseID string, d CaseDetail) error {
	if !sc.Can(domain.PermWorkCases) {
		return domain.NotFound("case")
	}
	today := s.utc().In(domain.ZoneFor(sc.RegionCode)).Format("2006-01-02")
	f := map[string]string{}
	date := func(field string, v *string) {
		if *v == "" {
			*v = today
		} else if _, err := time.Parse("2006-01-02", *v); err != nil {
			f[field] = "a date YYYY-MM-DD"
		}
	}
	kind := ""
	switch {
	case d.Victim != nil:
		kind = "victim"
		if err := validateVictim(d.Victim); err != nil {
			return err
		}
	case d.Perpetrator != nil:
		kind = "perpetrator"
		p := d.Perpetrator
		p.Name = strings.TrimSpace(p.Name)
		if !domain.ValidRelation(p.Relation) {
			f["relation"] = "one of " + strings.Join(domain.Relations, ", ")
		}
		if !p.Sex.Valid() {
			f["sex"] = "L, P or empty"
		}
		if p.Age != nil && (*p.Age < 0 || *p.Age > 120) {
			f["age"] = "an age in years"
		}
		if len(p.Name) > 200 {
			f["name"] = "at most 200 characters"
		}
	case d.Service != nil:
		kind = "service"
		if !domain.ValidService(d.Service.Type) {
			f["type"] = "one of " + strings.Join(domain.ServiceTypes, ", ")
		}
		date("given_on", &d.Service.GivenOn)
		if len(d.Service.Provider) > 200 {
			f["provider"] = "at most 200 characters"
		}
		if len(d.Service.Note) > 4000 {
			f["note"] = "at most 4000 characters"
		}
	case d.Referral != nil:
		kind = "referral"
		d.Referral.Agency = strings.TrimSpace(d.Referral.Agency)
		if d.Referral.Agency == "" || len(d.Referral.Agency) > 200 {
			f["agency"] = "name the agency"
		}
		date("referred_on", &d.Referral.ReferredOn)
	case d.Placement != nil:
		kind = "placement"
		if !domain.ValidPlacement(d.Placement.Kind) {
			f["kind"] = "one of " + strings.Join(domain.PlacementKinds, ", ")
		}
		d.Placement.PlaceName = strings.TrimSpace(d.Placement.PlaceName)
		if d.Placement.PlaceName == "" || len(d.Placement.PlaceName) > 200 {
			f["place_name"] = "name the place"
		}
		date("from_date", &d.Placement.FromDate)
		if d.Placement.ToDate != "" {
			if _, err := time.Parse("2006-01-02", d.Placement.ToDate); err != nil || d.Placement.ToDate < d.Placement.FromDate {
				f["to_date"] = "a date YYYY-MM-DD after the start"
			}
		}
	default:
		kind = "note"
		d.Note = strings.TrimSpace(d.Note)
		if d.Note == "" || len(d.Note) > 8000 {
			f["note"] = "write a note (at most 8000 characters)"
		}
	}
	if len(f) > 0 {
		return domain.Invalid("please correct the marked fields", f)
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		lc, err := s.lockCase(ctx, tx, sc, caseID)
		if err != nil {
			return err
		}
		if !lc.status.Open() && kind != "note" {
			return domain.Errorf(domain.EConflict, "the case is closed; reopen it first")
		}
		now := s.utc()
		enc := func(field, v string) string {
			if err != nil {
				return ""
			}
			var c string
			c, err = s.box.Encrypt(field, v)
			return c
		}
		victimRef := func(id string) (any, error) {
			if id == "" {
				return nil, nil
			}
			var n int
			tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM victims WHERE id = $1 AND case_id = $2`, id, caseID).Scan(&n)
			if n == 0 {
				return nil, domain.Invalid("please correct the marked fields", map[string]string{"victim_id": "not a victim of this case"})
			}
			return id, nil
		}
		note := ""
		switch kind {
		case "victim":
			_, err = s.insertVictim(ctx, tx, caseID, *d.Victim)
		case "perpetrator":
			p := d.Perpetrator
			var age any
			if p.Age != nil {
				age = *p.Age
			}
			name := enc(FieldPerpetratorName, p.Name)
			if err == nil {
				_, err = tx.ExecContext(ctx, `INSERT INTO perpetrators (id, case_id, name_enc, sex, age, relation, created_at)
					VALUES ($1,$2,$3,$4,$5,$6,$7)`, newID(now), caseID, name, string(p.Sex), age, p.Relation, now)
			}
		case "service":
			sv := d.Service
			var vid any
			if vid, err = victimRef(sv.VictimID); err != nil {
				return err
			}
			provider := strings.TrimSpace(sv.Provider)
			n, pr := enc(FieldServiceNote, sv.Note), enc(FieldServiceProvider, provider)
			if err == nil {
				_, err = tx.ExecContext(ctx, `INSERT INTO services (id, case_id, victim_id, type, provider_enc, restorative, given_on, note_enc,
					created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`, newID(now), caseID, vid, sv.Type, pr,
					restorativeProvider(provider), sv.GivenOn, n, sc.Actor(), now)
			}
			note = sv.Type
			if sv.Type == "law_enforcement" && err == nil {
				err = s.meetDeadline(ctx, tx, "case", caseID, domain.DeadlinePolice, now)
			}
		case "referral":
			rf := d.Referral
			reason, agency := enc(FieldReferralReason, rf.Reason), enc(FieldReferralAgency, rf.Agency)
			if err == nil {
				_, err = tx.ExecContext(ctx, `INSERT INTO referrals (id, case_id, agency, agency_enc, reason_enc, referred_on, created_by, created_at)
					VALUES ($1,$2,'',$3,$4,$5,$6,$7)`, newID(now), caseID, agency, reason, rf.ReferredOn, sc.Actor(), now)
			}
			note = rf.Agency
			if isPolice(rf.Agency) && err == nil {
				err = s.meetDeadline(ctx, tx, "case", caseID, domain.DeadlinePolice, now)
			}
		case "placement":
			p := d.Placement
			var vid any
			if vid, err = victimRef(p.VictimID); err != nil {
				return err
			}
			place := enc(FieldPlacementPlace, p.PlaceName)
			if err == nil {
				_, err = tx.ExecContext(ctx, `INSERT INTO placements (id, case_id, victim_id, kind, place_name, place_name_enc, from_date, to_date, created_at)
					VALUES ($1,$2,$3,$4,'',$5,$6,$7,$8)`, newID(now), caseID, vid, p.Kind, place, p.FromDate, p.ToDate, now)
			}
			note = p.Kind
		case "note":
			note = d.Note
		}
		if err != nil {
			if _, ok := domain.AsError(err); ok {
				return err
			}
			return fmt.Errorf("store: add %s: %w", kind, err)
		}
		if kind != "note" {
			note = kind + ": " + note
		}
		if err := s.recomputeNextDue(ctx, tx, caseID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET updated_at = $1, version = version + 1 WHERE id = $2`, now, caseID); err != nil {
			return fmt.Errorf("store: touch case: %w", err)
		}
		if err := s.caseEvent(ctx, tx, sc, caseID, kind, lc.status, lc.status, note); err != nil {
			return err
		}
		return s.audit(ctx, tx, sc, "case.add_"+kind, "case", caseID, lc.region, "")
	})
}

// TypeSet is the searchable form of a case's types: ",neglect,physical,".
func TypeSet(types []domain.ViolenceType) string {
	if len(types) == 0 {
		return ""
	}
	ss := make([]string, len(types))
	for i, t := range types {
		ss[i] = string(t)
	}
	sort.Strings(ss)
	return "," + strings.Join(ss, ",") + ","
}

func caseTypes(ctx context.Context, tx *sql.Tx, id string) ([]domain.ViolenceType, error) {
	rows, err := tx.QueryContext(ctx, `SELECT type FROM case_types WHERE case_id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("store: case types: %w", err)
	}
	defer rows.Close()
	var out []domain.ViolenceType
	for rows.Next() {
		var t domain.ViolenceType
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func isPolice(agency string) bool {
	a := strings.ToLower(agency)
	for _, w := range []string{"polisi", "polres", "polsek", "polda", "police", "ppa polres", "unit ppa"} {
		if strings.Contains(a, w) {
			return true
		}
	}
	return false
}

// CaseCounts counts cases visible to sc by status (for the inbox).
func (s *Store) CaseCounts(ctx context.Context, sc domain.Scope) (map[string]int, error) {
	where, args := caseScope(sc, "c", 1)
	now := s.utc()
	args = append(args, now, now.Add(2*time.Hour))
	n := len(args)
	rows, err := s.r.QueryContext(ctx, fmt.Sprintf(`SELECT c.status,
		SUM(CASE WHEN c.next_due_at < $%d THEN 1 ELSE 0 END),
		SUM(CASE WHEN c.next_due_at >= $%d AND c.next_due_at < $%d THEN 1 ELSE 0 END), COUNT(*)
		FROM cases c WHERE %s GROUP BY c.status`, n-1, n-1, n, where), args...)
	if err != nil {
		return nil, fmt.Errorf("store: case counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var overdue, soon sql.NullInt64
		var total int
		if err := rows.Scan(&st, &overdue, &soon, &total); err != nil {
			return nil, err
		}
		out[st] = total
		out["overdue"] += int(overdue.Int64)
		out["soon"] += int(soon.Int64)
		if domain.CaseStatus(st).Open() {
			out["open"] += total
		}
	}
	return out, rows.Err()
}

var _ = sort.Strings
