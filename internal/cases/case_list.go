package cases

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// The inbox: cases a caller may see, filtered, most urgent first.

// CountCap is where case totals stop counting exactly.
const CountCap = 1000

// ListCases lists cases visible to sc with the inbox filters, most urgent
// first (next deadline, then newest), without personal fields. The total is
// exact up to CountCap and capped beyond it. Authorization: PermViewCases.
func (s *Service) ListCases(ctx context.Context, sc domain.Scope, f domain.CaseFilter) ([]domain.Case, int, error) {
	return s.listCases(ctx, sc, f, false)
}

// ListCasesCounted is ListCases and CaseCounts together, as the inbox
// shows them, read at once on two connections (each is a round trip to
// the database or more; one after the other they were most of an inbox
// view). When the filter is one the tallies answer for the whole of sc's
// region (open or one status alone, the first page's), the total comes
// from the counts instead of a second read of the tallies.
func (s *Service) ListCasesCounted(ctx context.Context, sc domain.Scope, f domain.CaseFilter) ([]domain.Case, int, map[string]int, error) {
	counted := f.RegionCode == "" && tallied(sc, f)
	var counts map[string]int
	var list []domain.Case
	var total int
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		counts, err = s.CaseCounts(gctx, sc)
		return err
	})
	g.Go(func() (err error) {
		list, total, err = s.listCases(gctx, sc, f, counted)
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, 0, nil, err
	}
	if counted {
		switch {
		case f.Status != "":
			total = counts[string(f.Status)]
		case f.OpenOnly:
			total = counts["open"]
		default:
			total = 0
			for _, st := range domain.CaseStatuses {
				total += counts[string(st)]
			}
		}
		total = min(total, CountCap+1)
	}
	return list, total, counts, nil
}

// listCases is ListCases; counted says the caller finds the total
// itself (from the tallies): the total returned is then 0.
func (s *Service) listCases(ctx context.Context, sc domain.Scope, f domain.CaseFilter, counted bool) ([]domain.Case, int, error) {
	if !sc.Can(domain.PermViewCases) {
		return nil, 0, domain.E(domain.EForbidden, "case.err.forbidden_view")
	}
	m := s.queryMatch(sc, f.Query)
	if err := s.resolveNames(ctx, &m); err != nil {
		return nil, 0, err
	}
	w, args := s.caseFilter(sc, f, m, s.st.Now())
	// Counting a million closed cases on every page view would cost more
	// than it tells.
	var total int
	ok := counted
	if !ok {
		var err error
		if total, ok, err = s.tallyTotal(ctx, sc, f); err != nil {
			return nil, 0, err
		}
	}
	if !ok {
		if err := s.st.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM cases c WHERE `+w+
			` LIMIT `+strconv.Itoa(CountCap+1)+`) x`, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("cases: count cases: %w", err)
		}
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	offset := max(f.Offset, 0)
	out, err := s.listOrdered(ctx, sc, w, args, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	if f.Query != "" && offset == 0 {
		if err := s.auditSearch(ctx, sc, m, total); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// tallyTotal is ListCases' total (capped at CountCap+1) read from the
// case tallies, for the filters they answer: region and open or status
// alone, the inbox's first page. ok is false for other filters, and for
// responders, who see only their teams' cases.
func (s *Service) tallyTotal(ctx context.Context, sc domain.Scope, f domain.CaseFilter) (int, bool, error) {
	if !tallied(sc, f) {
		return 0, false, nil
	}
	// The tallies count each case under its region and every region
	// above it: the total of a region filter inside the caller's region is
	// that region's row, and one outside it counts nothing.
	region := sc.RegionCode
	if f.RegionCode != "" {
		switch {
		case domain.RegionWithin(f.RegionCode, region):
			region = f.RegionCode
		case !domain.RegionWithin(region, f.RegionCode):
			return 0, true, nil
		}
	}
	where, args := s.tallyScope(region, nil)
	switch {
	case f.Status != "":
		args = append(args, string(f.Status))
		where += " AND t.status = $" + strconv.Itoa(len(args))
	case f.OpenOnly:
		args = append(args, string(domain.StatusClosed))
		where += " AND t.status <> $" + strconv.Itoa(len(args))
	}
	var n sql.NullInt64
	if err := s.st.QueryRowContext(ctx, `SELECT SUM(t.n) FROM case_tallies t WHERE `+where, args...).Scan(&n); err != nil {
		return 0, false, fmt.Errorf("cases: count cases: %w", err)
	}
	return min(int(n.Int64), CountCap+1), true, nil
}

// tallyScope is the condition limiting case_tallies (alias t) to the
// rows that count region's cases, with its arguments numbered after args:
// the region's own rows (each case counts under its region and every
// region above it, migration 0038), or the provinces' for the whole
// country (region ""). On PostgreSQL the region is written into the SQL
// (store.ScopeLiteral's reasons; only a valid code goes there).
func (s *Service) tallyScope(region string, args []any) (string, []any) {
	if region == "" {
		return "length(t.region_code) = 2", nil
	}
	if s.st.Dialect() == store.Postgres && domain.ValidRegionCode(region) {
		return "t.region_code = '" + region + "'", nil
	}
	return "t.region_code = $" + strconv.Itoa(len(args)+1), []any{region}
}

// tallied reports whether the case tallies answer f's total for sc.
func tallied(sc domain.Scope, f domain.CaseFilter) bool {
	return !(sc.Role == domain.RoleResponder && !sc.System) && sc.Can(domain.PermViewCases) && f.Due == "" && f.Type == "" &&
		f.AssigneeID == "" && f.TeamID == "" && f.Priority == "" && f.Query == ""
}

// ExportCases lists up to max cases visible to sc with the inbox filters,
// in the inbox's order, without personal fields, for an export: the cases
// with a running clock and then the others, each in one index-ordered read
// (paging by OFFSET would re-read every earlier row for every page: at
// 100,000 rows that took minutes). cut reports that there were more.
// Authorization: PermViewCases.
func (s *Service) ExportCases(ctx context.Context, sc domain.Scope, f domain.CaseFilter, max int) ([]domain.Case, bool, error) {
	if !sc.Can(domain.PermViewCases) {
		return nil, false, domain.E(domain.EForbidden, "case.err.forbidden_view")
	}
	s = s.bulk()
	m := s.queryMatch(sc, f.Query)
	if err := s.resolveNames(ctx, &m); err != nil {
		return nil, false, err
	}
	w, args := s.caseFilter(sc, f, m, s.st.Now())
	out, err := s.listOrdered(ctx, sc, w, args, max+1, 0)
	if err != nil {
		return nil, false, err
	}
	if f.Query != "" {
		if err := s.auditSearch(ctx, sc, m, min(len(out), CountCap+1)); err != nil {
			return nil, false, err
		}
	}
	if len(out) > max {
		return out[:max], true, nil
	}
	return out, false, nil
}

// listOrdered reads limit cases matching w from offset in the inbox's
// order: cases with a running clock first, earliest deadline first (read
// through the next_due_at index); then the others, newest first (read
// through the reported_at index). Two queries keep both index-ordered.
// The second runs only when the first did not fill the page, and how many
// cases have a running clock is counted only when the page starts past
// all of them: a supervisor's inbox has thousands, and counting them on
// every view cost more than the page.
func (s *Service) listOrdered(ctx context.Context, sc domain.Scope, w string, args []any, limit, offset int) ([]domain.Case, error) {
	read := s.caseRows(withoutPersonal(sc))
	scan := func(rows *sql.Rows) (domain.Case, error) {
		c, err := read(rows)
		c.PersonalMasked = false
		return c, err
	}
	const order = ` ORDER BY c.next_due_at, c.id`
	pick := ` WHERE ` + w + ` AND c.next_due_at IS NOT NULL` + order + ` LIMIT ` + strconv.Itoa(limit) + ` OFFSET ` + strconv.Itoa(offset)
	q := `SELECT ` + s.listColsFor() + listJoins + pick
	if s.st.Dialect() == store.Postgres {
		// The page's ids first, then its cases and their names. Joined
		// before the LIMIT, PostgreSQL looked up the names (then the
		// region's too, now filled from memory: nameRegions), teams and
		// assignee of every open case with a running clock of the region
		// (313 in the regency of the benchmark) for a page of 50, 2.0 ms
		// against 0.5 ms. Picking whole rows, it read all 313 from the
		// table and sorted them (0.95 ms); picking ids, it reads them in
		// order from the deadline index, which holds the region and
		// closed_at, and stops at the page's end (0.5 ms; 0.5 -> 0.33 ms
		// for a district). SQLite walks the deadline index in order and
		// joins only the rows it keeps; the subquery form cost it a sort.
		page := `(SELECT c.id FROM cases c` + pick + `) p JOIN cases c ON c.id = p.id`
		q = `SELECT ` + s.listColsFor() + strings.Replace(listJoins, "cases c", page, 1) + order
	}
	// Room for the page (a Case is large: grown by doubling, its rows
	// were copied and allocated about three times over).
	out, err := store.AppendRows(ctx, s.st, make([]domain.Case, 0, min(limit, 200)), scan, q, args...)
	if err != nil {
		return nil, fmt.Errorf("cases: list cases: %w", err)
	}
	rest := limit - len(out)
	if rest <= 0 {
		return out, s.nameRegions(ctx, out)
	}
	// The cases with a running clock end on this page, or before it.
	dueCount := offset + len(out)
	if len(out) == 0 && offset > 0 {
		if err := s.st.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM cases c WHERE `+w+` AND c.next_due_at IS NOT NULL
			LIMIT `+strconv.Itoa(offset)+`) x`, args...).Scan(&dueCount); err != nil {
			return nil, fmt.Errorf("cases: count cases: %w", err)
		}
	}
	// The page's ids first, from the index of these cases (it holds the
	// region): joined and sorted at once, SQLite chose to read and sort
	// every open case of a district for one page.
	ids := `SELECT c.id FROM cases c WHERE ` + w + ` AND c.next_due_at IS NULL
		ORDER BY c.reported_at DESC, c.id DESC LIMIT ` + strconv.Itoa(rest) + ` OFFSET ` + strconv.Itoa(max(0, offset-dueCount))
	out, err = s.pageByIDs(ctx, out, scan, ids, args)
	if err != nil {
		return nil, fmt.Errorf("cases: list cases: %w", err)
	}
	return out, s.nameRegions(ctx, out)
}

// nameRegions fills the village names of a list's cases (listCols leaves
// them out).
func (s *Service) nameRegions(ctx context.Context, list []domain.Case) error {
	if len(list) == 0 {
		return nil
	}
	codes := make([]string, len(list))
	for i := range list {
		codes[i] = list[i].RegionCode
	}
	names, err := s.st.RegionNames(ctx, codes)
	if err != nil {
		return fmt.Errorf("cases: list cases: %w", err)
	}
	for i := range list {
		list[i].RegionName = names[list[i].RegionCode]
	}
	return nil
}

// pageByIDs reads the cases whose ids the query ids selects (with args),
// newest first. SQLite runs it as one query. PostgreSQL runs the ids
// query and then reads the cases by id: it planned a statement whose
// region condition is a LIKE of a parameter anew at every run (the
// pattern decides the plan), and planning the joined form took about 1 ms
// of every inbox view against 0.15 ms for the ids alone; the read by id
// is planned once (generic plan) for each page size. (The inbox now
// writes its region into the SQL, store.ScopeLiteral, and the ids query
// keeps one plan per region; other callers may still pass it.)
func (s *Service) pageByIDs(ctx context.Context, out []domain.Case, scan func(*sql.Rows) (domain.Case, error), ids string, args []any) ([]domain.Case, error) {
	const order = ` ORDER BY c.reported_at DESC, c.id DESC`
	if s.st.Dialect() != store.Postgres {
		page := `(` + ids + `) x JOIN cases c ON c.id = x.id`
		return store.AppendRows(ctx, s.st, out, scan, `SELECT `+s.listColsFor()+strings.Replace(listJoins, "cases c", page, 1)+order, args...)
	}
	found, err := store.Rows(ctx, s.st, scanString, ids, args...)
	if err != nil || len(found) == 0 {
		return out, err
	}
	// In reads of at most idsPerRead ids: a statement takes at most
	// 65,535 parameters, and an export reads up to 100,000 cases (it
	// failed there). Each read is in the ids' order, so the reads follow
	// one another in it.
	for len(found) > 0 {
		n := min(len(found), idsPerRead)
		ph := make([]string, n)
		byID := make([]any, n)
		for i, id := range found[:n] {
			ph[i], byID[i] = "$"+strconv.Itoa(i+1), id
		}
		found = found[n:]
		if out, err = store.AppendRows(ctx, s.st, out, scan, `SELECT `+s.listColsFor()+listJoins+` WHERE c.id IN (`+strings.Join(ph, ",")+`)`+order, byID...); err != nil {
			return out, err
		}
	}
	return out, nil
}

// idsPerRead is how many cases pageByIDs reads by id in one statement.
var idsPerRead = 1000

// caseFilter is the SQL condition of the inbox filters for sc, with its
// arguments.
func (s *Service) caseFilter(sc domain.Scope, f domain.CaseFilter, m queryMatch, now time.Time) (string, []any) {
	where, args := s.inboxScope(sc, "c", 1)
	conds := []string{where}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
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
	if lit, ok := s.st.ScopeLiteral("c.region_code", f.RegionCode); ok && f.RegionCode != "" {
		conds = append(conds, lit)
	} else if f.RegionCode != "" {
		c, a := store.ScopeClause("c.region_code", f.RegionCode, len(args)+1)
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
		conds = append(conds, m.condition(sc, now, arg))
	}
	return strings.Join(conds, " AND "), args
}
