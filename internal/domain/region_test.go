package domain_test

import (
	"regexp"
	"strings"
	"testing"

	"lindu/internal/domain"
)

func TestValidRegionCode(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		// The four levels.
		{"61", true},
		{"61.07", true},
		{"61.07.01", true},
		{"61.07.01.2001", true},
		{"00", true},
		{"99.99.99.9999", true},

		{"", false},
		{".", false},
		{"6", false},
		{"611", false},
		{"61.", false},
		{".61", false},
		{"61..07", false},
		{"61.7", false},
		{"61.007", false},
		{"61.07.1", false},
		{"61.07.01.201", false},
		{"61.07.01.20011", false},
		{"61.07.01.01", false},        // a village part has four digits
		{"61.07.01.2001.01", false},   // no fifth level
		{"61.07.01.2001.2001", false}, // no fifth level
		{"6a", false},                 // letters
		{"61.0a", false},              // letters
		{"61,07", false},              // wrong separator
		{"61-07", false},              // wrong separator
		{" 61", false},                // no trimming
		{"61 ", false},                // no trimming
		{"61\n", false},               // no trailing newline
		{"+1", false},                 // sign
		{"-1", false},                 // sign
		{"é", false},                  // two bytes, but not digits
		{"٦١", false},                 // Arabic-Indic digits are not ASCII digits
		{"６１", false},                 // full-width digits
		{"61.07.01.2001\x00", false},  // NUL
		{strings.Repeat("61.", 100), false},
	}
	for _, tt := range tests {
		if got := domain.ValidRegionCode(tt.code); got != tt.want {
			t.Errorf("ValidRegionCode(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestRegionLevelOf(t *testing.T) {
	tests := []struct {
		code string
		want domain.RegionLevel
		name string
	}{
		{"61", domain.LevelProvince, "provinsi"},
		{"61.07", domain.LevelRegency, "kabupaten/kota"},
		{"61.07.01", domain.LevelDistrict, "kecamatan"},
		{"61.07.01.2001", domain.LevelVillage, "desa/kelurahan"},
	}
	for _, tt := range tests {
		got := domain.RegionLevelOf(tt.code)
		if got != tt.want {
			t.Errorf("RegionLevelOf(%q) = %d, want %d", tt.code, got, tt.want)
		}
		if got.String() != tt.name {
			t.Errorf("RegionLevelOf(%q).String() = %q, want %q", tt.code, got.String(), tt.name)
		}
	}
	for _, l := range []domain.RegionLevel{0, -1, 5, 100} {
		if s := l.String(); s != "?" {
			t.Errorf("RegionLevel(%d).String() = %q, want \"?\"", l, s)
		}
	}
	if domain.LevelProvince != 1 || domain.LevelRegency != 2 || domain.LevelDistrict != 3 || domain.LevelVillage != 4 {
		t.Errorf("level constants changed: %d %d %d %d (stored data depends on 1..4)",
			domain.LevelProvince, domain.LevelRegency, domain.LevelDistrict, domain.LevelVillage)
	}
}

func TestParentRegionCode(t *testing.T) {
	tests := []struct{ code, want string }{
		{"61.07.01.2001", "61.07.01"},
		{"61.07.01", "61.07"},
		{"61.07", "61"},
		{"61", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := domain.ParentRegionCode(tt.code); got != tt.want {
			t.Errorf("ParentRegionCode(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}

	// Walking up from a village visits every level once and ends at "".
	code := "35.13.15.2017"
	var chain []string
	for code != "" {
		chain = append(chain, code)
		p := domain.ParentRegionCode(code)
		if p != "" {
			if !domain.ValidRegionCode(p) {
				t.Errorf("parent %q of %q is not a valid code", p, code)
			}
			if domain.RegionLevelOf(p) != domain.RegionLevelOf(code)-1 {
				t.Errorf("parent %q of %q is at level %d, want %d", p, code, domain.RegionLevelOf(p), domain.RegionLevelOf(code)-1)
			}
		}
		code = p
	}
	want := []string{"35.13.15.2017", "35.13.15", "35.13", "35"}
	if strings.Join(chain, " ") != strings.Join(want, " ") {
		t.Errorf("ancestor chain = %v, want %v", chain, want)
	}
}

func TestRegionWithin(t *testing.T) {
	tests := []struct {
		code, root string
		want       bool
	}{
		{"61.07.01", "61.07", true},
		{"61.07.01.2001", "61.07", true},
		{"61.07.01.2001", "61", true},
		{"61.07", "61", true},
		{"61.07", "61.07", true}, // a region lies within itself
		{"61", "61", true},

		// Prefix semantics are per segment, not per character.
		{"61.07", "61.0", false},
		{"61.07.01", "61.0", false},
		{"61.17", "61.1", false},
		{"61.070", "61.07", false},
		{"610", "61", false},
		{"610.07", "61", false},

		// Ancestors and siblings are outside.
		{"61", "61.07", false},
		{"61.07", "61.07.01", false},
		{"61.08", "61.07", false},
		{"61.08.01", "61.07", false},
		{"62.07", "61", false},
		{"", "61", false},

		// The empty root is all of Indonesia.
		{"61", "", true},
		{"61.07.01.2001", "", true},
		{"", "", true},
		{"anything", "", true},
	}
	for _, tt := range tests {
		if got := domain.RegionWithin(tt.code, tt.root); got != tt.want {
			t.Errorf("RegionWithin(%q, %q) = %v, want %v", tt.code, tt.root, got, tt.want)
		}
	}
}

// regionCodeRE is an independent statement of the Kemendagri code shape
// (RE2's \d is ASCII-only, and $ matches only at the end of the text).
var regionCodeRE = regexp.MustCompile(`^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$`)

func FuzzValidRegionCode(f *testing.F) {
	for _, s := range []string{"", "61", "61.07", "61.07.01", "61.07.01.2001", "61.0", "61.07.01.2001.01",
		"6a", "61..07", "٦١", "61.07.01.01", "61\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		ok := domain.ValidRegionCode(code)
		if want := regionCodeRE.MatchString(code); ok != want {
			t.Fatalf("ValidRegionCode(%q) = %v, reference says %v", code, ok, want)
		}
		if !ok {
			return
		}
		level := domain.RegionLevelOf(code)
		if level < domain.LevelProvince || level > domain.LevelVillage {
			t.Fatalf("RegionLevelOf(%q) = %d, want 1..4", code, level)
		}
		parent := domain.ParentRegionCode(code)
		switch {
		case level == domain.LevelProvince:
			if parent != "" {
				t.Fatalf("ParentRegionCode(%q) = %q, want \"\" for a province", code, parent)
			}
		case !domain.ValidRegionCode(parent):
			t.Fatalf("ParentRegionCode(%q) = %q is not valid", code, parent)
		case domain.RegionLevelOf(parent) != level-1:
			t.Fatalf("parent %q of %q has level %d, want %d", parent, code, domain.RegionLevelOf(parent), level-1)
		}
		if !domain.RegionWithin(code, parent) || !domain.RegionWithin(code, code) || !domain.RegionWithin(code, "") {
			t.Fatalf("%q is not within its parent %q, itself, or all of Indonesia", code, parent)
		}
		if parent != "" && domain.RegionWithin(parent, code) {
			t.Fatalf("parent %q lies within its child %q", parent, code)
		}
	})
}
