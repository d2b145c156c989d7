// Package i18n holds the Indonesian and English texts of the UI (and later
// of SMS replies). Indonesian is the default; a key missing from a
// catalogue falls back to Indonesian, then to the key itself, and a test
// checks that every key used by a template exists in both.
package i18n

import (
	"fmt"
	"sort"
)

// Languages offered, default first.
var Languages = []string{"id", "en"}

// Default is the language of a visitor who has not chosen one.
const Default = "id"

// Supported reports whether lang is offered.
func Supported(lang string) bool { return lang == "id" || lang == "en" }

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
	if s, ok := catalog[lang][key]; ok {
		return s, true
	}
	if s, ok := smsCatalog[lang][key]; ok {
		return s, true
	}
	if s, ok := klaCatalog[lang][key]; ok {
		return s, true
	}
	s, ok := casesCatalog[lang][key]
	return s, ok
}

// Has reports whether key exists in lang's catalogue.
func Has(lang, key string) bool {
	_, ok := lookup(lang, key)
	return ok
}

// Keys lists the keys of lang's catalogue.
func Keys(lang string) []string {
	var ks []string
	for k := range catalog[lang] {
		ks = append(ks, k)
	}
	for k := range casesCatalog[lang] {
		if _, dup := catalog[lang][k]; !dup {
			ks = append(ks, k)
		}
	}
	for k := range klaCatalog[lang] {
		if _, dup := catalog[lang][k]; !dup {
			if _, dup := casesCatalog[lang][k]; !dup {
				ks = append(ks, k)
			}
		}
	}
	sort.Strings(ks)
	return ks
}
