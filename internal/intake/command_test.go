package intake

import (
	"strings"
	"testing"

	"lindu/internal/domain"
)

func TestParse(t *testing.T) {
	code := domain.NewPublicCode()
	bad := code[:8] + string('0'+(code[8]-'0'+1)%10)
	cases := []struct{ in, verb, code string }{
		{"STATUS 482719536", "STATUS", code},
		{"status 482-719-536", "STATUS", code},
		{"  Status:  482 719 536 ", "STATUS", code},
		{"STATSU 482719536", "STATUS", code},
		{"terima 482719536", "TERIMA", code},
		{"TRIMA 482719536.", "TERIMA", code},
		{"Terima482719536", "TERIMA", code},
		{"TIBA 482719536", "TIBA", code},
		{"tibaa 482719536", "TIBA", code},
		{"INFO 482719536", "INFO", code},
		{"INPO 482719536", "INFO", code},
		{"TERIMA " + bad, "TERIMA", ""}, // bad check digit: a mistyped code
		{"TERIMA", "TERIMA", ""},
		{"tiba tiba anak itu dipukul", "", ""},
		{"Ada anak dipukul di desa kami", "", ""},
		{"Terima kasih atas bantuannya", "", ""},
		{"", "", ""},
		{"bantuan", "HELP", ""},
	}
	for _, c := range cases {
		c.in = strings.ReplaceAll(c.in, "482719536", code)
		c.in = strings.ReplaceAll(c.in, "482-719-536", domain.FormatPublicCode(code))
		c.in = strings.ReplaceAll(c.in, "482 719 536", strings.ReplaceAll(domain.FormatPublicCode(code), "-", " "))
		got := Parse(c.in)
		if got.Verb != c.verb || got.Code != c.code {
			t.Errorf("Parse(%q) = %+v, want %s %s", c.in, got, c.verb, c.code)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"STATUS 482719536", "terima 482-719-536", "tiba tiba", "ÀÉ 𝄞", "INFO\x00123"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Parse(s)
		if c.Code != "" && len(c.Code) != 9 {
			t.Fatalf("code %q", c.Code)
		}
		if c.Code != "" && c.Verb == "" {
			t.Fatalf("code without verb")
		}
	})
}
