package api

// Actions on a case: transitions, reassignment and emergency access.
//
// The case area decides who may do what (every call takes the caller's scope);
// these handlers only read requests, validate query parameters and map
// errors.

import (
	"net/http"
	"strings"

	"lindu/internal/domain"
	"lindu/internal/httpx"
)

// TransitionRequest is the body of POST /api/v1/cases/{id}/transitions.
type TransitionRequest struct {
	To         string `json:"to"`
	Note       string `json:"note"`
	AssigneeID string `json:"assignee_id"`
	TeamID     string `json:"team_id"`
}

func (a *API) transitionCase(w http.ResponseWriter, r *http.Request) {
	var req TransitionRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	sc, id := scope(r), r.PathValue("id")
	_, err := a.cases.Transition(r.Context(), sc, id, domain.Transition{To: domain.CaseStatus(req.To),
		Note: req.Note, AssigneeID: req.AssigneeID, TeamID: req.TeamID})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.respondCase(w, r, sc, id, http.StatusOK)
}

// AssignmentRequest is the body of POST /api/v1/cases/{id}/assignment.
type AssignmentRequest struct {
	TeamID     string `json:"team_id"`
	AssigneeID string `json:"assignee_id"`
	Note       string `json:"note"`
}

func (a *API) assignCase(w http.ResponseWriter, r *http.Request) {
	var req AssignmentRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	sc, id := scope(r), r.PathValue("id")
	if _, err := a.cases.Reassign(r.Context(), sc, id, req.TeamID, req.AssigneeID, strings.TrimSpace(req.Note)); err != nil {
		a.fail(w, r, err)
		return
	}
	a.respondCase(w, r, sc, id, http.StatusOK)
}

// EmergencyAccessRequest is the body of POST /api/v1/cases/{id}/emergency-access.
type EmergencyAccessRequest struct {
	Reason string `json:"reason"`
}

// emergencyAccess opens the personal data of a case the caller does not
// handle (akses darurat) and answers 201 with the case as the caller now
// sees it.
func (a *API) emergencyAccess(w http.ResponseWriter, r *http.Request) {
	var req EmergencyAccessRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	sc, id := scope(r), r.PathValue("id")
	if _, err := a.cases.GrantEmergencyAccess(r.Context(), sc, id, req.Reason); err != nil {
		a.fail(w, r, err)
		return
	}
	a.respondCase(w, r, sc, id, http.StatusCreated)
}
