package api

// Report triage (staff): list and read reports, verify one into a new
// case, merge it into a case, reject it, suggest duplicates.
//
// The case area decides who may do what (every call takes the caller's scope);
// these handlers only read requests, validate query parameters and map
// errors.

import (
	"net/http"
	"strings"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/httpx"
)

// ReportList is the answer of GET /api/v1/reports.
type ReportList struct {
	Reports []domain.Report `json:"reports"`
	Total   int             `json:"total"`
	Limit   int             `json:"limit"`
	Offset  int             `json:"offset"`
}

func (a *API) listReports(w http.ResponseWriter, r *http.Request) {
	fields := domain.FieldErrors{}
	f := cases.ReportFilter{Status: domain.ReportStatus(r.URL.Query().Get("status"))}
	switch f.Status {
	case "", domain.ReportNew, domain.ReportVerified, domain.ReportMerged, domain.ReportRejected:
	default:
		fields["status"] = domain.M("report.field.status_filter")
	}
	f.Limit = intField(r, "limit", 50, 1, 200, fields)
	f.Offset = intField(r, "offset", 0, 0, 1<<30, fields)
	if len(fields) > 0 {
		a.fail(w, r, domain.InvalidFields(fields))
		return
	}
	reps, total, err := a.cases.ListReports(r.Context(), scope(r), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, ReportList{Reports: reps, Total: total, Limit: f.Limit, Offset: f.Offset})
}

func (a *API) getReport(w http.ResponseWriter, r *http.Request) {
	rep, err := a.cases.GetReport(r.Context(), scope(r), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, rep)
}

// VerifyRequest is the body of POST /api/v1/reports/{id}/verify.
type VerifyRequest struct {
	Priority string   `json:"priority"`
	Types    []string `json:"types"`
	Summary  string   `json:"summary"`
	KDRT     bool     `json:"kdrt"`
	// Child completes the victim the report names (its types are the
	// case's).
	Child *VictimInput `json:"child"`
}

func (a *API) verifyReport(w http.ResponseWriter, r *http.Request) {
	var req VerifyRequest
	if err := httpx.DecodeJSON(w, r, &req, maxCaseBody); err != nil {
		a.fail(w, r, err)
		return
	}
	sc := scope(r)
	in := cases.VerifyInput{Priority: domain.Priority(req.Priority), Types: violenceTypes(req.Types), Summary: req.Summary, KDRT: req.KDRT}
	if req.Child != nil {
		in.Child = req.Child.victim()
	}
	c, err := a.cases.VerifyReport(r.Context(), sc, r.PathValue("id"), in)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.respondCase(w, r, sc, c.ID, http.StatusCreated)
}

// MergeRequest is the body of POST /api/v1/reports/{id}/merge.
type MergeRequest struct {
	CaseID string `json:"case_id"`
}

func (a *API) mergeReport(w http.ResponseWriter, r *http.Request) {
	var req MergeRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	if strings.TrimSpace(req.CaseID) == "" {
		a.fail(w, r, domain.InvalidFields(domain.FieldErrors{"case_id": domain.M("report.field.case_required")}))
		return
	}
	sc := scope(r)
	if err := a.cases.MergeReport(r.Context(), sc, r.PathValue("id"), req.CaseID); err != nil {
		a.fail(w, r, err)
		return
	}
	a.respondCase(w, r, sc, req.CaseID, http.StatusOK)
}

// RejectRequest is the body of POST /api/v1/reports/{id}/reject.
type RejectRequest struct {
	Reason string `json:"reason"`
}

func (a *API) rejectReport(w http.ResponseWriter, r *http.Request) {
	var req RejectRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	sc, id := scope(r), r.PathValue("id")
	if err := a.cases.RejectReport(r.Context(), sc, id, req.Reason); err != nil {
		a.fail(w, r, err)
		return
	}
	rep, err := a.cases.GetReport(r.Context(), sc, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, rep)
}

// DuplicateList is the answer of GET /api/v1/reports/{id}/duplicates.
type DuplicateList struct {
	Candidates []cases.DuplicateCandidate `json:"candidates"`
}

func (a *API) reportDuplicates(w http.ResponseWriter, r *http.Request) {
	ds, err := a.cases.SuggestDuplicates(r.Context(), scope(r), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if ds == nil {
		ds = []cases.DuplicateCandidate{}
	}
	httpx.WriteJSON(w, http.StatusOK, DuplicateList{Candidates: ds})
}

// downloadReportMedia sends a report's WhatsApp file that is not yet a
// document of a case; the read is audited.
func (a *API) downloadReportMedia(w http.ResponseWriter, r *http.Request) {
	d, err := a.cases.DownloadReportMedia(r.Context(), scope(r), r.PathValue("id"), r.PathValue("media"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.ServeAttachment(w, cases.DocumentFileName(d.CaseDocument), d.MIMEType, d.Data)
}
