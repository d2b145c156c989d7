package api

// Musrenbang Anak (/api/v1/forums, /api/v1/proposals, /api/v1/tickets,
// /api/v1/musrenbang/...; public: /api/v1/public/proposals). The area
// decides who may do what; children appear by nickname and age group
// only, and the public routes carry no account id.

import (
	"net/http"
	"strconv"
	"time"

	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/musrenbang"
)

func (a *API) musrenbangRoutes() []Route {
	return []Route{
		{"GET", "/api/v1/forums", false, a.listForums},
		{"POST", "/api/v1/forums", false, a.createForum},
		{"GET", "/api/v1/forums/{id}/children", false, a.listChildren},
		{"POST", "/api/v1/forums/{id}/children", false, a.registerChild},
		{"POST", "/api/v1/children/{id}/code", false, a.resetChildCode},
		{"POST", "/api/v1/forums/{id}/facilitators", false, a.addFacilitator},
		{"GET", "/api/v1/proposals", false, a.listProposals},
		{"GET", "/api/v1/proposals/{id}", false, a.getProposal},
		{"PUT", "/api/v1/proposals/{id}", false, a.editProposal},
		{"POST", "/api/v1/proposals/{id}/approve", false, a.approveProposal},
		{"POST", "/api/v1/proposals/{id}/reject", false, a.rejectProposal},
		{"POST", "/api/v1/proposals/merge", false, a.mergeProposals},
		{"POST", "/api/v1/proposals/{id}/split", false, a.splitProposal},
		{"POST", "/api/v1/proposals/{id}/ticket", false, a.selectTicket},
		{"GET", "/api/v1/tickets", false, a.listTickets},
		{"POST", "/api/v1/tickets/{id}/steps", false, a.recordTicketStep},
		{"GET", "/api/v1/musrenbang/funnel", false, a.musrenbangFunnel},
		{"GET", "/api/v1/musrenbang/calendar", false, a.getCalendar},
		{"PUT", "/api/v1/musrenbang/calendar", false, a.putCalendar},
		{"GET", "/api/v1/public/proposals", true, a.publicProposals},
		{"GET", "/api/v1/public/proposals/{code}", true, a.trackProposal},
	}
}

// ForumList is the answer of GET /api/v1/forums.
type ForumList struct {
	Forums []musrenbang.Forum `json:"forums"`
}

// ForumRequest is the body of POST /api/v1/forums.
type ForumRequest struct {
	Name       string `json:"name"`
	RegionCode string `json:"region_code"`
}

// ChildList is the answer of GET /api/v1/forums/{id}/children.
type ChildList struct {
	Children []musrenbang.Child `json:"children"`
}

// RegisteredChild is the answer of POST /api/v1/forums/{id}/children: the
// account and its login code, shown this once.
type RegisteredChild struct {
	Child     musrenbang.Child `json:"child"`
	LoginCode string           `json:"login_code"`
}

// ProposalList is a list of proposals.
type ProposalList struct {
	Proposals []musrenbang.Proposal `json:"proposals"`
}

// ProposalEdit is the body of PUT /api/v1/proposals/{id}.
type ProposalEdit struct {
	Title   string `json:"title"`
	Body    string `json:"body"`
	Version int    `json:"version"`
}

// ProposalMergeRequest is the body of POST /api/v1/proposals/merge.
type ProposalMergeRequest struct {
	IDs   []string `json:"ids"`
	Title string   `json:"title"`
	Body  string   `json:"body"`
}

// TicketRequest is the body of POST /api/v1/proposals/{id}/ticket.
type TicketRequest struct {
	Year int `json:"year"`
}

// TicketList is the answer of GET /api/v1/tickets.
type TicketList struct {
	Tickets []musrenbang.Ticket `json:"tickets"`
}

// StepRequest is the body of POST /api/v1/tickets/{id}/steps.
type StepRequest struct {
	musrenbang.StepInput
	Version int `json:"version"`
}

// FunnelAnswer is the answer of GET /api/v1/musrenbang/funnel.
type FunnelAnswer struct {
	musrenbang.Funnel
	TicketRate      float64        `json:"ticket_rate"` // tickets / proposals, %
	RKPDRate        float64        `json:"rkpd_rate"`   // RKPD / tickets, %
	APBDRate        float64        `json:"apbd_rate"`   // APBD / RKPD, %
	LinesByAPBDYear map[string]int `json:"apbd_lines_by_year"`
}

// CalendarBody is the planning calendar of a year.
type CalendarBody struct {
	RegionCode string            `json:"region_code"`
	Year       int               `json:"year"`
	Days       map[string]string `json:"days"`
}

// TrackAnswer is the answer of GET /api/v1/public/proposals/{code}.
type TrackAnswer struct {
	Proposal musrenbang.Proposal `json:"proposal"`
	Events   []musrenbang.Event  `json:"events"`
}

func (a *API) mr() *musrenbang.Service { return musrenbang.New(a.st) }

func (a *API) listForums(w http.ResponseWriter, r *http.Request) {
	fs, err := a.mr().Forums(r.Context(), scope(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, ForumList{Forums: nonNil(fs)})
}

func (a *API) createForum(w http.ResponseWriter, r *http.Request) {
	var req ForumRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	f, err := a.mr().CreateForum(r.Context(), scope(r), req.Name, req.RegionCode)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, f)
}

// FacilitatorRequest is the body of POST /api/v1/forums/{id}/facilitators.
type FacilitatorRequest struct {
	UserID string `json:"user_id"`
}

func (a *API) addFacilitator(w http.ResponseWriter, r *http.Request) {
	var req FacilitatorRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	sc := scope(r)
	if err := a.mr().AddFacilitator(r.Context(), sc, r.PathValue("id"), req.UserID); err != nil {
		a.fail(w, r, err)
		return
	}
	a.listForums(w, r)
}

func (a *API) listChildren(w http.ResponseWriter, r *http.Request) {
	cs, err := a.mr().Children(r.Context(), scope(r), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, ChildList{Children: nonNil(cs)})
}

func (a *API) registerChild(w http.ResponseWriter, r *http.Request) {
	var nc musrenbang.NewChild
	if err := httpx.DecodeJSON(w, r, &nc, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	nc.ForumID = r.PathValue("id")
	c, code, err := a.mr().RegisterChild(r.Context(), scope(r), nc)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusCreated, RegisteredChild{Child: c, LoginCode: code})
}

func (a *API) resetChildCode(w http.ResponseWriter, r *http.Request) {
	code, err := a.mr().ResetCode(r.Context(), scope(r), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"login_code": code})
}

func (a *API) listProposals(w http.ResponseWriter, r *http.Request) {
	ps, err := a.mr().Queue(r.Context(), scope(r), r.URL.Query().Get("status"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, ProposalList{Proposals: nonNil(ps)})
}

func (a *API) getProposal(w http.ResponseWriter, r *http.Request) {
	p, err := a.mr().Get(r.Context(), scope(r), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, p)
}

// proposalDone answers a change with the proposal as it is now.
func (a *API) proposalDone(w http.ResponseWriter, r *http.Request, id string, err error) {
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.getProposal(w, r)
}

func (a *API) editProposal(w http.ResponseWriter, r *http.Request) {
	var req ProposalEdit
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	a.proposalDone(w, r, r.PathValue("id"), a.mr().Edit(r.Context(), scope(r), r.PathValue("id"), req.Title, req.Body, req.Version))
}

func (a *API) approveProposal(w http.ResponseWriter, r *http.Request) {
	a.proposalDone(w, r, r.PathValue("id"), a.mr().Approve(r.Context(), scope(r), r.PathValue("id")))
}

func (a *API) rejectProposal(w http.ResponseWriter, r *http.Request) {
	var req ReasonRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	a.proposalDone(w, r, r.PathValue("id"), a.mr().Reject(r.Context(), scope(r), r.PathValue("id"), req.Reason))
}

func (a *API) mergeProposals(w http.ResponseWriter, r *http.Request) {
	var req ProposalMergeRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	m, err := a.mr().Merge(r.Context(), scope(r), req.IDs, req.Title, req.Body)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, m)
}

func (a *API) splitProposal(w http.ResponseWriter, r *http.Request) {
	if err := a.mr().Split(r.Context(), scope(r), r.PathValue("id")); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) selectTicket(w http.ResponseWriter, r *http.Request) {
	var req TicketRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	t, err := a.mr().SelectTicket(r.Context(), scope(r), r.PathValue("id"), req.Year)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, t)
}

func (a *API) listTickets(w http.ResponseWriter, r *http.Request) {
	year, _ := strconv.Atoi(r.URL.Query().Get("year"))
	ts, err := a.mr().Tickets(r.Context(), scope(r), year)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, TicketList{Tickets: nonNil(ts)})
}

func (a *API) recordTicketStep(w http.ResponseWriter, r *http.Request) {
	var req StepRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	sc := scope(r)
	if err := a.mr().RecordStep(r.Context(), sc, r.PathValue("id"), req.StepInput, req.Version); err != nil {
		a.fail(w, r, err)
		return
	}
	t, err := a.mr().Ticket(r.Context(), sc, r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, t)
}

// yearParam reads ?year= (default this year).
func (a *API) yearParam(r *http.Request) (int, error) {
	raw := r.URL.Query().Get("year")
	if raw == "" {
		return a.st.Now().In(domain.ZoneFor(a.rootRegion)).Year(), nil
	}
	y, err := strconv.Atoi(raw)
	if err != nil || y < 2000 || y > 2100 {
		return 0, domain.InvalidFields(domain.FieldErrors{"year": domain.M("mr.field.year")})
	}
	return y, nil
}

func (a *API) musrenbangFunnel(w http.ResponseWriter, r *http.Request) {
	year, err := a.yearParam(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	sc := scope(r)
	f, err := a.mr().FunnelFor(r.Context(), sc, r.URL.Query().Get("region"), year)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	lines, err := a.mr().APBDLinesByYear(r.Context(), sc)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := FunnelAnswer{Funnel: f, TicketRate: musrenbang.Rate(f.Tickets, f.Proposals), RKPDRate: musrenbang.Rate(f.RKPD, f.Tickets),
		APBDRate: musrenbang.Rate(f.APBD, f.RKPD), LinesByAPBDYear: map[string]int{}}
	for y, n := range lines {
		out.LinesByAPBDYear[strconv.Itoa(y)] = n
	}
	httpx.WriteJSON(w, http.StatusOK, out)
}

// calendarRegion is the regency of the caller's region (calendars are
// the regency's).
func calendarRegion(sc domain.Scope) string {
	if len(sc.RegionCode) > 5 {
		return sc.RegionCode[:5]
	}
	return sc.RegionCode
}

func (a *API) getCalendar(w http.ResponseWriter, r *http.Request) {
	sc := scope(r)
	if !sc.Can(domain.PermPlanTickets) && !sc.Can(domain.PermModerateProposals) && !sc.Can(domain.PermViewDashboard) {
		a.fail(w, r, domain.E(domain.EForbidden, "error.forbidden"))
		return
	}
	year, err := a.yearParam(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	days, err := a.mr().Calendar(r.Context(), calendarRegion(sc), year)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, CalendarBody{RegionCode: calendarRegion(sc), Year: year, Days: days})
}

func (a *API) putCalendar(w http.ResponseWriter, r *http.Request) {
	var req CalendarBody
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	sc := scope(r)
	if req.RegionCode == "" {
		req.RegionCode = calendarRegion(sc)
	}
	if err := a.mr().SetCalendar(r.Context(), sc, req.RegionCode, req.Year, req.Days); err != nil {
		a.fail(w, r, err)
		return
	}
	days, err := a.mr().Calendar(r.Context(), req.RegionCode, req.Year)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, CalendarBody{RegionCode: req.RegionCode, Year: req.Year, Days: days})
}

// publicProposals lists the public proposals (no account ids; authors by
// nickname and age group).
func (a *API) publicProposals(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	region := a.rootRegion
	if d := q.Get("region"); d != "" {
		if !domain.RegionWithin(d, a.rootRegion) {
			a.fail(w, r, domain.NotFound("region"))
			return
		}
		region = d
	}
	ps, err := a.mr().Public(r.Context(), musrenbang.PublicFilter{Region: region, Cluster: q.Get("cluster"), AgeGroup: q.Get("age_group"),
		Status: q.Get("status"), Sort: q.Get("sort")})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, ProposalList{Proposals: publicOnly(ps)})
}

// publicOnly drops what the public does not see: ids that name records
// and the forum's internal id.
func publicOnly(ps []musrenbang.Proposal) []musrenbang.Proposal {
	out := make([]musrenbang.Proposal, len(ps))
	for i, p := range ps {
		p.ID, p.ForumID, p.Flags = "", "", nil
		out[i] = p
	}
	return out
}

func (a *API) trackProposal(w http.ResponseWriter, r *http.Request) {
	ok, until, err := a.st.Allow(r.Context(), "mr-track:"+a.clientIP(r), 30, 10*time.Minute)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if !ok {
		a.fail(w, r, &domain.Error{Code: domain.ETooMany, Message: "too many look-ups", RetryAfterSeconds: int(time.Until(until).Seconds()) + 1})
		return
	}
	p, evs, err := a.mr().Track(r.Context(), r.PathValue("code"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, TrackAnswer{Proposal: publicOnly([]musrenbang.Proposal{p})[0], Events: nonNil(evs)})
}
