package api

// Children's forum audits (/api/v1/facilities, /api/v1/audits,
// /api/v1/audit-actions, /api/v1/audit-templates/{kind}). The audits area
// decides who may do what; children appear by first name only, to those
// who run audits.

import (
	"net/http"
	"strconv"

	"lindu/internal/audits"
	"lindu/internal/domain"
	"lindu/internal/httpx"
)

func (a *API) auditRoutes() []Route {
	return []Route{
		{"GET", "/api/v1/facilities", false, a.listFacilities},
		{"POST", "/api/v1/facilities", false, a.createFacility},
		{"GET", "/api/v1/facilities/{id}/audits", false, a.facilityAudits},
		{"POST", "/api/v1/audits", false, a.planAudit},
		{"GET", "/api/v1/audits/{id}", false, a.getAudit},
		{"PUT", "/api/v1/audits/{id}/answers", false, a.saveAnswers},
		{"POST", "/api/v1/audits/{id}/submit", false, a.submitAudit},
		{"GET", "/api/v1/audit-actions", false, a.listAuditActions},
		{"POST", "/api/v1/audit-actions/{id}/response", false, a.respondAction},
		{"POST", "/api/v1/audit-actions/{id}/override", false, a.overrideAction},
		{"GET", "/api/v1/audit-templates/{kind}", false, a.getAuditTemplate},
		{"PUT", "/api/v1/audit-templates/{kind}", false, a.saveAuditTemplate},
	}
}

// FacilityList is the answer of GET /api/v1/facilities.
type FacilityList struct {
	Facilities []audits.FacilityRow `json:"facilities"`
}

// FacilityAuditList is the answer of GET /api/v1/facilities/{id}/audits.
type FacilityAuditList struct {
	Audits []audits.AuditRow `json:"audits"`
}

// PlanAuditRequest is the body of POST /api/v1/audits.
type PlanAuditRequest struct {
	FacilityID string              `json:"facility_id"`
	PlannedOn  string              `json:"planned_on"`
	Team       []audits.TeamMember `json:"team"`
	RecheckOf  string              `json:"recheck_of"`
}

// AnswersRequest is the body of PUT /api/v1/audits/{id}/answers.
type AnswersRequest struct {
	Answers []audits.Answer `json:"answers"`
}

// AuditActionList is the answer of GET /api/v1/audit-actions.
type AuditActionList struct {
	Actions []audits.Action `json:"actions"`
}

// ActionResponseRequest is the body of POST /api/v1/audit-actions/{id}/response.
type ActionResponseRequest struct {
	Response string `json:"response"`
}

func (a *API) listFacilities(w http.ResponseWriter, r *http.Request) {
	fs, err := audits.New(a.st).ListFacilities(r.Context(), scope(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if fs == nil {
		fs = []audits.FacilityRow{}
	}
	httpx.WriteJSON(w, http.StatusOK, FacilityList{Facilities: fs})
}

func (a *API) createFacility(w http.ResponseWriter, r *http.Request) {
	var f domain.Facility
	if err := httpx.DecodeJSON(w, r, &f, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	f, err := audits.New(a.st).CreateFacility(r.Context(), scope(r), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, f)
}

func (a *API) facilityAudits(w http.ResponseWriter, r *http.Request) {
	as, err := audits.New(a.st).ListAudits(r.Context(), scope(r), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if as == nil {
		as = []audits.AuditRow{}
	}
	httpx.WriteJSON(w, http.StatusOK, FacilityAuditList{Audits: as})
}

func (a *API) planAudit(w http.ResponseWriter, r *http.Request) {
	var req PlanAuditRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	au, err := audits.New(a.st).PlanAudit(r.Context(), scope(r), req.FacilityID, req.PlannedOn, req.Team, req.RecheckOf)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, au)
}

func (a *API) getAudit(w http.ResponseWriter, r *http.Request) {
	au, err := audits.New(a.st).GetAudit(r.Context(), scope(r), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, au)
}

func (a *API) saveAnswers(w http.ResponseWriter, r *http.Request) {
	var req AnswersRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := audits.New(a.st).SaveAnswers(r.Context(), scope(r), r.PathValue("id"), req.Answers); err != nil {
		a.fail(w, r, err)
		return
	}
	a.getAudit(w, r)
}

func (a *API) submitAudit(w http.ResponseWriter, r *http.Request) {
	if _, err := audits.New(a.st).Submit(r.Context(), scope(r), r.PathValue("id")); err != nil {
		a.fail(w, r, err)
		return
	}
	a.getAudit(w, r)
}

func (a *API) listAuditActions(w http.ResponseWriter, r *http.Request) {
	acts, err := audits.New(a.st).Actions(r.Context(), scope(r), r.URL.Query().Get("agency"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if acts == nil {
		acts = []audits.Action{}
	}
	httpx.WriteJSON(w, http.StatusOK, AuditActionList{Actions: acts})
}

func (a *API) respondAction(w http.ResponseWriter, r *http.Request) {
	var req ActionResponseRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := audits.New(a.st).Respond(r.Context(), scope(r), r.PathValue("id"), req.Response); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) overrideAction(w http.ResponseWriter, r *http.Request) {
	var req ReasonRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := audits.New(a.st).Override(r.Context(), scope(r), r.PathValue("id"), req.Reason); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) getAuditTemplate(w http.ResponseWriter, r *http.Request) {
	sc := scope(r)
	if !sc.Can(domain.PermRunAudits) && !sc.Can(domain.PermManageKLA) && !sc.Can(domain.PermViewDashboard) {
		a.fail(w, r, domain.E(domain.EForbidden, "error.forbidden"))
		return
	}
	v, _ := strconv.Atoi(r.URL.Query().Get("version"))
	t, err := audits.New(a.st).Template(r.Context(), r.PathValue("kind"), v)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, t)
}

func (a *API) saveAuditTemplate(w http.ResponseWriter, r *http.Request) {
	var t domain.AuditTemplate
	if err := httpx.DecodeJSON(w, r, &t, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	t.Kind = r.PathValue("kind")
	if !inKinds(t.Kind) {
		a.fail(w, r, domain.NotFound("template"))
		return
	}
	saved, err := audits.New(a.st).SaveTemplate(r.Context(), scope(r), t)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, saved)
}

func inKinds(k string) bool {
	for _, x := range domain.FacilityKinds {
		if x == k {
			return true
		}
	}
	return false
}
