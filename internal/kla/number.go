package kla

import (
	"strconv"
	"strings"

	"lindu/internal/domain"
)

// ParseNumber reads a number as people type it in a KLA form or a
// spreadsheet cell, in Indonesian or English habits. It is the one reader
// of KLA figures: the value form, the verification form, the agreement
// forms, the rubric form and the bulk import all use it. The rule:
//
//   - "ada", "ya", "yes" are 1 and "tidak", "tidak ada", "no" are 0 (for
//     availability indicators), in any case;
//   - spaces (also non-breaking ones) are ignored, a trailing "%" is
//     dropped, and a leading "+", "-" or "−" gives the sign;
//   - with only one kind of separator, used once, it is the decimal
//     separator: "12,5" and "12.5" are 12.5, and "1,234" and "1.234" are
//     1.234 (not one thousand two hundred and thirty-four);
//   - with only one kind of separator, used more than once, it groups
//     thousands: "1.234.567" and "1,234,567" are 1234567;
//   - with both kinds, the last one is the decimal separator and the other
//     groups thousands: "1.234,5" (Indonesian) and "1,234.5" (English) are
//     both 1234.5;
//   - thousands groups have exactly three digits, after a first group of
//     one to three;
//   - an exponent, as spreadsheets write very small or large numbers
//     ("1.5E-5"), is accepted;
//   - anything else ("1.23,4", "12a", "NaN", "Inf", "0x10", "") is not a
//     number.
//
// The error is a coded invalid error with the key "kla.not_number". Pure:
// anyone may call it.
func ParseNumber(s string) (float64, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "ada", "ya", "yes":
		return 1, nil
	case "tidak", "tidak ada", "no":
		return 0, nil
	}
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u202f', '\t':
			return -1
		case '−': // U+2212 MINUS SIGN
			return '-'
		}
		return r
	}, s)
	s = strings.TrimSuffix(s, "%")
	sign := ""
	if s != "" && (s[0] == '-' || s[0] == '+') {
		sign, s = s[:1], s[1:]
	}
	exp := ""
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		s, exp = s[:i], s[i+1:]
		e := strings.TrimLeft(exp, "+-")
		if e == "" || len(exp)-len(e) > 1 || !allDigits(e) {
			return 0, notNumber()
		}
		exp = "e" + exp
	}
	mant, ok := mantissa(s)
	if !ok {
		return 0, notNumber()
	}
	v, err := strconv.ParseFloat(sign+mant+exp, 64)
	if err != nil {
		return 0, notNumber()
	}
	return v, nil
}

// mantissa turns digits with "." and "," separators into a number
// strconv reads (by ParseNumber's rule), or reports that it is none.
func mantissa(s string) (string, bool) {
	dot, comma := strings.Count(s, "."), strings.Count(s, ",")
	var intPart, frac string
	var group byte // the thousands separator; 0 when there is none
	switch {
	case dot == 0 && comma == 0:
		intPart = s
	case dot > 0 && comma > 0:
		dec, other := byte('.'), byte(',')
		if strings.LastIndexByte(s, ',') > strings.LastIndexByte(s, '.') {
			dec, other = ',', '.'
		}
		if strings.Count(s, string(dec)) != 1 {
			return "", false
		}
		i := strings.IndexByte(s, dec)
		intPart, frac, group = s[:i], s[i+1:], other
		if frac == "" {
			return "", false
		}
	case dot+comma == 1:
		i := strings.IndexAny(s, ".,")
		intPart, frac = s[:i], s[i+1:]
		if frac == "" {
			return "", false
		}
	default: // one kind, several times: thousands
		intPart, group = s, '.'
		if comma > 0 {
			group = ','
		}
	}
	digits, ok := ungroup(intPart, group)
	if !ok || !allDigits(frac) || (digits == "" && frac == "") {
		return "", false
	}
	if digits == "" {
		digits = "0"
	}
	if frac != "" {
		return digits + "." + frac, true
	}
	return digits, true
}

// ungroup removes thousands separators sep (0: none allowed) from the
// integer part of a number, checking the groups.
func ungroup(s string, sep byte) (string, bool) {
	if sep == 0 || strings.IndexByte(s, sep) < 0 {
		return s, allDigits(s)
	}
	parts := strings.Split(s, string(sep))
	if len(parts[0]) < 1 || len(parts[0]) > 3 || !allDigits(parts[0]) {
		return "", false
	}
	for _, p := range parts[1:] {
		if len(p) != 3 || !allDigits(p) {
			return "", false
		}
	}
	return strings.Join(parts, ""), true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func notNumber() error { return domain.E(domain.EInvalid, "kla.not_number") }

// ParseRupiah reads a whole amount of rupiah: digits with dots grouping
// thousands ("1.500.000"), spaces and a leading "Rp" ignored. Pure: anyone
// may call it.
func ParseRupiah(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && strings.EqualFold(s[:2], "rp") {
		s = s[2:]
	}
	s = strings.NewReplacer(".", "", " ", "", "\u00a0", "").Replace(s)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, domain.E(domain.EInvalid, "kla.field.whole_rupiah")
	}
	return n, nil
}
