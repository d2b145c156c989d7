package server_test

import (
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/i18n"
	"lindu/internal/server"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

var tagRE = regexp.MustCompile(`<[^>]*>`)

// pageText is what a page says, without its markup.
func pageText(body string) string { return html.UnescapeString(tagRE.ReplaceAllString(body, " ")) }

// Issue 11's journey through the pages: a report verified with the child's
// details is completed in place (one victim), the place and date of the
// incident are set, a step-parent and two services are added; the timeline
// reads as sentences (no raw codes, no "system:routing"), with personal
// values only for those who handle the case; a second editor working from
// an old page gets the conflict and the form shows what is stored.
func TestCaseEditJourneyUI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		sys := access.System("test")
		if _, err := w.srv.Cases.CreateTeam(bg, sys, domain.Team{Name: "Satgas Desa", Kind: "village_taskforce", RegionCode: village}); err != nil {
			t.Fatal(err)
		}
		rep := reportByCode(t, w, fileReport(t, w, reportForm()))
		sup := w.loggedIn("sup")
		_, body, _ := sup.get("/laporan/" + rep.ID)
		checkPage(t, "report with the child's fields", body)
		code, _, h := sup.post("/laporan/"+rep.ID+"/verify", url.Values{"csrf": {sup.csrf}, "priority": {"medium"}, "types": {"sexual"},
			"kdrt": {"1"}, "name": {"Melati Rahasiakorban"}, "education": {"primary"}, "disabilities": {"hearing"}})
		m := caseLocRE.FindStringSubmatch(h.Get("Location"))
		if code != 303 || m == nil {
			t.Fatalf("verify: %d", code)
		}
		id := m[1]
		c, err := w.srv.Cases.GetCase(bg, sys, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Victims) != 1 || c.Victims[0].Name != "Melati Rahasiakorban" || c.Victims[0].Education != "primary" ||
			strings.Join(c.Victims[0].Disabilities, ",") != "hearing" || !c.KDRT || c.Victims[0].Age == nil || *c.Victims[0].Age != 7 {
			t.Fatalf("verified case: kdrt=%v %+v", c.KDRT, c.Victims)
		}
		vid := c.Victims[0].ID
		for _, tab := range []string{"ringkasan", "orang", "layanan", "linimasa"} {
			_, body, _ := sup.get("/kasus/" + id + "?tab=" + tab)
			checkPage(t, "case tab "+tab, body)
		}
		post := func(path string, v url.Values) {
			t.Helper()
			c, _ := w.srv.Cases.GetCase(bg, sys, id)
			v.Set("csrf", sup.csrf)
			v.Set("version", fmt.Sprint(c.Version))
			if code, body, _ := sup.post("/kasus/"+id+path, v); code != 303 {
				t.Fatalf("POST %s: %d %s", path, code, pageText(body)[:300])
			}
		}
		post("/korban/"+vid+"/ubah", url.Values{"name": {"Melati Sari Rahasiakorban"}, "sex": {"P"}, "age": {"9"}, "education": {"junior"},
			"occupation": {"student"}, "marital_status": {"unmarried"}, "place": {"household"}, "disabilities": {"hearing"}, "types": {"sexual"}})
		post("/ubah", url.Values{"region_code": {village}, "priority": {"medium"}, "types": {"sexual"}, "kdrt": {"1"}, "summary": {secretStory},
			"place": {"household"}, "incident_date": {"2026-01-15"}})
		post("/pelaku", url.Values{"name": {"Budi"}, "sex": {"L"}, "age": {"40"}, "relation": {"step_parent"}, "education": {"senior"},
			"occupation": {"labourer"}})
		post("/layanan", url.Values{"type": {"health"}, "provider": {"Puskesmas"}, "given_on": {"2026-01-16"}, "victim_id": {vid}})
		post("/layanan", url.Values{"type": {"legal_aid"}, "provider": {"LBH"}, "given_on": {"2026-01-17"}, "ended_on": {"2026-01-20"},
			"outcome": {"Didampingi"}})
		c, _ = w.srv.Cases.GetCase(bg, sys, id)
		if len(c.Victims) != 1 || c.Victims[0].Name != "Melati Sari Rahasiakorban" || c.Victims[0].Sex != domain.SexFemale || c.Victims[0].Education != "junior" || c.Place != "household" ||
			c.IncidentDate != "2026-01-15" || len(c.Perpetrators) != 1 || c.Perpetrators[0].Relation != "step_parent" ||
			c.Perpetrators[0].Education != "senior" || len(c.Services) != 2 || c.Services[1].EndedOn != "2026-01-20" || c.Summary != secretStory {
			t.Fatalf("after the forms: %+v", c)
		}

		// The timeline in sentences.
		tr := func(key string) string { return i18n.T("id", key) }
		_, body, _ = sup.get("/kasus/" + id + "?tab=linimasa")
		text := pageText(body)
		for _, raw := range []string{"service:", "victim:", "perpetrator:", "system:routing", "system:test"} {
			if strings.Contains(text, raw) {
				t.Errorf("timeline shows %q", raw)
			}
		}
		for _, want := range []string{"pendidikan: " + tr("edu.primary") + " → " + tr("edu.junior"), "mencatat layanan " + tr("svc.health"),
			"tanggal kejadian: — → 15-01-2026", "nama: Melati Rahasiakorban → Melati Sari Rahasiakorban", "Rahasia Supervisor", "Sistem (penugasan otomatis)", "pada korban 1"} {
			if !strings.Contains(text, want) {
				t.Errorf("timeline lacks %q", want)
			}
		}

		// A caseworker of the village who does not handle the case reads
		// which fields changed, coded values, no name.
		cw := w.loggedIn("cw-a")
		code, body, _ = cw.get("/kasus/" + id + "?tab=linimasa")
		text = pageText(body)
		if code != 200 || !strings.Contains(text, "nama diubah (data pribadi)") || !strings.Contains(text, tr("edu.junior")) {
			t.Fatalf("masked timeline: %d %s", code, text)
		}
		noSecrets(t, "masked timeline", body)
		if strings.Contains(body, "Melati") || strings.Contains(body, `action="/kasus/`+id+`/ubah"`) {
			t.Errorf("masked reader sees the name or the edit form")
		}

		// Two editors from the same page: the second gets the conflict and
		// the form with the stored value; nothing is overwritten.
		admin := w.loggedIn("reg-admin")
		c, _ = w.srv.Cases.GetCase(bg, sys, id)
		form := func(b *browser, legal string) url.Values {
			return url.Values{"csrf": {b.csrf}, "version": {fmt.Sprint(c.Version)}, "region_code": {village}, "priority": {"medium"},
				"types": {"sexual"}, "kdrt": {"1"}, "summary": {secretStory}, "place": {"household"}, "incident_date": {"2026-01-15"},
				"legal_basis": {legal}}
		}
		if code, _, _ := sup.post("/kasus/"+id+"/ubah", form(sup, "UU 35/2014")); code != 303 {
			t.Fatalf("first editor: %d", code)
		}
		code, body, _ = admin.post("/kasus/"+id+"/ubah", form(admin, "UU 17/2016"))
		if code != 409 || !strings.Contains(body, "Kasus ini sudah diubah oleh orang lain sejak Anda membukanya") ||
			!strings.Contains(body, `value="UU 35/2014"`) || strings.Contains(body, "UU 17/2016") {
			t.Fatalf("second editor: %d %s", code, pageText(body))
		}
		checkPage(t, "conflict page", body)
		if c2, _ := w.srv.Cases.GetCase(bg, sys, id); c2.LegalBasis != "UU 35/2014" || c2.Version != c.Version+1 {
			t.Fatalf("after the conflict: %q v%d", c2.LegalBasis, c2.Version)
		}
	})
}
