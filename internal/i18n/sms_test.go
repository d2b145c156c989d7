package i18n

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// gsm7 is the GSM 03.38 basic character set: a text made only of these
// fits 160 characters in one SMS; anything else forces UCS-2 (70).
const gsm7 = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// Every SMS text fits one GSM-7 message even with the longest village
// names of Indonesia and the longest deadline format.
func TestSMSFitsOneMessage(t *testing.T) {
	village := strings.Repeat("W", 40) // the longest village names are about 40 characters
	for _, lang := range Languages {
		for _, key := range Keys(lang) {
			if !strings.HasPrefix(key, "sms.") {
				continue
			}
			msg := T(lang, key, "123-456-789", village, "31-12 23:59 WITA", "123456789", "123456789")
			msg = strings.ReplaceAll(msg, "%!(EXTRA", "") // unused args are fine
			if i := strings.Index(msg, "%!"); i >= 0 {
				t.Errorf("%s/%s: bad verb: %s", lang, key, msg)
			}
			if n := utf8.RuneCountInString(msg); n > 160 {
				t.Errorf("%s/%s: %d characters: %s", lang, key, n, msg)
			}
			for _, r := range msg {
				if !strings.ContainsRune(gsm7, r) {
					t.Errorf("%s/%s: %q is not GSM-7", lang, key, r)
				}
			}
		}
	}
}
