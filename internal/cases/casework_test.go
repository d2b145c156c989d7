package cases_test

import (
	"sync"
	"testing"
	"time"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/outbox"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// reached is a case of the world whose child the district team reached
// (assigned to peksos, responded).
func (w *casesWorld) reached(t *testing.T) domain.Case {
	t.Helper()
	_, c := w.report(t, "61.07.01.2001")
	if _, err := w.cs.Reassign(ctx, w.sc(w.sup), c.ID, w.district.ID, w.peksos.ID, ""); err != nil {
		t.Fatal(err)
	}
	c, err := w.cs.Transition(ctx, w.sc(w.peksos), c.ID, domain.Transition{To: domain.StatusResponded})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func wantCode(t *testing.T, err error, code domain.ErrorCode, what string) {
	t.Helper()
	if domain.CodeOf(err) != code {
		t.Fatalf("%s: got %v, want %s", what, err, code)
	}
}

// The caseworker's and supervisor's path: assess, re-assess, plan three
// actions, submit, the plan returned (its actions cannot move), submitted
// again, approved; an action done; a visit planned and recorded with the
// next one; closure asked, returned with a comment, asked again, approved.
func TestCaseworkPlanApprovalAndClosure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCasesWorld(t, d, "", nil)
		c := w.reached(t)
		pk, sup := w.sc(w.peksos), w.sc(w.sup)
		today := w.clk.Now().In(domain.ZoneFor(c.RegionCode)).Format("2006-01-02")

		// Assessment and re-assessment keep history.
		if _, err := w.cs.AddAssessment(ctx, pk, c.ID, domain.NewAssessment{AssessedOn: today, Risk: "extreme"}); domain.CodeOf(err) != domain.EInvalid {
			t.Fatalf("unknown risk accepted: %v", err)
		}
		a1, err := w.cs.AddAssessment(ctx, pk, c.ID, domain.NewAssessment{AssessedOn: today, Risk: domain.RiskHigh,
			Needs: []domain.AssessmentNeed{{Domain: "safety", Level: "urgent", Note: "Ayah tiri masih serumah"}, {Domain: "health", Level: "some"}}})
		if err != nil || a1.Number != 1 {
			t.Fatalf("assessment: %+v %v", a1, err)
		}
		if _, err := w.cs.AddAssessment(ctx, pk, c.ID, domain.NewAssessment{AssessedOn: today, Risk: domain.RiskMedium,
			Needs: []domain.AssessmentNeed{{Domain: "safety", Level: "some"}}}); err != nil {
			t.Fatal(err)
		}
		cw, err := w.cs.GetCasework(ctx, pk, c.ID)
		if err != nil || len(cw.Assessments) != 2 || cw.Assessments[0].Risk != domain.RiskMedium || cw.Assessments[1].Needs[0].Note != "Ayah tiri masih serumah" {
			t.Fatalf("assessment history: %+v %v", cw.Assessments, err)
		}

		// A plan of three actions.
		due := w.clk.Now().AddDate(0, 0, 7).Format("2006-01-02")
		var actions []string
		for i, dom := range []string{"safety", "health", "psychosocial"} {
			id, err := w.cs.AddPlanAction(ctx, pk, c.ID, domain.NewPlanAction{Domain: dom, Goal: "Tujuan " + dom, Action: "Tindakan " + dom,
				ResponsibleUserID: w.peksos.ID, DueOn: due})
			if err != nil {
				t.Fatalf("action %d: %v", i, err)
			}
			actions = append(actions, id)
		}
		if _, err := w.cs.AddPlanAction(ctx, pk, c.ID, domain.NewPlanAction{Domain: "legal", Goal: "x", Action: "y", DueOn: due}); domain.CodeOf(err) != domain.EInvalid {
			t.Fatalf("action without anyone responsible: %v", err)
		}
		// Not approved yet: actions cannot move, visits cannot be tied to them.
		wantCode(t, w.cs.SetActionStatus(ctx, pk, c.ID, actions[0], domain.ActionDone, ""), domain.EConflict, "draft plan acted on")
		st, err := w.cs.SubmitPlan(ctx, pk, c.ID, "mohon disetujui")
		if err != nil || st != domain.PlanSubmitted {
			t.Fatalf("submit: %v %v", st, err)
		}
		_, err = w.cs.AddPlanAction(ctx, pk, c.ID, domain.NewPlanAction{Domain: "legal", Goal: "x", Action: "y", ResponsibleOrg: "LBH", DueOn: due})
		wantCode(t, err, domain.EConflict, "submitted plan changed")
		pending, err := w.cs.ListApprovals(ctx, sup, cases.ApprovalFilter{Status: domain.ApprovalPending})
		if err != nil || len(pending) != 1 || pending[0].Kind != domain.ApprovePlan || pending[0].Note != "mohon disetujui" {
			t.Fatalf("pending: %+v %v", pending, err)
		}
		if n, _ := w.cs.PendingApprovals(ctx, sup); n != 1 {
			t.Fatalf("pending count %d", n)
		}
		// The caseworker may not decide; returning needs a comment.
		wantCode(t, w.cs.DecideApproval(ctx, pk, pending[0].ID, true, ""), domain.ENotFound, "caseworker decides")
		wantCode(t, w.cs.DecideApproval(ctx, sup, pending[0].ID, false, ""), domain.EInvalid, "return without comment")
		if err := w.cs.DecideApproval(ctx, sup, pending[0].ID, false, "Tambahkan tindakan hukum"); err != nil {
			t.Fatal(err)
		}
		wantCode(t, w.cs.DecideApproval(ctx, sup, pending[0].ID, true, ""), domain.EConflict, "decided twice")
		// Returned: cannot be acted on, can be changed and submitted again.
		wantCode(t, w.cs.SetActionStatus(ctx, pk, c.ID, actions[0], domain.ActionDone, ""), domain.EConflict, "returned plan acted on")
		_, err = w.cs.ScheduleVisit(ctx, pk, c.ID, today, "", actions[0])
		wantCode(t, err, domain.EConflict, "visit for a returned plan's action")
		if _, err := w.cs.AddPlanAction(ctx, pk, c.ID, domain.NewPlanAction{Domain: "legal", Goal: "Proses hukum", Action: "Dampingi ke Unit PPA",
			ResponsibleOrg: "Unit PPA Polres", DueOn: due}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.cs.SubmitPlan(ctx, pk, c.ID, ""); err != nil {
			t.Fatal(err)
		}
		pending, _ = w.cs.ListApprovals(ctx, sup, cases.ApprovalFilter{Status: domain.ApprovalPending})
		if err := w.cs.DecideApproval(ctx, sup, pending[0].ID, true, "Setuju"); err != nil {
			t.Fatal(err)
		}
		if err := w.cs.SetActionStatus(ctx, pk, c.ID, actions[0], domain.ActionDone, "Anak dipindah ke rumah nenek"); err != nil {
			t.Fatal(err)
		}
		wantCode(t, w.cs.SetActionStatus(ctx, pk, c.ID, actions[0], domain.ActionInProgress, ""), domain.EConflict, "done action reopened")

		// A visit, recorded, with the next one.
		vid, err := w.cs.ScheduleVisit(ctx, pk, c.ID, today, "", actions[1])
		if err != nil {
			t.Fatal(err)
		}
		next := w.clk.Now().AddDate(0, 0, 14).Format("2006-01-02")
		nextID, err := w.cs.RecordVisit(ctx, pk, c.ID, vid, domain.VisitRecord{Status: domain.VisitDone, VisitedOn: today, Outcome: "Anak sehat", NextOn: next})
		if err != nil || nextID == "" {
			t.Fatalf("record visit: %q %v", nextID, err)
		}
		_, err = w.cs.RecordVisit(ctx, pk, c.ID, vid, domain.VisitRecord{Status: domain.VisitDone, VisitedOn: today, Outcome: "lagi"})
		wantCode(t, err, domain.EConflict, "visit recorded twice")

		// Closure: the caseworker asks; a direct close is refused.
		_, err = w.cs.Transition(ctx, pk, c.ID, domain.Transition{To: domain.StatusClosed, Note: "selesai"})
		wantCode(t, err, domain.EConflict, "caseworker closes without approval")
		closed, err := w.cs.RequestClosure(ctx, pk, c.ID, "Anak aman, layanan selesai")
		if err != nil || closed {
			t.Fatalf("closure request: %v %v", closed, err)
		}
		_, err = w.cs.RequestClosure(ctx, pk, c.ID, "lagi")
		wantCode(t, err, domain.EConflict, "second pending closure")
		pending, _ = w.cs.ListApprovals(ctx, sup, cases.ApprovalFilter{Status: domain.ApprovalPending, Kind: domain.ApproveClosure})
		if err := w.cs.DecideApproval(ctx, sup, pending[0].ID, false, "Kunjungan berikut belum dilakukan"); err != nil {
			t.Fatal(err)
		}
		got, _ := w.cs.GetCase(ctx, sys(), c.ID)
		if got.Status == domain.StatusClosed {
			t.Fatal("returned closure closed the case")
		}
		if _, err := w.cs.RequestClosure(ctx, pk, c.ID, "Kunjungan sudah, anak aman"); err != nil {
			t.Fatal(err)
		}
		pending, _ = w.cs.ListApprovals(ctx, sup, cases.ApprovalFilter{Status: domain.ApprovalPending, Kind: domain.ApproveClosure})
		if err := w.cs.DecideApproval(ctx, sup, pending[0].ID, true, ""); err != nil {
			t.Fatal(err)
		}
		got, _ = w.cs.GetCase(ctx, sys(), c.ID)
		if got.Status != domain.StatusClosed || got.NextDueAt != nil {
			t.Fatalf("approved closure: %s next %v", got.Status, got.NextDueAt)
		}
		// The requester was told each decision; the timeline has every step.
		msgs, _ := outbox.List(ctx, w.st, sys(), outbox.Filter{})
		told := 0
		for _, m := range msgs {
			if m.RecipientID == w.peksos.ID && m.CaseID == c.ID && len(m.Body) > 0 && (contains(m.Body, "dikembalikan") || contains(m.Body, "disetujui")) {
				told++
			}
		}
		if told != 4 {
			t.Fatalf("requester told %d decisions, want 4", told)
		}
		asked := 0
		for _, m := range msgs {
			if m.RecipientID == w.sup.ID && m.CaseID == c.ID && contains(m.Body, "menunggu persetujuan Anda") {
				asked++
			}
		}
		if asked != 4 { // two plan submissions, two closure requests
			t.Fatalf("supervisor told of %d requests, want 4", asked)
		}
		kinds := map[string]int{}
		for _, e := range got.Events {
			kinds[e.Kind]++
		}
		for _, k := range []string{"assessment", "plan_action", "approval_requested_plan", "approval_returned_plan", "approval_approved_plan",
			"plan_action_done", "visit_planned", "visit_done", "approval_requested_closure", "approval_returned_closure", "approval_approved_closure"} {
			if kinds[k] == 0 {
				t.Errorf("timeline lacks %s: %v", k, kinds)
			}
		}
	})
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// A supervisor who leads a case may not approve their own request unless
// the rules allow it; with plan approval off a submitted plan is approved.
func TestCaseworkSelfApprovalAndRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCasesWorld(t, d, "", nil)
		c, due := w.ownPlanSubmitted(t)
		sup := w.sc(w.sup)
		if n, _ := w.cs.PendingApprovals(ctx, sup); n != 0 {
			t.Fatalf("own request counted as waiting for me: %d", n)
		}
		pending, _ := w.cs.ListApprovals(ctx, sup, cases.ApprovalFilter{Status: domain.ApprovalPending})
		wantCode(t, w.cs.DecideApproval(ctx, sup, pending[0].ID, true, ""), domain.EForbidden, "self-approval")
		// The lead supervisor may not close their own case directly either.
		_, err := w.cs.Transition(ctx, sup, c.ID, domain.Transition{To: domain.StatusClosed, Note: "selesai"})
		wantCode(t, err, domain.EConflict, "lead supervisor closes own case")
		// Another supervisor of the province may.
		sup2 := mkUser(t, w.st, "sup-prov", domain.RoleSupervisor, "61")
		if err := w.cs.DecideApproval(ctx, w.sc(sup2), pending[0].ID, true, ""); err != nil {
			t.Fatal(err)
		}
		// Rules: no plan approval, self-approval allowed.
		rules := domain.DefaultCaseworkRules()
		rules.Approve[domain.ApprovePlan] = false
		rules.SelfApproval = true
		wantCode(t, w.cs.SetCaseworkRules(ctx, w.sc(w.peksos), rules), domain.EForbidden, "caseworker sets rules")
		if err := w.cs.SetCaseworkRules(ctx, sys(), rules); err != nil {
			t.Fatal(err)
		}
		_, c2 := w.report(t, "61.07.01.2001")
		if _, err := w.cs.AddPlanAction(ctx, sup, c2.ID, domain.NewPlanAction{Domain: "safety", Goal: "g", Action: "a", ResponsibleOrg: "Puskesmas", DueOn: due}); err != nil {
			t.Fatal(err)
		}
		if st, err := w.cs.SubmitPlan(ctx, sup, c2.ID, ""); err != nil || st != domain.PlanApproved {
			t.Fatalf("plan without approval rule: %v %v", st, err)
		}
		if _, err := w.cs.Transition(ctx, sup, c.ID, domain.Transition{To: domain.StatusClosed, Note: "selesai"}); err != nil {
			t.Fatalf("self-approval allowed, close: %v", err)
		}
	})
}

// Reopening: the caseworker who handled a closed case asks, the
// supervisor approves; the child must be reached again, so the response
// clocks restart from the approval and TIBA applies again. Someone who
// never handled the case cannot ask.
func TestCaseworkReopenRestartsClocks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCasesWorld(t, d, "", nil)
		c := w.reached(t)
		pk, sup := w.sc(w.peksos), w.sc(w.sup)
		if _, err := w.cs.Transition(ctx, sup, c.ID, domain.Transition{To: domain.StatusClosed, Note: "selesai"}); err != nil {
			t.Fatal(err)
		}
		w.clk.Advance(72 * time.Hour)
		stranger := mkUser(t, w.st, "cw-desa", domain.RoleCaseworker, "61.07.01")
		_, err := w.cs.RequestReopen(ctx, w.sc(stranger), c.ID, "Laporan baru", true)
		wantCode(t, err, domain.ENotFound, "reopen by someone who never handled it")
		if _, err := w.cs.RequestReopen(ctx, pk, c.ID, "", true); domain.CodeOf(err) != domain.EInvalid {
			t.Fatalf("reopen without reason: %v", err)
		}
		reopened, err := w.cs.RequestReopen(ctx, pk, c.ID, "Tetangga melapor anak dipukul lagi", true)
		if err != nil || reopened {
			t.Fatalf("reopen request: %v %v", reopened, err)
		}
		w.clk.Advance(time.Hour)
		pending, _ := w.cs.ListApprovals(ctx, sup, cases.ApprovalFilter{Status: domain.ApprovalPending, Kind: domain.ApproveReopen})
		if len(pending) != 1 || !pending[0].ReachAgain {
			t.Fatalf("pending reopen: %+v", pending)
		}
		if err := w.cs.DecideApproval(ctx, sup, pending[0].ID, true, "Segera jangkau"); err != nil {
			t.Fatal(err)
		}
		got, _ := w.cs.GetCase(ctx, sys(), c.ID)
		if got.Status != domain.StatusAssigned || got.RespondedAt != nil || got.NextDueAt == nil {
			t.Fatalf("reopened: %s responded %v next %v", got.Status, got.RespondedAt, got.NextDueAt)
		}
		for _, dl := range got.Deadlines {
			if (dl.Kind == domain.DeadlineAck || dl.Kind == domain.DeadlineResponse) && (dl.MetAt != nil || !dl.DueAt.After(w.clk.Now())) {
				t.Fatalf("clock not restarted: %+v", dl)
			}
		}
		if _, err := w.cs.Transition(ctx, pk, c.ID, domain.Transition{To: domain.StatusResponded}); err != nil {
			t.Fatalf("TIBA after reopen: %v", err)
		}
	})
}

// An overdue plan action escalates once to the worker responsible and then
// to the supervisors, with two instances running the escalator at once; the
// case's next clock and the inbox's overdue filter show it.
func TestOverdueActionEscalatesOnceAcrossInstances(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		clk := storetest.NewClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC))
		u := storetest.URL(t, d)
		box := storetest.Box(t)
		a := storetest.Open(t, d, storetest.Options{URL: u, Box: box, Now: clk.Now})
		b := storetest.Open(t, d, storetest.Options{URL: u, Box: box, Now: clk.Now, Regions: "-"})
		w := &casesWorld{st: a, cs: area(a), clk: clk}
		w.sup = mkUser(t, a, "sup", domain.RoleSupervisor, "61.07")
		w.peksos = mkUser(t, a, "peksos", domain.RoleCaseworker, "61.07.01")
		var err error
		w.district, err = w.cs.CreateTeam(ctx, sys(), domain.Team{Name: "TRC", Kind: "district_team", RegionCode: "61.07.01", MemberIDs: []string{w.peksos.ID}})
		if err != nil {
			t.Fatal(err)
		}
		c := w.reached(t)
		rules := domain.DefaultCaseworkRules()
		rules.Approve[domain.ApprovePlan] = false
		if err := w.cs.SetCaseworkRules(ctx, sys(), rules); err != nil {
			t.Fatal(err)
		}
		today := clk.Now().In(domain.ZoneFor(c.RegionCode)).Format("2006-01-02")
		aid, err := w.cs.AddPlanAction(ctx, w.sc(w.peksos), c.ID, domain.NewPlanAction{Domain: "health", Goal: "g", Action: "Periksa ke puskesmas",
			ResponsibleUserID: w.peksos.ID, DueOn: today})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := w.cs.GetCase(ctx, sys(), c.ID)
		if got.NextDueKind != domain.DeadlineAction {
			t.Fatalf("next clock %s, want the action", got.NextDueKind)
		}
		run := func() (fired int) {
			var wg sync.WaitGroup
			var mu sync.Mutex
			for i, st := range []*store.Store{a, b, a, b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r, err := area(st).RunEscalations(ctx, string(rune('a'+i)), 50)
					if err != nil {
						t.Error(err)
					}
					mu.Lock()
					fired += r.Fired
					mu.Unlock()
				}()
			}
			wg.Wait()
			return fired
		}
		count := func(who string) int {
			msgs, _ := outbox.List(ctx, a, sys(), outbox.Filter{})
			n := 0
			for _, m := range msgs {
				if m.RecipientID == who && contains(m.Body, "Tindakan rencana") {
					n++
				}
			}
			return n
		}
		clk.Advance(24 * time.Hour) // past the end of the due day
		run()
		if count(w.peksos.ID) != 1 || count(w.sup.ID) != 0 {
			t.Fatalf("overdue action: peksos %d, sup %d", count(w.peksos.ID), count(w.sup.ID))
		}
		list, _, err := w.cs.ListCases(ctx, w.sc(w.peksos), domain.CaseFilter{Due: "overdue"})
		if err != nil || len(list) != 1 || list[0].ID != c.ID {
			t.Fatalf("overdue inbox: %d %v", len(list), err)
		}
		clk.Advance(48 * time.Hour)
		run()
		run()
		if count(w.peksos.ID) != 1 || count(w.sup.ID) != 1 {
			t.Fatalf("after breach: peksos %d, sup %d", count(w.peksos.ID), count(w.sup.ID))
		}
		// Done: nothing is due any more.
		if err := w.cs.SetActionStatus(ctx, w.sc(w.peksos), c.ID, aid, domain.ActionDone, ""); err != nil {
			t.Fatal(err)
		}
		got, _ = w.cs.GetCase(ctx, sys(), c.ID)
		if got.NextDueKind == domain.DeadlineAction {
			t.Fatalf("done action still the next clock")
		}
	})
}

// Someone of the region who does not handle the case sees that there is a
// plan but not its content, and may not change it.
func TestCaseworkNeedToKnow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCasesWorld(t, d, "", nil)
		c := w.reached(t)
		due := w.clk.Now().AddDate(0, 0, 3).Format("2006-01-02")
		if _, err := w.cs.AddPlanAction(ctx, w.sc(w.peksos), c.ID, domain.NewPlanAction{Domain: "safety", Goal: "Rahasia", Action: "Pindahkan anak",
			ResponsibleUserID: w.peksos.ID, DueOn: due}); err != nil {
			t.Fatal(err)
		}
		cw2 := mkUser(t, w.st, "cw-2", domain.RoleCaseworker, "61.07.01")
		cw, err := w.cs.GetCasework(ctx, w.sc(cw2), c.ID)
		if err != nil || cw.Plan == nil || len(cw.Plan.Actions) != 1 || cw.Plan.Actions[0].Goal != "" || !cw.Masked || cw.CanWork {
			t.Fatalf("masked casework: %+v %v", cw, err)
		}
		_, err = w.cs.AddPlanAction(ctx, w.sc(cw2), c.ID, domain.NewPlanAction{Domain: "safety", Goal: "g", Action: "a", ResponsibleOrg: "x", DueOn: due})
		wantCode(t, err, domain.ENotFound, "non-handler adds an action")
		if _, err := w.cs.GetCasework(ctx, w.sc(w.other), c.ID); domain.CodeOf(err) != domain.ENotFound {
			t.Fatalf("other district reads casework: %v", err)
		}
		if _, err := w.cs.GetCasework(ctx, w.sc(w.viewer), c.ID); domain.CodeOf(err) != domain.ENotFound {
			t.Fatalf("viewer reads casework: %v", err)
		}
	})
}

// The case load counts each worker's and team's open cases, overdue
// actions and visits and waiting requests; only for those who manage cases.
func TestCaseLoad(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCasesWorld(t, d, "", nil)
		c := w.reached(t)
		pk := w.sc(w.peksos)
		today := w.clk.Now().In(domain.ZoneFor(c.RegionCode)).Format("2006-01-02")
		if _, err := w.cs.AddPlanAction(ctx, pk, c.ID, domain.NewPlanAction{Domain: "health", Goal: "g", Action: "a", ResponsibleUserID: w.peksos.ID, DueOn: today}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.cs.SubmitPlan(ctx, pk, c.ID, ""); err != nil {
			t.Fatal(err)
		}
		w.report(t, "61.07.01.2001")
		w.clk.Advance(30 * time.Hour)
		if _, err := w.cs.CaseLoad(ctx, pk); domain.CodeOf(err) != domain.EForbidden {
			t.Fatalf("caseworker reads the case load: %v", err)
		}
		rows, err := w.cs.CaseLoad(ctx, w.sc(w.sup))
		if err != nil {
			t.Fatal(err)
		}
		by := map[string]domain.CaseLoadRow{}
		for _, r := range rows {
			by[r.Kind+":"+r.Name] = r
		}
		p := by["user:peksos"]
		if p.OpenCases != 1 || p.OpenActions != 1 || p.OverdueActions != 1 || p.PendingApprovals != 1 {
			t.Fatalf("peksos: %+v", p)
		}
		if tm := by["team:TRC Sungai Raya"]; tm.OpenCases != 2 || tm.PendingApprovals != 1 {
			t.Fatalf("district team: %+v", tm)
		}
		if v := by["team:Satgas Desa"]; v.OpenCases < 1 {
			t.Fatalf("village team: %+v", v)
		}
	})
}

// The count of requests waiting for a supervisor follows the rules read
// with it: their own request counts only where self-approval is allowed,
// and a changed rule shows at the next count.
func TestPendingApprovalsFollowSelfApproval(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCasesWorld(t, d, "", nil)
		w.ownPlanSubmitted(t)
		sup := w.sc(w.sup)
		sup2 := w.sc(mkUser(t, w.st, "sup-other", domain.RoleSupervisor, "61.07"))
		count := func(sc domain.Scope) int {
			t.Helper()
			n, err := w.cs.PendingApprovals(ctx, sc)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n, m := count(sup), count(sup2); n != 0 || m != 1 {
			t.Fatalf("default rules: own request counted %d (want 0), another supervisor's count %d (want 1)", n, m)
		}
		rules := domain.DefaultCaseworkRules()
		rules.SelfApproval = true
		if err := w.cs.SetCaseworkRules(ctx, sys(), rules); err != nil {
			t.Fatal(err)
		}
		if n, m := count(sup), count(sup2); n != 1 || m != 1 {
			t.Fatalf("self-approval allowed: own request counted %d (want 1), another supervisor's count %d (want 1)", n, m)
		}
		rules.SelfApproval = false
		if err := w.cs.SetCaseworkRules(ctx, sys(), rules); err != nil {
			t.Fatal(err)
		}
		if n := count(sup); n != 0 {
			t.Fatalf("self-approval off again: own request counted %d", n)
		}
		// A caseworker decides nothing: no count, no error.
		if n := count(w.sc(w.peksos)); n != 0 {
			t.Fatalf("caseworker's count %d", n)
		}
	})
}

// ownPlanSubmitted files a case that the supervisor leads and has
// responded to, with a plan of one action (due in three days, returned)
// that the supervisor submitted: a request waiting for a supervisor other
// than its author under the default rules.
func (w *casesWorld) ownPlanSubmitted(t *testing.T) (domain.Case, string) {
	t.Helper()
	_, c := w.report(t, "61.07.01.2001")
	sup := w.sc(w.sup)
	if _, err := w.cs.Reassign(ctx, sup, c.ID, "", w.sup.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := w.cs.Transition(ctx, sup, c.ID, domain.Transition{To: domain.StatusResponded}); err != nil {
		t.Fatal(err)
	}
	due := w.clk.Now().AddDate(0, 0, 3).Format("2006-01-02")
	if _, err := w.cs.AddPlanAction(ctx, sup, c.ID, domain.NewPlanAction{Domain: "safety", Goal: "g", Action: "a", ResponsibleUserID: w.sup.ID, DueOn: due}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.cs.SubmitPlan(ctx, sup, c.ID, ""); err != nil {
		t.Fatal(err)
	}
	return c, due
}
