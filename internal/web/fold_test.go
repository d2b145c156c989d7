package web

import (
	"bytes"
	"html/template"
	"strings"
	"testing"

	"lindu/internal/i18n"
)

// foldTranslations turns a constant {{.T "key"}} into the text in the
// page set's language and leaves everything else as it was.
func TestFoldTranslations(t *testing.T) {
	src := `<h1>{{.T "inbox.heading"}}</h1> <p title="{{ .T "inbox.search" }}">{{- .T "inbox.filters" -}}</p>` +
		`{{.T "inbox.count" .Total}} {{$.T "inbox.heading"}} {{.Title}} {{.T "no.such.key"}}`
	for _, lang := range i18n.Languages {
		got := foldTranslations(src, lang)
		want := `<h1>{{"` + i18n.T(lang, "inbox.heading") + `"}}</h1> <p title="{{ "` + i18n.T(lang, "inbox.search") + `" }}">{{- "` +
			i18n.T(lang, "inbox.filters") + `" -}}</p>` + `{{.T "inbox.count" .Total}} {{$.T "inbox.heading"}} {{.Title}} {{"no.such.key"}}`
		if got != want {
			t.Errorf("%s:\n got %s\nwant %s", lang, got, want)
		}
	}
	if i18n.T("id", "inbox.heading") == i18n.T("en", "inbox.heading") {
		t.Fatal("the test needs a key translated differently")
	}
	// A text with quotes, backslashes or braces stays one Go string.
	tp := template.Must(template.New("x").Parse(`<b title="{{"a \"b\" {{c}} \\ d"}}">{{"<e>"}}</b>`))
	var buf bytes.Buffer
	if err := tp.Execute(&buf, nil); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != `<b title="a &#34;b&#34; {{c}} \ d">&lt;e&gt;</b>` {
		t.Errorf("constant text rendered as %s", got)
	}
}

// The inbox page from the folded templates is byte for byte the page the
// templates as written render, in every language: the fold changes how
// the texts are found, not what the page says.
func TestFoldedPagesRenderTheSame(t *testing.T) {
	v, err := parsed()
	if err != nil {
		t.Fatal(err)
	}
	ps, err := partialFiles(partialTemplates)
	if err != nil {
		t.Fatal(err)
	}
	files, err := ps.reached("templates/cases.html")
	if err != nil {
		t.Fatal(err)
	}
	written, err := template.New("cases").Funcs(pageFuncs(v.assets)).ParseFS(templateFS, append(files, "templates/cases.html")...)
	if err != nil {
		t.Fatal(err)
	}
	_, p := casesPageFixture(t)
	for _, lang := range i18n.Languages {
		p.Lang, p.kit.lang = lang, lang
		pages, err := v.forLang(lang)
		if err != nil {
			t.Fatal(err)
		}
		var want, got bytes.Buffer
		if err := written.ExecuteTemplate(&want, "layout", p); err != nil {
			t.Fatal(err)
		}
		if err := pages["cases"].ExecuteTemplate(&got, "layout", p); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%s: the folded inbox page differs from the written one", lang)
		}
		if h := i18n.T(lang, "inbox.heading"); !strings.Contains(got.String(), ">"+template.HTMLEscapeString(h)+"</h1>") {
			t.Errorf("%s: no heading %q", lang, h)
		}
	}
}

// Every language's page set parses (another language's is parsed at its
// first page, not at start) and holds the same pages as the default's.
func TestEveryLanguageHasEveryPage(t *testing.T) {
	v, err := parsed()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range i18n.Languages {
		pages, err := v.forLang(lang)
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		if len(pages) != len(v.pages) {
			t.Errorf("%s: %d pages, %s has %d", lang, len(pages), i18n.Default, len(v.pages))
		}
		for name := range v.pages {
			if p := pages[name]; p == nil || p.Lookup("layout") == nil {
				t.Errorf("%s: page %s missing or without its layout", lang, name)
			}
		}
	}
	if pages, _ := v.forLang("xx"); len(pages) != len(v.pages) {
		t.Error("an unknown language does not get the default's pages")
	}
}
