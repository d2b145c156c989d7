package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"lindu/internal/domain"
	"lindu/internal/store"
)

// Public reports: filing one (InsertReport, used by every channel through
// internal/intake), its public status, and reading reports for triage.

// CreateReport stores a report from the public (or a channel) and starts
// its triage clock; with an idempotency key already stored it returns the
// report made the first time instead (created=false). root limits regions
// to the deployment. The public front ends file through intake.SubmitReport,
// which adds the limits (FileReport); this is for lindu itself (demo data,
// benchmarks, tests). Authorization: none (public intake).
func (s *Service) CreateReport(ctx context.Context, sc domain.Scope, nr domain.NewReport, root string) (rep domain.Report, created bool, err error) {
	return s.FileReport(ctx, sc, nr, root, nil)
}

// FileReport is CreateReport with admit run first in the report's own
// transaction, for a repeat of an idempotency key too: the public front
// ends count their rate limits there (store.Tx.Allow), so a report costs
// one commit. An error from admit (ETooMany) rolls the transaction back
// and is returned as it is. Authorization: none (public intake).
func (s *Service) FileReport(ctx context.Context, sc domain.Scope, nr domain.NewReport, root string, admit func(context.Context, *store.Tx) error) (rep domain.Report, created bool, err error) {
	if err := ValidateReport(&nr, root); err != nil {
		return domain.Report{}, false, err
	}
	if nr.ReceivedAt.IsZero() {
		nr.ReceivedAt = s.st.Now()
	}
	for attempt := 0; ; attempt++ {
		// Reports arriving together share a commit (InSharedTx).
		err = s.st.InSharedTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			created = false
			if admit != nil {
				if err := admit(ctx, tx); err != nil {
					return err
				}
			}
			// A key seen before fails the insert (unique): only then, on
			// the next attempt, is the report under it looked up, which
			// spares every new report a query.
			if nr.IdempotencyKey != "" && attempt > 0 {
				r, err := reportByKey(ctx, tx, nr.IdempotencyKey)
				if err == nil {
					rep = r
					return nil
				}
				if !domain.IsNotFound(err) {
					return err
				}
			}
			var err error
			rep, err = s.InsertReport(ctx, tx, sc, nr)
			created = err == nil
			return err
		})
		if err == nil {
			return rep, created, nil
		}
		if store.IsUniqueViolation(err) && attempt < 5 {
			// A code drawn twice, or the same message arriving twice at
			// once: the next attempt draws another code or finds the
			// first report under its key.
			continue
		}
		if _, ok := domain.AsError(err); ok {
			return domain.Report{}, false, err
		}
		return domain.Report{}, false, fmt.Errorf("cases: create report: %w", err)
	}
}

// InsertReport files a report in tx, whatever channel it came by: it
// checks that its region exists, seals its personal fields, draws its
// public code, starts its triage clock and audits it (without the
// address of a public reporter). The caller has checked the report
// (ValidateReport, or the channel's own rule for a text message) and
// retries the transaction on a unique violation (a code drawn twice, or
// an idempotency key stored meanwhile). Authorization: public intake.
func (s *Service) InsertReport(ctx context.Context, tx *store.Tx, sc domain.Scope, nr domain.NewReport) (domain.Report, error) {
	if err := s.regionExists(ctx, tx, nr.RegionCode); err != nil {
		return domain.Report{}, err
	}
	if nr.ReceivedAt.IsZero() {
		nr.ReceivedAt = tx.Now()
	}
	nr.ReceivedAt = nr.ReceivedAt.UTC().Truncate(time.Microsecond)
	desc, err := s.st.Seal(store.FieldReportDescription, nr.Description)
	if err != nil {
		return domain.Report{}, err
	}
	phone, err := s.st.Seal(store.FieldReportPhone, nr.ContactPhone)
	if err != nil {
		return domain.Report{}, err
	}
	name, err := s.st.Seal(store.FieldReportReporter, nr.ReporterName)
	if err != nil {
		return domain.Report{}, err
	}
	var phoneHash, key, age any
	if nr.ContactPhone != "" {
		phoneHash = s.st.LookupHash(store.HashPhone, nr.ContactPhone)
	}
	if nr.IdempotencyKey != "" {
		key = nr.IdempotencyKey
	}
	if nr.ChildAge != nil {
		age = *nr.ChildAge
	}
	id, code := tx.NewID(), domain.NewPublicCode()
	err = tx.ExecLater(ctx, `INSERT INTO reports (id, code, channel, idempotency_key, received_at, region_code,
		description_enc, child_age, child_sex, anonymous, contact_phone_enc, contact_phone_hash, reporter_name_enc, status)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
		id, code, string(nr.Channel), key, nr.ReceivedAt, nr.RegionCode, desc, age, string(nr.ChildSex), nr.Anonymous,
		phone, phoneHash, name, string(domain.ReportNew))
	if err != nil {
		return domain.Report{}, fmt.Errorf("cases: insert report: %w", err)
	}
	if nr.ReporterName != "" {
		if err := tx.IndexNewNames(ctx, store.NamesReporter, id, nr.ReporterName); err != nil {
			return domain.Report{}, err
		}
	}
	due := nr.ReceivedAt.Add(domain.TriageWindow)
	if err := newDeadline(ctx, tx, nil, "report", id, domain.DeadlineTriage, nr.ReceivedAt, due); err != nil {
		return domain.Report{}, err
	}
	if err := tx.Audit(ctx, publicReporter(sc), "report.create", "report", id, nr.RegionCode, "channel="+string(nr.Channel)); err != nil {
		return domain.Report{}, err
	}
	return domain.Report{ID: id, Code: code, Channel: nr.Channel, ReceivedAt: nr.ReceivedAt, RegionCode: nr.RegionCode,
		Status: domain.ReportNew, Anonymous: nr.Anonymous}, nil
}

// publicReporter is the scope a report by someone without an account is
// audited under: without their address and user agent, which the
// append-only audit log would keep for ever and which can identify an
// anonymous reporter. Abuse control counts them in the rate-limit table
// instead, hashed and for a day (store.Allow). Staff keep theirs.
func publicReporter(sc domain.Scope) domain.Scope {
	if sc.UserID == "" && !sc.System {
		sc.IP, sc.UserAgent = "", ""
	}
	return sc
}

// regionExists refuses a region code that is not in the regions table.
func (s *Service) regionExists(ctx context.Context, q store.Querier, code string) error {
	ok, err := s.st.RegionExists(ctx, q, code)
	if err != nil {
		return fmt.Errorf("cases: %w", err)
	}
	if !ok {
		return domain.InvalidFields(domain.FieldErrors{"region_code": domain.M("case.field.region_unknown")})
	}
	return nil
}

func reportByKey(ctx context.Context, q store.Querier, key string) (domain.Report, error) {
	var r domain.Report
	err := q.QueryRowContext(ctx, `SELECT id, code, channel, received_at, region_code, status, anonymous
		FROM reports WHERE idempotency_key = $1`, key).Scan(&r.ID, &r.Code, &r.Channel, &r.ReceivedAt, &r.RegionCode, &r.Status, &r.Anonymous)
	if errors.Is(err, sql.ErrNoRows) {
		return r, domain.NotFound("report")
	}
	if err != nil {
		return r, fmt.Errorf("cases: report by key: %w", err)
	}
	r.ReceivedAt = r.ReceivedAt.UTC()
	return r, nil
}

// PublicReportStatus tells a reporter how their report is going: status and
// dates only. Authorization: knowing the code.
func (s *Service) PublicReportStatus(ctx context.Context, code string) (domain.ReportStatusView, error) {
	return publicReportStatus(ctx, s.st, code)
}

func publicReportStatus(ctx context.Context, q store.Querier, code string) (domain.ReportStatusView, error) {
	c, ok := domain.NormalizePublicCode(code)
	if !ok {
		return domain.ReportStatusView{}, domain.NotFound("report")
	}
	var v domain.ReportStatusView
	var status string
	var triaged, responded, closed sql.NullTime
	var caseStatus sql.NullString
	err := q.QueryRowContext(ctx, `SELECT r.code, r.status, r.received_at, r.triaged_at, c.status, c.responded_at, c.closed_at
		FROM reports r LEFT JOIN cases c ON c.id = r.case_id WHERE r.code = $1`, c).
		Scan(&v.Code, &status, &v.ReceivedAt, &triaged, &caseStatus, &responded, &closed)
	if errors.Is(err, sql.ErrNoRows) {
		return v, domain.NotFound("report")
	}
	if err != nil {
		return v, fmt.Errorf("cases: report status: %w", err)
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

const reportCols = `r.id, r.code, r.channel, r.received_at, r.region_code, COALESCE(g.name, ''), r.description_enc, r.child_age,
	r.child_sex, r.anonymous, r.contact_phone_enc, r.reporter_name_enc, r.status, COALESCE(r.case_id, ''), r.reject_reason_enc, r.triaged_at`

const reportJoins = ` FROM reports r LEFT JOIN regions g ON g.code = r.region_code`

// reportColsSQLite is reportCols with its times read as text
// (store.TextTimes, scanned by scanReport's TimeDest): modernc's driver
// parsing them was 5.6 % of lindu's CPU for the triage list's API
// (every report, SQLite).
var reportColsSQLite = store.TextTimes(store.SQLite, reportCols, "r.received_at", "r.triaged_at")

// reportColsFor is reportCols for the store's database.
func (s *Service) reportColsFor() string {
	if s.st.Dialect() == store.SQLite {
		return reportColsSQLite
	}
	return reportCols
}

// reportListCols is reportCols for a query on reports r alone, the
// region's name left empty (filled from memory: Store.RegionNames).
var (
	reportListCols       = strings.Replace(reportCols, "COALESCE(g.name, '')", "''", 1)
	reportListColsSQLite = strings.Replace(reportColsSQLite, "COALESCE(g.name, '')", "''", 1)
)

// reportListColsFor is reportListCols for the store's database.
func (s *Service) reportListColsFor() string {
	if s.st.Dialect() == store.SQLite {
		return reportListColsSQLite
	}
	return reportListCols
}

// scanReport reads a row of reportCols, opening its personal fields for a
// scope that may see them.
func (s *Service) scanReport(sc domain.Scope, row scanner) (domain.Report, error) {
	var r domain.Report
	var desc, phone, name, reject string
	var age sql.NullInt64
	var triaged sql.NullTime
	err := row.Scan(&r.ID, &r.Code, &r.Channel, store.TimeDest{T: &r.ReceivedAt}, &r.RegionCode, &r.RegionName, &desc, &age, &r.ChildSex,
		&r.Anonymous, &phone, &name, &r.Status, &r.CaseID, &reject, store.NullTimeDest{T: &triaged})
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
	if r.Description, err = s.st.Reveal(sc, store.FieldReportDescription, desc, &r.PersonalMasked); err != nil {
		return r, err
	}
	if r.ReporterName, err = s.st.Reveal(sc, store.FieldReportReporter, name, &r.PersonalMasked); err != nil {
		return r, err
	}
	if r.RejectReason, err = s.st.Reveal(sc, store.FieldReportRejectReason, reject, &r.PersonalMasked); err != nil {
		return r, err
	}
	// An anonymous reporter's number is used only to reply: never shown.
	if !r.Anonymous {
		if r.ContactPhone, err = s.st.Reveal(sc, store.FieldReportPhone, phone, &r.PersonalMasked); err != nil {
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
// fields, and how many there are: exact up to CountCap and capped beyond it
// (CountCap+1). Authorization: PermManageCases.
func (s *Service) ListReports(ctx context.Context, sc domain.Scope, f ReportFilter) ([]domain.Report, int, error) {
	// The total and the page are read at once, each on a connection of its
	// own (a round trip each on PostgreSQL); the total checks sc first.
	var total int
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		total, err = s.ReportTotal(gctx, sc, f.Status)
		return err
	})
	out, err := s.listReports(gctx, sc, f)
	if werr := g.Wait(); werr != nil {
		return nil, 0, werr
	}
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// listReports is ListReports' page, for a caller ListReports checked (or
// checks meanwhile: ReportTotal).
func (s *Service) listReports(ctx context.Context, sc domain.Scope, f ReportFilter) ([]domain.Report, error) {
	if !sc.Can(domain.PermManageCases) {
		return nil, domain.E(domain.EForbidden, "report.err.forbidden_triage")
	}
	where, args := reportWhere(sc, f.Status)
	if f.Status == "" && sc.RegionCode != "" && s.st.Dialect() == store.SQLite {
		// Every report of the region, newest first: SQLite walks the
		// reports by time (reports_received, migration 0040) and stops at
		// the page only when the region cannot narrow them by index; with
		// the region's range it read and sorted all the region's reports
		// (200,000 behind a regency's cases: 1.2 s a view). The region
		// condition is then a filter on the walk, in the form SQLite does
		// not take to an index. PostgreSQL chooses from its statistics.
		where, args = `(r.region_code = $1 OR r.region_code LIKE $2)`, []any{sc.RegionCode, sc.RegionCode + ".%"}
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	noPersonal := withoutPersonal(sc)
	// The villages' names are filled from memory afterwards (as the
	// inbox's, nameRegions): a page names few villages many times over.
	out, err := store.Rows(ctx, s.st, func(rows *sql.Rows) (domain.Report, error) { return s.scanReport(noPersonal, rows) },
		`SELECT `+s.reportListColsFor()+` FROM reports r WHERE `+where+` ORDER BY r.received_at DESC LIMIT `+strconv.Itoa(limit)+
			` OFFSET `+strconv.Itoa(max(f.Offset, 0)), args...)
	if err != nil {
		return nil, fmt.Errorf("cases: list reports: %w", err)
	}
	if out == nil {
		out = []domain.Report{}
	}
	codes := make([]string, len(out))
	for i := range out {
		codes[i] = out[i].RegionCode
	}
	names, err := s.st.RegionNames(ctx, codes)
	if err != nil {
		return nil, fmt.Errorf("cases: list reports: %w", err)
	}
	for i := range out {
		out[i].RegionName = names[out[i].RegionCode]
		if out[i].Status == domain.ReportNew {
			due := out[i].ReceivedAt.Add(domain.TriageWindow)
			out[i].TriageDueAt = &due
		}
	}
	return out, nil
}

// ReportTotal is ListReports's total alone: how many reports of status
// ("" any) sc's region holds, exact up to CountCap and capped beyond it
// (CountCap+1). Counting every report of a province on each view would
// cost more than it tells. Authorization: PermManageCases.
func (s *Service) ReportTotal(ctx context.Context, sc domain.Scope, status domain.ReportStatus) (int, error) {
	return s.ReportCount(ctx, sc, status, CountCap)
}

// ReportCount is ReportTotal exact up to upTo and upTo+1 beyond it: the
// inbox's chip of reports waiting counts to 99 (shown "99+" past it). At
// the full cap a backlog of 10,000 untriaged reports cost every
// supervisor's inbox view 2.5 ms of counting on PostgreSQL.
// Authorization: PermManageCases.
func (s *Service) ReportCount(ctx context.Context, sc domain.Scope, status domain.ReportStatus, upTo int) (int, error) {
	if !sc.Can(domain.PermManageCases) {
		return 0, domain.E(domain.EForbidden, "report.err.forbidden_triage")
	}
	where, args := reportWhere(sc, status)
	var total int
	if err := s.st.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM reports r WHERE `+where+
		` LIMIT `+strconv.Itoa(max(upTo, 0)+1)+`) x`, args...).Scan(&total); err != nil {
		return 0, fmt.Errorf("cases: count reports: %w", err)
	}
	return total, nil
}

// reportWhere is the condition on reports r of sc's region and status
// ("" any), with its arguments.
func reportWhere(sc domain.Scope, status domain.ReportStatus) (string, []any) {
	where, args := store.ScopeClause("r.region_code", sc.RegionCode, 1)
	if status != "" {
		args = append(args, string(status))
		where += " AND r.status = $" + strconv.Itoa(len(args))
	}
	return where, args
}

// GetReport returns one report in sc's region with personal fields for
// scopes that may see them (audited). Authorization: PermManageCases; once
// the report is part of a case, its personal data follows the case's need
// to know.
func (s *Service) GetReport(ctx context.Context, sc domain.Scope, id string) (domain.Report, error) {
	if !sc.Can(domain.PermManageCases) {
		return domain.Report{}, domain.NotFound("report")
	}
	r, err := s.reportNoAudit(ctx, sc, id)
	if err != nil {
		return r, err
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
		if err := s.st.Audit(ctx, sc, "report.view_personal", "report", id, r.RegionCode, "fields=description,contact,name"); err != nil {
			return r, err
		}
	}
	if r.Media, err = s.reportMedia(ctx, sc.Personal && !r.PersonalMasked, id); err != nil {
		return r, err
	}
	if r.Status == domain.ReportNew {
		due := r.ReceivedAt.Add(domain.TriageWindow)
		r.TriageDueAt = &due
	}
	return r, nil
}

// reportNoAudit reads a report in sc's region without auditing the read.
func (s *Service) reportNoAudit(ctx context.Context, sc domain.Scope, id string) (domain.Report, error) {
	where, args := store.ScopeClause("r.region_code", sc.RegionCode, 2)
	row := s.st.QueryRowContext(ctx, `SELECT `+s.reportColsFor()+reportJoins+` WHERE r.id = $1 AND `+where, append([]any{id}, args...)...)
	r, err := s.scanReport(sc, row)
	if errors.Is(err, sql.ErrNoRows) {
		return r, domain.NotFound("report")
	}
	if err != nil {
		return r, fmt.Errorf("cases: get report: %w", err)
	}
	return r, nil
}

// ReportCode is the public code of report id ("" when there is none).
// Authorization: the intake area, answering a repeated message with what
// its first delivery did; never a front end (a code opens the status).
func (s *Service) ReportCode(ctx context.Context, id string) (string, error) {
	if id == "" {
		return "", nil
	}
	var code string
	err := s.st.QueryRowContext(ctx, `SELECT code FROM reports WHERE id = $1`, id).Scan(&code)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("cases: report code: %w", err)
	}
	return code, nil
}

// CountReports counts the reports that came by channel (for reconciling
// a channel's messages with the reports they made). Authorization: lindu
// itself and its tests (a count, no data).
func (s *Service) CountReports(ctx context.Context, channel domain.Channel) (int, error) {
	var n int
	if err := s.st.QueryRowContext(ctx, `SELECT COUNT(*) FROM reports WHERE channel = $1`, string(channel)).Scan(&n); err != nil {
		return 0, fmt.Errorf("cases: count reports: %w", err)
	}
	return n, nil
}
