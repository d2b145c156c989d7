package server_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/store"
)

var (
	pdfPageRE     = regexp.MustCompile(`/Type\s*/Page[^s]`)
	pdfMediaBoxRE = regexp.MustCompile(`/MediaBox\s*\[\s*0\s+0\s+([0-9.]+)\s+([0-9.]+)\s*\]`)
)

// The printable case file, printed to PDF by headless Chromium as its
// users would: the case's lead gets numbered A4 pages naming the child; a
// caseworker of the region who does not handle the case gets the same
// file with the child's name masked — asserted on the page in the browser
// and on the text of the PDF itself; each printing is audited, and those
// who may not see the case get 404.
func TestBrowserCasePrint(t *testing.T) {
	t.Parallel()
	execPath := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), browserBudget)
	defer cancel()
	w := newCapiWorld(t, store.SQLite)
	id := w.a.cs.ID
	// A second child with every SIMFONI-PPA field, printed labelled.
	fifteen := 15
	if err := w.srv.Cases.AddDetail(bg, capiSys, id, cases.CaseDetail{Victim: &domain.Victim{Name: "RAHASIA-KORBAN KEDUA", Sex: domain.SexFemale,
		Age: &fifteen, Education: "junior", Occupation: "student", MaritalStatus: "unmarried", Place: "school", Disabilities: []string{"hearing"},
		Types: []domain.ViolenceType{domain.VSexual}}}); err != nil {
		t.Fatal(err)
	}
	print := func(user string) (string, []byte) {
		t.Helper()
		c := newChrome(t, ctx, execPath)
		c.loginOnPhone(w.ts.URL, user, pw)
		c.do("open the case", chromedp.Navigate(w.ts.URL+"/kasus/"+id))
		c.navigateVia("follow the print link", chromedp.Click(chromedp.ID("print-link")))
		c.fits("case file of " + user)
		text := c.text("#case-file")
		pdf, err := chromedp.Run(c.ctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize()))
		c.must("print to PDF", err)
		return text, pdf
	}

	lead, pdf := print("cw-lead")
	for _, s := range []string{"RAHASIA-KORBAN A", "RAHASIA-PELAKU A", "RAHASIA-RINGKASAN A", "RAHASIA-PENYEDIA A", "RAHASIA-LEMBAGA A",
		"RAHASIA-TEMPAT A", "Berkas kasus " + domain.FormatPublicCode(w.a.cs.Code), "Dicetak oleh cw-lead", "RAHASIA"} {
		if !strings.Contains(lead, s) {
			t.Errorf("the lead's case file lacks %q", s)
		}
	}
	second := "Korban 2 Nama RAHASIA-KORBAN KEDUA Jenis kelamin Perempuan Umur (tahun) 15 tahun (13-17) Kelompok Anak (A) " +
		"Jenis kekerasan/masalah Kekerasan seksual Pendidikan SMP / sederajat Pekerjaan Pelajar / mahasiswa " +
		"Status perkawinan Belum kawin Tempat kejadian Sekolah Ragam disabilitas Sensorik rungu (pendengaran)"
	if got := squeeze(textFrom(t, lead, "Korban 2")); !strings.HasPrefix(got, squeeze(second)) {
		t.Errorf("the second child prints as %.400s", got)
	}
	checkA4(t, "the lead's", pdf)
	paper := checkPDFText(t, "the lead's", pdf)
	for _, s := range []string{"RAHASIA-KORBAN A", "RAHASIA-KORBAN KEDUA", "RAHASIA-PELAKU A", "RAHASIA-RINGKASAN A", second,
		"Berkas kasus " + domain.FormatPublicCode(w.a.cs.Code)} {
		if !strings.Contains(paper, squeeze(s)) {
			t.Errorf("the lead's PDF lacks %q", s)
		}
	}

	masked, pdf := print("cw-a")
	if strings.Contains(masked, "RAHASIA-") {
		t.Errorf("a caseworker who does not handle the case prints personal data: %.300s", masked)
	}
	if !strings.Contains(masked, "Data pribadi disembunyikan") || !strings.Contains(masked, "disembunyikan") {
		t.Errorf("the masked case file does not say what is hidden: %.300s", masked)
	}
	if got := squeeze(textFrom(t, masked, "Korban 2")); !strings.Contains(got, squeeze("SMP / sederajat")) ||
		!strings.Contains(got, squeeze("Ragam disabilitas disembunyikan")) || strings.Contains(got, "Sensorik") {
		t.Errorf("the masked file's second child: %.400s", got)
	}
	checkA4(t, "the masked", pdf)
	paper = checkPDFText(t, "the masked", pdf)
	if strings.Contains(paper, "RAHASIA-") || !strings.Contains(paper, "disembunyikan") || !strings.Contains(paper, squeeze("Data pribadi disembunyikan")) {
		t.Errorf("the masked PDF shows personal data or does not say what is hidden: %.300s", paper)
	}

	es, err := w.st.ListAudit(bg, capiSys, domain.AuditFilter{Action: "case.print", ObjectID: id})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range es {
		got[e.Actor] = e.Detail
	}
	if !strings.Contains(got["cw-lead"], "personal=true") || !strings.Contains(got["cw-a"], "personal=false") || len(es) != 2 {
		t.Errorf("printing audited as %v", got)
	}

	// Those who may not see the case: not found, nothing audited.
	for _, user := range []string{"cw-b", "opd"} {
		b := w.loggedIn(user)
		if code, body, _ := b.get("/kasus/" + id + "/cetak"); code != http.StatusNotFound || strings.Contains(body, "RAHASIA-") {
			t.Errorf("%s prints the case file: %d", user, code)
		}
	}
	if es, _ := w.st.ListAudit(bg, capiSys, domain.AuditFilter{Action: "case.print", ObjectID: id}); len(es) != 2 {
		t.Errorf("%d printings audited after the refusals", len(es))
	}
}

// checkA4 asserts that pdf has pages, all A4 portrait (595 x 842 points).
func checkA4(t *testing.T, whose string, pdf []byte) {
	t.Helper()
	pages := len(pdfPageRE.FindAll(pdf, -1))
	if pages < 1 {
		t.Fatalf("%s case file printed %d pages", whose, pages)
	}
	boxes := pdfMediaBoxRE.FindAllSubmatch(pdf, -1)
	if len(boxes) != pages {
		t.Errorf("%s case file: %d pages, %d media boxes", whose, pages, len(boxes))
	}
	for _, b := range boxes {
		wd, _ := strconv.ParseFloat(string(b[1]), 64)
		ht, _ := strconv.ParseFloat(string(b[2]), 64)
		if wd < 593 || wd > 597 || ht < 840 || ht > 844 {
			t.Errorf("%s case file: a page of %.0f x %.0f points, not A4", whose, wd, ht)
		}
	}
	t.Logf("%s case file: %d A4 pages, %d bytes", whose, pages, len(pdf))
}

// textFrom is text from the first occurrence of from on (the test fails
// without one).
func textFrom(t *testing.T, text, from string) string {
	t.Helper()
	i := strings.Index(text, from)
	if i < 0 {
		t.Fatalf("no %q in %.300s", from, text)
	}
	return text[i:]
}

// checkPDFText reads the text printed on each page of pdf (pdftext_test.go),
// checks that every page is numbered "n / total" and that the file ends on
// the last page, and returns the whole text without whitespace (squeeze).
func checkPDFText(t *testing.T, whose string, pdf []byte) string {
	t.Helper()
	pages := pdfPages(pdf)
	if len(pages) == 0 {
		t.Fatalf("%s PDF: no text found", whose)
	}
	var all strings.Builder
	for i, p := range pages {
		p = squeeze(p)
		if num := fmt.Sprintf("%d/%d", i+1, len(pages)); !strings.Contains(p, num) {
			t.Errorf("%s PDF: page %d is not numbered %q: %.120s", whose, i+1, num, p)
		}
		all.WriteString(p)
	}
	if !strings.Contains(squeeze(pages[len(pages)-1]), "Akhirberkaskasus") {
		t.Errorf("%s PDF: the last page does not end the file", whose)
	}
	return all.String()
}

// The inbox's search and the SIMFONI-PPA export page on a 390 px phone: a
// supervisor types part of a child's name, finds the case, opens the export
// page and sees what is missing, without sideways scrolling and with the
// accessibility check clean.
func TestBrowserSearchAndExportOnPhone(t *testing.T) {
	t.Parallel()
	execPath := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), browserBudget)
	defer cancel()
	w := newCapiWorld(t, store.SQLite)
	c := newChrome(t, ctx, execPath)
	c.loginOnPhone(w.ts.URL, "sup", pw)
	c.do("open the inbox", chromedp.Navigate(w.ts.URL+"/kasus"))
	c.navigateVia("search a part of the name", chromedp.SendKeys(chromedp.ID("q"), "korban a"), chromedp.Click(chromedp.ID("search-submit")))
	c.fits("inbox search")
	// "a" is shorter than a name token: the search is for "korban",
	// part of both children's names, and the supervisor handles both.
	if s := c.text("main"); !strings.Contains(s, domain.FormatPublicCode(w.a.cs.Code)) || !strings.Contains(s, domain.FormatPublicCode(w.b.cs.Code)) {
		t.Errorf("searching 'korban a' lists: %.400s", s)
	}
	c.navigateVia("open the export page", chromedp.Click(chromedp.ID("simfoni-link")))
	c.fits("SIMFONI export page")
	if s := c.text("main"); !strings.Contains(s, "Data belum lengkap") || !strings.Contains(s, "Unduh XLSX") {
		t.Errorf("the export page reads: %.400s", s)
	}
}
