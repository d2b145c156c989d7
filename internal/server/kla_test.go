package server_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/demo"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/server"
	"lindu/internal/store"
	"lindu/internal/store/storetest"
)

// postMultipart sends a multipart form with one file.
func (b *browser) postMultipart(path string, fields map[string]string, file, name string, data []byte) (int, string) {
	b.w.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile(file, name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", b.w.ts.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := b.c.Do(req)
	if err != nil {
		b.w.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// The KLA API and pages end to end: scores, values by an operator limited
// to their agency and region, agreements and budgets per agency, the
// catalogue import refusing a bad file as a whole.
func TestKLAAPIAndPages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
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
		tok := w.token("op-kes")
		code, body := w.api("GET", "/api/v1/kla/indicators?year=2025", tok, nil)
		if code != 200 || len(body["indicators"].([]any)) != 31 {
			t.Fatalf("indicators: %d %v", code, body)
		}
		code, body = w.api("PUT", "/api/v1/kla/values", tok, map[string]any{"indicator": "11", "region_code": "61.07", "year": 2025, "value": 92, "note": "PWS"})
		if code != 200 {
			t.Fatalf("put value: %d %v", code, body)
		}
		code, body = w.api("PUT", "/api/v1/kla/values", tok, map[string]any{"values": []map[string]any{
			{"indicator": "7", "region_code": "61.07", "year": 2025, "value": 12},
			{"indicator": "17", "region_code": "61.07", "year": 2025, "value": 80}}})
		if code != 422 || errCode(body) != "invalid" || !strings.Contains(body["error"].(map[string]any)["fields"].(map[string]any)["values[1]"].(string), "disdik") {
			t.Fatalf("other agency's indicator: %d %v", code, body)
		}
		code, body = w.api("PUT", "/api/v1/kla/values", tok, map[string]any{"indicator": "11", "region_code": "13.01", "year": 2025, "value": 92})
		if code != 422 {
			t.Fatalf("other region: %d %v", code, body)
		}
		code, body = w.api("GET", "/api/v1/kla/scores?region=61.07&year=2025", w.token("viewer"), nil)
		if code != 200 || body["category"] != "" || body["verified_total"].(float64) != 0 || len(body["missing"].([]any)) != 30 || len(body["clusters"].([]any)) != 6 {
			t.Fatalf("scores: %d %v", code, body)
		}
		if tot := body["total"].(float64); tot < 29 || tot > 30 {
			t.Errorf("total %v, want 92%% of 1000/31", tot)
		}
		if code, _ = w.api("GET", "/api/v1/kla/scores?region=13.01&year=2025", w.token("viewer"), nil); code != 404 {
			t.Errorf("scores outside region: %d", code)
		}

		// Agreements: an operator records realisations for their own agency only.
		if _, err := demo.LoadKLA(bg, w.st, 2025); err != nil {
			t.Fatal(err)
		}
		list, err := kla.ListAgreements(bg, w.st, sys, "61.07", 2025, "")
		if err != nil || len(list) != 4 {
			t.Fatalf("agreements: %v %d", err, len(list))
		}
		b := w.loggedIn("op-kes")
		for _, a := range list {
			c := a.Commitments[0]
			code, _, _ := b.post("/kla/komitmen/"+c.ID+"/realisasi", map[string][]string{"csrf": {b.csrf}, "on_date": {"2025-09-30"}, "value": {"5"}})
			want := 403
			if a.Agency == "dinkes" {
				want = 303
			}
			if code != want {
				t.Errorf("realisation for %s: %d, want %d", a.Agency, code, want)
			}
		}
		if code, page, _ := b.get("/kla/opd/dinkes?year=2025"); code != 200 || !strings.Contains(page, "realisasi / target × 100%") ||
			!strings.Contains(page, "(2 × target − realisasi) / target × 100%") || !strings.Contains(page, "Cakupan imunisasi dasar lengkap") || !strings.Contains(page, "Program Pemenuhan Upaya Kesehatan") {
			t.Errorf("agency page: %d", code)
		}
		for _, p := range []string{"/kla?year=2025", "/kla/isi?year=2025", "/kla/anggaran?year=2025", "/kla/katalog", "/kla/perjanjian?year=2025"} {
			if code, _, _ := b.get(p); code != 200 {
				t.Errorf("%s: %d", p, code)
			}
		}
		if code, _, _ := b.get("/kla/verifikasi"); code != 403 {
			t.Errorf("operator on the verification page: %d", code)
		}

		// Catalogue import: one bad row refuses the whole file.
		a := w.loggedIn("reg-admin")
		bad := "regime,id,cluster,name,unit,polarity\npermen-pppa-12-2022,1,I,Akta,percent,higher\npermen-pppa-12-2022,2,I,,kilogram,up\n"
		code, page := a.postMultipart("/kla/katalog/impor", map[string]string{"csrf": a.csrf, "name": "Permen 12/2022", "from_year": "2027"}, "file", "k.csv", []byte(bad))
		if code != 422 || !strings.Contains(page, "Satuan harus percent") {
			t.Errorf("bad catalogue: %d", code)
		}
		gs, _ := kla.Regimes(bg, w.st)
		if len(gs) != 1 {
			t.Fatalf("a bad catalogue created a regime: %+v", gs)
		}
		good := "regime,id,cluster,name,unit,polarity,agency\npermen-pppa-12-2022,1,I,Akta,percent,higher,disdukcapil\npermen-pppa-12-2022,2,II,Perkawinan anak,percent,lower,kemenag\n"
		if code, _ := a.postMultipart("/kla/katalog/impor", map[string]string{"csrf": a.csrf, "name": "Permen 12/2022", "from_year": "2027"}, "file", "k.csv", []byte(good)); code != 303 {
			t.Errorf("good catalogue: %d", code)
		}
		if g, err := kla.RegimeFor(bg, w.st, 2027); err != nil || g.ID != "permen-pppa-12-2022" || g.Count != 2 {
			t.Errorf("regime for 2027: %+v %v", g, err)
		}
		if g, _ := kla.RegimeFor(bg, w.st, 2025); g.ID != kla.Regime2011 {
			t.Errorf("regime for 2025: %s", g.ID)
		}
	})
}
