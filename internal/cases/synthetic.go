package cases

import (
	"context"
	"fmt"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Synthetic cases for benchmarks and large demo databases (lindu demo
// generate): written in bulk, without timeline, routing or messages.

// SyntheticCase is one generated case.
type SyntheticCase struct {
	RegionCode  string
	Status      domain.CaseStatus
	Priority    domain.Priority
	Types       []domain.ViolenceType
	Summary     string
	ReportedAt  time.Time
	AckAt       *time.Time
	RespondedAt *time.Time
	ClosedAt    *time.Time
	VictimAge   int
	VictimSex   domain.Sex
	// TeamID and SupportTeamID route the case ("" for none), as the
	// routing of a verified case does: its village's taskforce, with its
	// district's team in support.
	TeamID, SupportTeamID string
	// Channel is how the report the case came from arrived.
	Channel domain.Channel
}

// SyntheticReport is a generated report still waiting for triage.
type SyntheticReport struct {
	RegionCode  string
	Channel     domain.Channel
	Description string
	ReceivedAt  time.Time
}

// syntheticRows are the rows of a batch of synthetic cases, per table.
type syntheticRows struct {
	cases, types, victims, deadlines, reports [][]any
}

// InsertSyntheticCases writes generated cases in bulk (multi-row inserts,
// one transaction per call): the case, its types, one victim, its two
// clocks and the report it came from (verified, as triage leaves it), and
// the reports still waiting for triage (news, without their triage clocks:
// the escalation of generated reports would be noise in a benchmark). No
// timeline, routing or messages. Case codes are 9xxxxxxx + check digit from
// firstSeq on, the reports' 8xxxxxxx (a case's) and 7xxxxxxx (one waiting)
// + check digit likewise, so generated codes never collide with each other;
// a code a real case or report holds is skipped with its case or report.
// It returns how many cases it inserted. Authorization: system only.
func (s *Service) InsertSyntheticCases(ctx context.Context, sc domain.Scope, firstSeq int, cs []SyntheticCase, news []SyntheticReport) (int, error) {
	if !sc.System {
		return 0, domain.E(domain.EForbidden, "error.forbidden")
	}
	codeFrom := func(lead string) func(int) string {
		return func(i int) string {
			c := fmt.Sprintf("%s%07d", lead, (firstSeq+i)%10000000)
			return c + string(rune('0'+domain.CheckDigit(c)))
		}
	}
	codeOf, reportCodeOf, newCodeOf := codeFrom("9"), codeFrom("8"), codeFrom("7")
	taken, err := s.takenCodes(ctx, "cases", codeOf, len(cs))
	if err != nil {
		return 0, err
	}
	takenReports, err := s.takenCodes(ctx, "reports", reportCodeOf, len(cs))
	if err != nil {
		return 0, err
	}
	takenNews, err := s.takenCodes(ctx, "reports", newCodeOf, len(news))
	if err != nil {
		return 0, err
	}
	now := s.st.Now()
	var rows syntheticRows
	inserted := 0
	for i, c := range cs {
		code, rcode := codeOf(i), reportCodeOf(i)
		if taken[code] || takenReports[rcode] {
			continue
		}
		inserted++
		if err := s.syntheticCase(&rows, c, code, rcode, now); err != nil {
			return 0, err
		}
	}
	for i, r := range news {
		rcode := newCodeOf(i)
		if takenNews[rcode] {
			continue
		}
		if err := s.syntheticReport(&rows, r.RegionCode, r.Channel, r.Description, r.ReceivedAt, rcode, domain.ReportNew, nil); err != nil {
			return 0, err
		}
	}
	err = s.st.InTx(ctx, func(tx *store.Tx) error {
		if err := s.insertRows(ctx, tx, `INSERT INTO cases (id, code, region_code, status, priority, summary_enc, reported_at, created_at, updated_at,
			verified_at, acknowledged_at, responded_at, closed_at, next_due_at, next_due_kind, type_set, team_id, support_team_id) VALUES `, 18, rows.cases); err != nil {
			return err
		}
		if err := s.insertRows(ctx, tx, `INSERT INTO case_types (case_id, type) VALUES `, 2, rows.types); err != nil {
			return err
		}
		if err := s.insertRows(ctx, tx, `INSERT INTO victims (id, case_id, name_enc, sex, age, created_at) VALUES `, 6, rows.victims); err != nil {
			return err
		}
		if err := s.insertRows(ctx, tx, `INSERT INTO deadlines (id, subject_type, subject_id, kind, due_at, met_at, case_id) VALUES `, 7, rows.deadlines); err != nil {
			return err
		}
		return s.insertRows(ctx, tx, `INSERT INTO reports (id, code, channel, received_at, region_code, description_enc, child_sex,
			anonymous, status, case_id, triaged_at) VALUES `, 11, rows.reports)
	})
	if err != nil {
		return 0, err
	}
	return inserted, nil
}

// takenCodes lists the codes of the range of n generated codes that rows
// of table (cases or reports) hold already.
func (s *Service) takenCodes(ctx context.Context, table string, codeOf func(int) string, n int) (map[string]bool, error) {
	taken := map[string]bool{}
	if n == 0 {
		return taken, nil
	}
	lo, hi := codeOf(0), codeOf(n-1)
	if lo > hi {
		lo, hi = codeOf(0)[:1]+"00000000", codeOf(0)[:1]+"99999999"
	}
	codes, err := store.Rows(ctx, s.st, scanString, `SELECT code FROM `+table+` WHERE code >= $1 AND code <= $2`, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("cases: synthetic codes: %w", err)
	}
	for _, c := range codes {
		taken[c] = true
	}
	return taken, nil
}

// syntheticReport adds the row of one generated report, anonymous, with
// the generated description sealed; caseID is the case it became (nil for
// none), triaged when it was received, as the generated case was verified.
func (s *Service) syntheticReport(rows *syntheticRows, region string, ch domain.Channel, desc string, at time.Time, code string,
	status domain.ReportStatus, caseID any) error {
	enc, err := s.st.Seal(store.FieldReportDescription, desc)
	if err != nil {
		return err
	}
	var triaged any
	if caseID != nil {
		triaged = at
	}
	rows.reports = append(rows.reports, []any{s.st.NewID(), code, string(ch), at, region, enc, "", true, string(status), caseID, triaged})
	return nil
}

// syntheticCase adds the rows of one generated case and of the report it
// came from.
func (s *Service) syntheticCase(rows *syntheticRows, c SyntheticCase, code, reportCode string, now time.Time) error {
	id := s.st.NewID()
	enc, err := s.st.Seal(store.FieldCaseSummary, c.Summary)
	if err != nil {
		return err
	}
	ackDue, respDue := c.ReportedAt.Add(time.Hour), c.ReportedAt.Add(24*time.Hour)
	var next any
	nextKind := ""
	if c.Status.Open() {
		switch {
		case c.AckAt == nil:
			next, nextKind = ackDue, string(domain.DeadlineAck)
		case c.RespondedAt == nil:
			next, nextKind = respDue, string(domain.DeadlineResponse)
		}
	}
	rows.cases = append(rows.cases, []any{id, code, c.RegionCode, string(c.Status), string(c.Priority), enc,
		c.ReportedAt, c.ReportedAt, now, c.ReportedAt, tp(c.AckAt), tp(c.RespondedAt), tp(c.ClosedAt), next, nextKind, TypeSet(c.Types),
		nullIfEmpty(c.TeamID), nullIfEmpty(c.SupportTeamID)})
	for _, t := range c.Types {
		rows.types = append(rows.types, []any{id, string(t)})
	}
	rows.victims = append(rows.victims, []any{s.st.NewID(), id, "", string(c.VictimSex), c.VictimAge, c.ReportedAt})
	rows.deadlines = append(rows.deadlines,
		[]any{s.st.NewID(), "case", id, string(domain.DeadlineAck), ackDue, tp(c.AckAt), id},
		[]any{s.st.NewID(), "case", id, string(domain.DeadlineResponse), respDue, tp(c.RespondedAt), id})
	ch := c.Channel
	if ch == "" {
		ch = domain.ChannelWeb
	}
	return s.syntheticReport(rows, c.RegionCode, ch, c.Summary, c.ReportedAt, reportCode, domain.ReportVerified, id)
}

// insertRows writes rows of cols values each with multi-row INSERTs of at
// most the engine's parameter budget.
func (s *Service) insertRows(ctx context.Context, tx *store.Tx, head string, cols int, rows [][]any) error {
	per := s.st.MaxParams() / cols
	for start := 0; start < len(rows); start += per {
		end := min(start+per, len(rows))
		var sb strings.Builder
		sb.WriteString(head)
		args := make([]any, 0, (end-start)*cols)
		for i, r := range rows[start:end] {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteByte('(')
			for j := range r {
				if j > 0 {
					sb.WriteByte(',')
				}
				fmt.Fprintf(&sb, "$%d", len(args)+j+1)
			}
			sb.WriteByte(')')
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("cases: synthetic insert: %w", err)
		}
	}
	return nil
}

// CountCases counts all cases (for generators and benchmarks).
// Authorization: lindu itself (no scope: a number, no data).
func (s *Service) CountCases(ctx context.Context) (int, error) {
	var n int
	if err := s.st.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases`).Scan(&n); err != nil {
		return 0, fmt.Errorf("cases: count cases: %w", err)
	}
	return n, nil
}
