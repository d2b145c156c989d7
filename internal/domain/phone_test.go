package domain_test

import (
	"strings"
	"testing"

	"lindu/internal/domain"
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" means rejected
		bug  string // non-empty: known bug in NormalizePhone, see the message
	}{
		// The ways people write the same mobile number.
		{in: "0812-3456-7890", want: "+6281234567890"},
		{in: "081234567890", want: "+6281234567890"},
		{in: "0812 3456 7890", want: "+6281234567890"},
		{in: "0812.3456.7890", want: "+6281234567890"},
		{in: "(0812) 3456-7890", want: "+6281234567890"},
		{in: "+62 812 3456 7890", want: "+6281234567890"},
		{in: "+62-812-3456-7890", want: "+6281234567890"},
		{in: "+6281234567890", want: "+6281234567890"},
		{in: "6281234567890", want: "+6281234567890"},
		{in: "62 812 3456 7890", want: "+6281234567890"},
		{in: "  0812 3456 7890  ", want: "+6281234567890"},
		{in: "\t0812 3456 7890\n", want: "+6281234567890"},
		// Landlines.
		{in: "(021) 1234-5678", want: "+622112345678"},
		{in: "0561 123456", want: "+62561123456"},
		// Longest Indonesian number: 13 digits after 62 = 15 digits (E.164 maximum).
		{in: "0812 3456 7890 12", want: ""}, // 13 digits after 62: longer than any Indonesian number
		// A number written in international form keeps its country code.
		{in: "+1 202 555 0143", want: "+12025550143"},
		{in: "+123456789012345", want: "+123456789012345"}, // 15 digits: E.164 maximum

		// Letters and other characters.
		{in: "", want: ""},
		{in: "   ", want: ""},
		{in: "+", want: ""},
		{in: "-", want: ""},
		{in: "0812-3456-789a", want: ""},
		{in: "O812-3456-7890", want: ""}, // letter O
		{in: "0812 3456 7890 ext 12", want: ""},
		{in: "0812_3456_7890", want: ""},
		{in: "0812/3456/7890", want: ""},
		{in: "0812#3456#7890", want: ""},
		{in: "０８１２３４５６７８９０", want: ""}, // full-width digits
		{in: "٠٨١٢٣٤٥٦٧٨٩٠", want: ""}, // Arabic-Indic digits
		{in: "0812\x003456\x007890", want: ""},
		// A plus sign is allowed only at the start.
		{in: "0812+3456+7890", want: ""},
		{in: "62+81234567890", want: ""},
		{in: "++6281234567890", want: ""},
		{in: "0+81234567890", want: ""},
		{in: "6281234567890+", want: ""},
		// Neither trunk prefix 0 nor country code 62.
		{in: "812 3456 7890", want: ""},
		{in: "1234567890", want: ""},
		// A country code does not start with 0.
		{in: "+0812 3456 7890", want: ""},
		{in: "+00 62 812 3456 7890", want: ""},
		// Too short.
		{in: "0", want: ""},
		{in: "0812", want: ""},
		{in: "62", want: ""},
		{in: "+62", want: ""},
		{in: "+1234567", want: ""}, // 7 digits
		// Too long: more than 15 digits.
		{in: "0812 3456 7890 123", want: ""}, // 14 digits after 62
		{in: "0812 3456 7890 1234", want: ""},
		{in: "6281234567890123", want: ""},
		{in: "+1234567890123456", want: ""},
		{in: strings.Repeat("0", 100), want: ""},

		// Known bugs (see the report): the doc comment says Indonesian numbers
		// have 9-13 digits after 62, but only the total length 8..15 is checked,
		// and the trunk 0 after the country code is kept.
		{in: "0812345", want: ""},
		{in: "62812345", want: ""},
		{in: "+62 0812 3456 7890", want: "+6281234567890"},
		{in: "62 0812 3456 7890", want: "+6281234567890"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if tt.bug != "" {
				t.Skipf("known bug in NormalizePhone: %q %s", tt.in, tt.bug)
			}
			got, ok := domain.NormalizePhone(tt.in)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("NormalizePhone(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.want != "")
			}
		})
	}
}

// digitsOf keeps the ASCII digits of s.
func digitsOf(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"0812-3456-7890", "+62 812 3456 7890", "6281234567890", "(021) 1234-5678",
		"+1 202 555 0143", "0812+3456", "++62", "0812-3456-789a", "", "+", "0812 3456 7890 1234", "+0812"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, ok := domain.NormalizePhone(in)
		if !ok {
			if out != "" {
				t.Fatalf("NormalizePhone(%q) = %q, false; want \"\" when rejecting", in, out)
			}
			return
		}
		if len(out) < 9 || len(out) > 16 || out[0] != '+' || out[1] == '0' {
			t.Fatalf("NormalizePhone(%q) = %q: want + and 8..15 digits, not starting with 0", in, out)
		}
		if d := digitsOf(out); d != out[1:] {
			t.Fatalf("NormalizePhone(%q) = %q: want only digits after +", in, out)
		}
		// The digits are the input's own, with a trunk 0 replaced by 62.
		d := digitsOf(in)
		if out[1:] != d && !(d != "" && d[0] == '0' && out[1:] == "62"+d[1:]) &&
			!(strings.HasPrefix(d, "620") && out[1:] == "62"+d[3:]) {
			t.Fatalf("NormalizePhone(%q) = %q: digits %q do not come from the input", in, out, out[1:])
		}
		again, ok := domain.NormalizePhone(out)
		if !ok || again != out {
			t.Fatalf("not idempotent: NormalizePhone(%q) = %q, but NormalizePhone(%q) = %q, %v", in, out, out, again, ok)
		}
	})
}
