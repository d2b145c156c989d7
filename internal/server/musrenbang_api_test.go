package server_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/musrenbang"
	"lindu/internal/server"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// The Musrenbang Anak API × every kind of user, on both databases:
// facilitators of the forum (and the regency's admin) moderate; the
// planning agency's operator gives tickets and records stages; others
// read tickets and the funnel at most; the public routes carry no account
// id, phone or flag; a refused write changes nothing.
func TestMusrenbangAPIMatrix(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		sys := access.System("test")
		if err := kla.UpsertAgencies(bg, w.st, sys, []domain.KLAAgency{{Code: "bappeda", Name: "Bappeda", Kind: "opd"}, {Code: "dinkes", Name: "Dinkes", Kind: "opd"}}); err != nil {
			t.Fatal(err)
		}
		fas := w.addUser("fasil", domain.RoleFacilitator, "61.07")
		w.addUser("fasil-lain", domain.RoleFacilitator, "61.07")
		for name, ag := range map[string]string{"opd-bappeda": "bappeda", "opd-dinkes": "dinkes"} {
			u := w.addUser(name, domain.RoleOPDOperator, "61.07")
			if err := kla.SetUserAgency(bg, w.st, sys, u.ID, ag); err != nil {
				t.Fatal(err)
			}
		}
		mr := musrenbang.New(w.st)
		forum, err := mr.CreateForum(bg, access.ForUser(fas, "", "t"), "Forum Matriks", "61.07")
		if err != nil {
			t.Fatal(err)
		}
		kid, _, err := mr.RegisterChild(bg, sys, musrenbang.NewChild{ForumID: forum.ID, Nickname: "Wulan", AgeGroup: "13-15", VillageCode: "61.07.01.2001",
			ConsentBy: "ibu", Phone: "081277770001", GuardianPhone: "081277770002"})
		if err != nil {
			t.Fatal(err)
		}
		pend, _ := mr.Submit(bg, &kid, musrenbang.NewProposal{Title: "Taman baca", Body: "Hubungi saya 0812-7777-0003 ya kak.", Cluster: "IV"})
		pub, _ := mr.Submit(bg, &kid, musrenbang.NewProposal{Title: "Lampu jalan", Body: "Jalan ke sekolah gelap sekali.", Cluster: "V"})
		if err := mr.Approve(bg, sys, pub.ID); err != nil {
			t.Fatal(err)
		}
		moderators := map[string]bool{"fasil": true, "reg-admin": true}
		planners := map[string]bool{"reg-admin": true, "opd-bappeda": true}
		readers := map[string]bool{"fasil": true, "fasil-lain": true, "reg-admin": true, "viewer": true, "sup": true, "cw-a": true, "cw-b": true,
			"opd-bappeda": true, "opd-dinkes": true, "admin-a": true, "admin-b": true, "other-prov": true}
		for name := range w.users {
			tok := w.token(name)
			code, body := w.api("GET", "/api/v1/proposals", tok, nil)
			raw, _ := json.Marshal(body)
			if moderators[name] != strings.Contains(string(raw), pend.ID) {
				t.Errorf("%s GET proposals: %d sees pending=%v", name, code, !moderators[name])
			}
			code, _ = w.api("GET", "/api/v1/forums/"+forum.ID+"/children", tok, nil)
			if moderators[name] != (code == 200) {
				t.Errorf("%s GET children: %d", name, code)
			}
			code, _ = w.api("POST", "/api/v1/proposals/"+pend.ID+"/approve", tok, nil)
			if code != 409 && moderators[name] || !moderators[name] && code != 404 && code != 403 {
				t.Errorf("%s approve (personal data left): %d", name, code)
			}
			code, _ = w.api("POST", "/api/v1/proposals/"+pub.ID+"/ticket", tok, map[string]any{"year": 1999})
			if planners[name] != (code == 422) || !planners[name] && code != 403 && code != 404 {
				t.Errorf("%s ticket (bad year): %d", name, code)
			}
			code, _ = w.api("GET", "/api/v1/tickets", tok, nil)
			if readers[name] != (code == 200) {
				t.Errorf("%s GET tickets: %d", name, code)
			}
			code, _ = w.api("GET", "/api/v1/musrenbang/funnel?year=2026", tok, nil)
			if readers[name] && code != 200 && code != 404 || !readers[name] && code != 403 {
				t.Errorf("%s GET funnel: %d", name, code)
			}
		}
		code, body := w.api("GET", "/api/v1/public/proposals", "", nil)
		raw, _ := json.Marshal(body)
		if code != 200 || !strings.Contains(string(raw), "Lampu jalan") || strings.Contains(string(raw), "Taman baca") {
			t.Fatalf("public proposals: %d %s", code, raw)
		}
		// The numbers themselves, however written: a probe as short as
		// "0812" also matched a random nine-digit public code (185008127).
		phones := []string{"81277770001", "81277770002", "7777-0003", "+62"}
		for _, s := range append([]string{kid.ID, pub.ID, forum.ID}, phones...) {
			if strings.Contains(string(raw), s) {
				t.Errorf("the public answer carries %q", s)
			}
		}
		code, body = w.api("GET", "/api/v1/public/proposals/"+pend.Code, "", nil)
		raw, _ = json.Marshal(body)
		if code != 200 || slices.ContainsFunc(phones, func(p string) bool { return strings.Contains(string(raw), p) }) ||
			strings.Contains(string(raw), kid.ID) {
			t.Fatalf("tracking a pending proposal: %d %s", code, raw)
		}
		if got, _ := mr.Queue(bg, sys, musrenbang.StatusPending); len(got) != 1 {
			t.Fatalf("a refused write changed the pending proposal: %d pending", len(got))
		}
		if ts, _ := mr.Tickets(bg, sys, 0); len(ts) != 0 {
			t.Fatalf("a refused ticket was stored: %d", len(ts))
		}
		// The planner gives a ticket and records a stage; without evidence: 422.
		tok := w.token("opd-bappeda")
		code, body = w.api("POST", "/api/v1/proposals/"+pub.ID+"/ticket", tok, map[string]any{"year": 2026})
		if code != 201 {
			t.Fatalf("ticket: %d %v", code, body)
		}
		tid, _ := body["id"].(string)
		if code, _ := w.api("POST", "/api/v1/tickets/"+tid+"/steps", tok, map[string]any{"stage": "discussed"}); code != 422 {
			t.Fatalf("a stage without evidence: %d", code)
		}
		if code, body := w.api("POST", "/api/v1/tickets/"+tid+"/steps", tok, map[string]any{"stage": "discussed", "level": "kabupaten", "date": "2026-04-15"}); code != 200 || body["stage"] != "discussed" {
			t.Fatalf("a stage: %d %v", code, body)
		}
	})
}
