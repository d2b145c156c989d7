package web

import (
	"strings"
	"testing"

	"lindu/internal/auth"
)

// The enrolment's otpauth URI becomes a QR code drawn as inline SVG.
func TestTOTPQRCode(t *testing.T) {
	uri := auth.TOTPURI("lindu", "peksos.sungairaya", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
	m, err := qrModules(uri)
	if err != nil {
		t.Fatal(err)
	}
	dark := 0
	for _, row := range m {
		if len(row) != len(m) {
			t.Fatalf("not square: %d × %d", len(row), len(m))
		}
		for _, v := range row {
			if v {
				dark++
			}
		}
	}
	// Version 4 or more at level M for a URI of this length (33 modules),
	// plus the quiet zone of 4 on each side.
	if len(m) < 33+8 || dark < len(m) {
		t.Fatalf("bitmap %d modules wide, %d dark", len(m), dark)
	}
	if m[0][0] || !m[4][4] {
		t.Error("no quiet zone or no finder pattern in the corner")
	}
	other, _ := qrModules(uri + "x")
	if qrSVG(m, "a") == qrSVG(other, "a") {
		t.Error("two URIs, one picture")
	}
	svg := string(AccountPage{Base: Base{Lang: "id"}, TOTPURI: uri}.TOTPQR())
	for _, want := range []string{`<svg class="qr"`, `role="img"`, `aria-label="Kode QR untuk aplikasi autentikator`, `<path fill="#000" d="M`} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG without %s", want)
		}
	}
	if (AccountPage{}).TOTPQR() != "" {
		t.Error("a QR code without a URI")
	}
}
