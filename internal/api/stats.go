package api

// Statistics (/api/v1/statistics/...; public: /api/v1/public/statistics).
// The public route answers the last published release with disclosure
// control applied; staff routes answer live figures (disclosure-controlled
// unless the caller manages the region's cases), checks, rules,
// explanations, releases and historical tables. The area decides who may
// do what.

import (
	"io"
	"net/http"
	"strconv"

	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/stats"
)

func (a *API) statsRoutes() []Route {
	return []Route{
		{"GET", "/api/v1/public/statistics", true, a.publicStatistics},
		{"GET", "/api/v1/statistics", false, a.liveStatistics},
		{"GET", "/api/v1/statistics/checks", false, a.statisticsChecks},
		{"POST", "/api/v1/statistics/explanations", false, a.explainStatistics},
		{"POST", "/api/v1/statistics/releases", false, a.publishStatistics},
		{"GET", "/api/v1/statistics/rules", false, a.statisticsRules},
		{"POST", "/api/v1/statistics/rules", false, a.addStatisticsRule},
		{"DELETE", "/api/v1/statistics/rules/{id}", false, a.deleteStatisticsRule},
		{"GET", "/api/v1/statistics/historical", false, a.historicalTables},
		{"POST", "/api/v1/statistics/historical", false, a.importHistorical},
	}
}

func (a *API) stats() *stats.Service { return stats.New(a.st) }

// statsRegion is ?region= (default the caller's region), answered 404 when
// outside the caller's.
func (a *API) statsRegion(w http.ResponseWriter, r *http.Request) (string, bool) {
	sc := scope(r)
	region := r.URL.Query().Get("region")
	if region == "" {
		region = sc.RegionCode
	}
	if region != "" && !sc.Contains(region) {
		a.fail(w, r, domain.NotFound("region"))
		return "", false
	}
	return region, true
}

// publicStatistics is the last release of the deployment's region (or
// ?release=2024-A); with no root region, ?region= names it.
func (a *API) publicStatistics(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	region := a.rootRegion
	if region == "" {
		region = q.Get("region")
	}
	if region == "" {
		a.fail(w, r, domain.NotFound("release"))
		return
	}
	var rel stats.Release
	var err error
	if l := q.Get("release"); l != "" {
		rel, err = a.stats().ReleaseByLabel(r.Context(), region, l)
	} else {
		rel, err = a.stats().Latest(r.Context(), region, 0)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, rel)
}

func (a *API) liveStatistics(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	year, _ := strconv.Atoi(q.Get("year"))
	if year == 0 {
		year = a.st.Now().In(domain.ZoneFor(a.rootRegion)).Year()
	}
	set, err := a.stats().Compute(r.Context(), scope(r), q.Get("region"), year)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, set)
}

// CheckList is the answer of GET /api/v1/statistics/checks.
type CheckList struct {
	Checks []stats.Check `json:"checks"`
}

func (a *API) statisticsChecks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	year, _ := strconv.Atoi(q.Get("year"))
	cs, err := a.stats().Checks(r.Context(), scope(r), q.Get("region"), year)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, CheckList{Checks: cs})
}

// ExplanationRequest is the body of POST /api/v1/statistics/explanations.
type ExplanationRequest struct {
	Region  string `json:"region"`
	Year    int    `json:"year"`
	Key     string `json:"key"`
	Comment string `json:"comment"`
}

func (a *API) explainStatistics(w http.ResponseWriter, r *http.Request) {
	var req ExplanationRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	if err := a.stats().Explain(r.Context(), scope(r), req.Region, req.Year, req.Key, req.Comment); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ReleaseRequest is the body of POST /api/v1/statistics/releases.
type ReleaseRequest struct {
	Region string `json:"region"`
	Year   int    `json:"year"`
}

func (a *API) publishStatistics(w http.ResponseWriter, r *http.Request) {
	var req ReleaseRequest
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	rel, err := a.stats().Publish(r.Context(), scope(r), req.Region, req.Year)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, rel.Public())
}

// RuleList is the answer of GET /api/v1/statistics/rules.
type RuleList struct {
	Rules []stats.RuleDef `json:"rules"`
}

func (a *API) statisticsRules(w http.ResponseWriter, r *http.Request) {
	sc := scope(r)
	region, ok := a.statsRegion(w, r)
	if !ok {
		return
	}
	rs, err := a.stats().Rules(r.Context(), sc, region)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, RuleList{Rules: rs})
}

func (a *API) addStatisticsRule(w http.ResponseWriter, r *http.Request) {
	var req stats.RuleDef
	if err := httpx.DecodeJSON(w, r, &req, maxStaffBody); err != nil {
		a.fail(w, r, err)
		return
	}
	req.BuiltIn, req.ID = false, ""
	d, err := a.stats().AddRule(r.Context(), scope(r), req)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, d)
}

func (a *API) deleteStatisticsRule(w http.ResponseWriter, r *http.Request) {
	if err := a.stats().DeleteRule(r.Context(), scope(r), r.PathValue("id")); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// HistList is the answer of GET /api/v1/statistics/historical.
type HistList struct {
	Tables []stats.HistView `json:"tables"`
}

func (a *API) historicalTables(w http.ResponseWriter, r *http.Request) {
	sc := scope(r)
	region, ok := a.statsRegion(w, r)
	if !ok {
		return
	}
	sv := a.stats()
	rule, err := sv.Rule(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	ts, err := sv.HistTables(r.Context(), sc, region, !sc.Can(domain.PermManageCases) && !sc.Can(domain.PermPublishStats), rule)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, HistList{Tables: ts})
}

// HistImport is the answer of POST /api/v1/statistics/historical: the
// table as stored (or as it would be, on a dry run), its mismatches and
// what changed.
type HistImport struct {
	DryRun  bool              `json:"dry_run"`
	Table   stats.HistView    `json:"table"`
	Summary stats.HistSummary `json:"summary"`
}

// importHistorical takes the file as the request body (CSV or XLSX, at
// most 1 MB; ?name= its file name); ?dry_run=true checks without storing.
func (a *API) importHistorical(w http.ResponseWriter, r *http.Request) {
	const max = 1 << 20
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		a.fail(w, r, domain.E(domain.ETooLarge, "stats.import.too_large", max>>20))
		return
	}
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "tabel.csv"
	}
	dry := r.URL.Query().Get("dry_run") == "true"
	var p stats.HistPreview
	if dry {
		p, err = a.stats().PreviewHist(r.Context(), scope(r), data, name)
	} else {
		p, err = a.stats().AcceptHist(r.Context(), scope(r), data, name)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if !dry && p.Summary.New+p.Summary.Updated > 0 {
		status = http.StatusCreated
	}
	httpx.WriteJSON(w, status, HistImport{DryRun: dry, Table: p.View, Summary: p.Summary})
}
