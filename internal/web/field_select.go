package web

import (
	"html/template"
	"strings"
)

// selectHTML is the f_select template (templates/form_fields.html) written
// in Go: the inbox's filter form has five selects, and executing the
// template for each was a third of the page's template time (reflection
// over every option). TestSelectHTMLMatchesTemplate holds it to the
// template's bytes; change both together.
func selectHTML(f FormField) template.HTML {
	var b strings.Builder
	b.Grow(256 + 64*len(f.Options))
	w := func(s string) { b.WriteString(s) }
	e := func(s string) { writeEscaped(&b, s) }
	// span writes the hint's or the error's span, its id the field's with
	// suffix.
	span := func(class, suffix, text string) {
		w(`<span class="` + class + `" id="`)
		e(f.ID)
		w(suffix + `">`)
		e(text)
		w(`</span>`)
	}
	w(`<div class="field`)
	if f.Wide {
		w(` wide`)
	}
	w("\">\n<label for=\"")
	e(f.ID)
	w(`">`)
	e(f.Label)
	w("</label>\n")
	if f.Hint != "" {
		span("hint", "-hint", f.Hint)
	}
	w("\n<select id=\"")
	e(f.ID)
	w(`" name="`)
	e(f.Name)
	w(`"`)
	if f.Required {
		w(` required`)
	}
	if d := f.Describe(); d != "" {
		w(` aria-describedby="`)
		e(d)
		w(`"`)
	}
	if f.Error != "" {
		w(` aria-invalid="true"`)
	}
	w(">\n")
	if f.Empty != "" {
		w(`<option value="">`)
		e(f.Empty)
		w(`</option>`)
	}
	w("\n")
	for _, o := range f.Options {
		w(`<option value="`)
		e(o.Value)
		w(`"`)
		if o.Selected {
			w(` selected`)
		}
		w(`>`)
		e(o.Label)
		w(`</option>`)
	}
	w("\n</select>\n")
	if f.Error != "" {
		span("field-error", "-err", f.Error)
	}
	w("\n</div>")
	return template.HTML(b.String())
}

// writeEscaped writes s as html/template escapes a string in HTML text and
// in a quoted attribute value: NUL, quotes, &, +, < and > replaced, every
// other byte as it is (html/template's htmlReplacementTable).
func writeEscaped(b *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var r string
		switch s[i] {
		case 0:
			r = "\uFFFD"
		case '"':
			r = "&#34;"
		case '&':
			r = "&amp;"
		case '\'':
			r = "&#39;"
		case '+':
			r = "&#43;"
		case '<':
			r = "&lt;"
		case '>':
			r = "&gt;"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(r)
		last = i + 1
	}
	b.WriteString(s[last:])
}
