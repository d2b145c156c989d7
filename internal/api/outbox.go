package api

// The outbox list (GET /api/v1/outbox): the messages the caller may see,
// decided by the store from the caller's scope. The case-area handlers are
// in one file per subject (reports_triage.go, case_*.go, teams.go, duty.go,
// sla_rules.go); the public report routes are in reports_public.go.

import (
	"net/http"
	"strconv"

	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/outbox"
)

// OutboxList is the answer of GET /api/v1/outbox.
type OutboxList struct {
	Messages []domain.OutboxMessage `json:"messages"`
}

func (a *API) listOutbox(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	fields := domain.FieldErrors{}
	f := outbox.Filter{Status: q.Get("status")}
	switch f.Status {
	case "", "pending", "sent", "delivered", "failed":
	default:
		fields["status"] = domain.M("case.field.outbox_status")
	}
	if v := q.Get("mine"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			fields["mine"] = domain.M("case.field.mine")
		}
		f.Mine = b
	}
	f.Limit = intField(r, "limit", 100, 1, 500, fields)
	if len(fields) > 0 {
		a.fail(w, r, domain.InvalidFields(fields))
		return
	}
	ms, err := outbox.List(r.Context(), a.st, scope(r), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, OutboxList{Messages: ms})
}
