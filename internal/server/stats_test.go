package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/server"
	"lindu/internal/stats"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// statsCases records n cases this year in a village of district, one
// child victim each.
func statsCases(t *testing.T, w *world, district string, n int, typ domain.ViolenceType) {
	t.Helper()
	kids, err := w.st.SearchRegions(bg, store.RegionQuery{Parent: district, Limit: 1})
	if err != nil || len(kids) == 0 {
		t.Fatalf("no village in %s: %v", district, err)
	}
	now := w.clock.Now()
	for i := 0; i < n; i++ {
		age := 6 + i%10
		if _, err := w.srv.Cases.CreateCase(bg, access.System("test"), domain.NewCase{RegionCode: kids[0].Code, Priority: domain.PriorityMedium,
			Types: []domain.ViolenceType{typ}, Summary: "Ringkasan kasus", ReportedAt: now.Add(-time.Duration(i+1) * time.Minute),
			Victims: []domain.Victim{{Name: "Anak Rahasia", Sex: domain.SexFemale, Age: &age, Types: []domain.ViolenceType{typ}}}}); err != nil {
			t.Fatal(err)
		}
	}
}

var tdNum = regexp.MustCompile(`<td class="num[^"]*">([^<]*)</td>`)

// TestStatisticsEndToEnd: who may see and do what; a release is the
// public page's content until the next; no count below the threshold is
// published in HTML, CSV, XLSX or JSON, and all four withhold the same
// cells; a historical table is checked before it is stored.
func TestStatisticsEndToEnd(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		year := strconv.Itoa(w.clock.Now().Add(-24 * time.Hour).In(domain.WIB).Year())
		statsCases(t, w, "61.07.01", 3, domain.VSexual)
		statsCases(t, w, "61.07.02", 12, domain.VPhysical)
		statsCases(t, w, "61.07.03", 9, domain.VPsychological)
		w.addUser("satgas-x", domain.RoleResponder, "61.07.01.2001")

		// The staff page: every role with dashboards, in its own region.
		want := map[string]int{"reg-admin": 200, "admin-a": 200, "admin-b": 200, "cw-a": 200, "cw-b": 200, "viewer": 200, "sup": 200,
			"other-prov": 200, "satgas-x": 403}
		for user, code := range want {
			b := w.loggedIn(user)
			got, body, _ := b.get("/statistik/kelola")
			if got != code {
				t.Errorf("%s /statistik/kelola: %d, want %d", user, got, code)
				continue
			}
			if code != 200 {
				continue
			}
			checkPage(t, user+" /statistik/kelola", body)
			if got, _, _ := b.get("/statistik/kelola?wilayah=61.07&tahun=" + year); user == "other-prov" && got != 404 {
				t.Errorf("other province reads Bengkayang's statistics: %d", got)
			}
			// Only a publisher sees the publish form.
			if strings.Contains(body, `id="publish"`) != (user == "reg-admin" || user == "admin-a" || user == "admin-b" || user == "other-prov") {
				t.Errorf("%s: publish form shown=%v", user, strings.Contains(body, `id="publish"`))
			}
			// The raw count 3 is shown only to those who manage the cases.
			row := districtRow(body, "61.07.01", w)
			if manages := user == "reg-admin" || user == "sup"; manages != strings.Contains(row, ">3<") {
				t.Errorf("%s sees district 61.07.01 as %q", user, row)
			}
		}
		if code, _, h := w.browser().get("/statistik/kelola"); code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login") {
			t.Errorf("anonymous staff page: %d %s", code, h.Get("Location"))
		}

		// Publishing: refused to a viewer, a supervisor, and an admin of a
		// district for the regency; done by the regency's admin.
		form := url.Values{"wilayah": {"61.07"}, "tahun": {year}}
		for user, code := range map[string]int{"viewer": 403, "sup": 403, "admin-a": 404} {
			b := w.loggedIn(user)
			f := url.Values{"csrf": {b.csrf}, "wilayah": form["wilayah"], "tahun": form["tahun"]}
			if got, _, _ := b.post("/statistik/kelola/rilis", f); got != code {
				t.Errorf("%s publish: %d, want %d", user, got, code)
			}
		}
		if code, _, _ := w.browser().get("/statistik"); code != 200 {
			t.Fatalf("public page before any release: %d", code)
		}
		admin := w.loggedIn("reg-admin")
		f := url.Values{"csrf": {admin.csrf}, "wilayah": form["wilayah"], "tahun": form["tahun"]}
		// From no case last year to 24: the jump holds the release back
		// until explained.
		if code, body, _ := admin.post("/statistik/kelola/rilis", f); code != http.StatusConflict || !strings.Contains(body, "jump:summary:cases") {
			t.Fatalf("publish with an unexplained jump: %d", code)
		}
		_, body, _ := admin.get("/statistik/kelola?wilayah=61.07&tahun=" + year)
		keys := regexp.MustCompile(`name="key" value="([^"]+)"`).FindAllStringSubmatch(body, -1)
		if len(keys) == 0 {
			t.Fatal("no check to explain on the staff page")
		}
		for _, k := range keys {
			ex := url.Values{"csrf": {admin.csrf}, "wilayah": form["wilayah"], "tahun": form["tahun"], "key": {k[1]},
				"comment": {"Layanan pengaduan baru dibuka tahun ini; tahun lalu belum ada pencatatan."}}
			if code, _, _ := admin.post("/statistik/kelola/penjelasan", ex); code != http.StatusSeeOther {
				t.Fatalf("explain %s: %d", k[1], code)
			}
		}
		code, _, h := admin.post("/statistik/kelola/rilis", f)
		if code != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "rilis="+year+"-A") {
			t.Fatalf("publish: %d %s", code, h.Get("Location"))
		}

		// The public page, CSV, XLSX and JSON publish the same cells.
		anon := w.browser()
		code, page, _ := anon.get("/statistik")
		if code != 200 || !strings.Contains(page, year+"-A") {
			t.Fatalf("public page: %d", code)
		}
		checkPage(t, "/statistik", page)
		for _, m := range tdNum.FindAllStringSubmatch(page, -1) {
			if n, err := strconv.Atoi(strings.ReplaceAll(m[1], ".", "")); err == nil && n > 0 && n < stats.DefaultThreshold {
				t.Errorf("public page shows the count %d", n)
			}
		}
		if strings.Contains(page, "Anak Rahasia") || strings.Contains(page, "Ringkasan kasus") {
			t.Error("personal data on the public page")
		}
		status, doc := w.api("GET", "/api/v1/public/statistics", "", nil)
		if status != 200 {
			t.Fatalf("public JSON: %d", status)
		}
		raw, _ := json.Marshal(doc)
		var rel stats.Release
		if err := json.Unmarshal(raw, &rel); err != nil {
			t.Fatal(err)
		}
		_, xbody, _ := anon.get("/statistik/unduh.xlsx")
		xf, err := excelize.OpenReader(bytes.NewReader([]byte(xbody)))
		if err != nil {
			t.Fatal(err)
		}
		sheets := xf.GetSheetList()
		hiddenSeen := 0
		for ti, tb := range rel.Set.Tables {
			_, cbody, _ := anon.get("/statistik/unduh.csv?tabel=" + tb.ID)
			cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(cbody, "\xef\xbb\xbf")))
			cr.Comma = ';'
			crows, err := cr.ReadAll()
			if err != nil {
				t.Fatalf("%s csv: %v", tb.ID, err)
			}
			xrows, err := xf.GetRows(sheets[ti])
			if err != nil {
				t.Fatal(err)
			}
			for ri, r := range tb.Rows {
				for ci, c := range r.Cells {
					want := strconv.FormatInt(c.V, 10)
					if c.Hidden {
						want = "×"
						hiddenSeen++
					} else if c.V > 0 && c.V < stats.DefaultThreshold {
						t.Errorf("JSON %s publishes %d", tb.ID, c.V)
					}
					if got := crows[ri+1][ci+1]; got != want {
						t.Errorf("%s row %s col %d: CSV %q, JSON %q", tb.ID, r.Key, ci, got, want)
					}
					if got := xrows[ri+1][ci+1]; got != want {
						t.Errorf("%s row %s col %d: XLSX %q, JSON %q", tb.ID, r.Key, ci, got, want)
					}
				}
			}
		}
		if hiddenSeen == 0 {
			t.Fatal("nothing withheld although a district has 3 victims")
		}
		if dist := districtRow(page, "61.07.01", w); !strings.Contains(dist, "×") {
			t.Errorf("the district with 3 victims on the public page: %q", dist)
		}

		// A late case: the public page stays as released; the next
		// release lists the changes.
		statsCases(t, w, "61.07.02", 1, domain.VPhysical)
		_, again, _ := anon.get("/statistik")
		if districtRow(again, "61.07.02", w) != districtRow(page, "61.07.02", w) {
			t.Error("the public page changed without a release")
		}
		f = url.Values{"csrf": {admin.csrf}, "wilayah": form["wilayah"], "tahun": form["tahun"]}
		if code, _, h := admin.post("/statistik/kelola/rilis", f); code != http.StatusSeeOther || !strings.Contains(h.Get("Location"), year+"-B") {
			t.Fatalf("second release: %d %s", code, h.Get("Location"))
		}
		_, page, _ = anon.get("/statistik")
		if !strings.Contains(page, year+"-B") || !strings.Contains(districtRow(page, "61.07.02", w), "13") {
			t.Errorf("second release not shown: %q", districtRow(page, "61.07.02", w))
		}

		// A historical table: dry run with the seed's mismatches, nothing
		// stored; accept; the same file again changes nothing.
		data, err := os.ReadFile("../stats/testdata/pessel-2022-2023.csv")
		if err != nil {
			t.Fatal(err)
		}
		data = bytes.Replace(data, []byte("13.01"), []byte("61.07"), 1)
		viewer := w.loggedIn("viewer")
		if code, _ := viewer.postMultipart("/statistik/kelola/impor", map[string]string{"csrf": viewer.csrf}, "file", "pessel.csv", data); code != 403 {
			t.Errorf("viewer import: %d", code)
		}
		admin.get("/statistik/kelola")
		code, body = admin.postMultipart("/statistik/kelola/impor", map[string]string{"csrf": admin.csrf}, "file", "pessel.csv", data)
		if code != 200 || !strings.Contains(body, `id="mismatch-count"`) || !strings.Contains(body, `id="import-accept"`) {
			t.Fatalf("dry run: %d", code)
		}
		if n, _ := w.srvStatsHist(); n != 0 {
			t.Fatalf("a dry run stored %d tables", n)
		}
		accept := url.Values{"csrf": {admin.csrf}, "accept": {"1"}, "data": {base64.StdEncoding.EncodeToString(data)}, "name": {"pessel.csv"}}
		if code, _, h := admin.post("/statistik/kelola/impor", accept); code != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "impor_ubah=0") {
			t.Fatalf("accept: %d %s", code, h.Get("Location"))
		}
		code, _, h = admin.post("/statistik/kelola/impor", accept)
		if code != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "impor_baru=0") || !strings.Contains(h.Get("Location"), "impor_ubah=0") {
			t.Errorf("re-import: %d %s", code, h.Get("Location"))
		}
		bad := bytes.Replace(data, []byte("38"), []byte("3x8"), 1)
		code, body = admin.postMultipart("/statistik/kelola/impor", map[string]string{"csrf": admin.csrf}, "file", "pessel.csv", bad)
		if code != 422 || !strings.Contains(body, "!C") {
			t.Errorf("bad cell: %d", code)
		}
		_, page, _ = anon.get("/statistik")
		if !strings.Contains(page, "Kekerasan Perempuan dan Anak") && !strings.Contains(page, "Kekerasan terhadap perempuan") {
			t.Error("the historical table is not on the public page")
		}
		for _, m := range tdNum.FindAllStringSubmatch(page, -1) {
			if n, err := strconv.Atoi(strings.ReplaceAll(m[1], ".", "")); err == nil && n > 0 && n < stats.DefaultThreshold {
				t.Errorf("public page shows the count %d after the import", n)
			}
		}
		// The regent's home shows this year's figures, withheld where small.
		_, home, _ := viewer.get("/beranda")
		if !strings.Contains(home, `id="home-stats"`) {
			t.Error("the regent's home has no case figures")
		}
	})
}

// districtRow is the public or staff page's row of a district in the
// district table.
func districtRow(page, code string, w *world) string {
	r, err := w.st.GetRegion(bg, code)
	if err != nil {
		return ""
	}
	i := strings.Index(page, `id="tabel-districts"`)
	if i < 0 {
		return ""
	}
	rest := page[i:]
	j := strings.Index(rest, `<th scope="row">`+r.Name+`</th>`)
	if j < 0 {
		return ""
	}
	rest = rest[j:]
	if k := strings.Index(rest, "</tr>"); k >= 0 {
		rest = rest[:k]
	}
	return rest
}

// srvStatsHist counts the stored historical tables.
func (w *world) srvStatsHist() (int, error) {
	var n int
	err := w.st.QueryRowContext(bg, `SELECT COUNT(*) FROM stat_hist_tables`).Scan(&n)
	return n, err
}

// TestBrowserStatisticsOnPhone: the public statistics page and the staff
// page fit a 390 px phone and pass the accessibility check; the chart
// labels are at least 12 px.
func TestBrowserStatisticsOnPhone(t *testing.T) {
	t.Parallel()
	execPath := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), browserBudget)
	defer cancel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	statsCases(t, w, "61.07.01", 3, domain.VSexual)
	statsCases(t, w, "61.07.02", 12, domain.VPhysical)
	sv := stats.New(w.st)
	year := w.clock.Now().Add(-24 * time.Hour).In(domain.WIB).Year()
	sys := access.System("test")
	cs, err := sv.Checks(bg, sys, "61.07", year)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if err := sv.Explain(bg, sys, "61.07", year, c.Key, "Pencatatan baru dimulai tahun ini."); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sv.Publish(bg, sys, "61.07", year); err != nil {
		t.Fatal(err)
	}
	c := newChrome(t, ctx, execPath)
	c.do("phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait))
	c.do("open the public statistics", chromedp.Navigate(w.ts.URL+"/statistik"))
	c.fits("public statistics")
	size, err := chromedp.Run(c.ctx, chromedp.Evaluate[float64](`Math.min(...[...document.querySelectorAll('.chart-label')].map(e => parseFloat(getComputedStyle(e).fontSize)))`))
	c.must("chart label size", err)
	if size < 12 {
		t.Errorf("chart labels are %v px on a phone", size)
	}
	// H-T9: the page prints to PDF (the print style hides the navigation
	// and the forms).
	res, err := chromedp.Run(c.ctx, chromedp.Action[page.PrintToPDFResult](func(ctx context.Context, tg *chromedp.Target) (page.PrintToPDFResult, error) {
		return cdp.Call(ctx, tg, page.PrintToPDF, page.PrintToPDFParams{})
	}))
	pdf := []byte(res.Data)
	c.must("print to PDF", err)
	if len(pdf) < 1000 || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Errorf("printing the statistics gave %d bytes", len(pdf))
	}
	v := newChrome(t, ctx, execPath)
	v.loginOnPhone(w.ts.URL, "viewer", pw)
	v.do("open the staff statistics", chromedp.Navigate(w.ts.URL+"/statistik/kelola"))
	v.fits("staff statistics")
	a := newChrome(t, ctx, execPath)
	a.loginOnPhone(w.ts.URL, "reg-admin", pw)
	a.do("open the staff statistics", chromedp.Navigate(w.ts.URL+"/statistik/kelola"))
	a.fits("staff statistics (admin)")
}

// statsAPI sends body (raw) with a token and returns the status and body.
func (w *world) statsAPI(method, path, token, body string) (int, string) {
	w.t.Helper()
	req, _ := http.NewRequest(method, w.ts.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

// TestStatisticsAccessMatrix: every statistics route for every kind of
// user, in the HTML (a form post without the right permission changes
// nothing) and in the API.
func TestStatisticsAccessMatrix(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newWorld(t, d, server.Options{RootRegion: "61.07"})
		statsCases(t, w, "61.07.02", 6, domain.VPhysical)
		year := strconv.Itoa(w.clock.Now().Add(-24 * time.Hour).In(domain.WIB).Year())
		posts := []string{"/statistik/kelola/rilis", "/statistik/kelola/penjelasan", "/statistik/kelola/aturan", "/statistik/kelola/aturan/x/hapus",
			"/statistik/kelola/ambang", "/statistik/kelola/impor"}
		gets := []string{"/statistik/kelola", "/statistik/kelola/unduh.csv", "/statistik/kelola/unduh.xlsx"}
		// Anonymous: staff routes go to the login; public ones answer.
		for _, p := range append(gets, posts...) {
			b := w.browser()
			var code int
			var h http.Header
			if strings.HasSuffix(p, "unduh.csv") || strings.HasSuffix(p, "unduh.xlsx") || p == "/statistik/kelola" {
				code, _, h = b.get(p)
			} else {
				code, _, h = b.post(p, url.Values{"wilayah": {"61.07"}})
			}
			if code != http.StatusSeeOther && code != http.StatusForbidden || code == http.StatusSeeOther && !strings.HasPrefix(h.Get("Location"), "/login") {
				t.Errorf("anonymous %s: %d %s", p, code, h.Get("Location"))
			}
		}
		for _, p := range []string{"/statistik", "/statistik/unduh.csv?rilis=x", "/statistik/unduh.xlsx?rilis=x"} {
			code, _, _ := w.browser().get(p)
			if want := map[bool]int{true: 200, false: 404}[p == "/statistik"]; code != want {
				t.Errorf("anonymous %s: %d, want %d", p, code, want)
			}
		}
		// Staff without publish_stats: every form post is refused and
		// nothing is written.
		for _, user := range []string{"cw-a", "cw-b", "viewer", "sup"} {
			b := w.loggedIn(user)
			for _, p := range posts {
				f := url.Values{"csrf": {b.csrf}, "wilayah": {"61.07"}, "tahun": {year}, "key": {"jump:summary:cases"}, "comment": {"Penjelasan yang cukup panjang."},
					"name": {"x"}, "left": {"cases"}, "op": {"<="}, "right": {"1"}, "importance": {"high"}, "threshold": {"7"}}
				if code, _, _ := b.post(p, f); code != http.StatusForbidden && code != http.StatusNotFound && code != http.StatusUnprocessableEntity {
					t.Errorf("%s POST %s: %d", user, p, code)
				}
			}
		}
		var n int
		if err := w.st.QueryRowContext(bg, `SELECT (SELECT COUNT(*) FROM stat_releases) + (SELECT COUNT(*) FROM stat_rules) +
			(SELECT COUNT(*) FROM stat_explanations) + (SELECT COUNT(*) FROM stat_hist_tables)`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("refused posts wrote %d rows (%v)", n, err)
		}
		// A district admin may set rules for the district, not the threshold
		// of the deployment.
		a := w.loggedIn("admin-b")
		if code, _, _ := a.post("/statistik/kelola/ambang", url.Values{"csrf": {a.csrf}, "threshold": {"7"}}); code != http.StatusForbidden {
			t.Errorf("district admin sets the threshold: %d", code)
		}
		// The API, token by token.
		cases := []struct {
			user, method, path, body string
			want                     int
		}{
			{"viewer", "GET", "/api/v1/statistics?region=61.07&year=" + year, "", 200},
			{"other-prov", "GET", "/api/v1/statistics?region=61.07&year=" + year, "", 404},
			{"other-prov", "GET", "/api/v1/statistics/rules?region=61.07", "", 404},
			{"viewer", "GET", "/api/v1/statistics/checks?region=61.07&year=" + year, "", 403},
			{"viewer", "POST", "/api/v1/statistics/releases", `{"region":"61.07","year":` + year + `}`, 403},
			{"sup", "POST", "/api/v1/statistics/rules", `{"name":"x","left":"cases","op":"<=","right":"1","importance":"low"}`, 403},
			{"cw-a", "POST", "/api/v1/statistics/historical?dry_run=true", "judul;x\nwilayah;61.07\nkategori;2020\nA;1\n", 403},
			{"admin-a", "POST", "/api/v1/statistics/releases", `{"region":"61.07","year":` + year + `}`, 404},
			{"reg-admin", "GET", "/api/v1/statistics/checks?region=61.07&year=" + year, "", 200},
			{"reg-admin", "POST", "/api/v1/statistics/rules", `{"name":"Kasus paling banyak 100","left":"cases","op":"<=","right":"100","importance":"low"}`, 201},
			{"reg-admin", "POST", "/api/v1/statistics/rules", `{"name":"x","left":"korban","op":"<=","right":"1","importance":"low"}`, 422},
			{"reg-admin", "POST", "/api/v1/statistics/historical?dry_run=true", "judul;Contoh\nwilayah;61.07\nkategori;2020;2021\nA;1;2\nJumlah;1;3\n", 200},
			{"reg-admin", "POST", "/api/v1/statistics/historical", "judul;Contoh\nwilayah;61.07\nkategori;2020;2021\nA;1;2x\n", 422},
			{"reg-admin", "POST", "/api/v1/statistics/releases", `{"region":"61.07","year":` + year + `}`, 201},
			{"", "GET", "/api/v1/public/statistics", "", 200},
			{"", "GET", "/api/v1/statistics", "", 401},
		}
		for _, c := range cases {
			tok := ""
			if c.user != "" {
				tok = w.token(c.user)
			}
			code, body := w.statsAPI(c.method, c.path, tok, c.body)
			if code != c.want {
				t.Errorf("%s %s %s: %d, want %d: %.200s", c.user, c.method, c.path, code, c.want, body)
			}
			if c.user == "viewer" && c.method == "GET" && code == 200 {
				var set stats.Set
				if err := json.Unmarshal([]byte(body), &set); err != nil || !set.Suppressed {
					t.Fatalf("viewer's figures: %v, suppressed %v", err, set.Suppressed)
				}
				for _, tb := range set.Tables {
					for _, r := range tb.Rows {
						for _, cl := range r.Cells {
							if !cl.Hidden && cl.V > 0 && cl.V < stats.DefaultThreshold {
								t.Errorf("viewer's API shows %d in %s/%s", cl.V, tb.ID, r.Key)
							}
						}
					}
				}
			}
		}
		// The dry run stored nothing; the refused file neither.
		if n, _ := w.srvStatsHist(); n != 0 {
			t.Errorf("dry run or refused import stored %d tables", n)
		}
	})
}
