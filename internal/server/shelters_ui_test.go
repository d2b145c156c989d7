package server_test

import (
	"net/url"
	"regexp"
	"strconv"
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

// A safe house as its users meet it, on both databases: the supervisor
// registers it, answers its checklist (a failed required item blocks
// verification, with the item named), verifies and activates it; the
// caseworker places a child from the case's services tab and ends the
// stay; a viewer sees neither the registry nor the place; a provider
// account may not open the registry.
func TestSafeHouseJourney(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		w.addUser("pkm", domain.RoleProvider, "61.07")
		sup := w.browser()
		sup.login("sup", pw)
		code, body, _ := sup.get("/tempat")
		if code != 200 || !strings.Contains(body, "Tempat aman dan lembaga") {
			t.Fatalf("/tempat %d", code)
		}
		checkPage(t, "/tempat", body)
		code, _, hdr := sup.post("/tempat", url.Values{"csrf": {sup.csrf}, "kind": {"safe_house"}, "name": {"Rumah Aman Sebalo 1"},
			"owner": {"community"}, "region_code": {"61.07.01.2001"}, "capacity": {"2"}, "host_name": {"Ibu Rahasia Host"},
			"host_phone": {"0812 5555 0909"}, "address": {"Jalan Rahasia 9"}, "household": {"Bapak Rahasia Host"}})
		if code != 303 {
			t.Fatalf("create: %d", code)
		}
		placeURL, _, _ := strings.Cut(hdr.Get("Location"), "?")
		id := strings.TrimPrefix(placeURL, "/tempat/")
		_, body, _ = sup.get(placeURL)
		checkPage(t, "/tempat/{id}", body)
		if !strings.Contains(body, "diusulkan") || !strings.Contains(body, "Ibu Rahasia Host") {
			t.Fatalf("place page: %s", body)
		}
		form := url.Values{"csrf": {sup.csrf}}
		for _, it := range shelters.DefaultChecklist {
			if it.Auto == "" {
				form.Set("check_"+it.Key, "pass")
			}
		}
		form.Set("check_sleeping_space", "fail")
		if code, _, _ := sup.post(placeURL+"/periksa", form); code != 303 {
			t.Fatalf("checks: %d", code)
		}
		sup.get(placeURL) // a fresh CSRF token
		code, body, _ = sup.post(placeURL+"/status", url.Values{"csrf": {sup.csrf}, "to": {"verified"}, "reason": {"kunjungan"}})
		if code != 409 || !strings.Contains(body, "Ruang tidur terpisah") {
			t.Fatalf("verify with a failed item: %d", code)
		}
		form.Set("csrf", sup.csrf)
		form.Set("check_sleeping_space", "pass")
		sup.post(placeURL+"/periksa", form)
		for _, to := range []string{"verified", "active"} {
			sup.get(placeURL)
			if code, _, _ := sup.post(placeURL+"/status", url.Values{"csrf": {sup.csrf}, "to": {to}, "reason": {"kunjungan"}}); code != 303 {
				t.Fatalf("%s: %d", to, code)
			}
		}

		// Upkeep: a training, an incentive, a supervision visit; the ledger.
		sup.get(placeURL)
		today := time.Now().In(domain.WIB)
		day := func(d int) string { return today.AddDate(0, 0, d).Format("2006-01-02") }
		for _, f := range []struct {
			path string
			form url.Values
		}{
			{"/pelatihan", url.Values{"topic": {"Pertolongan pertama psikologis"}, "held_on": {day(-3)}}},
			{"/insentif", url.Values{"kind": {"goods"}, "amount": {"150.000"}, "given_on": {today.Format("2006-01-02")}, "basis": {"sembako"}}},
			{"/kunjungan", url.Values{"visited_on": {day(-1)}, "findings": {"Kamar anak bersih"}, "next_due": {day(60)}}},
		} {
			f.form.Set("csrf", sup.csrf)
			if code, body, _ := sup.post(placeURL+f.path, f.form); code != 303 {
				t.Fatalf("%s: %d %s", f.path, code, body)
			}
			sup.get(placeURL)
		}
		_, body, _ = sup.get(placeURL)
		for _, want := range []string{"Pertolongan pertama psikologis", "Rp150.000", "Kamar anak bersih", today.AddDate(0, 0, 60).Format("02-01-2006")} {
			if !strings.Contains(body, want) {
				t.Fatalf("place page lacks %q", want)
			}
		}
		checkPage(t, "/tempat/{id} with upkeep", body)
		code, body, _ = sup.get("/tempat/insentif?tahun=" + today.Format("2006"))
		if code != 200 || !strings.Contains(body, "Rp150.000") {
			t.Fatalf("ledger %d", code)
		}
		checkPage(t, "/tempat/insentif", body)

		// The caseworker places a child of a case they lead.
		c, err := w.srv.Cases.CreateCase(bg, access.System("test"), domain.NewCase{RegionCode: "61.07.01.2001", Priority: domain.PriorityHigh,
			Types: []domain.ViolenceType{domain.VPhysical}, Summary: "Kasus penempatan", Victims: []domain.Victim{{Name: "Anak Rahasia"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.srv.Cases.Reassign(bg, access.System("test"), c.ID, "", w.users["cw-a"].ID, "lead"); err != nil {
			t.Fatal(err)
		}
		full, _ := w.srv.Cases.GetCase(bg, access.System("test"), c.ID)
		cw := w.browser()
		cw.login("cw-a", pw)
		code, body, _ = cw.get("/kasus/" + c.ID + "?tab=layanan")
		if code != 200 || !strings.Contains(body, "Rumah Aman Sebalo 1") || !strings.Contains(body, "sisa 2 tempat") {
			t.Fatalf("case services tab %d lacks the place", code)
		}
		checkPage(t, "case tab layanan with stays", body)
		code, _, _ = cw.post("/kasus/"+c.ID+"/tempat-aman", url.Values{"csrf": {cw.csrf}, "place_id": {id}, "victim_id": {full.Victims[0].ID},
			"reason": {"pelaku tinggal serumah"}})
		if code != 303 {
			t.Fatalf("place: %d", code)
		}
		_, body, _ = cw.get("/kasus/" + c.ID + "?tab=layanan")
		m := regexp.MustCompile(`/tempat-aman/([0-9a-f-]+)/akhiri`).FindStringSubmatch(body)
		if m == nil || !strings.Contains(body, "tinggal di sana") {
			t.Fatalf("no running stay on the case page")
		}
		if code, _, _ := cw.post("/kasus/"+c.ID+"/tempat-aman/"+m[1]+"/akhiri", url.Values{"csrf": {cw.csrf}, "destination": {"kin"},
			"exit_reason": {"kembali ke nenek"}}); code != 303 {
			t.Fatalf("end: %d", code)
		}
		_, body, _ = cw.get("/kasus/" + c.ID + "?tab=layanan")
		if !strings.Contains(body, "selesai") || !strings.Contains(body, "kerabat") {
			t.Fatalf("ended stay not shown")
		}

		// A viewer (the regent) does not see where safe houses are.
		v := w.browser()
		v.login("viewer", pw)
		for _, path := range []string{"/tempat", placeURL} {
			if code, body, _ := v.get(path); code == 200 || strings.Contains(body, "Ibu Rahasia Host") || strings.Contains(body, "Jalan Rahasia") {
				t.Fatalf("viewer on %s: %d", path, code)
			}
		}
		// The figures: counted from the stays, for staff and the regent.
		for _, who := range []*browser{sup, v} {
			code, body, _ := who.get("/tempat/angka")
			if code != 200 || !strings.Contains(body, "Arus anak per tempat") || strings.Contains(body, "Ibu Rahasia Host") {
				t.Fatalf("/tempat/angka: %d", code)
			}
			checkPage(t, "/tempat/angka", body)
		}
		code, csv, hdr := sup.get("/tempat/angka.csv")
		if code != 200 || !strings.Contains(hdr.Get("Content-Disposition"), ".csv") || !strings.Contains(csv, "Rumah Aman Sebalo 1,") {
			t.Fatalf("figures CSV %d: %s", code, csv)
		}
		// The child placed and gone to relatives this year: one exit.
		if !strings.Contains(csv, "Rumah Aman Sebalo 1,Rumah aman berbasis komunitas,0,1,1,0") {
			t.Fatalf("population return row: %s", csv)
		}
		if code, _, _ := sup.get("/tempat/angka.xlsx"); code != 200 {
			t.Fatalf("figures XLSX %d", code)
		}
		p := w.browser()
		p.login("pkm", pw)
		if code, _, _ := p.get("/tempat"); code != 403 {
			t.Fatalf("provider opens the registry: %d", code)
		}
		anon := w.browser()
		if code, _, _ := anon.get(placeURL); code != 303 {
			t.Fatalf("without a session: %d", code)
		}
	})
}

// The checklist is edited as a new version: a row emptied is dropped, a
// new row added (required when ticked); lindu's own check stays automatic;
// a caseworker may not open the page.
func TestChecklistEditing(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	sup := w.browser()
	sup.login("sup", pw)
	code, body, _ := sup.get("/tempat/daftar-periksa")
	if code != 200 || !strings.Contains(body, "Versi 1") {
		t.Fatalf("checklist page %d", code)
	}
	checkPage(t, "/tempat/daftar-periksa", body)
	form := url.Values{"csrf": {sup.csrf}}
	for _, it := range shelters.DefaultChecklist {
		label := it.Label
		if it.Key == "room_photo" {
			label = "" // dropped
		}
		form.Add("key", it.Key)
		form.Add("label", label)
		if it.Required {
			form.Add("required", it.Key)
		}
	}
	n := len(shelters.DefaultChecklist)
	form.Add("key", "")
	form.Add("label", "Ada lampu di kamar anak")
	form.Add("required", "new-"+strconv.Itoa(n))
	if code, body, _ := sup.post("/tempat/daftar-periksa", form); code != 303 {
		t.Fatalf("save: %d %s", code, body)
	}
	c, err := shelters.New(w.st, w.srv.Cases).Checklist(bg)
	if err != nil || c.Version != 2 || len(c.Items) != n {
		t.Fatalf("version %d with %d items (%v)", c.Version, len(c.Items), err)
	}
	last := c.Items[len(c.Items)-1]
	if last.Label != "Ada lampu di kamar anak" || !last.Required {
		t.Fatalf("new item %+v", last)
	}
	for _, it := range c.Items {
		if it.Key == "room_photo" {
			t.Fatal("the emptied row stayed")
		}
		if it.Key == "no_perpetrator" && it.Auto != "no_perpetrator" {
			t.Fatal("lindu's own check lost its automation")
		}
	}
	cw := w.browser()
	cw.login("cw-a", pw)
	if code, _, _ := cw.get("/tempat/daftar-periksa"); code != 403 {
		t.Fatalf("caseworker: %d", code)
	}
}
