package server_test

import (
	"net/http"
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/server"
	"lindu/internal/store"
)

// The staff directory (/users) and each user's page with contact details
// belong to the roles that manage users; a caseworker or supervisor sees on
// /users only the usernames of their own teams' members, and the link to
// the directory is in the admins' navigation only.
func TestStaffDirectoryForManagersOnly(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	if _, err := w.srv.Cases.CreateTeam(bg, access.System("test"), domain.Team{Name: "Satgas Sungai Raya", Kind: "village_taskforce",
		RegionCode: "61.07.01.2001", MemberIDs: []string{w.users["cw-a"].ID, w.users["sup"].ID}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.Cases.CreateTeam(bg, access.System("test"), domain.Team{Name: "TRC Kecamatan B", Kind: "district_team",
		RegionCode: "61.07.02", MemberIDs: []string{w.users["cw-b"].ID}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		who           string
		directory     bool // the whole directory with links to each user
		mates, others []string
	}{
		{"reg-admin", true, []string{"cw-a", "cw-b", "sup", "viewer"}, nil},
		{"cw-a", false, []string{"cw-a", "sup", "Satgas Sungai Raya"}, []string{"cw-b", "viewer", "reg-admin", "TRC Kecamatan B"}},
		{"sup", false, []string{"cw-a", "sup"}, []string{"cw-b", "viewer", "reg-admin", "TRC Kecamatan B"}},
		{"cw-b", false, []string{"cw-b", "TRC Kecamatan B"}, []string{"cw-a", "sup", "Satgas Sungai Raya"}},
	} {
		b := w.loggedIn(c.who)
		code, body, _ := b.get("/users")
		if code != http.StatusOK {
			t.Errorf("%s /users: %d", c.who, code)
			continue
		}
		main := body[strings.Index(body, "<main"):]
		if strings.Contains(main, `href="/users/`) != c.directory {
			t.Errorf("%s: links to users' pages = %v", c.who, !c.directory)
		}
		if _, home, _ := b.get("/beranda"); strings.Contains(home, `href="/users"`) != c.directory {
			t.Errorf("%s: directory link shown = %v", c.who, !c.directory)
		}
		for _, s := range c.mates {
			if !strings.Contains(main, s) {
				t.Errorf("%s /users misses %s", c.who, s)
			}
		}
		for _, s := range c.others {
			if strings.Contains(main, s) {
				t.Errorf("%s /users shows %s", c.who, s)
			}
		}
		for _, p := range people {
			if !c.directory && strings.Contains(body, p.full) || strings.Contains(body, p.phone[1:]) {
				t.Errorf("%s /users shows contact details of %s", c.who, p.name)
			}
		}
		// Another user's page: admins in scope only; one's own page always.
		code, body, _ = b.get("/users/" + w.users["cw-a"].ID)
		if want := map[bool]int{true: 200, false: 404}[c.directory || c.who == "cw-a"]; code != want {
			t.Errorf("%s /users/cw-a: %d, want %d", c.who, code, want)
		}
		if code != 200 && strings.Contains(body, "Rahasia Nama A") {
			t.Errorf("%s reads cw-a's name", c.who)
		}
		if code, _, _ := b.get("/users/" + w.users[c.who].ID); code != 200 {
			t.Errorf("%s's own page: %d", c.who, code)
		}
	}
	// Roles without user permissions are refused the page.
	if code, _, _ := w.loggedIn("viewer").get("/users"); code != http.StatusForbidden {
		t.Errorf("viewer /users: %d", code)
	}
}
