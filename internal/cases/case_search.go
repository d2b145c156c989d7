package cases

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Searching the inbox. The search box takes a case code, the code of any
// report verified or merged into the case (the code the reporter was
// given), a phone number of a reporter (through its lookup hash), or a
// child's or reporter's name (through the blind name index, store/names.go:
// "siti" finds "Siti Rahmawati", "rahma" finds "Rahmawati"). Names and
// phones are personal: only those who may see personal data search by
// them, and only among the cases whose personal data they see (those they
// handle, or all of the region's for those who manage cases); every such
// search is audited without its text.

// queryMatch is a search query resolved to what SQL can compare.
type queryMatch struct {
	kind  string   // "code", "phone", "name", or "" (nothing to match)
	code  string   // a normalised public code
	phone string   // the phone's lookup hash
	names []string // name-token hashes, all of which must match
	// ids are the cases the name matches, read once when there are few
	// enough to pass as parameters (resolved: the inbox's queries then
	// probe a list instead of computing the set each).
	ids      []string
	resolved bool
}

// maxResolvedIDs is the most case ids a name search passes as parameters.
var maxResolvedIDs = 5000

// resolveNames reads the cases m's name tokens match, once, unless there
// are more than maxResolvedIDs (then each query computes the set).
func (s *Service) resolveNames(ctx context.Context, m *queryMatch) error {
	if m.kind != "name" {
		return nil
	}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	q := nameSet(m.names, arg) + " LIMIT " + strconv.Itoa(maxResolvedIDs+1)
	ids, err := store.Rows(ctx, s.st, func(rs *sql.Rows) (string, error) {
		var id string
		return id, rs.Scan(&id)
	}, "SELECT case_id FROM ("+q+") ids", args...)
	if err != nil {
		return fmt.Errorf("cases: search names: %w", err)
	}
	if len(ids) <= maxResolvedIDs && len(ids)+50 < s.st.MaxParams() {
		m.ids, m.resolved = ids, true
	}
	return nil
}

// nameSet is the SQL set of case ids matching every name token hash.
func nameSet(names []string, arg func(any) string) string {
	var sets []string
	for i, h := range names {
		p := arg(h)
		sets = append(sets, "SELECT case_id FROM (SELECT v.case_id FROM name_tokens t JOIN victims v ON v.id = t.row_id"+
			" WHERE t.source = 'victims' AND t.token = "+p+" UNION SELECT r.case_id FROM name_tokens t JOIN reports r ON r.id = t.row_id"+
			" WHERE t.source = 'reports' AND t.token = "+p+" AND r.case_id IS NOT NULL) n"+strconv.Itoa(i))
	}
	return strings.Join(sets, " INTERSECT ")
}

// queryMatch resolves q: a public code, a phone number, else a name.
func (s *Service) queryMatch(sc domain.Scope, q string) queryMatch {
	q = strings.TrimSpace(q)
	if code, ok := domain.NormalizePublicCode(q); ok {
		return queryMatch{kind: "code", code: code}
	}
	if !NameSearchAllowed(sc) {
		return queryMatch{}
	}
	if looksLikePhone(q) {
		if p, ok := domain.NormalizePhone(q); ok {
			return queryMatch{kind: "phone", phone: s.st.LookupHash(store.HashPhone, p)}
		}
		return queryMatch{}
	}
	if names := s.st.NameQuery(q); len(names) > 0 && len(names) <= 5 {
		return queryMatch{kind: "name", names: names}
	}
	return queryMatch{}
}

// NameSearchAllowed reports whether sc may search cases by name or phone:
// only roles that may see personal data.
func NameSearchAllowed(sc domain.Scope) bool { return sc.System || sc.Personal }

// looksLikePhone: at least 8 digits and nothing but digits, spaces, dashes,
// dots, brackets and a leading plus.
func looksLikePhone(q string) bool {
	digits := 0
	for i, r := range q {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || (r == '+' && i == 0):
		default:
			return false
		}
	}
	return digits >= 8
}

// condition is the SQL condition of m on cases c (arguments through arg).
func (m queryMatch) condition(sc domain.Scope, now time.Time, arg func(any) string) string {
	switch m.kind {
	case "code":
		// One set of ids, not an OR: the database reads the two unique
		// code indexes instead of scanning the cases.
		p := arg(m.code)
		return "c.id IN (SELECT x.id FROM cases x WHERE x.code = " + p + " UNION SELECT r.case_id FROM reports r WHERE r.code = " + p +
			" AND r.case_id IS NOT NULL)"
	case "phone":
		return "c.id IN (SELECT r.case_id FROM reports r WHERE r.contact_phone_hash = " + arg(m.phone) + " AND r.case_id IS NOT NULL)" +
			handledBy(sc, now, arg)
	case "name":
		// One set of case ids per query token (its children and its
		// reporters), intersected; read once beforehand when small.
		if !m.resolved {
			return "c.id IN (" + nameSet(m.names, arg) + ")" + handledBy(sc, now, arg)
		}
		if len(m.ids) == 0 {
			return "1=0"
		}
		ph := make([]string, len(m.ids))
		for i, id := range m.ids {
			ph[i] = arg(id)
		}
		return "c.id IN (" + strings.Join(ph, ",") + ")" + handledBy(sc, now, arg)
	}
	return "1=0"
}

// handledBy narrows a personal search to the cases whose personal data sc
// sees (caseView's rule in SQL): all of them for lindu itself and those
// who manage cases; else those sc leads, whose teams sc is in, or to
// which sc holds an unexpired emergency access.
func handledBy(sc domain.Scope, now time.Time, arg func(any) string) string {
	if sc.System || sc.Can(domain.PermManageCases) {
		return ""
	}
	u := arg(sc.UserID)
	return " AND (c.assignee_id = " + u + " OR c.team_id IN (SELECT team_id FROM team_members WHERE user_id = " + u +
		") OR c.support_team_id IN (SELECT team_id FROM team_members WHERE user_id = " + u +
		") OR c.id IN (SELECT case_id FROM case_access_grants WHERE user_id = " + u + " AND expires_at > " + arg(now) + "))"
}

// auditSearch records a search by name or phone: its kind and how many
// cases it found, never its text.
func (s *Service) auditSearch(ctx context.Context, sc domain.Scope, m queryMatch, found int) error {
	if m.kind != "name" && m.kind != "phone" {
		return nil
	}
	return s.st.Audit(ctx, sc, "case.search_"+m.kind, "case", "", sc.RegionCode, "results="+strconv.Itoa(found))
}
