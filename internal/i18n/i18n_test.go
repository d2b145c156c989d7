package i18n

import (
	"strings"
	"testing"
)

// Every key exists in both languages, except those declared Indonesian-only.
func TestKeyParity(t *testing.T) {
	for _, a := range Languages {
		for _, b := range Languages {
			if a == b {
				continue
			}
			for _, k := range Keys(a) {
				if !Has(b, k) && !smsOnly(k) {
					t.Errorf("key %q is in %s but not in %s", k, a, b)
				}
			}
		}
	}
}

// The catalogue files parse, and no text is empty.
func TestCatalogueFiles(t *testing.T) {
	c, err := parse(files)
	if err != nil {
		t.Fatal(err)
	}
	for lang, m := range c {
		if len(m) < 100 {
			t.Errorf("%s: only %d texts", lang, len(m))
		}
		for k, v := range m {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s: %s is empty", lang, k)
			}
		}
	}
}

func TestFallback(t *testing.T) {
	if got := T("en", "sms.reply.arrive", "X"); !strings.Contains(got, "X") || got == "sms.reply.arrive" {
		t.Errorf("English falls back to Indonesian: %q", got)
	}
	if got := T("en", "no.such.key"); got != "no.such.key" {
		t.Errorf("unknown key: %q", got)
	}
}
