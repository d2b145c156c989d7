package server_test

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/server"
	"lindu/internal/store"
)

// Verification at scale: 93 pending values (31 indicators in three
// districts) are shown 50 a page with "1–50 of 93" and a pager; the
// filters by district and indicator narrow the list and the count; a
// verdict brings the verifier back to the same filter and page.
func TestKLAVerificationScales(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	if _, err := kla.EnsureShipped(bg, w.st); err != nil {
		t.Fatal(err)
	}
	inds, err := kla.Indicators(bg, w.st, kla.Regime2011)
	if err != nil {
		t.Fatal(err)
	}
	var in []domain.KLAValueInput
	for _, d := range []string{"61.07.01", "61.07.02", "61.07.03"} {
		for _, i := range inds {
			in = append(in, domain.KLAValueInput{IndicatorID: i.ID, RegionCode: d, Year: 2025, Value: 1, Note: "bukti " + d})
		}
	}
	if err := kla.PutValues(bg, w.st, access.System("t"), kla.Regime2011, in); err != nil {
		t.Fatal(err)
	}
	v := w.browser()
	v.login("viewer", pw)
	_, body, _ := v.get("/kla/verifikasi?year=2025")
	if !strings.Contains(body, "Menampilkan 1–50 dari 93 nilai.") || strings.Count(body, `class="verify-form"`) != 50 {
		t.Fatalf("the first page: %d forms", strings.Count(body, `class="verify-form"`))
	}
	next := regexp.MustCompile(`href="(/kla/verifikasi\?[^"]*page=2[^"]*)"`).FindStringSubmatch(body)
	if next == nil {
		t.Fatal("no pager")
	}
	checkPage(t, "/kla/verifikasi", body)
	_, body, _ = v.get(html.UnescapeString(next[1]))
	if !strings.Contains(body, "Menampilkan 51–93 dari 93 nilai.") {
		t.Fatal("the second page")
	}
	_, body, _ = v.get("/kla/verifikasi?year=2025&region=61.07.02&indicator=" + url.QueryEscape(inds[0].ID))
	if !strings.Contains(body, "Menampilkan 1–1 dari 1 nilai.") || !strings.Contains(body, "bukti 61.07.02") || strings.Contains(body, "bukti 61.07.01") {
		t.Fatal("the filter by district and indicator")
	}
	_, body, _ = v.get("/kla/verifikasi?year=2025&region=61.07.03&page=1")
	form := verdictForm(t, body, 0)
	if form.Get("back") == "" || form.Get("region") != "61.07.03" {
		t.Fatal("no way back in the verdict form")
	}
	form.Set("verdict", "accept")
	code, _, hdr := v.post("/kla/verifikasi", form)
	if loc := hdr.Get("Location"); code != 303 || !strings.Contains(loc, "region=61.07.03") {
		t.Fatalf("after the verdict: %d %s", code, loc)
	}
	_, body, _ = v.get("/kla/verifikasi?year=2025&region=61.07.03")
	if !strings.Contains(body, "Menampilkan 1–30 dari 30 nilai.") {
		t.Fatalf("the verified value is still pending: %s", regexp.MustCompile(`Menampilkan[^<]*`).FindString(body))
	}
	// The dashboard says how many values are verified out of how many.
	_, body, _ = v.get("/kla?region=61.07&year=2025")
	if !strings.Contains(body, "1 dari 93 nilai sudah diverifikasi.") {
		t.Fatal("the dashboard's verified count")
	}
}
