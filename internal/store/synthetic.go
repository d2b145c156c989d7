package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"lindu/internal/domain"
)

// SyntheticCase is one generated case for benchmarks (lindu demo generate).
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
}

// InsertSyntheticCases writes generated cases in bulk (multi-row inserts,
// one transaction per call): the case, its types, one victim and its two
// clocks. No timeline, routing or messages. Case codes are 9xxxxxxx + check
// digit from firstSeq on, so generated codes never collide with each other.
// Authorization: system only.
func (s *Store) InsertSyntheticCases(ctx context.Context, sc domain.Scope, firstSeq int, cs []SyntheticCase) (int, error) {
	if !sc.System {
		return 0, domain.Errorf(domain.EForbidden, "only lindu itself generates data")
	}
	now := s.utc()
	codeOf := func(i int) string {
		c := fmt.Sprintf("9%07d", (firstSeq+i)%10000000)
		return c + string(rune('0'+domain.CheckDigit(c)))
	}
	// A real case may already hold a code of this range: skip those.
	taken := map[string]bool{}
	if len(cs) > 0 {
		lo, hi := codeOf(0), codeOf(len(cs)-1)
		if lo > hi {
			lo, hi = "900000000", "999999999"
		}
		rows, err := s.w.QueryContext(ctx, `SELECT code FROM cases WHERE code >= $1 AND code <= $2`, lo, hi)
		if err != nil {
			return 0, fmt.Errorf("store: synthetic codes: %w", err)
		}
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				rows.Close()
				return 0, err
			}
			taken[c] = true
		}
		rows.Close()
	}
	inserted := 0
	type row []any
	var caseRows, typeRows, victimRows, deadlineRows []row
	for i, c := range cs {
		id := newID(c.ReportedAt)
		code := codeOf(i)
		if taken[code] {
			continue
		}
		inserted++
		enc, err := s.box.Encrypt(FieldCaseSummary, c.Summary)
		if err != nil {
			return 0, err
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
		caseRows = append(caseRows, row{id, code, c.RegionCode, string(c.Status), string(c.Priority), enc,
			c.ReportedAt, c.ReportedAt, now, c.ReportedAt, tp(c.AckAt), tp(c.RespondedAt), tp(c.ClosedAt), next, nextKind, TypeSet(c.Types)})
		for _, t := range c.Types {
			typeRows = append(typeRows, row{id, string(t)})
		}
		victimRows = append(victimRows, row{newID(c.ReportedAt), id, "", string(c.VictimSex), c.VictimAge, c.ReportedAt})
		deadlineRows = append(deadlineRows, row{newID(c.ReportedAt), "case", id, string(domain.DeadlineAck), ackDue, tp(c.AckAt)},
			row{newID(c.ReportedAt), "case", id, string(domain.DeadlineResponse), respDue, tp(c.RespondedAt)})
	}
	insert := func(tx *sql.Tx, head string, cols int, rows []row, tail string) error {
		per := s.maxParams() / cols
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
			sb.WriteString(tail)
			if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
				return fmt.Errorf("store: synthetic insert: %w", err)
			}
		}
		return nil
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := insert(tx, `INSERT INTO cases (id, code, region_code, status, priority, summary_enc, reported_at, created_at, updated_at,
			verified_at, acknowledged_at, responded_at, closed_at, next_due_at, next_due_kind, type_set) VALUES `, 16, caseRows, ``); err != nil {
			return err
		}
		if err := insert(tx, `INSERT INTO case_types (case_id, type) VALUES `, 2, typeRows, ``); err != nil {
			return err
		}
		if err := insert(tx, `INSERT INTO victims (id, case_id, name_enc, sex, age, created_at) VALUES `, 6, victimRows, ``); err != nil {
			return err
		}
		return insert(tx, `INSERT INTO deadlines (id, subject_type, subject_id, kind, due_at, met_at) VALUES `, 6, deadlineRows, ``)
	})
	if err != nil {
		return 0, err
	}
	return inserted, nil
}

// CountCases counts all cases (for generators and benchmarks).
func (s *Store) CountCases(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases`).Scan(&n)
	return n, err
}

func tp(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}
