package server_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"lindu/internal/domain"
	"lindu/internal/spreadsheet"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// Every user x the SIMFONI-PPA export's page, files and API routes (JSON
// and CSV): who may export (the others: 403, as for every case list), which cases each gets (those whose personal data they see),
// no names or narratives in any file, and anonymous visitors sent to log in.
func TestSIMFONIExportAccessMatrix(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := newCapiWorld(t, d)
		day := func(off int) string { return time.Now().In(domain.WIB).AddDate(0, 0, off).Format("2006-01-02") }
		sel := "?from=" + day(-1) + "&to=" + day(1)
		a, b := domain.FormatPublicCode(w.a.cs.Code), domain.FormatPublicCode(w.b.cs.Code)
		for _, x := range []struct {
			user        string
			code        int    // page, files and API
			sees, hides string // case codes in the files ("" none)
		}{
			{"reg-admin", 200, a + " " + b, ""},
			{"sup", 200, a + " " + b, ""},
			{"admin-a", 200, a, b},
			{"cw-lead", 200, a, b}, // leads case A
			{"cw-b", 200, b, a},    // in team B
			{"resp-in", 200, a, b}, // in team A
			{"cw-a", 200, "", a + " " + b},
			{"resp-out", 200, "", a + " " + b},
			{"other-prov", 200, "", a + " " + b},
			{"viewer", 403, "", a + " " + b},
			{"opd", 403, "", a + " " + b},
			{"fasil", 403, "", a + " " + b},
		} {
			br := w.loggedIn(x.user)
			code, page, _ := br.get("/kasus/ekspor-simfoni" + sel)
			if code != x.code {
				t.Errorf("%s GET page: %d, want %d", x.user, code, x.code)
			}
			for _, f := range []string{".csv", ".xlsx"} {
				code, body, h := br.get("/kasus/ekspor-simfoni" + f + sel)
				if code != x.code {
					t.Errorf("%s GET file %s: %d, want %d", x.user, f, code, x.code)
					continue
				}
				if code != 200 {
					continue
				}
				if !strings.Contains(h.Get("Content-Disposition"), "attachment") {
					t.Errorf("%s %s not an attachment", x.user, f)
				}
				text := body
				if f == ".xlsx" {
					text = xlsxText(t, []byte(body))
				}
				if !strings.Contains(text, "Kode kasus") || !strings.Contains(text, "Hubungan pelaku dengan korban") {
					t.Errorf("%s %s lacks the Indonesian header: %.200s", x.user, f, text)
				}
				for _, c := range strings.Fields(x.sees) {
					if !strings.Contains(text, c) {
						t.Errorf("%s %s lacks case %s", x.user, f, c)
					}
				}
				for _, c := range strings.Fields(x.hides) {
					if strings.Contains(text, c) {
						t.Errorf("%s %s holds case %s", x.user, f, c)
					}
				}
				if strings.Contains(text, "RAHASIA") {
					t.Errorf("%s %s holds a name or narrative", x.user, f)
				}
			}
			if strings.Contains(page, "RAHASIA") {
				t.Errorf("%s page holds personal data", x.user)
			}
			// The API's CSV is the page's file.
			if code, body, _ := w.apiRaw("GET", "/api/v1/exports/simfoni"+sel+"&format=csv", w.token(x.user)); code != x.code {
				t.Errorf("%s GET the API's CSV: %d, want %d", x.user, code, x.code)
			} else if code == 200 {
				for _, c := range strings.Fields(x.sees) {
					if !strings.Contains(body, c) || !strings.Contains(body, "Kode kasus") {
						t.Errorf("%s API CSV lacks case %s", x.user, c)
					}
				}
				for _, c := range strings.Fields(x.hides) {
					if strings.Contains(body, c) {
						t.Errorf("%s API CSV holds case %s", x.user, c)
					}
				}
			}
			for _, p := range []string{"/api/v1/exports/simfoni", "/api/v1/exports/simfoni/completeness"} {
				if code, body := w.api("GET", p+sel, w.token(x.user), nil); code != x.code {
					t.Errorf("%s GET %s: %d, want %d", x.user, p, code, x.code)
				} else if code == 200 && p == "/api/v1/exports/simfoni" {
					rows, _ := body["rows"].([]any)
					if want := len(strings.Fields(x.sees)); len(rows) != want {
						t.Errorf("%s API export: %d rows, want %d", x.user, len(rows), want)
					}
				}
			}
		}
		// A bad period is a clear error; anonymous visitors log in first.
		if code, body, _ := w.loggedIn("sup").get("/kasus/ekspor-simfoni?from=kemarin&to=" + day(0)); code != http.StatusUnprocessableEntity ||
			!strings.Contains(body, "aria-invalid") {
			t.Errorf("bad period: %d", code)
		}
		anon := w.browser()
		for _, p := range []string{"/kasus/ekspor-simfoni", "/kasus/ekspor-simfoni.csv", "/kasus/ekspor-simfoni.xlsx"} {
			if code, _, h := anon.get(p + sel); code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login") {
				t.Errorf("anonymous %s: %d", p, code)
			}
		}
	})
}

// xlsxText is the cells of an XLSX file, tab-separated, a line per row.
func xlsxText(t *testing.T, data []byte) string {
	t.Helper()
	var b strings.Builder
	err := spreadsheet.Read(context.Background(), data, "x.xlsx", spreadsheet.DefaultLimits, func(r spreadsheet.Row) error {
		b.WriteString(strings.Join(r.Cells, "\t") + "\n")
		return nil
	})
	if err != nil {
		t.Fatalf("read xlsx: %v", err)
	}
	return b.String()
}

// apiRaw is a GET of the API answered by a file, not JSON.
func (w *world) apiRaw(method, path, token string) (int, string, http.Header) {
	w.t.Helper()
	req, _ := http.NewRequest(method, w.ts.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw), resp.Header
}
