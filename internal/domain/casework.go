package domain

import (
	"strings"
	"time"
)

// CaseStatus is where a case is in the rapid-response workflow.
type CaseStatus string

const (
	StatusNew          CaseStatus = "new"          // entered, not yet checked
	StatusVerified     CaseStatus = "verified"     // checked: a real case (terverifikasi)
	StatusAssigned     CaseStatus = "assigned"     // a team or caseworker is responsible (ditugaskan)
	StatusAcknowledged CaseStatus = "acknowledged" // the assignee confirmed (diterima)
	StatusResponded    CaseStatus = "responded"    // first contact with the child (ditangani/tiba)
	StatusInService    CaseStatus = "in_service"   // services under way (dalam layanan)
	StatusReferred     CaseStatus = "referred"     // referred to another agency (dirujuk)
	StatusClosed       CaseStatus = "closed"       // ended (ditutup)
)

// CaseStatuses lists every status in workflow order.
var CaseStatuses = []CaseStatus{StatusNew, StatusVerified, StatusAssigned, StatusAcknowledged, StatusResponded,
	StatusInService, StatusReferred, StatusClosed}

// Valid reports whether s is a known status.
func (s CaseStatus) Valid() bool {
	for _, x := range CaseStatuses {
		if x == s {
			return true
		}
	}
	return false
}

// Open reports whether the case still needs work.
func (s CaseStatus) Open() bool { return s != StatusClosed }

// transitions is the workflow: from → allowed targets. Closing is allowed
// from every open status (with a note saying why); reopening goes from
// closed back to in_service when someone had reached the child, else back
// to verified so it is assigned again.
var transitions = map[CaseStatus][]CaseStatus{
	StatusNew:          {StatusVerified, StatusClosed},
	StatusVerified:     {StatusAssigned, StatusClosed},
	StatusAssigned:     {StatusAcknowledged, StatusResponded, StatusClosed},
	StatusAcknowledged: {StatusResponded, StatusClosed},
	StatusResponded:    {StatusInService, StatusReferred, StatusClosed},
	StatusInService:    {StatusReferred, StatusClosed},
	StatusReferred:     {StatusInService, StatusClosed},
	StatusClosed:       {StatusInService, StatusVerified},
}

// NextStatuses lists the statuses a case may move to from s.
func NextStatuses(s CaseStatus) []CaseStatus { return transitions[s] }

// CanTransition reports whether from → to is a step of the workflow.
func CanTransition(from, to CaseStatus) bool {
	for _, x := range transitions[from] {
		if x == to {
			return true
		}
	}
	return false
}

// Transition is a requested change of status.
type Transition struct {
	To         CaseStatus `json:"to"`
	Note       string     `json:"note"`
	AssigneeID string     `json:"assignee_id,omitempty"` // for "assigned": the lead user (optional if a team is set)
	TeamID     string     `json:"team_id,omitempty"`     // for "assigned": the responsible team
}

// CheckTransition validates a transition of a case in status from, with the
// case's current assignment and whether anyone reached the child, and
// returns a user-facing error or nil.
func CheckTransition(from CaseStatus, t Transition, hasAssignee, responded bool) error {
	if !t.To.Valid() {
		return InvalidFields(FieldErrors{"to": M("case.field.status")})
	}
	if !CanTransition(from, t.To) {
		return E(EConflict, "case.err.bad_transition", string(from), string(t.To), statusList(NextStatuses(from)))
	}
	if len(t.Note) > MaxTransitionNote {
		return InvalidFields(FieldErrors{"note": M("field.max_chars", MaxTransitionNote)})
	}
	if t.To == StatusClosed && strings.TrimSpace(t.Note) == "" {
		return InvalidFields(FieldErrors{"note": M("case.field.close_reason")})
	}
	if from == StatusClosed && strings.TrimSpace(t.Note) == "" {
		return InvalidFields(FieldErrors{"note": M("case.field.reopen_reason")})
	}
	if from == StatusClosed && t.To == StatusInService && !responded {
		return E(EConflict, "case.err.reopen_not_reached")
	}
	if from == StatusClosed && t.To == StatusVerified && responded {
		return E(EConflict, "case.err.reopen_reached")
	}
	if t.To == StatusAssigned && t.AssigneeID == "" && t.TeamID == "" && !hasAssignee {
		return InvalidFields(FieldErrors{"assignee_id": M("case.field.assignee_required")})
	}
	return nil
}

// MaxTransitionNote is the longest note of a status change (characters).
const MaxTransitionNote = 4000

func statusList(ss []CaseStatus) string {
	if len(ss) == 0 {
		return "none"
	}
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = string(s)
	}
	return strings.Join(parts, ", ")
}

// Priority orders cases by urgency; deadlines are configured per priority.
type Priority string

const (
	PriorityHigh   Priority = "high"   // immediate danger (tinggi)
	PriorityMedium Priority = "medium" // (sedang)
	PriorityLow    Priority = "low"    // (rendah)
)

// Priorities lists priorities, most urgent first.
var Priorities = []Priority{PriorityHigh, PriorityMedium, PriorityLow}

// Valid reports whether p is known.
func (p Priority) Valid() bool { return p == PriorityHigh || p == PriorityMedium || p == PriorityLow }

// ViolenceType is a type of violence or problem (SIMFONI-PPA and SPEC B).
type ViolenceType string

const (
	VPhysical      ViolenceType = "physical"       // fisik
	VPsychological ViolenceType = "psychological"  // psikis
	VSexual        ViolenceType = "sexual"         // seksual
	VExploitation  ViolenceType = "exploitation"   // eksploitasi
	VTrafficking   ViolenceType = "trafficking"    // TPPO
	VNeglect       ViolenceType = "neglect"        // penelantaran / anak terlantar
	VChildMarriage ViolenceType = "child_marriage" // perkawinan anak
	VChildLabour   ViolenceType = "child_labour"   // pekerja anak
	VABH           ViolenceType = "abh"            // anak berhadapan dengan hukum (legal status)
	VOnline        ViolenceType = "online"         // kekerasan berbasis online/siber
	// VKDRT (kekerasan dalam rumah tangga) is a setting, not a type: a
	// case records it as Case.KDRT. Input naming it as a type sets that
	// (KDRTInTypes); it is not in ViolenceTypes.
	VKDRT   ViolenceType = "kdrt"
	VRights ViolenceType = "rights" // pemenuhan hak
	VOther  ViolenceType = "other"  // lainnya
)

// ViolenceTypes lists every type.
var ViolenceTypes = []ViolenceType{VPhysical, VPsychological, VSexual, VExploitation, VTrafficking, VNeglect,
	VChildMarriage, VChildLabour, VABH, VOnline, VRights, VOther}

// KDRTInTypes removes "kdrt" from types (older clients sent the setting as
// a type) and reports whether it was there.
func KDRTInTypes(types []ViolenceType) ([]ViolenceType, bool) {
	out, found := types[:0:0], false
	for _, t := range types {
		if t == VKDRT {
			found = true
			continue
		}
		out = append(out, t)
	}
	return out, found
}

// Valid reports whether v is known.
func (v ViolenceType) Valid() bool {
	for _, x := range ViolenceTypes {
		if x == v {
			return true
		}
	}
	return false
}

// Sex as recorded by SIMFONI-PPA.
type Sex string

const (
	SexMale    Sex = "L" // laki-laki
	SexFemale  Sex = "P" // perempuan
	SexUnknown Sex = ""
)

// Valid reports whether s is L, P or unknown.
func (s Sex) Valid() bool { return s == SexMale || s == SexFemale || s == SexUnknown }

// AgeBand returns the SIMFONI-PPA age band of an age in years ("" if unknown).
func AgeBand(age *int) string {
	if age == nil {
		return ""
	}
	switch a := *age; {
	case a < 0:
		return ""
	case a <= 5:
		return "0-5"
	case a <= 12:
		return "6-12"
	case a <= 17:
		return "13-17"
	case a <= 24:
		return "18-24"
	case a <= 44:
		return "25-44"
	case a <= 59:
		return "45-59"
	}
	return "60+"
}

// VictimGroup is SIMFONI's P/A split: "A" for a child (under 18), "P" for an
// adult woman, "" otherwise or unknown.
func VictimGroup(age *int, sex Sex) string {
	if age != nil && *age < 18 {
		return "A"
	}
	if age != nil && sex == SexFemale {
		return "P"
	}
	return ""
}

// Relation of a perpetrator to the victim (SIMFONI-PPA): "family" is
// another relative, "partner" a boyfriend or girlfriend,
// "adoptive_parent" also a foster parent.
var Relations = []string{"parent", "step_parent", "adoptive_parent", "guardian", "sibling", "family", "spouse", "partner",
	"friend", "neighbour", "teacher", "religious_teacher", "employer", "coworker", "stranger", "other", "unknown"}

// Places of an incident (SIMFONI-PPA), one per victim.
var Places = []string{"household", "school", "education_other", "workplace", "public", "online", "other"}

// ServiceTypes given to victims (Permen PPPA 2/2022 and SPEC B).
var ServiceTypes = []string{"complaint", "health", "legal_aid", "law_enforcement", "psychosocial", "social_rehabilitation",
	"safe_house", "family_reunification", "lksa_placement", "reintegration", "repatriation", "religious"}

// PlacementKinds of a child's temporary care.
var PlacementKinds = []string{"safe_house", "lksa", "family", "other"}

func inList(v string, list []string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// RestorativeProvider reports whether a service's provider names a
// diversion or restorative justice: the convention for recording a
// diversion under UU 11/2012 SPPA (KLA indicator 22). It is kept as a flag
// beside the sealed provider so the indicator is counted in SQL.
func RestorativeProvider(provider string) bool {
	p := strings.ToLower(provider)
	return strings.Contains(p, "diversi") || strings.Contains(p, "restorat")
}

// ValidRelation, ValidPlace, ValidService, ValidPlacement check enumerations.
func ValidRelation(v string) bool  { return inList(v, Relations) }
func ValidPlace(v string) bool     { return v == "" || inList(v, Places) }
func ValidService(v string) bool   { return inList(v, ServiceTypes) }
func ValidPlacement(v string) bool { return inList(v, PlacementKinds) }

// DeadlineKind names a service-level clock.
type DeadlineKind string

const (
	DeadlineTriage   DeadlineKind = "triage"   // a report must be verified (or rejected)
	DeadlineAck      DeadlineKind = "ack"      // the assignee must acknowledge
	DeadlineResponse DeadlineKind = "response" // first contact with the child
	DeadlinePolice   DeadlineKind = "police"   // sexual violence: report to the police (UU TPKS, 3 x 24 h)
	DeadlineAction   DeadlineKind = "action"   // an action of the case plan is due
	DeadlineVisit    DeadlineKind = "visit"    // a follow-up visit is due
	DeadlineReferral DeadlineKind = "referral" // the receiving service must answer a referral
	DeadlineTransfer DeadlineKind = "transfer" // the receiving unit must answer a transfer
	DeadlineStay     DeadlineKind = "stay"     // a child's stay in a safe house or institution reaches its limit
	DeadlineReview   DeadlineKind = "review"   // a child's placement is due for review (72 h after an emergency placement, then regularly)
)

// ItemKind reports whether a clock belongs to an item of a case (a plan
// action, a visit, a referral, a transfer) rather than to the case itself.
func (k DeadlineKind) ItemKind() bool {
	return k == DeadlineAction || k == DeadlineVisit || k == DeadlineReferral || k == DeadlineTransfer || k == DeadlineStay || k == DeadlineReview
}

// Deadline is one stored clock of a case or report.
type Deadline struct {
	ID       string       `json:"id"`
	Kind     DeadlineKind `json:"kind"`
	DueAt    time.Time    `json:"due_at"`
	MetAt    *time.Time   `json:"met_at,omitempty"`
	Breached bool         `json:"breached"`
}

// SLARule sets the clocks of cases of a priority (and optionally a type).
type SLARule struct {
	Priority        Priority     `json:"priority"`
	Type            ViolenceType `json:"type,omitempty"` // "" = any type
	AckMinutes      int          `json:"ack_minutes"`
	ResponseMinutes int          `json:"response_minutes"`
}

// DefaultSLA are the defaults: acknowledge within 1 hour, respond within
// 24 hours (the seeds' target), faster for high priority; DOMAIN 5.
var DefaultSLA = []SLARule{
	{Priority: PriorityHigh, AckMinutes: 30, ResponseMinutes: 6 * 60},
	{Priority: PriorityMedium, AckMinutes: 60, ResponseMinutes: 24 * 60},
	{Priority: PriorityLow, AckMinutes: 60, ResponseMinutes: 24 * 60},
}

// PoliceReportWindow is the legal limit to report sexual violence to the
// police after the victim reports (UU 12/2022 TPKS): 3 x 24 hours.
const PoliceReportWindow = 72 * time.Hour

// TriageWindow is how long a report may wait for verification.
const TriageWindow = 30 * time.Minute
