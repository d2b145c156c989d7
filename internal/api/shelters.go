package api

// Safe houses and institutions (/api/v1/places) and children's stays in
// them (/api/v1/cases/{id}/stays, /api/v1/stays/{id}/...). The shelters
// area decides who may do what; hosts' names, phones and addresses only
// reach those who place children, every read audited.

import (
	"net/http"
	"time"

	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/shelters"
)

func (a *API) shelterRoutes() []Route {
	return []Route{
		{"GET", "/api/v1/places", false, a.listPlaces},
		{"POST", "/api/v1/places", false, a.createPlace},
		{"GET", "/api/v1/places/{id}", false, a.getPlace},
		{"PUT", "/api/v1/places/{id}", false, a.editPlace},
		{"GET", "/api/v1/places/{id}/history", false, a.placeHistory},
		{"GET", "/api/v1/places/{id}/checks", false, a.placeChecks},
		{"POST", "/api/v1/places/{id}/checks", false, a.recordChecks},
		{"POST", "/api/v1/places/{id}/status", false, a.movePlace},
		{"POST", "/api/v1/places/{id}/warnings", false, a.warnPlace},
		{"GET", "/api/v1/place-checklist", false, a.getChecklist},
		{"PUT", "/api/v1/place-checklist", false, a.saveChecklist},
		{"GET", "/api/v1/cases/{id}/stays", false, a.caseStays},
		{"POST", "/api/v1/cases/{id}/stays", false, a.placeChild},
		{"GET", "/api/v1/stays/{id}", false, a.getStay},
		{"POST", "/api/v1/stays/{id}/admit", false, a.stayAdmit},
		{"POST", "/api/v1/stays/{id}/release", false, a.stayRelease},
		{"POST", "/api/v1/stays/{id}/end", false, a.stayEnd},
		{"POST", "/api/v1/stays/{id}/move", false, a.stayMove},
		{"POST", "/api/v1/stays/{id}/extend", false, a.stayExtend},
	}
}

// PlaceList is the answer of GET /api/v1/places.
type PlaceList struct {
	Places []domain.Place `json:"places"`
}

// NewPlaceRequest is the body of POST /api/v1/places.
type NewPlaceRequest struct {
	Kind               string `json:"kind"`
	Name               string `json:"name"`
	RegionCode         string `json:"region_code"`
	Owner              string `json:"owner"`
	Capacity           int    `json:"capacity"`
	MaxStayDays        int    `json:"max_stay_days"`
	HostName           string `json:"host_name"`
	HostPhone          string `json:"host_phone"`
	Address            string `json:"address"`
	Household          string `json:"household"`
	PermitNumber       string `json:"permit_number"`
	PermitExpires      string `json:"permit_expires"`
	Accreditation      string `json:"accreditation"`
	AccreditationUntil string `json:"accreditation_until"`
}

// ReasonRequest carries a reason (warnings, releases).
type ReasonRequest struct {
	Reason string `json:"reason"`
}

// PlaceStatusRequest is the body of POST /api/v1/places/{id}/status.
type PlaceStatusRequest struct {
	To      string `json:"to"`
	Reason  string `json:"reason"`
	Version int    `json:"version"`
}

// ChecksRequest is the body of POST /api/v1/places/{id}/checks.
type ChecksRequest struct {
	Answers []domain.CheckResult `json:"answers"`
}

// ChecksAnswer is a place's answers with the checklist version they answer.
type ChecksAnswer struct {
	Checklist domain.Checklist     `json:"checklist"`
	Answers   []domain.CheckResult `json:"answers"`
}

// ChecklistRequest is the body of PUT /api/v1/place-checklist.
type ChecklistRequest struct {
	Items []domain.ChecklistItem `json:"items"`
}

// PlaceHistory is the answer of GET /api/v1/places/{id}/history.
type PlaceHistory struct {
	Events []domain.PlaceEvent `json:"events"`
}

// StayList is the answer of GET /api/v1/cases/{id}/stays.
type StayList struct {
	Stays []domain.Stay `json:"stays"`
}

// NewStayRequest is the body of POST /api/v1/cases/{id}/stays.
type NewStayRequest struct {
	PlaceID     string `json:"place_id"`
	VictimID    string `json:"victim_id"`
	Reason      string `json:"reason"`
	Gatekeeping string `json:"gatekeeping"`
	Emergency   bool   `json:"emergency"`
	Hold        bool   `json:"hold"`
	HoldHours   int    `json:"hold_hours"`
	Ask         bool   `json:"ask"`
}

// StayEndRequest is the body of POST /api/v1/stays/{id}/end.
type StayEndRequest struct {
	Reason      string `json:"reason"`
	Destination string `json:"destination"`
}

// StayMoveRequest is the body of POST /api/v1/stays/{id}/move.
type StayMoveRequest struct {
	PlaceID     string `json:"place_id"`
	Reason      string `json:"reason"`
	Gatekeeping string `json:"gatekeeping"`
}

// StayExtendRequest is the body of POST /api/v1/stays/{id}/extend.
type StayExtendRequest struct {
	Until  time.Time `json:"until"`
	Reason string    `json:"reason"`
}

func (a *API) listPlaces(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ps, err := a.shelters.ListPlaces(r.Context(), scope(r), shelters.PlaceFilter{Kind: q.Get("kind"), Status: q.Get("status"),
		Region: q.Get("region"), WithRoom: q.Get("with_room") == "true"})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if ps == nil {
		ps = []domain.Place{}
	}
	httpx.WriteJSON(w, http.StatusOK, PlaceList{Places: ps})
}

func (a *API) createPlace(w http.ResponseWriter, r *http.Request) {
	var req NewPlaceRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	p, err := a.shelters.CreatePlace(r.Context(), scope(r), domain.NewPlace(req))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, p)
}

func (a *API) getPlace(w http.ResponseWriter, r *http.Request) {
	p, err := a.shelters.GetPlace(r.Context(), scope(r), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, p)
}

func (a *API) placeHistory(w http.ResponseWriter, r *http.Request) {
	ev, err := a.shelters.PlaceHistory(r.Context(), scope(r), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if ev == nil {
		ev = []domain.PlaceEvent{}
	}
	httpx.WriteJSON(w, http.StatusOK, PlaceHistory{Events: ev})
}

func (a *API) placeChecks(w http.ResponseWriter, r *http.Request) {
	cl, res, err := a.shelters.Checks(r.Context(), scope(r), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if res == nil {
		res = []domain.CheckResult{}
	}
	httpx.WriteJSON(w, http.StatusOK, ChecksAnswer{Checklist: cl, Answers: res})
}

func (a *API) recordChecks(w http.ResponseWriter, r *http.Request) {
	var req ChecksRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	if _, err := a.shelters.RecordChecks(r.Context(), scope(r), r.PathValue("id"), req.Answers); err != nil {
		a.fail(w, r, err)
		return
	}
	a.placeChecks(w, r)
}

func (a *API) movePlace(w http.ResponseWriter, r *http.Request) {
	var req PlaceStatusRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.shelters.MovePlace(r.Context(), scope(r), r.PathValue("id"), req.To, req.Reason, req.Version); err != nil {
		a.fail(w, r, err)
		return
	}
	a.getPlace(w, r)
}

func (a *API) warnPlace(w http.ResponseWriter, r *http.Request) {
	var req ReasonRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	if _, err := a.shelters.AddWarning(r.Context(), scope(r), r.PathValue("id"), req.Reason); err != nil {
		a.fail(w, r, err)
		return
	}
	a.getPlace(w, r)
}

func (a *API) getChecklist(w http.ResponseWriter, r *http.Request) {
	if !scope(r).Can(domain.PermViewCases) {
		a.fail(w, r, domain.E(domain.EForbidden, "error.forbidden"))
		return
	}
	cl, err := a.shelters.Checklist(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, cl)
}

func (a *API) saveChecklist(w http.ResponseWriter, r *http.Request) {
	var req ChecklistRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	cl, err := a.shelters.SaveChecklist(r.Context(), scope(r), req.Items)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, cl)
}

func (a *API) caseStays(w http.ResponseWriter, r *http.Request) {
	st, err := a.shelters.CaseStays(r.Context(), scope(r), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if st == nil {
		st = []domain.Stay{}
	}
	httpx.WriteJSON(w, http.StatusOK, StayList{Stays: st})
}

func (a *API) placeChild(w http.ResponseWriter, r *http.Request) {
	var req NewStayRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	st, err := a.shelters.PlaceChild(r.Context(), scope(r), domain.NewStay{PlaceID: req.PlaceID, CaseID: r.PathValue("id"),
		VictimID: req.VictimID, Reason: req.Reason, Gatekeeping: req.Gatekeeping, Emergency: req.Emergency, Hold: req.Hold,
		HoldFor: time.Duration(req.HoldHours) * time.Hour, Ask: req.Ask})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, st)
}

func (a *API) getStay(w http.ResponseWriter, r *http.Request) {
	st, err := a.shelters.GetStay(r.Context(), scope(r), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, st)
}

func (a *API) stayAdmit(w http.ResponseWriter, r *http.Request) {
	if err := a.shelters.AdmitHold(r.Context(), scope(r), r.PathValue("id")); err != nil {
		a.fail(w, r, err)
		return
	}
	a.getStay(w, r)
}

func (a *API) stayRelease(w http.ResponseWriter, r *http.Request) {
	if err := a.shelters.ReleaseHold(r.Context(), scope(r), r.PathValue("id")); err != nil {
		a.fail(w, r, err)
		return
	}
	a.getStay(w, r)
}

func (a *API) stayEnd(w http.ResponseWriter, r *http.Request) {
	var req StayEndRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.shelters.EndStay(r.Context(), scope(r), r.PathValue("id"), req.Reason, req.Destination); err != nil {
		a.fail(w, r, err)
		return
	}
	a.getStay(w, r)
}

func (a *API) stayMove(w http.ResponseWriter, r *http.Request) {
	var req StayMoveRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	st, err := a.shelters.MoveChild(r.Context(), scope(r), r.PathValue("id"), req.PlaceID, req.Reason, req.Gatekeeping)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, st)
}

func (a *API) stayExtend(w http.ResponseWriter, r *http.Request) {
	var req StayExtendRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.shelters.ExtendStay(r.Context(), scope(r), r.PathValue("id"), req.Until, req.Reason); err != nil {
		a.fail(w, r, err)
		return
	}
	a.getStay(w, r)
}

// EditPlaceRequest is the body of PUT /api/v1/places/{id}: the place's
// details as they should be (kind, region and owner do not change).
type EditPlaceRequest struct {
	NewPlaceRequest
	Version int `json:"version"`
}

func (a *API) editPlace(w http.ResponseWriter, r *http.Request) {
	var req EditPlaceRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.shelters.EditPlace(r.Context(), scope(r), r.PathValue("id"), domain.NewPlace(req.NewPlaceRequest), req.Version); err != nil {
		a.fail(w, r, err)
		return
	}
	a.getPlace(w, r)
}
