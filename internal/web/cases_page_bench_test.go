package web

import (
	"bytes"
	"html/template"
	"strings"
	"testing"

	"lindu/internal/domain"
)

// casesPageFixture is the inbox page as the handler hands it to its
// templates (a pointer: the templates call its methods), with 50 rows
// ready as rowsHTML makes them.
func casesPageFixture(tb testing.TB) (*template.Template, *CasesPage) {
	tb.Helper()
	v, err := parsed()
	if err != nil {
		tb.Fatal(err)
	}
	base := Base{Lang: "id", Title: "Kasus", User: &domain.User{Username: "sup", Role: "supervisor"}, CSRF: "abc", Path: "/kasus",
		Zone: domain.WIB, OtherLang: "en", regionOf: func(string) (domain.Region, bool) { return domain.Region{}, false }}
	for _, h := range []string{"/beranda", "/kasus", "/laporan", "/kla", "/statistik", "/pengguna", "/tim", "/audit"} {
		base.Nav = append(base.Nav, NavItem{Href: h, Label: "Label " + h})
	}
	p := &CasesPage{Base: base, kit: kit{lang: "id", zone: domain.WIB}, Counts: map[string]int{"open": 53, "overdue": 41},
		NewReports: 120, CanTriage: true, CanCreate: true}
	p.RowsHTML = template.HTML(strings.Repeat(`<tr class="">
    <td data-label="Kode"><a href="/kasus/01a25040-2d71-729a-bde2-59938881055a" class="code">901259114</a></td><td>Gerantung <span class="hint">61.07.08.2002</span></td><td>psikis</td><td><span class="prio prio-low">rendah</span></td><td>diterima</td><td>peksos</td><td class="due-cell">respons: 5 Des 18.27</td></tr>`, 50))
	return v.pages["cases"], p
}

// TestCasesPageFixtureRenders keeps the benchmark's page working: the
// benchmark is not part of the test command, and it once broke unseen
// when the page gained a method its value could not call.
func TestCasesPageFixtureRenders(t *testing.T) {
	tp, p := casesPageFixture(t)
	var buf bytes.Buffer
	if err := tp.ExecuteTemplate(&buf, "layout", p); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<span class="chip-n">99&#43;</span>`, `class="code">901259114</a>`, `href="/laporan"`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("the inbox page lacks %q", want)
		}
	}
}

// BenchmarkCasesPageTemplate times the inbox page's templates alone (the
// rows come ready, as rowsHTML makes them): where an inbox view's template
// time goes, without a database.
func BenchmarkCasesPageTemplate(b *testing.B) {
	tp, p := casesPageFixture(b)
	var buf bytes.Buffer
	if err := tp.ExecuteTemplate(&buf, "layout", p); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d bytes", buf.Len())
	for b.Loop() {
		buf.Reset()
		if err := tp.ExecuteTemplate(&buf, "layout", p); err != nil {
			b.Fatal(err)
		}
	}
}
