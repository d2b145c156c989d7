package api

// Case management after the first contact (issue 12): assessments, the
// case plan and its actions, follow-up visits, approvals, consent,
// referrals to service providers, the providers' registry, the case load
// and the office's casework rules. The case area decides who may do what;
// these handlers read requests and map errors.

import (
	"net/http"
	"strconv"
	"time"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/kla"
)

// caseworkRoutes are the routes of this file.
func (a *API) caseworkRoutes() []Route {
	return []Route{
		{"GET", "/api/v1/cases/{id}/casework", false, a.getCasework},
		{"POST", "/api/v1/cases/{id}/assessments", false, a.addAssessment},
		{"POST", "/api/v1/cases/{id}/plan/actions", false, a.addPlanAction},
		{"PUT", "/api/v1/cases/{id}/plan/actions/{action}", false, a.editPlanAction},
		{"POST", "/api/v1/cases/{id}/plan/actions/{action}/status", false, a.setActionStatus},
		{"POST", "/api/v1/cases/{id}/plan/submit", false, a.submitPlan},
		{"POST", "/api/v1/cases/{id}/visits", false, a.scheduleVisit},
		{"POST", "/api/v1/cases/{id}/visits/{visit}/record", false, a.recordVisit},
		{"POST", "/api/v1/cases/{id}/closure-request", false, a.requestClosure},
		{"POST", "/api/v1/cases/{id}/reopen-request", false, a.requestReopen},
		{"POST", "/api/v1/cases/{id}/consents", false, a.recordConsent},
		{"POST", "/api/v1/cases/{id}/consents/{consent}/withdraw", false, a.withdrawConsent},
		{"GET", "/api/v1/approvals", false, a.listApprovals},
		{"POST", "/api/v1/approvals/{id}/decision", false, a.decideApproval},
		{"POST", "/api/v1/approvals/{id}/withdraw", false, a.withdrawApproval},
		{"GET", "/api/v1/casework-rules", false, a.getCaseworkRules},
		{"PUT", "/api/v1/casework-rules", false, a.putCaseworkRules},
		{"GET", "/api/v1/caseload", false, a.caseLoad},
		{"GET", "/api/v1/providers", false, a.listProviders},
		{"POST", "/api/v1/providers", false, a.createProvider},
		{"PUT", "/api/v1/providers/{id}", false, a.updateProvider},
		{"PUT", "/api/v1/providers/{id}/accounts", false, a.linkProviderAccount},
		{"GET", "/api/v1/referrals", false, a.listReferrals},
		{"POST", "/api/v1/referrals", false, a.sendReferral},
		{"POST", "/api/v1/referrals/{id}/answer", false, a.answerReferral},
		{"POST", "/api/v1/referrals/{id}/revoke", false, a.revokeReferral},
		{"POST", "/api/v1/cases/{id}/transfers", false, a.requestTransfer},
		{"GET", "/api/v1/transfers", false, a.listTransfers},
		{"POST", "/api/v1/transfers/{id}/decision", false, a.decideTransfer},
		{"POST", "/api/v1/transfers/{id}/cancel", false, a.cancelTransfer},
	}
}

// decode reads a JSON body of at most maxStaffBody into dst, answering the
// error itself (false) when it cannot.
func (a *API) decode(w http.ResponseWriter, r *http.Request, dst any) bool {
	if err := httpx.DecodeJSON(w, r, dst, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return false
	}
	return true
}

// respondCasework answers with the case's casework as the caller sees it.
func (a *API) respondCasework(w http.ResponseWriter, r *http.Request, id string, status int) {
	cw, err := a.cases.GetCasework(r.Context(), scope(r), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, status, cw)
}

func (a *API) getCasework(w http.ResponseWriter, r *http.Request) {
	a.respondCasework(w, r, r.PathValue("id"), http.StatusOK)
}

func (a *API) addAssessment(w http.ResponseWriter, r *http.Request) {
	var req domain.NewAssessment
	if !a.decode(w, r, &req) {
		return
	}
	out, err := a.cases.AddAssessment(r.Context(), scope(r), r.PathValue("id"), req)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, out)
}

func (a *API) addPlanAction(w http.ResponseWriter, r *http.Request) {
	var req domain.NewPlanAction
	if !a.decode(w, r, &req) {
		return
	}
	id, err := a.cases.AddPlanAction(r.Context(), scope(r), r.PathValue("id"), req)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]string{"id": id})
}

func (a *API) editPlanAction(w http.ResponseWriter, r *http.Request) {
	var req domain.NewPlanAction
	if !a.decode(w, r, &req) {
		return
	}
	if err := a.cases.EditPlanAction(r.Context(), scope(r), r.PathValue("id"), r.PathValue("action"), req); err != nil {
		a.fail(w, r, err)
		return
	}
	a.respondCasework(w, r, r.PathValue("id"), http.StatusOK)
}

// StatusRequest moves an item: a plan action's status with a note.
type StatusRequest struct {
	Status string `json:"status"`
	Note   string `json:"note"`
}

func (a *API) setActionStatus(w http.ResponseWriter, r *http.Request) {
	var req StatusRequest
	if !a.decode(w, r, &req) {
		return
	}
	err := a.cases.SetActionStatus(r.Context(), scope(r), r.PathValue("id"), r.PathValue("action"), domain.ActionStatus(req.Status), req.Note)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.respondCasework(w, r, r.PathValue("id"), http.StatusOK)
}

// NoteBody is a request with only a note (or reason).
type NoteBody struct {
	Note string `json:"note"`
}

func (a *API) submitPlan(w http.ResponseWriter, r *http.Request) {
	var req NoteBody
	if !a.decode(w, r, &req) {
		return
	}
	st, err := a.cases.SubmitPlan(r.Context(), scope(r), r.PathValue("id"), req.Note)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": string(st)})
}

// VisitRequest schedules a follow-up visit.
type VisitRequest struct {
	PlannedOn string `json:"planned_on"`
	VisitorID string `json:"visitor_id"`
	ActionID  string `json:"action_id"`
}

func (a *API) scheduleVisit(w http.ResponseWriter, r *http.Request) {
	var req VisitRequest
	if !a.decode(w, r, &req) {
		return
	}
	id, err := a.cases.ScheduleVisit(r.Context(), scope(r), r.PathValue("id"), req.PlannedOn, req.VisitorID, req.ActionID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]string{"id": id})
}

// VisitRecordRequest records a visit.
type VisitRecordRequest struct {
	Status    string `json:"status"`
	VisitedOn string `json:"visited_on"`
	Outcome   string `json:"outcome"`
	NextOn    string `json:"next_on"`
}

func (a *API) recordVisit(w http.ResponseWriter, r *http.Request) {
	var req VisitRecordRequest
	if !a.decode(w, r, &req) {
		return
	}
	next, err := a.cases.RecordVisit(r.Context(), scope(r), r.PathValue("id"), r.PathValue("visit"), domain.VisitRecord{
		Status: domain.VisitStatus(req.Status), VisitedOn: req.VisitedOn, Outcome: req.Outcome, NextOn: req.NextOn})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"next_id": next})
}

func (a *API) requestClosure(w http.ResponseWriter, r *http.Request) {
	var req NoteBody
	if !a.decode(w, r, &req) {
		return
	}
	closed, err := a.cases.RequestClosure(r.Context(), scope(r), r.PathValue("id"), req.Note)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]bool{"closed": closed})
}

// ReopenRequest asks to reopen a closed case.
type ReopenRequest struct {
	Note       string `json:"note"`
	ReachAgain bool   `json:"reach_again"`
}

func (a *API) requestReopen(w http.ResponseWriter, r *http.Request) {
	var req ReopenRequest
	if !a.decode(w, r, &req) {
		return
	}
	reopened, err := a.cases.RequestReopen(r.Context(), scope(r), r.PathValue("id"), req.Note, req.ReachAgain)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]bool{"reopened": reopened})
}

func (a *API) recordConsent(w http.ResponseWriter, r *http.Request) {
	var req domain.NewConsent
	if !a.decode(w, r, &req) {
		return
	}
	c, err := a.cases.RecordConsent(r.Context(), scope(r), r.PathValue("id"), req)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, c)
}

// ReasonBody is a request with only a reason.
type ReasonBody struct {
	Reason string `json:"reason"`
}

func (a *API) withdrawConsent(w http.ResponseWriter, r *http.Request) {
	var req ReasonBody
	if !a.decode(w, r, &req) {
		return
	}
	if err := a.cases.WithdrawConsent(r.Context(), scope(r), r.PathValue("id"), r.PathValue("consent"), req.Reason); err != nil {
		a.fail(w, r, err)
		return
	}
	a.respondCasework(w, r, r.PathValue("id"), http.StatusOK)
}

func (a *API) listApprovals(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := cases.ApprovalFilter{Status: domain.ApprovalStatus(q.Get("status")), Kind: domain.ApprovalKind(q.Get("kind"))}
	fields := domain.FieldErrors{}
	switch f.Status {
	case "", domain.ApprovalPending, domain.ApprovalApproved, domain.ApprovalReturned, domain.ApprovalWithdrawn:
	default:
		fields["status"] = domain.M("approval.field.status")
	}
	switch f.Kind {
	case "", domain.ApprovePlan, domain.ApproveClosure, domain.ApproveReopen:
	default:
		fields["kind"] = domain.M("approval.field.kind")
	}
	f.Limit = intField(r, "limit", 200, 1, 500, fields)
	if len(fields) > 0 {
		a.fail(w, r, domain.InvalidFields(fields))
		return
	}
	sc := scope(r)
	if !sc.Can(domain.PermWorkCases) {
		a.fail(w, r, domain.E(domain.EForbidden, "case.err.forbidden_view"))
		return
	}
	list, err := a.cases.ListApprovals(r.Context(), sc, f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"approvals": list})
}

// DecisionRequest decides a request: "approve" or "return" (with a
// comment).
type DecisionRequest struct {
	Decision string `json:"decision"`
	Comment  string `json:"comment"`
}

func (a *API) decideApproval(w http.ResponseWriter, r *http.Request) {
	var req DecisionRequest
	if !a.decode(w, r, &req) {
		return
	}
	if req.Decision != "approve" && req.Decision != "return" {
		a.fail(w, r, domain.InvalidFields(domain.FieldErrors{"decision": domain.M("approval.field.decision")}))
		return
	}
	if err := a.cases.DecideApproval(r.Context(), scope(r), r.PathValue("id"), req.Decision == "approve", req.Comment); err != nil {
		a.fail(w, r, err)
		return
	}
	st := domain.ApprovalReturned
	if req.Decision == "approve" {
		st = domain.ApprovalApproved
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": string(st)})
}

func (a *API) withdrawApproval(w http.ResponseWriter, r *http.Request) {
	if err := a.cases.WithdrawApproval(r.Context(), scope(r), r.PathValue("id")); err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": string(domain.ApprovalWithdrawn)})
}

func (a *API) getCaseworkRules(w http.ResponseWriter, r *http.Request) {
	if !scope(r).Can(domain.PermViewCases) {
		a.fail(w, r, domain.E(domain.EForbidden, "case.err.forbidden_view"))
		return
	}
	rules, err := a.cases.CaseworkRules(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, rules)
}

func (a *API) putCaseworkRules(w http.ResponseWriter, r *http.Request) {
	var req domain.CaseworkRules
	if !a.decode(w, r, &req) {
		return
	}
	if err := a.cases.SetCaseworkRules(r.Context(), scope(r), req); err != nil {
		a.fail(w, r, err)
		return
	}
	a.getCaseworkRules(w, r)
}

// caseLoad answers the case load as JSON, or with ?format=csv|xlsx as a
// file (the column names in Indonesian).
func (a *API) caseLoad(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "csv" && format != "xlsx" {
		a.fail(w, r, domain.InvalidFields(domain.FieldErrors{"format": domain.M("caseload.field.format")}))
		return
	}
	rows, err := a.cases.CaseLoad(r.Context(), scope(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if format == "" || format == "json" {
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"rows": rows})
		return
	}
	header := []string{"kind", "id", "name", "role", "region_code", "open_cases", "overdue_cases", "open_actions", "overdue_actions",
		"planned_visits", "overdue_visits", "pending_approvals"}
	var out [][]string
	for _, x := range rows {
		out = append(out, []string{x.Kind, x.ID, x.Name, x.Role, x.RegionCode, strconv.Itoa(x.OpenCases), strconv.Itoa(x.OverdueCases),
			strconv.Itoa(x.OpenActions), strconv.Itoa(x.OverdueActions), strconv.Itoa(x.PlannedVisits), strconv.Itoa(x.OverdueVisits),
			strconv.Itoa(x.PendingApprovals)})
	}
	name := "caseload-" + time.Now().UTC().Format("2006-01-02")
	w.Header().Set("Cache-Control", "no-store")
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		w.Write(kla.WriteCSV(header, out))
		return
	}
	data, err := kla.WriteXLSX([]kla.Sheet{{Name: "caseload", Header: header, Rows: out}})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
	w.Write(data)
}

func (a *API) listProviders(w http.ResponseWriter, r *http.Request) {
	sc := scope(r)
	if !sc.Can(domain.PermWorkCases) {
		a.fail(w, r, domain.E(domain.EForbidden, "case.err.forbidden_view"))
		return
	}
	list, err := a.cases.ListProviders(r.Context(), sc, r.URL.Query().Get("active") == "1")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"providers": list})
}

func (a *API) createProvider(w http.ResponseWriter, r *http.Request) {
	var req domain.Provider
	if !a.decode(w, r, &req) {
		return
	}
	req.ID = ""
	p, err := a.cases.SaveProvider(r.Context(), scope(r), req)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, p)
}

func (a *API) updateProvider(w http.ResponseWriter, r *http.Request) {
	var req domain.Provider
	if !a.decode(w, r, &req) {
		return
	}
	req.ID = r.PathValue("id")
	p, err := a.cases.SaveProvider(r.Context(), scope(r), req)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, p)
}

// AccountRequest binds (or, with unlink, unbinds) a provider account.
type AccountRequest struct {
	UserID string `json:"user_id"`
	Unlink bool   `json:"unlink"`
}

func (a *API) linkProviderAccount(w http.ResponseWriter, r *http.Request) {
	var req AccountRequest
	if !a.decode(w, r, &req) {
		return
	}
	pid := r.PathValue("id")
	if req.Unlink {
		pid = ""
	}
	if err := a.cases.LinkProviderAccount(r.Context(), scope(r), req.UserID, pid); err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"user_id": req.UserID, "provider_id": pid})
}

// listReferrals lists a provider account's referrals, or a case's
// (?case_id=) for those who may see the case.
func (a *API) listReferrals(w http.ResponseWriter, r *http.Request) {
	sc := scope(r)
	if sc.Can(domain.PermAnswerReferrals) {
		list, err := a.cases.ProviderReferrals(r.Context(), sc)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"referrals": list})
		return
	}
	id := r.URL.Query().Get("case_id")
	if id == "" {
		a.fail(w, r, domain.InvalidFields(domain.FieldErrors{"case_id": domain.M("referral.field.case_id")}))
		return
	}
	c, err := a.cases.GetCase(r.Context(), sc, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"referrals": c.Referrals})
}

// SendReferralRequest sends a referral of a case to a provider.
type SendReferralRequest struct {
	CaseID string `json:"case_id"`
	domain.NewReferral
}

func (a *API) sendReferral(w http.ResponseWriter, r *http.Request) {
	var req SendReferralRequest
	if !a.decode(w, r, &req) {
		return
	}
	rf, err := a.cases.Refer(r.Context(), scope(r), req.CaseID, req.NewReferral)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/referrals/"+rf.ID)
	httpx.WriteJSON(w, http.StatusCreated, rf)
}

// AnswerRequest is a provider's answer: accepted, declined (with a
// reason) or done.
type AnswerRequest struct {
	Status string `json:"status"`
	Reason string `json:"reason"`
}

func (a *API) answerReferral(w http.ResponseWriter, r *http.Request) {
	var req AnswerRequest
	if !a.decode(w, r, &req) {
		return
	}
	st, err := a.cases.AnswerReferral(r.Context(), scope(r), r.PathValue("id"), cases.ReferralAnswer{To: domain.ReferralStatus(req.Status),
		Reason: req.Reason})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": string(st)})
}

// RevokeRequest takes back a referral.
type RevokeRequest struct {
	CaseID string `json:"case_id"`
	Reason string `json:"reason"`
}

func (a *API) revokeReferral(w http.ResponseWriter, r *http.Request) {
	var req RevokeRequest
	if !a.decode(w, r, &req) {
		return
	}
	if err := a.cases.RevokeReferral(r.Context(), scope(r), req.CaseID, r.PathValue("id"), req.Reason); err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": string(domain.ReferralRevoked)})
}

// TransferRequest asks to move a case to another regency or city.
type TransferRequest struct {
	ToRegion string `json:"to_region"`
	Reason   string `json:"reason"`
}

func (a *API) requestTransfer(w http.ResponseWriter, r *http.Request) {
	var req TransferRequest
	if !a.decode(w, r, &req) {
		return
	}
	t, err := a.cases.RequestTransfer(r.Context(), scope(r), r.PathValue("id"), req.ToRegion, req.Reason)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, t)
}

// listTransfers lists transfers into (?direction=in, the default) or out
// of the caller's region.
func (a *API) listTransfers(w http.ResponseWriter, r *http.Request) {
	dir := r.URL.Query().Get("direction")
	if dir != "" && dir != "in" && dir != "out" {
		a.fail(w, r, domain.InvalidFields(domain.FieldErrors{"direction": domain.M("transfer.field.direction")}))
		return
	}
	sc := scope(r)
	if !sc.Can(domain.PermWorkCases) {
		a.fail(w, r, domain.E(domain.EForbidden, "case.err.forbidden_view"))
		return
	}
	list, err := a.cases.ListTransfers(r.Context(), sc, cases.TransferFilter{Incoming: dir != "out"})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"transfers": list})
}

// TransferDecision accepts (into new_region) or rejects (with a comment).
type TransferDecision struct {
	Decision  string `json:"decision"`
	NewRegion string `json:"new_region"`
	Comment   string `json:"comment"`
}

func (a *API) decideTransfer(w http.ResponseWriter, r *http.Request) {
	var req TransferDecision
	if !a.decode(w, r, &req) {
		return
	}
	if req.Decision != "accept" && req.Decision != "reject" {
		a.fail(w, r, domain.InvalidFields(domain.FieldErrors{"decision": domain.M("transfer.field.decision")}))
		return
	}
	if err := a.cases.DecideTransfer(r.Context(), scope(r), r.PathValue("id"), req.Decision == "accept", req.NewRegion, req.Comment); err != nil {
		a.fail(w, r, err)
		return
	}
	st := domain.TransferRejected
	if req.Decision == "accept" {
		st = domain.TransferAccepted
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": string(st)})
}

func (a *API) cancelTransfer(w http.ResponseWriter, r *http.Request) {
	if err := a.cases.CancelTransfer(r.Context(), scope(r), r.PathValue("id")); err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": string(domain.TransferCancelled)})
}
