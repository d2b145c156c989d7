// Package i18n owns the texts lindu shows and sends, in Indonesian (the
// default) and English. Texts live in embedded catalogue files, one folder
// per language and one file per area (locales/<lang>/<area>.txt), each line
// "key = text" with fmt verbs for arguments. A key missing from a language
// falls back to Indonesian, then to the key itself; a test checks that every
// key exists in both languages except the SMS texts, which are Indonesian
// only (SMSOnly).
package i18n

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"
)

//go:embed locales
var files embed.FS

// Languages offered, default first.
var Languages = []string{"id", "en"}

// Default is the language of a visitor who has not chosen one.
const Default = "id"

// SMSOnly lists the key prefixes that exist only in Indonesian: SMS and
// WhatsApp texts go to phones in Indonesia and are checked against the
// 160-character limit in that language.
var SMSOnly = []string{"sms."}

// Supported reports whether lang is offered.
func Supported(lang string) bool { return lang == "id" || lang == "en" }

type catalogue map[string]map[string]string // lang → key → text

var load = sync.OnceValue(func() catalogue {
	c, err := parse(files)
	if err != nil {
		panic(err) // the files are embedded: a bad line is caught by the tests
	}
	return c
})

// parse reads every locales/<lang>/*.txt file.
func parse(fsys embed.FS) (catalogue, error) {
	c := catalogue{}
	for _, lang := range Languages {
		dir := "locales/" + lang
		ents, err := fsys.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		m := map[string]string{}
		c[lang] = m
		for _, e := range ents {
			if e.IsDir() || path.Ext(e.Name()) != ".txt" {
				continue
			}
			name := dir + "/" + e.Name()
			data, err := fsys.ReadFile(name)
			if err != nil {
				return nil, fmt.Errorf("i18n: %w", err)
			}
			sc := bufio.NewScanner(bytes.NewReader(data))
			sc.Buffer(make([]byte, 64*1024), 1024*1024)
			for n := 1; sc.Scan(); n++ {
				line := sc.Text()
				if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
					continue
				}
				k, v, ok := strings.Cut(line, " = ")
				if !ok || k == "" {
					return nil, fmt.Errorf("i18n: %s:%d: want \"key = text\"", name, n)
				}
				if _, dup := m[k]; dup {
					return nil, fmt.Errorf("i18n: %s:%d: key %q defined twice", name, n, k)
				}
				m[k] = v
			}
			if err := sc.Err(); err != nil {
				return nil, fmt.Errorf("i18n: %s: %w", name, err)
			}
		}
	}
	return c, nil
}

// T returns the text of key in lang, formatted with args (fmt verbs).
func T(lang, key string, args ...any) string {
	s, ok := lookup(lang, key)
	if !ok {
		s, ok = lookup(Default, key)
	}
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

func lookup(lang, key string) (string, bool) {
	s, ok := load()[lang][key]
	return s, ok
}

// Has reports whether key exists in lang's catalogue.
func Has(lang, key string) bool {
	_, ok := lookup(lang, key)
	return ok
}

// Keys lists the keys of lang's catalogue, sorted.
func Keys(lang string) []string {
	var ks []string
	for k := range load()[lang] {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// smsOnly reports whether key is declared Indonesian-only.
func smsOnly(key string) bool {
	for _, p := range SMSOnly {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}
