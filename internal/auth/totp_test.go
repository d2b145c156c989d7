package auth_test

import (
	"encoding/base32"
	"net/url"
	"strings"
	"testing"
	"time"

	"lindu/internal/auth"
)

// rfcSecret is the RFC 4226 / RFC 6238 (SHA-1) test secret, base32 encoded
// without padding as authenticator apps expect.
var rfcSecret = strings.TrimRight(base32.StdEncoding.EncodeToString([]byte("12345678901234567890")), "=")

func TestRFCSecretEncoding(t *testing.T) {
	if rfcSecret != "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" {
		t.Fatalf("base32 of the RFC secret = %q", rfcSecret)
	}
}

// TestTOTPRFC6238 uses RFC 6238 Appendix B (SHA-1). The RFC lists 8 digits;
// lindu uses 6, which are the last 6 of the RFC value.
func TestTOTPRFC6238(t *testing.T) {
	tests := []struct {
		unix int64
		rfc8 string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	}
	for _, tt := range tests {
		want := tt.rfc8[2:]
		got, err := auth.TOTPCode(rfcSecret, time.Unix(tt.unix, 0))
		if err != nil || got != want {
			t.Errorf("TOTPCode(t=%d) = %q, %v; want %q (RFC %s)", tt.unix, got, err, want, tt.rfc8)
		}
		// Lower case and padding are tolerated in the secret.
		padded := strings.ToLower(base32.StdEncoding.EncodeToString([]byte("12345678901234567890")) + "=")
		if got, err := auth.TOTPCode(padded, time.Unix(tt.unix, 0)); err != nil || got != want {
			t.Errorf("TOTPCode(lower-case padded secret, t=%d) = %q, %v; want %q", tt.unix, got, err, want)
		}
	}
}

// TestHOTPRFC4226 uses RFC 4226 Appendix D: counter c is the TOTP step
// starting at t = 30c.
func TestHOTPRFC4226(t *testing.T) {
	want := []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"}
	for c, w := range want {
		for _, off := range []int64{0, 29} { // every second of the step gives the same code
			got, err := auth.TOTPCode(rfcSecret, time.Unix(int64(c)*30+off, 0))
			if err != nil || got != w {
				t.Errorf("TOTPCode(counter %d, +%ds) = %q, %v; want %q", c, off, got, err, w)
			}
		}
	}
}

func TestTOTPCodeBadSecret(t *testing.T) {
	for _, s := range []string{"not base32!", "1", "GEZDGNBVGY3TQOJQ1", "GEZ DGN"} {
		if code, err := auth.TOTPCode(s, time.Unix(59, 0)); err == nil {
			t.Errorf("TOTPCode(%q) = %q, nil; want an error", s, code)
		}
		if step, ok := auth.VerifyTOTP(s, "287082", time.Unix(59, 0), 0); ok || step != 0 {
			t.Errorf("VerifyTOTP(bad secret %q) = %d, %v", s, step, ok)
		}
	}
}

func TestVerifyTOTP(t *testing.T) {
	now := time.Unix(1111111111, 0)
	const step = int64(1111111111 / 30) // 37037037
	code := func(d int64) string {
		c, err := auth.TOTPCode(rfcSecret, time.Unix((step+d)*30, 0))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	// Known values anchor the helper to the RFC: 1111111111 is in step
	// 37037037, 1111111109 in the step before.
	if code(0) != "050471" || code(-1) != "081804" {
		t.Fatalf("codes around t=1111111111: %q %q", code(0), code(-1))
	}

	tests := []struct {
		name     string
		code     string
		lastStep int64
		wantStep int64
		wantOK   bool
	}{
		{"current", "050471", 0, step, true},
		{"previous step", "081804", 0, step - 1, true},
		{"next step", code(1), 0, step + 1, true},
		{"two steps back", code(-2), 0, 0, false},
		{"two steps ahead", code(2), 0, 0, false},
		{"ten steps back", code(-10), 0, 0, false},
		{"wrong code", "000000", 0, 0, false},
		{"with spaces", "050 471", 0, step, true},
		{"with dash", "050-471", 0, step, true},
		{"spaced out", " 0 5 0 4 7 1 ", 0, step, true},
		{"with tab", "050\t471", 0, step, true},
		{"too short", "05047", 0, 0, false},
		{"too long", "0504710", 0, 0, false},
		{"RFC 8 digits", "14050471", 0, 0, false},
		{"leading zero dropped", "50471", 0, 0, false},
		{"empty", "", 0, 0, false},
		{"letters", "abcdef", 0, 0, false},
		{"full-width digits", "０５０４７１", 0, 0, false},
		{"dots are not stripped", "050.471", 0, 0, false},

		// Replay protection: only steps after lastStep count.
		{"replay of current", "050471", step, 0, false},
		{"replay after later use", "050471", step + 1, 0, false},
		{"current after previous used", "050471", step - 1, step, true},
		{"previous after previous used", "081804", step - 1, 0, false},
		{"previous after older used", "081804", step - 2, step - 1, true},
		{"next after current used", code(1), step, step + 1, true},
	}
	for _, tt := range tests {
		gotStep, ok := auth.VerifyTOTP(rfcSecret, tt.code, now, tt.lastStep)
		if ok != tt.wantOK || gotStep != tt.wantStep {
			t.Errorf("%s: VerifyTOTP(%q, lastStep %d) = %d, %v; want %d, %v", tt.name, tt.code, tt.lastStep, gotStep, ok, tt.wantStep, tt.wantOK)
		}
	}

	// A code used once cannot be used again.
	s, ok := auth.VerifyTOTP(rfcSecret, "050471", now, 0)
	if !ok {
		t.Fatal("first use refused")
	}
	if _, ok := auth.VerifyTOTP(rfcSecret, "050471", now.Add(10*time.Second), s); ok {
		t.Errorf("second use of the same code accepted")
	}
}

func TestVerifyTOTPOtherSecret(t *testing.T) {
	// A fixed secret other than the RFC one, so the test is deterministic.
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	now := time.Date(2025, 6, 1, 8, 0, 15, 0, time.UTC)
	c, err := auth.TOTPCode(secret, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(c) != 6 || strings.Trim(c, "0123456789") != "" {
		t.Fatalf("TOTPCode = %q, want 6 digits", c)
	}
	for _, d := range []time.Duration{0, 14 * time.Second, 30 * time.Second, -30 * time.Second} {
		if _, ok := auth.VerifyTOTP(secret, c, now.Add(d), 0); !ok {
			t.Errorf("code refused %v later", d)
		}
	}
	for _, d := range []time.Duration{75 * time.Second, -60 * time.Second} { // two or more steps away
		if _, ok := auth.VerifyTOTP(secret, c, now.Add(d), 0); ok {
			t.Errorf("code accepted %v later", d)
		}
	}
	if _, ok := auth.VerifyTOTP(rfcSecret, c, now, 0); ok {
		t.Errorf("code of one secret accepted for another secret")
	}
}

func TestNewTOTPSecret(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		s := auth.NewTOTPSecret()
		b, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
		if err != nil || len(b) != 20 || len(s) != 32 {
			t.Fatalf("NewTOTPSecret = %q: %d bytes, %v; want 160 bits in 32 base32 characters", s, len(b), err)
		}
		if seen[s] {
			t.Fatalf("NewTOTPSecret repeated %q", s)
		}
		seen[s] = true
	}
}

func TestNormalizeTOTPInput(t *testing.T) {
	tests := []struct{ in, want string }{
		{"123456", "123456"},
		{"123 456", "123456"},
		{"123-456", "123456"},
		{"\t123 - 456 ", "123456"},
		{"12.34", "12.34"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := auth.NormalizeTOTPInput(tt.in); got != tt.want {
			t.Errorf("NormalizeTOTPInput(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTOTPURI(t *testing.T) {
	secret := auth.NewTOTPSecret()
	raw := auth.TOTPURI("Lindu Bengkayang", "siti.n@dinas", secret)
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("TOTPURI = %q: %v", raw, err)
	}
	if u.Scheme != "otpauth" || u.Host != "totp" {
		t.Errorf("TOTPURI = %q, want otpauth://totp/...", raw)
	}
	if u.Path != "/Lindu Bengkayang:siti.n@dinas" {
		t.Errorf("label = %q, want /issuer:account", u.Path)
	}
	q := u.Query()
	want := map[string]string{"secret": secret, "issuer": "Lindu Bengkayang", "digits": "6", "period": "30"}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("parameter %s = %q, want %q (URI %q)", k, q.Get(k), v, raw)
		}
	}
	if !strings.Contains(raw, "secret="+secret) {
		t.Errorf("TOTPURI = %q does not contain the secret verbatim", raw)
	}
	if strings.Contains(raw, " ") {
		t.Errorf("TOTPURI = %q contains an unescaped space", raw)
	}
	// Characters that would break the label or query are escaped.
	odd := auth.TOTPURI("A&B", "x/y?z#w", secret)
	u, err = url.Parse(odd)
	if err != nil {
		t.Fatalf("TOTPURI = %q: %v", odd, err)
	}
	if u.Path != "/A&B:x/y?z#w" || u.Query().Get("issuer") != "A&B" || u.Query().Get("secret") != secret || u.Fragment != "" {
		t.Errorf("TOTPURI(%q, %q) = %q: path %q, query %v", "A&B", "x/y?z#w", odd, u.Path, u.Query())
	}
}
