package web

import (
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/spreadsheet"
	"lindu/internal/stats"
	"lindu/internal/store"
)

// Statistics (SPEC H): the public page of the last release, and the data
// officer's page: live figures, checks and explanations, rules, the
// disclosure threshold, releases and the import of historical tables.

func (s *Server) statsRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /statistik", s.statsPublic)
	mux.HandleFunc("GET /statistik/unduh.csv", s.statsPublicFile("csv"))
	mux.HandleFunc("GET /statistik/unduh.xlsx", s.statsPublicFile("xlsx"))
	mux.HandleFunc("GET /statistik/kelola", s.staff(s.statsStaff))
	mux.HandleFunc("GET /statistik/kelola/unduh.csv", s.staff(s.statsStaffFile("csv")))
	mux.HandleFunc("GET /statistik/kelola/unduh.xlsx", s.staff(s.statsStaffFile("xlsx")))
	mux.HandleFunc("POST /statistik/kelola/rilis", s.staff(s.statsPublish))
	mux.HandleFunc("POST /statistik/kelola/penjelasan", s.staff(s.statsExplain))
	mux.HandleFunc("POST /statistik/kelola/aturan", s.staff(s.statsRuleAdd))
	mux.HandleFunc("POST /statistik/kelola/aturan/{id}/hapus", s.staff(s.statsRuleDelete))
	mux.HandleFunc("POST /statistik/kelola/ambang", s.staff(s.statsThreshold))
	mux.HandleFunc("POST /statistik/kelola/impor", s.statsBody(s.staff(s.statsImport)))
}

// StatsPublicPage is /statistik.
type StatsPublicPage struct {
	Base
	HasRelease bool
	Release    stats.Release
	Published  string
	Tables     []StatTable
	SLA        []SLAView
	Releases   []stats.ReleaseInfo
	Hist       []HistTableView
	Changes    []ChangeView
	HiddenN    int
	Threshold  int
	Query      string
}

// ChangeView is one changed cell in a release note.
type ChangeView struct {
	Table, Row, Column string
	Old, New           string
}

// statsRegion is the deployment's region for the public page.
func (s *Server) statsRegion(r *http.Request) string {
	if s.root() != "" {
		return s.root()
	}
	return r.URL.Query().Get("wilayah")
}

// statsRelease finds the release asked for (?rilis=2024-A), else the
// latest; ok false when none is published.
func (s *Server) statsRelease(r *http.Request) (stats.Release, bool, error) {
	sv := stats.New(s.st)
	region := s.statsRegion(r)
	if region == "" {
		return stats.Release{}, false, nil
	}
	var rel stats.Release
	var err error
	if l := r.URL.Query().Get("rilis"); l != "" {
		rel, err = sv.ReleaseByLabel(r.Context(), region, l)
	} else {
		rel, err = sv.Latest(r.Context(), region, 0)
	}
	if domain.IsNotFound(err) {
		return stats.Release{}, false, nil
	}
	return rel, err == nil, err
}

func (s *Server) statsPublic(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "stats.public_title")
	ctx := r.Context()
	sv := stats.New(s.st)
	rel, ok, err := s.statsRelease(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.URL.Query().Get("rilis") != "" && !ok {
		s.fail(w, r, domain.NotFound("release"))
		return
	}
	rule, err := sv.Rule(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := StatsPublicPage{Base: b, HasRelease: ok, Release: rel, Threshold: rule.Threshold}
	if ok {
		p.Published = b.Time(rel.PublishedAt)
		p.Query = url.Values{"rilis": {rel.Label}}.Encode()
		p.Tables = statTables(b, rel.Set, rel.Label, "/statistik/unduh.csv?"+p.Query)
		p.SLA = slaViews(b, rel.Set)
		p.Changes, p.HiddenN = changeViews(b, rel.Changes)
		p.Threshold = rel.Threshold
	}
	if region := s.statsRegion(r); region != "" {
		if p.Releases, err = sv.Releases(ctx, region); err != nil {
			s.fail(w, r, err)
			return
		}
		hist, err := sv.HistTables(ctx, domain.Scope{}, region, true, rule)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Hist = histViews(b, hist)
	}
	s.render(w, r, http.StatusOK, "stats_public", p)
}

// changeViews lists a release's changed cells; withheld ones only count.
func changeViews(b Base, cs []stats.CellChange) ([]ChangeView, int) {
	var out []ChangeView
	hidden := 0
	for _, c := range cs {
		if c.Hidden {
			hidden++
			continue
		}
		row := c.Row
		if c.RowKey != "" {
			row = b.T(c.RowKey)
		}
		out = append(out, ChangeView{Table: b.T(c.TitleKey), Row: row, Column: strconv.Itoa(c.Year) + " " + b.T(c.GroupKey),
			Old: stats.FormatInt(b.Lang, c.Old), New: stats.FormatInt(b.Lang, c.New)})
	}
	return out, hidden
}

// statsPublicFile downloads the release shown: one table as CSV
// (?tabel=id, default the first) or every table as XLSX.
func (s *Server) statsPublicFile(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := s.base(w, r, "stats.public_title")
		rel, ok, err := s.statsRelease(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if !ok {
			s.fail(w, r, domain.NotFound("release"))
			return
		}
		s.writeStats(w, r, b, format, "statistik-"+rel.RegionCode+"-"+rel.Label, statSheets(b, rel.Set, rel.Label))
	}
}

// writeStats answers one sheet (?tabel=) as CSV or all as XLSX.
func (s *Server) writeStats(w http.ResponseWriter, r *http.Request, b Base, format, name string, sheets []spreadsheet.Table) {
	if format == "xlsx" {
		data, err := spreadsheet.WriteTableXLSX(sheets...)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="`+safeFileName(name)+`.xlsx"`)
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(data)
		return
	}
	want := r.URL.Query().Get("tabel")
	ids := append(statTableIDs(), "sla")
	i := 0
	if want != "" {
		i = -1
		for k, id := range ids {
			if id == want && k < len(sheets) {
				i = k
			}
		}
		if i < 0 {
			s.fail(w, r, domain.NotFound("table"))
			return
		}
	}
	s.writeTable(w, r, "csv", name+"-"+ids[i], sheets[i])
}

// statTableIDs are the tables of a set, in order (as stats.compute makes
// them).
func statTableIDs() []string {
	return []string{"summary", "types", "local", "districts", "age_sex", "places", "disability", "perpetrators", "status"}
}

// StatsStaffPage is /statistik/kelola.
type StatsStaffPage struct {
	Base
	kit
	Region     domain.Region
	Computed   string
	Regions    []domain.Region
	Year       int
	Years      []int
	Tables     []StatTable
	SLA        []SLAView
	Suppressed bool
	Threshold  int
	CanPublish bool
	Checks     []stats.Check
	Blocking   int
	Rules      []stats.RuleDef
	Releases   []stats.ReleaseInfo
	Hist       []HistTableView
	Preview    *HistPreviewView
	Query      string
	Measures   []string
	Operators  []string
	Importance []string
}

// HistPreviewView is the dry run of an import, shown before accepting.
type HistPreviewView struct {
	Tables     []HistTableView
	Mismatches int
	Summary    stats.HistSummary
	Exists     bool
	File       string // the file, base64, sent back with "accept"
	Name       string
}

func (s *Server) statsStaff(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "stats.staff_title")
	s.statsStaffRender(w, r, b, s.kit(b), http.StatusOK, nil)
}

func (s *Server) statsStaffRender(w http.ResponseWriter, r *http.Request, b Base, k kit, status int, preview *HistPreviewView) {
	ctx := r.Context()
	sc := b.Scope
	if !sc.Can(domain.PermViewDashboard) {
		s.fail(w, r, domain.E(domain.EForbidden, "error.forbidden"))
		return
	}
	q := r.URL.Query()
	if r.Method == http.MethodPost {
		q = r.PostForm
	}
	region := q.Get("wilayah")
	if region == "" {
		region = sc.RegionCode
	}
	if region == "" {
		region = s.root()
	}
	thisYear := k.now.In(k.zone).Year()
	year, _ := strconv.Atoi(q.Get("tahun"))
	if year < 2000 || year > thisYear {
		year = thisYear
	}
	sv := s.stats
	set, err := sv.Compute(ctx, sc, region, year)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	query := url.Values{"wilayah": {region}, "tahun": {strconv.Itoa(year)}}.Encode()
	computed := ""
	if t, err := time.Parse(time.RFC3339, set.ComputedAt); err == nil {
		computed = b.Time(t)
	}
	p := StatsStaffPage{Base: b, kit: k, Year: year, Computed: computed, Tables: statTables(b, set, "", "/statistik/kelola/unduh.csv?"+query), SLA: slaViews(b, set),
		Suppressed: set.Suppressed, Threshold: set.Threshold, CanPublish: sc.Can(domain.PermPublishStats), Preview: preview,
		Query: query, Measures: stats.Measures(), Operators: stats.Operators, Importance: stats.Importances}
	for y := thisYear; y >= thisYear-9; y-- {
		p.Years = append(p.Years, y)
	}
	if p.Region, err = s.st.GetRegion(ctx, region); err != nil {
		s.fail(w, r, err)
		return
	}
	top := sc.RegionCode
	if top == "" {
		top = s.root()
	}
	if top != "" {
		reg, err := s.st.GetRegion(ctx, top)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		kids, err := s.st.SearchRegions(ctx, store.RegionQuery{Parent: top, Limit: 200})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Regions = append([]domain.Region{reg}, kids...)
	}
	if p.Rules, err = sv.Rules(ctx, sc, region); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.CanPublish {
		if p.Checks, err = sv.Checks(ctx, sc, region, year); err != nil {
			s.fail(w, r, err)
			return
		}
		for _, c := range p.Checks {
			if c.Blocking && c.Explanation == "" {
				p.Blocking++
			}
		}
	}
	if p.Releases, err = sv.Releases(ctx, region); err != nil {
		s.fail(w, r, err)
		return
	}
	rule, err := sv.Rule(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	hist, err := sv.HistTables(ctx, sc, region, !sc.Can(domain.PermManageCases) && !p.CanPublish, rule)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Hist = histViews(b, hist)
	s.render(w, r, status, "stats_staff", p)
}

// CheckName is a check's name in the page's language.
func (p StatsStaffPage) CheckName(c stats.Check) string {
	if c.Kind == "jump" {
		name := c.Name
		if strings.HasPrefix(name, "stats.") {
			name = p.T(name)
		}
		return p.T("stats.check.jump", name, stats.FormatInt(p.Lang, c.LeftValue), stats.FormatInt(p.Lang, c.RightValue))
	}
	name := c.Name
	if c.BuiltIn {
		name = p.T(c.Name)
	}
	return p.T("stats.check.rule", name, p.Measure(c.Left), opSymbols[c.Op], p.Measure(c.Right), stats.FormatInt(p.Lang, c.LeftValue),
		stats.FormatInt(p.Lang, c.RightValue))
}

// opSymbols are the rule operators as written in sentences.
var opSymbols = map[string]string{"<=": "≤", "<": "<", "=": "=", ">=": "≥", ">": ">", "!=": "≠"}

// Measure is a rule's side in words: a measure's label, or the number.
func (p StatsStaffPage) Measure(m string) string {
	if n, err := strconv.ParseInt(m, 10, 64); err == nil {
		return stats.FormatInt(p.Lang, n)
	}
	return strings.ToLower(p.T("stats.m." + m))
}

// RuleText is a rule as a sentence ("korban anak ≤ korban").
func (p StatsStaffPage) RuleText(d stats.RuleDef) string {
	return p.Measure(d.Left) + " " + opSymbols[d.Op] + " " + p.Measure(d.Right)
}

// RuleName is a rule's name in the page's language.
func (p StatsStaffPage) RuleName(d stats.RuleDef) string {
	if d.BuiltIn {
		return p.T(d.Name)
	}
	return d.Name
}

func (s *Server) statsStaffFile(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := s.base(w, r, "stats.staff_title")
		q := r.URL.Query()
		region := q.Get("wilayah")
		year, _ := strconv.Atoi(q.Get("tahun"))
		set, err := s.stats.Compute(r.Context(), b.Scope, region, year)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.writeStats(w, r, b, format, "statistik-"+set.RegionCode+"-"+strconv.Itoa(year)+"-sementara", statSheets(b, set, ""))
	}
}

// statsBack is the staff page of the posted region and year.
func statsBack(r *http.Request, flash string) string {
	v := url.Values{"wilayah": {r.PostFormValue("wilayah")}, "tahun": {r.PostFormValue("tahun")}}
	return withOK("/statistik/kelola?"+v.Encode(), flash)
}

func (s *Server) statsFailed(w http.ResponseWriter, r *http.Request, form string, err error) {
	s.pageFailed(w, r, "stats.staff_title", form, err, func(b Base, k kit, status int) {
		if e, ok := domain.AsError(err); ok && e.Code == domain.EConflict || ok && e.Code == domain.EInvalid && len(e.Args) > 0 {
			b.Error = b.T(e.Key, e.Args...)
		}
		s.statsStaffRender(w, r, b, k, status, nil)
	})
}

func (s *Server) statsPublish(w http.ResponseWriter, r *http.Request) {
	year, _ := strconv.Atoi(r.PostFormValue("tahun"))
	rel, err := stats.New(s.st).Publish(r.Context(), principalOf(r).Scope, r.PostFormValue("wilayah"), year)
	if err != nil {
		s.statsFailed(w, r, "publish", err)
		return
	}
	http.Redirect(w, r, withOK("/statistik?rilis="+url.QueryEscape(rel.Label), "stats_published"), http.StatusSeeOther)
}

func (s *Server) statsExplain(w http.ResponseWriter, r *http.Request) {
	year, _ := strconv.Atoi(r.PostFormValue("tahun"))
	err := stats.New(s.st).Explain(r.Context(), principalOf(r).Scope, r.PostFormValue("wilayah"), year, r.PostFormValue("key"), r.PostFormValue("comment"))
	if err != nil {
		s.statsFailed(w, r, "explain-"+r.PostFormValue("key"), err)
		return
	}
	http.Redirect(w, r, statsBack(r, "stats_explained"), http.StatusSeeOther)
}

func (s *Server) statsRuleAdd(w http.ResponseWriter, r *http.Request) {
	v := r.PostFormValue
	// The right side is a measure (chosen from the list) or a whole number
	// (typed), the number winning when both are given.
	right := strings.TrimSpace(v("right_number"))
	if right == "" {
		right = v("right")
	}
	_, err := stats.New(s.st).AddRule(r.Context(), principalOf(r).Scope, stats.RuleDef{RegionCode: v("wilayah"), Name: v("name"), Left: v("left"),
		Op: v("op"), Right: right, Importance: v("importance")})
	if err != nil {
		s.statsFailed(w, r, "rule", err)
		return
	}
	http.Redirect(w, r, statsBack(r, "stats_rule_added"), http.StatusSeeOther)
}

func (s *Server) statsRuleDelete(w http.ResponseWriter, r *http.Request) {
	if err := stats.New(s.st).DeleteRule(r.Context(), principalOf(r).Scope, r.PathValue("id")); err != nil {
		s.statsFailed(w, r, "rule", err)
		return
	}
	http.Redirect(w, r, statsBack(r, "stats_rule_deleted"), http.StatusSeeOther)
}

func (s *Server) statsThreshold(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.PostFormValue("threshold"))
	if err := stats.New(s.st).SetThreshold(r.Context(), principalOf(r).Scope, n); err != nil {
		s.statsFailed(w, r, "threshold", err)
		return
	}
	http.Redirect(w, r, statsBack(r, "stats_threshold_set"), http.StatusSeeOther)
}

// statsCacheTTL is how long live figures are reused across requests (the
// page says when they were computed; a release is always computed fresh).
const statsCacheTTL = 2 * time.Minute

// statsImportMax is the largest historical table accepted (a table of
// 200 rows by 60 columns is far smaller).
const statsImportMax = 1 << 20

// statsBody bounds and parses the import form (the file, or the file sent
// back base64 with "accept") before the staff wrapper checks its CSRF
// token: a larger body is refused whole.
func (s *Server) statsBody(h http.HandlerFunc) http.HandlerFunc {
	return s.boundedForm(2*statsImportMax+64<<10, h, func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, domain.E(domain.ETooLarge, "stats.import.too_large", statsImportMax>>20))
	})
}

// boundedForm reads a logged-in user's form (URL-encoded or multipart) of
// at most max bytes before h (and before the staff wrapper's CSRF check,
// which reads it too); a larger body goes to tooLarge with the connection
// closed, a malformed one is refused.
func (s *Server) boundedForm(max int64, h, tooLarge http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if p := httpx.PrincipalFrom(r.Context()); p == nil || p.Session == nil {
			h(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, max)
		if err := r.ParseMultipartForm(multipartMemory); err != nil && !errors.Is(err, http.ErrNotMultipart) {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				w.Header().Set("Connection", "close")
				tooLarge(w, r)
				return
			}
			s.fail(w, r, domain.E(domain.EInvalid, "error.malformed_form"))
			return
		}
		h(w, r)
	}
}

// statsImport is the dry run of a historical table (a file upload) or,
// with accept and the file sent back, its import.
func (s *Server) statsImport(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "stats.staff_title")
	sc := principalOf(r).Scope
	if !sc.Can(domain.PermPublishStats) {
		s.fail(w, r, domain.E(domain.EForbidden, "error.forbidden"))
		return
	}
	var data []byte
	var name string
	if f, fh, err := r.FormFile("file"); err == nil {
		data, err = io.ReadAll(io.LimitReader(f, statsImportMax+1))
		_ = f.Close()
		if err != nil {
			s.fail(w, r, err)
			return
		}
		name = fh.Filename
	} else if enc := r.PostFormValue("data"); enc != "" && len(enc) <= statsImportMax*4/3+4 {
		var derr error
		if data, derr = base64.StdEncoding.DecodeString(enc); derr != nil {
			s.statsFailed(w, r, "import", domain.InvalidFields(domain.FieldErrors{"file": domain.M("stats.import.choose_file")}))
			return
		}
		name = r.PostFormValue("name")
	}
	if len(data) == 0 {
		s.statsFailed(w, r, "import", domain.InvalidFields(domain.FieldErrors{"file": domain.M("stats.import.choose_file")}))
		return
	}
	if len(data) > statsImportMax {
		s.fail(w, r, domain.E(domain.ETooLarge, "stats.import.too_large", statsImportMax>>20))
		return
	}
	sv := stats.New(s.st)
	var p stats.HistPreview
	var err error
	accept := r.PostFormValue("accept") == "1"
	if accept {
		p, err = sv.AcceptHist(r.Context(), sc, data, name)
	} else {
		p, err = sv.PreviewHist(r.Context(), sc, data, name)
	}
	if le, ok := spreadsheet.AsError(err); ok {
		b.Error = uploadRefused(b, le)
		s.statsStaffRender(w, r, b, s.kit(b), http.StatusUnprocessableEntity, nil)
		return
	}
	var de *domain.Error
	if errors.As(err, &de) && de.Code == domain.EInvalid && len(de.Args) > 0 {
		b.Error = b.T(de.Key, de.Args...)
		s.statsStaffRender(w, r, b, s.kit(b), http.StatusUnprocessableEntity, nil)
		return
	}
	if err != nil {
		s.statsFailed(w, r, "import", err)
		return
	}
	if accept {
		http.Redirect(w, r, withOK("/statistik/kelola?"+url.Values{"impor_baru": {strconv.Itoa(p.Summary.New)},
			"impor_ubah": {strconv.Itoa(p.Summary.Updated)}, "impor_sama": {strconv.Itoa(p.Summary.Ignored)}}.Encode(), "stats_imported"), http.StatusSeeOther)
		return
	}
	views := histViews(b, []stats.HistView{p.View})
	pv := &HistPreviewView{Tables: views, Mismatches: len(p.View.Checks), Summary: p.Summary, Exists: p.Exists, File: base64.StdEncoding.EncodeToString(data), Name: name}
	s.statsStaffRender(w, r, b, s.kit(b), http.StatusOK, pv)
}

// HistTableView is a historical table as shown: published figures, the
// computed sum beside a total that differs, the stated changes and the
// mismatches by cell.
type HistTableView struct {
	Title, Region, Unit, Source, Note string
	Heads                             []string
	Rows                              []HistRowView
	Changes                           []string
	Checks                            []string
	Imported                          string
}

// HistRowView is one row.
type HistRowView struct {
	Label string
	Total bool
	Cells []HistCellView
}

// HistCellView is a published figure and, for a total that does not add
// up, the computed one.
type HistCellView struct {
	Published string
	Computed  string
	Diff      bool
	Hidden    bool
}

func histViews(b Base, hs []stats.HistView) []HistTableView {
	var out []HistTableView
	for _, h := range hs {
		v := HistTableView{Title: h.Title, Region: h.RegionCode, Unit: h.Unit, Source: h.Source, Note: h.Note}
		if !h.ImportedAt.IsZero() {
			v.Imported = b.Time(h.ImportedAt)
		}
		for _, c := range h.Cols {
			head := strconv.Itoa(c.Year)
			if c.Group == stats.HistTotalGroup {
				head += " " + b.T("stats.g.all")
			} else if c.Group != "" {
				head += " " + c.Group
			}
			v.Heads = append(v.Heads, head)
		}
		for _, r := range h.Rows {
			row := HistRowView{Label: r.Label, Total: r.Total}
			for _, c := range r.Cells {
				cv := HistCellView{Hidden: c.Hidden}
				switch {
				case c.Hidden:
					cv.Published = hiddenMark
				case c.Set:
					cv.Published = stats.FormatInt(b.Lang, c.Published)
				default:
					cv.Published = "–"
				}
				if c.Diff() {
					cv.Diff, cv.Computed = true, stats.FormatInt(b.Lang, c.Computed)
				}
				row.Cells = append(row.Cells, cv)
			}
			v.Rows = append(v.Rows, row)
		}
		for _, c := range h.Changes {
			if c.Hidden {
				v.Changes = append(v.Changes, b.T("stats.hist.change_hidden", c.Label))
				continue
			}
			stated := stats.FormatDecimal(b.Lang, c.Stated, c.Decimals)
			computed := stats.FormatDecimal(b.Lang, c.Computed, max(c.Decimals, 0))
			if c.Percent {
				if c.FromZero {
					computed = b.T("stats.na")
				} else {
					computed = stats.FormatDecimal(b.Lang, c.Computed, max(c.Decimals, 1))
				}
				stated += " %"
				computed += " %"
			}
			v.Changes = append(v.Changes, b.T("stats.hist.change", c.Label, stated, computed))
		}
		for _, m := range h.Checks {
			v.Checks = append(v.Checks, b.T("stats.hist.check."+m.Rule, m.Sheet+"!"+m.Col+strconv.Itoa(m.Row), m.Label,
				strings.TrimSpace(strconv.Itoa(m.Year)+" "+m.Group), stats.FormatDecimal(b.Lang, m.Published, decimalsOf(m.Published)),
				stats.FormatDecimal(b.Lang, m.Computed, decimalsOf(m.Computed))))
		}
		out = append(out, v)
	}
	return out
}

// decimalsOf: whole numbers without decimals, others with two.
func decimalsOf(x float64) int {
	if x == float64(int64(x)) {
		return 0
	}
	return 2
}
