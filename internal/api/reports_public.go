package api

// The two public routes besides reference data: filing a report and
// looking up its status. Both go through the one public-report intake
// (intake.SubmitReport, intake.LookupStatus), whose limits per client
// address and per contact number are shared with the web form; these
// handlers read the JSON body and the request id, and map the errors.

import (
	"net/http"
	"strings"
	"unicode"

	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/intake"
)

const (
	// MaxReportBody is the largest public report body (the description is
	// at most cases.MaxDescription characters).
	MaxReportBody = 32 << 10
	// MaxIdempotencyKey bounds client_request_id / Idempotency-Key.
	MaxIdempotencyKey = 128
)

// NewReportRequest is the body of POST /api/v1/reports.
type NewReportRequest struct {
	Description     string `json:"description"`
	RegionCode      string `json:"region_code"`
	Anonymous       bool   `json:"anonymous"`
	ChildAge        *int   `json:"child_age"`
	ChildSex        string `json:"child_sex"`
	ContactPhone    string `json:"contact_phone"`
	ReporterName    string `json:"reporter_name"`
	ClientRequestID string `json:"client_request_id"`
}

// ReportReceipt is the answer of POST /api/v1/reports.
type ReportReceipt struct {
	Code          string `json:"code"`
	CodeFormatted string `json:"code_formatted"`
	StatusURL     string `json:"status_url"`
}

// createReport files a public report: 201 with a receipt, 200 with the same
// receipt for a request id seen before. A body that does not decode is
// refused first; the intake then checks the report and the request id
// together (422 naming every bad field, counting nothing), counts the
// request against the limits (429 with Retry-After) and stores it.
func (a *API) createReport(w http.ResponseWriter, r *http.Request) {
	var req NewReportRequest
	if err := httpx.DecodeJSON(w, r, &req, MaxReportBody); err != nil {
		a.fail(w, r, err)
		return
	}
	key, bad := requestID(r, req.ClientRequestID)
	nr := domain.NewReport{Channel: domain.ChannelAPI, RegionCode: req.RegionCode, Description: req.Description,
		ChildAge: req.ChildAge, ChildSex: domain.Sex(req.ChildSex), Anonymous: req.Anonymous,
		ContactPhone: req.ContactPhone, ReporterName: req.ReporterName}
	rep, created, err := a.intake.SubmitReport(r.Context(), intake.Submission{Report: nr, Key: key,
		Address: a.clientIP(r), UserAgent: r.UserAgent(), Fields: bad})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := ReportReceipt{Code: rep.Code, CodeFormatted: domain.FormatPublicCode(rep.Code),
		StatusURL: "/api/v1/reports/" + rep.Code + "/status"}
	w.Header().Set("Location", out.StatusURL)
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	}
	httpx.WriteJSON(w, status, out)
}

// requestID reads the client's request id from the Idempotency-Key header
// or client_request_id (they must agree when both are sent), and names
// what is wrong with it.
func requestID(r *http.Request, body string) (string, domain.FieldErrors) {
	key := strings.TrimSpace(body)
	bad := domain.FieldErrors{}
	if h := strings.TrimSpace(r.Header.Get("Idempotency-Key")); h != "" {
		if key != "" && key != h {
			bad["client_request_id"] = domain.M("report.field.request_id_differs")
		}
		key = h
	}
	if len(key) > MaxIdempotencyKey || strings.IndexFunc(key, func(c rune) bool { return !unicode.IsPrint(c) }) >= 0 {
		bad["client_request_id"] = domain.M("report.field.request_id", MaxIdempotencyKey)
	}
	return key, bad
}

// reportStatus tells anyone holding a code how the report is going: status
// and dates only. Every look-up counts against the client's limit, found or
// not, so codes cannot be guessed.
func (a *API) reportStatus(w http.ResponseWriter, r *http.Request) {
	v, err := a.intake.LookupStatus(r.Context(), a.clientIP(r), r.PathValue("code"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, v)
}

// clientIP is the client's address for the limits and the audit log.
func (a *API) clientIP(r *http.Request) string { return httpx.ClientIP(r, a.trustProxy) }
