package server_test

import (
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/store"
)

// What the code scan looks for in the visible text of a page: words in
// snake_case and dotted keys (internal codes and catalogue keys), and in
// English some common Indonesian words of the interface.
var (
	scanSnakeRE  = regexp.MustCompile(`\b[a-z]+_[a-z_]+\b`)
	scanDottedRE = regexp.MustCompile(`\b[a-z]+\.[a-z_]+\.|\b[a-z]+\.[a-z_]{3,}\b`)
	scanTokenRE  = regexp.MustCompile(`[A-Za-z0-9@._:/+-]+`)
	scanDropRE   = regexp.MustCompile(`(?is)<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->|<title>.*?</title>`)
	scanTagRE    = regexp.MustCompile(`(?s)<[^>]*>`)
	scanNavRE    = regexp.MustCompile(`(?s)<nav\b.*?</nav>`)
	scanHrefRE   = regexp.MustCompile(`href="(/[^"#]*)"`)
	// Indonesian words of the interface that an English page must not
	// show (case-sensitive: a capitalised label or button).
	scanIndonesian = regexp.MustCompile(`\b(Simpan|Kembali|Belum|Tahun|Wilayah|Tambah|Unduh|Cari|Hapus|Batal|Semua|Pilih|Keluar|Beranda|Tanggal|Rincian|Sampai|Tindakan|Ubah|Kirim|Sudah|Catatan|Isi|Terverifikasi|Menunggu|Ditolak|Lihat|Jumlah)\b`)
)

// scanAllowed are the words the scan lets pass, each for a reason.
var scanAllowed = map[string]string{
	// The catalogue import's column names, which the admin types into
	// the file's header row (the importer reads them as written).
	"sub_items": "a column of the KLA catalogue file",
}

// scanElsewhere are findings on pages this work does not own, left for
// their owners (issue 18 item 5), by page and word: each is a defect.
var scanElsewhere = map[string]string{}

// scanFileRE: file names and web addresses are not codes.
var scanFileRE = regexp.MustCompile(`(?i)(\.(csv|xlsx|txt|pdf|json|org|com|id|net|example|html|svg|png|jpe?g)$|@|://)`)

// visibleText is what a reader sees of a page: no scripts, styles,
// comments, tags or attribute values; entities decoded.
func visibleText(body string) string {
	body = scanDropRE.ReplaceAllString(body, " ")
	body = scanTagRE.ReplaceAllString(body, " ")
	return html.UnescapeString(body)
}

// codeFindings lists the internal codes (and, in English, Indonesian
// words) in a page's visible text.
// codeWords are further codes that are plain words (the KLA agencies'
// codes: "dinkes", "dp3a"), looked for as whole words.
var codeWords *regexp.Regexp

// data are texts of the deployment's data shown as written (the KLA
// catalogue's Indonesian names), taken out before looking for Indonesian
// words in English.
func codeFindings(body, lang string, data ...string) []string {
	text := visibleText(body)
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, tok := range scanTokenRE.FindAllString(text, -1) {
		tok = strings.Trim(tok, ".:,;/+-")
		if _, ok := scanAllowed[tok]; ok || scanFileRE.MatchString(tok) {
			continue
		}
		for _, m := range scanSnakeRE.FindAllString(tok, -1) {
			add(m)
		}
		for _, m := range scanDottedRE.FindAllString(tok, -1) {
			add(m)
		}
	}
	if codeWords != nil {
		for _, m := range codeWords.FindAllString(text, -1) {
			add(m)
		}
	}
	if lang == "en" {
		text = strings.Join(strings.Fields(text), " ")
		for _, d := range data {
			if d != "" {
				text = strings.ReplaceAll(text, d, " ")
			}
		}
		for _, m := range scanIndonesian.FindAllString(text, -1) {
			add(m)
		}
	}
	return out
}

// navLinks are the local links of a page's navigations (the main menu and
// the tabs of an area), without downloads.
func navLinks(body string) []string {
	var out []string
	for _, nav := range scanNavRE.FindAllString(body, -1) {
		for _, m := range scanHrefRE.FindAllStringSubmatch(nav, -1) {
			p := html.UnescapeString(m[1])
			if strings.Contains(p, "ekspor") || strings.HasSuffix(p, ".csv") || strings.HasSuffix(p, ".xlsx") || strings.HasPrefix(p, "/static/") {
				continue
			}
			out = append(out, p)
		}
	}
	return out
}

// TestCodeScan renders the main pages of every role, in Indonesian and in
// English, and finds no internal code or catalogue key in the visible text
// and no Indonesian word of the interface in English.
func TestCodeScan(t *testing.T) {
	t.Parallel()
	w := newCapiWorld(t, store.SQLite)
	if _, err := kla.EnsureShipped(bg, w.st); err != nil {
		t.Fatal(err)
	}
	if err := kla.SetUserAgency(bg, w.st, capiSys, w.users["opd"].ID, "dinkes"); err != nil {
		t.Fatal(err)
	}
	year := w.clock.Now().Year() - 1
	for _, v := range []map[string]any{{"indicator": "11", "region_code": "61.07", "year": year, "value": 92, "note": "PWS"},
		{"indicator": "12", "region_code": "61.07", "year": year, "value": 40}} {
		if code, body := w.api("PUT", "/api/v1/kla/values", w.toks["opd"], v); code != 200 {
			t.Fatalf("KLA value: %d %v", code, body)
		}
	}
	w.addUser("pkm", domain.RoleProvider, "61.07")
	if err := w.st.Audit(bg, capiSys, "auth.login", "user", w.users["cw-a"].ID, "61.07", "factor=password,totp_pending"); err != nil {
		t.Fatal(err)
	}
	// The KLA catalogue is the government's text, in Indonesian in both
	// languages: its regime and indicator names are data, not interface.
	var data []string
	regs, err := kla.Regimes(bg, w.st)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range regs {
		data = append(data, g.Name)
		inds, err := kla.Indicators(bg, w.st, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, ind := range inds {
			data = append(data, strings.Join(strings.Fields(ind.Name), " "), strings.Join(strings.Fields(ind.Definition), " "))
		}
	}
	sort.Slice(data, func(i, j int) bool { return len(data[i]) > len(data[j]) })
	ags, err := kla.Agencies(bg, w.st)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, a := range ags {
		codes = append(codes, regexp.QuoteMeta(a.Code))
	}
	codeWords = regexp.MustCompile(`(?:^|[^\w/.-])(` + strings.Join(codes, "|") + `)(?:$|[^\w/.-])`)
	defer func() { codeWords = nil }()
	users := []string{"reg-admin", "admin-a", "admin-b", "cw-a", "cw-b", "viewer", "sup", "other-prov", "opd", "fasil", "resp-in", "pkm"}
	var findings []string
	pages := 0
	for _, name := range users {
		b := w.loggedIn(name)
		for _, lang := range []string{"id", "en"} {
			if code, _, _ := b.post("/lang", url.Values{"csrf": {b.csrf}, "lang": {lang}, "next": {"/beranda"}}); code != 303 {
				t.Fatalf("%s: language %s: %d", name, lang, code)
			}
			todo := []string{"/beranda", "/account"}
			done := map[string]bool{}
			for len(todo) > 0 {
				path := todo[0]
				todo = todo[1:]
				if done[path] {
					continue
				}
				done[path] = true
				code, body, _ := b.get(path)
				if code != 200 {
					continue
				}
				pages++
				text := strings.Join(strings.Fields(visibleText(body)), " ")
				for _, f := range codeFindings(body, lang, data...) {
					if _, ok := scanElsewhere[path+" "+f]; ok {
						continue
					}
					i := strings.Index(text, f)
					ctx := text[max(0, i-40):min(len(text), i+len(f)+40)]
					findings = append(findings, fmt.Sprintf("%s %s: %q in %q", lang, path, f, ctx))
				}
				if path == "/beranda" || strings.Count(path, "/") == 1 {
					todo = append(todo, navLinks(body)...)
				}
			}
		}
	}
	sort.Strings(findings)
	findings = slices.Compact(findings)
	if pages < 100 {
		t.Errorf("only %d pages scanned", pages)
	}
	for _, f := range findings {
		t.Error(f)
	}
}

func TestCodeScanFinds(t *testing.T) {
	t.Parallel()
	page := `<html><head><title>x_y</title><style>.a_b{}</style></head><body><p title="auth.login">Masuk</p>
<td>case.view_personal</td><p>fields=summary_x</p><a href="/a_b">Simpan</a><p>lindu@example.org kla.csv</p></body></html>`
	got := codeFindings(page, "en")
	want := []string{"case.view_personal", "view_personal", "summary_x", "Simpan"}
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
