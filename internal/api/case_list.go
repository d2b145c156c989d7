package api

// The case list (GET /api/v1/cases) with its filters and counts.
//
// The case area decides who may do what (every call takes the caller's scope);
// these handlers only read requests, validate query parameters and map
// errors.

import (
	"net/http"
	"strconv"
	"strings"

	"lindu/internal/domain"
)

// CaseList is the answer of GET /api/v1/cases.
type CaseList struct {
	Cases  []domain.Case  `json:"cases"`
	Total  int            `json:"total"`
	Limit  int            `json:"limit"`
	Offset int            `json:"offset"`
	Counts map[string]int `json:"counts"`
}

func (a *API) listCases(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sc := scope(r)
	fields := domain.FieldErrors{}
	f := domain.CaseFilter{Status: domain.CaseStatus(q.Get("status")), Due: q.Get("due"), RegionCode: q.Get("region"),
		Type: domain.ViolenceType(q.Get("type")), AssigneeID: q.Get("assignee"), TeamID: q.Get("team"),
		Priority: domain.Priority(q.Get("priority")), Query: strings.TrimSpace(q.Get("q"))}
	if f.Status != "" && !f.Status.Valid() {
		fields["status"] = domain.M("case.field.status_filter")
	}
	if v := q.Get("open"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			fields["open"] = domain.M("case.field.bool")
		}
		f.OpenOnly = b
	}
	if f.Due != "" && f.Due != "soon" && f.Due != "overdue" {
		fields["due"] = domain.M("case.field.due_filter")
	}
	if f.RegionCode != "" && !domain.ValidRegionCode(f.RegionCode) {
		fields["region"] = domain.M("case.field.region_code")
	}
	if f.Type != "" && !f.Type.Valid() {
		fields["type"] = domain.M("case.field.type_filter")
	}
	if f.AssigneeID == "me" {
		f.AssigneeID = sc.UserID
	} else if len(f.AssigneeID) > 64 {
		fields["assignee"] = domain.M("case.field.user_id")
	}
	if len(f.TeamID) > 64 {
		fields["team"] = domain.M("case.field.team_id")
	}
	if f.Priority != "" && !f.Priority.Valid() {
		fields["priority"] = domain.M("case.field.priority")
	}
	if len(f.Query) > 40 {
		fields["q"] = domain.M("case.field.code_query")
	}
	f.Limit = intField(r, "limit", 50, 1, 200, fields)
	f.Offset = intField(r, "offset", 0, 0, 1<<30, fields)
	if len(fields) > 0 {
		a.fail(w, r, domain.InvalidFields(fields))
		return
	}
	cs, total, counts, err := a.cases.ListCasesCounted(r.Context(), sc, f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeCaseList(w, http.StatusOK, CaseList{Cases: cs, Total: total, Limit: f.Limit, Offset: f.Offset, Counts: counts})
}
