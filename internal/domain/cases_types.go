package domain

import "time"

// ReportStatus is where a report is in triage.
type ReportStatus string

const (
	ReportNew      ReportStatus = "new"      // waiting for triage
	ReportVerified ReportStatus = "verified" // became a new case
	ReportMerged   ReportStatus = "merged"   // added to an existing case
	ReportRejected ReportStatus = "rejected" // not a case (reason kept)
)

// Channel is how a report arrived.
type Channel string

const (
	ChannelWeb      Channel = "web"
	ChannelAPI      Channel = "api"
	ChannelSMS      Channel = "sms"
	ChannelWhatsApp Channel = "whatsapp"
	ChannelStaff    Channel = "staff"
)

// NewReport is what a reporter sends. Personal fields: Description,
// ContactPhone, ReporterName.
type NewReport struct {
	Channel        Channel
	IdempotencyKey string // client request id, SMS or WhatsApp message id
	RegionCode     string
	Description    string
	ChildAge       *int
	ChildSex       Sex
	Anonymous      bool
	ContactPhone   string
	ReporterName   string
	ReceivedAt     time.Time // zero: now
}

// Report is a report as staff see it. Personal fields are empty unless the
// reader may see them; an anonymous reporter's phone is never shown.
type Report struct {
	ID             string       `json:"id"`
	Code           string       `json:"code"`
	Channel        Channel      `json:"channel"`
	ReceivedAt     time.Time    `json:"received_at"`
	RegionCode     string       `json:"region_code"`
	RegionName     string       `json:"region_name,omitempty"`
	Description    string       `json:"description,omitempty"`
	ChildAge       *int         `json:"child_age,omitempty"`
	ChildSex       Sex          `json:"child_sex,omitempty"`
	Anonymous      bool         `json:"anonymous"`
	HasContact     bool         `json:"has_contact"`
	ContactPhone   string       `json:"contact_phone,omitempty"`
	ReporterName   string       `json:"reporter_name,omitempty"`
	Status         ReportStatus `json:"status"`
	CaseID         string       `json:"case_id,omitempty"`
	RejectReason   string       `json:"reject_reason,omitempty"`
	TriagedAt      *time.Time   `json:"triaged_at,omitempty"`
	PersonalMasked bool         `json:"personal_masked,omitempty"`
	TriageDueAt    *time.Time   `json:"triage_due_at,omitempty"`
	// Media are the files the report came with by WhatsApp (GetReport).
	Media []ReportMedia `json:"media,omitempty"`
}

// ReportStatusView is what the public may know about a report: no
// personal data, no case details.
type ReportStatusView struct {
	Code        string     `json:"code"`
	Status      string     `json:"status"` // received, in_review, handled, closed, not_a_case
	ReceivedAt  time.Time  `json:"received_at"`
	ReviewedAt  *time.Time `json:"reviewed_at,omitempty"`
	RespondedAt *time.Time `json:"responded_at,omitempty"`
	ClosedAt    *time.Time `json:"closed_at,omitempty"`
}

// Case is one child-protection case.
type Case struct {
	ID             string         `json:"id"`
	Code           string         `json:"code"`
	RegionCode     string         `json:"region_code"`
	RegionName     string         `json:"region_name,omitempty"`
	Status         CaseStatus     `json:"status"`
	Priority       Priority       `json:"priority"`
	Types          []ViolenceType `json:"types"`
	KDRT           bool           `json:"kdrt"`              // domestic violence: a setting, not a type
	Summary        string         `json:"summary,omitempty"` // personal: the narrative
	Place          string         `json:"place,omitempty"`   // place category (Places)
	IncidentDate   string         `json:"incident_date,omitempty"`
	LegalBasis     string         `json:"legal_basis,omitempty"`
	TeamID         string         `json:"team_id,omitempty"`
	TeamName       string         `json:"team_name,omitempty"`
	SupportTeamID  string         `json:"support_team_id,omitempty"`
	SupportTeam    string         `json:"support_team_name,omitempty"`
	AssigneeID     string         `json:"assignee_id,omitempty"`
	Assignee       string         `json:"assignee,omitempty"`
	ReportedAt     time.Time      `json:"reported_at"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
	VerifiedAt     *time.Time     `json:"verified_at,omitempty"`
	AcknowledgedAt *time.Time     `json:"acknowledged_at,omitempty"`
	RespondedAt    *time.Time     `json:"responded_at,omitempty"`
	ClosedAt       *time.Time     `json:"closed_at,omitempty"`
	NextDueAt      *time.Time     `json:"next_due_at,omitempty"`
	NextDueKind    DeadlineKind   `json:"next_due_kind,omitempty"`
	Version        int            `json:"version"`
	PersonalMasked bool           `json:"personal_masked,omitempty"`

	// Need-to-know (filled by GetCase only): the caller does not handle
	// the case and may open its personal data by asking for emergency
	// access (akses darurat) with a reason; or sees it through such a
	// grant until AccessUntil.
	AccessRequestable bool       `json:"access_requestable,omitempty"`
	AccessUntil       *time.Time `json:"emergency_access_until,omitempty"`

	// Filled by GetCase only.
	Victims      []Victim      `json:"victims,omitempty"`
	Perpetrators []Perpetrator `json:"perpetrators,omitempty"`
	Services     []Service     `json:"services,omitempty"`
	Referrals    []Referral    `json:"referrals,omitempty"`
	Placements   []Placement   `json:"placements,omitempty"`
	Events       []CaseEvent   `json:"events,omitempty"`
	Deadlines    []Deadline    `json:"deadlines,omitempty"`
	Reports      []Report      `json:"reports,omitempty"`

	// Transfer is the case's latest transfer to another unit of lindu
	// (filled by GetCase only); ReadOnly is set for a reader of the
	// sending region after the case moved: they see it as it was when it
	// left and change nothing.
	Transfer *CaseTransfer `json:"transfer,omitempty"`
	ReadOnly bool          `json:"read_only,omitempty"`

	// Documents attached to the case (filled by GetCase only): entries
	// with only an id and a time for those who do not handle the case.
	Documents []CaseDocument `json:"documents,omitempty"`
}

// Victim of a case (korban).
type Victim struct {
	ID         string `json:"id"`
	Name       string `json:"name,omitempty"` // personal
	Sex        Sex    `json:"sex"`
	Age        *int   `json:"age,omitempty"`
	AgeBand    string `json:"age_band,omitempty"`
	Group      string `json:"group,omitempty"`      // A (child) or P (woman)
	Disability string `json:"disability,omitempty"` // personal: free-text note on the disability
	// Disabilities are kinds of disability (Disabilities); personal.
	Disabilities  []string       `json:"disabilities,omitempty"`
	Education     string         `json:"education,omitempty"` // Educations
	Occupation    string         `json:"occupation,omitempty"`
	MaritalStatus string         `json:"marital_status,omitempty"`
	Place         string         `json:"place,omitempty"` // place category of the incident (Places)
	Types         []ViolenceType `json:"types"`
}

// Perpetrator of a case (pelaku).
type Perpetrator struct {
	ID         string `json:"id"`
	Name       string `json:"name,omitempty"` // personal
	Sex        Sex    `json:"sex"`
	Age        *int   `json:"age,omitempty"`
	Relation   string `json:"relation"`
	Education  string `json:"education,omitempty"`
	Occupation string `json:"occupation,omitempty"`
}

// Service given (layanan).
type Service struct {
	ID        string `json:"id"`
	VictimID  string `json:"victim_id,omitempty"`
	Type      string `json:"type"`
	Provider  string `json:"provider,omitempty"`
	GivenOn   string `json:"given_on"`           // YYYY-MM-DD
	EndedOn   string `json:"ended_on,omitempty"` // YYYY-MM-DD, empty while ongoing
	Outcome   string `json:"outcome,omitempty"`  // personal
	Note      string `json:"note,omitempty"`     // personal
	CreatedBy string `json:"created_by,omitempty"`
}

// Referral to another agency (rujukan). A referral to a registered
// provider has a Status, a Code the provider answers with by SMS, the
// service asked and its urgency; one recorded as free text (before the
// registry, or to an agency outside it) has Status "".
type Referral struct {
	ID         string `json:"id"`
	Agency     string `json:"agency"`
	Reason     string `json:"reason,omitempty"` // personal
	ReferredOn string `json:"referred_on"`

	ProviderID    string         `json:"provider_id,omitempty"`
	Service       string         `json:"service,omitempty"`
	Urgency       string         `json:"urgency,omitempty"`
	Status        ReferralStatus `json:"status,omitempty"`
	Code          string         `json:"code,omitempty"`
	DueAt         *time.Time     `json:"due_at,omitempty"`
	ConsentID     string         `json:"consent_id,omitempty"`
	SentBy        string         `json:"sent_by,omitempty"`
	AnsweredAt    *time.Time     `json:"answered_at,omitempty"`
	AnsweredVia   string         `json:"answered_via,omitempty"` // ui, sms, whatsapp, worker
	AnsweredBy    string         `json:"answered_by,omitempty"`
	DeclineReason string         `json:"decline_reason,omitempty"` // personal
	DoneAt        *time.Time     `json:"done_at,omitempty"`
	RevokedAt     *time.Time     `json:"revoked_at,omitempty"`
	RevokeReason  string         `json:"revoke_reason,omitempty"` // personal
	Overdue       bool           `json:"overdue,omitempty"`
	// For a provider's own list: the case's code and village (nothing
	// else of the case is shared).
	CaseID     string `json:"case_id,omitempty"`
	CaseCode   string `json:"case_code,omitempty"`
	RegionName string `json:"region_name,omitempty"`
}

// Placement of a child (penempatan): a simple reference for now.
type Placement struct {
	ID        string `json:"id"`
	VictimID  string `json:"victim_id,omitempty"`
	Kind      string `json:"kind"`
	PlaceName string `json:"place_name"`
	FromDate  string `json:"from_date"`
	ToDate    string `json:"to_date,omitempty"`
}

// CaseEvent is one line of a case's timeline.
type CaseEvent struct {
	ID         string     `json:"id"`
	At         time.Time  `json:"at"`
	Actor      string     `json:"actor"`
	Kind       string     `json:"kind"` // transition, note, assign, service, victim, ...
	FromStatus CaseStatus `json:"from_status,omitempty"`
	ToStatus   CaseStatus `json:"to_status,omitempty"`
	Note       string     `json:"note,omitempty"` // personal
	// ActorName is the acting user's full name, for readers who may see
	// personal data ("" otherwise, or for lindu itself).
	ActorName string `json:"actor_name,omitempty"`
	// Changes are the fields an "edit" or "removed" event changed.
	Changes []CaseChange `json:"changes,omitempty"`
}

// NewCase is staff's direct entry of a case.
type NewCase struct {
	RegionCode   string
	Priority     Priority
	Types        []ViolenceType
	KDRT         bool
	Summary      string
	Place        string
	IncidentDate string
	LegalBasis   string
	ReportedAt   time.Time // zero: now
	NeedsReview  bool      // true: starts as "new" for a supervisor to verify
	Victims      []Victim
}

// CaseFilter selects cases in the inbox.
type CaseFilter struct {
	Status     CaseStatus
	OpenOnly   bool
	Due        string // "", "soon" (within 2 hours), "overdue"
	RegionCode string
	Type       ViolenceType
	AssigneeID string // "me" is resolved by the caller
	TeamID     string
	Priority   Priority
	Query      string // case code
	Limit      int
	Offset     int
}

// Team is a village taskforce, a district rapid-response team or the UPTD
// PPA duty team.
type Team struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Kind       string   `json:"kind"` // village_taskforce, district_team, uptd
	RegionCode string   `json:"region_code"`
	RegionName string   `json:"region_name,omitempty"`
	Members    []User   `json:"members,omitempty"`
	MemberIDs  []string `json:"member_ids,omitempty"`
}

// TeamKinds lists team kinds.
var TeamKinds = []string{"village_taskforce", "district_team", "uptd"}

// DutyShift puts a caseworker on duty for a region over a period.
type DutyShift struct {
	ID         string    `json:"id"`
	UserID     string    `json:"user_id"`
	Username   string    `json:"username"`
	RegionCode string    `json:"region_code"`
	StartsAt   time.Time `json:"starts_at"`
	EndsAt     time.Time `json:"ends_at"`
}

// OutboxMessage is a message waiting to be (or already) delivered.
type OutboxMessage struct {
	ID          string     `json:"id"`
	CreatedAt   time.Time  `json:"created_at"`
	Channel     string     `json:"channel"` // sms, whatsapp, ui
	Recipient   string     `json:"recipient"`
	RecipientID string     `json:"recipient_id,omitempty"`
	Body        string     `json:"body"`
	CaseID      string     `json:"case_id,omitempty"`
	Status      string     `json:"status"` // pending, sent, delivered, failed
	Attempts    int        `json:"attempts"`
	SentAt      *time.Time `json:"sent_at,omitempty"`
}

// AccessGrant is an emergency access (akses darurat) to a case's personal
// data: who opened it, why (personal: sealed), and until when.
type AccessGrant struct {
	ID        string    `json:"id"`
	CaseID    string    `json:"case_id"`
	UserID    string    `json:"user_id"`
	Reason    string    `json:"reason,omitempty"`
	GrantedAt time.Time `json:"granted_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// TransferStatus is where a transfer stands.
type TransferStatus string

const (
	TransferRequested TransferStatus = "requested"
	TransferAccepted  TransferStatus = "accepted"
	TransferRejected  TransferStatus = "rejected"
	TransferCancelled TransferStatus = "cancelled"
)

// CaseTransfer is a case's move to another unit of lindu (pemindahan
// kasus). Reason and Comment are personal.
type CaseTransfer struct {
	ID          string         `json:"id"`
	CaseID      string         `json:"case_id"`
	CaseCode    string         `json:"case_code,omitempty"`
	FromRegion  string         `json:"from_region"`
	FromName    string         `json:"from_name,omitempty"`
	ToRegion    string         `json:"to_region"`
	ToName      string         `json:"to_name,omitempty"`
	Reason      string         `json:"reason,omitempty"`
	Status      TransferStatus `json:"status"`
	RequestedBy string         `json:"requested_by"`
	RequestedAt time.Time      `json:"requested_at"`
	DecidedBy   string         `json:"decided_by,omitempty"`
	DecidedAt   *time.Time     `json:"decided_at,omitempty"`
	Comment     string         `json:"comment,omitempty"`
	NewRegion   string         `json:"new_region,omitempty"`
}
