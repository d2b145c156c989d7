package server_test

// The access matrix of the casework pages and forms (issue 12): every
// route x every user of the capiWorld x case A (61.07.01.2001, led by
// cw-lead, village team resp-in) and case B (61.07.02.2001, team cw-b).
// Expected statuses are written out by hand; each user works on a fresh
// world so one user's change does not decide the next one's answer; a
// refused form changes nothing.

import (
	"net/url"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// cwmRow is one user's expected statuses. Per side {A, B}:
//
//   - tab: GET /kasus/{id}?tab=rencana
//
//   - item: POST rencana/tindakan/{action}/status and kunjungan/{visit}/catat
//     on the case's approved plan's action and its planned visit
//
//   - work: POST asesmen, rencana/tindakan, kunjungan (valid forms)
//
//   - reopen: POST buka-kembali on the (open) case: 409 for those who
//     handle it
//
//   - wdr: POST /persetujuan/{id}/tarik on the case's pending closure
//     request (asked by its handler: cw-lead on A, cw-b on B)
//
//   - decide: POST /persetujuan/{id}/putuskan returning that request with
//     a comment
//
//   - closure: POST ajukan-penutupan afterwards (409 while a request of
//     the case still waits; a case manager who does not lead it closes it)
//
//   - consent, refer: POST persetujuan-data and rujuk (valid forms)
//
//   - provAns: POST /rujukan/{ref}/jawaban accepting the side's referral
//     (a provider account's page)
//
//   - recAns: POST rujukan/{ref}/jawaban on the case page (a worker
//     recording the provider's acceptance)
//
//   - revoke: POST rujukan/{ref}/batal
//
// Side-independent: GET /kasus/persetujuan, POST /tim/aturan-kasus, GET
// /kasus/beban and its CSV, GET /penyedia, POST /penyedia (a provider of
// the regency), GET /rujukan.
type cwmRow struct {
	user                                          string
	list, rules                                   int
	tab, item, work, reopen, wdr, decide, closure ab
	load, provs, provNew, inbox                   int
	consent, refer, provAns, recAns, revoke       ab
}

var cwmMatrix = []cwmRow{
	// Case managers of the regency: everything on both sides; the rules
	// are deployment-wide (61.07 is the root here).
	{"reg-admin", 200, 303, ab{200, 200}, ab{303, 303}, ab{303, 303}, ab{409, 409}, ab{404, 404}, ab{303, 303}, ab{303, 303}, 200, 200, 303, 403, ab{303, 303}, ab{303, 303}, ab{403, 403}, ab{303, 303}, ab{303, 303}},
	{"sup", 200, 303, ab{200, 200}, ab{303, 303}, ab{303, 303}, ab{409, 409}, ab{404, 404}, ab{303, 303}, ab{303, 303}, 200, 200, 303, 403, ab{303, 303}, ab{303, 303}, ab{403, 403}, ab{303, 303}, ab{303, 303}},
	// District admins: their district only; not the deployment's rules.
	{"admin-a", 200, 403, ab{200, 404}, ab{303, 404}, ab{303, 404}, ab{409, 404}, ab{404, 404}, ab{303, 404}, ab{303, 404}, 200, 200, 422, 403, ab{303, 404}, ab{303, 404}, ab{403, 403}, ab{303, 404}, ab{303, 404}},
	{"admin-b", 200, 403, ab{404, 200}, ab{404, 303}, ab{404, 303}, ab{404, 409}, ab{404, 404}, ab{404, 303}, ab{404, 303}, 200, 200, 422, 403, ab{404, 303}, ab{404, 303}, ab{403, 403}, ab{404, 303}, ab{404, 303}},
	// The lead of A works A, withdraws its own request, decides nothing.
	{"cw-lead", 200, 403, ab{200, 404}, ab{303, 404}, ab{303, 404}, ab{409, 404}, ab{303, 404}, ab{404, 404}, ab{303, 404}, 403, 200, 403, 403, ab{303, 404}, ab{303, 404}, ab{403, 403}, ab{303, 404}, ab{303, 404}},
	// A caseworker of A's village who does not handle it: sees the tab
	// masked, changes nothing.
	{"cw-a", 200, 403, ab{200, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, 403, 200, 403, 403, ab{404, 404}, ab{404, 404}, ab{403, 403}, ab{404, 404}, ab{404, 404}},
	// B's team member, who asked B's closure.
	{"cw-b", 200, 403, ab{404, 200}, ab{404, 303}, ab{404, 303}, ab{404, 409}, ab{404, 303}, ab{404, 404}, ab{404, 303}, 403, 200, 403, 403, ab{404, 303}, ab{404, 303}, ab{403, 403}, ab{404, 303}, ab{404, 303}},
	// The responder of A's village team works A but cannot withdraw the
	// lead's request, which still waits; another responder of the same
	// village sees nothing.
	{"resp-in", 200, 403, ab{200, 404}, ab{303, 404}, ab{303, 404}, ab{409, 404}, ab{404, 404}, ab{404, 404}, ab{409, 404}, 403, 200, 403, 403, ab{303, 404}, ab{303, 404}, ab{403, 403}, ab{303, 404}, ab{303, 404}},
	{"resp-out", 200, 403, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, 403, 200, 403, 403, ab{404, 404}, ab{404, 404}, ab{403, 403}, ab{404, 404}, ab{404, 404}},
	// Roles without case work.
	{"opd", 403, 403, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, 403, 403, 403, 403, ab{404, 404}, ab{404, 404}, ab{403, 403}, ab{404, 404}, ab{404, 404}},
	{"fasil", 403, 403, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, 403, 403, 403, 403, ab{404, 404}, ab{404, 404}, ab{403, 403}, ab{404, 404}, ab{404, 404}},
	{"viewer", 403, 403, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, 403, 403, 403, 403, ab{404, 404}, ab{404, 404}, ab{403, 403}, ab{404, 404}, ab{404, 404}},
	// A provider account (the puskesmas'): its own referrals only.
	{"pkm", 403, 403, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404},
		403, 403, 403, 200, ab{404, 404}, ab{404, 404}, ab{303, 303}, ab{404, 404}, ab{404, 404}},
	{"other-prov", 200, 403, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, ab{404, 404}, 200, 200, 422, 403, ab{404, 404}, ab{404, 404}, ab{403, 403}, ab{404, 404}, ab{404, 404}},
}

// cwmSide is what one side's case holds for the matrix.
type cwmSide struct {
	id, action, visit, approval, referral string
}

// cwmPrepare reaches a side's case and gives it, by its handler, an
// approved plan with an action, a planned visit and a pending closure
// request.
func cwmPrepare(t *testing.T, w *capiWorld, id, handler string) cwmSide {
	t.Helper()
	ctx := bg
	h := w.scopeOf(handler)
	if _, err := w.srv.Cases.Transition(ctx, capiSys, id, domain.Transition{To: domain.StatusResponded}); err != nil {
		t.Fatal(err)
	}
	due := time.Now().AddDate(0, 0, 10).Format("2006-01-02")
	aid, err := w.srv.Cases.AddPlanAction(ctx, h, id, domain.NewPlanAction{Domain: "health", Goal: "g", Action: "a", ResponsibleOrg: "Puskesmas", DueOn: due})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.Cases.SubmitPlan(ctx, h, id, ""); err != nil {
		t.Fatal(err)
	}
	pend, _ := w.srv.Cases.ListApprovals(ctx, capiSys, cases.ApprovalFilter{Status: domain.ApprovalPending})
	for _, a := range pend {
		if a.CaseID == id {
			if err := w.srv.Cases.DecideApproval(ctx, capiSys, a.ID, true, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	vid, err := w.srv.Cases.ScheduleVisit(ctx, h, id, time.Now().In(domain.ZoneFor("61.07")).Format("2006-01-02"), "", aid)
	if err != nil {
		t.Fatal(err)
	}
	if closed, err := w.srv.Cases.RequestClosure(ctx, h, id, "Anak aman"); err != nil || closed {
		t.Fatalf("closure request: %v %v", closed, err)
	}
	if _, err := w.srv.Cases.RecordConsent(ctx, h, id, domain.NewConsent{Basis: domain.BasisLegal, GivenBy: "UU 35/2014",
		GivenOn: time.Now().In(domain.ZoneFor("61.07")).Format("2006-01-02")}); err != nil {
		t.Fatal(err)
	}
	rf, err := w.srv.Cases.Refer(ctx, h, id, domain.NewReferral{ProviderID: w.pkm, Service: "health", Urgency: "urgent", Reason: "periksa"})
	if err != nil {
		t.Fatal(err)
	}
	s := cwmSide{id: id, action: aid, visit: vid, referral: rf.ID}
	pend, _ = w.srv.Cases.ListApprovals(ctx, capiSys, cases.ApprovalFilter{Status: domain.ApprovalPending})
	for _, a := range pend {
		if a.CaseID == id {
			s.approval = a.ID
		}
	}
	return s
}

func TestCaseworkAccessMatrix(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		for _, row := range cwmMatrix {
			t.Run(row.user, func(t *testing.T) {
				w := newCapiWorld(t, d)
				p, err := w.srv.Cases.SaveProvider(bg, capiSys, domain.Provider{RegionCode: "61.07", Name: "Puskesmas", Kind: "health",
					Services: []string{"health"}, Phone: "+6281200009999"})
				if err != nil {
					t.Fatal(err)
				}
				w.pkm = p.ID
				pu, err := w.st.CreateUser(bg, capiSys, domain.NewUser{Username: "pkm", Role: domain.RoleProvider, RegionCode: "61.07", Password: pw})
				if err != nil {
					t.Fatal(err)
				}
				w.users["pkm"] = pu
				if err := w.srv.Cases.LinkProviderAccount(bg, capiSys, pu.ID, p.ID); err != nil {
					t.Fatal(err)
				}
				sides := [2]cwmSide{cwmPrepare(t, w, w.a.cs.ID, "cw-lead"), cwmPrepare(t, w, w.b.cs.ID, "cw-b")}
				b := w.loggedIn(row.user)
				check := func(what string, got, want int) {
					t.Helper()
					if got != want {
						t.Errorf("%s %s: %d, want %d", row.user, what, got, want)
					}
				}
				get := func(p string) int { c, _, _ := b.get(p); return c }
				post := func(p string, v url.Values) int {
					v.Set("csrf", b.csrf)
					c, _, _ := b.post(p, v)
					return c
				}
				today := time.Now().In(domain.ZoneFor("61.07")).Format("2006-01-02")
				due := time.Now().AddDate(0, 0, 5).Format("2006-01-02")
				check("GET /kasus/persetujuan", get("/kasus/persetujuan"), row.list)
				check("POST /tim/aturan-kasus", post("/tim/aturan-kasus", url.Values{"approve": {"plan", "closure"}}), row.rules)
				check("GET /kasus/beban", get("/kasus/beban"), row.load)
				check("GET /kasus/beban.csv", get("/kasus/beban.csv"), row.load)
				check("GET /penyedia", get("/penyedia"), row.provs)
				check("POST /penyedia", post("/penyedia", url.Values{"name": {"LBH"}, "kind": {"legal_aid"}, "region_code": {"61.07"},
					"services": {"legal_aid"}}), row.provNew)
				check("GET /rujukan", get("/rujukan"), row.inbox)
				for i, s := range sides {
					side := string("AB"[i])
					before, _ := w.srv.Cases.GetCasework(bg, capiSys, s.id)
					check(side+" tab", get("/kasus/"+s.id+"?tab=rencana"), row.tab[i])
					check(side+" action status", post("/kasus/"+s.id+"/rencana/tindakan/"+s.action+"/status", url.Values{"to": {"in_progress"}}), row.item[i])
					check(side+" visit record", post("/kasus/"+s.id+"/kunjungan/"+s.visit+"/catat", url.Values{"status": {"done"}, "visited_on": {today},
						"outcome": {"baik"}}), row.item[i])
					check(side+" asesmen", post("/kasus/"+s.id+"/asesmen", url.Values{"assessed_on": {today}, "risk": {"medium"}}), row.work[i])
					check(side+" tindakan", post("/kasus/"+s.id+"/rencana/tindakan", url.Values{"domain": {"safety"}, "goal": {"g"}, "action": {"a"},
						"responsible_org": {"Desa"}, "due_on": {due}}), row.work[i])
					check(side+" kunjungan", post("/kasus/"+s.id+"/kunjungan", url.Values{"planned_on": {today}}), row.work[i])
					check(side+" reopen", post("/kasus/"+s.id+"/buka-kembali", url.Values{"note": {"alasan"}, "reach_again": {"1"}}), row.reopen[i])
					check(side+" withdraw", post("/persetujuan/"+s.approval+"/tarik", url.Values{}), row.wdr[i])
					check(side+" decide", post("/persetujuan/"+s.approval+"/putuskan", url.Values{"decision": {"return"}, "comment": {"Belum"}}), row.decide[i])
					check(side+" consent", post("/kasus/"+s.id+"/persetujuan-data", url.Values{"basis": {"guardian_consent"}, "given_by": {"Ibu"},
						"relation": {"mother"}, "given_on": {today}}), row.consent[i])
					check(side+" refer", post("/kasus/"+s.id+"/rujuk", url.Values{"provider_id": {w.pkm}, "service": {"health"}, "urgency": {"routine"},
						"reason": {"periksa"}}), row.refer[i])
					check(side+" provider answer", post("/rujukan/"+s.referral+"/jawaban", url.Values{"to": {"accepted"}}), row.provAns[i])
					check(side+" recorded answer", post("/kasus/"+s.id+"/rujukan/"+s.referral+"/jawaban", url.Values{"to": {"accepted"}}), row.recAns[i])
					check(side+" revoke", post("/kasus/"+s.id+"/rujukan/"+s.referral+"/batal", url.Values{"reason": {"salah"}}), row.revoke[i])
					check(side+" closure", post("/kasus/"+s.id+"/ajukan-penutupan", url.Values{"note": {"selesai"}}), row.closure[i])
					if row.work[i] == 404 && row.item[i] == 404 && row.decide[i] == 404 && row.wdr[i] == 404 {
						after, _ := w.srv.Cases.GetCasework(bg, capiSys, s.id)
						if len(after.Assessments) != len(before.Assessments) || len(after.Visits) != len(before.Visits) ||
							len(after.Approvals) != len(before.Approvals) || len(after.Plan.Actions) != len(before.Plan.Actions) ||
							after.Plan.Status != before.Plan.Status {
							t.Errorf("%s: refused forms changed side %s's casework", row.user, side)
						}
					}
				}
			})
		}
	})
}

// scopeOf is the scope of a user of the world.
func (w *capiWorld) scopeOf(name string) domain.Scope {
	return access.ForUser(w.users[name], "127.0.0.1", "test")
}
