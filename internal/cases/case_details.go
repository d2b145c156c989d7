package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Reading one case with everything recorded about it: types, victims,
// perpetrators, services, referrals, placements, timeline, clocks and the
// reports it came from. Personal fields are opened only for a scope that
// may see them (caseView decides).

const caseCols = `c.id, c.code, c.region_code, COALESCE(g.name, ''), ` + caseColsAfterRegion

const caseColsAfterRegion = `c.status, c.priority, c.summary_enc, c.place, c.incident_date,
	c.legal_basis, COALESCE(c.team_id, ''), COALESCE(t1.name, ''), COALESCE(c.support_team_id, ''), COALESCE(t2.name, ''),
	COALESCE(c.assignee_id, ''), COALESCE(u.username, ''), c.reported_at, c.created_at, c.updated_at, c.verified_at,
	c.acknowledged_at, c.responded_at, c.closed_at, c.next_due_at, c.next_due_kind, c.version, c.kdrt, c.type_set`

const caseJoins = ` FROM cases c LEFT JOIN regions g ON g.code = c.region_code LEFT JOIN teams t1 ON t1.id = c.team_id
	LEFT JOIN teams t2 ON t2.id = c.support_team_id LEFT JOIN users u ON u.id = c.assignee_id`

// listCols and listJoins are caseCols and caseJoins for lists: the
// village's name is not joined but filled from memory afterwards
// (nameRegions), since a list names few villages many times over.
const (
	listCols  = `c.id, c.code, c.region_code, '', ` + caseColsAfterRegion
	listJoins = ` FROM cases c LEFT JOIN teams t1 ON t1.id = c.team_id
	LEFT JOIN teams t2 ON t2.id = c.support_team_id LEFT JOIN users u ON u.id = c.assignee_id`
)

// listColsSQLite is listCols with its times read as text
// (store.TextTimes): a list of 50 cases has up to 400 of them, and
// modernc's driver parsing them was 8.5 % of lindu's CPU in the inbox
// benchmark.
var listColsSQLite = store.TextTimes(store.SQLite, listCols, "c.reported_at", "c.created_at", "c.updated_at", "c.verified_at",
	"c.acknowledged_at", "c.responded_at", "c.closed_at", "c.next_due_at")

// listColsFor is the list columns for the store's database.
func (s *Service) listColsFor() string {
	if s.st.Dialect() == store.SQLite {
		return listColsSQLite
	}
	return listCols
}

// caseScanner reads rows of caseCols (and extra columns) into the same
// destinations row after row: a list reads 50 cases a view, and a
// fresh Case (about 1 KB), its 28 destinations and their slice per row
// were a sixth of what an inbox view allocated.
type caseScanner struct {
	c                           domain.Case
	summary, typeSet            string
	ver, ack, resp, closed, due sql.NullTime
	dest                        []any
}

func newCaseScanner(extra ...any) *caseScanner {
	cs := &caseScanner{}
	c := &cs.c
	// The times through store.TimeDest: a list reads them as text on
	// SQLite (listColsFor).
	cs.dest = append([]any{&c.ID, &c.Code, &c.RegionCode, &c.RegionName, &c.Status, &c.Priority, &cs.summary, &c.Place, &c.IncidentDate,
		&c.LegalBasis, &c.TeamID, &c.TeamName, &c.SupportTeamID, &c.SupportTeam, &c.AssigneeID, &c.Assignee, store.TimeDest{T: &c.ReportedAt},
		store.TimeDest{T: &c.CreatedAt}, store.TimeDest{T: &c.UpdatedAt}, store.NullTimeDest{T: &cs.ver}, store.NullTimeDest{T: &cs.ack},
		store.NullTimeDest{T: &cs.resp}, store.NullTimeDest{T: &cs.closed}, store.NullTimeDest{T: &cs.due}, &c.NextDueKind, &c.Version, &c.KDRT, &cs.typeSet}, extra...)
	return cs
}

// scan reads one row: the case, and its summary still sealed. Every
// destination is written by each row's Scan, so nothing of the row
// before stays.
func (cs *caseScanner) scan(row scanner) (domain.Case, string, error) {
	if err := row.Scan(cs.dest...); err != nil {
		return domain.Case{}, "", err
	}
	c := cs.c // its times are in UTC (store.TimeDest)
	c.VerifiedAt, c.AcknowledgedAt, c.RespondedAt, c.ClosedAt, c.NextDueAt = ptrTime(cs.ver), ptrTime(cs.ack), ptrTime(cs.resp), ptrTime(cs.closed), ptrTime(cs.due)
	c.Types = parseTypeSet(cs.typeSet)
	return c, cs.summary, nil
}

// caseRows is a scan function for rows of caseCols, for sc (its own
// destinations, reused row after row: use it for one query at a time).
func (s *Service) caseRows(sc domain.Scope) func(*sql.Rows) (domain.Case, error) {
	cs := newCaseScanner()
	return func(rows *sql.Rows) (domain.Case, error) {
		c, summary, err := cs.scan(rows)
		if err != nil {
			return c, err
		}
		c.Summary, err = s.st.Reveal(sc, store.FieldCaseSummary, summary, &c.PersonalMasked)
		return c, err
	}
}

// scanCaseRow reads a row of caseCols (and extra columns) with the
// summary still sealed.
func scanCaseRow(row scanner, extra ...any) (domain.Case, string, error) {
	return newCaseScanner(extra...).scan(row)
}

// parseTypeSet reads a case's types from its type_set column (TypeSet's
// sorted ",a,b," form, written in the same transaction as its case_types
// rows): the inbox and the case record need no query of their own for
// them.
func parseTypeSet(s string) []domain.ViolenceType {
	out := []domain.ViolenceType{}
	for t := range strings.SplitSeq(strings.Trim(s, ","), ",") {
		if t != "" {
			out = append(out, domain.ViolenceType(t))
		}
	}
	return out
}

// caseParts says which detail tables hold rows of a case. It is read with
// the case itself, so that a case record skips the queries of its empty
// lists: most cases have no services, referrals, placements, documents,
// changes or transfers yet.
type caseParts struct {
	victims, perpetrators, services, referrals, placements, events, deadlines, reports, changes, documents, transfers bool
}

// casePartsCols are the columns caseParts scans, for a query on cases c.
const casePartsCols = `EXISTS (SELECT 1 FROM victims x WHERE x.case_id = c.id), EXISTS (SELECT 1 FROM perpetrators x WHERE x.case_id = c.id),
	EXISTS (SELECT 1 FROM services x WHERE x.case_id = c.id), EXISTS (SELECT 1 FROM referrals x WHERE x.case_id = c.id),
	EXISTS (SELECT 1 FROM placements x WHERE x.case_id = c.id), EXISTS (SELECT 1 FROM case_events x WHERE x.case_id = c.id),
	EXISTS (SELECT 1 FROM deadlines x WHERE x.subject_type = 'case' AND x.subject_id = c.id),
	EXISTS (SELECT 1 FROM reports x WHERE x.case_id = c.id), EXISTS (SELECT 1 FROM case_changes x WHERE x.case_id = c.id),
	EXISTS (SELECT 1 FROM case_documents x WHERE x.case_id = c.id), EXISTS (SELECT 1 FROM case_transfers x WHERE x.case_id = c.id)`

func (p *caseParts) dest() []any {
	return []any{&p.victims, &p.perpetrators, &p.services, &p.referrals, &p.placements, &p.events, &p.deadlines,
		&p.reports, &p.changes, &p.documents, &p.transfers}
}

// GetCase returns a case with its people, services and timeline.
// Personal fields are filled for scopes that may see them, and that view
// is audited. Authorization: PermViewCases (responders: their teams'
// cases); anything else is not found.
func (s *Service) GetCase(ctx context.Context, sc domain.Scope, id string) (domain.Case, error) {
	return s.getCase(ctx, sc, id, true)
}

func (s *Service) getCase(ctx context.Context, sc domain.Scope, id string, audit bool) (domain.Case, error) {
	// One query reads the case, who handles it and which of its lists
	// have entries; the summary stays sealed until the need-to-know
	// decision.
	where, args := readScope(sc, "c", 2)
	var parts caseParts
	row := s.st.QueryRowContext(ctx, `SELECT `+caseCols+`, `+casePartsCols+caseJoins+` WHERE c.id = $1 AND `+where, append([]any{id}, args...)...)
	c, summary, err := scanCaseRow(row, parts.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Case{}, domain.NotFound("case")
	}
	if err != nil {
		return domain.Case{}, fmt.Errorf("cases: get case: %w", err)
	}
	// Need to know: from here on sc shows personal data only if caseView
	// says so for this case.
	view, err := s.caseView(ctx, s.st, sc, caseHandling{id: c.ID, assignee: c.AssigneeID, team: c.TeamID, support: c.SupportTeamID})
	if err != nil {
		return domain.Case{}, err
	}
	sc.Personal = view.personal
	if c.Summary, err = s.st.Reveal(sc, store.FieldCaseSummary, summary, &c.PersonalMasked); err != nil {
		return c, fmt.Errorf("cases: get case: %w", err)
	}
	if err := s.loadCaseDetails(ctx, sc, &c, parts); err != nil {
		return c, err
	}
	if parts.transfers {
		if err := s.loadTransfer(ctx, sc, &c); err != nil {
			return c, err
		}
	}
	c.AccessRequestable, c.AccessUntil = view.requestable, view.until
	if c.ReadOnly {
		c.AccessRequestable = false
	}
	if audit && sc.Personal && !sc.System {
		detail := "fields=summary,victims,perpetrators,notes,services,referrals,placements"
		if view.until != nil {
			detail += " via=emergency_access"
		}
		if err := s.st.Audit(ctx, sc, "case.view_personal", "case", id, c.RegionCode, detail); err != nil {
			return c, err
		}
	}
	return c, nil
}

// loadCaseDetails fills everything recorded about c, one kind at a time,
// skipping the kinds parts says are empty.
func (s *Service) loadCaseDetails(ctx context.Context, sc domain.Scope, c *domain.Case, parts caseParts) error {
	for _, l := range []struct {
		has  bool
		load func(context.Context, domain.Scope, *domain.Case) error
	}{
		{parts.victims, s.loadVictims}, {parts.perpetrators, s.loadPerpetrators},
		{parts.services, s.loadServices}, {parts.referrals, s.loadReferrals}, {parts.placements, s.loadPlacements},
		{parts.events, s.loadEvents}, {parts.deadlines, s.loadDeadlines}, {parts.reports, s.loadReports},
		{parts.changes, s.loadChanges}, // after loadEvents: it completes the events
		{parts.documents, s.loadDocuments},
	} {
		if !l.has {
			continue
		}
		if err := l.load(ctx, sc, c); err != nil {
			return fmt.Errorf("cases: case details: %w", err)
		}
	}
	return nil
}

// victimRow is one row of loadVictims' query: a victim with one of the
// types of violence they suffered (none: not valid).
type victimRow struct {
	v                              domain.Victim
	name, disability, disabilities string
	typ                            sql.NullString
}

// loadVictims reads c's victims with their types of violence in one query
// (a row per victim and type), and reveals each victim's sealed fields once.
func (s *Service) loadVictims(ctx context.Context, sc domain.Scope, c *domain.Case) error {
	rows, err := store.Rows(ctx, s.st, func(rows *sql.Rows) (victimRow, error) {
		var r victimRow
		var age sql.NullInt64
		err := rows.Scan(&r.v.ID, &r.name, &r.v.Sex, &age, &r.disability, &r.disabilities, &r.v.Education, &r.v.Occupation,
			&r.v.MaritalStatus, &r.v.Place, &r.typ)
		r.v.Age = intPtr(age)
		return r, err
	}, `SELECT v.id, v.name_enc, v.sex, v.age, v.disability_enc, v.disabilities_enc, v.education, v.occupation, v.marital_status,
		v.place, vt.type FROM victims v LEFT JOIN victim_types vt ON vt.victim_id = v.id
		WHERE v.case_id = $1 ORDER BY v.created_at, v.id, vt.type`, c.ID)
	if err != nil {
		return err
	}
	c.Victims = nil
	for _, r := range rows {
		if n := len(c.Victims); n == 0 || c.Victims[n-1].ID != r.v.ID {
			v := r.v
			v.AgeBand, v.Group = domain.AgeBand(v.Age), domain.VictimGroup(v.Age, v.Sex)
			v.Types = []domain.ViolenceType{}
			if v.Name, err = s.st.Reveal(sc, store.FieldVictimName, r.name, &c.PersonalMasked); err != nil {
				return err
			}
			if v.Disability, err = s.st.Reveal(sc, store.FieldVictimDisability, r.disability, &c.PersonalMasked); err != nil {
				return err
			}
			ds, err := s.st.Reveal(sc, store.FieldVictimDisabilities, r.disabilities, &c.PersonalMasked)
			if err != nil {
				return err
			}
			if ds != "" {
				v.Disabilities = strings.Split(ds, ",")
			}
			c.Victims = append(c.Victims, v)
		}
		if r.typ.Valid {
			last := &c.Victims[len(c.Victims)-1]
			last.Types = append(last.Types, domain.ViolenceType(r.typ.String))
		}
	}
	return nil
}

func (s *Service) loadPerpetrators(ctx context.Context, sc domain.Scope, c *domain.Case) error {
	var err error
	c.Perpetrators, err = store.Rows(ctx, s.st, func(rows *sql.Rows) (domain.Perpetrator, error) {
		var p domain.Perpetrator
		var name string
		var age sql.NullInt64
		if err := rows.Scan(&p.ID, &name, &p.Sex, &age, &p.Relation, &p.Education, &p.Occupation); err != nil {
			return p, err
		}
		p.Age = intPtr(age)
		var err error
		p.Name, err = s.st.Reveal(sc, store.FieldPerpetratorName, name, &c.PersonalMasked)
		return p, err
	}, `SELECT id, name_enc, sex, age, relation, education, occupation FROM perpetrators WHERE case_id = $1 ORDER BY created_at, id`, c.ID)
	return err
}

func (s *Service) loadServices(ctx context.Context, sc domain.Scope, c *domain.Case) error {
	var err error
	c.Services, err = store.Rows(ctx, s.st, func(rows *sql.Rows) (domain.Service, error) {
		var sv domain.Service
		var provider, note, outcome string
		if err := rows.Scan(&sv.ID, &sv.VictimID, &sv.Type, &provider, &sv.GivenOn, &sv.EndedOn, &outcome, &note, &sv.CreatedBy); err != nil {
			return sv, err
		}
		var err error
		if sv.Provider, err = s.st.Reveal(sc, store.FieldServiceProvider, provider, &c.PersonalMasked); err != nil {
			return sv, err
		}
		if sv.Outcome, err = s.st.Reveal(sc, store.FieldServiceOutcome, outcome, &c.PersonalMasked); err != nil {
			return sv, err
		}
		sv.Note, err = s.st.Reveal(sc, store.FieldServiceNote, note, &c.PersonalMasked)
		return sv, err
	}, `SELECT id, COALESCE(victim_id, ''), type, provider_enc, given_on, ended_on, outcome_enc, note_enc, created_by FROM services WHERE case_id = $1
		ORDER BY given_on, created_at`, c.ID)
	return err
}

func (s *Service) loadReferrals(ctx context.Context, sc domain.Scope, c *domain.Case) error {
	var err error
	c.Referrals, err = s.readReferrals(ctx, sc, `r.case_id = $1`, []any{c.ID}, `r.referred_on, r.created_at`)
	if err == nil && !sc.Personal && len(c.Referrals) > 0 {
		c.PersonalMasked = true
	}
	return err
}

func (s *Service) loadPlacements(ctx context.Context, sc domain.Scope, c *domain.Case) error {
	var err error
	c.Placements, err = store.Rows(ctx, s.st, func(rows *sql.Rows) (domain.Placement, error) {
		var p domain.Placement
		var place string
		if err := rows.Scan(&p.ID, &p.VictimID, &p.Kind, &place, &p.FromDate, &p.ToDate); err != nil {
			return p, err
		}
		var err error
		p.PlaceName, err = s.st.Reveal(sc, store.FieldPlacementPlace, place, &c.PersonalMasked)
		return p, err
	}, `SELECT id, COALESCE(victim_id, ''), kind, place_name_enc, from_date, to_date FROM placements WHERE case_id = $1
		ORDER BY from_date, created_at`, c.ID)
	return err
}

// loadEvents reads the case's timeline, with the full name of each
// event's actor for a scope that sees personal data.
func (s *Service) loadEvents(ctx context.Context, sc domain.Scope, c *domain.Case) error {
	var err error
	c.Events, err = store.Rows(ctx, s.st, func(rows *sql.Rows) (domain.CaseEvent, error) {
		var e domain.CaseEvent
		var note, name string
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.Kind, &e.FromStatus, &e.ToStatus, &note, &name); err != nil {
			return e, err
		}
		e.At = e.At.UTC()
		var err error
		if sc.Personal && name != "" {
			if e.ActorName, err = s.st.Open(store.FieldUserFullName, name); err != nil {
				return e, err
			}
		}
		e.Note, err = s.st.Reveal(sc, store.FieldCaseEventNote, note, &c.PersonalMasked)
		return e, err
	}, `SELECT e.id, e.at, e.actor, e.kind, e.from_status, e.to_status, e.note_enc, COALESCE(u.full_name_enc, '')
		FROM case_events e LEFT JOIN users u ON u.id = e.actor_id AND e.actor_id <> ''
		WHERE e.case_id = $1 ORDER BY e.at, e.id`, c.ID)
	return err
}

// loadDeadlines reads the case's clocks; a clock is breached when it was
// met late, or is unmet, past due and the case still open.
func (s *Service) loadDeadlines(ctx context.Context, _ domain.Scope, c *domain.Case) error {
	now := s.st.Now()
	var err error
	c.Deadlines, err = store.Rows(ctx, s.st, func(rows *sql.Rows) (domain.Deadline, error) {
		var d domain.Deadline
		var met sql.NullTime
		if err := rows.Scan(&d.ID, &d.Kind, &d.DueAt, &met); err != nil {
			return d, err
		}
		d.DueAt = d.DueAt.UTC()
		d.MetAt = ptrTime(met)
		d.Breached = (d.MetAt == nil && now.After(d.DueAt) && c.Status.Open()) || (d.MetAt != nil && d.MetAt.After(d.DueAt))
		return d, nil
	}, `SELECT id, kind, due_at, met_at FROM deadlines WHERE subject_type = 'case' AND subject_id = $1 ORDER BY due_at`, c.ID)
	return err
}

// loadReports reads the reports the case came from. Who reported is for
// the supervisors who triage, not for everyone working the case (the
// reporter's identity is confidential).
func (s *Service) loadReports(ctx context.Context, sc domain.Scope, c *domain.Case) error {
	var err error
	c.Reports, err = store.Rows(ctx, s.st, func(rows *sql.Rows) (domain.Report, error) {
		r, err := s.scanReport(sc, rows)
		if err != nil {
			return r, err
		}
		if !sc.Can(domain.PermManageCases) {
			if r.ReporterName != "" || r.ContactPhone != "" {
				r.PersonalMasked = true
			}
			r.ReporterName, r.ContactPhone = "", ""
		}
		return r, nil
	}, `SELECT `+s.reportColsFor()+reportJoins+` WHERE r.case_id = $1 ORDER BY r.received_at`, c.ID)
	return err
}

// intPtr is a nullable integer as a pointer.
func intPtr(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	a := int(n.Int64)
	return &a
}
