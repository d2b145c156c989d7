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
	"unicode"
	"unicode/utf8"

	"lindu/internal/domain"
)

// Report limits.
const (
	MinDescription = 10
	MaxDescription = 5000
)

// ValidateReport checks and normalises a new report; it returns a coded
// error naming every bad field. root, when set, is the deployment's region.
func ValidateReport(nr *domain.NewReport, root string) error {
	f := map[string]string{}
	nr.Description = strings.TrimSpace(strings.ToValidUTF8(nr.Description, ""))
	nr.Description = strings.Map(func(r rune) rune {
		if r == 0 || (unicode.IsControl(r) && r != '\n' && r != '\t') {
			return -1
		}
		return r
	}, nr.Description)
	switch n := utf8.RuneCountInString(nr.Description); {
	case n < MinDescription:
		f["description"] = fmt.Sprintf("tell what happened in at least %d characters", MinDescription)
	case n > MaxDescription:
		f["description"] = fmt.Sprintf("at most %d characters", MaxDescription)
	}
	nr.RegionCode = strings.TrimSpace(nr.RegionCode)
	if !domain.ValidRegionCode(nr.RegionCode) {
		f["region_code"] = "choose the village, district or regency where it happened"
	} else if root != "" && !domain.RegionWithin(nr.RegionCode, root) {
		f["region_code"] = "outside the area this service covers"
	}
	if nr.ChildAge != nil && (*nr.ChildAge < 0 || *nr.ChildAge > 120) {
		f["child_age"] = "an age in years, 0-17 for a child"
	}
	if !nr.ChildSex.Valid() {
		f["child_sex"] = "L, P or empty"
	}
	if nr.ContactPhone = strings.TrimSpace(nr.ContactPhone); nr.ContactPhone != "" {
		p, ok := domain.NormalizePhone(nr.ContactPhone)
		if !ok {
			f["contact_phone"] = "not a valid phone number, e.g. 0812 3456 7890"
		}
		nr.ContactPhone = p
	}
	nr.ReporterName = strings.TrimSpace(nr.ReporterName)
	if len(nr.ReporterName) > 200 {
		f["reporter_name"] = "at most 200 characters"
	}
	if nr.Anonymous {
		nr.ReporterName = ""
	}
	if len(nr.IdempotencyKey) > 200 {
		f["idempotency_key"] = "at most 200 characters"
	}
	if len(f) > 0 {
		return domain.Invalid("please correct the marked fields", f)
	}
	return nil
}

// CreateReport stores a report from the public (or a channel) and starts
// its triage clock; with an idempotency key already stored it returns the
// report made the first time instead (created=false). root limits regions
// to the deployment. Authorization: none (public intake).
func (s *Store) CreateReport(ctx context.Context, sc domain.Scope, nr domain.NewReport, root string) (rep domain.Report, created bool, err error) {
	if err := ValidateReport(&nr, root); err != nil {
		return domain.Report{}, false, err
	}
	if nr.IdempotencyKey != "" {
		if r, err := s.reportByKey(ctx, nr.IdempotencyKey); err == nil {
			return r, false, nil
		} else if !domain.IsNotFound(err) {
			return domain.Report{}, false, err
		}
	}
	now := s.utc()
	if nr.ReceivedAt.IsZero() {
		nr.ReceivedAt = now
	}
	nr.ReceivedAt = nr.ReceivedAt.UTC().Truncate(time.Microsecond)
	desc, err := s.box.Encrypt(FieldReportDescription, nr.Description)
	if err != nil {
		return domain.Report{}, false, err
	}
	phone, err := s.box.Encrypt(FieldReportPhone, nr.ContactPhone)
	if err != nil {
		return domain.Report{}, false, err
	}
	name, err := s.box.Encrypt(FieldReportReporter, nr.ReporterName)
	if err != nil {
		return domain.Report{}, false, err
	}
	var phoneHash any
	if nr.ContactPhone != "" {
		phoneHash = s.box.Hash(HashPhone, nr.ContactPhone)
	}
	var key any
	if nr.IdempotencyKey != "" {
		key = nr.IdempotencyKey
	}
	var age any
	if nr.ChildAge != nil {
		age = *nr.ChildAge
	}
	id := newID(now)
	var code string
	for attempt := 0; ; attempt++ {
		code = domain.NewPublicCode()
		err = s.tx(ctx, func(tx *sql.Tx) error {
			if err := regionExists(ctx, tx, nr.RegionCode); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO reports (id, code, channel, idempotency_key, received_at, region_code,
				description_enc, child_age, child_sex, anonymous, contact_phone_enc, contact_phone_hash, reporter_name_enc, status)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
				id, code, string(nr.Channel), key, nr.ReceivedAt, nr.RegionCode, desc, age, string(nr.ChildSex), nr.Anonymous,
				phone, phoneHash, name, string(domain.ReportNew))
			if err != nil {
				return err
			}
			due := nr.ReceivedAt.Add(domain.TriageWindow)
			if err := s.addDeadline(ctx, tx, "report", id, domain.DeadlineTriage, nr.ReceivedAt, due); err != nil {
				return err
			}
			return s.audit(ctx, tx, publicReporter(sc), "report.create", "report", id, nr.RegionCode, "channel="+string(nr.Channel))
		})
		if err == nil {
			break
		}
		if isUniqueViolation(err) && strings.Contains(err.Error(), "idempotency_key") && nr.IdempotencyKey != "" {
			// The same message arrived twice at once: answer with the first.
			r, gerr := s.reportByKey(ctx, nr.IdempotencyKey)
			return r, false, gerr
		}
		if isUniqueViolation(err) && attempt < 5 {
			continue // code collision: draw another
		}
		if _, ok := domain.AsError(err); ok {
			return domain.Report{}, false, err
		}
		return domain.Report{}, false, fmt.Errorf("store: create report: %w", err)
	}
	return domain.Report{ID: id, Code: code, Channel: nr.Channel, ReceivedAt: nr.ReceivedAt, RegionCode: nr.RegionCode,
		Status: domain.ReportNew, Anonymous: nr.Anonymous}, true, nil
}

// publicReporter is the scope a report by someone without an account is
// audited under: without their address and user agent, which the
// append-only audit log would keep for ever and which can identify an
// anonymous reporter. Abuse control counts them in the rate-limit table
// instead, hashed and for a day (Allow). Staff keep theirs.
func publicReporter(sc domain.Scope) domain.Scope {
	if sc.UserID == "" && !sc.System {
		sc.IP, sc.UserAgent = "", ""
	}
	return sc
}

func regionExists(ctx context.Context, tx *sql.Tx, code string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions WHERE code = $1`, code).Scan(&n); err != nil {
		return fmt.Errorf("store: check region: %w", err)
	}
	if n == 0 {
		return domain.Invalid("please correct the marked fields", map[string]string{"region_code": "no such region"})
	}
	return nil
}

func (s *Store) reportByKey(ctx context.Context, key string) (domain.Report, error) {
	var r domain.Report
	err := s.w.QueryRowContext(ctx, `SELECT id, code, channel, received_at, region_code, status, anonymous
		FROM reports WHERE idempotency_key = $1`, key).Scan(&r.ID, &r.Code, &r.Channel, &r.ReceivedAt, &r.RegionCode, &r.Status, &r.Anonymous)
	if errors.Is(err, sql.ErrNoRows) {
		return r, domain.NotFound("report")
	}
	if err != nil {
		return r, fmt.Errorf("store: report by key: %w", err)
	}
	r.ReceivedAt = r.ReceivedAt.UTC()
	return r, nil
}

// PublicReportStatus tells a reporter how their report is going: status and
// dates only. Authorization: knowing the code.
func (s *Store) PublicReportStatus(ctx context.Context, code string) (domain.ReportStatusView, error) {
	c, ok := domain.NormalizePublicCode(code)
	if !ok {
		return domain.ReportStatusView{}, domain.NotFound("report")
	}
	var v domain.ReportStatusView
	var status string
	var triaged, responded, closed sql.NullTime
	var caseStatus sql.NullString
	err := s.r.QueryRowContext(ctx, `SELECT r.code, r.status, r.received_at, r.triaged_at, c.status, c.responded_at, c.closed_at
		FROM reports r LEFT JOIN cases c ON c.id = r.case_id WHERE r.code = $1`, c).
		Scan(&v.Code, &status, &v.ReceivedAt, &triaged, &caseStatus, &responded, &closed)
	if errors.Is(err, sql.ErrNoRows) {
		return v, domain.NotFound("report")
	}
	if err != nil {
		return v, fmt.Errorf("store: report status: %w", err)
	}
	v.ReceivedAt = v.ReceivedAt.UTC()
	v.ReviewedAt = ptrTime(triaged)
	switch domain.ReportStatus(status) {
	case domain.ReportNew:
		v.Status = "received"
	case domain.ReportRejected:
		v.Status = "not_a_case"
	default:
		switch cs := domain.CaseStatus(caseStatus.String); {
		case cs == domain.StatusClosed:
			v.Status = "closed"
			v.ClosedAt = ptrTime(closed)
			v.RespondedAt = ptrTime(responded)
		case cs == domain.StatusResponded || cs == domain.StatusInService || cs == domain.StatusReferred:
			v.Status = "handled"
			v.RespondedAt = ptrTime(responded)
		default:
			v.Status = "in_review"
		}
	}
	return v, nil
}

func ptrTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

const reportCols = `r.id, r.code, r.channel, r.received_at, r.region_code, COALESCE(g.name, ''), r.description_enc, r.child_age,
	r.child_sex, r.anonymous, r.contact_phone_enc, r.reporter_name_enc, r.status, COALESCE(r.case_id, ''), r.reject_reason_enc, r.triaged_at`

func (s *Store) scanReport(sc domain.Scope, row interface{ Scan(...any) error }) (domain.Report, error) {
	var r domain.Report
	var desc, phone, name, reject string
	var age sql.NullInt64
	var triaged sql.NullTime
	err := row.Scan(&r.ID, &r.Code, &r.Channel, &r.ReceivedAt, &r.RegionCode, &r.RegionName, &desc, &age, &r.ChildSex,
		&r.Anonymous, &phone, &name, &r.Status, &r.CaseID, &reject, &triaged)
	if err != nil {
		return r, err
	}
	r.ReceivedAt = r.ReceivedAt.UTC()
	r.TriagedAt = ptrTime(triaged)
	if age.Valid {
		a := int(age.Int64)
		r.ChildAge = &a
	}
	r.HasContact = phone != ""
	if r.Description, err = s.revealField(sc, FieldReportDescription, desc, &r.PersonalMasked); err != nil {
		return r, err
	}
	if r.ReporterName, err = s.revealField(sc, FieldReportReporter, name, &r.PersonalMasked); err != nil {
		return r, err
	}
	if r.RejectReason, err = s.revealField(sc, FieldReportRejectReason, reject, &r.PersonalMasked); err != nil {
		return r, err
	}
	// An anonymous reporter's number is used only to reply: never shown.
	if !r.Anonymous {
		if r.ContactPhone, err = s.revealField(sc, FieldReportPhone, phone, &r.PersonalMasked); err != nil {
			return r, err
		}
	}
	return r, nil
}

// ReportFilter selects reports for triage.
type ReportFilter struct {
	Status domain.ReportStatus
	Limit  int
	Offset int
}

// ListReports lists reports in sc's region, newest first, without personal
// fields. Authorization: PermManageCases.
func (s *Store) ListReports(ctx context.Context, sc domain.Scope, f ReportFilter) ([]domain.Report, int, error) {
	if !sc.Can(domain.PermManageCases) {
		return nil, 0, domain.Errorf(domain.EForbidden, "your role may not triage reports")
	}
	where, args := scopeClause("r.region_code", sc.RegionCode, 1)
	if f.Status != "" {
		args = append(args, string(f.Status))
		where += " AND r.status = $" + strconv.Itoa(len(args))
	}
	var total int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM reports r WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count reports: %w", err)
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+reportCols+` FROM reports r LEFT JOIN regions g ON g.code = r.region_code
		WHERE `+where+` ORDER BY r.received_at DESC LIMIT `+strconv.Itoa(limit)+` OFFSET `+strconv.Itoa(max(f.Offset, 0)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list reports: %w", err)
	}
	defer rows.Close()
	out := []domain.Report{}
	noPersonal := sc
	noPersonal.Personal = false
	for rows.Next() {
		r, err := s.scanReport(noPersonal, rows)
		if err != nil {
			return nil, 0, fmt.Errorf("store: list reports: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	for i := range out {
		if out[i].Status == domain.ReportNew {
			due := out[i].ReceivedAt.Add(domain.TriageWindow)
			out[i].TriageDueAt = &due
		}
	}
	return out, total, nil
}

// GetReport returns one report in sc's region with personal fields for
// scopes that may see them (audited). Authorization: PermManageCases, or a
// scope that can see the report's case.
func (s *Store) GetReport(ctx context.Context, sc domain.Scope, id string) (domain.Report, error) {
	if !sc.Can(domain.PermManageCases) {
		return domain.Report{}, domain.NotFound("report")
	}
	where, args := scopeClause("r.region_code", sc.RegionCode, 2)
	row := s.r.QueryRowContext(ctx, `SELECT `+reportCols+` FROM reports r LEFT JOIN regions g ON g.code = r.region_code
		WHERE r.id = $1 AND `+where, append([]any{id}, args...)...)
	r, err := s.scanReport(sc, row)
	if errors.Is(err, sql.ErrNoRows) {
		return r, domain.NotFound("report")
	}
	if err != nil {
		return r, fmt.Errorf("store: get report: %w", err)
	}
	if r.CaseID != "" && sc.Personal {
		// The report is part of a case now: its personal data follows the
		// case's need to know.
		view, err := s.caseViewByID(ctx, sc, r.CaseID)
		if err != nil && !domain.IsNotFound(err) {
			return r, err
		}
		if !view.personal {
			sc.Personal = false
			if r.Description != "" || r.ReporterName != "" || r.ContactPhone != "" || r.RejectReason != "" {
				r.PersonalMasked = true
			}
			r.Description, r.ReporterName, r.ContactPhone, r.RejectReason = "", "", "", ""
		}
	}
	if sc.Personal {
		if err := s.Audit(ctx, sc, "report.view_personal", "report", id, r.RegionCode, "fields=description,contact,name"); err != nil {
			return r, err
		}
	}
	if r.Status == domain.ReportNew {
		due := r.ReceivedAt.Add(domain.TriageWindow)
		r.TriageDueAt = &due
	}
	return r, nil
}

// lockReport reads a report's status and region inside tx, scoped.
func lockReport(ctx context.Context, tx *sql.Tx, sc domain.Scope, id string) (status domain.ReportStatus, region string, received time.Time, err error) {
	where, args := scopeClause("region_code", sc.RegionCode, 2)
	err = tx.QueryRowContext(ctx, `SELECT status, region_code, received_at FROM reports WHERE id = $1 AND `+where,
		append([]any{id}, args...)...).Scan(&status, &region, &received)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", received, domain.NotFound("report")
	}
	if err != nil {
		return "", "", received, fmt.Errorf("store: report: %w", err)
	}
	if status != domain.ReportNew {
		return status, region, received, domain.Errorf(domain.EConflict, "this report was already handled (%s)", status)
	}
	return status, region, received.UTC(), nil
}

// RejectReport closes a report that is not a case, with the reason.
// Authorization: PermManageCases in the report's region.
func (s *Store) RejectReport(ctx context.Context, sc domain.Scope, id, reason string) error {
	if !sc.Can(domain.PermManageCases) {
		return domain.NotFound("report")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 1000 {
		return domain.Invalid("a reason is needed", map[string]string{"reason": "say why this is not a case (at most 1000 characters)"})
	}
	enc, err := s.box.Encrypt(FieldReportRejectReason, reason)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, region, _, err := lockReport(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		now := s.utc()
		if _, err := tx.ExecContext(ctx, `UPDATE reports SET status = $1, reject_reason_enc = $2, triaged_at = $3, triaged_by = $4
			WHERE id = $5 AND status = $6`, string(domain.ReportRejected), enc, now, sc.Actor(), id, string(domain.ReportNew)); err != nil {
			return fmt.Errorf("store: reject report: %w", err)
		}
		if err := s.meetDeadline(ctx, tx, "report", id, domain.DeadlineTriage, now); err != nil {
			return err
		}
		return s.audit(ctx, tx, sc, "report.reject", "report", id, region, "")
	})
}

// MergeReport adds a report to an existing case (a second report of the
// same events). Authorization: PermManageCases; report and case in scope.
func (s *Store) MergeReport(ctx context.Context, sc domain.Scope, reportID, caseID string) error {
	if !sc.Can(domain.PermManageCases) {
		return domain.NotFound("report")
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, region, _, err := lockReport(ctx, tx, sc, reportID)
		if err != nil {
			return err
		}
		cs, err := s.lockCase(ctx, tx, sc, caseID)
		if err != nil {
			return err
		}
		now := s.utc()
		if _, err := tx.ExecContext(ctx, `UPDATE reports SET status = $1, case_id = $2, triaged_at = $3, triaged_by = $4 WHERE id = $5`,
			string(domain.ReportMerged), caseID, now, sc.Actor(), reportID); err != nil {
			return fmt.Errorf("store: merge report: %w", err)
		}
		if err := s.meetDeadline(ctx, tx, "report", reportID, domain.DeadlineTriage, now); err != nil {
			return err
		}
		if err := s.caseEvent(ctx, tx, sc, caseID, "report_merged", cs.status, cs.status, "report "+domain.FormatPublicCode(reportCode(ctx, tx, reportID))); err != nil {
			return err
		}
		return s.audit(ctx, tx, sc, "report.merge", "report", reportID, region, "case="+caseID)
	})
}

func reportCode(ctx context.Context, tx *sql.Tx, id string) string {
	var c string
	tx.QueryRowContext(ctx, `SELECT code FROM reports WHERE id = $1`, id).Scan(&c)
	return c
}

// VerifyInput is what a supervisor decides when verifying a report.
type VerifyInput struct {
	Priority domain.Priority
	Types    []domain.ViolenceType
	Summary  string // defaults to the report's description
}

// VerifyReport turns a report into a new case: the case's clocks count
// from the report's time, and routing assigns it at once when a team or
// duty caseworker is found. Authorization: PermManageCases.
func (s *Store) VerifyReport(ctx context.Context, sc domain.Scope, reportID string, in VerifyInput) (domain.Case, error) {
	if !sc.Can(domain.PermManageCases) {
		return domain.Case{}, domain.NotFound("report")
	}
	var caseID string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		_, region, received, err := lockReport(ctx, tx, sc, reportID)
		if err != nil {
			return err
		}
		var descEnc string
		var age sql.NullInt64
		var sex string
		if err := tx.QueryRowContext(ctx, `SELECT description_enc, child_age, child_sex FROM reports WHERE id = $1`, reportID).
			Scan(&descEnc, &age, &sex); err != nil {
			return fmt.Errorf("store: verify report: %w", err)
		}
		summary := strings.TrimSpace(in.Summary)
		if summary == "" {
			if summary, err = s.box.Decrypt(FieldReportDescription, descEnc); err != nil {
				return err
			}
		}
		nc := domain.NewCase{RegionCode: region, Priority: in.Priority, Types: in.Types, Summary: summary, ReportedAt: received}
		var v domain.Victim
		v.Sex = domain.Sex(sex)
		if age.Valid {
			a := int(age.Int64)
			v.Age = &a
		}
		v.Types = in.Types
		nc.Victims = []domain.Victim{v}
		caseID, err = s.createCase(ctx, tx, sc, nc)
		if err != nil {
			return err
		}
		now := s.utc()
		if _, err := tx.ExecContext(ctx, `UPDATE reports SET status = $1, case_id = $2, triaged_at = $3, triaged_by = $4 WHERE id = $5`,
			string(domain.ReportVerified), caseID, now, sc.Actor(), reportID); err != nil {
			return fmt.Errorf("store: verify report: %w", err)
		}
		if err := s.meetDeadline(ctx, tx, "report", reportID, domain.DeadlineTriage, now); err != nil {
			return err
		}
		return s.audit(ctx, tx, sc, "report.verify", "report", reportID, region, "case="+caseID)
	})
	if err != nil {
		return domain.Case{}, err
	}
	return s.getCase(ctx, sc, caseID, false)
}

// DuplicateCandidate is an existing case that may describe the same events
// as a report.
type DuplicateCandidate struct {
	Case  domain.Case `json:"case"`
	Score float64     `json:"score"` // 0..1
	Why   []string    `json:"why"`
}

// SuggestDuplicates lists open or recent cases that may be the same as the
// report: same village (or district), reported within 30 days, similar
// words. The candidates carry no personal data, but comparing words reads
// the report's description and the summaries of the cases the caller may
// see: that read is audited. Authorization: PermManageCases.
func (s *Store) SuggestDuplicates(ctx context.Context, sc domain.Scope, reportID string) ([]DuplicateCandidate, error) {
	if !sc.Can(domain.PermManageCases) {
		return nil, domain.NotFound("report")
	}
	rep, err := s.getReportNoAudit(ctx, sc, reportID)
	if err != nil {
		return nil, err
	}
	district := rep.RegionCode
	if domain.RegionLevelOf(district) == domain.LevelVillage {
		district = domain.ParentRegionCode(district)
	}
	where, args := caseScope(sc, "c", 1)
	args = append(args, district, district+".%", rep.ReceivedAt.Add(-30*24*time.Hour), rep.ReceivedAt.Add(24*time.Hour))
	n := len(args)
	rows, err := s.r.QueryContext(ctx, `SELECT c.id, c.region_code, c.summary_enc, c.reported_at, COALESCE(c.assignee_id, ''),
		COALESCE(c.team_id, ''), COALESCE(c.support_team_id, '') FROM cases c WHERE `+where+
		fmt.Sprintf(` AND (c.region_code = $%d OR c.region_code LIKE $%d) AND c.reported_at >= $%d AND c.reported_at <= $%d`, n-3, n-2, n-1, n)+
		` ORDER BY c.reported_at DESC LIMIT 50`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: duplicates: %w", err)
	}
	type cand struct {
		id, region, summary string
		at                  time.Time
		h                   caseHandling
	}
	var cands []cand
	for rows.Next() {
		var c cand
		if err := rows.Scan(&c.id, &c.region, &c.summary, &c.at, &c.h.assignee, &c.h.team, &c.h.support); err != nil {
			rows.Close()
			return nil, err
		}
		c.h.id = c.id
		cands = append(cands, c)
	}
	rows.Close()
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
		view, err := s.caseView(ctx, s.r, sc, c.h)
		if err != nil {
			return nil, err
		}
		if view.personal && c.summary != "" {
			compared++
			text, err := s.box.Decrypt(FieldCaseSummary, c.summary)
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
		if err := s.Audit(ctx, sc, "report.duplicates", "report", reportID, rep.RegionCode,
			fmt.Sprintf("fields=description,case_summaries compared=%d suggested=%d cases=%s", compared, len(out),
				strings.Join(ids, ","))); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) getReportNoAudit(ctx context.Context, sc domain.Scope, id string) (domain.Report, error) {
	where, args := scopeClause("r.region_code", sc.RegionCode, 2)
	row := s.r.QueryRowContext(ctx, `SELECT `+reportCols+` FROM reports r LEFT JOIN regions g ON g.code = r.region_code
		WHERE r.id = $1 AND `+where, append([]any{id}, args...)...)
	r, err := s.scanReport(sc, row)
	if errors.Is(err, sql.ErrNoRows) {
		return r, domain.NotFound("report")
	}
	return r, err
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
