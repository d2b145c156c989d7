package cases

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// DuplicateCandidate is an existing case that may describe the same events
// as a report.
type DuplicateCandidate struct {
	Case  domain.Case `json:"case"`
	Score float64     `json:"score"` // 0..1
	Why   []string    `json:"why"`
}

// dupCandidate is a case near a report in place and time.
type dupCandidate struct {
	id, region, summary string
	at                  time.Time
	h                   caseHandling
}

// SuggestDuplicates lists open or recent cases that may be the same as the
// report: same village (or district), reported within 30 days, similar
// words. The candidates carry no personal data, but comparing words reads
// the report's description and the summaries of the cases the caller may
// see: that read is audited. Authorization: PermManageCases.
func (s *Service) SuggestDuplicates(ctx context.Context, sc domain.Scope, reportID string) ([]DuplicateCandidate, error) {
	if !sc.Can(domain.PermManageCases) {
		return nil, domain.NotFound("report")
	}
	rep, err := s.reportNoAudit(ctx, sc, reportID)
	if err != nil {
		return nil, err
	}
	cands, err := s.casesNear(ctx, sc, rep)
	if err != nil {
		return nil, err
	}
	words := wordSet(rep.Description)
	compared := 0
	var out []DuplicateCandidate
	for _, c := range cands {
		var why []string
		score := 0.0
		if c.region == rep.RegionCode {
			score += 0.4
			why = append(why, "same_village")
		} else {
			score += 0.15
			why = append(why, "same_district")
		}
		age := rep.ReceivedAt.Sub(c.at.UTC())
		if age < 0 {
			age = -age
		}
		if age < 72*time.Hour {
			score += 0.2
			why = append(why, "within_3_days")
		}
		view, err := s.caseView(ctx, s.st, sc, c.h)
		if err != nil {
			return nil, err
		}
		if view.personal && c.summary != "" {
			compared++
			text, err := s.st.Open(store.FieldCaseSummary, c.summary)
			if err == nil {
				if j := jaccard(words, wordSet(text)); j > 0.1 {
					score += 0.4 * min(1, j*2)
					why = append(why, fmt.Sprintf("similar_text_%d", int(j*100)))
				}
			}
		}
		if score < 0.3 {
			continue
		}
		cs, err := s.getCase(ctx, withoutPersonal(sc), c.id, false)
		if err != nil {
			continue
		}
		out = append(out, DuplicateCandidate{Case: cs, Score: score, Why: why})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	if len(out) > 5 {
		out = out[:5]
	}
	if sc.Personal && !sc.System {
		// Which cases were put beside the report, by id (no personal data),
		// so an auditor can follow up what was shown.
		ids := make([]string, len(out))
		for i, d := range out {
			ids[i] = d.Case.ID
		}
		if err := s.st.Audit(ctx, sc, "report.duplicates", "report", reportID, rep.RegionCode,
			fmt.Sprintf("fields=description,case_summaries compared=%d suggested=%d cases=%s", compared, len(out),
				strings.Join(ids, ","))); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// casesNear lists the cases sc may see in the report's district (or its
// village's district), reported from 30 days before to a day after it.
func (s *Service) casesNear(ctx context.Context, sc domain.Scope, rep domain.Report) ([]dupCandidate, error) {
	district := rep.RegionCode
	if domain.RegionLevelOf(district) == domain.LevelVillage {
		district = domain.ParentRegionCode(district)
	}
	where, args := caseScope(sc, "c", 1)
	near, nargs := store.ScopeClause("c.region_code", district, len(args)+1)
	args = append(append(args, nargs...), rep.ReceivedAt.Add(-30*24*time.Hour), rep.ReceivedAt.Add(24*time.Hour))
	n := len(args)
	cands, err := store.Rows(ctx, s.st, func(rows *sql.Rows) (dupCandidate, error) {
		var c dupCandidate
		err := rows.Scan(&c.id, &c.region, &c.summary, &c.at, &c.h.assignee, &c.h.team, &c.h.support)
		c.h.id = c.id
		return c, err
	}, `SELECT c.id, c.region_code, c.summary_enc, c.reported_at, COALESCE(c.assignee_id, ''),
		COALESCE(c.team_id, ''), COALESCE(c.support_team_id, '') FROM cases c WHERE `+where+
		` AND `+near+fmt.Sprintf(` AND c.reported_at >= $%d AND c.reported_at <= $%d`, n-1, n)+
		` ORDER BY c.reported_at DESC LIMIT 50`, args...)
	if err != nil {
		return nil, fmt.Errorf("cases: duplicates: %w", err)
	}
	return cands, nil
}

// wordSet is the set of lower-case words of 3+ letters in s.
func wordSet(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if utf8.RuneCountInString(w) >= 3 {
			out[w] = true
		}
	}
	return out
}

// jaccard is the share of words two sets have in common.
func jaccard(a, b map[string]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	inter := 0
	for w := range a {
		if b[w] {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}
