package domain

import (
	"strings"
	"time"
)

// Service providers (penyedia layanan), referrals to them (rujukan) and
// consent with its legal basis (persetujuan, UU 27/2022 PDP).

// ProviderKinds are the kinds of service provider a child is referred to.
var ProviderKinds = []string{"health", "police", "prosecutor", "court", "legal_aid", "psychologist", "social_service", "lksa",
	"religious", "other"}

// Provider is a service provider. Contact and Phone are personal.
type Provider struct {
	ID         string   `json:"id"`
	RegionCode string   `json:"region_code"`
	RegionName string   `json:"region_name,omitempty"`
	Name       string   `json:"name"`
	Kind       string   `json:"kind"`
	Services   []string `json:"services"`
	Contact    string   `json:"contact,omitempty"`
	Phone      string   `json:"phone,omitempty"`
	Active     bool     `json:"active"`
	// Accounts counts the staff accounts (role provider) of the provider.
	Accounts int `json:"accounts"`
}

// Validate checks a provider: a region, a name, a kind, known services,
// and a phone number when one is given.
func (p *Provider) Validate() FieldErrors {
	fe := FieldErrors{}
	p.Name = strings.TrimSpace(p.Name)
	if p.Name == "" || len(p.Name) > 200 {
		fe["name"] = M("referral.field.provider_name")
	}
	if !inList(p.Kind, ProviderKinds) {
		fe["kind"] = M("referral.field.provider_kind")
	}
	for _, s := range p.Services {
		if !ValidService(s) {
			fe["services"] = M("referral.field.services")
		}
	}
	if p.Phone = strings.TrimSpace(p.Phone); p.Phone != "" {
		n, ok := NormalizePhone(p.Phone)
		if !ok {
			fe["phone"] = M("report.field.phone")
		}
		p.Phone = n
	}
	if len(p.Contact) > 200 {
		fe["contact"] = M("plan.field.too_long", 200)
	}
	return fe
}

// Offers reports whether the provider offers service s.
func (p Provider) Offers(s string) bool { return inList(s, p.Services) }

// ReferralStatus is where a referral stands.
type ReferralStatus string

const (
	ReferralSent     ReferralStatus = "sent"     // waiting for the provider's answer
	ReferralAccepted ReferralStatus = "accepted" // the provider takes the child
	ReferralDeclined ReferralStatus = "declined" // the provider cannot (with a reason)
	ReferralDone     ReferralStatus = "done"     // the service was given
	ReferralRevoked  ReferralStatus = "revoked"  // the sender took it back (with a reason)
)

// referralSteps are the moves a referral may make.
var referralSteps = map[ReferralStatus][]ReferralStatus{
	ReferralSent:     {ReferralAccepted, ReferralDeclined, ReferralRevoked},
	ReferralAccepted: {ReferralDone, ReferralRevoked},
}

// CheckReferralStep refuses a move the state machine does not have.
func CheckReferralStep(from, to ReferralStatus) error {
	for _, x := range referralSteps[from] {
		if x == to {
			return nil
		}
	}
	return E(EConflict, "referral.err.step")
}

// Open reports whether the referral still waits for something.
func (s ReferralStatus) Open() bool { return s == ReferralSent || s == ReferralAccepted }

// Urgencies of a referral and how long the provider has to answer when no
// due time is given.
var Urgencies = []string{"emergency", "urgent", "routine"}

// DefaultAnswerWindow is how long a provider has to answer a referral of
// an urgency.
func DefaultAnswerWindow(urgency string) time.Duration {
	switch urgency {
	case "emergency":
		return 4 * time.Hour
	case "urgent":
		return 24 * time.Hour
	}
	return 72 * time.Hour
}

// NewReferral is a referral being sent.
type NewReferral struct {
	ProviderID string     `json:"provider_id"`
	Service    string     `json:"service"`
	Urgency    string     `json:"urgency"`
	DueAt      *time.Time `json:"due_at,omitempty"`
	Reason     string     `json:"reason"` // shared with the provider
	ConsentID  string     `json:"consent_id,omitempty"`
}

// Validate checks a referral's fields (the provider is checked by the case
// area).
func (r NewReferral) Validate(now time.Time) FieldErrors {
	fe := FieldErrors{}
	if r.ProviderID == "" {
		fe["provider_id"] = M("referral.field.provider")
	}
	if !ValidService(r.Service) {
		fe["service"] = M("referral.field.service")
	}
	if !inList(r.Urgency, Urgencies) {
		fe["urgency"] = M("referral.field.urgency")
	}
	if r.DueAt != nil && !r.DueAt.After(now) {
		fe["due_at"] = M("referral.field.due_at")
	}
	if t := strings.TrimSpace(r.Reason); t == "" || len(t) > 4000 {
		fe["reason"] = M("referral.field.reason")
	}
	return fe
}

// Consent bases (dasar pemrosesan data anak).
const (
	BasisGuardian = "guardian_consent" // persetujuan orang tua/wali
	BasisChild    = "child_assent"     // persetujuan anak
	BasisLegal    = "legal_obligation" // kewajiban hukum
	BasisVital    = "vital_interest"   // kepentingan vital anak
)

// ConsentBases lists the bases.
var ConsentBases = []string{BasisGuardian, BasisChild, BasisLegal, BasisVital}

// ConsentRelations are who gives a guardian's consent, and the
// perpetrator relation and sex each stands for (a parent who is the
// alleged perpetrator cannot consent; DOMAIN 7).
var ConsentRelations = []string{"mother", "father", "step_mother", "step_father", "adoptive_parent", "guardian", "grandparent",
	"sibling", "other_family"}

// consentAs maps a consent relation to the perpetrator relation and sex
// that would make the giver the alleged perpetrator ("" sex: any).
var consentAs = map[string]struct {
	relation string
	sex      Sex
}{
	"mother": {"parent", SexFemale}, "father": {"parent", SexMale}, "step_mother": {"step_parent", SexFemale},
	"step_father": {"step_parent", SexMale}, "adoptive_parent": {"adoptive_parent", ""}, "guardian": {"guardian", ""},
	"grandparent": {"family", ""}, "sibling": {"sibling", ""}, "other_family": {"family", ""},
}

// Consent is consent or another legal basis recorded for a case or one
// referral. GivenBy and WithdrawReason are personal.
type Consent struct {
	ID             string     `json:"id"`
	ReferralID     string     `json:"referral_id,omitempty"`
	Basis          string     `json:"basis"`
	GivenBy        string     `json:"given_by,omitempty"`
	Relation       string     `json:"relation,omitempty"`
	GivenOn        string     `json:"given_on"`
	RecordedBy     string     `json:"recorded_by"`
	RecordedAt     time.Time  `json:"recorded_at"`
	WithdrawnAt    *time.Time `json:"withdrawn_at,omitempty"`
	WithdrawnBy    string     `json:"withdrawn_by,omitempty"`
	WithdrawReason string     `json:"withdraw_reason,omitempty"`
}

// Active reports whether the consent has not been withdrawn.
func (c Consent) Active() bool { return c.WithdrawnAt == nil }

// NewConsent is consent being recorded.
type NewConsent struct {
	Basis      string `json:"basis"`
	GivenBy    string `json:"given_by"` // the person; for a legal basis, the provision
	Relation   string `json:"relation"` // guardian consent: ConsentRelations
	GivenOn    string `json:"given_on"`
	ReferralID string `json:"referral_id,omitempty"`
}

// Validate checks consent against the case's perpetrators: a known basis;
// a guardian's consent names the giver and their relation, and is refused
// when a perpetrator of the case has that relation (and sex) or the same
// name; a legal basis names its provision.
func (c NewConsent) Validate(today string, perps []Perpetrator) FieldErrors {
	fe := FieldErrors{}
	if !inList(c.Basis, ConsentBases) {
		fe["basis"] = M("consent.field.basis")
		return fe
	}
	if !ValidDay(c.GivenOn) || c.GivenOn > today {
		fe["given_on"] = M("consent.field.given_on")
	}
	name := strings.TrimSpace(c.GivenBy)
	if name == "" || len(name) > 200 {
		fe["given_by"] = M(map[string]string{BasisGuardian: "consent.field.given_by_guardian_consent", BasisChild: "consent.field.given_by_child_assent",
			BasisLegal: "consent.field.given_by_legal_obligation", BasisVital: "consent.field.given_by_vital_interest"}[c.Basis])
	}
	if c.Basis != BasisGuardian {
		return fe
	}
	as, ok := consentAs[c.Relation]
	if !ok {
		fe["relation"] = M("consent.field.relation")
		return fe
	}
	for _, p := range perps {
		sameName := p.Name != "" && strings.EqualFold(strings.Join(strings.Fields(p.Name), " "), strings.Join(strings.Fields(name), " "))
		sameRole := p.Relation == as.relation && (as.sex == "" || p.Sex == "" || p.Sex == as.sex)
		if sameName || sameRole {
			fe["relation"] = M("consent.err.perpetrator")
			break
		}
	}
	return fe
}
