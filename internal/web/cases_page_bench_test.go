package web

import (
	"bytes"
	"html/template"
	"strings"
	"testing"

	"lindu/internal/domain"
)

// BenchmarkCasesPageTemplate times the inbox page's templates alone (the
// rows come ready, as rowsHTML makes them): where an inbox view's template
// time goes, without a database.
func BenchmarkCasesPageTemplate(b *testing.B) {
	v, err := parsed()
	if err != nil {
		b.Fatal(err)
	}
	t := v.pages["cases"]
	base := Base{Lang: "id", Title: "Kasus", User: &domain.User{Username: "sup", Role: "supervisor"}, CSRF: "abc", Path: "/kasus",
		Zone: domain.WIB, OtherLang: "en", regionOf: func(string) (domain.Region, bool) { return domain.Region{}, false }}
	for _, h := range []string{"/beranda", "/kasus", "/laporan", "/kla", "/statistik", "/pengguna", "/tim", "/audit"} {
		base.Nav = append(base.Nav, NavItem{Href: h, Label: "Label " + h})
	}
	p := CasesPage{Base: base, kit: kit{lang: "id", zone: domain.WIB}, Counts: map[string]int{"open": 53, "overdue": 41}, CanTriage: true, CanCreate: true}
	p.RowsHTML = template.HTML(strings.Repeat(`<tr class="">
    <td data-label="Kode"><a href="/kasus/01a25040-2d71-729a-bde2-59938881055a" class="code">901259114</a></td><td>Gerantung <span class="hint">61.07.08.2002</span></td><td>psikis</td><td><span class="prio prio-low">rendah</span></td><td>diterima</td><td>peksos</td><td class="due-cell">respons: 5 Des 18.27</td></tr>`, 50))
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d bytes", buf.Len())
	for b.Loop() {
		buf.Reset()
		if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
			b.Fatal(err)
		}
	}
}
