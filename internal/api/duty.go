package api

// The duty roster: list and add shifts.
//
// The case area decides who may do what (every call takes the caller's scope);
// these handlers only read requests, validate query parameters and map
// errors.

import (
	"net/http"
	"time"

	"lindu/internal/domain"
	"lindu/internal/httpx"
)

// DutyList is the answer of GET /api/v1/duty.
type DutyList struct {
	Shifts []domain.DutyShift `json:"shifts"`
}

func (a *API) listDuty(w http.ResponseWriter, r *http.Request) {
	from := time.Now().Add(-24 * time.Hour)
	if v := r.URL.Query().Get("from"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			a.fail(w, r, domain.InvalidFields(domain.FieldErrors{"from": domain.M("case.field.rfc3339", "2026-01-31T00:00:00Z")}))
			return
		}
		from = t
	}
	ds, err := a.cases.ListDuty(r.Context(), scope(r), from)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, DutyList{Shifts: ds})
}

// NewDutyRequest is the body of POST /api/v1/duty.
type NewDutyRequest struct {
	UserID     string `json:"user_id"`
	RegionCode string `json:"region_code"`
	StartsAt   string `json:"starts_at"`
	EndsAt     string `json:"ends_at"`
}

func (a *API) addDuty(w http.ResponseWriter, r *http.Request) {
	var req NewDutyRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	fields := domain.FieldErrors{}
	parse := func(name, v string) time.Time {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			fields[name] = domain.M("case.field.rfc3339", "2026-01-31T07:00:00+07:00")
		}
		return t
	}
	d := domain.DutyShift{UserID: req.UserID, RegionCode: req.RegionCode, StartsAt: parse("starts_at", req.StartsAt),
		EndsAt: parse("ends_at", req.EndsAt)}
	if len(fields) > 0 {
		a.fail(w, r, domain.InvalidFields(fields))
		return
	}
	d, err := a.cases.AddDuty(r.Context(), scope(r), d)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, d)
}
