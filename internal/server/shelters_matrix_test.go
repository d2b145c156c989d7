package server_test

import (
	"net/url"
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/server"
	"lindu/internal/shelters"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// Every safe places HTML route × every kind of user, on both databases:
// reads answer 200 only to staff who work cases in the place's region
// (the figures also to the regent), writes only to those who manage
// places; the host's data appear only for those who place children;
// without a session every route sends to the login.
func TestShelterHTMLMatrix(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		w.addUser("pkm", domain.RoleProvider, "61.07")
		w.addUser("fasil", domain.RoleFacilitator, "61.07")
		w.addUser("opd", domain.RoleOPDOperator, "61.07")
		sys := access.System("test")
		sh := shelters.New(w.st, w.srv.Cases)
		p, err := sh.CreatePlace(bg, sys, domain.NewPlace{Kind: domain.PlaceSafeHouse, Name: "Rumah Aman HTML", RegionCode: "61.07.01.2001",
			Owner: domain.OwnerCommunity, Capacity: 1, HostName: "Ibu Rahasia HTML", HostPhone: "081255557777", Address: "Jalan Rahasia HTML"})
		if err != nil {
			t.Fatal(err)
		}
		reads := []string{"/tempat", "/tempat/" + p.ID, "/tempat/angka", "/tempat/angka.csv", "/tempat/insentif", "/tempat/insentif.csv"}
		writes := []string{"/tempat", "/tempat/" + p.ID + "/status", "/tempat/" + p.ID + "/periksa", "/tempat/" + p.ID + "/teguran",
			"/tempat/" + p.ID + "/pelatihan", "/tempat/" + p.ID + "/insentif", "/tempat/" + p.ID + "/kunjungan"}
		inRegion := map[string]bool{"reg-admin": true, "admin-a": true, "cw-a": true, "sup": true}
		casesStaff := map[string]bool{"reg-admin": true, "admin-a": true, "admin-b": true, "cw-a": true, "cw-b": true, "sup": true, "other-prov": true}
		dashboard := map[string]bool{"viewer": true, "fasil": true, "opd": true}
		managers := map[string]bool{"reg-admin": true, "admin-a": true, "sup": true}
		anyManager := map[string]bool{"reg-admin": true, "admin-a": true, "admin-b": true, "sup": true, "other-prov": true}
		for name := range w.users {
			b := w.browser()
			if code, _ := b.login(name, pw); code != 303 {
				t.Fatalf("%s: login %d", name, code)
			}
			for _, path := range reads {
				code, body, _ := b.get(path)
				figures := strings.HasPrefix(path, "/tempat/angka")
				ok := casesStaff[name] && (path != "/tempat/"+p.ID || inRegion[name]) || figures && dashboard[name]
				if ok != (code == 200) {
					t.Errorf("%s GET %s: %d", name, path, code)
				}
				if strings.Contains(body, "Ibu Rahasia HTML") || strings.Contains(body, "Jalan Rahasia HTML") {
					if path != "/tempat/"+p.ID || !inRegion[name] {
						t.Errorf("%s GET %s: the host's data", name, path)
					}
				}
			}
			for _, path := range writes {
				b.get("/tempat")
				code, _, _ := b.post(path, url.Values{"csrf": {b.csrf}})
				// An empty form: the form's errors for those who may write
				// (an empty checklist only records lindu's own check),
				// refused for the rest. Anyone who manages places may
				// register one in their own region.
				may := managers[name] || path == "/tempat" && anyManager[name]
				if may && code != 422 && code != 409 && !(code == 303 && strings.HasSuffix(path, "/periksa")) {
					t.Errorf("%s POST %s: %d, want the form's errors", name, path, code)
				}
				if !may && code != 403 && code != 404 {
					t.Errorf("%s POST %s: %d, want refused", name, path, code)
				}
			}
		}
		anon := w.browser()
		for _, path := range reads {
			if code, _, _ := anon.get(path); code != 303 {
				t.Errorf("without a session GET %s: %d", path, code)
			}
		}
		got, err := sh.GetPlace(bg, sys, p.ID)
		if err != nil || got.Status != domain.PlaceProposal || got.Warnings != 0 {
			t.Fatalf("the matrix changed the place: %+v %v", got, err)
		}
	})
}
