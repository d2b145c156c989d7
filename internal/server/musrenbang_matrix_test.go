package server_test

import (
	"net/url"
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/musrenbang"
	"lindu/internal/server"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// The Musrenbang Anak pages × every kind of user, on both databases: the
// staff page for moderators, planners and dashboard readers; a proposal's
// page for its forum's facilitators (and planners for a public one); every
// moderation form refused to the others with nothing changed; the public
// pages and the children's sign-in for anyone, without a session.
func TestMusrenbangHTMLMatrix(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07", ReportMinFormAge: -1})
		sys := access.System("test")
		fas := w.addUser("fasil", domain.RoleFacilitator, "61.07")
		w.addUser("fasil-lain", domain.RoleFacilitator, "61.07")
		w.addUser("pkm", domain.RoleProvider, "61.07")
		mr := musrenbang.New(w.st)
		forum, err := mr.CreateForum(bg, access.ForUser(fas, "", "t"), "Forum HTML", "61.07")
		if err != nil {
			t.Fatal(err)
		}
		kid, _, err := mr.RegisterChild(bg, sys, musrenbang.NewChild{ForumID: forum.ID, Nickname: "Yuni", AgeGroup: "13-15", VillageCode: "61.07.01.2001", ConsentBy: "ibu"})
		if err != nil {
			t.Fatal(err)
		}
		pend, _ := mr.Submit(bg, &kid, musrenbang.NewProposal{Title: "Taman baca anak", Body: "Kami ingin taman baca di balai desa.", Cluster: "IV"})
		moderators := map[string]bool{"fasil": true, "reg-admin": true}
		home := map[string]bool{"fasil": true, "fasil-lain": true, "reg-admin": true, "admin-a": true, "admin-b": true, "other-prov": true, "viewer": true,
			"sup": true, "cw-a": true, "cw-b": true}
		for name := range w.users {
			b := w.browser()
			if code, _ := b.login(name, pw); code != 303 {
				t.Fatalf("%s: login %d", name, code)
			}
			code, body, _ := b.get("/musrenbang-anak")
			if home[name] != (code == 200) || strings.Contains(body, "Taman baca anak") && !moderators[name] {
				t.Errorf("%s /musrenbang-anak: %d", name, code)
			}
			code, _, _ = b.get("/musrenbang-anak/usulan/" + pend.ID)
			if moderators[name] != (code == 200) {
				t.Errorf("%s the pending proposal's page: %d", name, code)
			}
			if moderators[name] {
				continue // their forms work (the journey test); the others' must not
			}
			for _, action := range []string{"setujui", "tolak", "ubah", "tiket", "pisah"} {
				code, _, _ := b.post("/musrenbang-anak/usulan/"+pend.ID+"/"+action, url.Values{"csrf": {b.csrf}, "reason": {"x"}, "title": {"Judul baru sekali"},
					"body": {"Isi baru yang cukup panjang."}, "year": {"2026"}})
				if code != 404 && code != 403 {
					t.Errorf("%s POST %s: %d", name, action, code)
				}
			}
			// The other staff forms: a child's new code, a forum's
			// facilitator, the calendar, a ticket's stage.
			for _, path := range []string{"/musrenbang-anak/anak/" + kid.ID + "/kode", "/musrenbang-anak/forum/" + forum.ID + "/fasilitator",
				"/musrenbang-anak/kalender", "/musrenbang-anak/tiket/tidak-ada"} {
				code, _, _ := b.post(path, url.Values{"csrf": {b.csrf}, "user_id": {fas.ID}, "year": {"2026"}, "stage": {"discussed"},
					"level": {"kabupaten"}, "date": {"2026-04-15"}, "proposal_id": {pend.ID}})
				// Another regency's admin may set their own regency's
				// calendar: the incomplete form is refused (422).
				own := name == "other-prov" && path == "/musrenbang-anak/kalender" && code == 422
				if code != 404 && code != 403 && !own {
					t.Errorf("%s POST %s: %d", name, path, code)
				}
			}
			if code, _, _ := b.get("/musrenbang-anak/usulan/" + pend.ID + "/foto"); code != 404 {
				t.Errorf("%s GET a photo that is not there / not theirs: %d", name, code)
			}
			if code, _, _ := b.post("/musrenbang-anak/anak", url.Values{"csrf": {b.csrf}, "forum_id": {forum.ID}, "nickname": {"Zaki"}, "age_group": {"10-12"},
				"village_code": {"61.07.01.2001"}, "consent_by": {"ayah"}}); code != 404 && code != 403 {
				t.Errorf("%s registered a child: %d", name, code)
			}
		}
		if got, _ := mr.Queue(bg, sys, musrenbang.StatusPending); len(got) != 1 || got[0].Title != "Taman baca anak" {
			t.Fatalf("the refused forms changed the proposal: %+v", got)
		}
		if cs, _ := mr.Children(bg, sys, forum.ID); len(cs) != 1 {
			t.Fatalf("the refused forms registered %d children", len(cs))
		}
		anon := w.browser()
		for _, p := range []string{"/usulan-anak", "/anak", "/usulan-anak/lacak", "/usulan-anak/data.csv", "/usulan-anak?forum=" + forum.ID} {
			if code, _, _ := anon.get(p); code != 200 {
				t.Errorf("anonymous %s: %d", p, code)
			}
		}
		if code, _, _ := anon.get("/musrenbang-anak"); code != 303 {
			t.Errorf("anonymous staff page: %d", code)
		}
		if code, _, _ := anon.get("/usulan-anak/foto/" + pend.Code); code != 404 {
			t.Errorf("a pending proposal's photo route: %d", code)
		}
		if code, _, _ := anon.post("/anak/dukung", url.Values{"csrf": {anon.csrf}, "proposal_id": {pend.ID}}); code != 403 {
			t.Errorf("an anonymous support: %d", code)
		}
	})
}
