package web

import (
	"io/fs"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"lindu/internal/domain"
)

func TestNewPager(t *testing.T) {
	for _, c := range []struct {
		page, total int
		pages       int
		prev, next  string
	}{
		{1, 0, 0, "", ""},
		{1, 50, 1, "", ""},
		{1, 51, 2, "", "/users?page=2&role=admin"},
		{2, 51, 2, "/users?page=1&role=admin", ""},
		{3, 200, 4, "/users?page=2&role=admin", "/users?page=4&role=admin"},
	} {
		p := newPager("/users", url.Values{"role": {"admin"}}, c.page, c.total, 50)
		if p.Page != c.page || p.Pages != c.pages || p.PrevURL != c.prev || p.NextURL != c.next {
			t.Errorf("page %d of %d items: %+v", c.page, c.total, p)
		}
	}
}

// The three list pages share templates/pager.html: a named nav landmark
// with the current page marked, arrows hidden from screen readers.
func TestPagerPartial(t *testing.T) {
	for _, name := range []string{"users", "cases", "reports"} {
		b, err := fs.ReadFile(templateFS, "templates/"+name+".html")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `{{template "pager" .}}`) || strings.Contains(string(b), `class="pager"`) {
			t.Errorf("%s.html does not use the pager partial alone", name)
		}
	}
	s, err := New(Options{Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"id", "en"} {
		rec := httptest.NewRecorder()
		p := UsersPage{Base: Base{Lang: lang, Zone: domain.WIB}, Users: []domain.User{},
			listPager: newPager("/users", url.Values{"q": {"budi"}}, 2, 120, 50)}
		s.render(rec, httptest.NewRequest("GET", "/users?page=2", nil), 200, "users", p)
		body := rec.Body.String()
		nav := regexp.MustCompile(`(?s)<nav class="pager" aria-label="([^"]+)">(.*?)</nav>`).FindStringSubmatch(body)
		if rec.Code != 200 || nav == nil {
			t.Fatalf("%s: %d, no pager in:\n%s", lang, rec.Code, body)
		}
		want := map[string][]string{
			"id": {"Halaman", `<span aria-current="page">Halaman 2 dari 3</span>`, `href="/users?page=1&amp;q=budi" rel="prev"><span aria-hidden="true">‹ </span>Sebelumnya</a>`,
				`href="/users?page=3&amp;q=budi" rel="next">Berikutnya<span aria-hidden="true"> ›</span></a>`},
			"en": {"Pages", `<span aria-current="page">Page 2 of 3</span>`, `>Previous</a>`, `>Next<span`},
		}[lang]
		if nav[1] != want[0] {
			t.Errorf("%s: nav named %q, want %q", lang, nav[1], want[0])
		}
		for _, w := range want[1:] {
			if !strings.Contains(nav[2], w) {
				t.Errorf("%s: pager lacks %s:\n%s", lang, w, nav[2])
			}
		}
	}
	// An empty list has no pager at all.
	rec := httptest.NewRecorder()
	s.render(rec, httptest.NewRequest("GET", "/users", nil), 200, "users", UsersPage{Base: Base{Lang: "id", Zone: domain.WIB}})
	if strings.Contains(rec.Body.String(), `class="pager"`) {
		t.Error("a pager on an empty list")
	}
}
