package api

// The deadline (SLA) rules: list and set.
//
// The case area decides who may do what (every call takes the caller's scope);
// these handlers only read requests, validate query parameters and map
// errors.

import (
	"net/http"

	"lindu/internal/domain"
	"lindu/internal/httpx"
)

// SLARuleList is the answer of GET and PUT /api/v1/sla-rules.
type SLARuleList struct {
	Rules []domain.SLARule `json:"rules"`
}

func (a *API) listSLARules(w http.ResponseWriter, r *http.Request) {
	rules, err := a.cases.SLARules(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, SLARuleList{Rules: rules})
}

// SLARuleRequest is the body of PUT /api/v1/sla-rules.
type SLARuleRequest struct {
	Priority        string `json:"priority"`
	Type            string `json:"type"`
	AckMinutes      int    `json:"ack_minutes"`
	ResponseMinutes int    `json:"response_minutes"`
}

func (a *API) setSLARule(w http.ResponseWriter, r *http.Request) {
	var req SLARuleRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	err := a.cases.SetSLARule(r.Context(), scope(r), domain.SLARule{Priority: domain.Priority(req.Priority),
		Type: domain.ViolenceType(req.Type), AckMinutes: req.AckMinutes, ResponseMinutes: req.ResponseMinutes})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.listSLARules(w, r)
}
