package intake

import (
	"context"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/store"
)

// The one public-report intake of the web form (/lapor) and the JSON API
// (POST /api/v1/reports), and the public status look-up of both. The front
// ends only read requests (the web adds its anti-bot checks and the place
// name search; the API its JSON and request-id headers) and map the errors.
// SMS and WhatsApp reports share the insert (see report_text.go).

// Submission is a public report as a front end read it.
type Submission struct {
	// Report is the report; its IdempotencyKey is set from Key.
	Report domain.NewReport
	// Key is the client's own idempotency key, "" for none: the web form's
	// hidden key, the API's client_request_id or Idempotency-Key.
	Key string
	// Address is the client's address: it is counted, never stored.
	Address   string
	UserAgent string
	// Fields are what the front end itself found wrong (a place name that
	// matches nothing, a malformed request id); they are reported with the
	// report's own field errors and win over them for the same field.
	Fields domain.FieldErrors
}

// ReportKey is the idempotency key a report from a client is stored under:
// the client's key namespaced by its channel ("web:", "api:"), so a client
// of one channel can neither collide with nor learn the code of another
// channel's report; SMS and WhatsApp reports are stored under their
// provider's message key ("kannel:…", "wa:…"). "" stays "" (no key).
// Pure: anyone may call it.
func ReportKey(ch domain.Channel, clientKey string) string {
	if clientKey == "" {
		return ""
	}
	return string(ch) + ":" + clientKey
}

// SubmitReport files a public report from the web form or the API. Checks
// come first: the report (cases.ValidateReport, within the deployment's
// region, a region that exists) and the front end's own findings, all
// named at once as EInvalid field errors; a refused report stores nothing
// and costs no quota, so a person correcting a mistake keeps theirs. Then
// the limits, per client address and per contact number (ETooMany with
// RetryAfterSeconds), counted in the report's own transaction so a report
// costs one commit: every accepted request counts, a repeat of a key too,
// and a refused one changes nothing (in a fixed window the next request
// meets the same full count). Then the report, idempotent on its key
// (ReportKey): a key stored before returns the first report with created
// false. Authorization: none (public intake,
// anonymous); the audit log keeps neither address nor user agent.
func (s *Service) SubmitReport(ctx context.Context, sub Submission) (rep domain.Report, created bool, err error) {
	nr := sub.Report
	nr.IdempotencyKey = ReportKey(nr.Channel, sub.Key)
	if err := s.checkReport(ctx, &nr, sub.Fields); err != nil {
		return domain.Report{}, false, err
	}
	admit := func(ctx context.Context, tx *store.Tx) error {
		if err := s.allowTx(ctx, tx, reportAddressKey(sub.Address), ReportsPerAddress, ReportWindow); err != nil {
			return err
		}
		if nr.ContactPhone != "" {
			return s.allowTx(ctx, tx, s.reportPhoneKey(nr.ContactPhone), ReportsPerPhone, ReportWindow)
		}
		return nil
	}
	return s.area().FileReport(ctx, access.Public(sub.Address, sub.UserAgent), nr, s.Region, admit)
}

// checkReport validates and normalises nr, adding the front end's
// findings, and checks that its region exists (a read, before counting).
func (s *Service) checkReport(ctx context.Context, nr *domain.NewReport, front domain.FieldErrors) error {
	fields := domain.FieldErrors{}
	if err := cases.ValidateReport(nr, s.Region); err != nil {
		e, ok := domain.AsError(err)
		if !ok {
			return err
		}
		for k, m := range e.Fields {
			fields[k] = m
		}
	}
	for k, m := range front {
		fields[k] = m
	}
	if len(fields) == 0 {
		// Only a valid code is looked up: an unknown village is a mistake
		// in the report too.
		if _, err := s.Store.GetRegion(ctx, nr.RegionCode); domain.IsNotFound(err) {
			fields["region_code"] = domain.M("case.field.region_unknown")
		} else if err != nil {
			return err
		}
	}
	if len(fields) > 0 {
		return domain.InvalidFields(fields)
	}
	return nil
}

// LookupStatus tells anyone holding a report's code how it is going:
// status and dates only. Every look-up counts against the client
// address's limit, found or not, so codes cannot be guessed.
// Authorization: knowing the code.
func (s *Service) LookupStatus(ctx context.Context, addr, code string) (domain.ReportStatusView, error) {
	if err := s.allow(ctx, statusAddressKey(addr), StatusLookupsPerAddress, StatusWindow); err != nil {
		return domain.ReportStatusView{}, err
	}
	return s.area().PublicReportStatus(ctx, code)
}
