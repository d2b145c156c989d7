package api

// Opening a case directly (POST /api/v1/cases), without a report.
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

// VictimInput is a victim as sent by a client.
type VictimInput struct {
	Name       string   `json:"name"`
	Sex        string   `json:"sex"`
	Age        *int     `json:"age"`
	Disability string   `json:"disability"`
	Education  string   `json:"education"`
	Place      string   `json:"place"`
	Types      []string `json:"types"`
	// SIMFONI-PPA fields (codes of their lists; disabilities are personal).
	Occupation    string   `json:"occupation"`
	MaritalStatus string   `json:"marital_status"`
	Disabilities  []string `json:"disabilities"`
}

func (v VictimInput) victim() domain.Victim {
	return domain.Victim{Name: v.Name, Sex: domain.Sex(v.Sex), Age: v.Age, Disability: v.Disability,
		Education: v.Education, Place: v.Place, Types: violenceTypes(v.Types), Occupation: v.Occupation, MaritalStatus: v.MaritalStatus,
		Disabilities: v.Disabilities}
}

func violenceTypes(ss []string) []domain.ViolenceType {
	out := make([]domain.ViolenceType, len(ss))
	for i, s := range ss {
		out[i] = domain.ViolenceType(s)
	}
	return out
}

// NewCaseRequest is the body of POST /api/v1/cases.
type NewCaseRequest struct {
	RegionCode   string        `json:"region_code"`
	Priority     string        `json:"priority"`
	Types        []string      `json:"types"`
	Summary      string        `json:"summary"`
	Place        string        `json:"place"`
	IncidentDate string        `json:"incident_date"`
	LegalBasis   string        `json:"legal_basis"`
	ReportedAt   string        `json:"reported_at"`
	NeedsReview  bool          `json:"needs_review"`
	KDRT         bool          `json:"kdrt"`
	Victims      []VictimInput `json:"victims"`
}

func (a *API) createCase(w http.ResponseWriter, r *http.Request) {
	var req NewCaseRequest
	if err := httpx.DecodeJSON(w, r, &req, maxCaseBody); err != nil {
		a.fail(w, r, err)
		return
	}
	nc := domain.NewCase{RegionCode: req.RegionCode, Priority: domain.Priority(req.Priority), Types: violenceTypes(req.Types),
		Summary: req.Summary, Place: req.Place, IncidentDate: req.IncidentDate, LegalBasis: req.LegalBasis,
		NeedsReview: req.NeedsReview, KDRT: req.KDRT}
	fields := domain.FieldErrors{}
	if req.ReportedAt != "" {
		t, err := time.Parse(time.RFC3339, req.ReportedAt)
		if err != nil {
			fields["reported_at"] = domain.M("case.field.rfc3339", "2026-01-31T08:00:00+07:00")
		}
		nc.ReportedAt = t
	}
	if len(req.Victims) > maxVictims {
		fields["victims"] = domain.M("case.field.victims_max", maxVictims)
	}
	if len(fields) > 0 {
		a.fail(w, r, domain.InvalidFields(fields))
		return
	}
	for _, v := range req.Victims {
		nc.Victims = append(nc.Victims, v.victim())
	}
	sc := scope(r)
	c, err := a.cases.CreateCase(r.Context(), sc, nc)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.respondCase(w, r, sc, c.ID, http.StatusCreated)
}
