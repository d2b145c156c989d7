package web

import (
	"math/rand/v2"
	"testing"
)

// TestSelectHTMLMatchesTemplate holds selectHTML to the f_select
// template's bytes over fields with and without each part, and strings
// html/template escapes (quotes, &, +, <, >, NUL), passes (non-ASCII,
// invalid UTF-8) or that look like markup.
func TestSelectHTMLMatchesTemplate(t *testing.T) {
	strs := []string{"", "status", "Semua", `x"y`, "a&b<c>d'e+f\x00g", "é ü 中文", "\xff\xfe bad", "javascript:alert(1)",
		"<b>tebal</b>", "  spasi  ", "&amp;", "61.07.08.2002"}
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func() string { return strs[rng.IntN(len(strs))] }
	for i := range 3000 {
		f := FormField{ID: pick(), Name: pick(), Label: pick(), Wide: rng.IntN(2) == 0, Required: rng.IntN(2) == 0}
		if rng.IntN(3) == 0 {
			f.Hint = pick()
		}
		if rng.IntN(3) == 0 {
			f.Error = pick()
		}
		if rng.IntN(2) == 0 {
			f.Empty = pick()
		}
		for range rng.IntN(5) {
			f.Options = append(f.Options, FormOption{Value: pick(), Label: pick(), Selected: rng.IntN(3) == 0})
		}
		if got, want := selectHTML(f), renderField("f_select", f); got != want {
			t.Fatalf("case %d %+v:\nGo       %q\ntemplate %q", i, f, got, want)
		}
	}
}
