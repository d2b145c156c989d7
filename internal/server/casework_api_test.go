package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"lindu/internal/domain"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// The casework API end to end on both databases: a caseworker assesses,
// plans, submits; the supervisor approves through /approvals; a visit is
// recorded; consent and a referral to a provider; the provider account
// accepts and reports it done; the case load counts it; closure asked and
// approved. Wrong roles and cases out of scope are refused, bad input is
// 422, a returned plan's action 409.
func TestCaseworkAPI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCapiWorld(t, d)
		id := w.a.cs.ID
		lead, sup := w.toks["cw-lead"], w.toks["sup"]
		call := func(tok, method, path string, body any, want int) map[string]any {
			t.Helper()
			code, out := w.api(method, path, tok, body)
			if code != want {
				t.Fatalf("%s %s: %d, want %d: %v", method, path, code, want, out)
			}
			return out
		}
		if _, err := w.srv.Cases.Transition(bg, capiSys, id, domain.Transition{To: domain.StatusResponded}); err != nil {
			t.Fatal(err)
		}
		today := time.Now().In(domain.ZoneFor("61.07")).Format("2006-01-02")
		due := time.Now().AddDate(0, 0, 7).Format("2006-01-02")
		call(lead, "POST", "/api/v1/cases/"+id+"/assessments", map[string]any{"assessed_on": today, "risk": "extreme"}, 422)
		call(lead, "POST", "/api/v1/cases/"+id+"/assessments", map[string]any{"assessed_on": today, "risk": "high", "bogus": 1}, 422)
		a := call(lead, "POST", "/api/v1/cases/"+id+"/assessments", map[string]any{"assessed_on": today, "risk": "high",
			"needs": []map[string]string{{"domain": "safety", "level": "urgent", "note": "RAHASIA"}}}, 201)
		if a["number"] != float64(1) {
			t.Fatalf("assessment %v", a)
		}
		// Out of scope and the wrong roles.
		call(w.toks["cw-b"], "POST", "/api/v1/cases/"+id+"/assessments", map[string]any{"assessed_on": today, "risk": "high"}, 404)
		call(w.toks["viewer"], "GET", "/api/v1/cases/"+id+"/casework", nil, 404)
		call(w.toks["cw-a"], "POST", "/api/v1/cases/"+id+"/plan/actions", map[string]any{"domain": "safety", "goal": "g", "action": "a",
			"responsible_org": "x", "due_on": due}, 404)
		act := call(lead, "POST", "/api/v1/cases/"+id+"/plan/actions", map[string]any{"domain": "safety", "goal": "Aman", "action": "Pindah",
			"responsible_user_id": w.users["cw-lead"].ID, "due_on": due}, 201)
		aid := act["id"].(string)
		call(lead, "POST", "/api/v1/cases/"+id+"/plan/submit", map[string]any{"note": "mohon"}, 200)
		// The caseworker cannot decide; the supervisor returns it.
		list := call(sup, "GET", "/api/v1/approvals?status=pending", nil, 200)
		apps := list["approvals"].([]any)
		if len(apps) != 1 {
			t.Fatalf("approvals %v", list)
		}
		ap := apps[0].(map[string]any)["id"].(string)
		call(lead, "POST", "/api/v1/approvals/"+ap+"/decision", map[string]any{"decision": "approve"}, 404)
		call(sup, "POST", "/api/v1/approvals/"+ap+"/decision", map[string]any{"decision": "maybe"}, 422)
		call(sup, "POST", "/api/v1/approvals/"+ap+"/decision", map[string]any{"decision": "return", "comment": "Tambah tujuan"}, 200)
		call(lead, "POST", "/api/v1/cases/"+id+"/plan/actions/"+aid+"/status", map[string]any{"status": "done"}, 409)
		call(lead, "PUT", "/api/v1/cases/"+id+"/plan/actions/"+aid, map[string]any{"domain": "safety", "goal": "Aman di rumah nenek",
			"action": "Pindah", "responsible_user_id": w.users["cw-lead"].ID, "due_on": due}, 200)
		call(lead, "POST", "/api/v1/cases/"+id+"/plan/submit", map[string]any{}, 200)
		apps = call(sup, "GET", "/api/v1/approvals?status=pending&kind=plan", nil, 200)["approvals"].([]any)
		call(sup, "POST", "/api/v1/approvals/"+apps[0].(map[string]any)["id"].(string)+"/decision", map[string]any{"decision": "approve"}, 200)
		call(lead, "POST", "/api/v1/cases/"+id+"/plan/actions/"+aid+"/status", map[string]any{"status": "done", "note": "selesai"}, 200)
		v := call(lead, "POST", "/api/v1/cases/"+id+"/visits", map[string]any{"planned_on": today}, 201)
		call(lead, "POST", "/api/v1/cases/"+id+"/visits/"+v["id"].(string)+"/record", map[string]any{"status": "done", "visited_on": today,
			"outcome": "baik", "next_on": due}, 200)

		// Providers, consent and a referral the provider answers.
		call(lead, "POST", "/api/v1/providers", map[string]any{"name": "Puskesmas", "kind": "health", "region_code": "61.07"}, 403)
		p := call(sup, "POST", "/api/v1/providers", map[string]any{"name": "Puskesmas", "kind": "health", "region_code": "61.07",
			"services": []string{"health"}, "phone": "0812 0000 5555", "active": true}, 201)
		pid := p["id"].(string)
		pu, err := w.st.CreateUser(bg, capiSys, domain.NewUser{Username: "pkm", Role: domain.RoleProvider, RegionCode: "61.07", Password: pw})
		if err != nil {
			t.Fatal(err)
		}
		w.users["pkm"] = pu
		call(sup, "PUT", "/api/v1/providers/"+pid+"/accounts", map[string]any{"user_id": pu.ID}, 403) // supervisors do not manage users
		call(w.toks["reg-admin"], "PUT", "/api/v1/providers/"+pid+"/accounts", map[string]any{"user_id": pu.ID}, 200)
		pkm := w.token("pkm")
		send := map[string]any{"case_id": id, "provider_id": pid, "service": "health", "urgency": "urgent", "reason": "Periksa luka"}
		call(lead, "POST", "/api/v1/referrals", send, 409) // no consent yet
		call(lead, "POST", "/api/v1/cases/"+id+"/consents", map[string]any{"basis": "guardian_consent", "given_by": "Ibu", "relation": "mother",
			"given_on": today}, 201)
		rf := call(lead, "POST", "/api/v1/referrals", send, 201)
		rid := rf["id"].(string)
		if rf["status"] != "sent" || len(rf["code"].(string)) != 9 {
			t.Fatalf("referral %v", rf)
		}
		mine := call(pkm, "GET", "/api/v1/referrals", nil, 200)["referrals"].([]any)
		if len(mine) != 1 {
			t.Fatalf("provider sees %d referrals", len(mine))
		}
		if got := fmt.Sprint(mine[0]); strings.Contains(got, "RAHASIA") || strings.Contains(got, w.a.cs.Summary) && w.a.cs.Summary != "" {
			t.Errorf("provider sees case data: %s", got)
		}
		call(pkm, "GET", "/api/v1/cases/"+id, nil, 404)
		call(pkm, "GET", "/api/v1/cases/"+id+"/casework", nil, 404)
		call(pkm, "POST", "/api/v1/referrals/"+rid+"/answer", map[string]any{"status": "done"}, 409)
		call(pkm, "POST", "/api/v1/referrals/"+rid+"/answer", map[string]any{"status": "accepted"}, 200)
		call(pkm, "POST", "/api/v1/referrals/"+rid+"/answer", map[string]any{"status": "done"}, 200)
		call(lead, "POST", "/api/v1/referrals/"+rid+"/revoke", map[string]any{"case_id": id, "reason": "x"}, 409)

		// The case load, then closure asked and approved.
		load := call(sup, "GET", "/api/v1/caseload", nil, 200)
		found := false
		for _, r := range load["rows"].([]any) {
			m := r.(map[string]any)
			if m["name"] == "cw-lead" && m["open_cases"] == float64(1) {
				found = true
			}
		}
		if !found {
			t.Errorf("case load lacks cw-lead's case: %v", load)
		}
		call(lead, "GET", "/api/v1/caseload", nil, 403)
		call(sup, "GET", "/api/v1/caseload?format=pdf", nil, 422)
		if cl := call(lead, "POST", "/api/v1/cases/"+id+"/closure-request", map[string]any{"note": "Anak aman"}, 200); cl["closed"] != false {
			t.Fatalf("closure request %v", cl)
		}
		apps = call(sup, "GET", "/api/v1/approvals?status=pending&kind=closure", nil, 200)["approvals"].([]any)
		call(sup, "POST", "/api/v1/approvals/"+apps[0].(map[string]any)["id"].(string)+"/decision", map[string]any{"decision": "approve"}, 200)
		c := call(sup, "GET", "/api/v1/cases/"+id, nil, 200)
		if c["status"] != "closed" {
			t.Fatalf("case status %v", c["status"])
		}
		// Rules: read by those who see cases; set only deployment-wide.
		call(lead, "GET", "/api/v1/casework-rules", nil, 200)
		call(w.toks["admin-a"], "PUT", "/api/v1/casework-rules", map[string]any{"approve": map[string]bool{"plan": false}, "self_approval": false}, 403)
		r := call(sup, "PUT", "/api/v1/casework-rules", map[string]any{"approve": map[string]bool{"plan": false, "closure": true},
			"self_approval": true, "reopen": map[string]string{"sexual": "all"}}, 200)
		if r["self_approval"] != true {
			t.Fatalf("rules %v", r)
		}
		call(sup, "PUT", "/api/v1/casework-rules", map[string]any{"approve": map[string]bool{}, "reopen": map[string]string{"sexual": "sometimes"}}, 422)
	})
}
