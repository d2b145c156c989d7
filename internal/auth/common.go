package auth

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
)

// commonPasswordsText is the list of common passwords lindu refuses; its
// header names its source (zxcvbn's frequency list from the Xato corpus).
//
//go:embed common_passwords.txt
var commonPasswordsText string

var commonPasswords = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(commonPasswordsText, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			m[l] = true
		}
	}
	return m
})

// IsCommonPassword reports whether pw is a common password, also once
// digits, spaces and punctuation around it are taken off ("Password2026!",
// "123456 password") and when it is one character repeated.
func IsCommonPassword(pw string) bool {
	p := strings.ToLower(strings.TrimSpace(pw))
	m := commonPasswords()
	if m[p] {
		return true
	}
	trim := func(r rune) bool {
		return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSpace(r) || unicode.IsSymbol(r)
	}
	if core := strings.TrimFunc(p, trim); core != p && len([]rune(core)) >= 4 && m[core] {
		return true
	}
	rs := []rune(p)
	same := len(rs) > 0
	for _, r := range rs {
		same = same && r == rs[0]
	}
	return same
}
