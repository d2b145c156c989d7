package api

// Changing a case after creation: PATCH the case, a victim, a perpetrator
// or a service; DELETE one entered by mistake (with a reason); GET the
// history of changes.
//
// Every change carries the version of the case its client read: the ETag
// of GET /api/v1/cases/{id} in If-Match (a stale one answers 412), or a
// "version" field (a stale one answers 409). The case area decides who may
// do what; these handlers read requests and map errors.

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/httpx"
)

// optAge is an age in a PATCH body: absent (unchanged), null (unknown) or
// a number.
type optAge struct {
	set bool
	v   *int
}

// UnmarshalJSON records that the field was sent, null included.
func (o *optAge) UnmarshalJSON(b []byte) error {
	o.set = true
	return json.Unmarshal(b, &o.v)
}

// CasePatch is the body of PATCH /api/v1/cases/{id}: absent fields stay.
type CasePatch struct {
	Version      *int      `json:"version"`
	RegionCode   *string   `json:"region_code"`
	IncidentDate *string   `json:"incident_date"`
	Place        *string   `json:"place"`
	Summary      *string   `json:"summary"`
	Priority     *string   `json:"priority"`
	Types        *[]string `json:"types"`
	KDRT         *bool     `json:"kdrt"`
	LegalBasis   *string   `json:"legal_basis"`
}

// VictimPatch is the body of PATCH /api/v1/cases/{id}/victims/{vid}.
type VictimPatch struct {
	Version       *int      `json:"version"`
	Name          *string   `json:"name"`
	Sex           *string   `json:"sex"`
	Age           optAge    `json:"age"`
	Education     *string   `json:"education"`
	Occupation    *string   `json:"occupation"`
	MaritalStatus *string   `json:"marital_status"`
	Disabilities  *[]string `json:"disabilities"`
	Disability    *string   `json:"disability"`
	Place         *string   `json:"place"`
	Types         *[]string `json:"types"`
}

// PerpetratorPatch is the body of PATCH /api/v1/cases/{id}/perpetrators/{pid}.
type PerpetratorPatch struct {
	Version    *int    `json:"version"`
	Name       *string `json:"name"`
	Sex        *string `json:"sex"`
	Age        optAge  `json:"age"`
	Relation   *string `json:"relation"`
	Education  *string `json:"education"`
	Occupation *string `json:"occupation"`
}

// ServicePatch is the body of PATCH /api/v1/cases/{id}/services/{sid}.
type ServicePatch struct {
	Version  *int    `json:"version"`
	Type     *string `json:"type"`
	VictimID *string `json:"victim_id"`
	GivenOn  *string `json:"given_on"`
	EndedOn  *string `json:"ended_on"`
	Provider *string `json:"provider"`
	Outcome  *string `json:"outcome"`
	Note     *string `json:"note"`
}

// RemoveRequest is the body of DELETE on a victim, perpetrator or service.
type RemoveRequest struct {
	Version *int   `json:"version"`
	Reason  string `json:"reason"`
}

// set copies a sent value over the stored one.
func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// setAs copies a sent string as a named string type.
func setAs[T ~string](dst *T, src *string) {
	if src != nil {
		*dst = T(*src)
	}
}

// editVersion is the version an edit carries and whether it came in
// If-Match. An If-Match that is not a version matches nothing (-1).
func editVersion(r *http.Request, body *int) (int, bool) {
	m := strings.TrimSpace(r.Header.Get("If-Match"))
	if m == "" {
		if body == nil {
			return 0, false
		}
		return *body, false
	}
	m = strings.Trim(strings.TrimPrefix(m, "W/"), `"`)
	v, err := strconv.Atoi(m)
	if err != nil || v <= 0 {
		return -1, true
	}
	return v, true
}

// edited answers a change: the case as its reader sees it, or the error;
// a stale If-Match answers 412 Precondition Failed.
func (a *API) edited(w http.ResponseWriter, r *http.Request, ifMatch bool, err error) {
	if err == nil {
		a.respondCase(w, r, scope(r), r.PathValue("id"), http.StatusOK)
		return
	}
	if e, ok := domain.AsError(err); ok && ifMatch && e.Key == "case.err.stale" {
		lang := httpx.APILang(r)
		httpx.WriteJSON(w, http.StatusPreconditionFailed, httpx.ErrorBody{Error: httpx.ErrorDetail{Code: e.Code, Key: e.Key,
			Message: httpx.ErrorText(lang, e)}})
		return
	}
	a.fail(w, r, err)
}

func (a *API) patchCase(w http.ResponseWriter, r *http.Request) {
	var p CasePatch
	if err := httpx.DecodeJSON(w, r, &p, maxCaseBody); err != nil {
		a.fail(w, r, err)
		return
	}
	v, ifMatch := editVersion(r, p.Version)
	err := a.cases.EditCase(r.Context(), scope(r), r.PathValue("id"), v, func(f *cases.CaseFields) {
		set(&f.RegionCode, p.RegionCode)
		set(&f.IncidentDate, p.IncidentDate)
		set(&f.Place, p.Place)
		set(&f.Summary, p.Summary)
		setAs(&f.Priority, p.Priority)
		if p.Types != nil {
			f.Types = violenceTypes(*p.Types)
		}
		set(&f.KDRT, p.KDRT)
		set(&f.LegalBasis, p.LegalBasis)
	})
	a.edited(w, r, ifMatch, err)
}

func (a *API) patchVictim(w http.ResponseWriter, r *http.Request) {
	var p VictimPatch
	if err := httpx.DecodeJSON(w, r, &p, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	v, ifMatch := editVersion(r, p.Version)
	err := a.cases.EditVictim(r.Context(), scope(r), r.PathValue("id"), r.PathValue("vid"), v, func(vi *domain.Victim) {
		set(&vi.Name, p.Name)
		setAs(&vi.Sex, p.Sex)
		if p.Age.set {
			vi.Age = p.Age.v
		}
		set(&vi.Education, p.Education)
		set(&vi.Occupation, p.Occupation)
		set(&vi.MaritalStatus, p.MaritalStatus)
		set(&vi.Disabilities, p.Disabilities)
		set(&vi.Disability, p.Disability)
		set(&vi.Place, p.Place)
		if p.Types != nil {
			vi.Types = violenceTypes(*p.Types)
		}
	})
	a.edited(w, r, ifMatch, err)
}

func (a *API) patchPerpetrator(w http.ResponseWriter, r *http.Request) {
	var p PerpetratorPatch
	if err := httpx.DecodeJSON(w, r, &p, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	v, ifMatch := editVersion(r, p.Version)
	err := a.cases.EditPerpetrator(r.Context(), scope(r), r.PathValue("id"), r.PathValue("pid"), v, func(pe *domain.Perpetrator) {
		set(&pe.Name, p.Name)
		setAs(&pe.Sex, p.Sex)
		if p.Age.set {
			pe.Age = p.Age.v
		}
		set(&pe.Relation, p.Relation)
		set(&pe.Education, p.Education)
		set(&pe.Occupation, p.Occupation)
	})
	a.edited(w, r, ifMatch, err)
}

func (a *API) patchService(w http.ResponseWriter, r *http.Request) {
	var p ServicePatch
	if err := httpx.DecodeJSON(w, r, &p, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	v, ifMatch := editVersion(r, p.Version)
	err := a.cases.EditService(r.Context(), scope(r), r.PathValue("id"), r.PathValue("sid"), v, func(s *domain.Service) {
		set(&s.Type, p.Type)
		set(&s.VictimID, p.VictimID)
		set(&s.GivenOn, p.GivenOn)
		set(&s.EndedOn, p.EndedOn)
		set(&s.Provider, p.Provider)
		set(&s.Outcome, p.Outcome)
		set(&s.Note, p.Note)
	})
	a.edited(w, r, ifMatch, err)
}

// remove returns the DELETE handler of one kind of record; its path names
// the record's id as idParam.
func (a *API) remove(kind, idParam string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req RemoveRequest
		if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
			a.fail(w, r, err)
			return
		}
		v, ifMatch := editVersion(r, req.Version)
		err := a.cases.RemoveDetail(r.Context(), scope(r), r.PathValue("id"), kind, r.PathValue(idParam), v, req.Reason)
		a.edited(w, r, ifMatch, err)
	}
}

// CaseChangeList is the answer of GET /api/v1/cases/{id}/changes.
type CaseChangeList struct {
	Changes []domain.CaseChange `json:"changes"`
}

func (a *API) caseChanges(w http.ResponseWriter, r *http.Request) {
	ch, err := a.cases.CaseChanges(r.Context(), scope(r), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if ch == nil {
		ch = []domain.CaseChange{}
	}
	httpx.WriteJSON(w, http.StatusOK, CaseChangeList{Changes: ch})
}
