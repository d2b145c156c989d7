package server_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/audits"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/media/mediatest"
	"lindu/internal/server"
	"lindu/internal/store"
	"lindu/internal/store/storetest"

	"github.com/chromedp/chromedp"
)

// A children's forum audit as its users meet it, on both databases: the
// facilitator registers a playground, plans an audit with a team of first
// names, answers every item on the form (a draft first), submits it; the
// result and the report show the score, the predicate and the children's
// view; the playground's agency sees the finding on /tindak-lanjut and
// answers it; another agency's operator sees nothing; other staff read the
// results without the children's names or notes.
func TestAuditJourney(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		sys := access.System("test")
		if err := kla.UpsertAgencies(bg, w.st, sys, []domain.KLAAgency{{Code: "dlh", Name: "Dinas Lingkungan Hidup", Kind: "opd"},
			{Code: "dinkes", Name: "Dinas Kesehatan", Kind: "opd"}}); err != nil {
			t.Fatal(err)
		}
		w.addUser("fasil", domain.RoleFacilitator, "61.07")
		for name, ag := range map[string]string{"opd-dlh": "dlh", "opd-dinkes": "dinkes"} {
			u := w.addUser(name, domain.RoleOPDOperator, "61.07")
			if err := kla.SetUserAgency(bg, w.st, sys, u.ID, ag); err != nil {
				t.Fatal(err)
			}
		}
		f := w.browser()
		f.login("fasil", pw)
		code, body, _ := f.get("/audit-anak")
		if code != 200 {
			t.Fatalf("/audit %d", code)
		}
		checkPage(t, "/audit-anak", body)
		if code, _, _ := f.post("/audit-anak/fasilitas", url.Values{"csrf": {f.csrf}, "kind": {"rbra"}, "name": {"Taman Alun-Alun Bengkayang"},
			"region_code": {"61.07"}, "agency": {"dlh"}}); code != 303 {
			t.Fatalf("facility: %d", code)
		}
		_, body, _ = f.get("/audit-anak")
		fid := regexp.MustCompile(`name="facility_id"[^>]*>\s*<option value="([^"]+)"`).FindStringSubmatch(body)
		if fid == nil {
			fid = regexp.MustCompile(`<option value="([0-9a-f-]{36})"`).FindStringSubmatch(body)
		}
		if fid == nil {
			t.Fatalf("no facility to plan")
		}
		code, _, hdr := f.post("/audit-anak/rencana", url.Values{"csrf": {f.csrf}, "facility_id": {fid[1]}, "planned_on": {"2026-11-20"},
			"forum": {"Forum Anak Bengkayang"}, "team": {"Ayu, 12\nBudi, 14"}})
		if code != 303 {
			t.Fatalf("plan: %d", code)
		}
		auditURL, _, _ := strings.Cut(hdr.Get("Location"), "?")
		_, body, _ = f.get(auditURL)
		checkPage(t, "/audit/{id}", body)
		form := url.Values{"csrf": {f.csrf}}
		tpl := audits.DefaultTemplate(domain.FacilityRBRA)
		for _, sec := range tpl.Sections {
			for _, it := range sec.Items {
				form.Set("a_"+it.Key, "yes")
				form.Set("c_"+it.Key, "4")
			}
		}
		form.Set("a_toilet_bersih", "no")
		form.Set("c_toilet_bersih", "1")
		form.Set("n_toilet_bersih", "Toilet kotor dan tidak ada air")
		if code, _, _ := f.post(auditURL+"/jawaban", form); code != 303 {
			t.Fatalf("draft: %d", code)
		}
		// A photo of the dirty toilet, taken with the phone's GPS on: kept
		// without its metadata. A PDF as a photo is refused and changes
		// nothing.
		fields := map[string]string{}
		for k := range form {
			fields[k] = form.Get(k)
		}
		if code, body := f.postMultipart(auditURL+"/jawaban", fields, "p_toilet_bersih", "toilet.jpg", mediatest.GPSJPEG()); code != 303 {
			t.Fatalf("photo: %d %s", code, body)
		}
		fields["n_toilet_bersih"] = "diubah"
		if code, body := f.postMultipart(auditURL+"/jawaban", fields, "p_toilet_bersih", "toilet.pdf", mediatest.PDF("x")); code != 422 ||
			!strings.Contains(body, "JPEG, PNG atau WebP") {
			t.Fatalf("a PDF as a photo: %d", code)
		}
		_, body, _ = f.get(auditURL)
		if strings.Contains(body, "diubah") {
			t.Fatal("a refused photo saved the form")
		}
		checkPage(t, "/audit/{id} with a photo", body)
		photo := regexp.MustCompile(`src="(/audit-anak/[0-9a-f-]+/foto/[0-9a-f-]+)"`).FindStringSubmatch(body)
		if photo == nil {
			t.Fatal("the photo is not on the form")
		}
		code, img, hdr := f.get(photo[1])
		if code != 200 || hdr.Get("Content-Type") != "image/jpeg" || !strings.HasPrefix(img, "\xff\xd8") ||
			strings.Contains(img, string(mediatest.GPS)) || strings.Contains(img, mediatest.XMPText) {
			t.Fatalf("the served photo: %d %s", code, hdr.Get("Content-Type"))
		}
		f.get(auditURL)
		form.Set("csrf", f.csrf)
		form.Set("submit", "1")
		if code, body, _ := f.post(auditURL+"/jawaban", form); code != 303 {
			t.Fatalf("submit: %d %s", code, body)
		}
		_, body, _ = f.get(auditURL)
		if !strings.Contains(body, `id="predicate"`) || !strings.Contains(body, "Toilet bersih") || !strings.Contains(body, "Dinas") && !strings.Contains(body, "dlh") {
			t.Fatalf("result page: %s", body)
		}
		code, body, _ = f.get(auditURL + "/laporan")
		if code != 200 || !strings.Contains(body, "Laporan audit Forum Anak") || !strings.Contains(body, "Ayu") || strings.Contains(body, "Lestari") {
			t.Fatalf("report %d", code)
		}
		checkPage(t, "/audit/{id}/laporan", body)
		// The agency answers; another agency sees nothing.
		o := w.browser()
		o.login("opd-dlh", pw)
		code, body, _ = o.get("/tindak-lanjut")
		if code != 200 || !strings.Contains(body, "Toilet bersih") {
			t.Fatalf("agency actions %d", code)
		}
		checkPage(t, "/tindak-lanjut", body)
		aid := regexp.MustCompile(`/tindak-lanjut/([0-9a-f-]+)/jawab`).FindStringSubmatch(body)
		if aid == nil {
			t.Fatal("no answer form")
		}
		if code, _, _ := o.post("/tindak-lanjut/"+aid[1]+"/jawab", url.Values{"csrf": {o.csrf}, "response": {"Toilet diperbaiki dan diberi air"}}); code != 303 {
			t.Fatalf("respond: %d", code)
		}
		other := w.browser()
		other.login("opd-dinkes", pw)
		if _, body, _ := other.get("/tindak-lanjut"); strings.Contains(body, "Toilet bersih") {
			t.Fatal("another agency sees the action")
		}
		if code, _, _ := other.post("/tindak-lanjut/"+aid[1]+"/jawab", url.Values{"csrf": {other.csrf}, "response": {"x"}}); code != 404 {
			t.Fatalf("another agency answered: %d", code)
		}
		// Staff with the dashboard read the results, never the children's
		// names or notes, and have no forms; the actions are the agencies'.
		cw := w.browser()
		cw.login("viewer", pw)
		for _, p := range []string{"/audit-anak", auditURL, auditURL + "/laporan"} {
			code, body, _ := cw.get(p)
			if code != 200 || strings.Contains(body, "Ayu") || strings.Contains(body, "tidak ada air") || strings.Contains(body, `id="plan-audit"`) {
				t.Fatalf("the regent on %s: %d", p, code)
			}
		}
		// The export: both tables, results and the agency's answer, no child.
		code, body, _ = f.get("/audit-anak/ekspor.csv")
		if code != 200 || !strings.Contains(body, "Toilet bersih") || !strings.Contains(body, "Toilet diperbaiki dan diberi air") ||
			strings.Contains(body, "Ayu") || strings.Contains(body, "tidak ada air") {
			t.Fatalf("the export: %d %s", code, body)
		}
		if code, body, _ := cw.get("/audit-anak/ekspor.csv"); code != 200 || !strings.Contains(body, "Utama") && !strings.Contains(body, "memenuhi") || strings.Contains(body, "Ayu") {
			t.Fatalf("the regent's export: %d %s", code, body)
		}
		if code, body, _ := cw.get("/audit-anak/ekspor.xlsx"); code != 200 || !strings.HasPrefix(body, "PK") {
			t.Fatalf("the xlsx export: %d", code)
		}
		if code, _, _ := cw.get(photo[1]); code != 404 {
			t.Fatalf("the regent opened a photo: %d", code)
		}
		if _, body, _ := cw.get(auditURL); strings.Contains(body, "/foto/") {
			t.Fatal("the regent sees the photos")
		}
		code, body, _ = cw.get("/beranda")
		if code != 200 || !strings.Contains(body, `id="audit-agencies"`) || !strings.Contains(body, "Dinas Lingkungan Hidup") || strings.Contains(body, "Toilet") {
			t.Fatalf("the regent's home: %d", code)
		}
		if code, _, _ := cw.get("/tindak-lanjut"); code != 403 {
			t.Fatalf("the regent on /tindak-lanjut: %d", code)
		}
	})
}

// On a 390 px phone in Chromium: the audits page and the answering form
// fit and pass the accessibility checks; the report of an audit of a
// 100-item template with 25 findings prints on at most two A4 pages.
func TestBrowserAudit(t *testing.T) {
	t.Parallel()
	execPath := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), browserBudget)
	defer cancel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	sys := access.System("test")
	w.addUser("fasil", domain.RoleFacilitator, "61.07")
	au := audits.New(w.st)
	var items []domain.AuditItem
	for i := 1; i <= 100; i++ {
		items = append(items, domain.AuditItem{Key: fmt.Sprintf("b%03d", i), Label: fmt.Sprintf("Butir pemeriksaan nomor %d tentang keamanan dan kebersihan ruang bermain", i),
			Type: domain.AnswerYesNo, Points: 10, Weight: 1, Mandatory: i%20 == 0})
	}
	var sections []domain.AuditSection
	for s := 0; s < 10; s++ {
		sections = append(sections, domain.AuditSection{Key: fmt.Sprintf("s%d", s), Label: fmt.Sprintf("Bagian %d", s+1), Items: items[s*10 : s*10+10]})
	}
	if _, err := au.SaveTemplate(bg, sys, domain.AuditTemplate{Kind: domain.FacilityRBRA, Title: "RBRA 100 butir", Failed: "belum memenuhi",
		Bands: []domain.PredicateBand{{MinPercent: 60, Label: "Pratama"}}, Sections: sections}); err != nil {
		t.Fatal(err)
	}
	f, err := au.CreateFacility(bg, sys, domain.Facility{Kind: domain.FacilityRBRA, Name: "Taman Bermain Kecamatan Sungai Raya Kepulauan", RegionCode: "61.07", Agency: "dlh"})
	if err != nil {
		t.Fatal(err)
	}
	team := []audits.TeamMember{{FirstName: "Ayu", Age: 12, Forum: "Forum Anak Bengkayang"}, {FirstName: "Budi", Age: 14, Forum: "Forum Anak Bengkayang"}}
	done, err := au.PlanAudit(bg, sys, f.ID, "2026-11-20", team, "")
	if err != nil {
		t.Fatal(err)
	}
	var answers []audits.Answer
	for i, it := range items {
		y := i%4 != 0
		answers = append(answers, audits.Answer{AuditAnswer: domain.AuditAnswer{Item: it.Key, Yes: &y}, ChildRating: 1 + i%5})
	}
	if err := au.SaveAnswers(bg, sys, done.ID, answers); err != nil {
		t.Fatal(err)
	}
	if _, err := au.Submit(bg, sys, done.ID); err != nil {
		t.Fatal(err)
	}
	draft, err := au.PlanAudit(bg, sys, f.ID, "2026-12-01", team, done.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := au.AddPhoto(bg, sys, draft.ID, "b001", mediatest.GPSJPEG()); err != nil {
		t.Fatal(err)
	}
	c := newChrome(t, ctx, execPath)
	c.loginOnPhone(w.ts.URL, "fasil", pw)
	c.do("open the audits", chromedp.Navigate(w.ts.URL+"/audit-anak"))
	c.fits("children's audits")
	c.do("open the answering form", chromedp.Navigate(w.ts.URL+"/audit-anak/"+draft.ID))
	c.fits("audit answering form")
	c.do("open the result", chromedp.Navigate(w.ts.URL+"/audit-anak/"+done.ID))
	c.fits("audit result")
	c.do("read the checklist", chromedp.Navigate(w.ts.URL+"/templat-audit/rbra"))
	c.fits("checklist (read-only)")
	a := newChrome(t, ctx, execPath)
	a.loginOnPhone(w.ts.URL, "reg-admin", pw)
	a.do("open the checklist editor", chromedp.Navigate(w.ts.URL+"/templat-audit/rbra"))
	a.fits("checklist editor")
	c.do("open the report", chromedp.Navigate(w.ts.URL+"/audit-anak/"+done.ID+"/laporan"))
	c.fits("audit report")
	pdf, err := chromedp.Run(c.ctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize()))
	c.must("print to PDF", err)
	checkA4(t, "the audit report", pdf)
	if pages := len(pdfPageRE.FindAll(pdf, -1)); pages > 2 {
		t.Errorf("the report of a 100-item audit printed %d pages, want at most 2", pages)
	}
}
