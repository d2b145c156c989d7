package server_test

import (
	"html/template"
	"strings"
	"testing"
	"time"

	"lindu/internal/access"
	"lindu/internal/cases"
	"lindu/internal/domain"
	"lindu/internal/i18n"
	"lindu/internal/server"
	"lindu/internal/store"
)

// The triage list's rows (written in Go, ReportsPage.rowsHTML) show each
// report's code linked to it, its village escaped, the clock of a report
// waiting (flagged once overdue), the case a verified report became, and
// a line saying so when there is none.
func TestReportListEscapes(t *testing.T) {
	t.Parallel()
	w := newWorld(t, store.SQLite, server.Options{RootRegion: "61.07"})
	const village = "61.07.01.2001"
	hostile := `Desa <b>"Satu"</b> & 'Dua'`
	if err := w.st.InTx(bg, func(tx *store.Tx) error {
		_, err := tx.ExecContext(bg, `UPDATE regions SET name = $1 WHERE code = $2`, hostile, village)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	file := func() domain.Report {
		r, _, err := w.srv.Cases.CreateReport(bg, access.Public("", ""), domain.NewReport{Channel: domain.ChannelSMS, RegionCode: village,
			Description: "anak ditinggal sendirian di rumah"}, "")
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	late := file()
	w.clock.Advance(domain.TriageWindow + time.Hour)
	fresh, verified := file(), file()
	c, err := w.srv.Cases.VerifyReport(bg, access.ForUser(w.users["sup"], "", ""), verified.ID, cases.VerifyInput{Priority: domain.PriorityMedium,
		Types: []domain.ViolenceType{domain.VNeglect}})
	if err != nil {
		t.Fatal(err)
	}
	sup := w.loggedIn("sup")
	T := func(key string) string { return template.HTMLEscapeString(i18n.T("id", key)) }
	row := func(body, id string) string {
		i := strings.Index(body, `<a href="/laporan/`+id+`" class="code">`)
		if i < 0 {
			return ""
		}
		start := strings.LastIndex(body[:i], "<tr")
		end := strings.Index(body[i:], "</tr>")
		return body[start : i+end]
	}

	code, body, _ := sup.get("/laporan")
	if code != 200 {
		t.Fatalf("/laporan: %d", code)
	}
	checkPage(t, "/laporan", body)
	if strings.Contains(body, "<b>") || strings.Contains(body, `"Satu"`) {
		t.Error("the list shows the village's name unescaped")
	}
	escaped := `Desa &lt;b&gt;&#34;Satu&#34;&lt;/b&gt; &amp; &#39;Dua&#39;`
	for _, r := range []domain.Report{late, fresh} {
		got := row(body, r.ID)
		if got == "" {
			t.Fatalf("no row for report %s", r.Code)
		}
		for _, want := range []string{domain.FormatPublicCode(r.Code) + `</a>`, `data-label="` + T("triage.code") + `"`,
			escaped + ` <span class="hint">` + village + `</span>`, T("triage.state"), `<span class="nowrap">`} {
			if !strings.Contains(got, want) {
				t.Errorf("report %s's row lacks %q:\n%s", r.Code, want, got)
			}
		}
		overdue := strings.HasPrefix(got, `<tr class="overdue">`) && strings.Contains(got, `<strong class="due overdue">`+T("due.overdue")+`</strong>`)
		if overdue != (r.ID == late.ID) {
			t.Errorf("report %s's row is flagged overdue: %v, want %v:\n%s", r.Code, overdue, r.ID == late.ID, got)
		}
	}
	if row(body, verified.ID) != "" {
		t.Error("the list of reports waiting shows a verified one")
	}

	_, body, _ = sup.get("/laporan?status=verified")
	got := row(body, verified.ID)
	if !strings.Contains(got, ` · <a href="/kasus/`+c.ID+`">`+T("triage.open_case")+`</a>`) || !strings.Contains(got, `class="due-cell">—</td>`) {
		t.Errorf("the verified report's row has no link to its case or shows a clock:\n%s", got)
	}

	_, body, _ = sup.get("/laporan?status=rejected")
	if !strings.Contains(body, `<tr><td colspan="7">`+T("triage.none")+`</td></tr>`) {
		t.Error("an empty list does not say so")
	}
}
