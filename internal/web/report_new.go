package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/httpx"
	"lindu/internal/intake"
	"lindu/internal/store"
)

// Public reporting (/lapor): a form anyone can send without an account.
// The report goes through the one public-report intake (intake.SubmitReport:
// validation, the limits per address and per phone number shared with the
// API, idempotency); the form adds what only a browser form needs, without
// third-party services: a honeypot field, a signed form-render time (too
// fast = a script, too old = a stale page), the CSRF token, and finding a
// place typed by name.

const (
	defaultReportMinAge = 3 * time.Second
	reportMaxAge        = 2 * time.Hour
	reportMaxBody       = 64 << 10 // the form, URL-encoded
)

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
	return s.st.LookupHash("web.report_form", ts+"|"+csrf)[:32]
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
			page.Picker.Chosen = b.RegionLabel(reg)
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
	key := ""
	if fk := r.PostFormValue("k"); idemKeyRE.MatchString(fk) {
		key = fk
	}
	// Without JavaScript people type a place's name: find it.
	matches, fields, err := s.findPlace(r, &nr)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The intake's checks; what the place search found wins.
	rep, _, err := s.intake.SubmitReport(ctx, intake.Submission{Report: nr, Key: key,
		Address: httpx.ClientIP(r, s.auth.TrustProxy), UserAgent: r.UserAgent(), Fields: fields})
	if err != nil {
		if f, ok := formErrors(err); ok {
			posted := cloneValues(r.PostForm)
			if nr.RegionCode != "" && domain.ValidRegionCode(nr.RegionCode) {
				posted.Set("region_code", nr.RegionCode)
			}
			k.withForm(&b, "lapor", posted, f)
			s.reportPage(w, r, b, k, http.StatusUnprocessableEntity, posted, matches)
			return
		}
		if e, ok := domain.AsError(err); ok && e.Code == domain.ETooMany {
			s.tooMany(w, r, b, e.RetryAfterSeconds)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/lapor/terkirim?kode="+url.QueryEscape(rep.Code), http.StatusSeeOther)
}

// findPlace sets the report's region from the place chosen in the list
// (region_pick) or typed by name, and returns the places to choose from
// when several match, and what is wrong when none does.
func (s *Server) findPlace(r *http.Request, nr *domain.NewReport) ([]domain.Region, domain.FieldErrors, error) {
	fields := domain.FieldErrors{}
	if pick := r.PostFormValue("region_pick"); domain.ValidRegionCode(pick) {
		nr.RegionCode = pick
		return nil, fields, nil
	}
	if nr.RegionCode == "" || domain.ValidRegionCode(nr.RegionCode) {
		return nil, fields, nil
	}
	found, err := s.st.SearchRegions(r.Context(), store.RegionQuery{Within: s.opt.RootRegion, Query: nr.RegionCode, Limit: 12})
	if err != nil {
		return nil, nil, err
	}
	switch {
	case len(found) == 1:
		nr.RegionCode = found[0].Code
		return nil, fields, nil
	case len(found) > 1:
		fields["region_code"] = domain.M("report.field.region_several")
		return found, fields, nil
	}
	fields["region_code"] = domain.M("report.field.region_not_found")
	return nil, fields, nil
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// tooMany answers 429 with a friendly page: the intake's limits refused
// a report or a status look-up for secs seconds.
func (s *Server) tooMany(w http.ResponseWriter, r *http.Request, b Base, secs int) {
	secs = max(secs, 1)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	until := s.now().Add(time.Duration(secs) * time.Second)
	b.Title = b.T("lapor.too_many_title")
	msg := b.T("lapor.too_many", until.In(b.Zone).Format("15:04 MST"))
	s.render(w, r, http.StatusTooManyRequests, "error", ErrorPage{Base: b, Status: http.StatusTooManyRequests, Message: msg})
}

// parseForm reads a posted form of at most max bytes.
func parseSmallForm(w http.ResponseWriter, r *http.Request, max int64) error {
	r.Body = http.MaxBytesReader(w, r.Body, max)
	if err := r.ParseForm(); err != nil {
		return &domain.Error{Code: domain.ETooLarge, Message: "form too large"}
	}
	return nil
}
