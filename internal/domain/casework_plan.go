package domain

import (
	"strings"
	"time"
)

// Case management after the first contact: the assessment (asesmen), the
// case plan (rencana penanganan) and its actions, follow-up visits
// (kunjungan lanjutan) and the approvals a supervisor gives (persetujuan).

// Risk levels of an assessment, lowest first.
const (
	RiskLow      = "low"      // rendah
	RiskMedium   = "medium"   // sedang
	RiskHigh     = "high"     // tinggi
	RiskCritical = "critical" // sangat tinggi: the child is not safe now
)

// RiskLevels lists the risk levels, lowest first.
var RiskLevels = []string{RiskLow, RiskMedium, RiskHigh, RiskCritical}

// NeedDomains are the domains an assessment looks at and a plan action
// belongs to.
var NeedDomains = []string{"safety", "health", "education", "family", "legal", "psychosocial", "economic"}

// NeedLevels grade a need: none, some (to follow), urgent.
var NeedLevels = []string{"none", "some", "urgent"}

// AssessmentNeed is the need found in one domain; Note is personal.
type AssessmentNeed struct {
	Domain string `json:"domain"`
	Level  string `json:"level"`
	Note   string `json:"note,omitempty"`
}

// Assessment is one assessment of a case. Re-assessing adds the next
// Number; the newest is the case's current assessment.
type Assessment struct {
	ID         string           `json:"id"`
	CaseID     string           `json:"case_id"`
	Number     int              `json:"number"`
	AssessedOn string           `json:"assessed_on"` // YYYY-MM-DD
	Risk       string           `json:"risk"`
	Needs      []AssessmentNeed `json:"needs"`
	Summary    string           `json:"summary,omitempty"` // personal
	By         string           `json:"by"`
	CreatedAt  time.Time        `json:"created_at"`
}

// NewAssessment is what a worker records.
type NewAssessment struct {
	AssessedOn string           `json:"assessed_on"`
	Risk       string           `json:"risk"`
	Needs      []AssessmentNeed `json:"needs"`
	Summary    string           `json:"summary"`
}

// Validate checks an assessment: a date not in the future, a risk level,
// every need's domain and level known (each domain once); at least one need
// above none, or a summary.
func (a NewAssessment) Validate(today string) FieldErrors {
	fe := FieldErrors{}
	if !ValidDay(a.AssessedOn) || a.AssessedOn > today {
		fe["assessed_on"] = M("plan.field.assessed_on")
	}
	if !inList(a.Risk, RiskLevels) {
		fe["risk"] = M("plan.field.risk")
	}
	seen := map[string]bool{}
	for _, n := range a.Needs {
		if !inList(n.Domain, NeedDomains) || !inList(n.Level, NeedLevels) || seen[n.Domain] {
			fe["needs"] = M("plan.field.needs")
			break
		}
		seen[n.Domain] = true
		if len(n.Note) > 2000 {
			fe["need_"+n.Domain] = M("plan.field.too_long", 2000)
		}
	}
	if len(a.Summary) > 10000 {
		fe["summary"] = M("plan.field.too_long", 10000)
	}
	return fe
}

// PlanStatus is where a case plan is in its approval.
type PlanStatus string

const (
	PlanDraft     PlanStatus = "draft"     // being written
	PlanSubmitted PlanStatus = "submitted" // waiting for the supervisor
	PlanApproved  PlanStatus = "approved"  // may be carried out
	PlanReturned  PlanStatus = "returned"  // sent back with a comment: change and submit again
)

// ActionStatus is where a plan action stands.
type ActionStatus string

const (
	ActionPlanned    ActionStatus = "planned"
	ActionInProgress ActionStatus = "in_progress"
	ActionDone       ActionStatus = "done"
	ActionCancelled  ActionStatus = "cancelled"
)

// ActionStatuses lists action statuses in order.
var ActionStatuses = []ActionStatus{ActionPlanned, ActionInProgress, ActionDone, ActionCancelled}

// Finished reports whether an action needs nothing more.
func (s ActionStatus) Finished() bool { return s == ActionDone || s == ActionCancelled }

// CasePlan is a case's plan and its actions.
type CasePlan struct {
	ID          string       `json:"id"`
	CaseID      string       `json:"case_id"`
	Status      PlanStatus   `json:"status"`
	Revision    int          `json:"revision"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
	SubmittedAt *time.Time   `json:"submitted_at,omitempty"`
	ApprovedAt  *time.Time   `json:"approved_at,omitempty"`
	Version     int          `json:"version"`
	Actions     []PlanAction `json:"actions"`
	// NeedsApproval is whether the plan must be approved before its
	// actions are carried out (the office's rule).
	NeedsApproval bool `json:"needs_approval"`
}

// Actionable reports whether the plan's actions may be carried out:
// approved, or approval is not required and it was not returned.
func (p CasePlan) Actionable() bool {
	if p.Status == PlanApproved {
		return true
	}
	return !p.NeedsApproval && p.Status != PlanReturned && p.Status != PlanSubmitted
}

// PlanAction is one action of a case plan. Goal, Action, ResponsibleOrg
// and Note are personal (they describe the child's situation).
type PlanAction struct {
	ID                string       `json:"id"`
	Position          int          `json:"position"`
	Domain            string       `json:"domain"`
	Goal              string       `json:"goal,omitempty"`
	Action            string       `json:"action,omitempty"`
	ResponsibleUserID string       `json:"responsible_user_id,omitempty"`
	ResponsibleUser   string       `json:"responsible_user,omitempty"`
	ResponsibleOrg    string       `json:"responsible_org,omitempty"`
	DueOn             string       `json:"due_on"`
	Status            ActionStatus `json:"status"`
	DoneAt            *time.Time   `json:"done_at,omitempty"`
	Note              string       `json:"note,omitempty"`
	Overdue           bool         `json:"overdue"`
}

// NewPlanAction is an action being added or changed.
type NewPlanAction struct {
	Domain            string `json:"domain"`
	Goal              string `json:"goal"`
	Action            string `json:"action"`
	ResponsibleUserID string `json:"responsible_user_id"`
	ResponsibleOrg    string `json:"responsible_org"`
	DueOn             string `json:"due_on"`
}

// Validate checks an action: a domain, a goal and an action, someone
// responsible (a worker or an organisation) and a due date.
func (a NewPlanAction) Validate() FieldErrors {
	fe := FieldErrors{}
	if !inList(a.Domain, NeedDomains) {
		fe["domain"] = M("plan.field.domain")
	}
	if strings.TrimSpace(a.Goal) == "" || len(a.Goal) > 2000 {
		fe["goal"] = M("plan.field.goal")
	}
	if strings.TrimSpace(a.Action) == "" || len(a.Action) > 2000 {
		fe["action"] = M("plan.field.action")
	}
	if a.ResponsibleUserID == "" && strings.TrimSpace(a.ResponsibleOrg) == "" {
		fe["responsible"] = M("plan.field.responsible")
	}
	if len(a.ResponsibleOrg) > 200 {
		fe["responsible"] = M("plan.field.too_long", 200)
	}
	if !ValidDay(a.DueOn) {
		fe["due_on"] = M("plan.field.due_on")
	}
	return fe
}

// VisitStatus is where a follow-up visit stands.
type VisitStatus string

const (
	VisitPlanned   VisitStatus = "planned"
	VisitDone      VisitStatus = "done"
	VisitMissed    VisitStatus = "missed" // went, did not meet the child
	VisitCancelled VisitStatus = "cancelled"
)

// Visit is a follow-up visit; Outcome is personal.
type Visit struct {
	ID        string      `json:"id"`
	ActionID  string      `json:"action_id,omitempty"`
	PlannedOn string      `json:"planned_on"`
	VisitorID string      `json:"visitor_id,omitempty"`
	Visitor   string      `json:"visitor,omitempty"`
	Status    VisitStatus `json:"status"`
	VisitedOn string      `json:"visited_on,omitempty"`
	Outcome   string      `json:"outcome,omitempty"`
	NextID    string      `json:"next_id,omitempty"`
	Overdue   bool        `json:"overdue"`
}

// VisitRecord is what a worker records after a visit, and the next visit
// to schedule ("" for none).
type VisitRecord struct {
	Status    VisitStatus
	VisitedOn string
	Outcome   string
	NextOn    string
}

// ApprovalKind is what a supervisor approves.
type ApprovalKind string

const (
	ApprovePlan    ApprovalKind = "plan"    // the case plan
	ApproveClosure ApprovalKind = "closure" // closing the case
	ApproveReopen  ApprovalKind = "reopen"  // reopening a closed case
)

// ApprovalKinds lists what may need approval.
var ApprovalKinds = []ApprovalKind{ApprovePlan, ApproveClosure, ApproveReopen}

// ApprovalStatus is where an approval request stands.
type ApprovalStatus string

const (
	ApprovalPending   ApprovalStatus = "pending"
	ApprovalApproved  ApprovalStatus = "approved"
	ApprovalReturned  ApprovalStatus = "returned"
	ApprovalWithdrawn ApprovalStatus = "withdrawn"
)

// Approval is a request for a supervisor's decision. Note and Comment are
// personal.
type Approval struct {
	ID          string         `json:"id"`
	CaseID      string         `json:"case_id"`
	CaseCode    string         `json:"case_code,omitempty"`
	RegionCode  string         `json:"region_code,omitempty"`
	RegionName  string         `json:"region_name,omitempty"`
	Kind        ApprovalKind   `json:"kind"`
	Status      ApprovalStatus `json:"status"`
	RequestedBy string         `json:"requested_by"`
	RequestedAt time.Time      `json:"requested_at"`
	Note        string         `json:"note,omitempty"`
	ReachAgain  bool           `json:"reach_again,omitempty"` // reopen: the child must be reached again
	DecidedBy   string         `json:"decided_by,omitempty"`
	DecidedAt   *time.Time     `json:"decided_at,omitempty"`
	Comment     string         `json:"comment,omitempty"`
	// Mine is whether the reader asked for it (a supervisor may not
	// decide their own request unless the office allows it).
	Mine bool `json:"mine,omitempty"`
}

// Reopen clock policies: what restarts when a reopened case's child must
// be reached again.
const (
	ReopenResponse = "response" // new acknowledgement and response clocks
	ReopenAll      = "all"      // those and, for sexual violence, the police clock
	ReopenNone     = "none"     // no clock restarts
)

// ReopenPolicies lists the reopen clock policies.
var ReopenPolicies = []string{ReopenResponse, ReopenAll, ReopenNone}

// CaseworkRules are an office's rules for case management, kept in the
// settings: which steps need a supervisor's approval, whether a supervisor
// may approve their own request, and which clocks restart on reopening, per
// violence type.
type CaseworkRules struct {
	Approve      map[ApprovalKind]bool   `json:"approve"`
	SelfApproval bool                    `json:"self_approval"`
	Reopen       map[ViolenceType]string `json:"reopen"`
}

// DefaultCaseworkRules: the plan, closure and reopening need approval, by
// someone other than who asked; reopening with the child to be reached
// again restarts the acknowledgement and response clocks.
func DefaultCaseworkRules() CaseworkRules {
	r := CaseworkRules{Approve: map[ApprovalKind]bool{}, Reopen: map[ViolenceType]string{}}
	for _, k := range ApprovalKinds {
		r.Approve[k] = true
	}
	for _, t := range ViolenceTypes {
		r.Reopen[t] = ReopenResponse
	}
	return r
}

// ReopenPolicy is the policy for a case of the given types: the widest of
// the types' policies (all > response > none); response when none is set.
func (r CaseworkRules) ReopenPolicy(types []ViolenceType) string {
	best := ""
	rank := map[string]int{ReopenNone: 1, ReopenResponse: 2, ReopenAll: 3}
	for _, t := range types {
		if p, ok := r.Reopen[t]; ok && rank[p] > rank[best] {
			best = p
		}
	}
	if best == "" {
		return ReopenResponse
	}
	return best
}

// ValidDay checks a YYYY-MM-DD date.
func ValidDay(s string) bool {
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

// CaseLoadRow is one worker's or team's case load.
type CaseLoadRow struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	Kind             string `json:"kind"` // user or team
	Role             string `json:"role,omitempty"`
	RegionCode       string `json:"region_code"`
	OpenCases        int    `json:"open_cases"`
	OverdueCases     int    `json:"overdue_cases"`
	OpenActions      int    `json:"open_actions"`
	OverdueActions   int    `json:"overdue_actions"`
	PlannedVisits    int    `json:"planned_visits"`
	OverdueVisits    int    `json:"overdue_visits"`
	PendingApprovals int    `json:"pending_approvals"`
}
