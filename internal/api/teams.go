package api

// Teams (village taskforces, district rapid-response teams, the UPTD PPA)
// and their members.
//
// The case area decides who may do what (every call takes the caller's scope);
// these handlers only read requests, validate query parameters and map
// errors.

import (
	"net/http"

	"lindu/internal/domain"
	"lindu/internal/httpx"
)

// TeamList is the answer of GET /api/v1/teams.
type TeamList struct {
	Teams []domain.Team `json:"teams"`
}

func (a *API) listTeams(w http.ResponseWriter, r *http.Request) {
	ts, err := a.cases.ListTeams(r.Context(), scope(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, TeamList{Teams: ts})
}

func (a *API) getTeam(w http.ResponseWriter, r *http.Request) {
	t, err := a.cases.GetTeam(r.Context(), scope(r), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, t)
}

// NewTeamRequest is the body of POST /api/v1/teams.
type NewTeamRequest struct {
	Name       string   `json:"name"`
	Kind       string   `json:"kind"`
	RegionCode string   `json:"region_code"`
	MemberIDs  []string `json:"member_ids"`
}

func (a *API) createTeam(w http.ResponseWriter, r *http.Request) {
	var req NewTeamRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	t, err := a.cases.CreateTeam(r.Context(), scope(r), domain.Team{Name: req.Name, Kind: req.Kind, RegionCode: req.RegionCode,
		MemberIDs: req.MemberIDs})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/teams/"+t.ID)
	httpx.WriteJSON(w, http.StatusCreated, t)
}

// MembersRequest is the body of PUT /api/v1/teams/{id}/members.
type MembersRequest struct {
	MemberIDs []string `json:"member_ids"`
}

func (a *API) setTeamMembers(w http.ResponseWriter, r *http.Request) {
	var req MembersRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	sc, id := scope(r), r.PathValue("id")
	if err := a.cases.SetTeamMembers(r.Context(), sc, id, req.MemberIDs); err != nil {
		a.fail(w, r, err)
		return
	}
	t, err := a.cases.GetTeam(r.Context(), sc, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, t)
}
