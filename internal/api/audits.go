package api

// Children's forum audits (/api/v1/facilities, /api/v1/audits,
// /api/v1/audit-actions, /api/v1/audit-templates/{kind}). The audits area
// decides who may do what; children appear by first name only, to those
// who run audits.

import (
	"errors"
	"io"
	"net/http"
	"sort"
	"strconv"

	"lindu/internal/audits"
	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/kla"
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
		{"GET", "/api/v1/audit-templates/{kind}/versions", false, a.auditTemplateVersions},
		{"GET", "/api/v1/audits/{id}/photos", false, a.listAuditPhotos},
		{"POST", "/api/v1/audits/{id}/photos", false, a.addAuditPhoto},
		{"GET", "/api/v1/audits/{id}/photos/{photo}", false, a.getAuditPhoto},
		{"DELETE", "/api/v1/audits/{id}/photos/{photo}", false, a.deleteAuditPhoto},
		{"GET", "/api/v1/audit-agencies", false, a.auditAgencies},
		{"GET", "/api/v1/audit-evidence", false, a.auditEvidence},
	}
}

// AuditPhotoList is the answer of GET /api/v1/audits/{id}/photos.
type AuditPhotoList struct {
	Photos []audits.Photo `json:"photos"`
}

// TemplateVersionList is the answer of GET /api/v1/audit-templates/{kind}/versions.
type TemplateVersionList struct {
	Versions []audits.TemplateVersion `json:"versions"`
}

// AuditAgencyList is the answer of GET /api/v1/audit-agencies.
type AuditAgencyList struct {
	Agencies []audits.AgencyActions `json:"agencies"`
}

// AuditEvidenceList is the answer of GET /api/v1/audit-evidence.
type AuditEvidenceList struct {
	Regime   string            `json:"regime"`
	Year     int               `json:"year"`
	Evidence []audits.Evidence `json:"evidence"`
}

func (a *API) auditTemplateVersions(w http.ResponseWriter, r *http.Request) {
	sc := scope(r)
	if !sc.Can(domain.PermRunAudits) && !sc.Can(domain.PermManageKLA) && !sc.Can(domain.PermViewDashboard) {
		a.fail(w, r, domain.E(domain.EForbidden, "error.forbidden"))
		return
	}
	if !inKinds(r.PathValue("kind")) {
		a.fail(w, r, domain.NotFound("template"))
		return
	}
	vs, err := audits.New(a.st).TemplateVersions(r.Context(), r.PathValue("kind"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, TemplateVersionList{Versions: nonNil(vs)})
}

func (a *API) listAuditPhotos(w http.ResponseWriter, r *http.Request) {
	sc := scope(r)
	if !sc.Can(domain.PermRunAudits) {
		a.fail(w, r, domain.NotFound("audit"))
		return
	}
	ps, err := audits.New(a.st).Photos(r.Context(), sc, r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, AuditPhotoList{Photos: nonNil(ps)})
}

// addAuditPhoto reads a multipart/form-data body: "item" and the photo in
// "file".
func (a *API) addAuditPhoto(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, audits.MaxPhoto+64<<10)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			a.fail(w, r, domain.E(domain.ETooLarge, "audit.err.photo_large", audits.MaxPhoto>>20))
			return
		}
		a.fail(w, r, domain.InvalidFields(domain.FieldErrors{"file": domain.M("audit.field.photo_type")}))
		return
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		a.fail(w, r, domain.InvalidFields(domain.FieldErrors{"file": domain.M("audit.field.photo_type")}))
		return
	}
	data, err := io.ReadAll(io.LimitReader(f, audits.MaxPhoto+1))
	f.Close()
	if err != nil {
		a.fail(w, r, err)
		return
	}
	p, err := audits.New(a.st).AddPhoto(r.Context(), scope(r), r.PathValue("id"), r.PostFormValue("item"), data)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, p)
}

func (a *API) getAuditPhoto(w http.ResponseWriter, r *http.Request) {
	p, data, err := audits.New(a.st).GetPhoto(r.Context(), scope(r), r.PathValue("id"), r.PathValue("photo"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", p.MimeType)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(data)
}

func (a *API) deleteAuditPhoto(w http.ResponseWriter, r *http.Request) {
	if err := audits.New(a.st).DeletePhoto(r.Context(), scope(r), r.PathValue("id"), r.PathValue("photo")); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) auditAgencies(w http.ResponseWriter, r *http.Request) {
	rows, err := audits.New(a.st).ActionsByAgency(r.Context(), scope(r), r.URL.Query().Get("region"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, AuditAgencyList{Agencies: nonNil(rows)})
}

// auditEvidence lists the passed audits that are evidence for KLA
// indicators in a year (?year=, default this year; ?region=).
func (a *API) auditEvidence(w http.ResponseWriter, r *http.Request) {
	year, err := strconv.Atoi(r.URL.Query().Get("year"))
	if r.URL.Query().Get("year") == "" {
		year, err = a.st.Now().Year(), nil
	}
	if err != nil || year < 2000 || year > 2100 {
		a.fail(w, r, domain.InvalidFields(domain.FieldErrors{"year": domain.M("kla.field.year")}))
		return
	}
	g, err := kla.RegimeFor(r.Context(), a.st, year)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ev, err := audits.New(a.st).KLAEvidence(r.Context(), scope(r), g.ID, year, r.URL.Query().Get("region"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := AuditEvidenceList{Regime: g.ID, Year: year, Evidence: []audits.Evidence{}}
	for _, es := range ev {
		out.Evidence = append(out.Evidence, es...)
	}
	sort.Slice(out.Evidence, func(i, j int) bool {
		if out.Evidence[i].Indicator != out.Evidence[j].Indicator {
			return out.Evidence[i].Indicator < out.Evidence[j].Indicator
		}
		return out.Evidence[i].PlannedOn > out.Evidence[j].PlannedOn
	})
	httpx.WriteJSON(w, http.StatusOK, out)
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

// nonNil answers an empty list as [] rather than null.
func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}
