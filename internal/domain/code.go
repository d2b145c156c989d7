package domain

import (
	"crypto/rand"
	"math/big"
	"strings"
)

// Public codes (report codes, case codes) are 9 digits: 8 random digits and
// a Damm check digit, which catches every single-digit mistake and every
// swap of two neighbouring digits. Digits are easy to read aloud and to
// type on a phone keypad; they are shown in groups of three ("482-719-536").

var damm = [10][10]byte{
	{0, 3, 1, 7, 5, 9, 8, 6, 4, 2},
	{7, 0, 9, 2, 1, 5, 4, 8, 6, 3},
	{4, 2, 0, 6, 8, 7, 1, 3, 5, 9},
	{1, 7, 5, 0, 9, 8, 3, 4, 2, 6},
	{6, 1, 2, 3, 0, 4, 5, 9, 7, 8},
	{3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
	{5, 8, 6, 9, 7, 2, 0, 1, 3, 4},
	{8, 9, 4, 5, 3, 6, 2, 0, 1, 7},
	{9, 4, 3, 8, 6, 1, 7, 2, 0, 5},
	{2, 5, 8, 1, 4, 3, 6, 7, 9, 0},
}

func dammDigit(digits string) byte {
	var interim byte
	for i := 0; i < len(digits); i++ {
		interim = damm[interim][digits[i]-'0']
	}
	return interim
}

// CheckDigit returns the Damm check digit of a string of digits.
func CheckDigit(digits string) byte { return dammDigit(digits) }

// NewPublicCode returns a fresh random 9-digit code (unformatted).
func NewPublicCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(100000000))
	if err != nil {
		panic(err)
	}
	s := n.String()
	s = strings.Repeat("0", 8-len(s)) + s
	return s + string('0'+dammDigit(s))
}

// NormalizePublicCode extracts a code from what a person typed ("482 719
// 536", "482-719-536", "#482719536") and checks its check digit. It returns
// the 9 digits and true, or "" and false.
func NormalizePublicCode(s string) (string, bool) {
	if len(s) > 40 {
		return "", false
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '#' || r == '/':
		default:
			return "", false
		}
	}
	d := b.String()
	if len(d) != 9 || dammDigit(d) != 0 {
		return "", false
	}
	return d, true
}

// FormatPublicCode shows a code in groups of three.
func FormatPublicCode(c string) string {
	if len(c) != 9 {
		return c
	}
	return c[0:3] + "-" + c[3:6] + "-" + c[6:9]
}
