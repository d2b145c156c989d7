package api

// Adding to a case: notes, victims, perpetrators, services, referrals and
// placements.
//
// The case area decides who may do what (every call takes the caller's scope);
// these handlers only read requests, validate query parameters and map
// errors.

import (
	"net/http"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/httpx"
)

// NoteRequest is the body of POST /api/v1/cases/{id}/notes.
type NoteRequest struct {
	Note string `json:"note"`
}

// PerpetratorInput is the body of POST /api/v1/cases/{id}/perpetrators.
type PerpetratorInput struct {
	Name     string `json:"name"`
	Sex      string `json:"sex"`
	Age      *int   `json:"age"`
	Relation string `json:"relation"`
	// SIMFONI-PPA codes.
	Education  string `json:"education"`
	Occupation string `json:"occupation"`
}

// ServiceInput is the body of POST /api/v1/cases/{id}/services.
type ServiceInput struct {
	Type     string `json:"type"`
	Provider string `json:"provider"`
	GivenOn  string `json:"given_on"`
	Note     string `json:"note"`
	VictimID string `json:"victim_id"`
	EndedOn  string `json:"ended_on"`
	Outcome  string `json:"outcome"`
}

// ReferralInput is the body of POST /api/v1/cases/{id}/referrals.
type ReferralInput struct {
	Agency     string `json:"agency"`
	Reason     string `json:"reason"`
	ReferredOn string `json:"referred_on"`
}

// PlacementInput is the body of POST /api/v1/cases/{id}/placements.
type PlacementInput struct {
	Kind      string `json:"kind"`
	PlaceName string `json:"place_name"`
	FromDate  string `json:"from_date"`
	ToDate    string `json:"to_date"`
	VictimID  string `json:"victim_id"`
}

// detail returns a handler that decodes a body of type T, turns it into a
// cases.CaseDetail, adds it, and answers 201 with the case.
func detail[T any](a *API, conv func(T) cases.CaseDetail) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req T
		if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
			a.fail(w, r, err)
			return
		}
		sc, id := scope(r), r.PathValue("id")
		if err := a.cases.AddDetail(r.Context(), sc, id, conv(req)); err != nil {
			a.fail(w, r, err)
			return
		}
		a.respondCase(w, r, sc, id, http.StatusCreated)
	}
}

func (a *API) addNote() http.HandlerFunc {
	return detail(a, func(n NoteRequest) cases.CaseDetail { return cases.CaseDetail{Note: n.Note} })
}

func (a *API) addVictim() http.HandlerFunc {
	return detail(a, func(v VictimInput) cases.CaseDetail {
		d := v.victim()
		return cases.CaseDetail{Victim: &d}
	})
}

func (a *API) addPerpetrator() http.HandlerFunc {
	return detail(a, func(p PerpetratorInput) cases.CaseDetail {
		return cases.CaseDetail{Perpetrator: &domain.Perpetrator{Name: p.Name, Sex: domain.Sex(p.Sex), Age: p.Age, Relation: p.Relation,
			Education: p.Education, Occupation: p.Occupation}}
	})
}

func (a *API) addService() http.HandlerFunc {
	return detail(a, func(s ServiceInput) cases.CaseDetail {
		return cases.CaseDetail{Service: &domain.Service{Type: s.Type, Provider: s.Provider, GivenOn: s.GivenOn, Note: s.Note, VictimID: s.VictimID,
			EndedOn: s.EndedOn, Outcome: s.Outcome}}
	})
}

func (a *API) addReferral() http.HandlerFunc {
	return detail(a, func(rf ReferralInput) cases.CaseDetail {
		return cases.CaseDetail{Referral: &domain.Referral{Agency: rf.Agency, Reason: rf.Reason, ReferredOn: rf.ReferredOn}}
	})
}

func (a *API) addPlacement() http.HandlerFunc {
	return detail(a, func(p PlacementInput) cases.CaseDetail {
		return cases.CaseDetail{Placement: &domain.Placement{Kind: p.Kind, PlaceName: p.PlaceName, FromDate: p.FromDate, ToDate: p.ToDate, VictimID: p.VictimID}}
	})
}
