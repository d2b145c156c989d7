package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/spreadsheet"
)

// Performance agreements (Perjanjian Kinerja KLA): the list per year and
// per party, a new agreement, a commitment and a realisation.

// CommitmentView is a commitment with its achievement.
type CommitmentView struct {
	domain.KLACommitment
	Latest     *domain.KLARealisation
	Capaian    float64
	Formula    string
	Status     string
	CanRealise bool
}

// AgreementView is an agreement with computed commitments.
type AgreementView struct {
	domain.KLAAgreement
	Views []CommitmentView
}

// KLAAgreementsPage is /kla/perjanjian and /kla/opd/{code}.
type KLAAgreementsPage struct {
	Base
	Year       int
	Years      []int
	Agency     *domain.KLAAgency
	Agencies   []domain.KLAAgency
	Agreements []AgreementView
	Budget     []*domain.KLABudgetItem
	CanManage  bool
	// CanEnter: the caller may enter the values of the agency shown
	// (/kla/opd/{code}): a KLA manager, or an operator of that agency.
	CanEnter bool
	Today    string
	Exports  ExportLinks
}

func elapsed(start, end string, now time.Time) float64 {
	a, err1 := time.Parse("2006-01-02", start)
	b, err2 := time.Parse("2006-01-02", end)
	if err1 != nil || err2 != nil || !b.After(a) {
		return 1
	}
	return now.Sub(a).Hours() / b.AddDate(0, 0, 1).Sub(a).Hours()
}

func (s *Server) klaAgreements(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.agreements_title")
	code := r.PathValue("code")
	page, err := s.klaAgreementsList(r, b, code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if code != "" {
		if page.Budget, err = kla.ListBudget(r.Context(), s.st, b.Scope, "", page.Year, code); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	q := url.Values{"year": {strconv.Itoa(page.Year)}}
	if code != "" {
		q.Set("opd", code)
	}
	page.Exports = exportLinks(b, "/kla/perjanjian/ekspor", q)
	s.render(w, r, http.StatusOK, "kla_agreements", page)
}

// klaAgreementsList is the agreements of the year asked for, of one
// agency if code is set (an unknown agency is not found), with their
// commitments' achievement.
func (s *Server) klaAgreementsList(r *http.Request, b Base, code string) (KLAAgreementsPage, error) {
	ctx := r.Context()
	_, year := s.klaRegionYear(r, b)
	page := KLAAgreementsPage{Base: b, Year: year, Years: s.klaPlanYears(), CanManage: b.Scope.Can(domain.PermManageKLA),
		Today: s.now().In(domain.WIB).Format(dayLayout)}
	ags, err := kla.Agencies(ctx, s.st)
	if err != nil {
		return page, err
	}
	page.Agencies = ags
	if code != "" {
		for i := range ags {
			if ags[i].Code == code {
				page.Agency = &ags[i]
			}
		}
		if page.Agency == nil {
			return page, domain.NotFound("agency")
		}
	}
	list, err := kla.ListAgreements(ctx, s.st, b.Scope, "", year, code)
	if err != nil {
		return page, err
	}
	mine := ""
	if b.Scope.Can(domain.PermEnterKLA) && !page.CanManage {
		if mine, err = kla.UserAgency(ctx, s.st, b.User.ID); err != nil {
			return page, err
		}
	}
	page.CanEnter = page.Agency != nil && b.Scope.Can(domain.PermEnterKLA) && (page.CanManage || mine == page.Agency.Code)
	now := s.now()
	for _, a := range list {
		av := AgreementView{KLAAgreement: a}
		for _, c := range a.Commitments {
			cv := CommitmentView{KLACommitment: c, Formula: capaianFormula(b, c.Polarity),
				CanRealise: page.CanManage || (mine != "" && mine == a.Agency)}
			if l, ok := c.Latest(); ok {
				cv.Latest = &l
				cv.Capaian = domain.Capaian(c.Polarity, c.Target, l.Value)
			}
			cv.Status = domain.CommitmentStatus(c.Polarity, cv.Capaian, elapsed(c.PeriodStart, c.PeriodEnd, now), cv.Latest != nil)
			av.Views = append(av.Views, cv)
		}
		page.Agreements = append(page.Agreements, av)
	}
	return page, nil
}

// klaAgreementsExport downloads the agreements of the page (the year, and
// the agency of /kla/opd/{code} as ?opd=), a row per commitment (an
// agreement without one: a row of its own). Authorization: as the page
// (kla.ListAgreements).
func (s *Server) klaAgreementsExport(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b := s.base(w, r, "kla.agreements_title")
		code := r.URL.Query().Get("opd")
		page, err := s.klaAgreementsList(r, b, code)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		num := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
		t := spreadsheet.Table{Sheet: b.T("kla.agreements_heading"), Columns: []spreadsheet.Column{
			{Header: b.T("kla.year"), Kind: spreadsheet.Int}, {Header: b.T("kla.agreement_title")}, {Header: b.T("kla.party")},
			{Header: b.T("export.party_kind")}, {Header: b.T("kla.signed_on"), Kind: spreadsheet.Date}, {Header: b.T("kla.commitment")},
			{Header: b.T("kla.polarity")}, {Header: b.T("kla.target"), Kind: spreadsheet.Decimal}, {Header: b.T("kla.unit")},
			{Header: b.T("kla.period_start"), Kind: spreadsheet.Date}, {Header: b.T("kla.period_end"), Kind: spreadsheet.Date},
			{Header: b.T("kla.realisation"), Kind: spreadsheet.Decimal}, {Header: b.T("export.realisation_on"), Kind: spreadsheet.Date},
			{Header: b.T("export.capaian_pct"), Kind: spreadsheet.Decimal}, {Header: b.T("kla.status")}}}
		for _, a := range page.Agreements {
			head := []string{strconv.Itoa(a.Year), a.Title, a.AgencyName, b.T("kla.kind_party." + a.AgencyKind), exportDay(a.SignedOn)}
			if len(a.Views) == 0 {
				t.Rows = append(t.Rows, head)
			}
			for _, c := range a.Views {
				real, on, capaian := "", "", ""
				if c.Latest != nil {
					real, on, capaian = num(c.Latest.Value), exportDay(c.Latest.OnDate), strconv.FormatFloat(c.Capaian, 'f', 1, 64)
				}
				t.Rows = append(t.Rows, append(append([]string{}, head...), c.Name, b.T("kla.pol."+string(c.Polarity)), num(c.Target), c.Unit,
					exportDay(c.PeriodStart), exportDay(c.PeriodEnd), real, on, capaian, b.T("kla.cstatus."+c.Status)))
			}
		}
		t.Meta = s.exportMeta(b, r, len(t.Rows), false)
		name := "perjanjian-kla-" + strconv.Itoa(page.Year)
		if code != "" {
			name += "-" + code
		}
		s.writeTable(w, r, format, name, t)
	}
}

// commitmentFromForm reads a commitment; its period may be typed as
// dd-mm-yyyy (formDays).
func commitmentFromForm(r *http.Request) (domain.KLACommitment, error) {
	t, _ := klaNumber(r, "target")
	days, err := formDays(r, "period_start", "period_end")
	if err != nil {
		return domain.KLACommitment{}, err
	}
	return domain.KLACommitment{Name: strings.TrimSpace(r.PostFormValue("c_name")), Unit: strings.TrimSpace(r.PostFormValue("unit")),
		Polarity: domain.Polarity(r.PostFormValue("polarity")), Target: t, PeriodStart: days["period_start"],
		PeriodEnd: days["period_end"]}, nil
}

func (s *Server) klaAgreementCreate(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.agreements_title")
	year, _ := strconv.Atoi(r.PostFormValue("year"))
	region := b.User.RegionCode
	if region == "" {
		region = s.opt.RootRegion
	}
	signed, err := formDays(r, "signed_on")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a := domain.KLAAgreement{RegionCode: region, Year: year, Agency: r.PostFormValue("agency"),
		Title: strings.TrimSpace(r.PostFormValue("title")), SignedOn: signed["signed_on"]}
	if strings.TrimSpace(r.PostFormValue("c_name")) != "" {
		c, err := commitmentFromForm(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		a.Commitments = []domain.KLACommitment{c}
	}
	if _, err := kla.CreateAgreement(r.Context(), s.st, b.Scope, a); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, withOK("/kla/perjanjian?year="+strconv.Itoa(year), "kla_saved"), http.StatusSeeOther)
}

func (s *Server) klaCommitmentAdd(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.agreements_title")
	c, err := commitmentFromForm(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := kla.AddCommitment(r.Context(), s.st, b.Scope, r.PathValue("id"), c); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, withOK(localPath(r.PostFormValue("next"), "/kla/perjanjian"), "kla_saved"), http.StatusSeeOther)
}

func (s *Server) klaRealisationAdd(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.agreements_title")
	v, ok := klaNumber(r, "value")
	if !ok {
		s.fail(w, r, domain.InvalidFields(domain.FieldErrors{"value": domain.M("kla.not_number")}))
		return
	}
	on, err := formDays(r, "on_date")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	err = kla.AddRealisation(r.Context(), s.st, b.Scope, r.PathValue("id"),
		domain.KLARealisation{OnDate: on["on_date"], Value: v, Note: strings.TrimSpace(r.PostFormValue("note"))})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, withOK(localPath(r.PostFormValue("next"), "/kla/perjanjian"), "kla_saved"), http.StatusSeeOther)
}

// capaianFormula is the achievement formula of a polarity in the page's
// language (domain.CapaianFormula is the Indonesian one).
func capaianFormula(b Base, p domain.Polarity) string {
	if p == domain.Lower {
		return b.T("kla.formula.lower")
	}
	return b.T("kla.formula.higher")
}

// KLADay shows a YYYY-MM-DD date as DD-MM-YYYY, the pages' one date
// format, in a <time> element that keeps it on one line ("—" for none,
// anything else as it is).
func (b Base) KLADay(d string) template.HTML {
	t, err := time.Parse("2006-01-02", d)
	if err != nil {
		if d == "" {
			return "—"
		}
		return template.HTML(template.HTMLEscapeString(d))
	}
	return template.HTML(`<time datetime="` + t.Format("2006-01-02") + `" class="nowrap">` + t.Format("02-01-2006") + `</time>`)
}

// dayLayout is how the pages write a day, in text and in date fields.
const dayLayout = "02-01-2006"

// parseDay reads a date field typed as the pages show dates (dd-mm-yyyy,
// one-digit day or month, "/" or "." as separators too) or sent by a
// date picker (yyyy-mm-dd) and returns it as stored (yyyy-mm-dd). An
// empty field stays empty; ok is false for anything else.
func parseDay(raw string) (day string, ok bool) {
	raw = strings.NewReplacer("/", "-", ".", "-").Replace(strings.TrimSpace(raw))
	if raw == "" {
		return "", true
	}
	for _, layout := range []string{"2-1-2006", "2006-1-2"} {
		if t, err := time.Parse(layout, raw); err == nil {
			return t.Format("2006-01-02"), true
		}
	}
	return "", false
}

// formDays reads the date fields names of a form as stored dates; a
// field that is not a date refuses the form with the format to use.
func formDays(r *http.Request, names ...string) (map[string]string, error) {
	out := make(map[string]string, len(names))
	for _, n := range names {
		d, ok := parseDay(r.PostFormValue(n))
		if !ok {
			return nil, domain.E(domain.EInvalid, "kla.field.day", r.PostFormValue(n), "31-01-2025")
		}
		out[n] = d
	}
	return out, nil
}
