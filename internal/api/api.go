// Package api serves lindu's JSON API under /api/v1: the same store calls
// and the same error mapping as the HTML pages, authenticated by bearer
// tokens (or the browser session), described by an OpenAPI document that a
// test keeps in sync with the routes registered here.
package api

import (
	_ "embed"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/intake"
	"lindu/internal/shelters"
	"lindu/internal/store"
)

//go:embed openapi.json
var openapiDoc []byte

// API is the JSON front end.
type API struct {
	st         *store.Store
	cases      *cases.Service
	intake     *intake.Service // public reports and their status (reports_public.go)
	shelters   *shelters.Service
	log        *slog.Logger
	rootRegion string
	trustProxy bool
}

// New returns the API on the store and the case area.
// trustProxy takes client addresses from X-Forwarded-For (behind a proxy).
func New(st *store.Store, cs *cases.Service, log *slog.Logger, rootRegion string, trustProxy bool) *API {
	return &API{st: st, cases: cs, intake: &intake.Service{Store: st, Cases: cs, Region: rootRegion}, shelters: shelters.New(st, cs),
		log: log, rootRegion: rootRegion, trustProxy: trustProxy}
}

// Route is one registered API route.
type Route struct {
	Method, Path string
	Public       bool
	handler      http.HandlerFunc
}

// Routes lists every API route; Register mounts exactly these, and the
// OpenAPI test compares them with the document.
func (a *API) Routes() []Route {
	return append([]Route{
		{"GET", "/api/v1/openapi.json", true, a.openapi},
		{"GET", "/api/v1/regions", true, a.listRegions},
		{"GET", "/api/v1/regions/{code}", true, a.getRegion},
		{"GET", "/api/v1/me", false, a.me},
		{"GET", "/api/v1/users", false, a.listUsers},
		{"POST", "/api/v1/users", false, a.createUser},
		{"GET", "/api/v1/users/{id}", false, a.getUser},
		{"PATCH", "/api/v1/users/{id}", false, a.updateUser},
		{"GET", "/api/v1/audit", false, a.listAudit},

		// Public intake: the only public routes besides reference data.
		{"POST", "/api/v1/reports", true, a.createReport},
		{"GET", "/api/v1/reports/{code}/status", true, a.reportStatus},
		// Triage.
		{"GET", "/api/v1/reports", false, a.listReports},
		{"GET", "/api/v1/reports/{id}", false, a.getReport},
		{"GET", "/api/v1/reports/{id}/media/{media}", false, a.downloadReportMedia},
		{"POST", "/api/v1/reports/{id}/verify", false, a.verifyReport},
		{"POST", "/api/v1/reports/{id}/merge", false, a.mergeReport},
		{"POST", "/api/v1/reports/{id}/reject", false, a.rejectReport},
		{"GET", "/api/v1/reports/{id}/duplicates", false, a.reportDuplicates},
		// Cases.
		{"GET", "/api/v1/cases", false, a.listCases},
		{"POST", "/api/v1/cases", false, a.createCase},
		{"GET", "/api/v1/cases/{id}", false, a.getCase},
		{"POST", "/api/v1/cases/{id}/transitions", false, a.transitionCase},
		{"POST", "/api/v1/cases/{id}/assignment", false, a.assignCase},
		{"POST", "/api/v1/cases/{id}/notes", false, a.addNote()},
		{"POST", "/api/v1/cases/{id}/victims", false, a.addVictim()},
		{"POST", "/api/v1/cases/{id}/perpetrators", false, a.addPerpetrator()},
		{"POST", "/api/v1/cases/{id}/services", false, a.addService()},
		{"POST", "/api/v1/cases/{id}/referrals", false, a.addReferral()},
		{"POST", "/api/v1/cases/{id}/placements", false, a.addPlacement()},
		{"POST", "/api/v1/cases/{id}/emergency-access", false, a.emergencyAccess},
		{"PATCH", "/api/v1/cases/{id}", false, a.patchCase},
		{"GET", "/api/v1/cases/{id}/changes", false, a.caseChanges},
		{"PATCH", "/api/v1/cases/{id}/victims/{vid}", false, a.patchVictim},
		{"DELETE", "/api/v1/cases/{id}/victims/{vid}", false, a.remove("victim", "vid")},
		{"PATCH", "/api/v1/cases/{id}/perpetrators/{pid}", false, a.patchPerpetrator},
		{"DELETE", "/api/v1/cases/{id}/perpetrators/{pid}", false, a.remove("perpetrator", "pid")},
		{"PATCH", "/api/v1/cases/{id}/services/{sid}", false, a.patchService},
		{"DELETE", "/api/v1/cases/{id}/services/{sid}", false, a.remove("service", "sid")},
		{"GET", "/api/v1/exports/simfoni", false, a.exportSIMFONI},
		{"GET", "/api/v1/exports/simfoni/completeness", false, a.simfoniCompleteness},
		{"GET", "/api/v1/cases/{id}/documents", false, a.listDocuments},
		{"POST", "/api/v1/cases/{id}/documents", false, a.uploadDocument},
		{"GET", "/api/v1/cases/{id}/documents/{doc}", false, a.downloadDocument},
		{"DELETE", "/api/v1/cases/{id}/documents/{doc}", false, a.deleteDocument},
		// Teams, duty roster, deadline rules, outgoing messages.
		{"GET", "/api/v1/teams", false, a.listTeams},
		{"POST", "/api/v1/teams", false, a.createTeam},
		{"GET", "/api/v1/teams/{id}", false, a.getTeam},
		{"PUT", "/api/v1/teams/{id}/members", false, a.setTeamMembers},
		{"GET", "/api/v1/duty", false, a.listDuty},
		{"POST", "/api/v1/duty", false, a.addDuty},
		{"GET", "/api/v1/sla-rules", false, a.listSLARules},
		{"PUT", "/api/v1/sla-rules", false, a.setSLARule},
		{"GET", "/api/v1/outbox", false, a.listOutbox},
		// KLA indicators, values and scores.
		{"GET", "/api/v1/kla/indicators", false, a.listKLAIndicators},
		{"PUT", "/api/v1/kla/values", false, a.putKLAValues},
		{"GET", "/api/v1/kla/scores", false, a.klaScores},
	}, append(append(append(append(a.caseworkRoutes(), a.shelterRoutes()...), a.auditRoutes()...), a.musrenbangRoutes()...), a.statsRoutes()...)...)
}

// Register mounts the API routes on mux, plus a JSON 404 for anything else
// under /api/.
func (a *API) Register(mux *http.ServeMux) {
	for _, r := range a.Routes() {
		h := r.handler
		if !r.Public {
			h = a.authed(h)
		}
		mux.HandleFunc(r.Method+" "+r.Path, h)
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteError(w, r, a.log, domain.NotFound("API route"))
	})
}

// authed requires a principal that may use the application.
func (a *API) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := httpx.PrincipalFrom(r.Context())
		if p == nil {
			httpx.WriteError(w, r, a.log, domain.E(domain.EUnauthorized, "api.err.bearer"))
			return
		}
		if !p.Ready() {
			httpx.WriteError(w, r, a.log, domain.E(domain.EUnauthorized, "api.err.second_factor"))
			return
		}
		h(w, r)
	}
}

// noTokenUserAdmin refuses managing users with an API token: a token is a
// bearer secret without the second factor, so with one an attacker who
// stole it could create the next admin or change a password. Users are
// managed in the web interface, where LINDU_REQUIRE_2FA applies.
func noTokenUserAdmin(r *http.Request) error {
	if p := httpx.PrincipalFrom(r.Context()); p != nil && p.ViaToken {
		return domain.E(domain.EForbidden, "api.err.users_web_only")
	}
	return nil
}

func scope(r *http.Request) domain.Scope { return httpx.PrincipalFrom(r.Context()).Scope }

func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	httpx.WriteError(w, r, a.log, err)
}

func (a *API) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openapiDoc)
}

// intParam parses an optional integer query parameter within [lo, hi].
//
// Deprecated: older callers; use queryInt.
func intParam(r *http.Request, name string, def, lo, hi int, fields map[string]string) int {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		fields[name] = "must be a whole number from " + strconv.Itoa(lo) + " to " + strconv.Itoa(hi)
		return def
	}
	return n
}

// queryInt parses an optional integer query parameter within [lo, hi],
// naming a bad one in f.
func queryInt(r *http.Request, name string, def, lo, hi int, f domain.FieldErrors) int {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		f[name] = domain.M("field.int_range", lo, hi)
		return def
	}
	return n
}

// RegionList is the answer of GET /api/v1/regions.
type RegionList struct {
	Regions []domain.Region `json:"regions"`
}

func (a *API) listRegions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	fields := domain.FieldErrors{}
	rq := store.RegionQuery{Parent: strings.TrimSpace(q.Get("parent")), Query: q.Get("q"), Within: a.rootRegion}
	rq.Limit = queryInt(r, "limit", 50, 1, 200, fields)
	rq.Level = domain.RegionLevel(queryInt(r, "level", 0, 0, 4, fields))
	if rq.Parent != "" && !domain.ValidRegionCode(rq.Parent) {
		fields["parent"] = domain.M("field.region_code_format")
	}
	if len(rq.Query) > 100 {
		fields["q"] = domain.M("field.max_chars", 100)
	}
	if len(fields) > 0 {
		a.fail(w, r, domain.InvalidFields(fields))
		return
	}
	regs, err := a.st.SearchRegions(r.Context(), rq)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, RegionList{Regions: regs})
}

func (a *API) getRegion(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	if !domain.RegionWithin(code, a.rootRegion) && !domain.RegionWithin(a.rootRegion, code) {
		a.fail(w, r, domain.NotFound("region"))
		return
	}
	reg, err := a.st.GetRegion(r.Context(), code)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, reg)
}

// Me is the answer of GET /api/v1/me.
type Me struct {
	User        domain.User `json:"user"`
	Permissions []string    `json:"permissions"`
}

func (a *API) me(w http.ResponseWriter, r *http.Request) {
	sc := scope(r)
	u, err := a.st.GetUser(r.Context(), sc, sc.UserID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := Me{User: u, Permissions: []string{}}
	for p, name := range domain.PermNames {
		if sc.Can(p) {
			out.Permissions = append(out.Permissions, name)
		}
	}
	sort.Strings(out.Permissions)
	httpx.WriteJSON(w, http.StatusOK, out)
}

// UserList is the answer of GET /api/v1/users.
type UserList struct {
	Users  []domain.User `json:"users"`
	Total  int           `json:"total"`
	Limit  int           `json:"limit"`
	Offset int           `json:"offset"`
}

// listUsers is the staff directory: for those who manage users (as the
// /users page; caseworkers and supervisors see their teams on that page
// only, and no one's contact details).
func (a *API) listUsers(w http.ResponseWriter, r *http.Request) {
	if !scope(r).Can(domain.PermManageUsers) {
		a.fail(w, r, domain.E(domain.EForbidden, "error.forbidden"))
		return
	}
	q := r.URL.Query()
	fields := domain.FieldErrors{}
	f := domain.UserFilter{Role: domain.Role(q.Get("role")), RegionCode: q.Get("region"), Query: q.Get("q")}
	f.Limit = queryInt(r, "limit", 50, 1, 200, fields)
	f.Offset = queryInt(r, "offset", 0, 0, 1<<30, fields)
	if f.Role != "" && !f.Role.Valid() {
		fields["role"] = domain.M("field.role_unknown")
	}
	if f.RegionCode != "" && !domain.ValidRegionCode(f.RegionCode) {
		fields["region"] = domain.M("field.region_code_format")
	}
	if len(fields) > 0 {
		a.fail(w, r, domain.InvalidFields(fields))
		return
	}
	users, total, err := a.st.ListUsers(r.Context(), scope(r), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, UserList{Users: users, Total: total, Limit: f.Limit, Offset: f.Offset})
}

// NewUserRequest is the body of POST /api/v1/users.
type NewUserRequest struct {
	Username   string `json:"username"`
	Role       string `json:"role"`
	RegionCode string `json:"region_code"`
	FullName   string `json:"full_name"`
	Email      string `json:"email"`
	Phone      string `json:"phone"`
	Password   string `json:"password"`
}

func (a *API) createUser(w http.ResponseWriter, r *http.Request) {
	var req NewUserRequest
	if err := httpx.DecodeJSON(w, r, &req, 64<<10); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := noTokenUserAdmin(r); err != nil {
		a.fail(w, r, err)
		return
	}
	u, err := a.st.CreateUser(r.Context(), scope(r), domain.NewUser{Username: req.Username, Role: domain.Role(req.Role),
		RegionCode: req.RegionCode, FullName: req.FullName, Email: req.Email, Phone: req.Phone, Password: req.Password})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/users/"+u.ID)
	httpx.WriteJSON(w, http.StatusCreated, u)
}

// getUser is one user: any user for those who manage users, else only
// oneself (another user is not found, as on /users/{id}).
func (a *API) getUser(w http.ResponseWriter, r *http.Request) {
	sc := scope(r)
	if !sc.Can(domain.PermManageUsers) && r.PathValue("id") != sc.UserID {
		a.fail(w, r, domain.NotFound("user"))
		return
	}
	u, err := a.st.GetUser(r.Context(), sc, r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, u)
}

// UserPatch is the body of PATCH /api/v1/users/{id}; absent fields are kept.
type UserPatch struct {
	Role       *string `json:"role"`
	RegionCode *string `json:"region_code"`
	FullName   *string `json:"full_name"`
	Email      *string `json:"email"`
	Phone      *string `json:"phone"`
	Disabled   *bool   `json:"disabled"`
	Password   *string `json:"password"`
}

func (a *API) updateUser(w http.ResponseWriter, r *http.Request) {
	var req UserPatch
	if err := httpx.DecodeJSON(w, r, &req, 64<<10); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := noTokenUserAdmin(r); err != nil {
		a.fail(w, r, err)
		return
	}
	up := domain.UserUpdate{RegionCode: req.RegionCode, FullName: req.FullName, Email: req.Email, Phone: req.Phone,
		Disabled: req.Disabled, Password: req.Password}
	if req.Role != nil {
		role := domain.Role(*req.Role)
		up.Role = &role
	}
	u, err := a.st.UpdateUser(r.Context(), scope(r), r.PathValue("id"), up)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, u)
}

// AuditList is the answer of GET /api/v1/audit.
type AuditList struct {
	Entries []domain.AuditEntry `json:"entries"`
}

func (a *API) listAudit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	fields := domain.FieldErrors{}
	f := domain.AuditFilter{Actor: q.Get("actor"), Action: q.Get("action"), ObjectType: q.Get("object_type"), ObjectID: q.Get("object_id")}
	f.Limit = queryInt(r, "limit", 100, 1, 500, fields)
	f.BeforeSeq = int64(queryInt(r, "before", 0, 0, 1<<62, fields))
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				fields[name] = domain.M("field.rfc3339")
			}
			*dst = t
		}
	}
	if len(fields) > 0 {
		a.fail(w, r, domain.InvalidFields(fields))
		return
	}
	entries, err := a.st.ListAudit(r.Context(), scope(r), f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if entries == nil {
		entries = []domain.AuditEntry{}
	}
	httpx.WriteJSON(w, http.StatusOK, AuditList{Entries: entries})
}
