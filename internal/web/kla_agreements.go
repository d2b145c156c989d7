package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"lindu/internal/domain"
	"lindu/internal/kla"
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
	Today      string
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
	ctx := r.Context()
	_, year := s.klaRegionYear(r, b)
	page := KLAAgreementsPage{Base: b, Year: year, Years: s.klaPlanYears(), CanManage: b.Scope.Can(domain.PermManageKLA),
		Today: s.now().In(domain.WIB).Format("2006-01-02")}
	ags, err := kla.Agencies(ctx, s.st)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.Agencies = ags
	code := r.PathValue("code")
	if code != "" {
		for i := range ags {
			if ags[i].Code == code {
				page.Agency = &ags[i]
			}
		}
		if page.Agency == nil {
			s.fail(w, r, domain.NotFound("agency"))
			return
		}
	}
	list, err := kla.ListAgreements(ctx, s.st, b.Scope, "", year, code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	mine := ""
	if b.Scope.Can(domain.PermEnterKLA) && !page.CanManage {
		if mine, err = kla.UserAgency(ctx, s.st, b.User.ID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	now := s.now()
	for _, a := range list {
		av := AgreementView{KLAAgreement: a}
		for _, c := range a.Commitments {
			cv := CommitmentView{KLACommitment: c, Formula: domain.CapaianFormula(c.Polarity),
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
	if code != "" {
		if page.Budget, err = kla.ListBudget(ctx, s.st, b.Scope, "", year, code); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "kla_agreements", page)
}

func commitmentFromForm(r *http.Request) domain.KLACommitment {
	t, _ := klaNumber(r, "target")
	return domain.KLACommitment{Name: strings.TrimSpace(r.PostFormValue("c_name")), Unit: strings.TrimSpace(r.PostFormValue("unit")),
		Polarity: domain.Polarity(r.PostFormValue("polarity")), Target: t, PeriodStart: r.PostFormValue("period_start"),
		PeriodEnd: r.PostFormValue("period_end")}
}

func (s *Server) klaAgreementCreate(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.agreements_title")
	year, _ := strconv.Atoi(r.PostFormValue("year"))
	region := b.User.RegionCode
	if region == "" {
		region = s.opt.RootRegion
	}
	a := domain.KLAAgreement{RegionCode: region, Year: year, Agency: r.PostFormValue("agency"),
		Title: strings.TrimSpace(r.PostFormValue("title")), SignedOn: r.PostFormValue("signed_on")}
	if strings.TrimSpace(r.PostFormValue("c_name")) != "" {
		a.Commitments = []domain.KLACommitment{commitmentFromForm(r)}
	}
	if _, err := kla.CreateAgreement(r.Context(), s.st, b.Scope, a); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, withOK("/kla/perjanjian?year="+strconv.Itoa(year), "kla_saved"), http.StatusSeeOther)
}

func (s *Server) klaCommitmentAdd(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "kla.agreements_title")
	if err := kla.AddCommitment(r.Context(), s.st, b.Scope, r.PathValue("id"), commitmentFromForm(r)); err != nil {
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
	err := kla.AddRealisation(r.Context(), s.st, b.Scope, r.PathValue("id"),
		domain.KLARealisation{OnDate: r.PostFormValue("on_date"), Value: v, Note: strings.TrimSpace(r.PostFormValue("note"))})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, withOK(localPath(r.PostFormValue("next"), "/kla/perjanjian"), "kla_saved"), http.StatusSeeOther)
}
