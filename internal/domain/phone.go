package domain

import "strings"

// NormalizePhone turns an Indonesian phone number as people write it
// ("0812-3456-7890", "+62 812 3456 7890", "62812...") into E.164
// ("+6281234567890"). It returns "" and false for anything that is not a
// plausible number.
func NormalizePhone(s string) (string, bool) {
	var digits strings.Builder
	plus := false
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == '+' && i == 0:
			plus = true
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return "", false
		}
	}
	d := digits.String()
	switch {
	case plus:
	case strings.HasPrefix(d, "62"):
	case strings.HasPrefix(d, "0"):
		d = "62" + d[1:]
	default:
		return "", false
	}
	if strings.HasPrefix(d, "620") {
		d = "62" + d[3:] // "+62 0812..." written with the trunk prefix
	}
	if strings.HasPrefix(d, "62") {
		// Indonesian numbers have 9-12 digits after the country code
		// (8xx mobiles 9-12, fixed lines with area code 8-11).
		if n := len(d) - 2; n < 8 || n > 12 || d[2] == '0' {
			return "", false
		}
		return "+" + d, true
	}
	// Other countries: E.164 allows 8-15 digits, no leading zero.
	if len(d) < 8 || len(d) > 15 || d[0] == '0' {
		return "", false
	}
	return "+" + d, true
}

// IsWhatsAppUserID reports whether s is a WhatsApp business-scoped user id
// (BSUID): what the Cloud API gives instead of a phone number for a user who
// adopted a username. Its form is a two-letter country code, optionally
// ".ENT" (a parent BSUID), a dot and 1-128 letters and digits, e.g.
// "ID.1502576394655843".
func IsWhatsAppUserID(s string) bool {
	cc, rest, ok := strings.Cut(s, ".")
	if !ok || len(cc) != 2 || cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z' {
		return false
	}
	rest = strings.TrimPrefix(rest, "ENT.")
	if rest == "" || len(rest) > 128 {
		return false
	}
	for _, r := range rest {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// NormalizeAddress is where a reply to a message goes: a phone number in
// E.164, or (WhatsApp only) the sender's business-scoped user id as given.
func NormalizeAddress(s string, ch Channel) (string, bool) {
	if p, ok := NormalizePhone(s); ok {
		return p, true
	}
	if ch == ChannelWhatsApp && IsWhatsAppUserID(strings.TrimSpace(s)) {
		return strings.TrimSpace(s), true
	}
	return "", false
}
