package api

// Reports, cases, teams, duty roster, deadline rules and the outbox.
//
// The case area decides who may do what (every call takes the caller's scope);
// these handlers only read requests, validate query parameters and map
// errors. Two routes are public: filing a report and looking up its status.
// Both are rate-limited per client address in the database (so every lindu
// instance counts together), and filing also per contact phone.

import (
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/store"
)

// Limits of the public endpoints.
const (
	// MaxReportBody is the largest public report body (the description is
	// at most cases.MaxDescription characters).
	MaxReportBody = 32 << 10
	// ReportsPerIP is how many reports one client address may file per
	// ReportWindow.
	ReportsPerIP = 10
	// ReportsPerPhone is how many reports may name one contact phone per
	// ReportWindow.
	ReportsPerPhone = 5
	// ReportWindow is the window of the two report limits.
	ReportWindow = time.Hour
	// StatusLookupsPerIP is how many status lookups one client address may
	// make per StatusWindow: enough for a reporter, too few to guess codes
	// (10^8 possible codes).
	StatusLookupsPerIP = 60
	// StatusWindow is the window of the status lookup limit.
	StatusWindow = 10 * time.Minute
	// MaxIdempotencyKey bounds client_request_id / Idempotency-Key.
	MaxIdempotencyKey = 128

	maxStaffBody = 64 << 10  // notes, transitions, details
	maxCaseBody  = 256 << 10 // a case with its summary and victims
	maxVictims   = 100
)

// clientIP is the client's address for rate limits and the audit log.
func (a *API) clientIP(r *http.Request) string { return httpx.ClientIP(r, a.trustProxy) }

// limitKey is what the per-address limits count: an IPv4 address, or the
// /64 network of an IPv6 address (one subscriber usually holds a whole /64
// and could otherwise rotate addresses).
func limitKey(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	addr = addr.Unmap().WithZone("")
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}

// allow counts one hit for key and, when over the limit, answers 429 with
// Retry-After and returns false.
func (a *API) allow(w http.ResponseWriter, r *http.Request, key string, limit int, window time.Duration) bool {
	ok, reset, err := a.st.Allow(r.Context(), key, limit, window)
	if err != nil {
		a.fail(w, r, err)
		return false
	}
	if ok {
		return true
	}
	secs := int(math.Ceil(time.Until(reset).Seconds()))
	secs = max(1, min(secs, int(window.Seconds())))
	a.fail(w, r, &domain.Error{Code: domain.ETooMany, RetryAfterSeconds: secs,
		Message: "too many requests from here; try again in " + strconv.Itoa(secs) + " seconds"})
	return false
}

// intField parses an optional integer query parameter within [lo, hi]
// (intParam), naming a bad one in f with a message key.
func intField(r *http.Request, name string, def, lo, hi int, f domain.FieldErrors) int {
	bad := map[string]string{}
	n := intParam(r, name, def, lo, hi, bad)
	if _, ok := bad[name]; ok {
		f[name] = domain.M("field.int_range", lo, hi)
	}
	return n
}

// ---- public reports ----

// NewReportRequest is the body of POST /api/v1/reports.
type NewReportRequest struct {
	Description     string `json:"description"`
	RegionCode      string `json:"region_code"`
	Anonymous       bool   `json:"anonymous"`
	ChildAge        *int   `json:"child_age"`
	ChildSex        string `json:"child_sex"`
	ContactPhone    string `json:"contact_phone"`
	ReporterName    string `json:"reporter_name"`
	ClientRequestID string `json:"client_request_id"`
}

// ReportReceipt is the answer of POST /api/v1/reports.
type ReportReceipt struct {
	Code          string `json:"code"`
	CodeFormatted string `json:"code_formatted"`
	StatusURL     string `json:"status_url"`
}

// createReport files a public report. Order of checks: the body (size,
// JSON, fields, the region exists) first, then the rate limits, then the
// store. A request whose body is invalid is therefore not counted: it
// stores nothing and costs no database write, and a person correcting a
// mistake keeps their quota. Every valid request counts, including a repeat of an idempotency
// key (telling a repeat apart needs a database lookup the case area does not
// offer before the insert).
func (a *API) createReport(w http.ResponseWriter, r *http.Request) {
	var req NewReportRequest
	if err := httpx.DecodeJSON(w, r, &req, MaxReportBody); err != nil {
		a.fail(w, r, err)
		return
	}
	key := strings.TrimSpace(req.ClientRequestID)
	bad := domain.FieldErrors{}
	if h := strings.TrimSpace(r.Header.Get("Idempotency-Key")); h != "" {
		if key != "" && key != h {
			bad["client_request_id"] = domain.M("report.field.request_id_differs")
		}
		key = h
	}
	if len(key) > MaxIdempotencyKey || strings.IndexFunc(key, func(c rune) bool { return !unicode.IsPrint(c) }) >= 0 {
		bad["client_request_id"] = domain.M("report.field.request_id", MaxIdempotencyKey)
	}
	nr := domain.NewReport{Channel: domain.ChannelAPI, RegionCode: req.RegionCode, Description: req.Description,
		ChildAge: req.ChildAge, ChildSex: domain.Sex(req.ChildSex), Anonymous: req.Anonymous,
		ContactPhone: req.ContactPhone, ReporterName: req.ReporterName}
	if key != "" {
		// Namespaced so that an API client cannot collide with (and learn
		// the code of) an SMS or WhatsApp report keyed by its message id.
		nr.IdempotencyKey = "api:" + key
	}
	if err := cases.ValidateReport(&nr, a.rootRegion); err != nil || len(bad) > 0 {
		if e, ok := domain.AsError(err); ok {
			for k, v := range e.Fields {
				bad[k] = v
			}
		}
		a.fail(w, r, domain.InvalidFields(bad))
		return
	}
	// An unknown village is a mistake in the body too: checked (a read)
	// before counting.
	if _, err := a.st.GetRegion(r.Context(), nr.RegionCode); err != nil {
		if domain.IsNotFound(err) {
			err = domain.InvalidFields(domain.FieldErrors{"region_code": domain.M("case.field.region_unknown")})
		}
		a.fail(w, r, err)
		return
	}
	ip := a.clientIP(r)
	if !a.allow(w, r, "report:ip:"+limitKey(ip), ReportsPerIP, ReportWindow) {
		return
	}
	if nr.ContactPhone != "" {
		// The key holds a keyed hash, never the number.
		if !a.allow(w, r, "report:phone:"+a.st.Box().Hash("ratelimit.phone", nr.ContactPhone), ReportsPerPhone, ReportWindow) {
			return
		}
	}
	rep, created, err := a.cases.CreateReport(r.Context(), access.Public(ip, r.UserAgent()), nr, a.rootRegion)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := ReportReceipt{Code: rep.Code, CodeFormatted: domain.FormatPublicCode(rep.Code),
		StatusURL: "/api/v1/reports/" + rep.Code + "/status"}
	w.Header().Set("Location", out.StatusURL)
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	}
	httpx.WriteJSON(w, status, out)
}

// reportStatus tells anyone holding a code how the report is going: status
// and dates only. Every lookup counts against the client's limit, found or
// not, so codes cannot be guessed.
func (a *API) reportStatus(w http.ResponseWriter, r *http.Request) {
	if !a.allow(w, r, "status:ip:"+limitKey(a.clientIP(r)), StatusLookupsPerIP, StatusWindow) {
		return
	}
	v, err := a.cases.PublicReportStatus(r.Context(), r.PathValue("code"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, v)
}

// ---- report triage (staff) ----

// ReportList is the answer of GET /api/v1/reports.
type ReportList struct {
	Reports []domain.Report `json:"reports"`
	Total   int             `json:"total"`
	Limit   int             `json:"limit"`
	Offset  int             `json:"offset"`
}

func (a *API) listReports(w http.ResponseWriter, r *http.Request) {
	fields := domain.FieldErrors{}
	f := cases.ReportFilter{Status: domain.ReportStatus(r.URL.Query().Get("status"))}
	switch f.Status {
	case "", domain.ReportNew, domain.ReportVerified, domain.ReportMerged, domain.ReportRejected:
	default:
		fields["status"] = domain.M("report.field.status_filter")
	}
	f.Limit = intField(r, "limit", 50, 1, 200, fields)
	f.Offset = intField(r, "offset", 0, 0, 1<<30, fields)
	if len(fields) > 0 {
		a.fail(w, r, domain.InvalidFields(fields))
		return
	}
	reps, total, err := a.cases.ListReports(r.Context(), scope(r), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, ReportList{Reports: reps, Total: total, Limit: f.Limit, Offset: f.Offset})
}

func (a *API) getReport(w http.ResponseWriter, r *http.Request) {
	rep, err := a.cases.GetReport(r.Context(), scope(r), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, rep)
}

// VerifyRequest is the body of POST /api/v1/reports/{id}/verify.
type VerifyRequest struct {
	Priority string   `json:"priority"`
	Types    []string `json:"types"`
	Summary  string   `json:"summary"`
}

func (a *API) verifyReport(w http.ResponseWriter, r *http.Request) {
	var req VerifyRequest
	if err := httpx.DecodeJSON(w, r, &req, maxCaseBody); err != nil {
		a.fail(w, r, err)
		return
	}
	sc := scope(r)
	c, err := a.cases.VerifyReport(r.Context(), sc, r.PathValue("id"), cases.VerifyInput{
		Priority: domain.Priority(req.Priority), Types: violenceTypes(req.Types), Summary: req.Summary})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.respondCase(w, r, sc, c.ID, http.StatusCreated)
}

// MergeRequest is the body of POST /api/v1/reports/{id}/merge.
type MergeRequest struct {
	CaseID string `json:"case_id"`
}

func (a *API) mergeReport(w http.ResponseWriter, r *http.Request) {
	var req MergeRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	if strings.TrimSpace(req.CaseID) == "" {
		a.fail(w, r, domain.InvalidFields(domain.FieldErrors{"case_id": domain.M("report.field.case_required")}))
		return
	}
	sc := scope(r)
	if err := a.cases.MergeReport(r.Context(), sc, r.PathValue("id"), req.CaseID); err != nil {
		a.fail(w, r, err)
		return
	}
	a.respondCase(w, r, sc, req.CaseID, http.StatusOK)
}

// RejectRequest is the body of POST /api/v1/reports/{id}/reject.
type RejectRequest struct {
	Reason string `json:"reason"`
}

func (a *API) rejectReport(w http.ResponseWriter, r *http.Request) {
	var req RejectRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	sc, id := scope(r), r.PathValue("id")
	if err := a.cases.RejectReport(r.Context(), sc, id, req.Reason); err != nil {
		a.fail(w, r, err)
		return
	}
	rep, err := a.cases.GetReport(r.Context(), sc, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, rep)
}

// DuplicateList is the answer of GET /api/v1/reports/{id}/duplicates.
type DuplicateList struct {
	Candidates []cases.DuplicateCandidate `json:"candidates"`
}

func (a *API) reportDuplicates(w http.ResponseWriter, r *http.Request) {
	ds, err := a.cases.SuggestDuplicates(r.Context(), scope(r), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if ds == nil {
		ds = []cases.DuplicateCandidate{}
	}
	httpx.WriteJSON(w, http.StatusOK, DuplicateList{Candidates: ds})
}

// ---- cases ----

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
	httpx.WriteJSON(w, status, c)
}

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
	cs, total, err := a.cases.ListCases(r.Context(), sc, f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	counts, err := a.cases.CaseCounts(r.Context(), sc)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, CaseList{Cases: cs, Total: total, Limit: f.Limit, Offset: f.Offset, Counts: counts})
}

// VictimInput is a victim as sent by a client.
type VictimInput struct {
	Name       string   `json:"name"`
	Sex        string   `json:"sex"`
	Age        *int     `json:"age"`
	Disability string   `json:"disability"`
	Education  string   `json:"education"`
	Place      string   `json:"place"`
	Types      []string `json:"types"`
}

func (v VictimInput) victim() domain.Victim {
	return domain.Victim{Name: v.Name, Sex: domain.Sex(v.Sex), Age: v.Age, Disability: v.Disability,
		Education: v.Education, Place: v.Place, Types: violenceTypes(v.Types)}
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
		NeedsReview: req.NeedsReview}
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

func (a *API) getCase(w http.ResponseWriter, r *http.Request) {
	a.respondCase(w, r, scope(r), r.PathValue("id"), http.StatusOK)
}

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
}

// ServiceInput is the body of POST /api/v1/cases/{id}/services.
type ServiceInput struct {
	Type     string `json:"type"`
	Provider string `json:"provider"`
	GivenOn  string `json:"given_on"`
	Note     string `json:"note"`
	VictimID string `json:"victim_id"`
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
		return cases.CaseDetail{Perpetrator: &domain.Perpetrator{Name: p.Name, Sex: domain.Sex(p.Sex), Age: p.Age, Relation: p.Relation}}
	})
}

func (a *API) addService() http.HandlerFunc {
	return detail(a, func(s ServiceInput) cases.CaseDetail {
		return cases.CaseDetail{Service: &domain.Service{Type: s.Type, Provider: s.Provider, GivenOn: s.GivenOn, Note: s.Note, VictimID: s.VictimID}}
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

// ---- teams, duty roster, deadline rules, outbox ----

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

// OutboxList is the answer of GET /api/v1/outbox.
type OutboxList struct {
	Messages []domain.OutboxMessage `json:"messages"`
}

func (a *API) listOutbox(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	fields := domain.FieldErrors{}
	f := store.OutboxFilter{Status: q.Get("status")}
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
	ms, err := a.st.ListOutbox(r.Context(), scope(r), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, OutboxList{Messages: ms})
}
