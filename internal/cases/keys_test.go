package cases_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"lindu/internal/i18n"
)

// Every message key the case area and its pages and API handlers give
// (field messages, conflicts, refusals) exists in both languages, and none
// is an English sentence.
func TestMessageKeysTranslated(t *testing.T) {
	var files []string
	for _, pattern := range []string{"*.go", "../domain/*.go", "../web/*.go", "../api/*.go", "../intake/*.go",
		"../login/*.go", "../outbox/*.go", "../store/*.go", "../httpx/*.go"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	key := regexp.MustCompile(`"((?:case|report|teams)\.(?:field|err)\.[^"]*|field\.[^"]*|msg\.[^"]*|error\.[^"]*)"`)
	seen := map[string]string{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range key.FindAllStringSubmatch(string(b), -1) {
			seen[m[1]] = f
		}
	}
	if len(seen) < 60 {
		t.Fatalf("found only %d keys: the scan is broken", len(seen))
	}
	for k, f := range seen {
		if strings.HasSuffix(k, ".") && strings.Count(k, ".") == 1 {
			continue // a key family's prefix ("error." + code)
		}
		if strings.ContainsAny(k, " ,;") || strings.HasSuffix(k, ".") {
			t.Errorf("%s: %q is a sentence, not a key", f, k)
			continue
		}
		for _, lang := range i18n.Languages {
			if !i18n.Has(lang, k) {
				t.Errorf("%s: key %q missing in %s", f, k, lang)
			}
		}
	}
}
