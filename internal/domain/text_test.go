package domain_test

import (
	"testing"

	"lindu/internal/domain"
)

func TestCheckText(t *testing.T) {
	tests := []struct {
		s         string
		multiline bool
		ok        bool
	}{
		{"Anak dipukul setiap malam", false, true},
		{"Baris satu\r\nbaris dua\tdengan tab", true, true},
		{"Baris satu\nbaris dua", false, false},
		{"nul\x00byte", true, false},
		{"escape \x1b[31m", true, false},
		{"delete \x7f", true, false},
		{"c1 \u0085 next line", true, false},
		{"bad \xff\xfe utf-8", true, false},
		{"Émilie, 子供, 🙂", false, true},
		{"", false, true},
	}
	for _, tt := range tests {
		if got := domain.CheckText(tt.s, tt.multiline) == ""; got != tt.ok {
			t.Errorf("CheckText(%q, %v) ok = %v, want %v", tt.s, tt.multiline, got, tt.ok)
		}
	}
}
