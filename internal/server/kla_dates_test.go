package server_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/kla"
	"lindu/internal/server"
	"lindu/internal/store"
)

// isoDayRE finds a yyyy-mm-dd date in a page's text (pageText: the tags'
// attributes may hold them for machines, as <time datetime>).
var isoDayRE = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}\b`)

// Agreements and budgets show every date as dd-mm-yyyy, kept on one line,
// in both languages; their date fields are filled in as dd-mm-yyyy too
// (not in the browser's own order, mm/dd/yyyy in an English browser),
// with the format in the label; a date picker's yyyy-mm-dd is still
// read, and anything else is refused with the format to use.
func TestKLAAgreementDates(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	if _, err := kla.EnsureShipped(bg, w.st); err != nil {
		t.Fatal(err)
	}
	a := w.loggedIn("reg-admin")
	_, page, _ := a.get("/kla/perjanjian?year=2025")
	if strings.Contains(page, `type="date"`) || !strings.Contains(page, "(hh-bb-tttt)") {
		t.Fatal("the agreement form's date fields are not dd-mm-yyyy text fields")
	}
	form := url.Values{"csrf": {a.csrf}, "year": {"2025"}, "agency": {"dinkes"}, "title": {"Perjanjian uji tanggal"},
		"signed_on": {"31-01-2025"}, "c_name": {"Cakupan imunisasi"}, "target": {"90"}, "unit": {"%"}, "polarity": {"higher"},
		"period_start": {"1/1/2025"}, "period_end": {"31.12.2025"}}
	for field, bad := range map[string]string{"signed_on": "2025-31-01", "period_start": "kemarin", "period_end": "31-13-2025"} {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set(field, bad)
		code, body, _ := a.post("/kla/perjanjian", f)
		if code != 422 || !strings.Contains(body, "tulis hari-bulan-tahun, misalnya 31-01-2025") {
			t.Errorf("%s %q: %d", field, bad, code)
		}
	}
	if code, _, _ := a.post("/kla/perjanjian", form); code != 303 {
		t.Fatalf("create an agreement: %d", code)
	}
	list, err := kla.ListAgreements(bg, w.st, access.System("t"), "61.07", 2025, "dinkes")
	if err != nil || len(list) != 1 || len(list[0].Commitments) != 1 {
		t.Fatalf("agreements: %+v %v", list, err)
	}
	ag, c := list[0], list[0].Commitments[0]
	if ag.SignedOn != "2025-01-31" || c.PeriodStart != "2025-01-01" || c.PeriodEnd != "2025-12-31" {
		t.Fatalf("stored %s, %s – %s", ag.SignedOn, c.PeriodStart, c.PeriodEnd)
	}
	// A realisation typed as the page shows dates, one from a date picker.
	for _, on := range []string{"30-06-2025", "2025-09-30"} {
		if code, _, _ := a.post("/kla/komitmen/"+c.ID+"/realisasi", url.Values{"csrf": {a.csrf}, "on_date": {on}, "value": {"45"},
			"next": {"/kla/perjanjian?year=2025"}}); code != 303 {
			t.Fatalf("realisation on %s: %d", on, code)
		}
	}
	if code, body, _ := a.post("/kla/komitmen/"+c.ID+"/realisasi", url.Values{"csrf": {a.csrf}, "on_date": {"30 Juni"}, "value": {"45"}}); code != 422 ||
		!strings.Contains(body, "30 Juni") {
		t.Errorf("a realisation on a wrong date: %d", code)
	}

	for _, lang := range []string{"id", "en"} {
		b := w.loggedIn("reg-admin")
		if lang == "en" {
			if code, _, _ := b.post("/lang", url.Values{"csrf": {b.csrf}, "lang": {"en"}, "next": {"/beranda"}}); code != 303 {
				t.Fatalf("switch to English: %d", code)
			}
		}
		for _, p := range []string{"/kla/perjanjian?year=2025", "/kla/opd/dinkes?year=2025", "/kla/anggaran?year=2025"} {
			code, body, _ := b.get(p)
			if code != 200 {
				t.Fatalf("%s %s: %d", lang, p, code)
			}
			checkPage(t, p, body)
			if m := isoDayRE.FindAllString(pageText(body), -1); len(m) > 0 {
				t.Errorf("%s %s shows ISO dates: %v", lang, p, m)
			}
			if p == "/kla/anggaran?year=2025" {
				continue
			}
			for _, want := range []string{`<time datetime="2025-01-31" class="nowrap">31-01-2025</time>`,
				`<time datetime="2025-01-01" class="nowrap">01-01-2025</time> – <time datetime="2025-12-31" class="nowrap">31-12-2025</time>`,
				`<time datetime="2025-09-30" class="nowrap">30-09-2025</time>`} {
				if !strings.Contains(body, want) {
					t.Errorf("%s %s: no %s", lang, p, want)
				}
			}
		}
	}
}
