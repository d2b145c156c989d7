package server_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"lindu/internal/access"
	"lindu/internal/demo"
	"lindu/internal/domain"
	"lindu/internal/kla"
	"lindu/internal/server"
	"lindu/internal/store"
)

// The village ranking of a regency (over a hundred villages, 15,000 px on
// a phone) shows its ten weakest villages and the others behind a "show
// all" disclosure, numbered on from 11; a short ranking (the 17
// districts) stays whole. The rows are written in Go (KLARank.RowsHTML):
// a region's name arrives escaped.
func TestKLARankingShowsTheWeakestFirst(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	year := kla.CurrentYear(w.clock.Now())
	if _, err := demo.LoadKLA(bg, w.st, year); err != nil {
		t.Fatal(err)
	}
	const hostile = `Desa <script>alert("x")</script> & 'Baru' <b>`
	const hostileIndicator = `Anak <i>"terlindungi"</i> & 'aman'`
	if err := w.st.InTx(bg, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(bg, `UPDATE regions SET name = $1 WHERE code = (SELECT MIN(code) FROM regions WHERE code LIKE '61.07.%' AND length(code) = 13)`, hostile); err != nil {
			return err
		}
		// And an indicator's (the table of indicators is written in Go too).
		_, err := tx.ExecContext(bg, `UPDATE kla_indicators SET name = $1 WHERE id = '11'`, hostileIndicator)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	v := w.loggedIn("viewer")
	code, body, _ := v.get(fmt.Sprintf("/kla?region=61.07&year=%d", year))
	if code != 200 {
		t.Fatalf("dashboard: %d", code)
	}
	checkPage(t, "/kla", body)
	for _, raw := range []string{"<script>", "<b>", `"x"`, "'Baru'", "<i>", `"terlindungi"`, "'aman'"} {
		if strings.Contains(body, raw) {
			t.Errorf("the ranking shows %q unescaped", raw)
		}
	}
	if escaped := `>Desa &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;Baru&#39; &lt;b&gt;</a>`; !strings.Contains(body, escaped) {
		t.Errorf("the ranking does not show the village's name escaped (%s)", escaped)
	}
	// The verified count reads the same roll-ups as the counts by state.
	g, err := kla.RegimeFor(bg, w.st, year)
	if err != nil {
		t.Fatal(err)
	}
	f := kla.ValueFilter{Regime: g.ID, Within: "61.07", Year: year}
	all, err := kla.CountValues(bg, w.st, access.System("test"), f)
	f.Status = domain.KLAVerified
	verified, err2 := kla.CountValues(bg, w.st, access.System("test"), f)
	if err != nil || err2 != nil || all < 100 {
		t.Fatalf("values: %d, %d verified (%v, %v)", all, verified, err, err2)
	}
	if want := fmt.Sprintf(`<p class="hint" id="kla-verified-count">%d dari %d nilai sudah diverifikasi.</p>`, verified, all); !strings.Contains(body, want) {
		t.Errorf("no %s", want)
	}
	if escaped := `<td class="head">11. Anak &lt;i&gt;&#34;terlindungi&#34;&lt;/i&gt; &amp; &#39;aman&#39; <span class="hint inline">(`; !strings.Contains(body, escaped) {
		t.Errorf("the table of indicators does not show the indicator's name escaped (%s)", escaped)
	}
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
