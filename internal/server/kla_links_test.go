package server_test

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/server"
	"lindu/internal/store"
)

// The KLA dashboard's export links and the entry page's template links
// carry the region and year on screen (they were escaped into one
// parameter and the files came for the regency and this year): following
// them downloads the district's file of that year, with that district's
// values of that year only.
func TestKLALinksKeepRegionAndYear(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	if _, err := kla.EnsureShipped(bg, w.st); err != nil {
		t.Fatal(err)
	}
	op := w.addUser("opd-kes", domain.RoleOPDOperator, "61.07")
	if err := kla.SetUserAgency(bg, w.st, access.System("t"), op.ID, "dinkes"); err != nil {
		t.Fatal(err)
	}
	linkRE := func(id string) *regexp.Regexp { return regexp.MustCompile(`href="([^"]+)" id="` + id + `"`) }
	follow := func(b *browser, body, id string) (string, string) {
		t.Helper()
		m := linkRE(id).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no link %s", id)
		}
		href := html.UnescapeString(m[1])
		code, _, hdr := b.get(href)
		if code != 200 {
			t.Fatalf("%s: %d", href, code)
		}
		return href, hdr.Get("Content-Disposition")
	}
	// Values of indicator 11 in three places: the district's file of 2025
	// must carry 91 only.
	rg, err := kla.RegimeFor(bg, w.st, 2025)
	if err != nil {
		t.Fatal(err)
	}
	regime := rg.ID
	for _, in := range []domain.KLAValueInput{{IndicatorID: "11", RegionCode: "61.07.01", Year: 2025, Value: 91},
		{IndicatorID: "11", RegionCode: "61.07.02", Year: 2025, Value: 57}, {IndicatorID: "11", RegionCode: "61.07.01", Year: 2024, Value: 33}} {
		if err := kla.PutValues(bg, w.st, access.System("t"), regime, []domain.KLAValueInput{in}); err != nil {
			t.Fatal(err)
		}
	}
	v := w.browser()
	v.login("viewer", pw)
	_, body, _ := v.get("/kla?region=61.07.01&year=2025")
	for _, id := range []string{"export-csv", "export-xlsx"} {
		href, cd := follow(v, body, id)
		if !strings.Contains(href, "region=61.07.01&year=2025") || !strings.Contains(cd, "61.07.01") || !strings.Contains(cd, "2025") {
			t.Errorf("%s: %s gives %q", id, href, cd)
		}
	}
	href, _ := follow(v, body, "export-csv")
	_, csvBody, _ := v.get(href)
	if !strings.Contains(csvBody, "91") || strings.Contains(csvBody, "57") || strings.Contains(csvBody, "33") {
		t.Errorf("the district's 2025 export does not hold exactly its own value of 2025: %.600s", csvBody)
	}
	o := w.browser()
	o.login("opd-kes", pw)
	_, body, _ = o.get("/kla/isi?region=61.07.01&year=2025")
	for _, id := range []string{"template-csv", "template-xlsx"} {
		href, cd := follow(o, body, id)
		if !strings.Contains(href, "region=61.07.01&year=2025") || !strings.Contains(cd, "61.07.01") || !strings.Contains(cd, "2025") {
			t.Errorf("%s: %s gives %q", id, href, cd)
		}
	}
}

// The catalogue and the budget tables name agencies, not their codes.
func TestKLATablesNameAgencies(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	if _, err := kla.EnsureShipped(bg, w.st); err != nil {
		t.Fatal(err)
	}
	if _, err := kla.AddBudgetItem(bg, w.st, access.System("t"), domain.KLABudgetItem{RegionCode: "61.07", Year: 2025, Agency: "dinkes",
		Level: domain.BudgetProgramme, Code: "1.02.02", Name: "Program pemenuhan upaya kesehatan"}); err != nil {
		t.Fatal(err)
	}
	a := w.browser()
	a.login("reg-admin", pw)
	for _, p := range []string{"/kla/katalog", "/kla/anggaran?year=2025"} {
		_, body, _ := a.get(p)
		if !strings.Contains(body, ">Dinas Kesehatan</td>") || strings.Contains(body, ">dinkes</td>") {
			t.Errorf("%s shows agency codes", p)
		}
	}
}

// A refused entry form starts with a summary whose links lead to each
// refused field.
func TestKLAEntryErrorSummary(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	if _, err := kla.EnsureShipped(bg, w.st); err != nil {
		t.Fatal(err)
	}
	op := w.addUser("opd-kes", domain.RoleOPDOperator, "61.07")
	if err := kla.SetUserAgency(bg, w.st, access.System("t"), op.ID, "dinkes"); err != nil {
		t.Fatal(err)
	}
	b := w.loggedIn("opd-kes")
	b.get("/kla/isi?region=61.07&year=2025")
	code, page := b.postMultipart("/kla/isi", map[string]string{"csrf": b.csrf, "region": "61.07", "year": "2025", "value_11": "banyak"},
		"file_11", "", nil)
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("refused form: %d", code)
	}
	i := strings.Index(page, `id="entry-errors"`)
	if i < 0 || !strings.Contains(page[i:], `href="#value_11"`) || !strings.Contains(page, `id="value_11" name="value_11" value="banyak" aria-invalid="true"`) {
		t.Errorf("no error summary linking to the refused field")
	}
	checkPage(t, "/kla/isi refused", page)
}
