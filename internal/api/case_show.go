package api

// Reading one case (GET /api/v1/cases/{id}) and answering with a case as
// its reader sees it.
//
// The case area decides who may do what (every call takes the caller's scope);
// these handlers only read requests, validate query parameters and map
// errors.

import (
	"net/http"
	"strconv"

	"lindu/internal/domain"
	"lindu/internal/httpx"
)

// respondCase answers with case id as GetCase shows it to the caller. The
// store's mutations return the case with its personal fields but without
// writing the read to the audit log; reading it again through GetCase
// records the view ("case.view_personal"), as for every other read.
func (a *API) respondCase(w http.ResponseWriter, r *http.Request, sc domain.Scope, id string, status int) {
	c, err := a.cases.GetCase(r.Context(), sc, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", "/api/v1/cases/"+c.ID)
	}
	// The version a change must carry (If-Match), see case_edit.go.
	w.Header().Set("ETag", `"`+strconv.Itoa(c.Version)+`"`)
	httpx.WriteJSON(w, status, c)
}

func (a *API) getCase(w http.ResponseWriter, r *http.Request) {
	a.respondCase(w, r, scope(r), r.PathValue("id"), http.StatusOK)
}
