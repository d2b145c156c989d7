package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/store"
)

// Public reporting (/lapor): a form anyone can send without an account,
// protected without third-party services by a honeypot field, a signed
// form-render time (too fast = a script, too old = a stale page), and
// rate limits per address and per phone number kept in the database.

const (
	defaultReportMinAge = 3 * time.Second
	reportMaxAge        = 2 * time.Hour
	reportIPLimit       = 10 // reports per address per hour
	reportPhoneLimit    = 5  // reports per contact number per hour
	statusIPLimit       = 60 // status look-ups per address per 10 minutes
	reportMaxBody       = 64 << 10
)

// processKey signs form times when the store has no key box (never in
// production: every store opened by lindu has one).
var processKey = func() []byte {
	b := make([]byte, 32)
	rand.Read(b)
	return b
}()

// minFormAge is the least time between showing the form and sending it.
func (s *Server) minFormAge() time.Duration {
	switch d := s.opt.ReportMinFormAge; {
	case d < 0:
		return 0
	case d == 0:
		return defaultReportMinAge
	default:
		return d
	}
}

// formMAC signs a form-render time, bound to the visitor's CSRF token, with
// the deployment's MAC key so every lindu instance accepts it.
func (s *Server) formMAC(ts, csrf string) string {
	msg := ts + "|" + csrf
	if s.st != nil && s.st.Box() != nil {
		return s.st.Box().Hash("web.report_form", msg)[:32]
	}
	m := hmac.New(sha256.New, processKey)
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

func (s *Server) formStamp(csrf string) string {
	ts := strconv.FormatInt(s.now().Unix(), 10)
	return ts + "." + s.formMAC(ts, csrf)
}

// checkStamp returns "" for a good stamp, or "fast", "old" or "bad".
func (s *Server) checkStamp(stamp, csrf string) string {
	ts, mac, ok := strings.Cut(stamp, ".")
	if !ok || len(ts) > 20 || subtle.ConstantTimeCompare([]byte(mac), []byte(s.formMAC(ts, csrf))) != 1 {
		return "bad"
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return "bad"
	}
	age := s.now().Sub(time.Unix(n, 0))
	switch {
	case age < s.minFormAge():
		return "fast"
	case age > reportMaxAge:
		return "old"
	}
	return ""
}

// formCSRF checks the CSRF token of a form open to everyone: the session's
// for a logged-in user, else the anonymous cookie's.
func (s *Server) formCSRF(r *http.Request) bool {
	if p := httpx.PrincipalFrom(r.Context()); p != nil && p.Session != nil {
		return s.checkCSRF(r, p.Session.CSRFToken)
	}
	return s.checkAnonCSRF(r)
}

var idemKeyRE = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)

func newFormKey() string {
	b := make([]byte, 18)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ReportFormPage is the public report form.
type ReportFormPage struct {
	Base
	kit
	Picker  RegionField
	Stamp   string
	FormKey string
	Chosen  *domain.Region
	Matches []domain.Region // several places match what was typed
}

func (s *Server) reportPage(w http.ResponseWriter, r *http.Request, b Base, k kit, status int, posted url.Values, matches []domain.Region) {
	page := ReportFormPage{Base: b, kit: k, Stamp: s.formStamp(b.CSRF), FormKey: newFormKey(), Matches: matches}
	region := ""
	if posted != nil {
		region = strings.TrimSpace(posted.Get("region_code"))
		if fk := posted.Get("k"); idemKeyRE.MatchString(fk) {
			page.FormKey = fk // the same report if sent twice
		}
	}
	page.Picker = RegionField{Base: b, Name: "region_code", Value: region, Label: b.T("lapor.where"),
		Within: s.opt.RootRegion, ID: "f-region_code"}
	if domain.ValidRegionCode(region) && domain.RegionWithin(region, s.opt.RootRegion) {
		if reg, err := s.st.GetRegion(r.Context(), region); err == nil {
			page.Chosen = &reg
		}
	}
	s.render(w, r, status, "report_form", page)
}

func (s *Server) reportForm(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "lapor.title")
	s.reportPage(w, r, b, s.kit(b), http.StatusOK, nil, nil)
}

func (s *Server) reportSubmit(w http.ResponseWriter, r *http.Request) {
	if err := parseSmallForm(w, r, reportMaxBody); err != nil {
		s.fail(w, r, err)
		return
	}
	b := s.base(w, r, "lapor.title")
	k := s.kit(b)
	k.which, k.posted = "lapor", r.PostForm
	ctx := r.Context()
	if !s.formCSRF(r) {
		b.Error = b.T("lapor.expired")
		s.reportPage(w, r, b, k, http.StatusForbidden, r.PostForm, nil)
		return
	}
	// A filled honeypot is a script: it is told the report arrived, and
	// nothing is stored.
	if r.PostFormValue("website") != "" {
		s.log.Info("lapor: honeypot filled; nothing stored")
		http.Redirect(w, r, "/lapor/terkirim?kode="+domain.NewPublicCode(), http.StatusSeeOther)
		return
	}
	switch s.checkStamp(r.PostFormValue("t"), b.CSRF) {
	case "fast":
		b.Error = b.T("lapor.too_fast")
		s.reportPage(w, r, b, k, http.StatusUnprocessableEntity, r.PostForm, nil)
		return
	case "old", "bad":
		b.Error = b.T("lapor.expired")
		s.reportPage(w, r, b, k, http.StatusUnprocessableEntity, r.PostForm, nil)
		return
	}
	fields := domain.FieldErrors{}
	nr := domain.NewReport{
		Channel:      domain.ChannelWeb,
		RegionCode:   strings.TrimSpace(r.PostFormValue("region_code")),
		Description:  r.PostFormValue("description"),
		ChildSex:     domain.Sex(r.PostFormValue("child_sex")),
		Anonymous:    r.PostFormValue("anonymous") == "1",
		ContactPhone: r.PostFormValue("contact_phone"),
		ReporterName: r.PostFormValue("reporter_name"),
	}
	nr.ChildAge = parseAge(r.PostFormValue("child_age"))
	if fk := r.PostFormValue("k"); idemKeyRE.MatchString(fk) {
		nr.IdempotencyKey = "web:" + fk
	}
	// Without JavaScript people type a place's name: find it.
	var matches []domain.Region
	if pick := r.PostFormValue("region_pick"); domain.ValidRegionCode(pick) {
		nr.RegionCode = pick
	} else if nr.RegionCode != "" && !domain.ValidRegionCode(nr.RegionCode) {
		found, err := s.st.SearchRegions(ctx, store.RegionQuery{Within: s.opt.RootRegion, Query: nr.RegionCode, Limit: 12})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		switch {
		case len(found) == 1:
			nr.RegionCode = found[0].Code
		case len(found) > 1:
			matches = found
			fields["region_code"] = domain.M("report.field.region_several")
		default:
			fields["region_code"] = domain.M("report.field.region_not_found")
		}
	}
	// The store's checks, on a copy; what the place search found wins.
	if err := cases.ValidateReport(&nr, s.opt.RootRegion); err != nil {
		f, ok := formErrors(err)
		if !ok {
			s.fail(w, r, err)
			return
		}
		for key, msg := range f {
			if _, mine := fields[key]; !mine {
				fields[key] = msg
			}
		}
	}
	if len(fields) > 0 {
		posted := cloneValues(r.PostForm)
		if nr.RegionCode != "" && domain.ValidRegionCode(nr.RegionCode) {
			posted.Set("region_code", nr.RegionCode)
		}
		k.withForm(&b, "lapor", posted, fields)
		s.reportPage(w, r, b, k, http.StatusUnprocessableEntity, posted, matches)
		return
	}
	ip := httpx.ClientIP(r, s.auth.TrustProxy)
	if ok, until, err := s.st.Allow(ctx, "report-ip:"+ip, reportIPLimit, time.Hour); err != nil {
		s.fail(w, r, err)
		return
	} else if !ok {
		s.tooMany(w, r, b, until)
		return
	}
	if nr.ContactPhone != "" {
		key := "report-phone:" + s.phoneKey(nr.ContactPhone)
		if ok, until, err := s.st.Allow(ctx, key, reportPhoneLimit, time.Hour); err != nil {
			s.fail(w, r, err)
			return
		} else if !ok {
			s.tooMany(w, r, b, until)
			return
		}
	}
	rep, _, err := s.cases.CreateReport(ctx, access.Public(ip, r.UserAgent()), nr, s.opt.RootRegion)
	if err != nil {
		if f, ok := formErrors(err); ok {
			k.withForm(&b, "lapor", r.PostForm, f)
			s.reportPage(w, r, b, k, http.StatusUnprocessableEntity, r.PostForm, nil)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/lapor/terkirim?kode="+url.QueryEscape(rep.Code), http.StatusSeeOther)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// phoneKey names a phone number in the rate-limit table without storing it.
func (s *Server) phoneKey(phone string) string {
	if s.st != nil && s.st.Box() != nil {
		return s.st.Box().Hash("phone", phone)[:32]
	}
	m := hmac.New(sha256.New, processKey)
	m.Write([]byte(phone))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// tooMany answers 429 with a friendly page.
func (s *Server) tooMany(w http.ResponseWriter, r *http.Request, b Base, until time.Time) {
	secs := int(time.Until(until).Seconds()) + 1
	if d := until.Sub(s.now()); d > 0 {
		secs = int(d.Seconds()) + 1
	}
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	b.Title = b.T("lapor.too_many_title")
	msg := b.T("lapor.too_many", until.In(b.Zone).Format("15:04 MST"))
	s.render(w, r, http.StatusTooManyRequests, "error", ErrorPage{Base: b, Status: http.StatusTooManyRequests, Message: msg})
}

// ReportSentPage confirms a report and shows its code.
type ReportSentPage struct {
	Base
	kit
	Code string
}

func (s *Server) reportSent(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "lapor.sent_title")
	code, ok := domain.NormalizePublicCode(r.URL.Query().Get("kode"))
	if !ok {
		http.Redirect(w, r, "/lapor", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "report_sent", ReportSentPage{Base: b, kit: s.kit(b), Code: code})
}

// ReportStatusPage shows a report's progress to whoever holds its code.
type ReportStatusPage struct {
	Base
	kit
	Query    string
	Searched bool
	NotFound bool
	View     domain.ReportStatusView
	Steps    []StatusStep
}

// StatusStep is one stage of the public progress list.
type StatusStep struct {
	Label   string
	At      *time.Time
	Done    bool
	Current bool
}

func (s *Server) reportStatus(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "lstatus.title")
	page := ReportStatusPage{Base: b, kit: s.kit(b), Query: strings.TrimSpace(r.URL.Query().Get("kode"))}
	if len(page.Query) > 40 {
		page.Query = page.Query[:40]
	}
	if page.Query == "" {
		s.render(w, r, http.StatusOK, "report_status", page)
		return
	}
	page.Searched = true
	ctx := r.Context()
	ip := httpx.ClientIP(r, s.auth.TrustProxy)
	if ok, until, err := s.st.Allow(ctx, "status-ip:"+ip, statusIPLimit, 10*time.Minute); err != nil {
		s.fail(w, r, err)
		return
	} else if !ok {
		s.tooMany(w, r, b, until)
		return
	}
	v, err := s.cases.PublicReportStatus(ctx, page.Query)
	if domain.IsNotFound(err) {
		page.NotFound = true
		s.render(w, r, http.StatusNotFound, "report_status", page)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.View = v
	page.Steps = publicSteps(b, v)
	s.render(w, r, http.StatusOK, "report_status", page)
}

// publicSteps lays out received → reviewed → handled → closed.
func publicSteps(b Base, v domain.ReportStatusView) []StatusStep {
	rec := v.ReceivedAt
	steps := []StatusStep{{Label: b.T("pstep.received"), At: &rec, Done: true}}
	if v.Status == "not_a_case" {
		return append(steps, StatusStep{Label: b.T("pstep.not_a_case"), At: v.ReviewedAt, Done: true, Current: true})
	}
	order := map[string]int{"received": 0, "in_review": 1, "handled": 2, "closed": 3}
	cur := order[v.Status]
	steps = append(steps,
		StatusStep{Label: b.T("pstep.reviewed"), At: v.ReviewedAt, Done: cur >= 1},
		StatusStep{Label: b.T("pstep.handled"), At: v.RespondedAt, Done: cur >= 2 && v.RespondedAt != nil},
		StatusStep{Label: b.T("pstep.closed"), At: v.ClosedAt, Done: cur >= 3})
	steps[cur].Current = true
	return steps
}
