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
		{"DUKUNG 482-719-536", "DUKUNG", code},
		{"dukung482719536", "DUKUNG", code},
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
		// A provider's answer to a referral.
		{"YA 482719536", "YA", code},
		{"ya 482-719-536", "YA", code},
		{"Iya 482 719 536", "YA", code},
		{"SELESAI 482719536", "SELESAI", code},
		{"selese 482719536", "SELESAI", code},
		{"TIDAK 482719536 dokter sedang cuti, rujuk ke RSUD saja ya", "TIDAK", code},
		{"Ya Allah anak itu dipukul lagi semalam", "", ""},
		{"Tidak ada yang menolong anak itu", "", ""},
		{"YA 482719536 terima kasih", "", ""},
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
	if got := Parse("TIDAK " + code + " dokter sedang cuti, rujuk ke RSUD"); got.Reason != "dokter sedang cuti, rujuk ke RSUD" {
		t.Errorf("TIDAK reason %q", got.Reason)
	}
	if got := Parse("tidak " + domain.FormatPublicCode(code) + ": Penuh."); got.Reason != "Penuh." {
		t.Errorf("TIDAK reason %q", got.Reason)
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
		if c.Reason != "" && c.Verb != "TIDAK" {
			t.Fatalf("reason %q for %s", c.Reason, c.Verb)
		}
		if len(c.Reason) > len(s) {
			t.Fatalf("reason longer than the text")
		}
	})
}
