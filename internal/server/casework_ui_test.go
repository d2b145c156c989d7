package server_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/shelters"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// Issue 12's journey through the pages, as a caseworker and a supervisor:
// the child is reached, the caseworker assesses the case, writes a plan of
// three actions and submits it; the supervisor approves it from the
// approvals page; the caseworker completes an action, schedules a visit and
// records it with the next one; asks for closure, which the supervisor
// returns with a comment the caseworker reads; asks again and the
// supervisor approves: the case is closed. A caseworker of the region who
// does not handle the case sees the plan tab masked.
func TestCaseworkJourneyUI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCapiWorld(t, d)
		id := w.a.cs.ID
		lead, sup := w.loggedIn("cw-lead"), w.loggedIn("sup")
		post := func(b *browser, path string, v url.Values, want int) string {
			t.Helper()
			v.Set("csrf", b.csrf)
			code, body, _ := b.post(path, v)
			if code != want {
				txt := pageText(body)
				t.Fatalf("POST %s: %d, want %d: %.400s", path, code, want, txt)
			}
			return body
		}
		page := func(b *browser, path, where string) string {
			t.Helper()
			code, body, _ := b.get(path)
			if code != 200 {
				t.Fatalf("%s: %d", where, code)
			}
			checkPage(t, where, body)
			return body
		}
		post(lead, "/kasus/"+id+"/status", url.Values{"to": {"responded"}}, 303)
		page(lead, "/kasus/"+id+"?tab=rencana", "empty plan tab")
		today := time.Now().In(domain.ZoneFor(w.a.cs.RegionCode)).Format("2006-01-02")
		due := time.Now().AddDate(0, 0, 10).Format("2006-01-02")

		// Bad input comes back with the message by the field, nothing stored.
		body := post(lead, "/kasus/"+id+"/asesmen", url.Values{"assessed_on": {today}, "risk": {""}}, 422)
		if !strings.Contains(body, `id="as-risk-err"`) && !strings.Contains(pageText(body), "tingkat risiko") {
			t.Errorf("missing risk error: %.300s", pageText(body))
		}
		post(lead, "/kasus/"+id+"/asesmen", url.Values{"assessed_on": {today}, "risk": {"high"}, "need_safety": {"urgent"},
			"note_safety": {"RAHASIA-CATATAN ayah tiri serumah"}, "need_health": {"some"}}, 303)
		for _, dom := range []string{"safety", "health", "legal"} {
			v := url.Values{"domain": {dom}, "goal": {"Tujuan " + dom}, "action": {"Tindakan " + dom}, "due_on": {due}}
			if dom == "safety" {
				v.Set("responsible_user_id", w.users["cw-lead"].ID)
			} else {
				v.Set("responsible_org", "Puskesmas Sungai Raya")
			}
			post(lead, "/kasus/"+id+"/rencana/tindakan", v, 303)
		}
		post(lead, "/kasus/"+id+"/rencana/ajukan", url.Values{"note": {"Mohon persetujuan"}}, 303)
		body = page(lead, "/kasus/"+id+"?tab=rencana", "plan tab, submitted")
		if !strings.Contains(body, "Menunggu persetujuan") || !strings.Contains(body, "Tindakan legal") {
			t.Errorf("submitted plan page: %.600s", pageText(body))
		}

		// The supervisor sees it in the inbox chip and on the approvals page.
		body = page(sup, "/kasus", "supervisor inbox")
		if !strings.Contains(body, `id="chip-approvals"`) {
			t.Error("no approvals chip in the supervisor's inbox")
		}
		body = page(sup, "/kasus/persetujuan", "approvals page")
		pending, err := w.srv.Cases.ListApprovals(bg, capiSys, cases.ApprovalFilter{Status: domain.ApprovalPending})
		if err != nil || len(pending) != 1 || !strings.Contains(body, pending[0].ID) {
			t.Fatalf("pending approvals: %v %v", pending, err)
		}
		post(sup, "/persetujuan/"+pending[0].ID+"/putuskan", url.Values{"decision": {"approve"}}, 303)

		cw, _ := w.srv.Cases.GetCasework(bg, capiSys, id)
		if cw.Plan == nil || cw.Plan.Status != domain.PlanApproved || len(cw.Plan.Actions) != 3 {
			t.Fatalf("plan after approval: %+v", cw.Plan)
		}
		post(lead, "/kasus/"+id+"/rencana/tindakan/"+cw.Plan.Actions[0].ID+"/status", url.Values{"to": {"done"}, "note": {"Anak di rumah nenek"}}, 303)
		post(lead, "/kasus/"+id+"/kunjungan", url.Values{"planned_on": {today}, "action_id": {cw.Plan.Actions[1].ID}}, 303)
		cw, _ = w.srv.Cases.GetCasework(bg, capiSys, id)
		post(lead, "/kasus/"+id+"/kunjungan/"+cw.Visits[0].ID+"/catat", url.Values{"status": {"done"}, "visited_on": {today},
			"outcome": {"RAHASIA-HASIL anak sehat"}, "next_on": {due}}, 303)

		// Closure: asked, returned with a comment, asked again, approved.
		post(lead, "/kasus/"+id+"/ajukan-penutupan", url.Values{"note": {"Anak aman"}}, 303)
		pending, _ = w.srv.Cases.ListApprovals(bg, capiSys, cases.ApprovalFilter{Status: domain.ApprovalPending})
		body = page(sup, "/kasus/"+id, "case page with a pending closure")
		if !strings.Contains(body, `id="return-closure"`) {
			t.Fatal("supervisor has no decision form on the case page")
		}
		post(sup, "/persetujuan/"+pending[0].ID+"/putuskan", url.Values{"decision": {"return"}, "case": {id}}, 422)
		post(sup, "/persetujuan/"+pending[0].ID+"/putuskan", url.Values{"decision": {"return"}, "case": {id},
			"comment": {"Kunjungan berikutnya belum dilakukan"}}, 303)
		body = page(lead, "/kasus/"+id+"?tab=rencana", "plan tab after the return")
		if !strings.Contains(body, "Kunjungan berikutnya belum dilakukan") {
			t.Error("the caseworker does not see the supervisor's comment")
		}
		post(lead, "/kasus/"+id+"/ajukan-penutupan", url.Values{"note": {"Kunjungan sudah dilakukan"}}, 303)
		pending, _ = w.srv.Cases.ListApprovals(bg, capiSys, cases.ApprovalFilter{Status: domain.ApprovalPending})
		post(sup, "/persetujuan/"+pending[0].ID+"/putuskan", url.Values{"decision": {"approve"}}, 303)
		c, _ := w.srv.Cases.GetCase(bg, capiSys, id)
		if c.Status != domain.StatusClosed {
			t.Fatalf("case after approved closure: %s", c.Status)
		}
		body = page(lead, "/kasus/"+id+"?tab=linimasa", "timeline")
		for _, s := range []string{"mencatat asesmen ke-1", "menyetujui rencana penanganan", "mengembalikan pengajuan penutupan", "menyetujui penutupan kasus"} {
			if !strings.Contains(body, s) {
				t.Errorf("timeline lacks %q", s)
			}
		}
		// The printed case file carries the assessment, the plan and the visits.
		body = page(lead, "/kasus/"+id+"/cetak", "case file")
		for _, s := range []string{"Tindakan safety", "Tujuan legal", "RAHASIA-CATATAN ayah tiri serumah", "RAHASIA-HASIL anak sehat", "Tinggi"} {
			if !strings.Contains(pageText(body), s) {
				t.Errorf("the case file lacks %q", s)
			}
		}
		// Closed: the caseworker may ask to reopen it.
		body = page(lead, "/kasus/"+id, "closed case")
		if !strings.Contains(body, `id="request-reopen"`) {
			t.Error("no reopen request form for the caseworker who handled the case")
		}
		// A caseworker of the region who does not handle it: masked, no forms.
		other := w.loggedIn("cw-a")
		code, body, _ := other.get("/kasus/" + id + "?tab=rencana")
		if code == 200 {
			if strings.Contains(body, "RAHASIA-") || strings.Contains(body, `id="add-action"`) {
				t.Error("a caseworker who does not handle the case sees casework details or forms")
			}
		}
	})
}

// The plan tab and the approvals page on a 390 px phone: nothing scrolls
// sideways, the accessibility checks pass, and a caseworker adds an action
// through the form.
func TestBrowserCasework(t *testing.T) {
	t.Parallel()
	execPath := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), browserBudget)
	defer cancel()
	w := newCapiWorld(t, store.SQLite)
	id := w.a.cs.ID
	due := time.Now().AddDate(0, 0, 10)
	if _, err := w.srv.Cases.Transition(bg, capiSys, id, domain.Transition{To: domain.StatusResponded}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.Cases.AddAssessment(bg, capiSys, id, domain.NewAssessment{AssessedOn: time.Now().Format("2006-01-02"), Risk: domain.RiskHigh,
		Needs: []domain.AssessmentNeed{{Domain: "safety", Level: "urgent", Note: "Pelaku masih tinggal serumah dengan anak dan ibunya"}}}); err != nil {
		t.Fatal(err)
	}
	c := newChrome(t, ctx, execPath)
	c.loginOnPhone(w.ts.URL, "cw-lead", pw)
	c.do("open the plan tab", chromedp.Navigate(w.ts.URL+"/kasus/"+id+"?tab=rencana"))
	c.fits("plan tab")
	c.do("open the action form", chromedp.Click(chromedp.CSS(`#add-action summary`)), chromedp.WaitVisible(chromedp.ID("pa-goal")))
	c.fits("action form")
	c.do("fill the action", chromedp.SetValue(chromedp.ID("pa-domain"), "health"),
		chromedp.SendKeys(chromedp.ID("pa-goal"), "Kesehatan anak diperiksa"),
		chromedp.SendKeys(chromedp.ID("pa-action"), "Dampingi anak ke puskesmas"),
		chromedp.SendKeys(chromedp.ID("pa-org"), "Puskesmas Sungai Raya"),
		chromedp.SetValue(chromedp.ID("pa-due"), due.Format("2006-01-02")))
	c.navigateVia("add the action", chromedp.Click(chromedp.ID("add-plan-action")))
	if s := c.text("#plan-actions"); !strings.Contains(s, "Dampingi anak ke puskesmas") || !strings.Contains(s, "Kesehatan") {
		t.Errorf("the plan reads %q", s)
	}
	c.fits("plan tab with an action")
	c.navigateVia("submit the plan", chromedp.Click(chromedp.ID("submit-plan")))
	c.fits("case page after submitting")
	c2 := newChrome(t, ctx, execPath)
	c2.loginOnPhone(w.ts.URL, "sup", pw)
	c2.do("open the approvals", chromedp.Navigate(w.ts.URL+"/kasus/persetujuan"))
	c2.fits("approvals page")
	if s := c2.text("main"); !strings.Contains(s, "Rencana penanganan") {
		t.Errorf("the approvals page reads %q", s)
	}
}

// The referral, provider, provider-inbox, case-load and transfer pages on a
// 390 px phone for the roles that use them: nothing scrolls sideways and
// the accessibility checks pass; a worker sends a referral through the
// form and the provider accepts it on its page.
func TestBrowserReferralsAndCaseLoad(t *testing.T) {
	t.Parallel()
	execPath := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), browserBudget)
	defer cancel()
	w := newCapiWorld(t, store.SQLite)
	id := w.a.cs.ID
	if _, err := w.srv.Cases.Transition(bg, capiSys, id, domain.Transition{To: domain.StatusResponded}); err != nil {
		t.Fatal(err)
	}
	p, err := w.srv.Cases.SaveProvider(bg, capiSys, domain.Provider{RegionCode: "61.07", Name: "Puskesmas Sungai Raya Kecamatan Bengkayang Utara",
		Kind: "health", Services: []string{"health", "psychosocial"}, Contact: "dr. Lestari", Phone: "+6281200007777"})
	if err != nil {
		t.Fatal(err)
	}
	pu, err := w.st.CreateUser(bg, capiSys, domain.NewUser{Username: "pkm", Role: domain.RoleProvider, RegionCode: "61.07", Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.srv.Cases.LinkProviderAccount(bg, capiSys, pu.ID, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.Cases.RecordConsent(bg, w.scopeOf("cw-lead"), id, domain.NewConsent{Basis: domain.BasisGuardian, GivenBy: "Ibu Siti",
		Relation: "mother", GivenOn: time.Now().In(domain.WIB).Format("2006-01-02")}); err != nil {
		t.Fatal(err)
	}
	c := newChrome(t, ctx, execPath)
	c.loginOnPhone(w.ts.URL, "cw-lead", pw)
	c.do("open the services tab", chromedp.Navigate(w.ts.URL+"/kasus/"+id+"?tab=layanan"))
	c.fits("services tab with referrals and consent")
	c.do("fill the referral", chromedp.SetValue(chromedp.ID("rf-provider"), p.ID), chromedp.SetValue(chromedp.ID("rf-service"), "health"),
		chromedp.SendKeys(chromedp.ID("rf-reason"), "Pemeriksaan luka di lengan"))
	c.navigateVia("send the referral", chromedp.Click(chromedp.ID("send-referral")))
	if s := c.text("#referrals"); !strings.Contains(s, "Puskesmas Sungai Raya") || !strings.Contains(s, "menunggu jawaban") {
		t.Errorf("the referrals read %q", s)
	}
	c.fits("services tab after the referral")
	c.do("open the transfers page", chromedp.Navigate(w.ts.URL+"/kasus/pindahan"))
	c.fits("transfers page")
	c.do("open the providers page", chromedp.Navigate(w.ts.URL+"/penyedia"))
	c.fits("providers page")

	pk := newChrome(t, ctx, execPath)
	pk.loginOnPhone(w.ts.URL, "pkm", pw)
	pk.do("open the provider's referrals", chromedp.Navigate(w.ts.URL+"/rujukan"))
	pk.fits("provider inbox")
	if s := pk.text("main"); !strings.Contains(s, "Pemeriksaan luka di lengan") || strings.Contains(s, "RAHASIA") {
		t.Errorf("the provider inbox reads %q", s)
	}
	pk.navigateVia("accept", chromedp.Click(chromedp.CSS(`button[value="accepted"]`)))
	if s := pk.text("main"); !strings.Contains(s, "diterima") {
		t.Errorf("after accepting the provider inbox reads %q", s)
	}

	s := newChrome(t, ctx, execPath)
	s.loginOnPhone(w.ts.URL, "sup", pw)
	s.do("open the case load", chromedp.Navigate(w.ts.URL+"/kasus/beban"))
	s.fits("case load page")
	if txt := s.text("#caseload-workers"); !strings.Contains(txt, "cw-lead") {
		t.Errorf("the case load reads %q", txt)
	}
	s.do("open the teams page", chromedp.Navigate(w.ts.URL+"/tim#casework-rules"))
	s.fits("teams page with the casework rules")
}

// Safe places on a 390 px phone in Chromium: the registry, a place with its
// checklist and upkeep, the figures and the ledger fit the screen and pass
// the accessibility checks; the caseworker places a child from the case's
// services tab.
func TestBrowserSafePlaces(t *testing.T) {
	t.Parallel()
	execPath := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), browserBudget)
	defer cancel()
	w := newCapiWorld(t, store.SQLite)
	id := w.a.cs.ID
	sh := shelters.New(w.st, w.srv.Cases)
	p, err := sh.CreatePlace(bg, capiSys, domain.NewPlace{Kind: domain.PlaceSafeHouse, Name: "Rumah Aman Sungai Raya Kepulauan Nomor Satu",
		RegionCode: "61.07", Owner: domain.OwnerCommunity, Capacity: 2, HostName: "Ibu Maria Goreti Anastasia", HostPhone: "081255550123",
		Address: "Jalan Raya Sungai Raya Kepulauan RT 002 RW 003, di belakang gereja"})
	if err != nil {
		t.Fatal(err)
	}
	var answers []domain.CheckResult
	for _, it := range shelters.DefaultChecklist {
		answers = append(answers, domain.CheckResult{Item: it.Key, Result: domain.CheckPass})
	}
	if _, err := sh.RecordChecks(bg, capiSys, p.ID, answers); err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{domain.PlaceVerified, domain.PlaceActive} {
		if err := sh.MovePlace(bg, capiSys, p.ID, to, "kunjungan", 0); err != nil {
			t.Fatal(err)
		}
	}
	s := newChrome(t, ctx, execPath)
	s.loginOnPhone(w.ts.URL, "sup", pw)
	for _, pg := range []struct{ what, path string }{{"places registry", "/tempat"}, {"a safe house", "/tempat/" + p.ID},
		{"safe places figures", "/tempat/angka"}, {"incentive ledger", "/tempat/insentif"}} {
		s.do("open "+pg.what, chromedp.Navigate(w.ts.URL+pg.path))
		s.fits(pg.what)
	}
	c := newChrome(t, ctx, execPath)
	c.loginOnPhone(w.ts.URL, "cw-lead", pw)
	c.do("open the services tab", chromedp.Navigate(w.ts.URL+"/kasus/"+id+"?tab=layanan#penempatan"))
	c.fits("services tab with placements")
	c.do("fill the placement", chromedp.SetValue(chromedp.ID("st-place"), p.ID),
		chromedp.SendKeys(chromedp.ID("st-reason"), "Pelaku tinggal serumah dengan anak"))
	c.navigateVia("place the child", chromedp.Click(chromedp.ID("stay-submit")))
	if txt := c.text("#stays"); !strings.Contains(txt, "Rumah Aman Sungai Raya") || !strings.Contains(txt, "tinggal di sana") {
		t.Errorf("the placements read %q", txt)
	}
	c.fits("services tab after the placement")
}
