package domain_test

import (
	"fmt"
	"strings"
	"testing"

	"lindu/internal/domain"
)

// Staff SMS name the village: with Indonesia's longest village name (44
// characters) and a typographic apostrophe, the text still fits one GSM
// SMS, the name shortened, the code and command at the end intact.
func TestFitSMS(t *testing.T) {
	render := func(v string) string {
		return fmt.Sprintf("lindu: LEWAT TENGGAT. Kasus 123-456-789 di desa %s belum dikonfirmasi oleh petugas (tenggat 31-12 23:59 WITA). Balas TERIMA 123456789", v)
	}
	long := "Kampuang Tanjuang Koto Mambang Sungai Durian"
	if domain.SMSParts(render(long)) == 1 {
		t.Fatal("the test's text fits without shortening: make it longer")
	}
	got := domain.FitSMS(long, render)
	if domain.SMSParts(got) != 1 || !strings.HasSuffix(got, "Balas TERIMA 123456789") || !strings.Contains(got, "Kampuang Tanjuang") ||
		!strings.Contains(got, ". belum") {
		t.Fatalf("fitted: %q (%d parts)", got, domain.SMSParts(got))
	}
	short := "Regapu’u"
	got = domain.FitSMS(short, render)
	if !domain.IsGSM7(got) || !strings.Contains(got, "Regapu'u") {
		t.Fatalf("apostrophe: %q is not GSM or lost the name", got)
	}
	if got := domain.FitSMS("Sei Raya", render); got != render("Sei Raya") {
		t.Fatalf("a short name changed: %q", got)
	}
}
