package web

import (
	"net/http"
	"net/url"
	"strings"

	"lindu/internal/cases"
	"lindu/internal/domain"
)

// Case management on the case page (tab "rencana"): the assessment, the
// case plan and its actions, follow-up visits; and in the quick actions,
// asking for closure or reopening and deciding approvals. The case area
// decides who may do what; these handlers read forms and redirect.

// caseworkRoutes registers the casework forms and the approvals page.
func (s *Server) caseworkRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /kasus/{id}/asesmen", s.staff(s.caseAssess))
	mux.HandleFunc("POST /kasus/{id}/rencana/tindakan", s.staff(s.planActionAdd))
	mux.HandleFunc("POST /kasus/{id}/rencana/tindakan/{action}/status", s.staff(s.planActionStatus))
	mux.HandleFunc("POST /kasus/{id}/rencana/ajukan", s.staff(s.planSubmit))
	mux.HandleFunc("POST /kasus/{id}/kunjungan", s.staff(s.visitSchedule))
	mux.HandleFunc("POST /kasus/{id}/kunjungan/{visit}/catat", s.staff(s.visitRecord))
	mux.HandleFunc("POST /kasus/{id}/ajukan-penutupan", s.staff(s.closureRequest))
	mux.HandleFunc("POST /kasus/{id}/buka-kembali", s.staff(s.reopenRequest))
	mux.HandleFunc("GET /kasus/persetujuan", s.staff(s.approvalsList))
	mux.HandleFunc("GET /kasus/beban", s.staff(s.caseLoad))
	mux.HandleFunc("GET /kasus/beban.csv", s.staff(s.caseLoadFile("csv")))
	mux.HandleFunc("GET /kasus/beban.xlsx", s.staff(s.caseLoadFile("xlsx")))
	mux.HandleFunc("POST /persetujuan/{id}/putuskan", s.staff(s.approvalDecide))
	mux.HandleFunc("POST /persetujuan/{id}/tarik", s.staff(s.approvalWithdraw))
	mux.HandleFunc("POST /tim/aturan-kasus", s.staff(s.caseworkRulesSet))
}

func (s *Server) caseAssess(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	a := domain.NewAssessment{AssessedOn: r.PostFormValue("assessed_on"), Risk: r.PostFormValue("risk"), Summary: r.PostFormValue("summary")}
	for _, d := range domain.NeedDomains {
		lvl := r.PostFormValue("need_" + d)
		if lvl == "" {
			lvl = "none"
		}
		a.Needs = append(a.Needs, domain.AssessmentNeed{Domain: d, Level: lvl, Note: r.PostFormValue("note_" + d)})
	}
	if _, err := s.cases.AddAssessment(r.Context(), principalOf(r).Scope, id, a); err != nil {
		s.caseActionFailed(w, r, "assessment", err)
		return
	}
	http.Redirect(w, r, caseURL(id, "rencana", "case_assessed"), http.StatusSeeOther)
}

func planActionFromForm(r *http.Request) domain.NewPlanAction {
	v := r.PostFormValue
	return domain.NewPlanAction{Domain: v("domain"), Goal: v("goal"), Action: v("action"), ResponsibleUserID: v("responsible_user_id"),
		ResponsibleOrg: v("responsible_org"), DueOn: v("due_on")}
}

func (s *Server) planActionAdd(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := s.cases.AddPlanAction(r.Context(), principalOf(r).Scope, id, planActionFromForm(r)); err != nil {
		s.caseActionFailed(w, r, "plan_action", err)
		return
	}
	http.Redirect(w, r, caseURL(id, "rencana", "plan_action_added"), http.StatusSeeOther)
}

func (s *Server) planActionStatus(w http.ResponseWriter, r *http.Request) {
	id, aid := r.PathValue("id"), r.PathValue("action")
	to := domain.ActionStatus(r.PostFormValue("to"))
	if err := s.cases.SetActionStatus(r.Context(), principalOf(r).Scope, id, aid, to, r.PostFormValue("note")); err != nil {
		s.caseActionFailed(w, r, "action-"+aid, err)
		return
	}
	http.Redirect(w, r, caseURL(id, "rencana", "plan_action_"+string(to)), http.StatusSeeOther)
}

func (s *Server) planSubmit(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	st, err := s.cases.SubmitPlan(r.Context(), principalOf(r).Scope, id, r.PostFormValue("note"))
	if err != nil {
		s.caseActionFailed(w, r, "plan_submit", err)
		return
	}
	http.Redirect(w, r, caseURL(id, "rencana", "plan_"+string(st)), http.StatusSeeOther)
}

func (s *Server) visitSchedule(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	v := r.PostFormValue
	if _, err := s.cases.ScheduleVisit(r.Context(), principalOf(r).Scope, id, v("planned_on"), v("visitor_id"), v("action_id")); err != nil {
		s.caseActionFailed(w, r, "visit", err)
		return
	}
	http.Redirect(w, r, caseURL(id, "rencana", "visit_planned"), http.StatusSeeOther)
}

func (s *Server) visitRecord(w http.ResponseWriter, r *http.Request) {
	id, vid := r.PathValue("id"), r.PathValue("visit")
	v := r.PostFormValue
	rec := domain.VisitRecord{Status: domain.VisitStatus(v("status")), VisitedOn: v("visited_on"), Outcome: v("outcome"), NextOn: v("next_on")}
	if _, err := s.cases.RecordVisit(r.Context(), principalOf(r).Scope, id, vid, rec); err != nil {
		s.caseActionFailed(w, r, "visit-"+vid, err)
		return
	}
	http.Redirect(w, r, caseURL(id, "rencana", "visit_recorded"), http.StatusSeeOther)
}

func (s *Server) closureRequest(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	closed, err := s.cases.RequestClosure(r.Context(), principalOf(r).Scope, id, r.PostFormValue("note"))
	if err != nil {
		s.caseActionFailed(w, r, "closure", err)
		return
	}
	flash := "closure_requested"
	if closed {
		flash = "case_status"
	}
	http.Redirect(w, r, caseURL(id, "", flash), http.StatusSeeOther)
}

func (s *Server) reopenRequest(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	reopened, err := s.cases.RequestReopen(r.Context(), principalOf(r).Scope, id, r.PostFormValue("note"), r.PostFormValue("reach_again") == "1")
	if err != nil {
		s.caseActionFailed(w, r, "reopen", err)
		return
	}
	flash := "reopen_requested"
	if reopened {
		flash = "case_reopened"
	}
	http.Redirect(w, r, caseURL(id, "", flash), http.StatusSeeOther)
}

// approvalBack is where a decision returns to: the case page it was taken
// on, else the approvals page.
func approvalBack(r *http.Request, flash string) string {
	if c := r.PostFormValue("case"); c != "" && !strings.ContainsAny(c, "/?#") {
		return caseURL(c, "", flash)
	}
	return withOK("/kasus/persetujuan", flash)
}

func (s *Server) approvalDecide(w http.ResponseWriter, r *http.Request) {
	approve := r.PostFormValue("decision") == "approve"
	aid := r.PathValue("id")
	err := s.cases.DecideApproval(r.Context(), principalOf(r).Scope, aid, approve, r.PostFormValue("comment"))
	if err != nil {
		if c := r.PostFormValue("case"); c != "" {
			r.SetPathValue("id", c)
			s.caseActionFailed(w, r, "decide-"+aid, err)
			return
		}
		s.approvalsFailed(w, r, err)
		return
	}
	flash := "approval_returned"
	if approve {
		flash = "approval_approved"
	}
	http.Redirect(w, r, approvalBack(r, flash), http.StatusSeeOther)
}

func (s *Server) approvalWithdraw(w http.ResponseWriter, r *http.Request) {
	if err := s.cases.WithdrawApproval(r.Context(), principalOf(r).Scope, r.PathValue("id")); err != nil {
		if c := r.PostFormValue("case"); c != "" {
			r.SetPathValue("id", c)
			s.caseActionFailed(w, r, "withdraw", err)
			return
		}
		s.approvalsFailed(w, r, err)
		return
	}
	http.Redirect(w, r, approvalBack(r, "approval_withdrawn"), http.StatusSeeOther)
}

// ApprovalsPage lists requests: waiting for the reader's decision (a
// supervisor) or the reader's own.
type ApprovalsPage struct {
	Base
	kit
	Pending   []domain.Approval
	Decided   []domain.Approval
	CanManage bool
	Rules     domain.CaseworkRules
}

func (s *Server) approvalsList(w http.ResponseWriter, r *http.Request) {
	b := s.base(w, r, "approvals.title")
	s.approvalsPage(w, r, b, s.kit(b), http.StatusOK)
}

func (s *Server) approvalsFailed(w http.ResponseWriter, r *http.Request, err error) {
	b := s.base(w, r, "approvals.title")
	k := s.kit(b)
	if f, ok := formErrors(err); ok {
		k.withForm(&b, "decide-"+r.PathValue("id"), r.PostForm, f)
		s.approvalsPage(w, r, b, k, http.StatusUnprocessableEntity)
		return
	}
	if msg, status := actionMessage(b, err); status != 0 {
		b.Error = msg
		s.approvalsPage(w, r, b, k, status)
		return
	}
	s.fail(w, r, err)
}

func (s *Server) approvalsPage(w http.ResponseWriter, r *http.Request, b Base, k kit, status int) {
	if !b.Scope.Can(domain.PermWorkCases) {
		s.fail(w, r, domain.E(domain.EForbidden, "case.err.forbidden_view"))
		return
	}
	ctx := r.Context()
	p := ApprovalsPage{Base: b, kit: k, CanManage: b.Scope.Can(domain.PermManageCases)}
	var err error
	if p.Rules, err = s.cases.CaseworkRules(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Pending, err = s.cases.ListApprovals(ctx, b.Scope, cases.ApprovalFilter{Status: domain.ApprovalPending}); err != nil {
		s.fail(w, r, err)
		return
	}
	all, err := s.cases.ListApprovals(ctx, b.Scope, cases.ApprovalFilter{Limit: 300})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for i := len(all) - 1; i >= 0 && len(p.Decided) < 50; i-- {
		if all[i].Status != domain.ApprovalPending {
			p.Decided = append(p.Decided, all[i])
		}
	}
	s.render(w, r, status, "approvals", p)
}

// CanDecide reports whether the reader may decide request a.
func (p ApprovalsPage) CanDecide(a domain.Approval) bool {
	return p.CanManage && a.Status == domain.ApprovalPending && (!a.Mine || p.Rules.SelfApproval)
}

func (s *Server) caseworkRulesSet(w http.ResponseWriter, r *http.Request) {
	rules := domain.CaseworkRules{Approve: map[domain.ApprovalKind]bool{}, Reopen: map[domain.ViolenceType]string{},
		SelfApproval: r.PostFormValue("self_approval") == "1"}
	_ = r.ParseForm()
	for _, k := range r.PostForm["approve"] {
		rules.Approve[domain.ApprovalKind(k)] = true
	}
	for _, t := range domain.ViolenceTypes {
		if v := r.PostFormValue("reopen_" + string(t)); v != "" {
			rules.Reopen[t] = v
		}
	}
	if err := s.cases.SetCaseworkRules(r.Context(), principalOf(r).Scope, rules); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, withOK("/tim", "casework_rules"), http.StatusSeeOther)
}

// ---- what the case page's casework parts use ----

// caseworkFormTab puts the casework forms on the plan tab.
func caseworkFormTab(form string) string {
	switch {
	case form == "assessment", form == "plan_action", form == "plan_submit", form == "visit",
		strings.HasPrefix(form, "action-"), strings.HasPrefix(form, "visit-"):
		return "rencana"
	}
	return ""
}

// Plan is the case's plan (nil when there is none).
func (p CasePage) Plan() *domain.CasePlan { return p.CW.Plan }

// PlanActionable reports whether the plan's actions may be carried out.
func (p CasePage) PlanActionable() bool { return p.CW.Plan != nil && p.CW.Plan.Actionable() }

// CanCasework reports whether the reader may change the casework of this
// open case.
func (p CasePage) CanCasework() bool { return p.CW.CanWork && p.C.Status.Open() }

// PendingOf lists the case's pending requests.
func (p CasePage) PendingOf() []domain.Approval {
	var out []domain.Approval
	for _, a := range p.CW.Approvals {
		if a.Status == domain.ApprovalPending {
			out = append(out, a)
		}
	}
	return out
}

// CanDecide reports whether the reader may decide request a.
func (p CasePage) CanDecide(a domain.Approval) bool {
	return p.CanManage && a.Status == domain.ApprovalPending && (!a.Mine || p.CW.Rules.SelfApproval)
}

// LastReturn is the comment of the plan's last return ("" when none or
// the plan was approved since).
func (p CasePage) LastReturn() string {
	if p.CW.Plan == nil || p.CW.Plan.Status != domain.PlanReturned {
		return ""
	}
	for _, a := range p.CW.Approvals { // newest first
		if a.Kind == domain.ApprovePlan && a.Status == domain.ApprovalReturned {
			return a.Comment
		}
	}
	return ""
}

// ClosureNeedsRequest reports whether the reader must ask for closure
// (the close button becomes a request form).
func (p CasePage) ClosureNeedsRequest() bool {
	r := p.CW.Rules
	if !r.Approve[domain.ApproveClosure] || p.C.RespondedAt == nil {
		return false
	}
	if !p.CanManage {
		return true
	}
	return p.C.AssigneeID == p.Scope.UserID && !r.SelfApproval
}

// ReopenNeedsRequest reports whether the reader's reopening waits for a
// supervisor.
func (p CasePage) ReopenNeedsRequest() bool {
	r := p.CW.Rules
	if !r.Approve[domain.ApproveReopen] {
		return false
	}
	return !p.CanManage || (p.C.AssigneeID == p.Scope.UserID && !r.SelfApproval)
}

// CanReopen reports whether the reader may reopen (or ask to reopen) this
// closed case: one who handled it.
func (p CasePage) CanReopen() bool {
	return p.C.Status == domain.StatusClosed && p.CW.CanWork && len(p.pendingKind(domain.ApproveReopen)) == 0
}

// CanRequestClosure reports whether the closure request form shows.
func (p CasePage) CanRequestClosure() bool {
	if !p.CanCasework() || !p.ClosureNeedsRequest() || len(p.pendingKind(domain.ApproveClosure)) > 0 {
		return false
	}
	return domain.CanTransition(p.C.Status, domain.StatusClosed)
}

func (p CasePage) pendingKind(k domain.ApprovalKind) []domain.Approval {
	var out []domain.Approval
	for _, a := range p.PendingOf() {
		if a.Kind == k {
			out = append(out, a)
		}
	}
	return out
}

// NeedOf is the current assessment's level for a domain ("" when none).
func (p CasePage) NeedOf(a domain.Assessment, d string) domain.AssessmentNeed {
	for _, n := range a.Needs {
		if n.Domain == d {
			return n
		}
	}
	return domain.AssessmentNeed{Domain: d, Level: "none"}
}

// NeedDomains, RiskLevels, NeedLevels, ReopenPolicies for the forms.
func (CasePage) NeedDomains() []string { return domain.NeedDomains }
func (CasePage) RiskLevels() []string  { return domain.RiskLevels }
func (CasePage) NeedLevels() []string  { return domain.NeedLevels }

// VisitResults are the outcomes a planned visit may be recorded with.
func (CasePage) VisitResults() []string {
	return []string{string(domain.VisitDone), string(domain.VisitMissed), string(domain.VisitCancelled)}
}

// ActionOptions are the plan's unfinished actions, for a visit's action.
func (p CasePage) ActionOptions() []FormOption {
	var out []FormOption
	if p.CW.Plan == nil {
		return nil
	}
	for _, a := range p.CW.Plan.Actions {
		if !a.Status.Finished() {
			label := p.Lbl("need", a.Domain)
			if a.Action != "" {
				label += " — " + a.Action
			}
			out = append(out, FormOption{Value: a.ID, Label: label})
		}
	}
	return out
}

// NextActionSteps are the moves an action may make from its status.
func (CasePage) NextActionSteps(a domain.PlanAction) []domain.ActionStatus {
	switch a.Status {
	case domain.ActionPlanned:
		return []domain.ActionStatus{domain.ActionInProgress, domain.ActionDone, domain.ActionCancelled}
	case domain.ActionInProgress:
		return []domain.ActionStatus{domain.ActionDone, domain.ActionCancelled}
	}
	return nil
}

// ActionLabel names an action for its form's legend.
func (p CasePage) ActionLabel(a domain.PlanAction) string {
	if a.Action != "" {
		return a.Action
	}
	return p.T("plan.action_n", a.Position)
}

// CaseQuery is the escaped case id for a hidden field or a link.
func (p CasePage) CaseQuery() string { return url.QueryEscape(p.C.ID) }
