package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/audits"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/server"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// The audits API × every kind of user, on both databases: facilitators
// run audits; agencies see and answer only their own actions; dashboard
// users read results without children's names; nobody else gets in; a
// refused write changes nothing.
func TestAuditAPIMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		sys := access.System("test")
		if err := kla.UpsertAgencies(bg, w.st, sys, []domain.KLAAgency{{Code: "dlh", Name: "DLH", Kind: "opd"}, {Code: "dinkes", Name: "Dinkes", Kind: "opd"}}); err != nil {
			t.Fatal(err)
		}
		w.addUser("fasil", domain.RoleFacilitator, "61.07")
		w.addUser("pkm", domain.RoleProvider, "61.07")
		for name, ag := range map[string]string{"opd-dlh": "dlh", "opd-dinkes": "dinkes"} {
			u := w.addUser(name, domain.RoleOPDOperator, "61.07")
			if err := kla.SetUserAgency(bg, w.st, sys, u.ID, ag); err != nil {
				t.Fatal(err)
			}
		}
		au := audits.New(w.st)
		f, err := au.CreateFacility(bg, sys, domain.Facility{Kind: domain.FacilityOther, Name: "Perpustakaan Anak", RegionCode: "61.07", Agency: "dlh"})
		if err != nil {
			t.Fatal(err)
		}
		a, err := au.PlanAudit(bg, sys, f.ID, "2026-11-01", []audits.TeamMember{{FirstName: "Kirana", Age: 13, Forum: "FA"}}, "")
		if err != nil {
			t.Fatal(err)
		}
		no, yes := false, true
		if err := au.SaveAnswers(bg, sys, a.ID, []audits.Answer{{AuditAnswer: domain.AuditAnswer{Item: "aman", Yes: &yes}},
			{AuditAnswer: domain.AuditAnswer{Item: "bersih", Yes: &no, Note: "Kotor sekali kata Kirana"}}, {AuditAnswer: domain.AuditAnswer{Item: "ramah", Yes: &yes}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := au.Submit(bg, sys, a.ID); err != nil {
			t.Fatal(err)
		}
		acts, _ := au.Actions(bg, sys, "")
		if len(acts) != 1 {
			t.Fatalf("actions %d", len(acts))
		}
		runners := map[string]bool{"fasil": true, "reg-admin": true, "admin-a": true, "admin-b": true, "other-prov": true}
		regionRunners := map[string]bool{"fasil": true, "reg-admin": true}
		for name := range w.users {
			tok := w.token(name)
			code, body := w.api("GET", "/api/v1/audits/"+a.ID, tok, nil)
			raw, _ := json.Marshal(body)
			// Dashboard users of the region (the regent, supervisors, the
			// agencies' operators) read results; those of a district or
			// another province do not see a regency facility.
			seesRegion := name == "fasil" || name == "reg-admin" || name == "viewer" || name == "sup" || name == "opd-dlh" || name == "opd-dinkes"
			if seesRegion != (code == 200) {
				t.Errorf("%s GET audit: %d", name, code)
			}
			if (strings.Contains(string(raw), "Kirana")) && !regionRunners[name] {
				t.Errorf("%s reads the child's name or note", name)
			}
			code, body = w.api("GET", "/api/v1/audit-actions", tok, nil)
			raw, _ = json.Marshal(body)
			sees := strings.Contains(string(raw), acts[0].ID)
			if sees != (regionRunners[name] || name == "opd-dlh") {
				t.Errorf("%s GET actions: %d sees=%v", name, code, sees)
			}
			code, _ = w.api("POST", "/api/v1/audit-actions/"+acts[0].ID+"/response", tok, map[string]any{"response": ""})
			if name == "opd-dlh" || name == "reg-admin" || name == "admin-a" || name == "admin-b" || name == "other-prov" {
				if code != 422 && code != 404 {
					t.Errorf("%s POST response (empty): %d", name, code)
				}
			} else if code != 404 && code != 403 {
				t.Errorf("%s POST response: %d, want refused", name, code)
			}
			code, _ = w.api("POST", "/api/v1/audits", tok, map[string]any{"facility_id": f.ID, "planned_on": "2026-12-01", "team": []any{}})
			if runners[name] != (code == 422 || code == 404) || !runners[name] && code != 403 {
				t.Errorf("%s POST audits: %d", name, code)
			}
		}
		got, _ := au.Actions(bg, sys, "")
		if got[0].Status != audits.ActionOpen {
			t.Fatalf("a refused write changed the action: %+v", got[0])
		}
	})
}
