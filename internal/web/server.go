// Package web serves lindu's HTML pages: one file per page or action,
// templates and static assets embedded, typed page structs, forms that work
// without JavaScript. Every handler gets the caller's domain.Scope from
// httpx and passes it to the store, which enforces region scoping.
package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"lindu/internal/auth"
	"lindu/internal/cases"
	"lindu/internal/checkpoint"
	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/i18n"
	"lindu/internal/intake"
	"lindu/internal/kla"
	"lindu/internal/regiondata"
	"lindu/internal/shelters"
	"lindu/internal/stats"
	"lindu/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configure the web front end.
type Options struct {
	Store         *store.Store
	Auth          *httpx.Authenticator
	Log           *slog.Logger
	RootRegion    string
	SecureCookies bool
	Version       string
	Now           func() time.Time
	// ReportMinFormAge is the least time between showing the public report
	// form and sending it (faster is a script): 0 means the default of 3
	// seconds, a negative value turns the check off (tests).
	ReportMinFormAge time.Duration
	// Checkpoints signs audit checkpoints for the admins' download (nil:
	// no download).
	Checkpoints *checkpoint.Keeper
	// PasswordGate bounds the memory of concurrent password checks (nil: a
	// gate of auth.DefaultHashMemory).
	PasswordGate *auth.Gate
	// Cases is the case area (nil: on Store with default options).
	Cases *cases.Service
}

// Server renders the HTML pages.
type Server struct {
	st    *store.Store
	cases *cases.Service
	auth  *httpx.Authenticator
	log   *slog.Logger
	opt   Options
	views views // the process's pages (shared), read only
	now   func() time.Time
	gate  *auth.Gate
	// intake files public reports and looks up their status (report_new.go,
	// report_status.go), with the same limits as the API.
	intake *intake.Service
	// shelters is the safe houses and institutions area (shelters.go).
	shelters *shelters.Service
	// stats is the statistics area reading through a cache shared by the
	// staff page and the home pages (stats.go, dashboard.go).
	stats *stats.Service
	// kla builds the KLA dashboard and completeness pages, with the case
	// counts of the computed indicators shared a short while (klaCaseTTL).
	kla *kla.Reader
	// assets serves the embedded static files at content-hashed URLs
	// (assets.go).
	assets *assets
}

// New parses the templates and returns the server.
func New(opt Options) (*Server, error) {
	if opt.Cases == nil && opt.Store != nil {
		opt.Cases = cases.New(opt.Store, cases.Options{})
	}
	s := &Server{st: opt.Store, cases: opt.Cases, auth: opt.Auth, log: opt.Log, opt: opt, now: opt.Now,
		gate: opt.PasswordGate}
	if opt.Store != nil {
		s.stats = stats.New(opt.Store).WithCache(stats.NewCache(statsCacheTTL))
		s.kla = kla.NewReader(opt.Store, klaCaseTTL)
		s.shelters = shelters.New(opt.Store, opt.Cases)
	}
	if s.gate == nil {
		s.gate = auth.NewGate(0, 0)
	}
	s.intake = &intake.Service{Store: opt.Store, Cases: opt.Cases, Region: opt.RootRegion}
	if s.now == nil {
		s.now = time.Now
	}
	v, err := parsed()
	if err != nil {
		return nil, err
	}
	s.assets, s.views = v.assets, v
	return s, nil
}

// views is what every server of the process uses unchanged: the static
// assets with their hashes and every page's template.
type views struct {
	assets *assets
	// pages are every page's templates in i18n.Default; lang has them in
	// another language (page sets by language: foldTranslations).
	pages map[string]*template.Template
	lang  map[string]func() (map[string]*template.Template, error)
}

// forLang is the page templates for lang: i18n.Default's for an unknown
// language.
func (v views) forLang(lang string) (map[string]*template.Template, error) {
	if f, ok := v.lang[lang]; ok {
		return f()
	}
	return v.pages, nil
}

// parsed makes the process's views on first use. Parsing the pages (each
// with all the partials) took most of a server's start; templates are
// safe to execute concurrently, and both come only from the embedded
// files.
var parsed = sync.OnceValues(parse)

// parse hashes the static assets and parses the pages.
func parse() (views, error) {
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return views{}, err
	}
	a, err := newAssets(static)
	if err != nil {
		return views{}, fmt.Errorf("web: static assets: %w", err)
	}
	funcs := pageFuncs(a)
	entries, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return views{}, err
	}
	// Partials: the layout, the pager, the case forms' fields and sections
	// kept in a file of their own (case_documents: the documents section
	// of the case page). Each page is parsed with the layout and the
	// partials it reaches: parsed with every page, the partials' trees
	// were 33 MB of a serving process's 37 MB live heap.
	files, err := partialFiles(partialTemplates)
	if err != nil {
		return views{}, err
	}
	parseLang := func(lang string) (map[string]*template.Template, error) {
		pages := map[string]*template.Template{}
		for _, e := range entries {
			name := strings.TrimSuffix(strings.TrimPrefix(e, "templates/"), ".html")
			if slices.Contains(partialTemplates, e) {
				continue
			}
			need, err := files.reached(e)
			if err != nil {
				return nil, fmt.Errorf("web: template %s: %w", name, err)
			}
			t, err := parsePage(name, lang, funcs, append(need, e))
			if err != nil {
				return nil, fmt.Errorf("web: template %s: %w", name, err)
			}
			pages[name] = t
		}
		return pages, nil
	}
	// The default language's pages are parsed now (a broken template stops
	// the start); another language's when a page is first shown in it: a
	// set is about 10 MB, and most offices read only Indonesian.
	pages, err := parseLang(i18n.Default)
	if err != nil {
		return views{}, err
	}
	v := views{assets: a, pages: pages, lang: map[string]func() (map[string]*template.Template, error){}}
	for _, lang := range i18n.Languages {
		if lang != i18n.Default {
			v.lang[lang] = sync.OnceValues(func() (map[string]*template.Template, error) { return parseLang(lang) })
		}
	}
	return v, nil
}

// pageFuncs are the functions of the page templates.
func pageFuncs(a *assets) template.FuncMap {
	return template.FuncMap{
		"join":  strings.Join,
		"add":   func(a, b int) int { return a + b },
		"asset": a.URL,
	}
}

// partialTemplates are the template files parsed with the pages that use
// them, the layout first.
var partialTemplates = []string{"templates/layout.html", "templates/pager.html", "templates/case_fields.html", "templates/case_documents.html", "templates/case_plan.html", "templates/case_referrals.html", "templates/case_stays.html", "templates/audit_agencies.html", "templates/mr_fields.html", "templates/stats_tables.html"}

// parsePage parses a page's template files (as ParseFS: each file a
// template named by its base name) with the page's constant texts in lang
// (foldTranslations).
func parsePage(name, lang string, funcs template.FuncMap, files []string) (*template.Template, error) {
	t := template.New(name).Funcs(funcs)
	for _, f := range files {
		b, err := fs.ReadFile(templateFS, f)
		if err != nil {
			return nil, err
		}
		if _, err := t.New(path.Base(f)).Parse(foldTranslations(string(b), lang)); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// constT is a template action that translates a constant key with no
// arguments, {{.T "key"}}, trim markers kept.
var constT = regexp.MustCompile(`\{\{(-?\s*)\.T\s+"([A-Za-z0-9_.\-]+)"(\s*-?)\}\}`)

// foldTranslations writes the text of each {{.T "key"}} of src in lang
// into the template as a constant, {{"text"}}: html/template still
// escapes it for where it stands (text, attribute, URL), and the page no
// longer looks Base.T up and calls it through reflection for it: the
// inbox page's templates took 200-218 µs and 1,323 allocations a view
// instead of 250-265 µs and 1,651 (BenchmarkCasesPageTemplate). Every
// Base of a request has the request's language (Server.base), which picks
// the page set (Server.render), so the text is the one .T would return.
// A .T with arguments, or on another value ($.T), is left as it is.
func foldTranslations(src, lang string) string {
	return constT.ReplaceAllStringFunc(src, func(m string) string {
		g := constT.FindStringSubmatch(m)
		return "{{" + g[1] + strconv.Quote(i18n.T(lang, g[2])) + g[3] + "}}"
	})
}

// pageLang is the language of a page's data (its Base).
func (b Base) pageLang() string { return b.Lang }

var (
	defineRe = regexp.MustCompile(`{{-?\s*(?:define|block)\s+"([^"]+)"`)
	useRe    = regexp.MustCompile(`{{-?\s*(?:template|block)\s+"([^"]+)"`)
)

// partialSet is the partial files in order, with the templates each
// defines and the templates each uses, read once.
type partialSet struct {
	order  []string
	define map[string]string   // template name: the partial file defining it
	uses   map[string][]string // partial file: the template names it calls
}

func partialFiles(order []string) (partialSet, error) {
	ps := partialSet{order: order, define: map[string]string{}, uses: map[string][]string{}}
	for _, f := range order {
		b, err := fs.ReadFile(templateFS, f)
		if err != nil {
			return ps, err
		}
		for _, m := range defineRe.FindAllSubmatch(b, -1) {
			ps.define[string(m[1])] = f
		}
		ps.uses[f] = templateUses(b)
	}
	return ps, nil
}

// templateUses is the names of the templates text calls.
func templateUses(text []byte) []string {
	var out []string
	for _, m := range useRe.FindAllSubmatch(text, -1) {
		out = append(out, string(m[1]))
	}
	return out
}

// reached is the partial files page's templates use, directly or through
// another partial, in the order of ps (the layout always: it is what a
// page is executed as). Template names are constants in Go's templates,
// so reading the files finds every use.
func (ps partialSet) reached(page string) ([]string, error) {
	b, err := fs.ReadFile(templateFS, page)
	if err != nil {
		return nil, err
	}
	need := map[string]bool{ps.order[0]: true}
	todo := append(templateUses(b), ps.uses[ps.order[0]]...)
	for len(todo) > 0 {
		name := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if p, ok := ps.define[name]; ok && !need[p] {
			need[p] = true
			todo = append(todo, ps.uses[p]...)
		}
	}
	var out []string
	for _, f := range ps.order {
		if need[f] {
			out = append(out, f)
		}
	}
	return out, nil
}

// Base is what every page shows: language, user, navigation, CSRF token.
type Base struct {
	Lang        string
	Title       string
	User        *domain.User
	Scope       domain.Scope
	CSRF        string
	Path        string
	Nav         []NavItem
	Flash       string
	Error       string
	Fields      map[string]string
	Attribution string
	Version     string
	Zone        *time.Location
	OtherLang   string
	// regionOf looks a region up for the page's labels (RegionField);
	// false for an unknown code.
	regionOf func(code string) (domain.Region, bool)
}

// NavItem is one link of the main navigation; More puts it under the
// "Lainnya" menu of a long navigation (moreNav).
type NavItem struct {
	Href, Label string
	Current     bool
	More        bool
	later       *lateLabel // Label, while it is being read (the outbox's count)
}

// lateLabel is a navigation label read beside the page's own reads: its
// round trip to the database overlaps theirs instead of coming first.
type lateLabel struct {
	done  chan struct{}
	label string
}

// readLater starts read and returns its label to come.
func readLater(read func() string) *lateLabel {
	l := &lateLabel{done: make(chan struct{})}
	go func() {
		defer close(l.done)
		l.label = read()
	}()
	return l
}

// navRow is how many links the header's row holds; a longer navigation
// puts its less used links (navSecondary, in that order) under
// "Lainnya", so the header stays one row on a 1280 px screen.
const navRow = 7

// navSecondary are the links a long navigation moves under "Lainnya",
// the least used first.
var navSecondary = []string{"/wilayah", "/account", "/audit", "/users", "/tindak-lanjut", "/musrenbang-anak", "/audit-anak",
	"/statistik/kelola"}

// moreNav moves the less used links of a long navigation under "Lainnya",
// two at least (a menu of one link saves no room).
func moreNav(items []NavItem) {
	row, moved := len(items), 0
	for _, href := range navSecondary {
		if row <= navRow && moved != 1 {
			break
		}
		for i := range items {
			if items[i].Href == href {
				items[i].More = true
				row--
				moved++
			}
		}
	}
	if moved == 1 {
		for i := range items {
			items[i].More = false
		}
	}
}

// NavMain is the navigation shown in the header's row.
func (b Base) NavMain() []NavItem { return b.navPart(false) }

// NavMore is the navigation under "Lainnya" (none for a short one).
func (b Base) NavMore() []NavItem { return b.navPart(true) }

// NavMoreCurrent reports whether the page is one of NavMore.
func (b Base) NavMoreCurrent() bool {
	for _, it := range b.NavMore() {
		if it.Current {
			return true
		}
	}
	return false
}

func (b Base) navPart(more bool) []NavItem {
	var out []NavItem
	for _, it := range b.Nav {
		if it.More == more {
			if it.later != nil {
				<-it.later.done
				it.Label, it.later = it.later.label, nil
			}
			out = append(out, it)
		}
	}
	return out
}

// T translates key into the page's language.
func (b Base) T(key string, args ...any) string { return i18n.T(b.Lang, key, args...) }

// Time formats a UTC time in the user's zone (WIB/WITA/WIT).
func (b Base) Time(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	z := b.Zone
	if z == nil {
		z = domain.WIB
	}
	return t.In(z).Format("02-01-2006 15:04 MST")
}

// TimePtr formats an optional time.
func (b Base) TimePtr(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return b.Time(*t)
}

// RoleName is the translated name of a role.
func (b Base) RoleName(r domain.Role) string { return b.T("role." + string(r)) }

// Roles lists every role for selects.
func (b Base) Roles() []domain.Role { return domain.Roles }

// FieldError returns the message for a form field, if any.
func (b Base) FieldError(name string) string { return b.Fields[name] }

// base builds the common part of a page.
func (s *Server) base(w http.ResponseWriter, r *http.Request, title string) Base {
	b := Base{
		Lang:        s.lang(r),
		Path:        r.URL.Path,
		Attribution: regiondata.Attribution,
		Version:     s.opt.Version,
		Zone:        domain.ZoneFor(s.opt.RootRegion),
	}
	b.Title = b.T(title)
	b.regionOf = func(code string) (domain.Region, bool) {
		if !domain.ValidRegionCode(code) {
			return domain.Region{}, false
		}
		reg, err := s.st.GetRegion(r.Context(), code)
		return reg, err == nil
	}
	b.OtherLang = "en"
	if b.Lang == "en" {
		b.OtherLang = "id"
	}
	p := httpx.PrincipalFrom(r.Context())
	if p != nil && p.Session != nil {
		u := p.User
		b.User = &u
		b.Scope = p.Scope
		b.CSRF = p.Session.CSRFToken
		b.Zone = domain.ZoneFor(u.RegionCode)
		if p.Ready() {
			b.Nav = s.nav(b, r.URL.Path)
		}
	} else {
		b.CSRF = s.anonCSRF(w, r)
	}
	if f := s.takeFlash(w, r); f != "" {
		b.Flash = flashText(b.Lang, f)
	}
	return b
}

func (s *Server) nav(b Base, path string) []NavItem {
	items := []NavItem{{Href: "/beranda", Label: b.T("nav.home")}}
	if b.Scope.Can(domain.PermViewCases) {
		items = append(items, NavItem{Href: "/kasus", Label: b.T("nav.cases")})
	}
	if b.Scope.Can(domain.PermManageCases) {
		items = append(items, NavItem{Href: "/laporan", Label: b.T("nav.reports")})
	}
	if b.Scope.Can(domain.PermViewCases) {
		items = append(items, NavItem{Href: "/tempat", Label: b.T("nav.places")}, NavItem{Href: "/tim", Label: b.T("nav.teams")},
			NavItem{Href: "/notifikasi", later: readLater(func() string { return s.outboxNavLabel(b) })})
	}
	if b.Scope.Can(domain.PermRunAudits) {
		items = append(items, NavItem{Href: "/audit-anak", Label: b.T("nav.audits")})
	}
	if b.Scope.Can(domain.PermRunAudits) || b.Scope.Can(domain.PermAnswerActions) {
		items = append(items, NavItem{Href: "/tindak-lanjut", Label: b.T("nav.actions")})
	}
	if b.Scope.Can(domain.PermModerateProposals) || b.Scope.Can(domain.PermPlanTickets) {
		items = append(items, NavItem{Href: "/musrenbang-anak", Label: b.T("nav.musrenbang")})
	}
	if b.Scope.Can(domain.PermAnswerReferrals) {
		items = append(items, NavItem{Href: "/rujukan", Label: b.T("nav.referrals")})
	}
	if b.Scope.Can(domain.PermViewDashboard) {
		items = append(items, NavItem{Href: "/statistik/kelola", Label: b.T("nav.stats")})
	}
	if b.Scope.Can(domain.PermViewDashboard) {
		items = append(items, NavItem{Href: "/kla", Label: b.T("nav.kla")})
	}
	if b.Scope.Can(domain.PermManageUsers) {
		items = append(items, NavItem{Href: "/users", Label: b.T("nav.users")})
	}
	if b.Scope.Can(domain.PermViewAudit) {
		items = append(items, NavItem{Href: "/audit", Label: b.T("nav.audit")})
	}
	items = append(items, NavItem{Href: "/wilayah", Label: b.T("nav.regions")}, NavItem{Href: "/account", Label: b.T("nav.account")})
	for i := range items {
		items[i].Current = path == items[i].Href || strings.HasPrefix(path, items[i].Href+"/")
	}
	moreNav(items)
	return items
}

// lang is the visitor's language: the session's, else the cookie's, else
// Indonesian.
func (s *Server) lang(r *http.Request) string {
	if p := httpx.PrincipalFrom(r.Context()); p != nil && p.Session != nil && i18n.Supported(p.Session.Lang) {
		return p.Session.Lang
	}
	if c, err := r.Cookie("lindu_lang"); err == nil && i18n.Supported(c.Value) {
		return c.Value
	}
	return i18n.Default
}

// render executes a page template with status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	lang := i18n.Default
	if d, ok := data.(interface{ pageLang() string }); ok {
		lang = d.pageLang()
	}
	pages, err := s.views.forLang(lang)
	if err != nil {
		s.log.Error("web: templates", "lang", lang, "err", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	t, ok := pages[page]
	if !ok {
		s.log.Error("web: no template", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(buf)
	if err := t.ExecuteTemplate(buf, "layout", data); err != nil {
		s.log.Error("web: render", "page", page, "err", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// pageBuffers keeps the buffers pages are rendered into. A page is
// rendered whole before its status is sent (a template error still
// becomes a 500); growing a fresh buffer to an inbox page's 40 KB cost
// 150 KB of garbage a view, a third of what the page allocated.
var pageBuffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 64<<10)) }}

// putPageBuffer returns buf to pageBuffers, unless a rare page (a long
// export table) grew it past 1 MB: that one is left to the collector.
func putPageBuffer(buf *bytes.Buffer) {
	if buf.Cap() > 1<<20 {
		return
	}
	buf.Reset()
	pageBuffers.Put(buf)
}

// ErrorPage shows an error with its status.
type ErrorPage struct {
	Base
	Status  int
	Message string
}

// Fail renders err as the error page (for middleware that refuses a
// request before its handler: database down, body too large).
func (s *Server) Fail(w http.ResponseWriter, r *http.Request, err error) { s.fail(w, r, err) }

// fail renders err as an error page with the right status.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := httpx.Public(s.log, r, err)
	status := httpx.StatusFor(e.Code)
	httpx.SetRetryAfter(w, e)
	if e.Code == domain.EUnauthorized {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	b := s.base(w, r, "error.title")
	s.render(w, r, status, "error", ErrorPage{Base: b, Status: status, Message: httpx.ErrorText(b.Lang, e)})
}

// staff wraps handlers for logged-in users who passed any second factor.
func (s *Server) staff(h http.HandlerFunc) http.HandlerFunc {
	return s.flashing(func(w http.ResponseWriter, r *http.Request) {
		p := httpx.PrincipalFrom(r.Context())
		if p == nil || p.Session == nil {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		switch p.Pending {
		case httpx.PendingTOTP:
			http.Redirect(w, r, "/login/totp", http.StatusSeeOther)
			return
		case httpx.PendingEnroll:
			http.Redirect(w, r, "/account?enroll=1", http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost && !s.checkCSRF(r, p.Session.CSRFToken) {
			s.fail(w, r, domain.E(domain.EForbidden, "error.csrf"))
			return
		}
		h(w, r)
	})
}

// enrolling wraps the pages a user who must set up TOTP may still use.
func (s *Server) enrolling(h http.HandlerFunc) http.HandlerFunc {
	return s.flashing(func(w http.ResponseWriter, r *http.Request) {
		p := httpx.PrincipalFrom(r.Context())
		if p == nil || p.Session == nil {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if p.Pending == httpx.PendingTOTP {
			http.Redirect(w, r, "/login/totp", http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost && !s.checkCSRF(r, p.Session.CSRFToken) {
			s.fail(w, r, domain.E(domain.EForbidden, "error.csrf"))
			return
		}
		h(w, r)
	})
}

// localPath keeps redirects on this site: only absolute paths, no "//".
func localPath(p, fallback string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || len(p) > 2000 {
		return fallback
	}
	for i := 0; i < len(p); i++ {
		// Browsers drop tabs and newlines from URLs and read "\" as "/":
		// "/\t/evil.example" would become "//evil.example".
		if c := p[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return fallback
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return fallback
	}
	return p
}

// RegionField is the data of the region picker partial. The field holds
// the region's code; Chosen names the region of that code with its kind
// ("Kec. Sanggau Ledo"), which the picker shows in place of the code.
type RegionField struct {
	Base
	Name, Value, Label, Within, ID string
	Chosen                         string
}

// RegionField builds a region picker for a form field.
func (b Base) RegionField(name, value, label string) RegionField {
	within := ""
	if b.User != nil {
		within = b.User.RegionCode
	}
	return RegionField{Base: b, Name: name, Value: value, Label: b.T(label), Within: within, ID: "f-" + name,
		Chosen: b.RegionLabelOf(value)}
}
