package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Entering a case, its timeline, and locking it for a change.

// CreateCase enters a case directly (staff). It starts verified and is
// routed at once, unless NeedsReview asks a supervisor to verify it first.
// Authorization: PermManageCases, or PermWorkCases for a case needing
// review; region inside the caller's.
func (s *Service) CreateCase(ctx context.Context, sc domain.Scope, nc domain.NewCase) (domain.Case, error) {
	if !sc.Can(domain.PermManageCases) && !(sc.Can(domain.PermWorkCases) && nc.NeedsReview) {
		return domain.Case{}, domain.E(domain.EForbidden, "case.err.forbidden_enter")
	}
	var id string
	err := s.st.InTx(ctx, func(tx *store.Tx) error {
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
func (s *Service) createCase(ctx context.Context, tx *store.Tx, sc domain.Scope, nc domain.NewCase) (string, error) {
	if err := validateCase(&nc); err != nil {
		return "", err
	}
	if !sc.Contains(nc.RegionCode) {
		return "", domain.InvalidFields(domain.FieldErrors{"region_code": domain.M("case.field.region_outside")})
	}
	if err := s.regionExists(ctx, tx, nc.RegionCode); err != nil {
		return "", err
	}
	now := tx.Now()
	if nc.ReportedAt.IsZero() || nc.ReportedAt.After(now) {
		nc.ReportedAt = now
	}
	nc.ReportedAt = nc.ReportedAt.UTC().Truncate(time.Microsecond)
	summary, err := s.st.Seal(store.FieldCaseSummary, nc.Summary)
	if err != nil {
		return "", err
	}
	id := tx.NewID()
	status := domain.StatusVerified
	var verifiedAt any = now
	if nc.NeedsReview {
		status, verifiedAt = domain.StatusNew, nil
	}
	for attempt := 0; ; attempt++ {
		code := domain.NewPublicCode()
		_, err = tx.ExecContext(ctx, `INSERT INTO cases (id, code, region_code, status, priority, summary_enc, place, incident_date,
			legal_basis, reported_at, created_at, updated_at, verified_at, kdrt) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
			id, code, nc.RegionCode, string(status), string(nc.Priority), summary, nc.Place, nc.IncidentDate, nc.LegalBasis,
			nc.ReportedAt, now, now, verifiedAt, nc.KDRT)
		if err == nil {
			break
		}
		if store.IsUniqueViolation(err) && strings.Contains(err.Error(), "code") && attempt < 5 {
			continue
		}
		return "", fmt.Errorf("cases: create case: %w", err)
	}
	for _, t := range nc.Types {
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_types (case_id, type) VALUES ($1, $2)`, id, string(t)); err != nil {
			return "", fmt.Errorf("cases: case types: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET type_set = $1 WHERE id = $2`, TypeSet(nc.Types), id); err != nil {
		return "", fmt.Errorf("cases: case types: %w", err)
	}
	for _, v := range nc.Victims {
		if _, err := s.insertVictim(ctx, tx, id, v); err != nil {
			return "", err
		}
	}
	if err := s.caseEvent(ctx, tx, sc, id, "created", "", status, ""); err != nil {
		return "", err
	}
	if err := addCaseDeadlines(ctx, tx, id, nc.ReportedAt, nc.Priority, nc.Types); err != nil {
		return "", err
	}
	if err := tx.Audit(ctx, sc, "case.create", "case", id, nc.RegionCode, "status="+string(status)); err != nil {
		return "", err
	}
	if status == domain.StatusVerified {
		if err := s.routeCase(ctx, tx, id, nc.RegionCode); err != nil {
			return "", err
		}
	}
	return id, nil
}

// insertVictim adds a victim with its types to a case inside tx.
func (s *Service) insertVictim(ctx context.Context, tx *store.Tx, caseID string, v domain.Victim) (string, error) {
	if err := validateVictim(&v); err != nil {
		return "", err
	}
	name, err := s.st.Seal(store.FieldVictimName, v.Name)
	if err != nil {
		return "", err
	}
	disability, err := s.st.Seal(store.FieldVictimDisability, v.Disability)
	if err != nil {
		return "", err
	}
	disabilities, err := s.st.Seal(store.FieldVictimDisabilities, strings.Join(v.Disabilities, ","))
	if err != nil {
		return "", err
	}
	id := tx.NewID()
	var age any
	if v.Age != nil {
		age = *v.Age
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO victims (id, case_id, name_enc, sex, age, disability_enc, disabilities_enc, education,
		occupation, marital_status, place, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`, id, caseID, name, string(v.Sex),
		age, disability, disabilities, v.Education, v.Occupation, v.MaritalStatus, v.Place, tx.Now()); err != nil {
		return "", fmt.Errorf("cases: add victim: %w", err)
	}
	if err := tx.IndexNewNames(ctx, store.NamesVictims, id, v.Name); err != nil { // a new row: kept with the next statement
		return "", err
	}
	seen := map[domain.ViolenceType]bool{}
	for _, t := range v.Types {
		if seen[t] {
			continue
		}
		seen[t] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO victim_types (victim_id, type) VALUES ($1, $2)`, id, string(t)); err != nil {
			return "", fmt.Errorf("cases: victim types: %w", err)
		}
	}
	return id, nil
}

// caseEvent appends a line to a case's timeline.
func (s *Service) caseEvent(ctx context.Context, tx *store.Tx, sc domain.Scope, caseID, kind string, from, to domain.CaseStatus, note string) error {
	enc, err := s.st.Seal(store.FieldCaseEventNote, note)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO case_events (id, case_id, at, actor_id, actor, kind, from_status, to_status, note_enc)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`, tx.NewID(), caseID, tx.Now(), sc.UserID, sc.Actor(), kind, string(from), string(to), enc)
	if err != nil {
		return fmt.Errorf("cases: case event: %w", err)
	}
	return nil
}

// lockedCase is what a change reads of a case inside its transaction.
type lockedCase struct {
	status                  domain.CaseStatus
	responded               bool
	region                  string
	assignee, team, support sql.NullString
	version                 int
	code                    string
}

// lockCase reads a case inside tx if sc may see it (on PostgreSQL locking
// its row until the transaction ends).
func (s *Service) lockCase(ctx context.Context, tx *store.Tx, sc domain.Scope, id string) (lockedCase, error) {
	where, args := caseScope(sc, "c", 2)
	var lc lockedCase
	q := `SELECT c.status, c.region_code, c.assignee_id, c.team_id, c.support_team_id, c.version, c.code, c.responded_at
		FROM cases c WHERE c.id = $1 AND ` + where
	if s.st.Dialect() == store.Postgres {
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
		return lc, fmt.Errorf("cases: case: %w", err)
	}
	return lc, nil
}

// TypeSet is the searchable form of a case's types: ",neglect,physical,".
// Pure: anyone may call it.
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

// caseTypes reads a case's types inside tx.
func caseTypes(ctx context.Context, tx *store.Tx, id string) ([]domain.ViolenceType, error) {
	out, err := store.Rows(ctx, tx, func(rows *sql.Rows) (domain.ViolenceType, error) {
		var t domain.ViolenceType
		err := rows.Scan(&t)
		return t, err
	}, `SELECT type FROM case_types WHERE case_id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("cases: case types: %w", err)
	}
	return out, nil
}

// CaseCounts counts cases visible to sc by status, and the open ones, the
// overdue ones and those due within two hours (for the inbox).
//
// The counts by status come from case_tallies (kept by triggers with every
// case write, migrations 0029 and 0038): the region's own row for each
// status, where every case counts under its region and each region above
// it, instead of its hundreds of thousands of cases on every page view. Overdue and due
// soon read the cases with a running clock through their index, which only
// open cases are in. A responder, who sees only the cases handled by them
// or their teams, counts those cases themselves.
// Authorization: PermViewCases (others count nothing).
func (s *Service) CaseCounts(ctx context.Context, sc domain.Scope) (map[string]int, error) {
	if !sc.Can(domain.PermViewCases) {
		return map[string]int{}, nil
	}
	now := s.st.Now()
	out := map[string]int{}
	type count struct {
		status string
		total  int
	}
	scanCount := func(rows *sql.Rows) (count, error) {
		var c count
		err := rows.Scan(&c.status, &c.total)
		return c, err
	}
	add := func(c count) {
		if c.total == 0 {
			return
		}
		out[c.status] = c.total
		if domain.CaseStatus(c.status).Open() {
			out["open"] += c.total
		}
	}
	where, args := s.inboxScope(sc, "c", 1)
	args = append(args, now, now.Add(2*time.Hour))
	n := len(args)
	// The clocks are counted by conditional sums. On PostgreSQL they run
	// over every running clock of the scope (bounded: open cases awaiting
	// a step, in the partial index cases_due_open), without a range on the
	// times: with the times in the WHERE clause it planned the statement
	// again at every view (a custom plan for each pair of times: 0.36 ms
	// of bind a view at 200,000 cases); as values only, its generic plan
	// is as good. SQLite plans nothing ahead, and the range keeps its walk
	// of the index to the clocks due soon (0.24 against 0.33 ms).
	due := fmt.Sprintf(`SUM(CASE WHEN c.next_due_at < $%d THEN 1 ELSE 0 END), SUM(CASE WHEN c.next_due_at < $%d THEN 1 ELSE 0 END)
		FROM cases c WHERE %s AND c.next_due_at IS NOT NULL`, n, n-1, where)
	if s.st.Dialect() != store.Postgres {
		due += fmt.Sprintf(` AND c.next_due_at < $%d`, n)
	}
	var overdue, soon int64
	if sc.Role == domain.RoleResponder && !sc.System {
		byStatus, err := store.Rows(ctx, s.st, scanCount, `SELECT c.status, COUNT(*) FROM cases c WHERE `+where+` GROUP BY c.status`, args[:n-2]...)
		if err != nil {
			return nil, fmt.Errorf("cases: case counts: %w", err)
		}
		for _, c := range byStatus {
			add(c)
		}
		var k, o sql.NullInt64
		if err := s.st.QueryRowContext(ctx, `SELECT `+due, args...).Scan(&k, &o); err != nil {
			return nil, fmt.Errorf("cases: case counts: %w", err)
		}
		soon, overdue = k.Int64, o.Int64
	} else {
		// One statement, one round trip: the tallies by status, then one
		// row (status NULL) of the running clocks, due soon and overdue.
		// The tallies' region condition takes the scope's first argument,
		// the region (none when it is written into the SQL): the region's
		// own tally rows, one per status.
		tw, _ := s.tallyScope(sc.RegionCode, nil)
		rows, err := s.st.QueryContext(ctx, `SELECT t.status, SUM(t.n), 0 FROM case_tallies t WHERE `+tw+` GROUP BY t.status
			UNION ALL SELECT NULL, `+due, args...)
		if err != nil {
			return nil, fmt.Errorf("cases: case counts: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var st sql.NullString
			var k, o sql.NullInt64
			if err := rows.Scan(&st, &k, &o); err != nil {
				return nil, fmt.Errorf("cases: case counts: %w", err)
			}
			if st.Valid {
				add(count{st.String, int(k.Int64)})
			} else {
				soon, overdue = k.Int64, o.Int64
			}
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("cases: case counts: %w", err)
		}
	}
	out["overdue"] = int(overdue)
	out["soon"] = int(soon - overdue)
	return out, nil
}
