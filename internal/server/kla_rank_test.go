package server_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"lindu/internal/demo"
	"lindu/internal/kla"
	"lindu/internal/server"
	"lindu/internal/store"
)

// The village ranking of a regency (over a hundred villages, 15,000 px on
// a phone) shows its ten weakest villages and the others behind a "show
// all" disclosure, numbered on from 11; a short ranking (the 17
// districts) stays whole.
func TestKLARankingShowsTheWeakestFirst(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	year := kla.CurrentYear(w.clock.Now())
	if _, err := demo.LoadKLA(bg, w.st, year); err != nil {
		t.Fatal(err)
	}
	v := w.loggedIn("viewer")
	code, body, _ := v.get(fmt.Sprintf("/kla?region=61.07&year=%d", year))
	if code != 200 {
		t.Fatalf("dashboard: %d", code)
	}
	checkPage(t, "/kla", body)
	rows := func(id string) []string {
		t.Helper()
		m := regexp.MustCompile(`(?s)<table id="` + id + `"[^>]*>.*?<tbody>(.*?)</tbody>`).FindStringSubmatch(body)
		if m == nil {
			return nil
		}
		return regexp.MustCompile(`<td class="head">(\d+)\. `).FindAllString(m[1], -1)
	}
	place := func(row string) string { return strings.TrimSuffix(strings.TrimPrefix(row, `<td class="head">`), ". ") }
	districts := rows("rank-children")
	if len(districts) != 17 || strings.Contains(body, `id="rank-children-more"`) {
		t.Errorf("districts: %d rows shown, want all 17 without a disclosure", len(districts))
	}
	top, rest := rows("rank-grandchildren"), rows("rank-grandchildren-rest")
	total := len(top) + len(rest)
	if len(top) != 10 || total < 100 {
		t.Fatalf("villages: %d shown first, %d behind the disclosure", len(top), len(rest))
	}
	if place(top[0]) != "1" || place(top[9]) != "10" || place(rest[0]) != "11" || place(rest[len(rest)-1]) != fmt.Sprint(total) {
		t.Errorf("places: %s–%s, %s–%s", place(top[0]), place(top[9]), place(rest[0]), place(rest[len(rest)-1]))
	}
	summary := fmt.Sprintf(`<details class="rank-more" id="rank-grandchildren-more"><summary>Tampilkan urutan 11–%d dari %d</summary>`, total, total)
	if !strings.Contains(body, summary) {
		t.Errorf("no %s", summary)
	}
}
