package server_test

// End-to-end tests of the report and case pages: the public report form
// and its abuse protection, the status page, triage, the case page and
// its quick actions, the inbox filters, teams, notifications, and access
// by role and region.

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/server"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

const (
	village      = "61.07.01.2001"
	secretStory  = "Anak Rahasiacerita terlihat sendirian di pasar sejak tiga hari, kurus dan tidak sekolah."
	secretPhone  = "081377778888"
	secretName   = "Pelapor Rahasianama"
	secretVictim = "Korban Rahasiakorban"
)

var (
	stampRE   = regexp.MustCompile(`name="t" value="([^"]+)"`)
	formKeyRE = regexp.MustCompile(`name="k" value="([^"]+)"`)
	kodeRE    = regexp.MustCompile(`/lapor/terkirim\?kode=([0-9]{9})`)
	caseLocRE = regexp.MustCompile(`^/kasus/([^/?]+)`)
	idAttrRE  = regexp.MustCompile(` id="([^"]+)"`)
)

// reportForm is a valid public report.
func reportForm() url.Values {
	return url.Values{"description": {secretStory}, "region_code": {village}, "child_age": {"7"}, "child_sex": {"L"},
		"contact_phone": {secretPhone}, "reporter_name": {secretName}}
}

// openReportForm loads /lapor and returns the hidden fields of the form.
func openReportForm(t *testing.T, b *browser) url.Values {
	t.Helper()
	code, body, _ := b.get("/lapor")
	if code != 200 {
		t.Fatalf("GET /lapor: %d", code)
	}
	st, k := stampRE.FindStringSubmatch(body), formKeyRE.FindStringSubmatch(body)
	if st == nil || k == nil {
		t.Fatal("report form without its signed time or key")
	}
	return url.Values{"csrf": {b.csrf}, "t": {st[1]}, "k": {k[1]}}
}

// sendReport fills in the form like a person: it waits past the minimum
// form age (on the test clock) and posts.
func sendReport(t *testing.T, w *world, b *browser, form url.Values) (int, string, http.Header) {
	t.Helper()
	hidden := openReportForm(t, b)
	for k, v := range form {
		hidden[k] = v
	}
	w.clock.Advance(4 * time.Second)
	return b.post("/lapor", hidden)
}

// fileReport sends a valid report and returns its code.
func fileReport(t *testing.T, w *world, form url.Values) string {
	t.Helper()
	code, _, h := sendReport(t, w, w.browser(), form)
	m := kodeRE.FindStringSubmatch(h.Get("Location"))
	if code != http.StatusSeeOther || m == nil {
		t.Fatalf("report: %d %s", code, h.Get("Location"))
	}
	return m[1]
}

func reportCount(t *testing.T, w *world) int {
	t.Helper()
	_, n, err := w.srv.Cases.ListReports(bg, access.System("test"), cases.ReportFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func reportByCode(t *testing.T, w *world, code string) domain.Report {
	t.Helper()
	reps, _, err := w.srv.Cases.ListReports(bg, access.System("test"), cases.ReportFilter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reps {
		if r.Code == code {
			return r
		}
	}
	t.Fatalf("no report %s", code)
	return domain.Report{}
}

func (w *world) addUser(name string, role domain.Role, region string) domain.User {
	w.t.Helper()
	u, err := w.st.CreateUser(bg, access.System("test"), domain.NewUser{Username: name, Role: role, RegionCode: region,
		FullName: "Rahasia " + name, Password: pw})
	if err != nil {
		w.t.Fatal(err)
	}
	w.users[name] = u
	return u
}

// checkPage checks what every page must have: one h1 and unique ids.
func checkPage(t *testing.T, where, body string) {
	t.Helper()
	if n := strings.Count(body, "<h1"); n != 1 {
		t.Errorf("%s: %d h1 elements", where, n)
	}
	seen := map[string]bool{}
	for _, m := range idAttrRE.FindAllStringSubmatch(body, -1) {
		if seen[m[1]] {
			t.Errorf("%s: duplicate id %q", where, m[1])
		}
		seen[m[1]] = true
	}
	if strings.Contains(body, "<!-- field:") {
		t.Errorf("%s: a form field failed to render", where)
	}
}

func noSecrets(t *testing.T, where, body string) {
	t.Helper()
	for _, s := range []string{"Rahasiacerita", secretPhone[1:], "Rahasianama", "Rahasiakorban", "Rahasia "} {
		if strings.Contains(body, s) {
			t.Errorf("%s shows personal data %q", where, s)
		}
	}
}

// A member of the public files a report without an account and follows it
// by its code; a double submit stores one report.
func TestPublicReport(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		b := w.browser()
		code, body, _ := b.get("/lapor")
		if code != 200 || !strings.Contains(body, "Bagaimana data Anda digunakan") || !strings.Contains(body, `name="website"`) ||
			!strings.Contains(body, `data-within="61.07"`) {
			t.Fatalf("form: %d", code)
		}
		checkPage(t, "/lapor", body)

		// Sent at once: a script. Refused with the input kept.
		hidden := openReportForm(t, b)
		form := reportForm()
		for k, v := range hidden {
			form[k] = v
		}
		code, body, _ = b.post("/lapor", form)
		if code != 422 || !strings.Contains(body, "terlalu cepat") || !strings.Contains(body, "Rahasiacerita") {
			t.Fatalf("too fast: %d", code)
		}
		if n := reportCount(t, w); n != 0 {
			t.Fatalf("too-fast form stored %d reports", n)
		}
		// After a human pause it is accepted.
		w.clock.Advance(5 * time.Second)
		code, _, h := b.post("/lapor", form)
		m := kodeRE.FindStringSubmatch(h.Get("Location"))
		if code != 303 || m == nil {
			t.Fatalf("report: %d %s", code, h.Get("Location"))
		}
		rc := m[1]
		code, body, _ = b.get(h.Get("Location"))
		if code != 200 || !strings.Contains(body, domain.FormatPublicCode(rc)) || !strings.Contains(body, "SAPA 129") {
			t.Fatalf("sent page: %d", code)
		}
		checkPage(t, "/lapor/terkirim", body)
		noSecrets(t, "sent page", body)
		// The same form sent twice is one report.
		code, _, h = b.post("/lapor", form)
		if code != 303 || !strings.Contains(h.Get("Location"), rc) {
			t.Fatalf("double submit: %d %s", code, h.Get("Location"))
		}
		if n := reportCount(t, w); n != 1 {
			t.Fatalf("%d reports stored, want 1", n)
		}
		rep := reportByCode(t, w, rc)
		if rep.Channel != domain.ChannelWeb || rep.RegionCode != village || rep.ChildAge == nil || *rep.ChildAge != 7 || !rep.HasContact {
			t.Fatalf("stored report %+v", rep)
		}

		// The status page: progress, never personal data.
		for _, q := range []string{rc, domain.FormatPublicCode(rc), rc[:3] + " " + rc[3:6] + " " + rc[6:]} {
			code, body, _ = b.get("/lapor/status?kode=" + url.QueryEscape(q))
			if code != 200 || !strings.Contains(body, "Diterima") || !strings.Contains(body, "Laporan diterima") {
				t.Fatalf("status %q: %d", q, code)
			}
			noSecrets(t, "status page", body)
			checkPage(t, "/lapor/status", body)
		}
		bad := rc[:8] + strconv.Itoa((int(rc[8]-'0')+1)%10)
		for _, q := range []string{bad, "123", "abc"} {
			code, body, _ = b.get("/lapor/status?kode=" + q)
			if code != 404 || !strings.Contains(body, "Periksa kembali") || !strings.Contains(body, `aria-describedby="kode-hint kode-err"`) {
				t.Errorf("unknown code %q: %d", q, code)
			}
		}
		if code, _, _ := b.get("/lapor/status"); code != 200 {
			t.Errorf("empty status form: %d", code)
		}
		if code, _, h := b.get("/lapor/terkirim?kode=12"); code != 303 || h.Get("Location") != "/lapor" {
			t.Errorf("sent page with a bad code: %d", code)
		}

		// A logged-in officer may use the form too (session CSRF).
		sb := w.loggedIn("cw-a")
		if code, _, _ := sendReport(t, w, sb, reportForm()); code != 303 {
			t.Errorf("report by a logged-in user: %d", code)
		}
		// Without the CSRF token: refused, input kept.
		f := reportForm()
		f.Set("t", hidden.Get("t"))
		if code, body, _ := w.browser().post("/lapor", f); code != 403 || !strings.Contains(body, "Rahasiacerita") {
			t.Errorf("no CSRF: %d", code)
		}
		// A stale form (older than two hours) is refused kindly.
		hidden = openReportForm(t, b)
		w.clock.Advance(3 * time.Hour)
		f = reportForm()
		for k, v := range hidden {
			f[k] = v
		}
		if code, body, _ := b.post("/lapor", f); code != 422 || !strings.Contains(body, "kedaluwarsa") {
			t.Errorf("stale form: %d", code)
		}
		// A forged stamp likewise.
		f.Set("t", strconv.FormatInt(w.clock.Now().Add(-time.Minute).Unix(), 10)+".00000000000000000000000000000000")
		if code, _, _ := b.post("/lapor", f); code != 422 {
			t.Errorf("forged stamp: %d", code)
		}
		if n := reportCount(t, w); n != 2 {
			t.Fatalf("%d reports stored, want 2", n)
		}
	})
}

// The minimum form age is configurable: tests and kiosks may turn it off.
func TestReportMinFormAgeOff(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07", ReportMinFormAge: -1})
	b := w.browser()
	form := reportForm()
	for k, v := range openReportForm(t, b) {
		form[k] = v
	}
	if code, _, _ := b.post("/lapor", form); code != 303 {
		t.Fatalf("report without a pause: %d", code)
	}
}

// A filled honeypot looks like success to the script, and stores nothing.
func TestReportHoneypot(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	f := reportForm()
	f.Set("website", "http://spam.example")
	code, _, h := sendReport(t, w, w.browser(), f)
	if code != 303 || kodeRE.FindStringSubmatch(h.Get("Location")) == nil {
		t.Fatalf("honeypot: %d %s", code, h.Get("Location"))
	}
	if n := reportCount(t, w); n != 0 {
		t.Fatalf("honeypot stored %d reports", n)
	}
}

// Bad input is shown again with the user's text and a message at each
// field, linked for screen readers; nothing is stored.
func TestReportValidation(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	b := w.browser()
	f := url.Values{"description": {"pendek"}, "region_code": {"13.01.01.2001"}, "child_age": {"tujuh"},
		"contact_phone": {"12ab"}, "reporter_name": {"Nama Saya"}, "anonymous": {"1"}}
	code, body, _ := sendReport(t, w, b, f)
	if code != 422 {
		t.Fatalf("bad report: %d", code)
	}
	for _, want := range []string{`>pendek</textarea>`, `value="12ab"`, `value="Nama Saya"`, `value="tujuh"`,
		"minimal 10 karakter", "0–17 untuk anak", `aria-describedby="f-description-hint f-description-err"`,
		`id="f-description-err"`, `aria-invalid="true"`, `name="anonymous" value="1" checked`} {
		if !strings.Contains(body, want) {
			t.Errorf("re-rendered form lacks %q", want)
		}
	}
	checkPage(t, "invalid report", body)
	// Outside the deployment; then a bad phone number.
	f = reportForm()
	f.Set("region_code", "13.01")
	if code, body, _ := sendReport(t, w, b, f); code != 422 || !strings.Contains(body, "Di luar wilayah layanan") {
		t.Errorf("outside the deployment: %d", code)
	}
	f = reportForm()
	f.Set("contact_phone", "12345")
	if code, body, _ := sendReport(t, w, b, f); code != 422 || !strings.Contains(body, "Nomor HP tidak sah") {
		t.Errorf("bad phone: %d", code)
	}
	// A place typed by name (no JavaScript) is found; an ambiguous one is
	// offered as choices.
	f = reportForm()
	f.Set("region_code", "zzzz tidak ada")
	if code, body, _ := sendReport(t, w, b, f); code != 422 || !strings.Contains(body, "tidak ditemukan") {
		t.Errorf("unknown place name: %d", code)
	}
	if n := reportCount(t, w); n != 0 {
		t.Fatalf("invalid reports stored: %d", n)
	}
	reg, err := w.st.GetRegion(bg, village)
	if err != nil {
		t.Fatal(err)
	}
	f = reportForm()
	f.Set("region_code", reg.Name)
	code, body, h := sendReport(t, w, b, f)
	switch code {
	case 303:
		if rep := reportByCode(t, w, kodeRE.FindStringSubmatch(h.Get("Location"))[1]); rep.RegionCode != village {
			t.Errorf("place by name resolved to %s", rep.RegionCode)
		}
	case 422:
		if !strings.Contains(body, `value="`+village+`"`) || !strings.Contains(body, `name="region_pick"`) {
			t.Fatalf("ambiguous place: no choices")
		}
		f.Set("region_pick", village)
		if code, _, _ := sendReport(t, w, b, f); code != 303 {
			t.Fatalf("place chosen from the list: %d", code)
		}
	default:
		t.Fatalf("place by name: %d", code)
	}
}

// Ten reports an hour per address, five per phone number; then 429. A
// report refused over one limit costs nothing against the other.
func TestReportRateLimits(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		b := w.browser()
		for i := 1; i <= 5; i++ {
			if code, _, _ := sendReport(t, w, b, reportForm()); code != 303 {
				t.Fatalf("report %d: %d", i, code)
			}
		}
		code, body, h := sendReport(t, w, b, reportForm())
		if code != 429 || h.Get("Retry-After") == "" || !strings.Contains(body, "SAPA 129") {
			t.Fatalf("sixth report from one phone: %d", code)
		}
		f := reportForm()
		f.Del("contact_phone")
		for i := 7; i <= 11; i++ {
			if code, _, _ := sendReport(t, w, b, f); code != 303 {
				t.Fatalf("report %d without phone: %d", i, code)
			}
		}
		if code, _, _ := sendReport(t, w, b, f); code != 429 {
			t.Fatalf("an eleventh accepted report from one address: %d", code)
		}
		if n := reportCount(t, w); n != 10 {
			t.Fatalf("%d reports stored, want 10", n)
		}
		// The window passes.
		w.clock.Advance(time.Hour)
		if code, _, _ := sendReport(t, w, b, f); code != 303 {
			t.Fatalf("after an hour: %d", code)
		}
		// Status look-ups are limited too.
		for i := 0; i < 60; i++ {
			b.get("/lapor/status?kode=123456789")
		}
		if code, _, _ := b.get("/lapor/status?kode=123456789"); code != 429 {
			t.Fatalf("status look-up 61: %d", code)
		}
	})
}

// The whole path: a report; the supervisor verifies it, creates the village
// team and assigns it; the responder of that team sees the notification and
// acknowledges, then reaches the child; the public status page follows
// without showing personal data; others are kept out.
func TestCaseFlowUI(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		satgas := w.addUser("satgas-a", domain.RoleResponder, village)
		rc := fileReport(t, w, reportForm())
		rep := reportByCode(t, w, rc)

		sup := w.loggedIn("sup")
		code, body, _ := sup.get("/laporan")
		if code != 200 || !strings.Contains(body, domain.FormatPublicCode(rc)) || !strings.Contains(body, `href="/laporan"`) {
			t.Fatalf("triage list: %d", code)
		}
		noSecrets(t, "triage list", body)
		checkPage(t, "/laporan", body)
		code, body, _ = sup.get("/laporan/" + rep.ID)
		if code != 200 || !strings.Contains(body, "Rahasiacerita") || !strings.Contains(body, secretName) || !strings.Contains(body, "verify-report") {
			t.Fatalf("report page: %d", code)
		}
		checkPage(t, "/laporan/{id}", body)
		// Verify without a type: refused, nothing changes.
		code, body, _ = sup.post("/laporan/"+rep.ID+"/verify", url.Values{"csrf": {sup.csrf}, "priority": {"high"}})
		if code != 422 || !strings.Contains(body, "Pilih minimal satu jenis") || !strings.Contains(body, `id="vf-type-err"`) {
			t.Fatalf("verify without type: %d", code)
		}
		code, _, h := sup.post("/laporan/"+rep.ID+"/verify", url.Values{"csrf": {sup.csrf}, "priority": {"high"},
			"types": {"neglect", "physical"}})
		m := caseLocRE.FindStringSubmatch(h.Get("Location"))
		if code != 303 || m == nil {
			t.Fatalf("verify: %d %s", code, h.Get("Location"))
		}
		caseID := m[1]
		// Verifying twice is a conflict, shown kindly.
		if code, body, _ := sup.post("/laporan/"+rep.ID+"/verify", url.Values{"csrf": {sup.csrf}, "priority": {"high"},
			"types": {"neglect"}}); code != 409 || !strings.Contains(body, "sudah ditangani") {
			t.Fatalf("second verify: %d", code)
		}
		code, body, _ = sup.get(h.Get("Location"))
		if code != 200 || !strings.Contains(body, "Terverifikasi") || !strings.Contains(body, "Laporan diverifikasi menjadi kasus") {
			t.Fatalf("case page: %d", code)
		}
		checkPage(t, "/kasus/{id}", body)

		// The village team, through the UI.
		code, body, _ = sup.get("/tim")
		if code != 200 || !strings.Contains(body, `value="`+satgas.ID+`"`) {
			t.Fatalf("teams page: %d", code)
		}
		checkPage(t, "/tim", body)
		code, body, _ = sup.post("/tim", url.Values{"csrf": {sup.csrf}, "name": {""}, "kind": {"village_taskforce"}, "region_code": {"61.07.01"}})
		if code != 422 || !strings.Contains(body, "Beri nama tim") || !strings.Contains(body, "Satgas desa harus berada di desa") {
			t.Fatalf("bad team: %d", code)
		}
		if code, _, _ := sup.post("/tim", url.Values{"csrf": {sup.csrf}, "name": {"Satgas PPA Desa Uji"}, "kind": {"village_taskforce"},
			"region_code": {village}, "members": {satgas.ID}}); code != 303 {
			t.Fatalf("create team: %d", code)
		}
		teams, err := w.srv.Cases.ListTeams(bg, access.System("test"))
		if err != nil || len(teams) != 1 || len(teams[0].MemberIDs) != 1 {
			t.Fatalf("teams %+v %v", teams, err)
		}
		team := teams[0]
		// Assign: the form offers the team.
		_, body, _ = sup.get("/kasus/" + caseID)
		if !strings.Contains(body, `value="`+team.ID+`"`) || !strings.Contains(body, `id="as-person"`) {
			t.Fatalf("assign form without the team or people")
		}
		if code, _, _ := sup.post("/kasus/"+caseID+"/assign", url.Values{"csrf": {sup.csrf}}); code != 422 {
			t.Fatalf("assign nobody: %d", code)
		}
		if code, _, _ := sup.post("/kasus/"+caseID+"/assign", url.Values{"csrf": {sup.csrf}, "team_id": {team.ID}, "note": {"segera"}}); code != 303 {
			t.Fatalf("assign: %d", code)
		}
		c, err := w.srv.Cases.GetCase(bg, access.System("test"), caseID)
		if err != nil || c.Status != domain.StatusAssigned || c.TeamID != team.ID {
			t.Fatalf("after assign: %s %s %v", c.Status, c.TeamID, err)
		}

		// The responder: a notification, the case, the acknowledgement.
		rb := w.loggedIn("satgas-a")
		code, body, _ = rb.get("/notifikasi")
		if code != 200 || !strings.Contains(body, domain.FormatPublicCode(c.Code)) || !strings.Contains(body, "Notifikasi (1)") {
			t.Fatalf("responder notifications: %d", code)
		}
		checkPage(t, "/notifikasi", body)
		code, body, _ = rb.get("/kasus")
		if code != 200 || !strings.Contains(body, domain.FormatPublicCode(c.Code)) {
			t.Fatalf("responder inbox: %d", code)
		}
		code, body, _ = rb.get("/kasus/" + caseID)
		if code != 200 || !strings.Contains(body, `id="to-acknowledged"`) || strings.Contains(body, `id="assign-case"`) {
			t.Fatalf("responder case page: %d", code)
		}
		if code, _, h := rb.post("/kasus/"+caseID+"/status", url.Values{"csrf": {rb.csrf}, "to": {"acknowledged"}}); code != 303 ||
			!strings.HasPrefix(h.Get("Location"), "/kasus/"+caseID) {
			t.Fatalf("acknowledge: %d", code)
		}
		pub := w.browser()
		_, body, _ = pub.get("/lapor/status?kode=" + rc)
		if !strings.Contains(body, "Sedang ditindaklanjuti") {
			t.Errorf("public status after acknowledgement")
		}
		noSecrets(t, "status page", body)
		if code, _, _ := rb.post("/kasus/"+caseID+"/status", url.Values{"csrf": {rb.csrf}, "to": {"responded"}, "note": {"bertemu anak"}}); code != 303 {
			t.Fatalf("respond: %d", code)
		}
		_, body, _ = pub.get("/lapor/status?kode=" + rc)
		if !strings.Contains(body, "Sedang ditangani") || !strings.Contains(body, "Anak sudah dijangkau petugas") {
			t.Errorf("public status after response")
		}
		noSecrets(t, "status page", body)
		// Closing needs a note; a step outside the workflow is a conflict.
		if code, body, _ := rb.post("/kasus/"+caseID+"/status", url.Values{"csrf": {rb.csrf}, "to": {"closed"}}); code != 422 ||
			!strings.Contains(body, "Tulis alasan kasus ditutup") {
			t.Errorf("close without note: %d", code)
		}
		if code, body, _ := rb.post("/kasus/"+caseID+"/status", url.Values{"csrf": {rb.csrf}, "to": {"acknowledged"}}); code != 409 ||
			!strings.Contains(body, "tidak dapat dilakukan") {
			t.Errorf("backwards step: %d", code)
		}
		// People, services and the timeline through the forms.
		if code, body, _ := rb.post("/kasus/"+caseID+"/korban", url.Values{"csrf": {rb.csrf}, "name": {secretVictim}, "age": {"abc"}}); code != 422 ||
			!strings.Contains(body, `id="v-age-err"`) || !strings.Contains(body, `value="`+secretVictim+`"`) {
			t.Errorf("bad victim: %d", code)
		}
		for path, form := range map[string]url.Values{
			"korban":     {"name": {secretVictim}, "sex": {"P"}, "age": {"9"}, "types": {"neglect"}, "disability": {"rungu"}},
			"pelaku":     {"name": {"Pelaku X"}, "sex": {"L"}, "age": {"40"}, "relation": {"parent"}},
			"layanan":    {"type": {"health"}, "provider": {"Puskesmas"}, "note": {"diperiksa"}},
			"rujukan":    {"agency": {"Unit PPA Polres"}, "reason": {"proses hukum"}},
			"penempatan": {"kind": {"safe_house"}, "place_name": {"Rumah Aman Bengkayang"}},
			"note":       {"note": {"kunjungan kedua"}},
		} {
			form.Set("csrf", rb.csrf)
			if code, _, _ := rb.post("/kasus/"+caseID+"/"+path, form); code != 303 {
				t.Errorf("add %s: %d", path, code)
			}
		}
		for tab, want := range map[string]string{"orang": secretVictim, "layanan": "Rumah Aman Bengkayang", "linimasa": "kunjungan kedua"} {
			code, body, _ := rb.get("/kasus/" + caseID + "?tab=" + tab)
			if code != 200 || !strings.Contains(body, want) {
				t.Errorf("tab %s: %d", tab, code)
			}
			checkPage(t, "case tab "+tab, body)
		}

		// Outside the region: not found. No case rights: forbidden.
		cwb := w.loggedIn("cw-b")
		if code, body, _ := cwb.get("/kasus/" + caseID); code != 404 || strings.Contains(body, "Rahasia") {
			t.Errorf("district caseworker elsewhere: %d", code)
		}
		if code, _, _ := cwb.post("/kasus/"+caseID+"/note", url.Values{"csrf": {cwb.csrf}, "note": {"x"}}); code != 404 {
			t.Errorf("note from outside the region: %d", code)
		}
		if _, body, _ := cwb.get("/kasus"); strings.Contains(body, domain.FormatPublicCode(c.Code)) {
			t.Errorf("inbox outside the region lists the case")
		}
		v := w.loggedIn("viewer")
		for path, want := range map[string]int{"/kasus": 403, "/kasus/" + caseID: 404, "/laporan": 403, "/laporan/" + rep.ID: 404,
			"/tim": 403, "/kasus/baru": 403, "/notifikasi": 200} {
			code, body, _ := v.get(path)
			if code != want {
				t.Errorf("viewer %s: %d want %d", path, code, want)
			}
			noSecrets(t, "viewer "+path, body)
		}
		if code, _, _ := v.post("/kasus/"+caseID+"/status", url.Values{"csrf": {v.csrf}, "to": {"closed"}, "note": {"x"}}); code != 404 {
			t.Errorf("viewer transition: %d", code)
		}
		// The supervisor closes the case; the public sees it closed.
		if code, _, _ := sup.post("/kasus/"+caseID+"/status", url.Values{"csrf": {sup.csrf}, "to": {"closed"}, "note": {"selesai"}}); code != 303 {
			t.Fatalf("close: %d", code)
		}
		_, body, _ = pub.get("/lapor/status?kode=" + rc)
		if !strings.Contains(body, "Selesai") {
			t.Errorf("public status after closing")
		}
		// Reading the report and the case is in the audit log.
		for _, action := range []string{"report.view_personal", "case.view_personal"} {
			es, err := w.st.ListAudit(bg, access.System("test"), domain.AuditFilter{Action: action})
			if err != nil || len(es) == 0 {
				t.Errorf("no %s audit entries: %v", action, err)
			}
		}
	})
}

// Merge into an existing case (suggested, or by code) and reject with a
// reason.
func TestMergeAndReject(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	sup := w.loggedIn("sup")
	first := reportByCode(t, w, fileReport(t, w, reportForm()))
	sup.get("/laporan/" + first.ID)
	_, _, h := sup.post("/laporan/"+first.ID+"/verify", url.Values{"csrf": {sup.csrf}, "priority": {"medium"}, "types": {"neglect"}})
	caseID := caseLocRE.FindStringSubmatch(h.Get("Location"))[1]
	c, _ := w.srv.Cases.GetCase(bg, access.System("test"), caseID)

	second := reportByCode(t, w, fileReport(t, w, reportForm()))
	code, body, _ := sup.get("/laporan/" + second.ID)
	if code != 200 || !strings.Contains(body, `id="dup-`+caseID+`"`) || !strings.Contains(body, "desa yang sama") {
		t.Fatalf("duplicate suggestion missing: %d", code)
	}
	if code, body, _ := sup.post("/laporan/"+second.ID+"/merge", url.Values{"csrf": {sup.csrf}, "case_code": {"123-456-789"}}); code != 422 ||
		!strings.Contains(body, "Tidak ada kasus dengan kode ini") {
		t.Fatalf("merge into an unknown code: %d", code)
	}
	if code, _, h := sup.post("/laporan/"+second.ID+"/merge", url.Values{"csrf": {sup.csrf}, "case_code": {domain.FormatPublicCode(c.Code)}}); code != 303 ||
		!strings.HasPrefix(h.Get("Location"), "/kasus/"+caseID) {
		t.Fatalf("merge by code: %d %s", code, h.Get("Location"))
	}
	third := reportByCode(t, w, fileReport(t, w, reportForm()))
	sup.get("/laporan/" + third.ID)
	if code, _, _ := sup.post("/laporan/"+third.ID+"/merge", url.Values{"csrf": {sup.csrf}, "case_id": {caseID}}); code != 303 {
		t.Fatalf("merge suggested: %d", code)
	}
	fourth := reportByCode(t, w, fileReport(t, w, reportForm()))
	if code, body, _ := sup.post("/laporan/"+fourth.ID+"/reject", url.Values{"csrf": {sup.csrf}, "reason": {" "}}); code != 422 ||
		!strings.Contains(body, "Tulis alasan ini bukan kasus") {
		t.Fatalf("reject without reason: %d", code)
	}
	if code, _, _ := sup.post("/laporan/"+fourth.ID+"/reject", url.Values{"csrf": {sup.csrf}, "reason": {"laporan iseng"}}); code != 303 {
		t.Fatalf("reject: %d", code)
	}
	for st, n := range map[string]int{"merged": 2, "rejected": 1, "verified": 1, "new": 0} {
		_, body, _ := sup.get("/laporan?status=" + st)
		if !strings.Contains(body, strconv.Itoa(n)+" laporan") {
			t.Errorf("tab %s: want %d", st, n)
		}
	}
	_, body, _ = w.browser().get("/lapor/status?kode=" + fourth.Code)
	if !strings.Contains(body, "Bukan kasus") || strings.Contains(body, "iseng") {
		t.Errorf("rejected report's public status")
	}
	_, body, _ = sup.get("/kasus/" + caseID + "?tab=linimasa")
	if strings.Count(body, "menggabungkan sebuah laporan ke kasus ini") != 2 {
		t.Errorf("timeline lacks the merges")
	}
}

// Staff enter a case directly; the inbox filters by what is overdue.
func TestInboxFilters(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		sup := w.loggedIn("sup")
		code, body, _ := sup.get("/kasus/baru")
		if code != 200 {
			t.Fatalf("new case form: %d", code)
		}
		checkPage(t, "/kasus/baru", body)
		if code, body, _ := sup.post("/kasus/baru", url.Values{"csrf": {sup.csrf}, "region_code": {"61.07.02.2001"}, "victim_age": {"x"},
			"summary": {"Kronologi rahasia"}}); code != 422 || !strings.Contains(body, "Pilih minimal satu jenis") ||
			!strings.Contains(body, `id="c-victim_age-err"`) || !strings.Contains(body, "Kronologi rahasia") {
			t.Fatalf("bad case: %d", code)
		}
		newCase := func(prio, region, typ string) domain.Case {
			t.Helper()
			code, _, h := sup.post("/kasus/baru", url.Values{"csrf": {sup.csrf}, "region_code": {region}, "priority": {prio},
				"types": {typ}, "summary": {"Kronologi"}, "victim_name": {secretVictim}, "victim_age": {"12"}, "victim_sex": {"P"},
				"place": {"household"}, "incident_date": {"2024-05-01"}})
			m := caseLocRE.FindStringSubmatch(h.Get("Location"))
			if code != 303 || m == nil {
				t.Fatalf("new case: %d %s", code, h.Get("Location"))
			}
			c, err := w.srv.Cases.GetCase(bg, access.System("test"), m[1])
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		urgent := newCase("high", village, "physical")
		calm := newCase("low", "61.07.02.2001", "neglect")
		if urgent.Status != domain.StatusVerified || len(urgent.Victims) != 1 || urgent.Victims[0].Name != secretVictim {
			t.Fatalf("entered case %+v", urgent)
		}
		has := func(path string, c domain.Case) bool {
			t.Helper()
			code, body, _ := sup.get(path)
			if code != 200 {
				t.Fatalf("%s: %d", path, code)
			}
			checkPage(t, path, body)
			noSecrets(t, "inbox", body)
			return strings.Contains(body, domain.FormatPublicCode(c.Code))
		}
		if !has("/kasus", urgent) || !has("/kasus", calm) || has("/kasus?f=1&open=1&due=overdue", urgent) {
			t.Fatal("inbox before the deadline")
		}
		if !has("/kasus?f=1&open=1&due=soon", urgent) {
			t.Error("urgent case is not due soon")
		}
		w.clock.Advance(45 * time.Minute) // past the 30-minute acknowledgement of high priority
		sup = w.loggedIn("sup")           // the session ended after 30 idle minutes
		if !has("/kasus?f=1&open=1&due=overdue", urgent) || has("/kasus?f=1&open=1&due=overdue", calm) {
			t.Error("overdue filter")
		}
		_, body, _ = sup.get("/kasus?f=1&open=1&due=overdue")
		if !strings.Contains(body, "LEWAT TENGGAT") || !regexp.MustCompile(`<span class="chip-n">1</span> lewat tenggat`).MatchString(body) {
			t.Error("overdue marker or chip missing")
		}
		for path, want := range map[string]domain.Case{
			"/kasus?f=1&open=1&type=neglect":        calm,
			"/kasus?f=1&open=1&priority=high":       urgent,
			"/kasus?f=1&open=1&region=61.07.02":     calm,
			"/kasus?f=1&q=" + calm.Code:             calm,
			"/kasus?f=1&status=verified":            urgent,
			"/kasus?f=1&open=1&assignee=me&type=xx": urgent, // unknown type ignored, nobody assigned to sup
		} {
			other := urgent
			if want.ID == urgent.ID {
				other = calm
			}
			if path == "/kasus?f=1&open=1&assignee=me&type=xx" {
				if has(path, urgent) || has(path, calm) {
					t.Errorf("%s lists a case not assigned to the user", path)
				}
				continue
			}
			if !has(path, want) || (path != "/kasus?f=1&status=verified" && has(path, other)) {
				t.Errorf("filter %s", path)
			}
		}
		if code, _, _ := sup.get("/kasus?f=1&region=abc"); code != 200 {
			t.Errorf("bad region filter: %d", code)
		}
		// Paging keeps the filter.
		_, body, _ = sup.get("/kasus?f=1&open=1&type=neglect&page=1")
		if strings.Contains(body, `rel="next"`) {
			t.Error("a page too many")
		}
		// A caseworker's entry waits for review.
		cw := w.loggedIn("cw-a")
		code, body, _ = cw.get("/kasus/baru")
		if code != 200 || strings.Contains(body, `name="needs_review"`) {
			t.Fatalf("caseworker form: %d", code)
		}
		code, _, h := cw.post("/kasus/baru", url.Values{"csrf": {cw.csrf}, "region_code": {village}, "priority": {"medium"}, "types": {"other"}})
		if code != 303 {
			t.Fatalf("caseworker entry: %d", code)
		}
		m := caseLocRE.FindStringSubmatch(h.Get("Location"))
		if m == nil {
			t.Fatalf("caseworker entry went to %s", h.Get("Location"))
		}
		if c, _ := w.srv.Cases.GetCase(bg, access.System("test"), m[1]); c.Status != domain.StatusNew {
			t.Errorf("caseworker's case is %s, want new", c.Status)
		}
		// A responder's entry too, though they see only their teams' cases.
		w.addUser("satgas-b", domain.RoleResponder, village)
		rb := w.loggedIn("satgas-b")
		rb.get("/kasus/baru")
		code, _, h = rb.post("/kasus/baru", url.Values{"csrf": {rb.csrf}, "region_code": {village}, "types": {"neglect"}})
		if code != 303 || h.Get("Location") != "/kasus" || flashIn(t, h) != "case_created_review" {
			t.Errorf("responder entry: %d %s", code, h.Get("Location"))
		}
		if _, n, _ := w.srv.Cases.ListCases(bg, access.System("test"), domain.CaseFilter{Status: domain.StatusNew}); n != 2 {
			t.Errorf("%d cases wait for review, want 2", n)
		}
	})
}

// Teams page forms: duty roster, deadline rules, routing order.
func TestTeamsForms(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	sup := w.loggedIn("sup")
	sup.get("/tim")
	start := w.clock.Now().In(domain.WIB)
	if code, body, _ := sup.post("/tim/piket", url.Values{"csrf": {sup.csrf}, "user_id": {w.users["cw-a"].ID}, "duty_region": {"61.07.01"},
		"starts_at": {start.Format("2006-01-02T15:04")}, "ends_at": {"kemarin"}}); code != 422 || !strings.Contains(body, `id="du-end-err"`) {
		t.Fatalf("bad duty: %d", code)
	}
	if code, _, _ := sup.post("/tim/piket", url.Values{"csrf": {sup.csrf}, "user_id": {w.users["cw-a"].ID}, "duty_region": {village},
		"starts_at": {start.Format("2006-01-02T15:04")}, "ends_at": {start.Add(8 * time.Hour).Format("2006-01-02T15:04")}}); code != 303 {
		t.Fatalf("duty: %d", code)
	}
	if code, body, _ := sup.post("/tim/tenggat", url.Values{"csrf": {sup.csrf}, "priority": {"high"}, "ack_minutes": {"0"}, "response_minutes": {"60"}}); code != 422 ||
		!strings.Contains(body, "Antara 1 menit dan 7 hari") {
		t.Fatalf("bad rule: %d", code)
	}
	if code, _, _ := sup.post("/tim/tenggat", url.Values{"csrf": {sup.csrf}, "priority": {"high"}, "type": {"sexual"}, "ack_minutes": {"15"}, "response_minutes": {"120"}}); code != 303 {
		t.Fatalf("rule: %d", code)
	}
	if code, _, _ := sup.post("/tim/rute", url.Values{"csrf": {sup.csrf}, "step1": {"duty"}, "step2": {"duty"}}); code != 422 {
		t.Fatalf("bad routing: %d", code)
	}
	if code, _, _ := sup.post("/tim/rute", url.Values{"csrf": {sup.csrf}, "step1": {"district"}, "step2": {"village"}, "step3": {"duty"}}); code != 303 {
		t.Fatalf("routing: %d", code)
	}
	_, body, _ := sup.get("/tim")
	for _, want := range []string{"cw-a", "15 menit", "2 jam", "Kekerasan seksual"} {
		if !strings.Contains(body, want) {
			t.Errorf("teams page lacks %q", want)
		}
	}
	if steps, _ := w.srv.Cases.RoutingSteps(bg); strings.Join(steps, ",") != "district,village,duty" {
		t.Errorf("routing %v", steps)
	}
	// A caseworker sees the page but cannot change it.
	cw := w.loggedIn("cw-a")
	code, body, _ := cw.get("/tim")
	if code != 200 || strings.Contains(body, `action="/tim/tenggat"`) {
		t.Errorf("caseworker teams page: %d", code)
	}
	if code, _, _ := cw.post("/tim/rute", url.Values{"csrf": {cw.csrf}, "step1": {"duty"}}); code != 403 {
		t.Errorf("caseworker changes routing: %d", code)
	}
}

// Every new page renders for every role (in both languages) without a
// server error, the navigation follows the permissions, and roles without
// personal-data rights never see personal strings.
func TestCasePagesEveryRole(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	w.addUser("satgas-a", domain.RoleResponder, village)
	rc := fileReport(t, w, reportForm())
	rep := reportByCode(t, w, rc)
	sys := access.System("test")
	c, err := w.srv.Cases.VerifyReport(bg, w.scope("sup"), rep.ID, cases.VerifyInput{Priority: domain.PriorityHigh, Types: []domain.ViolenceType{domain.VSexual}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.srv.Cases.AddDetail(bg, sys, c.ID, cases.CaseDetail{Victim: &domain.Victim{Name: secretVictim, Sex: domain.SexFemale}}); err != nil {
		t.Fatal(err)
	}
	pending := reportByCode(t, w, fileReport(t, w, reportForm()))
	paths := []string{"/", "/lapor", "/lapor/status", "/lapor/status?kode=" + rc, "/lapor/terkirim?kode=" + rc,
		"/laporan", "/laporan?status=verified", "/laporan/" + rep.ID, "/laporan/" + pending.ID,
		"/kasus", "/kasus?f=1&due=overdue", "/kasus/baru", "/kasus/" + c.ID, "/kasus/" + c.ID + "?tab=orang",
		"/kasus/" + c.ID + "?tab=layanan", "/kasus/" + c.ID + "?tab=linimasa", "/kasus/nope", "/tim", "/notifikasi", "/notifikasi?status=all"}
	for _, name := range []string{"reg-admin", "admin-a", "admin-b", "cw-a", "cw-b", "viewer", "sup", "satgas-a"} {
		b := w.loggedIn(name)
		sc := access.ForUser(w.users[name], "", "")
		for _, lang := range []string{"id", "en"} {
			if lang == "en" {
				b.post("/lang", url.Values{"csrf": {b.csrf}, "lang": {"en"}, "next": {"/beranda"}})
			}
			for _, path := range paths {
				code, body, _ := b.get(path)
				if code >= 500 || (code != 200 && code != 403 && code != 404) {
					t.Errorf("%s %s (%s): %d", name, path, lang, code)
					continue
				}
				if code == 200 {
					checkPage(t, name+" "+path, body)
				}
				if !sc.Personal {
					noSecrets(t, name+" "+path, body)
				}
				if strings.Contains(body, "caseact.") || strings.Contains(body, "cstatus.") || strings.Contains(body, "vtype.") {
					t.Errorf("%s %s (%s): untranslated key", name, path, lang)
				}
			}
		}
		_, body, _ := b.get("/beranda")
		for href, perm := range map[string]domain.Perm{"/kasus": domain.PermViewCases, "/laporan": domain.PermManageCases,
			"/tim": domain.PermViewCases, "/notifikasi": domain.PermViewCases} {
			if strings.Contains(body, `href="`+href+`"`) != sc.Can(perm) {
				t.Errorf("%s: nav link %s shown=%v", name, href, !sc.Can(perm))
			}
		}
	}
}

// scope is a user's scope as the web handlers build it.
func (w *world) scope(name string) domain.Scope {
	return access.ForUser(w.users[name], "127.0.0.1", "test")
}

// In headless Chromium (when LINDU_TEST_CHROMIUM is set): a member of the
// public files a report on a phone; the supervisor verifies it (routing
// assigns the village team); the responder of that team acknowledges on a
// phone; the status page shows the progress without personal data. Each
// page passes the accessibility basics and does not scroll sideways on
// the phone.
func TestBrowserReportFlow(t *testing.T) {
	t.Parallel()
	execPath := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), browserBudget)
	defer cancel()

	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07", ReportMinFormAge: time.Second, Now: time.Now})
	satgas := w.addUser("satgas-a", domain.RoleResponder, village)
	if _, err := w.srv.Cases.CreateTeam(bg, access.System("test"), domain.Team{Name: "Satgas PPA Desa Uji", Kind: "village_taskforce",
		RegionCode: village, MemberIDs: []string{satgas.ID}}); err != nil {
		t.Fatal(err)
	}
	c := newChrome(t, ctx, execPath)
	bctx, must, do, navigateVia, text := c.ctx, c.must, c.do, c.navigateVia, c.text
	check := func(page string) {
		t.Helper()
		probs, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](a11yJS))
		must("accessibility check of "+page, err)
		for _, p := range probs {
			t.Errorf("accessibility, %s: %s", page, p)
		}
		pw, err := chromedp.Run(bctx, chromedp.Evaluate[pageWidth](overflowJS))
		must("measure "+page, err)
		if pw.ScrollWidth > pw.InnerWidth+1 {
			t.Errorf("%s on a %v px phone scrolls sideways: %v px (widest: %s)", page, pw.InnerWidth, pw.ScrollWidth, pw.Widest)
		}
	}
	login := func(user string) {
		t.Helper()
		do("open the login page", chromedp.Navigate(w.ts.URL+"/login"))
		navigateVia("log in as "+user, chromedp.SendKeys(chromedp.ID("username"), user), chromedp.SendKeys(chromedp.ID("password"), pw),
			chromedp.Click(chromedp.ID("login-submit")))
	}
	do("phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait))

	// 1. The public report, on a phone, from the home page's button.
	do("open the home page", chromedp.Navigate(w.ts.URL+"/"))
	navigateVia("follow the report button", chromedp.Click(chromedp.ID("report-cta")))
	check("report form")
	do("fill in the report",
		chromedp.SendKeys(chromedp.ID("f-description"), secretStory),
		chromedp.SendKeys(chromedp.ID("f-region_code"), village),
		chromedp.SendKeys(chromedp.ID("f-child_age"), "7"),
		chromedp.Click(chromedp.ID("f-child_sex-L")),
		chromedp.SendKeys(chromedp.ID("f-contact_phone"), secretPhone),
		chromedp.Click(chromedp.ID("f-anonymous")))
	time.Sleep(1100 * time.Millisecond) // the form's minimum age
	navigateVia("send the report", chromedp.Click(chromedp.ID("send-report")))
	check("report sent")
	shown := text("#report-code")
	rc, ok := domain.NormalizePublicCode(shown)
	if !ok {
		t.Fatalf("the sent page shows %q, not a report code", shown)
	}
	navigateVia("check the status", chromedp.Click(chromedp.ID("status-link")))
	check("status page")
	if s := text("#status-result"); !strings.Contains(s, "Diterima") {
		t.Errorf("status page reads %q", s)
	}

	// 2. The supervisor verifies it on the desktop.
	do("desktop viewport", chromedp.EmulateViewport(1280, 900))
	login("sup")
	do("open the incoming reports", chromedp.Navigate(w.ts.URL+"/laporan"))
	check("incoming reports")
	navigateVia("open the report", chromedp.Click(chromedp.CSS(`#reports-table a.code`)))
	check("report page")
	if s := text("#report-description"); !strings.Contains(s, "Rahasiacerita") {
		t.Errorf("the supervisor does not see the report's text: %q", s)
	}
	navigateVia("verify", chromedp.Click(chromedp.ID("vf-type-neglect")), chromedp.Click(chromedp.ID("verify-report")))
	check("case page")
	if s := text("#case-status"); s != "Ditugaskan" {
		t.Errorf("after verifying, the case status reads %q, want Ditugaskan (routed to the village team)", s)
	}
	if s := text("#case-team"); s != "Satgas PPA Desa Uji" {
		t.Errorf("the case's team reads %q", s)
	}
	navigateVia("log out", chromedp.Click(chromedp.ID("logout")))

	// 3. The responder acknowledges on a phone.
	do("phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait))
	login("satgas-a")
	do("open the inbox", chromedp.Navigate(w.ts.URL+"/kasus"))
	check("responder inbox")
	navigateVia("open the case", chromedp.Click(chromedp.CSS(`#cases-table a.code`)))
	check("responder case page")
	navigateVia("acknowledge", chromedp.Click(chromedp.ID("to-acknowledged")))
	if s := text("#case-status"); s != "Diterima petugas" {
		t.Errorf("after acknowledging, the case status reads %q", s)
	}
	for _, tab := range []string{"orang", "layanan", "linimasa"} {
		navigateVia("tab "+tab, chromedp.Click(chromedp.ID("tab-"+tab)))
		check("case tab " + tab)
	}
	// The child of the report is completed in place, on the phone.
	navigateVia("tab orang", chromedp.Click(chromedp.ID("tab-orang")))
	do("open the victim's edit form", chromedp.Click(chromedp.CSS(`#edit-victim-1 > summary`)), chromedp.WaitVisible(chromedp.ID("ev1-name")))
	check("victim edit form")
	navigateVia("complete the victim", chromedp.SendKeys(chromedp.ID("ev1-name"), "Melati"), chromedp.Click(chromedp.ID("ev1-disab-hearing")),
		chromedp.Click(chromedp.ID("save-victim-1")))
	if s := text("#victims tbody"); !strings.Contains(s, "Melati") || strings.Count(s, "Melati") != 1 {
		t.Errorf("after completing the victim the table reads %q", s)
	}
	navigateVia("tab linimasa", chromedp.Click(chromedp.ID("tab-linimasa")))
	check("timeline with an edit")
	if s := text("#timeline"); !strings.Contains(s, "mengubah nama, ragam disabilitas pada korban 1") || strings.Contains(s, "system:") {
		t.Errorf("the timeline reads %q", s)
	}
	navigateVia("log out", chromedp.Click(chromedp.ID("logout")))

	// 4. The public status page shows the progress, not the report.
	do("open the status page", chromedp.Navigate(w.ts.URL+"/lapor/status?kode="+rc))
	s := text("main")
	if !strings.Contains(s, "Sedang ditindaklanjuti") {
		t.Errorf("status after acknowledgement reads %q", s)
	}
	if strings.Contains(s, "Rahasiacerita") || strings.Contains(s, secretPhone[1:]) {
		t.Error("the status page shows personal data")
	}
}

// Past CountCap reports the triage list stops counting: it says "more
// than 1000" and pages on with a next link instead of page numbers.
func TestReportsListBeyondCountCap(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	fileReport(t, w, reportForm())
	if err := w.st.InTx(bg, func(tx *store.Tx) error {
		_, err := tx.ExecContext(bg, `WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1010)
			INSERT INTO reports (id, code, channel, received_at, region_code, description_enc, status)
			SELECT r.id || '-' || n.i, r.code || '-' || n.i, r.channel, r.received_at, r.region_code, r.description_enc, 'rejected'
			FROM reports r, n`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	b := w.loggedIn("sup")
	code, body, _ := b.get("/laporan?status=all")
	if code != http.StatusOK || !strings.Contains(body, "Lebih dari 1000 laporan") || !strings.Contains(body, `href="/laporan?page=2&amp;status=all" rel="next"`) {
		t.Fatalf("status=all: %d, no capped count or next link:\n%s", code, body)
	}
	code, body, _ = b.get("/laporan?page=2&status=all")
	if code != http.StatusOK || strings.Count(body, `href="/laporan/`) < 20 {
		t.Errorf("page 2: %d, %d reports listed", code, strings.Count(body, `href="/laporan/`))
	}
	// One status below the cap keeps its exact count.
	if _, body, _ = b.get("/laporan?status=new"); !strings.Contains(body, "1 laporan") {
		t.Errorf("status=new: no exact count")
	}
}

// Past CountCap open cases the inbox says "more than 1000" and still
// pages on: page 2 is linked and lists cases (the pager used to vanish
// with the page count).
func TestInboxBeyondCountCap(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	at := w.clock.Now().Add(-48 * time.Hour)
	var syn []cases.SyntheticCase
	for i := 0; i < 1030; i++ {
		syn = append(syn, cases.SyntheticCase{RegionCode: village, Status: domain.StatusInService, Priority: domain.PriorityMedium,
			Types: []domain.ViolenceType{domain.VNeglect}, Summary: "Sintetis", ReportedAt: at, AckAt: &at, RespondedAt: &at,
			VictimAge: 8, VictimSex: domain.SexFemale})
	}
	if _, err := w.srv.Cases.InsertSyntheticCases(bg, access.System("test"), 1, syn, nil); err != nil {
		t.Fatal(err)
	}
	b := w.loggedIn("sup")
	code, body, _ := b.get("/kasus")
	if code != http.StatusOK || !strings.Contains(body, "Lebih dari 1000 kasus") || !strings.Contains(body, `page=2`) {
		t.Fatalf("inbox: %d, no capped count or next link:\n%s", code, body)
	}
	m := regexp.MustCompile(`href="(/kasus\?[^"]*page=2[^"]*)" rel="next"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no next link on the inbox")
	}
	code, body, _ = b.get(strings.ReplaceAll(m[1], "&amp;", "&"))
	if code != http.StatusOK || !strings.Contains(body, "Halaman 2") || strings.Count(body, `href="/kasus/0`) < 20 {
		t.Errorf("page 2: %d, %d cases listed", code, strings.Count(body, `href="/kasus/0`))
	}
}
