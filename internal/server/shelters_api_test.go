package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/server"
	"lindu/internal/shelters"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// Every shelters API route × every kind of user, on both databases: who
// may read, who may write, and that hosts' names, phones and addresses
// reach only those who place children. A write that is refused changes
// nothing (the following rows would fail otherwise).
func TestShelterAPIMatrix(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		w.addUser("pkm", domain.RoleProvider, "61.07")
		w.addUser("fasil", domain.RoleFacilitator, "61.07")
		sys := access.System("test")
		sh := shelters.New(w.st, w.srv.Cases)
		house, err := sh.CreatePlace(bg, sys, domain.NewPlace{Kind: domain.PlaceSafeHouse, Name: "Rumah Aman Matriks", RegionCode: "61.07.01.2001",
			Owner: domain.OwnerCommunity, Capacity: 3, HostName: "Ibu Rahasia Matriks", HostPhone: "081255559999", Address: "Jalan Rahasia Matriks"})
		if err != nil {
			t.Fatal(err)
		}
		var answers []domain.CheckResult
		for _, it := range shelters.DefaultChecklist {
			answers = append(answers, domain.CheckResult{Item: it.Key, Result: domain.CheckPass})
		}
		if _, err := sh.RecordChecks(bg, sys, house.ID, answers); err != nil {
			t.Fatal(err)
		}
		for _, to := range []string{domain.PlaceVerified, domain.PlaceActive} {
			if err := sh.MovePlace(bg, sys, house.ID, to, "matriks", 0); err != nil {
				t.Fatal(err)
			}
		}
		c, err := w.srv.Cases.CreateCase(bg, sys, domain.NewCase{RegionCode: "61.07.01.2001", Priority: domain.PriorityHigh,
			Types: []domain.ViolenceType{domain.VPhysical}, Summary: "Kasus matriks", Victims: []domain.Victim{{Name: "Anak Matriks"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.srv.Cases.Reassign(bg, sys, c.ID, "", w.users["cw-a"].ID, "lead"); err != nil {
			t.Fatal(err)
		}
		full, _ := w.srv.Cases.GetCase(bg, sys, c.ID)
		stay, err := sh.PlaceChild(bg, sys, domain.NewStay{PlaceID: house.ID, CaseID: c.ID, VictimID: full.Victims[0].ID, Reason: "matriks", Hold: true})
		if err != nil {
			t.Fatal(err)
		}
		until := time.Now().UTC().Add(30 * 24 * time.Hour)
		type route struct {
			method, path string
			body         any
			write        bool
		}
		routes := []route{
			{"GET", "/api/v1/places", nil, false},
			{"GET", "/api/v1/places/" + house.ID, nil, false},
			{"GET", "/api/v1/places/" + house.ID + "/history", nil, false},
			{"GET", "/api/v1/places/" + house.ID + "/checks", nil, false},
			{"GET", "/api/v1/place-checklist", nil, false},
			{"GET", "/api/v1/cases/" + c.ID + "/stays", nil, false},
			{"GET", "/api/v1/stays/" + stay.ID, nil, false},
			{"POST", "/api/v1/places", map[string]any{"kind": "lksa", "name": "LKSA Matriks", "region_code": "61.07.01", "owner": "community", "capacity": 10}, true},
			{"POST", "/api/v1/places/" + house.ID + "/checks", map[string]any{"answers": []any{map[string]any{"item": "sleeping_space", "result": "maybe"}}}, true},
			{"POST", "/api/v1/places/" + house.ID + "/status", map[string]any{"to": "suspended", "reason": ""}, true},
			{"POST", "/api/v1/places/" + house.ID + "/warnings", map[string]any{"reason": "x"}, true},
			{"PUT", "/api/v1/places/" + house.ID, map[string]any{"name": "Rumah Aman Matriks", "capacity": 0}, true},
			{"PUT", "/api/v1/place-checklist", map[string]any{"items": []any{}}, true},
			{"POST", "/api/v1/cases/" + c.ID + "/stays", map[string]any{"place_id": house.ID, "victim_id": full.Victims[0].ID, "reason": " "}, true},
			{"POST", "/api/v1/stays/" + stay.ID + "/end", map[string]any{"reason": "x", "destination": "nowhere"}, true},
			{"POST", "/api/v1/stays/" + stay.ID + "/move", map[string]any{"place_id": house.ID, "reason": "x"}, true},
			{"POST", "/api/v1/stays/" + stay.ID + "/extend", map[string]any{"until": until, "reason": ""}, true},
		}
		// Who reads what: staff who work cases read the checklist; those of
		// the place's region read the place; only those who handle the case
		// read its stays.
		staff := map[string]bool{"reg-admin": true, "admin-a": true, "admin-b": true, "cw-a": true, "cw-b": true, "sup": true, "other-prov": true}
		readers := map[string]bool{"reg-admin": true, "admin-a": true, "cw-a": true, "sup": true}
		caseReaders := map[string]bool{"reg-admin": true, "admin-a": true, "cw-a": true, "sup": true}
		for name := range w.users {
			tok := w.token(name)
			for _, rt := range routes {
				code, body := w.api(rt.method, rt.path, tok, rt.body)
				raw, _ := json.Marshal(body)
				where := fmt.Sprintf("%s %s %s", name, rt.method, rt.path)
				if strings.Contains(string(raw), "Jalan Rahasia Matriks") || strings.Contains(string(raw), "5555") {
					if rt.path != "/api/v1/places/"+house.ID || !readers[name] {
						t.Errorf("%s: hosts' data in the answer", where)
					}
				}
				caseRoute := strings.Contains(rt.path, "/cases/") || strings.Contains(rt.path, "/stays/")
				switch {
				case !rt.write && rt.path == "/api/v1/place-checklist" && staff[name],
					!rt.write && caseRoute && caseReaders[name], !rt.write && !caseRoute && rt.path != "/api/v1/place-checklist" && readers[name]:
					if code != 200 {
						t.Errorf("%s: %d, want 200", where, code)
					}
				case !rt.write:
					if code != 403 && code != 404 && !(code == 200 && rt.path == "/api/v1/places" && strings.Contains(string(raw), `"places":[]`)) {
						t.Errorf("%s: %d %s, want refused", where, code, raw)
					}
				case rt.write && code/100 == 2:
					// Only the valid create of an LKSA by someone who manages
					// cases in that district succeeds.
					if !(rt.path == "/api/v1/places" && (name == "reg-admin" || name == "admin-a" || name == "sup")) {
						t.Errorf("%s: %d, a write that should be refused", where, code)
					}
				}
			}
		}
		// Nothing the refused writes tried happened.
		got, err := sh.GetPlace(bg, sys, house.ID)
		if err != nil || got.Status != domain.PlaceActive || got.Warnings != 0 {
			t.Fatalf("place after the matrix: %+v %v", got, err)
		}
		st, err := sh.GetStay(bg, sys, stay.ID)
		if err != nil || st.Status != domain.StayHeld {
			t.Fatalf("stay after the matrix: %+v %v", st, err)
		}
	})
}
