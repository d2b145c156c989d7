package web

import (
	"net/http"
	"strings"
	"time"

	"lindu/internal/cases"
	"lindu/internal/domain"
)

// Referrals and consent on the case page (tab "layanan"), the providers'
// registry (/penyedia) and a provider account's referrals (/rujukan). The
// case area decides who may do what.

// referralRoutes registers the referral, consent and provider pages.
func (s *Server) referralRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /kasus/{id}/rujuk", s.staff(s.caseRefer))
	mux.HandleFunc("POST /kasus/{id}/rujukan/{ref}/jawaban", s.staff(s.caseReferralAnswer))
	mux.HandleFunc("POST /kasus/{id}/rujukan/{ref}/batal", s.staff(s.caseReferralRevoke))
	mux.HandleFunc("POST /kasus/{id}/persetujuan-data", s.staff(s.caseConsent))
	mux.HandleFunc("POST /kasus/{id}/persetujuan-data/{consent}/tarik", s.staff(s.caseConsentWithdraw))
	mux.HandleFunc("GET /penyedia", s.staff(s.providersList))
	mux.HandleFunc("POST /penyedia", s.staff(s.providerSave))
	mux.HandleFunc("POST /penyedia/{id}", s.staff(s.providerSave))
	mux.HandleFunc("POST /penyedia/{id}/akun", s.staff(s.providerAccount))
	mux.HandleFunc("GET /rujukan", s.staff(s.providerInbox))
	mux.HandleFunc("POST /rujukan/{ref}/jawaban", s.staff(s.providerAnswer))
}

func (s *Server) caseRefer(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	v := r.PostFormValue
	b := s.base(w, r, "case.title")
	nr := domain.NewReferral{ProviderID: v("provider_id"), Service: v("service"), Urgency: v("urgency"), Reason: v("reason"), ConsentID: v("consent_id")}
	if d := strings.TrimSpace(v("due_at")); d != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", d, b.Zone)
		if err != nil {
			s.caseActionFailed(w, r, "refer", domain.InvalidFields(domain.FieldErrors{"due_at": domain.M("referral.field.due_at")}))
			return
		}
		nr.DueAt = &t
	}
	if _, err := s.cases.Refer(r.Context(), principalOf(r).Scope, id, nr); err != nil {
		s.caseActionFailed(w, r, "refer", err)
		return
	}
	http.Redirect(w, r, caseURL(id, "layanan", "referral_sent"), http.StatusSeeOther)
}

func (s *Server) caseReferralAnswer(w http.ResponseWriter, r *http.Request) {
	id, ref := r.PathValue("id"), r.PathValue("ref")
	if !principalOf(r).Scope.Can(domain.PermWorkCases) {
		s.fail(w, r, domain.NotFound("case"))
		return
	}
	a := cases.ReferralAnswer{To: domain.ReferralStatus(r.PostFormValue("to")), Reason: r.PostFormValue("reason")}
	st, err := s.cases.AnswerReferral(r.Context(), principalOf(r).Scope, ref, a)
	if err != nil {
		s.caseActionFailed(w, r, "answer-"+ref, err)
		return
	}
	http.Redirect(w, r, caseURL(id, "layanan", "referral_"+string(st)), http.StatusSeeOther)
}

func (s *Server) caseReferralRevoke(w http.ResponseWriter, r *http.Request) {
	id, ref := r.PathValue("id"), r.PathValue("ref")
	if err := s.cases.RevokeReferral(r.Context(), principalOf(r).Scope, id, ref, r.PostFormValue("reason")); err != nil {
		s.caseActionFailed(w, r, "revoke-"+ref, err)
		return
	}
	http.Redirect(w, r, caseURL(id, "layanan", "referral_revoked"), http.StatusSeeOther)
}

func (s *Server) caseConsent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	v := r.PostFormValue
	c := domain.NewConsent{Basis: v("basis"), GivenBy: v("given_by"), Relation: v("relation"), GivenOn: v("given_on"), ReferralID: v("referral_id")}
	if _, err := s.cases.RecordConsent(r.Context(), principalOf(r).Scope, id, c); err != nil {
		s.caseActionFailed(w, r, "consent", err)
		return
	}
	http.Redirect(w, r, caseURL(id, "layanan", "consent_recorded"), http.StatusSeeOther)
}

func (s *Server) caseConsentWithdraw(w http.ResponseWriter, r *http.Request) {
	id, cid := r.PathValue("id"), r.PathValue("consent")
	if err := s.cases.WithdrawConsent(r.Context(), principalOf(r).Scope, id, cid, r.PostFormValue("reason")); err != nil {
		s.caseActionFailed(w, r, "withdraw-"+cid, err)
		return
	}
	http.Redirect(w, r, caseURL(id, "layanan", "consent_withdrawn"), http.StatusSeeOther)
}

// referralFormTab puts the referral and consent forms on the services tab.
func referralFormTab(form string) string {
	for _, p := range []string{"refer", "consent", "answer-", "revoke-", "withdraw-"} {
		if form == p || (strings.HasSuffix(p, "-") && strings.HasPrefix(form, p)) {
			return "layanan"
		}
	}
	return ""
}

// ---- what the case page's referral parts use ----

// ProviderOptions are the active providers serving the case's region.
func (p CasePage) ProviderOptions() []FormOption {
	var out []FormOption
	for _, pr := range p.Providers {
		if domain.RegionWithin(p.C.RegionCode, pr.RegionCode) || p.Scope.Contains(pr.RegionCode) {
			label := pr.Name + " (" + p.Lbl("pkind", pr.Kind) + ")"
			out = append(out, FormOption{Value: pr.ID, Label: label})
		}
	}
	return out
}

// ConsentOptions are the case's consents in force, for a referral.
func (p CasePage) ConsentOptions() []FormOption {
	var out []FormOption
	for _, c := range p.CW.Consents {
		if c.Active() {
			label := p.Lbl("basis", c.Basis)
			if c.GivenBy != "" {
				label += " — " + c.GivenBy
			}
			out = append(out, FormOption{Value: c.ID, Label: label + " (" + p.Day(c.GivenOn) + ")"})
		}
	}
	return out
}

// HasConsent reports whether a consent or legal basis is in force.
func (p CasePage) HasConsent() bool { return len(p.ConsentOptions()) > 0 }

// ServiceList, UrgencyList, BasisList, ConsentRelationList for the forms.
func (CasePage) ServiceList() []string         { return domain.ServiceTypes }
func (CasePage) UrgencyList() []string         { return domain.Urgencies }
func (CasePage) BasisList() []string           { return domain.ConsentBases }
func (CasePage) ConsentRelationList() []string { return domain.ConsentRelations }

// AnswerSteps are the answers the worker may record for a referral.
func (CasePage) AnswerSteps(r domain.Referral) []string {
	switch r.Status {
	case domain.ReferralSent:
		return []string{string(domain.ReferralAccepted), string(domain.ReferralDeclined)}
	case domain.ReferralAccepted:
		return []string{string(domain.ReferralDone)}
	}
	return nil
}

// ---- the providers' registry ----

// ProvidersPage lists the providers serving the reader's region.
type ProvidersPage struct {
	Base
	kit
	Providers []domain.Provider
	CanManage bool
	CanLink   bool
	Accounts  []FormOption // provider-role accounts that may be linked
}

func (s *Server) providersList(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "providers.title")
	s.providersPage(w, r, b, s.kit(b), http.StatusOK)
}

func (s *Server) providersPage(w http.ResponseWriter, r *http.Request, b Base, k kit, status int) {
	if !b.Scope.Can(domain.PermWorkCases) {
		s.fail(w, r, domain.E(domain.EForbidden, "case.err.forbidden_view"))
		return
	}
	p := ProvidersPage{Base: b, kit: k, CanManage: b.Scope.Can(domain.PermManageCases), CanLink: b.Scope.Can(domain.PermManageUsers)}
	var err error
	if p.Providers, err = s.cases.ListProviders(r.Context(), b.Scope, false); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.CanLink {
		users, _, err := s.st.ListUsers(r.Context(), b.Scope, domain.UserFilter{Role: domain.RoleProvider, Limit: 200})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, u := range users {
			if !u.Disabled {
				p.Accounts = append(p.Accounts, FormOption{Value: u.ID, Label: u.Username})
			}
		}
	}
	s.render(w, r, status, "providers", p)
}

// ProviderKinds, ServiceList for the provider forms.
func (ProvidersPage) ProviderKinds() []string { return domain.ProviderKinds }
func (ProvidersPage) ServiceList() []string   { return domain.ServiceTypes }

func (s *Server) providerSave(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	v := r.PostFormValue
	p := domain.Provider{ID: r.PathValue("id"), RegionCode: strings.TrimSpace(v("region_code")), Name: v("name"), Kind: v("kind"),
		Services: r.PostForm["services"], Contact: v("contact"), Phone: v("phone"), Active: v("active") == "1" || r.PathValue("id") == ""}
	form := "provider"
	if p.ID != "" {
		form = "provider-" + p.ID
	}
	if _, err := s.cases.SaveProvider(r.Context(), principalOf(r).Scope, p); err != nil {
		s.providersFailed(w, r, form, err)
		return
	}
	http.Redirect(w, r, withOK("/penyedia", "provider_saved"), http.StatusSeeOther)
}

func (s *Server) providerAccount(w http.ResponseWriter, r *http.Request) {
	pid := r.PathValue("id")
	if r.PostFormValue("unlink") == "1" {
		pid = ""
	}
	if err := s.cases.LinkProviderAccount(r.Context(), principalOf(r).Scope, r.PostFormValue("user_id"), pid); err != nil {
		s.providersFailed(w, r, "account-"+r.PathValue("id"), err)
		return
	}
	http.Redirect(w, r, withOK("/penyedia", "provider_account"), http.StatusSeeOther)
}

func (s *Server) providersFailed(w http.ResponseWriter, r *http.Request, form string, err error) {
	s.pageFailed(w, r, "providers.title", form, err, func(b Base, k kit, status int) { s.providersPage(w, r, b, k, status) })
}

// ---- a provider account's referrals ----

// ProviderInboxPage lists the referrals sent to the reader's provider.
type ProviderInboxPage struct {
	Base
	kit
	Referrals []domain.Referral
}

func (s *Server) providerInbox(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "provider_inbox.title")
	s.providerInboxPage(w, r, b, s.kit(b), http.StatusOK)
}

func (s *Server) providerInboxPage(w http.ResponseWriter, r *http.Request, b Base, k kit, status int) {
	if !b.Scope.Can(domain.PermAnswerReferrals) {
		s.fail(w, r, domain.E(domain.EForbidden, "case.err.forbidden_view"))
		return
	}
	list, err := s.cases.ProviderReferrals(r.Context(), b.Scope)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "provider_inbox", ProviderInboxPage{Base: b, kit: k, Referrals: list})
}

// AnswerSteps are the answers a provider may give.
func (ProviderInboxPage) AnswerSteps(r domain.Referral) []string { return CasePage{}.AnswerSteps(r) }

func (s *Server) providerAnswer(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("ref")
	if !principalOf(r).Scope.Can(domain.PermAnswerReferrals) {
		s.fail(w, r, domain.E(domain.EForbidden, "case.err.forbidden_view"))
		return
	}
	a := cases.ReferralAnswer{To: domain.ReferralStatus(r.PostFormValue("to")), Reason: r.PostFormValue("reason")}
	st, err := s.cases.AnswerReferral(r.Context(), principalOf(r).Scope, ref, a)
	if err != nil {
		b := s.base(w, r, "provider_inbox.title")
		k := s.kit(b)
		if f, ok := formErrors(err); ok {
			k.withForm(&b, "answer-"+ref, r.PostForm, f)
			s.providerInboxPage(w, r, b, k, http.StatusUnprocessableEntity)
			return
		}
		if msg, status := actionMessage(b, err); status != 0 {
			b.Error = msg
			s.providerInboxPage(w, r, b, k, status)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, withOK("/rujukan", "referral_"+string(st)), http.StatusSeeOther)
}
