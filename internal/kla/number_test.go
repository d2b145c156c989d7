package kla

import (
	"math"
	"testing"
)

// One reader of KLA figures for the form, the import and the other forms:
// Indonesian and English decimal and thousands separators, "ada"/"tidak",
// and nothing else.
func TestParseNumber(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"12.5", 12.5, true},
		{"12,5", 12.5, true},
		{"1.234,5", 1234.5, true}, // Indonesian: the form refused it before
		{"1,234.5", 1234.5, true}, // English: the import read 1.2345 before
		{"1.234.567", 1234567, true},
		{"1,234,567", 1234567, true},
		{"1.234.567,89", 1234567.89, true},
		{"1.234", 1.234, true}, // one separator once: a decimal separator
		{"1,234", 1.234, true},
		{"-3", -3, true},
		{"-3,5", -3.5, true},
		{"−3,5", -3.5, true}, // U+2212 minus sign
		{"+7", 7, true},
		{"0", 0, true},
		{",5", 0.5, true},
		{"91,5%", 91.5, true},
		{" 1 234,5 ", 1234.5, true},
		{"1\u00a0234", 1234, true},
		{"1.5E-5", 1.5e-5, true}, // as spreadsheets write tiny numbers
		{"ada", 1, true},
		{"Ada", 1, true},
		{"ya", 1, true},
		{"tidak", 0, true},
		{"Tidak Ada", 0, true},
		{"no", 0, true},
		{"", 0, false},
		{"   ", 0, false},
		{"banyak", 0, false},
		{"12a", 0, false},
		{"1.23,4", 0, false},    // thousands groups of three
		{"1,2.3", 0, false},     // idem
		{"1.234,5,6", 0, false}, // two decimal separators
		{"12,", 0, false},
		{"12.", 0, false},
		{".", 0, false},
		{"-", 0, false},
		{"--3", 0, false},
		{"1.2.3", 0, false},
		{"NaN", 0, false},
		{"Inf", 0, false},
		{"infinity", 0, false},
		{"0x10", 0, false},
		{"1e", 0, false},
		{"1e+-3", 0, false},
		{"1e999", 0, false},
		{"1_000", 0, false},
	} {
		got, err := ParseNumber(c.in)
		if (err == nil) != c.ok || (c.ok && math.Abs(got-c.want) > 1e-12) {
			t.Errorf("ParseNumber(%q) = %v, %v; want %v, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestParseRupiah(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1.500.000", 1500000, true},
		{"1500000", 1500000, true},
		{"Rp 1.500", 1500, true},
		{" 0 ", 0, true},
		{"1,5", 0, false},
		{"", 0, false},
		{"sejuta", 0, false},
	} {
		got, err := ParseRupiah(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseRupiah(%q) = %v, %v; want %v, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
}

// FuzzParseNumber: typed input never panics the reader, nor comes out as
// NaN or an infinity.
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"12,5", "1.234,5", "1,234.5", "-3", "ada", "1.5E-5", "1.23,4", "NaN", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseNumber(s)
		if err != nil {
			return
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("ParseNumber(%q) = %v", s, v)
		}
	})
}
