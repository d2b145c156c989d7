package domain

import "time"

// Places where a child can stay (SPEC D): community safe houses (rumah aman
// berbasis komunitas), government shelters, and institutions — LKSA
// (lembaga kesejahteraan sosial anak, panti anak) and panti for elderly or
// disabled people.
const (
	PlaceSafeHouse       = "safe_house"       // rumah aman berbasis komunitas: a trusted villager's home
	PlaceShelter         = "shelter"          // rumah aman pemerintah (UPTD PPA)
	PlaceLKSA            = "lksa"             // lembaga kesejahteraan sosial anak (panti anak)
	PlacePantiElderly    = "panti_elderly"    // panti lanjut usia
	PlacePantiDisability = "panti_disability" // panti penyandang disabilitas
)

// PlaceKinds lists the kinds, in the order forms offer them.
var PlaceKinds = []string{PlaceSafeHouse, PlaceShelter, PlaceLKSA, PlacePantiElderly, PlacePantiDisability}

// Institution reports whether a kind needs an operating permit (izin
// operasional) and may be accredited: LKSA and panti.
func Institution(kind string) bool {
	return kind == PlaceLKSA || kind == PlacePantiElderly || kind == PlacePantiDisability
}

// Owners of a place.
const (
	OwnerGovernment = "government" // pemerintah
	OwnerCommunity  = "community"  // masyarakat
)

// Statuses of a place. A community safe house goes proposal → verified
// (its checklist passed) → active, may be suspended and reactivated, and
// is retired at the end; an institution starts active, may be suspended,
// gets up to three warnings (the third proposes revocation), and may be
// revoked or retired.
const (
	PlaceProposal           = "proposal"            // diusulkan
	PlaceVerified           = "verified"            // terverifikasi
	PlaceActive             = "active"              // aktif
	PlaceSuspended          = "suspended"           // dibekukan
	PlaceRevocationProposed = "revocation_proposed" // diusulkan dicabut izinnya
	PlaceRevoked            = "revoked"             // izin dicabut
	PlaceRetired            = "retired"             // tidak dipakai lagi
)

// PlaceStatuses lists every status.
var PlaceStatuses = []string{PlaceProposal, PlaceVerified, PlaceActive, PlaceSuspended, PlaceRevocationProposed, PlaceRevoked,
	PlaceRetired}

// PlaceTransitions are the status changes a person may make; warnings
// and their revocation proposal are made by AddWarning.
var PlaceTransitions = map[string][]string{
	PlaceProposal:           {PlaceVerified, PlaceRetired},
	PlaceVerified:           {PlaceActive, PlaceRetired},
	PlaceActive:             {PlaceSuspended, PlaceRetired},
	PlaceSuspended:          {PlaceActive, PlaceRetired},
	PlaceRevocationProposed: {PlaceActive, PlaceRevoked},
	PlaceRevoked:            {PlaceRetired},
}

// CanMovePlace reports whether a place may go from one status to another.
func CanMovePlace(from, to string) bool {
	for _, s := range PlaceTransitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Accreditation grades of an LKSA (Permensos 17/2012) and how many years
// each is valid.
var AccreditationYears = map[string]int{"A": 5, "B": 3, "C": 2}

// PermitYears is how long an operating permit is valid before renewal.
const PermitYears = 5

// MaxWarnings is the number of warnings after which revocation is
// proposed.
const MaxWarnings = 3

// Place is one safe house or institution. The host's name, phone and
// address and the household's adults are personal: shown only to those
// who place children (PermWorkCases with personal data), every view
// audited; others get PersonalMasked.
type Place struct {
	ID                 string    `json:"id"`
	Kind               string    `json:"kind"`
	Name               string    `json:"name"` // a working name without the host's identity ("Rumah Aman Sebalo 1")
	RegionCode         string    `json:"region_code"`
	RegionName         string    `json:"region_name,omitempty"`
	Owner              string    `json:"owner"`
	Status             string    `json:"status"`
	Capacity           int       `json:"capacity"`
	Occupied           int       `json:"occupied"` // active placements
	Held               int       `json:"held"`     // holds not yet expired
	MaxStayDays        int       `json:"max_stay_days"`
	HostName           string    `json:"host_name,omitempty"`  // personal
	HostPhone          string    `json:"host_phone,omitempty"` // personal
	Address            string    `json:"address,omitempty"`    // personal
	Household          string    `json:"household,omitempty"`  // personal: the adults living there, one per line
	PersonalMasked     bool      `json:"personal_masked,omitempty"`
	PermitNumber       string    `json:"permit_number,omitempty"`
	PermitExpires      string    `json:"permit_expires,omitempty"` // YYYY-MM-DD
	Warnings           int       `json:"warnings"`
	Accreditation      string    `json:"accreditation,omitempty"`
	AccreditationUntil string    `json:"accreditation_until,omitempty"`
	ChecklistVersion   int       `json:"checklist_version,omitempty"` // the template its checks answer
	Version            int       `json:"version"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
}

// Free is how many children the place can still take.
func (p Place) Free() int { return max(p.Capacity-p.Occupied-p.Held, 0) }

// NewPlace is a place to register.
type NewPlace struct {
	Kind, Name, RegionCode, Owner     string
	Capacity, MaxStayDays             int
	HostName, HostPhone, Address      string
	Household                         string
	PermitNumber, PermitExpires       string
	Accreditation, AccreditationUntil string
}

// ChecklistItem is one item of the host verification checklist.
type ChecklistItem struct {
	Key      string `json:"key"`
	Label    string `json:"label"` // Indonesian, as the verifier reads it
	Required bool   `json:"required"`
	// Auto names a check lindu makes itself: "no_perpetrator" (no adult of
	// the household is a perpetrator in an open case).
	Auto string `json:"auto,omitempty"`
}

// Checklist is one version of the verification template.
type Checklist struct {
	Version   int             `json:"version"`
	Items     []ChecklistItem `json:"items"`
	CreatedBy string          `json:"created_by"`
	CreatedAt time.Time       `json:"created_at"`
}

// Check results.
const (
	CheckPass = "pass" // terpenuhi
	CheckFail = "fail" // tidak terpenuhi
	CheckNA   = "na"   // tidak berlaku
)

// CheckResult is a place's answer to one checklist item.
type CheckResult struct {
	Item      string    `json:"item"`
	Result    string    `json:"result"`
	Note      string    `json:"note,omitempty"` // personal
	CheckedBy string    `json:"checked_by,omitempty"`
	CheckedAt time.Time `json:"checked_at"`
}

// PlaceEvent is one change of a place.
type PlaceEvent struct {
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	Kind       string    `json:"kind"` // created, status, checks, warning, permit
	FromStatus string    `json:"from_status,omitempty"`
	ToStatus   string    `json:"to_status,omitempty"`
	Note       string    `json:"note,omitempty"` // personal
}

// Statuses of a stay.
const (
	StayHeld     = "held"     // a place held for the child, until the hold expires
	StayActive   = "active"   // the child stays there
	StayEnded    = "ended"    // the child left
	StayReleased = "released" // the hold was given back
	StayExpired  = "expired"  // the hold ran out (or the host did not answer in time)
	StayAsked    = "asked"    // the host was asked by SMS and has not answered
	StayDeclined = "declined" // the host answered TIDAK, or had no room left when answering YA
)

// Exit destinations of a stay (feed "LKSA versus family-based care").
var ExitDestinations = []string{"home", "kin", "foster", "lksa", "other_place", "ran_away", "died", "other"}

// Stay is a child of a case held a place for, or staying in, a safe house
// or institution (a placement: penempatan).
type Stay struct {
	ID                string     `json:"id"`
	PlaceID           string     `json:"place_id"`
	PlaceName         string     `json:"place_name,omitempty"`
	PlaceKind         string     `json:"place_kind,omitempty"`
	CaseID            string     `json:"case_id"`
	VictimID          string     `json:"victim_id"`
	Status            string     `json:"status"`
	Emergency         bool       `json:"emergency"`
	Reason            string     `json:"reason,omitempty"`      // personal
	Gatekeeping       string     `json:"gatekeeping,omitempty"` // personal: why family-based care was not possible (LKSA)
	GatekeepingBy     string     `json:"gatekeeping_by,omitempty"`
	HoldExpiresAt     *time.Time `json:"hold_expires_at,omitempty"`
	FromAt            *time.Time `json:"from_at,omitempty"`
	ToAt              *time.Time `json:"to_at,omitempty"`
	StayUntil         *time.Time `json:"stay_until,omitempty"` // the stay limit (overstay after it)
	ExtensionReason   string     `json:"extension_reason,omitempty"`
	ExtensionApprover string     `json:"extension_approver,omitempty"`
	ExitReason        string     `json:"exit_reason,omitempty"`
	ExitDestination   string     `json:"exit_destination,omitempty"`
	PreviousID        string     `json:"previous_id,omitempty"`
	Code              string     `json:"code,omitempty"`        // the code the host answers with (asked by SMS)
	AskedUntil        *time.Time `json:"asked_until,omitempty"` // until when the host may answer
	NextReview        *time.Time `json:"next_review,omitempty"` // when the placement is due for review
	PlacedBy          string     `json:"placed_by"`
	CreatedAt         time.Time  `json:"created_at"`
	Version           int        `json:"version"`
	Masked            bool       `json:"masked,omitempty"`
}

// NewStay asks for a place for a child of a case.
type NewStay struct {
	PlaceID, CaseID, VictimID string
	Emergency                 bool
	Reason                    string
	Gatekeeping               string // required for an LKSA or panti: why not family-based care
	Hold                      bool   // hold the place (until HoldFor runs out) instead of admitting now
	HoldFor                   time.Duration
	// Ask texts the host first ("Bisa menerima 1 anak?"); the place is held
	// when the host answers YA.
	Ask bool
}

// Training is a training a host attended.
type Training struct {
	ID        string `json:"id"`
	PlaceID   string `json:"place_id"`
	Topic     string `json:"topic"`
	HeldOn    string `json:"held_on"` // YYYY-MM-DD
	CreatedBy string `json:"created_by"`
}

// Incentive kinds for hosts (seed 001: "insentif (sembako atau
// penggantian biaya)").
const (
	IncentiveCash          = "cash"          // uang
	IncentiveGoods         = "goods"         // sembako
	IncentiveReimbursement = "reimbursement" // penggantian biaya
	IncentivePerNight      = "per_night"     // per malam menampung anak, dihitung dari penempatan
)

// IncentiveKinds lists the kinds a person records (per-night ones are
// computed from a stay).
var IncentiveKinds = []string{IncentiveCash, IncentiveGoods, IncentiveReimbursement}

// Incentive is one row of a host's incentive ledger; amounts in rupiah.
type Incentive struct {
	ID        string `json:"id"`
	PlaceID   string `json:"place_id"`
	PlaceName string `json:"place_name,omitempty"`
	Kind      string `json:"kind"`
	Amount    int64  `json:"amount"`
	GivenOn   string `json:"given_on"` // YYYY-MM-DD
	Basis     string `json:"basis,omitempty"`
	StayID    string `json:"stay_id,omitempty"`
	Nights    int    `json:"nights,omitempty"`
	Rate      int64  `json:"rate,omitempty"`
	CreatedBy string `json:"created_by"`
}

// SupervisionVisit is a visit to a place with its findings and the next
// visit due.
type SupervisionVisit struct {
	ID        string `json:"id"`
	PlaceID   string `json:"place_id"`
	PlaceName string `json:"place_name,omitempty"`
	VisitedOn string `json:"visited_on"`
	Visitor   string `json:"visitor"`
	Findings  string `json:"findings,omitempty"` // personal
	NextDue   string `json:"next_due,omitempty"`
}
