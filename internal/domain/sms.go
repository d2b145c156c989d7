package domain

import (
	"strings"
	"unicode/utf16"
)

// gsm7 is the GSM 03.38 basic character set; gsm7Ext the characters of its
// extension table (each takes two septets).
const (
	gsm7    = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsm7Ext = "^{}\\[~]|€"
)

// IsGSM7 reports whether s fits the GSM 03.38 default alphabet (then one
// SMS holds 160 septets; otherwise the text goes as UCS-2, 70 units).
func IsGSM7(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune(gsm7, r) && !strings.ContainsRune(gsm7Ext, r) {
			return false
		}
	}
	return true
}

// SMSParts is how many SMS s goes out in: 160 septets in one GSM SMS, 153
// a part when concatenated (extension characters take two); 70 UTF-16
// units in one UCS-2 SMS, 67 a part.
func SMSParts(s string) int {
	n, single, part := 0, 160, 153
	if IsGSM7(s) {
		for _, r := range s {
			n++
			if strings.ContainsRune(gsm7Ext, r) {
				n++
			}
		}
	} else {
		single, part = 70, 67
		n = len(utf16.Encode([]rune(s)))
	}
	if n <= single {
		return 1
	}
	return (n + part - 1) / part
}

// smsLike replaces the characters of place names that are not in the GSM
// alphabet with their look-alikes (a typographic apostrophe would turn a
// whole text into UCS-2, 70 characters an SMS).
var smsLike = strings.NewReplacer("’", "'", "‘", "'", "“", "\"", "”", "\"", "–", "-", "—", "-", "…", "...")

// FitSMS renders a staff SMS around a place name so that it fits one SMS:
// the name's typographic characters become GSM ones, and a name too long
// is shortened ("Kampuang Tanjuang Koto Mambang Sungai Durian" becomes
// "Kampuang Tanjuang Koto Mambang Su.") rather than the text cut at its
// end, where the case code and the command to answer are.
func FitSMS(name string, render func(name string) string) string {
	name = smsLike.Replace(name)
	body := render(name)
	r := []rune(name)
	for n := len(r) - 1; SMSParts(body) > 1 && n >= 6; n-- {
		body = render(strings.TrimRight(string(r[:n]), " .,-") + ".")
	}
	return body
}
