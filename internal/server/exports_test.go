package server_test

// The downloads of the staff tables (internal/web/export_table.go): the
// case inbox, reports, the audit log, KLA agreements and budgets as CSV
// and XLSX. Each answers whom its page answers, with the same status, and
// lists the page's rows for the same filter; the CSV uses semicolons and
// decimal commas in Indonesian and commas in English (or what ?pemisah=
// asks), the XLSX has numbers as numbers, and no formula survives.

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// exportCSV parses a downloaded CSV: the BOM is required, the separator
// is the one given.
func exportCSV(t *testing.T, body string, sep rune) [][]string {
	t.Helper()
	if !strings.HasPrefix(body, "\xef\xbb\xbf") {
		t.Fatalf("CSV without a BOM: %.40q", body)
	}
	r := csv.NewReader(strings.NewReader(body[3:]))
	r.Comma = sep
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("CSV (%q): %v: %.300s", sep, err, body)
	}
	return recs
}

// exportXLSX opens a downloaded XLSX and returns it with its first
// sheet's rows.
func exportXLSX(t *testing.T, body string) (*excelize.File, string, [][]string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatalf("XLSX: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	sh := f.GetSheetList()[0]
	rows, err := f.GetRows(sh)
	if err != nil {
		t.Fatal(err)
	}
	return f, sh, rows
}

// column is the values of the column headed head (header row dropped).
func column(t *testing.T, recs [][]string, head string) []string {
	t.Helper()
	if len(recs) == 0 {
		t.Fatalf("no header")
	}
	i := slices.Index(recs[0], head)
	if i < 0 {
		t.Fatalf("no column %q in %q", head, recs[0])
	}
	var out []string
	for _, r := range recs[1:] {
		if i < len(r) {
			out = append(out, r[i])
		} else {
			out = append(out, "")
		}
	}
	return out
}

// pageCodes are the codes a list page links to, in order.
var pageCodeRE = regexp.MustCompile(`class="code">([^<]+)</a>`)

func pageCodes(body string) []string {
	var out []string
	for _, m := range pageCodeRE.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// numericCell fails unless the cell of column head in data row n (1-based)
// is a number: its raw value parses and it carries no formula.
func numericCell(t *testing.T, f *excelize.File, sh string, rows [][]string, head string, n int, want string) {
	t.Helper()
	i := slices.Index(rows[0], head)
	if i < 0 {
		t.Fatalf("no column %q", head)
	}
	ref, _ := excelize.CoordinatesToCellName(i+1, n+1)
	typ, _ := f.GetCellType(sh, ref)
	raw, _ := f.GetCellValue(sh, ref, excelize.Options{RawCellValue: true})
	if typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString || raw != want {
		t.Errorf("%s %s: type %v raw %q, want the number %s", head, ref, typ, raw, want)
	}
}

// noFormula fails if any cell of any sheet holds a formula.
func noFormula(t *testing.T, f *excelize.File) {
	t.Helper()
	for _, sh := range f.GetSheetList() {
		rows, _ := f.GetRows(sh)
		for r, row := range rows {
			for c := range row {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if fm, _ := f.GetCellFormula(sh, ref); fm != "" {
					t.Errorf("%s!%s holds the formula %q", sh, ref, fm)
				}
			}
		}
	}
}

// inEnglish switches a browser's session to English.
func inEnglish(t *testing.T, b *browser) {
	t.Helper()
	if code, _, _ := b.post("/lang", url.Values{"csrf": {b.csrf}, "lang": {"en"}, "next": {"/beranda"}}); code != http.StatusSeeOther {
		t.Fatalf("switch to English: %d", code)
	}
}

// The case inbox's download, for every kind of user: the page's status,
// the page's rows (codes, in order) for the same filter, in CSV and XLSX;
// no personal data; audited; a team name that looks like a formula is
// text; anonymous visitors log in first.
func TestExportCases(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCapiWorld(t, d)
		// A case handled by a team whose name looks like a formula.
		tm, err := w.srv.Cases.CreateTeam(bg, capiSys, domain.Team{Name: "=1+1 Tim Uji", Kind: "uptd", RegionCode: "61.07.01"})
		if err != nil {
			t.Fatal(err)
		}
		fc := w.newCase(t, "61.07.01.2001", "F")
		if _, err := w.srv.Cases.Reassign(bg, capiSys, fc.ID, tm.ID, "", ""); err != nil {
			t.Fatal(err)
		}
		a, b := domain.FormatPublicCode(w.a.cs.Code), domain.FormatPublicCode(w.b.cs.Code)
		for _, x := range []struct {
			user        string
			code        int
			sees, hides string
		}{
			{"reg-admin", 200, a + " " + b, ""},
			{"sup", 200, a + " " + b, ""},
			{"admin-a", 200, a, b},
			{"admin-b", 200, b, a},
			{"cw-lead", 200, a, b},
			{"cw-b", 200, b, a},
			{"other-prov", 200, "", a + " " + b},
			{"viewer", 403, "", ""},
			{"opd", 403, "", ""},
			{"fasil", 403, "", ""},
		} {
			br := w.loggedIn(x.user)
			for _, filter := range []string{"?f=1", "", "?f=1&region=61.07.02", "?f=1&priority=high&type=physical"} {
				pcode, page, _ := br.get("/kasus" + filter)
				if pcode != x.code {
					t.Fatalf("%s page %s: %d, want %d", x.user, filter, pcode, x.code)
				}
				code, body, h := br.get("/kasus/ekspor.csv" + filter)
				if code != x.code {
					t.Errorf("%s CSV %s: %d, want %d", x.user, filter, code, x.code)
					continue
				}
				xcode, xbody, xh := br.get("/kasus/ekspor.xlsx" + filter)
				if xcode != x.code {
					t.Errorf("%s XLSX %s: %d, want %d", x.user, filter, xcode, x.code)
				}
				if code != 200 {
					continue
				}
				if !strings.Contains(page, `href="/kasus/ekspor.csv`) || !strings.Contains(page, `href="/kasus/ekspor.xlsx`) {
					t.Errorf("%s page %s lacks the download links", x.user, filter)
				}
				if !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !strings.Contains(h.Get("Content-Disposition"), `attachment; filename="kasus-`) ||
					h.Get("Cache-Control") != "no-store" || !strings.Contains(xh.Get("Content-Disposition"), ".xlsx") {
					t.Errorf("%s headers %v / %v", x.user, h, xh)
				}
				recs := exportCSV(t, body, ';')
				codes := column(t, recs, "Kode kasus")
				want := pageCodes(page)
				if strings.Join(codes, " ") != strings.Join(want, " ") {
					t.Errorf("%s %s: CSV rows %q, page rows %q", x.user, filter, codes, want)
				}
				_, _, xrows := exportXLSX(t, xbody)
				if got := column(t, xrows, "Kode kasus"); strings.Join(got, " ") != strings.Join(want, " ") {
					t.Errorf("%s %s: XLSX rows %q, page rows %q", x.user, filter, got, want)
				}
				if filter == "?f=1" {
					for _, c := range strings.Fields(x.sees) {
						if !slices.Contains(codes, c) {
							t.Errorf("%s lacks case %s", x.user, c)
						}
					}
					for _, c := range strings.Fields(x.hides) {
						if slices.Contains(codes, c) {
							t.Errorf("%s gets case %s", x.user, c)
						}
					}
				}
				if leaks := capiLeaks([]byte(body + xlsxText(t, []byte(xbody)))); len(leaks) > 0 {
					t.Errorf("%s %s: personal data %q", x.user, filter, leaks)
				}
			}
		}

		// Values: labels in Indonesian, dates dd-mm-yyyy, the formula-like
		// team name defused in the CSV and text in the XLSX.
		sup := w.loggedIn("sup")
		_, body, _ := sup.get("/kasus/ekspor.csv?f=1")
		recs := exportCSV(t, body, ';')
		row := slices.IndexFunc(recs, func(r []string) bool { return r[0] == domain.FormatPublicCode(fc.Code) })
		if row < 0 {
			t.Fatalf("no row of the formula case in %q", recs)
		}
		who := recs[row][slices.Index(recs[0], "Tim / petugas")]
		if !strings.HasPrefix(who, "'=1+1 Tim Uji") {
			t.Errorf("team name not defused: %q", who)
		}
		if got := recs[row][slices.Index(recs[0], "Prioritas")]; got != "Tinggi" && got != "tinggi" {
			t.Errorf("priority %q", got)
		}
		if got := recs[row][slices.Index(recs[0], "Dilaporkan")]; !regexp.MustCompile(`^\d\d-\d\d-\d{4} \d\d:\d\d$`).MatchString(got) {
			t.Errorf("reported at %q", got)
		}
		_, xbody, _ := sup.get("/kasus/ekspor.xlsx?f=1")
		f, sh, xrows := exportXLSX(t, xbody)
		noFormula(t, f)
		if got := column(t, xrows, "Tim / petugas")[row-1]; !strings.HasPrefix(got, "=1+1 Tim Uji") {
			t.Errorf("XLSX team %q", got)
		}
		if typ, _ := f.GetCellType(sh, "H2"); typ == excelize.CellTypeInlineString || xrows[0][7] != "Dilaporkan" {
			t.Errorf("reported at is not a date: %v %q", typ, xrows[0])
		}
		if l := f.GetSheetList(); len(l) != 2 || l[1] != "Keterangan" {
			t.Errorf("sheets %q", l)
		}

		// A search by name: the file holds what the page found and not the
		// name searched for.
		_, page, _ := sup.get("/kasus?q=" + url.QueryEscape("RAHASIA-KORBAN A"))
		_, body, _ = sup.get("/kasus/ekspor.xlsx?q=" + url.QueryEscape("RAHASIA-KORBAN A"))
		_, _, xrows = exportXLSX(t, body)
		if got, want := column(t, xrows, "Kode kasus"), pageCodes(page); len(want) == 0 || strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("search: file %q, page %q", got, want)
		}
		if strings.Contains(xlsxAll(t, body), "RAHASIA") {
			t.Errorf("the search's text is in the file")
		}

		// Each download is audited, without the search's text.
		es, err := w.st.ListAudit(bg, access.System("test"), domain.AuditFilter{Action: "case.export", Limit: 500})
		if err != nil || len(es) < 10 {
			t.Fatalf("case.export entries: %d, %v", len(es), err)
		}
		for _, e := range es {
			if strings.Contains(e.Detail, "RAHASIA") || !strings.Contains(e.Detail, "rows=") {
				t.Errorf("audit detail %q", e.Detail)
			}
		}

		// Separator: semicolons in Indonesian, commas in English, either
		// on request; headers in the reader's language.
		en := w.loggedIn("sup")
		if _, body, _ := en.get("/kasus/ekspor.csv?f=1&pemisah=koma"); !strings.HasPrefix(body, "\xef\xbb\xbfKode kasus,") {
			t.Errorf("?pemisah=koma: %.60q", body)
		}
		inEnglish(t, en)
		_, body, _ = en.get("/kasus/ekspor.csv?f=1")
		if !strings.HasPrefix(body, "\xef\xbb\xbfCase code,Village,") {
			t.Errorf("English CSV: %.60q", body)
		}
		if _, body, _ := en.get("/kasus/ekspor.csv?f=1&pemisah=titik-koma"); !strings.HasPrefix(body, "\xef\xbb\xbfCase code;Village;") {
			t.Errorf("English ?pemisah=titik-koma: %.60q", body)
		}
		_, page, _ = en.get("/kasus")
		if !strings.Contains(page, "Download CSV") || !strings.Contains(page, "pemisah=titik-koma") {
			t.Errorf("English page links")
		}
		_, page, _ = sup.get("/kasus?f=1&status=new&page=1")
		if !strings.Contains(page, "Unduh CSV") || !strings.Contains(page, `href="/kasus/ekspor.csv?f=1&amp;status=new"`) ||
			!strings.Contains(page, "pemisah=koma") {
			t.Errorf("Indonesian page links: %s", regexp.MustCompile(`<p class="exports[^\n]*`).FindString(page))
		}

		anon := w.browser()
		for _, p := range []string{"/kasus/ekspor.csv", "/kasus/ekspor.xlsx"} {
			if code, _, h := anon.get(p); code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login") {
				t.Errorf("anonymous %s: %d", p, code)
			}
		}
	})
}

// xlsxAll is the text of every sheet of an XLSX.
func xlsxAll(t *testing.T, body string) string {
	t.Helper()
	f, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	for _, sh := range f.GetSheetList() {
		rows, _ := f.GetRows(sh)
		for _, r := range rows {
			b.WriteString(strings.Join(r, "\t") + "\n")
		}
	}
	return b.String()
}

// The reports list's download: the page's status and rows for each
// status filter, the child's age as a number, audited.
func TestExportReports(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCapiWorld(t, d)
		for _, x := range []struct {
			user string
			code int
		}{{"reg-admin", 200}, {"sup", 200}, {"admin-a", 200}, {"admin-b", 200}, {"other-prov", 200}, {"cw-a", 403}, {"cw-b", 403}, {"viewer", 403}} {
			br := w.loggedIn(x.user)
			for _, st := range []string{"", "?status=all", "?status=merged", "?status=bogus"} {
				pcode, page, _ := br.get("/laporan" + st)
				code, body, _ := br.get("/laporan/ekspor.csv" + st)
				xcode, xbody, _ := br.get("/laporan/ekspor.xlsx" + st)
				if pcode != x.code || code != x.code || xcode != x.code {
					t.Errorf("%s %s: page %d, CSV %d, XLSX %d, want %d", x.user, st, pcode, code, xcode, x.code)
					continue
				}
				if code != 200 {
					continue
				}
				want := pageCodes(page)
				if got := column(t, exportCSV(t, body, ';'), "Kode"); strings.Join(got, " ") != strings.Join(want, " ") {
					t.Errorf("%s %s: CSV %q, page %q", x.user, st, got, want)
				}
				f, sh, rows := exportXLSX(t, xbody)
				if got := column(t, rows, "Kode"); strings.Join(got, " ") != strings.Join(want, " ") {
					t.Errorf("%s %s: XLSX %q, page %q", x.user, st, got, want)
				}
				if len(rows) > 1 {
					numericCell(t, f, sh, rows, "Umur anak (tahun)", 1, "7")
				}
				noFormula(t, f)
				if leaks := capiLeaks([]byte(body + xlsxAll(t, xbody))); len(leaks) > 0 {
					t.Errorf("%s: personal data %q", x.user, leaks)
				}
			}
		}
		// admin-a's file holds A's pending report and not B's.
		_, body, _ := w.loggedIn("admin-a").get("/laporan/ekspor.csv?status=all")
		codes := column(t, exportCSV(t, body, ';'), "Kode")
		if !slices.Contains(codes, domain.FormatPublicCode(w.a.pending.Code)) || slices.Contains(codes, domain.FormatPublicCode(w.b.pending.Code)) {
			t.Errorf("admin-a reports %q", codes)
		}
		if es, _ := w.st.ListAudit(bg, access.System("test"), domain.AuditFilter{Action: "report.export", Limit: 500}); len(es) == 0 {
			t.Errorf("report downloads not audited")
		}
		anon := w.browser()
		for _, p := range []string{"/laporan/ekspor.csv", "/laporan/ekspor.xlsx"} {
			if code, _, h := anon.get(p); code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login") {
				t.Errorf("anonymous %s: %d", p, code)
			}
		}
	})
}

// The audit log's download: whom the page answers, the page's entries
// for the same filter, a detail that looks like a formula defused, the
// entry number a number; the download itself is audited.
func TestExportAuditLog(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCapiWorld(t, d)
		sys := access.System("test")
		if err := w.st.Audit(bg, sys, "test.formula", "case", "obj-1", "61.07.01", `=HYPERLINK("http://evil.example","klik")`); err != nil {
			t.Fatal(err)
		}
		if err := w.st.Audit(bg, sys, "test.formula", "case", "obj-2", "13.01", "-2+3+cmd|' /C calc'!A0"); err != nil {
			t.Fatal(err)
		}
		actRE := regexp.MustCompile(`<td title="Kode tindakan: ([^"]+)">[^<]*</td><td>[^<]*(?:<a href="/audit\?object=[^"]*"><code>([^<]+)</code></a>)?`)
		for _, x := range []struct {
			user string
			code int
			objs string // test.formula objects in the file
		}{{"reg-admin", 200, "obj-1"}, {"admin-a", 200, "obj-1"}, {"admin-b", 200, ""}, {"other-prov", 200, "obj-2"},
			{"cw-a", 403, ""}, {"sup", 403, ""}, {"viewer", 403, ""}} {
			br := w.loggedIn(x.user)
			for _, filter := range []string{"?action=test.", "?action=case.&from=2000-01-01", "?actor=" + x.user} {
				pcode, page, _ := br.get("/audit" + filter)
				code, body, _ := br.get("/audit/ekspor.csv" + filter)
				xcode, xbody, _ := br.get("/audit/ekspor.xlsx" + filter)
				if pcode != x.code && x.code == 200 {
					t.Fatalf("%s page: %d", x.user, pcode)
				}
				if code != pcode || xcode != pcode {
					t.Errorf("%s %s: page %d, CSV %d, XLSX %d", x.user, filter, pcode, code, xcode)
					continue
				}
				if code != 200 {
					continue
				}
				if strings.HasPrefix(filter, "?actor=") {
					continue // the downloads themselves add entries
				}
				var want []string
				for _, m := range actRE.FindAllStringSubmatch(page, -1) {
					want = append(want, m[1]+"/"+m[2])
				}
				recs := exportCSV(t, body, ';')
				acts, objs := column(t, recs, "Kode tindakan"), column(t, recs, "ID objek")
				var got []string
				for i := range acts {
					got = append(got, acts[i]+"/"+objs[i])
				}
				if strings.Join(got, " ") != strings.Join(want, " ") {
					t.Errorf("%s %s: CSV %q, page %q", x.user, filter, got, want)
				}
				if filter == "?action=test." {
					var seen []string
					for i, a := range acts {
						if a == "test.formula" {
							seen = append(seen, objs[i])
						}
					}
					if strings.Join(seen, " ") != x.objs {
						t.Errorf("%s sees %q, want %q", x.user, seen, x.objs)
					}
					for _, det := range column(t, recs, "Rincian") {
						if det != "" && det[0] != '\'' {
							t.Errorf("%s: detail not defused: %q", x.user, det)
						}
					}
					f, sh, rows := exportXLSX(t, xbody)
					noFormula(t, f)
					if len(rows) > 1 {
						if det := column(t, rows, "Rincian")[0]; det != `=HYPERLINK("http://evil.example","klik")` && det != "-2+3+cmd|' /C calc'!A0" {
							t.Errorf("%s: XLSX detail %q", x.user, det)
						}
						if n := column(t, rows, "#")[0]; n != "" {
							numericCell(t, f, sh, rows, "#", 1, n)
						}
					}
				}
			}
		}
		if es, _ := w.st.ListAudit(bg, sys, domain.AuditFilter{Action: "audit.log_export", Limit: 500}); len(es) == 0 {
			t.Errorf("audit log downloads not audited")
		}
		anon := w.browser()
		for _, p := range []string{"/audit/ekspor.csv", "/audit/ekspor.xlsx"} {
			if code, _, h := anon.get(p); code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login") {
				t.Errorf("anonymous %s: %d", p, code)
			}
		}
	})
}

// KLA agreements and budgets: the pages' statuses, their rows, numbers as
// numbers (decimal commas in the Indonesian CSV), a title that looks like a
// formula defused; an unknown agency is not found as on its page.
func TestExportKLAAgreementsAndBudgets(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCapiWorld(t, d)
		if _, err := kla.EnsureShipped(bg, w.st); err != nil {
			t.Fatal(err)
		}
		sys := access.System("test")
		id, err := kla.CreateAgreement(bg, w.st, sys, domain.KLAAgreement{RegionCode: "61.07", Year: 2025, Agency: "dinkes",
			Title: "=1+1 Perjanjian Dinkes", SignedOn: "2025-01-15", Commitments: []domain.KLACommitment{{Name: "Imunisasi dasar lengkap",
				Unit: "%", Polarity: domain.Polarity("higher"), Target: 92.5, PeriodStart: "2025-01-01", PeriodEnd: "2025-12-31"}}})
		if err != nil {
			t.Fatal(err)
		}
		ags, err := kla.ListAgreements(bg, w.st, sys, "61.07", 2025, "")
		if err != nil || len(ags) != 1 || ags[0].ID != id {
			t.Fatalf("agreements %v %v", ags, err)
		}
		if err := kla.AddRealisation(bg, w.st, sys, ags[0].Commitments[0].ID, domain.KLARealisation{OnDate: "2025-06-30", Value: 46.25}); err != nil {
			t.Fatal(err)
		}
		if _, err := kla.AddBudgetItem(bg, w.st, sys, domain.KLABudgetItem{RegionCode: "61.07", Year: 2025, Agency: "dinkes",
			Level: domain.BudgetProgramme, Code: "1.02.02", Name: "@SUM(A1) Program kesehatan"}); err != nil {
			t.Fatal(err)
		}
		progs, _ := kla.ListBudget(bg, w.st, sys, "61.07", 2025, "")
		if _, err := kla.AddBudgetItem(bg, w.st, sys, domain.KLABudgetItem{RegionCode: "61.07", Year: 2025, Agency: "dinkes", ParentID: progs[0].ID,
			Level: domain.BudgetActivity, Code: "1.02.02.2.01", Name: "Kegiatan imunisasi"}); err != nil {
			t.Fatal(err)
		}
		progs, _ = kla.ListBudget(bg, w.st, sys, "61.07", 2025, "")
		if _, err := kla.AddBudgetItem(bg, w.st, sys, domain.KLABudgetItem{RegionCode: "61.07", Year: 2025, Agency: "dinkes",
			ParentID: progs[0].Children[0].ID, Level: domain.BudgetSubActivity, Code: "1.02.02.2.01.0001", Name: "Vaksin",
			Budget: 1500000, Realised: 250000}); err != nil {
			t.Fatal(err)
		}
		type page struct{ page, file string }
		pages := []page{{"/kla/perjanjian?year=2025", "/kla/perjanjian/ekspor%s?year=2025"},
			{"/kla/opd/dinkes?year=2025", "/kla/perjanjian/ekspor%s?year=2025&opd=dinkes"},
			{"/kla/opd/tidak-ada?year=2025", "/kla/perjanjian/ekspor%s?year=2025&opd=tidak-ada"},
			{"/kla/anggaran?year=2025", "/kla/anggaran/ekspor%s?year=2025"},
			{"/kla/anggaran?year=2025&agency=dinsos", "/kla/anggaran/ekspor%s?year=2025&agency=dinsos"}}
		for _, user := range []string{"reg-admin", "admin-a", "viewer", "opd", "other-prov", "cw-a", "sup", "fasil"} {
			br := w.loggedIn(user)
			for _, p := range pages {
				pcode, pbody, _ := br.get(p.page)
				for _, ext := range []string{".csv", ".xlsx"} {
					code, _, _ := br.get(strings.Replace(p.file, "%s", ext, 1))
					if code != pcode {
						t.Errorf("%s %s: page %d, %s %d", user, p.page, pcode, ext, code)
					}
				}
				if pcode == 200 && !strings.Contains(pbody, `id="export-xlsx"`) {
					t.Errorf("%s %s: no download links", user, p.page)
				}
			}
		}
		br := w.loggedIn("reg-admin")
		if code, _, _ := br.get("/kla/perjanjian/ekspor.csv?year=2025&opd=tidak-ada"); code != 404 {
			t.Errorf("unknown agency: %d", code)
		}
		_, body, h := br.get("/kla/perjanjian/ekspor.csv?year=2025")
		recs := exportCSV(t, body, ';')
		if len(recs) != 2 || !strings.Contains(h.Get("Content-Disposition"), `filename="perjanjian-kla-2025.csv"`) {
			t.Fatalf("agreements CSV %q (%s)", recs, h.Get("Content-Disposition"))
		}
		for head, want := range map[string]string{"Judul perjanjian": "'=1+1 Perjanjian Dinkes", "Pihak": "Dinas Kesehatan", "Target": "92,5",
			"Realisasi": "46,25", "Capaian (%)": "50,0", "Ditandatangani": "15-01-2025", "Mulai": "01-01-2025", "Tahun": "2025"} {
			if got := column(t, recs, head)[0]; got != want {
				t.Errorf("agreements %s = %q, want %q", head, got, want)
			}
		}
		if !strings.Contains(body, ";92,5;%;") {
			t.Errorf("a decimal is quoted or written with a dot: %s", body)
		}
		_, xbody, _ := br.get("/kla/perjanjian/ekspor.xlsx?year=2025")
		f, sh, rows := exportXLSX(t, xbody)
		noFormula(t, f)
		numericCell(t, f, sh, rows, "Target", 1, "92.5")
		numericCell(t, f, sh, rows, "Realisasi", 1, "46.25")
		if got := column(t, rows, "Judul perjanjian")[0]; got != "=1+1 Perjanjian Dinkes" {
			t.Errorf("XLSX title %q", got)
		}

		_, pageBody, _ := br.get("/kla/anggaran?year=2025")
		_, body, _ = br.get("/kla/anggaran/ekspor.csv?year=2025")
		recs = exportCSV(t, body, ';')
		names := column(t, recs, "Nama")
		if len(names) != 4 || names[0] != "'@SUM(A1) Program kesehatan" || names[2] != "Vaksin" || column(t, recs, "Tingkat")[3] != "Jumlah" {
			t.Errorf("budget rows %q", recs)
		}
		for _, n := range []string{"Kegiatan imunisasi", "Vaksin"} {
			if !strings.Contains(pageBody, n) {
				t.Errorf("page lacks %s", n)
			}
		}
		if got := column(t, recs, "Anggaran (Rp)"); strings.Join(got, " ") != "1500000 1500000 1500000 1500000" {
			t.Errorf("budgets %q", got)
		}
		if got := column(t, recs, "Realisasi (%)")[2]; got != "16,7" {
			t.Errorf("share %q", got)
		}
		_, xbody, _ = br.get("/kla/anggaran/ekspor.xlsx?year=2025")
		f, sh, rows = exportXLSX(t, xbody)
		noFormula(t, f)
		numericCell(t, f, sh, rows, "Anggaran (Rp)", 3, "1500000")
		numericCell(t, f, sh, rows, "Realisasi (%)", 3, "16.7")
		// Another agency's filter: the total alone.
		_, body, _ = br.get("/kla/anggaran/ekspor.csv?year=2025&agency=dinsos")
		if recs := exportCSV(t, body, ';'); len(recs) != 2 || recs[1][1] != "Jumlah" {
			t.Errorf("dinsos budget %q", recs)
		}
		// English: commas, decimal points, English headers.
		inEnglish(t, br)
		_, body, _ = br.get("/kla/perjanjian/ekspor.csv?year=2025")
		recs = exportCSV(t, body, ',')
		if got := column(t, recs, "Target")[0]; got != "92.5" {
			t.Errorf("English target %q", got)
		}
		if got := column(t, recs, "Agreement title")[0]; got != "'=1+1 Perjanjian Dinkes" {
			t.Errorf("English title %q", got)
		}
		// other-prov sees nothing of 61.07.
		_, body, _ = w.loggedIn("other-prov").get("/kla/perjanjian/ekspor.csv?year=2025")
		if recs := exportCSV(t, body, ';'); len(recs) != 1 {
			t.Errorf("other-prov agreements %q", recs)
		}
		anon := w.browser()
		for _, p := range []string{"/kla/perjanjian/ekspor.csv", "/kla/perjanjian/ekspor.xlsx", "/kla/anggaran/ekspor.csv", "/kla/anggaran/ekspor.xlsx"} {
			if code, _, h := anon.get(p); code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login") {
				t.Errorf("anonymous %s: %d", p, code)
			}
		}
	})
}
