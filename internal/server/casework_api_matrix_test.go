package server_test

// The access matrix of the casework API (issue 12): every casework,
// approval, consent, provider, referral, case-load and transfer route x
// every role of the capiWorld plus a provider account, on a fresh world
// per user (the requests change state, in this order). Expected statuses
// are written by hand, from the policy (who handles case A: reg-admin, sup,
// admin-a, its lead cw-lead and its village team's resp-in; case B belongs
// to cw-b's district). The HTML side is TestCaseworkAccessMatrix.

import (
	"testing"
	"time"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/store"
)

// cwaStep is one request of the sequence and each user's expected status.
type cwaStep struct {
	name string
	req  func(s cwaState) (method, path string, body any)
	want map[string]int
}

// cwaState is what the prepared world holds.
type cwaState struct {
	a, b, action, visit, referral, closure, provider, pkmUser, transferB string
}

// by builds a want map: handlers of A get h, the masked caseworker of A
// (cw-a) m, everyone else o, with exceptions.
func by(h, m, o int, ex map[string]int) map[string]int {
	out := map[string]int{}
	for _, u := range []string{"reg-admin", "sup", "admin-a", "cw-lead", "resp-in"} {
		out[u] = h
	}
	out["cw-a"] = m
	for _, u := range []string{"admin-b", "cw-b", "resp-out", "opd", "fasil", "viewer", "other-prov", "pkm"} {
		out[u] = o
	}
	for k, v := range ex {
		out[k] = v
	}
	return out
}

var cwaUsers = []string{"reg-admin", "sup", "admin-a", "admin-b", "cw-lead", "cw-a", "cw-b", "resp-in", "resp-out", "opd", "fasil", "viewer",
	"other-prov", "pkm"}

// noWork are the roles without PermWorkCases.
var noWork = map[string]int{"opd": 403, "fasil": 403, "viewer": 403, "pkm": 403}

var cwaSteps = []cwaStep{
	{"GET casework", func(s cwaState) (string, string, any) { return "GET", "/api/v1/cases/" + s.a + "/casework", nil }, by(200, 200, 404, nil)},
	{"action status", func(s cwaState) (string, string, any) {
		return "POST", "/api/v1/cases/" + s.a + "/plan/actions/" + s.action + "/status", map[string]any{"status": "in_progress"}
	}, by(200, 404, 404, nil)},
	{"record visit", func(s cwaState) (string, string, any) {
		return "POST", "/api/v1/cases/" + s.a + "/visits/" + s.visit + "/record", map[string]any{"status": "done", "visited_on": cwaToday(),
			"outcome": "baik"}
	}, by(200, 404, 404, nil)},
	{"schedule visit", func(s cwaState) (string, string, any) {
		return "POST", "/api/v1/cases/" + s.a + "/visits", map[string]any{"planned_on": cwaToday()}
	}, by(201, 404, 404, nil)},
	{"assessment", func(s cwaState) (string, string, any) {
		return "POST", "/api/v1/cases/" + s.a + "/assessments", map[string]any{"assessed_on": cwaToday(), "risk": "medium"}
	}, by(201, 404, 404, nil)},
	{"add action", func(s cwaState) (string, string, any) {
		return "POST", "/api/v1/cases/" + s.a + "/plan/actions", cwaAction()
	}, by(201, 404, 404, nil)},
	{"edit action", func(s cwaState) (string, string, any) {
		return "PUT", "/api/v1/cases/" + s.a + "/plan/actions/" + s.action, cwaAction()
	}, by(200, 404, 404, nil)},
	{"submit plan", func(s cwaState) (string, string, any) {
		return "POST", "/api/v1/cases/" + s.a + "/plan/submit", map[string]any{}
	}, by(200, 404, 404, nil)},
	{"consent", func(s cwaState) (string, string, any) {
		return "POST", "/api/v1/cases/" + s.a + "/consents", map[string]any{"basis": "legal_obligation", "given_by": "UU 35/2014", "given_on": cwaToday()}
	}, by(201, 404, 404, nil)},
	{"send referral", func(s cwaState) (string, string, any) {
		return "POST", "/api/v1/referrals", map[string]any{"case_id": s.a, "provider_id": s.provider, "service": "health", "urgency": "routine", "reason": "x"}
	}, by(201, 404, 404, nil)},
	{"list referrals", func(s cwaState) (string, string, any) { return "GET", "/api/v1/referrals?case_id=" + s.a, nil },
		by(200, 200, 404, map[string]int{"pkm": 200})},
	{"answer referral", func(s cwaState) (string, string, any) {
		return "POST", "/api/v1/referrals/" + s.referral + "/answer", map[string]any{"status": "accepted"}
	}, by(200, 404, 404, map[string]int{"pkm": 200})},
	{"revoke referral", func(s cwaState) (string, string, any) {
		return "POST", "/api/v1/referrals/" + s.referral + "/revoke", map[string]any{"case_id": s.a, "reason": "salah"}
	}, by(200, 404, 404, nil)},
	{"withdraw closure request", func(s cwaState) (string, string, any) {
		return "POST", "/api/v1/approvals/" + s.closure + "/withdraw", nil
	}, by(404, 404, 404, map[string]int{"cw-lead": 200})},
	{"decide closure request", func(s cwaState) (string, string, any) {
		return "POST", "/api/v1/approvals/" + s.closure + "/decision", map[string]any{"decision": "return", "comment": "belum"}
	}, by(404, 404, 404, map[string]int{"reg-admin": 200, "sup": 200, "admin-a": 200})},
	// After the return (or withdrawal) a case manager who does not lead
	// the case closes it; the lead asks again; the team member finds the
	// lead's request still waiting (409).
	{"closure request", func(s cwaState) (string, string, any) {
		return "POST", "/api/v1/cases/" + s.a + "/closure-request", map[string]any{"note": "selesai"}
	}, by(200, 404, 404, map[string]int{"resp-in": 409})},
	// Managers closed it: they reopen it at once; for the others it is open.
	{"reopen request", func(s cwaState) (string, string, any) {
		return "POST", "/api/v1/cases/" + s.a + "/reopen-request", map[string]any{"note": "laporan baru", "reach_again": true}
	}, by(200, 404, 404, map[string]int{"cw-lead": 409, "resp-in": 409})},
	{"list approvals", func(s cwaState) (string, string, any) { return "GET", "/api/v1/approvals", nil }, by(200, 200, 200, noWork)},
	{"case load", func(s cwaState) (string, string, any) { return "GET", "/api/v1/caseload", nil },
		by(200, 403, 403, map[string]int{"cw-lead": 403, "resp-in": 403, "admin-b": 200, "other-prov": 200})},
	{"get rules", func(s cwaState) (string, string, any) { return "GET", "/api/v1/casework-rules", nil }, by(200, 200, 200, noWork)},
	{"put rules", func(s cwaState) (string, string, any) {
		return "PUT", "/api/v1/casework-rules", map[string]any{"approve": map[string]bool{"plan": true, "closure": true, "reopen": true}}
	}, by(403, 403, 403, map[string]int{"reg-admin": 200, "sup": 200})},
	{"list providers", func(s cwaState) (string, string, any) { return "GET", "/api/v1/providers", nil }, by(200, 200, 200, noWork)},
	{"create provider", func(s cwaState) (string, string, any) {
		return "POST", "/api/v1/providers", map[string]any{"name": "LBH", "kind": "legal_aid", "region_code": "61.07"}
	}, by(422, 403, 403, map[string]int{"reg-admin": 201, "sup": 201, "cw-lead": 403, "resp-in": 403, "admin-b": 422, "other-prov": 422})},
	{"update provider", func(s cwaState) (string, string, any) {
		return "PUT", "/api/v1/providers/" + s.provider, map[string]any{"name": "Puskesmas", "kind": "health", "region_code": "61.07", "active": true}
	}, by(422, 403, 403, map[string]int{"reg-admin": 200, "sup": 200, "cw-lead": 403, "resp-in": 403, "admin-b": 422, "other-prov": 422})},
	{"link provider account", func(s cwaState) (string, string, any) {
		return "PUT", "/api/v1/providers/" + s.provider + "/accounts", map[string]any{"user_id": s.pkmUser}
	}, by(403, 403, 403, map[string]int{"reg-admin": 200, "admin-a": 404, "admin-b": 404, "other-prov": 404})},
	{"request transfer", func(s cwaState) (string, string, any) {
		return "POST", "/api/v1/cases/" + s.a + "/transfers", map[string]any{"to_region": "61.01", "reason": "pindah"}
	}, by(201, 404, 404, nil)},
	{"list transfers", func(s cwaState) (string, string, any) { return "GET", "/api/v1/transfers?direction=out", nil }, by(200, 200, 200, noWork)},
	{"decide transfer", func(s cwaState) (string, string, any) {
		return "POST", "/api/v1/transfers/" + s.transferB + "/decision", map[string]any{"decision": "accept"}
	}, by(404, 404, 404, nil)},
	{"cancel transfer", func(s cwaState) (string, string, any) {
		return "POST", "/api/v1/transfers/" + s.transferB + "/cancel", nil
	},
		by(404, 404, 404, map[string]int{"reg-admin": 200, "sup": 200, "admin-b": 200, "cw-b": 200})},
}

func cwaToday() string { return time.Now().In(domain.ZoneFor("61.07")).Format("2006-01-02") }

func cwaAction() map[string]any {
	return map[string]any{"domain": "safety", "goal": "g", "action": "a", "responsible_org": "Desa", "due_on": time.Now().AddDate(0, 0, 5).Format("2006-01-02")}
}

func TestCaseworkAPIAccessMatrix(t *testing.T) {
	t.Parallel()
	for _, user := range cwaUsers {
		t.Run(user, func(t *testing.T) {
			w := newCapiWorld(t, store.SQLite)
			s := cwaPrepare(t, w)
			tok := w.token(user)
			for _, st := range cwaSteps {
				method, path, body := st.req(s)
				code, out := w.api(method, path, tok, body)
				want, ok := st.want[user]
				if !ok {
					t.Fatalf("%s: no expectation for %s", st.name, user)
				}
				if code != want {
					t.Errorf("%s %s (%s): %d, want %d: %v", user, st.name, path, code, want, out["error"])
				}
			}
		})
	}
}

// cwaPrepare gives case A (led by cw-lead) an approved plan with an
// action, a planned visit, consent, a referral to the puskesmas (whose
// account is pkm) and the lead's pending closure request; case B (cw-b's)
// a pending transfer to Sambas.
func cwaPrepare(t *testing.T, w *capiWorld) cwaState {
	t.Helper()
	s := cwaState{a: w.a.cs.ID, b: w.b.cs.ID}
	lead := w.scopeOf("cw-lead")
	if _, err := w.srv.Cases.Transition(bg, capiSys, s.a, domain.Transition{To: domain.StatusResponded}); err != nil {
		t.Fatal(err)
	}
	var err error
	if s.action, err = w.srv.Cases.AddPlanAction(bg, lead, s.a, domain.NewPlanAction{Domain: "health", Goal: "g", Action: "a",
		ResponsibleOrg: "Puskesmas", DueOn: time.Now().AddDate(0, 0, 9).Format("2006-01-02")}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.Cases.SubmitPlan(bg, lead, s.a, ""); err != nil {
		t.Fatal(err)
	}
	pend, _ := w.srv.Cases.ListApprovals(bg, capiSys, cases.ApprovalFilter{Status: domain.ApprovalPending})
	if err := w.srv.Cases.DecideApproval(bg, capiSys, pend[0].ID, true, ""); err != nil {
		t.Fatal(err)
	}
	if s.visit, err = w.srv.Cases.ScheduleVisit(bg, lead, s.a, cwaToday(), "", s.action); err != nil {
		t.Fatal(err)
	}
	p, err := w.srv.Cases.SaveProvider(bg, capiSys, domain.Provider{RegionCode: "61.07", Name: "Puskesmas", Kind: "health",
		Services: []string{"health"}, Phone: "+6281200008888"})
	if err != nil {
		t.Fatal(err)
	}
	s.provider = p.ID
	pu, err := w.st.CreateUser(bg, capiSys, domain.NewUser{Username: "pkm", Role: domain.RoleProvider, RegionCode: "61.07", Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	w.users["pkm"], s.pkmUser = pu, pu.ID
	if err := w.srv.Cases.LinkProviderAccount(bg, capiSys, pu.ID, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.Cases.RecordConsent(bg, lead, s.a, domain.NewConsent{Basis: domain.BasisVital, GivenBy: "luka", GivenOn: cwaToday()}); err != nil {
		t.Fatal(err)
	}
	rf, err := w.srv.Cases.Refer(bg, lead, s.a, domain.NewReferral{ProviderID: p.ID, Service: "health", Urgency: "urgent", Reason: "periksa"})
	if err != nil {
		t.Fatal(err)
	}
	s.referral = rf.ID
	if _, err := w.srv.Cases.RequestClosure(bg, lead, s.a, "Anak aman"); err != nil {
		t.Fatal(err)
	}
	pend, _ = w.srv.Cases.ListApprovals(bg, capiSys, cases.ApprovalFilter{Status: domain.ApprovalPending, Kind: domain.ApproveClosure})
	s.closure = pend[0].ID
	tr, err := w.srv.Cases.RequestTransfer(bg, w.scopeOf("cw-b"), s.b, "61.01", "Keluarga pindah")
	if err != nil {
		t.Fatal(err)
	}
	s.transferB = tr.ID
	return s
}
